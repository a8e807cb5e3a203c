"""Serialization of the family's other views of a number: the slim item
(``SlimPhoneNumberDetailed``) and the messaging settings (``PhoneNumberWithMessagingSettings``).

Both are built from the same record ``GET /phone_numbers`` shows (the slim item from its very
view, :func:`~mockserver.views.number_view`), so two views of one number never disagree.
"""

from __future__ import annotations

from typing import Any

from mockserver.inventory import Inventory, Record
from mockserver.views import number_view

#: SlimPhoneNumberDetailed's fields, in the spec's order of PhoneNumberDetailed
_SLIM_FIELDS = (
    "id", "phone_number", "status", "external_pin", "customer_reference", "billing_group_id",
    "emergency_enabled", "emergency_address_id", "emergency_status", "call_forwarding_enabled",
    "cnam_listing_enabled", "caller_id_name_enabled", "call_recording_enabled",
    "t38_fax_gateway_enabled", "hd_voice_enabled", "inbound_call_screening",
    "country_iso_alpha2", "phone_number_type", "created_at", "updated_at", "purchased_at",
    "activated_at",
)  # fmt: skip
#: the slim schema's nullable fields (anyOf with null): every other empty field is left out
_SLIM_NULLABLE = frozenset({"activated_at"})


def v_nulls_slim(full: dict[str, Any], tags: bool, connection: bool) -> dict[str, Any]:
    """V-NULLS-SLIM: a slim item has only SlimPhoneNumberDetailed's fields; an empty field the
    schema types as a plain string is left out, ``activated_at`` (nullable) is sent as null."""
    out: dict[str, Any] = {"id": full["id"], "record_type": "phone_number_slim"}
    for key in _SLIM_FIELDS[1:]:
        value = full[key]
        if value is not None or key in _SLIM_NULLABLE:
            out[key] = value
    if connection and full["connection_id"] is not None:
        out["connection_id"] = full["connection_id"]
        out["connection_name"] = full["connection_name"]
    if tags:
        out["tags"] = full["tags"]
    return out


def slim_view(record: Record, inv: Inventory, tags: bool, connection: bool) -> dict[str, Any]:
    """``SlimPhoneNumberDetailed``: the detailed view's values, so the two never disagree."""
    return v_nulls_slim(number_view(record, inv), tags, connection)


# -- messaging settings ---------------------------------------------------------------------------
def messaging_type(record: Record) -> str:
    """The messaging API's number type: toll-free numbers are ``tollfree``, the rest long codes
    (the world has no short codes)."""
    return "tollfree" if record["phone_number_type"] == "toll_free" else "longcode"


def product_of(record: Record) -> str:
    """A record's messaging product; a world file without one: A2P toll-free, else P2P."""
    product: str | None = record.get("messaging_product")
    if product is None:
        return "A2P" if messaging_type(record) == "tollfree" else "P2P"
    return product


def _features(record: Record) -> dict[str, Any]:
    """SMS everywhere; international for North American numbers; MMS not on GB numbers."""
    north_america = record["country_iso_alpha2"] in ("US", "CA")
    sms = {
        "domestic_two_way": True,
        "international_inbound": north_america,
        "international_outbound": north_america,
    }
    mms = dict(sms, international_inbound=False) if north_america else None
    return {"sms": sms, "mms": mms}


def _health(record: Record) -> dict[str, Any]:
    """Deterministic metrics from the id (the same number always has the same health)."""
    digits = record["id"][-6:]
    count = int(digits[:3])
    return {
        "message_count": count,
        "inbound_outbound_ratio": round(int(digits[3]) / 10, 2),
        "success_ratio": round(0.9 + int(digits[4]) / 100, 2),
        "spam_ratio": round(int(digits[5]) / 100, 2),
    }


def v_nulls_messaging(record: Record, inv: Inventory) -> dict[str, Any]:
    """V-NULLS-MESSAGING: ``PhoneNumberWithMessagingSettings``. ``messaging_profile_id`` is the
    schema's only nullable field (null when the number has no profile); ``health`` exists only
    for a number on a profile, and is left out otherwise; ``features.mms`` is null where MMS is
    not available (MessagingFeatureSet is ``object | null``)."""
    kind = messaging_type(record)
    product = product_of(record)
    products = inv.messaging_products
    out: dict[str, Any] = {
        "id": record["id"],
        "record_type": "messaging_settings",
        "phone_number": record["phone_number"],
        "country_code": record["country_iso_alpha2"],
        "type": kind,
        "messaging_profile_id": record["messaging_profile_id"],
        "messaging_product": product,
        "eligible_messaging_products": [
            pid for pid, p in products.items() if kind in p["number_types"]
        ],
        "traffic_type": products.get(product, {}).get("traffic_type", product),
        "features": _features(record),
        "tags": list(record["tags"]),
        "created_at": record["created_at"],
        "updated_at": record["updated_at"],
    }
    if record["messaging_profile_id"] is not None:
        out["health"] = _health(record)
    return out


def messaging_view(record: Record, inv: Inventory) -> dict[str, Any]:
    return v_nulls_messaging(record, inv)
