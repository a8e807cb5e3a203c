"""The messaging settings of the numbers: ``GET /phone_numbers/messaging`` and
``GET``/``PATCH /phone_numbers/{id}/messaging`` (operations surface of the messaging resource).

A number's messaging settings are fields of the same record ``GET /phone_numbers`` shows
(``messaging_profile_id``/``_name``, ``messaging_product``, ``tags``), so a PATCH here shows there
at once, and a batch job's changes show here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mockserver import errors, outcomes
from mockserver.clock import iso_ms
from mockserver.inventory import Inventory, NumberFilter, Record
from mockserver.jobs import UPDATE
from mockserver.number_ops import v_one_world
from mockserver.paging import parse_page
from mockserver.validation import check_shape

if TYPE_CHECKING:
    from mockserver.store import Tenant

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
#: [SPEC] ListPhoneNumbersWithMessagingSettings query parameters (filter[...] and sort[...])
FILTER_KEYS = ("messaging_profile_id", "phone_number", "type")
MESSAGING_TYPES = ("tollfree", "longcode", "shortcode")
SORT_ORDERS = ("asc", "desc")


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


# -- list ------------------------------------------------------------------------------------------
def r_messaging_list_query(tenant: Tenant, query: dict[str, Any]) -> tuple[NumberFilter, bool]:
    """R-MESSAGING-LIST-QUERY: the list's own filters and ``sort[phone_number]``; returns the
    filter and whether the order is by phone number descending (``None``: the default order)."""
    f = NumberFilter()
    raw = query.get("filter")
    if raw is not None and not isinstance(raw, dict):
        raise errors.bad_request("must be an object (filter[key]=value)", parameter="filter")
    raw = raw or {}
    for key in sorted(raw):
        if key not in FILTER_KEYS:
            raise errors.bad_request(errors.D_UNKNOWN_FILTER, parameter=f"filter[{key}]")
    profile = raw.get("messaging_profile_id")
    if profile is not None:
        if not isinstance(profile, str) or not UUID.fullmatch(profile):
            raise errors.bad_request(
                errors.D_MUST_BE_UUID, parameter="filter[messaging_profile_id]"
            )
        f.extra.append(lambda r: r["messaging_profile_id"] == profile)
    phone = raw.get("phone_number")
    if isinstance(phone, str):  # exact, comma-separated list
        wanted = {p.strip() for p in phone.split(",")}
        f.extra.append(lambda r: r["phone_number"] in wanted)
    elif isinstance(phone, dict):
        for op in sorted(phone):
            if op != "contains":
                raise errors.bad_request(
                    errors.D_UNKNOWN_FILTER, parameter=f"filter[phone_number][{op}]"
                )
        needle = phone["contains"]
        if not isinstance(needle, str):
            raise errors.bad_request(
                "must be a single value", parameter="filter[phone_number][contains]"
            )
        f.extra.append(lambda r: needle in r["phone_number"])
    elif phone is not None:
        raise errors.bad_request("must be a single value", parameter="filter[phone_number]")
    kind = raw.get("type")
    if kind is not None:
        if kind not in MESSAGING_TYPES:
            raise errors.bad_request(
                "must be one of: " + ", ".join(MESSAGING_TYPES), parameter="filter[type]"
            )
        f.extra.append(lambda r: messaging_type(r) == kind)
    return f, _sort(query.get("sort"))


def _sort(raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(raw, dict) and set(raw) == {"phone_number"}:
        order = raw["phone_number"]
        if order in SORT_ORDERS:
            return order == "desc"
    raise errors.error(
        422, errors.BAD_REQUEST, errors.T_INVALID_SORT, errors.D_INVALID_SORT, pointer="/sort"
    )


def v_messaging_list(
    tenant: Tenant, query: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """V-MESSAGING-LIST: ``GET /phone_numbers/messaging``, every number in the default order of
    ``GET /phone_numbers`` unless ``sort[phone_number]`` is given."""
    tenant.settle()
    f, descending = r_messaging_list_query(tenant, query)
    page = parse_page(query)
    order = None if descending is None else ("phone_number", descending)
    records = v_one_world(tenant, f, order)
    shown, meta = page.slice(records)
    return [messaging_view(r, tenant.inventory) for r in shown], meta


def retrieve_messaging(tenant: Tenant, ident: str) -> dict[str, Any]:
    tenant.settle()
    return messaging_view(tenant.number(ident), tenant.inventory)


# -- update ----------------------------------------------------------------------------------------
def r_messaging_update(record: Record, body: dict[str, Any], inv: Inventory) -> None:
    """R-MESSAGING-UPDATE: a known profile ("" unassigns), a product of the account the number's
    type is eligible for, and a number whose status allows changes (O-STATUS)."""
    problems = outcomes.decide(UPDATE, {}, record, inv)
    if problems:
        raise errors.ApiError(422, problems)
    profile = body.get("messaging_profile_id")
    if profile not in (None, "") and profile not in inv.messaging_profiles:
        raise errors.bad_request(
            errors.D_MESSAGING_PROFILE_UNKNOWN, pointer="/messaging_profile_id"
        )
    product = body.get("messaging_product")
    if product is not None:
        known = inv.messaging_products.get(product)
        if known is None:
            raise errors.bad_request(
                errors.D_MESSAGING_PRODUCT_UNKNOWN, pointer="/messaging_product"
            )
        kind = messaging_type(record)
        if kind not in known["number_types"]:
            raise errors.bad_request(
                errors.D_MESSAGING_PRODUCT_INELIGIBLE.format(type=kind),
                pointer="/messaging_product",
            )


def update_messaging(tenant: Tenant, ident: str, body: Any) -> dict[str, Any]:
    now = tenant.settle()
    record = tenant.number(ident)
    check_shape("messaging_settings_request.schema.json", body)
    assert isinstance(body, dict)
    inv = tenant.inventory
    r_messaging_update(record, body, inv)
    new = dict(record)
    profile = body.get("messaging_profile_id")
    if profile == "":
        new["messaging_profile_id"] = new["messaging_profile_name"] = None
    elif profile is not None:
        new["messaging_profile_id"] = profile
        new["messaging_profile_name"] = inv.messaging_profiles[profile]["name"]
    if body.get("messaging_product") is not None:
        new["messaging_product"] = body["messaging_product"]
    if body.get("tags") is not None:
        new["tags"] = list(dict.fromkeys(body["tags"]))
    new["updated_at"] = iso_ms(now)
    inv.replace(new)
    return messaging_view(new, inv)
