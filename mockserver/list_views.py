"""The slim and voice list views: the numbers of ``GET /phone_numbers``, shown another way.

One world, many views: both lists select with the same filter parser, sort with the same keys and
page with the same pages as ``GET /phone_numbers`` (:func:`number_ops.v_one_world`), so a
number is in the same place in every list; only the filters each route's spec gives are accepted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver import errors
from mockserver.filters import connections_named
from mockserver.inventory import Inventory, NumberFilter, Record
from mockserver.number_ops import (
    LIST_FILTER_KEYS,
    SORTS,
    STATUS_FILTER,
    parse_list_filter,
    v_one_world,
)
from mockserver.paging import parse_page, parse_sort
from mockserver.views import number_view, voice_view

if TYPE_CHECKING:
    from mockserver.store import Tenant

#: [SPEC] SlimListPhoneNumbers filter: the /phone_numbers filters but without_tags
SLIM_FILTER_KEYS = tuple(k for k in LIST_FILTER_KEYS if k != "without_tags")
#: [SPEC] its status enum spells "port_pending"; both spellings are accepted (R-SLIM-INCLUDE)
SLIM_STATUSES = (*STATUS_FILTER, "port_pending")
#: [SPEC] ListPhoneNumbersWithVoiceSettings filter
VOICE_FILTER_KEYS = ("phone_number", "connection_name", "customer_reference",
                     "voice.usage_payment_method")  # fmt: skip

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


def _flag(query: dict[str, Any], name: str) -> bool:
    raw = query.get(name)
    if raw is None:
        return False
    if raw not in ("true", "false"):
        raise errors.bad_request(errors.D_MUST_BE_BOOLEAN, parameter=name)
    return bool(raw == "true")


def r_slim_include(query: dict[str, Any]) -> tuple[bool, bool]:
    """R-SLIM-INCLUDE: ``include_tags`` / ``include_connection`` are booleans, and the filters the
    spec says need them (``filter[tag]``, ``filter[voice.connection_name]``) need them."""
    tags, connection = _flag(query, "include_tags"), _flag(query, "include_connection")
    raw = query.get("filter")
    if isinstance(raw, dict):
        if "tag" in raw and not tags:
            raise errors.bad_request(errors.D_REQUIRES_INCLUDE_TAGS, parameter="filter[tag]")
        if "voice.connection_name" in raw and not connection:
            raise errors.bad_request(
                errors.D_REQUIRES_INCLUDE_CONNECTION, parameter="filter[voice.connection_name]"
            )
    return tags, connection


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


def v_slim_list(
    tenant: Tenant, query: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """V-SLIM-LIST: ``GET /phone_numbers/slim``."""
    tenant.settle()
    tags, connection = r_slim_include(query)
    f = parse_list_filter(tenant, query.get("filter"), SLIM_FILTER_KEYS, SLIM_STATUSES)
    page = parse_page(query)
    records = v_one_world(tenant, f, parse_sort(query, SORTS))
    shown, meta = page.slice(records)
    return [slim_view(r, tenant.inventory, tags, connection) for r in shown], meta


def _voice_filter(tenant: Tenant, raw: Any) -> NumberFilter:
    """The voice list's filters: ``connection_name[contains]`` is its own (min. 3 characters)."""
    names, rest = None, raw
    if isinstance(raw, dict):
        names = raw.get("connection_name")
        rest = {k: v for k, v in raw.items() if k != "connection_name"}
        for key in sorted(raw):
            if key not in VOICE_FILTER_KEYS:
                raise errors.bad_request(errors.D_UNKNOWN_FILTER, parameter=f"filter[{key}]")
    f = parse_list_filter(tenant, rest, VOICE_FILTER_KEYS)
    if names is None:
        return f
    if not isinstance(names, dict):
        raise errors.bad_request(
            "must be an object of operators", parameter="filter[connection_name]"
        )
    for op in sorted(names):
        param = f"filter[connection_name][{op}]"
        if op != "contains":
            raise errors.bad_request(errors.D_UNKNOWN_FILTER, parameter=param)
        if not isinstance(names[op], str):
            raise errors.bad_request("must be a single value", parameter=param)
        if len(names[op]) < 3:
            raise errors.bad_request(errors.D_FILTER_MIN_CHARS, parameter=param)
    f.connection_ids = connections_named(tenant.inventory, names, f.connection_ids)
    return f


def v_voice_list(
    tenant: Tenant, query: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """V-VOICE-LIST: ``GET /phone_numbers/voice``."""
    tenant.settle()
    f = _voice_filter(tenant, query.get("filter"))
    page = parse_page(query)
    records = v_one_world(tenant, f, parse_sort(query, SORTS))
    shown, meta = page.slice(records)
    return [voice_view(r) for r in shown], meta
