"""The rules of the phone-number resources: the list filters of ``GET /phone_numbers``, the
number lookup (N-RESOURCES) and the voice-settings CNAM rule (R-CNAM-VOICE).

The list filters share the filter rules of :mod:`mockserver.rules.filters` (unknown keys, 'null',
minimum characters and digits).
"""

from __future__ import annotations

from typing import Any

from mockserver import errors
from mockserver.inventory import Inventory, NumberFilter, Record
from mockserver.rules.filters import (
    NAME_OPS,
    connections_named,
    r_filter_min_chars,
    r_filter_null,
    r_filter_phone_digits,
    r_filter_unknown,
)

STATUS_FILTER = (
    "purchase-pending", "purchase-failed", "port-pending", "active", "deleted",
    "port-failed", "emergency-only", "ported-out", "port-out-pending",
)  # fmt: skip
NUMBER_TYPES = ("local", "national", "toll_free", "mobile", "shared_cost")
SOURCES = {"ported": "port_request", "purchased": "number_order"}
LIST_FILTER_KEYS = (
    "tag", "phone_number", "status", "country_iso_alpha2", "connection_id",
    "voice.connection_name", "voice.usage_payment_method", "billing_group_id",
    "emergency_address_id", "customer_reference", "number_type", "source", "without_tags",
)  # fmt: skip
SORTS = ("purchased_at", "phone_number", "connection_name", "usage_payment_method")
BOOLEAN_STRINGS = ("true", "false")


def n_resources(inv: Inventory, ident: str) -> Record:
    """N-RESOURCES: the number a ``/phone_numbers/{id}`` route names; unknown: 404 at /id."""
    record = inv.get(ident)
    if record is None:
        raise errors.not_found(pointer="/id")
    return record


def _one_of(value: Any, allowed: tuple[str, ...], parameter: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        detail = errors.D_ONE_OF.format(values=", ".join(allowed))
        raise errors.bad_request(detail, parameter=parameter)
    return value


def _string(raw: dict[str, Any], key: str) -> str:
    value = raw[key]
    if not isinstance(value, str):
        raise errors.bad_request(errors.D_SINGLE_VALUE, parameter=f"filter[{key}]")
    return value


def check_list_options(query: dict[str, Any]) -> None:
    """``handle_messaging_profile_error``: ``true`` or ``false``."""
    hmpe = query.get("handle_messaging_profile_error")
    if hmpe is not None and hmpe not in BOOLEAN_STRINGS:
        raise errors.bad_request(errors.D_TRUE_OR_FALSE, parameter="handle_messaging_profile_error")


def parse_list_filter(inv: Inventory, raw: Any) -> NumberFilter:
    """The ``filter[...]`` of ``GET /phone_numbers`` (CONTRACT §4.1)."""
    f = NumberFilter()
    if raw is None:
        return f
    if not isinstance(raw, dict):
        raise errors.bad_request(errors.D_FILTER_NOT_OBJECT, parameter="filter")
    r_filter_unknown(raw, LIST_FILTER_KEYS)
    if "tag" in raw:
        f.tag = _string(raw, "tag")
    if "phone_number" in raw:
        digits = r_filter_phone_digits(_string(raw, "phone_number"), "filter[phone_number]")
        f.phone_number_digits = digits
    if "status" in raw:
        f.status = frozenset({_one_of(raw["status"], STATUS_FILTER, "filter[status]")})
    if "country_iso_alpha2" in raw:
        value = raw["country_iso_alpha2"]
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(i, str) for i in items):
            raise errors.bad_request(errors.D_INVALID, parameter="filter[country_iso_alpha2]")
        f.country_iso_alpha2 = frozenset(v.strip() for i in items for v in i.split(","))
    if "connection_id" in raw:
        f.connection_ids = frozenset({_string(raw, "connection_id")})
    if "voice.connection_name" in raw:
        names = raw["voice.connection_name"]
        if not isinstance(names, dict):
            raise errors.bad_request(errors.D_OPERATORS, parameter="filter[voice.connection_name]")
        for op in sorted(names):
            param = f"filter[voice.connection_name][{op}]"
            value = names[op]
            if op not in NAME_OPS:
                raise errors.bad_request(errors.D_UNKNOWN_FILTER, parameter=param)
            if not isinstance(value, str):
                raise errors.bad_request(errors.D_SINGLE_VALUE, parameter=param)
            r_filter_min_chars(op, value, param)
        f.connection_ids = connections_named(inv, names, f.connection_ids)
    if "voice.usage_payment_method" in raw:
        f.usage_payment_method = _one_of(
            raw["voice.usage_payment_method"],
            ("pay-per-minute", "channel"),
            "filter[voice.usage_payment_method]",
        )
    for key in ("billing_group_id", "emergency_address_id"):
        if key in raw:
            setattr(f, key, r_filter_null(_string(raw, key)))
    if "customer_reference" in raw:
        f.customer_reference = _string(raw, "customer_reference")
    if "number_type" in raw:
        nt = raw["number_type"]
        if not isinstance(nt, dict) or set(nt) - {"eq"}:
            raise errors.bad_request(errors.D_EQ_ONLY, parameter="filter[number_type]")
        if "eq" in nt:
            f.number_type = _one_of(nt["eq"], NUMBER_TYPES, "filter[number_type][eq]")
    if "source" in raw:
        f.source_type = SOURCES[_one_of(raw["source"], tuple(SOURCES), "filter[source]")]
    if raw.get("without_tags") == "true":  # "All other values are ignored."
        f.without_tags = True
    return f


def r_cnam_voice(body: dict[str, Any], record: Record) -> None:
    """R-CNAM-VOICE: on ``PATCH .../voice`` non-empty CNAM listing details need CNAM listing
    enabled, from the request or else from the number."""
    cnam = body.get("cnam_listing")
    if isinstance(cnam, dict) and cnam.get("cnam_listing_details"):
        enabled = cnam.get(
            "cnam_listing_enabled", record["voice"]["cnam_listing"]["cnam_listing_enabled"]
        )
        if enabled is not True:
            raise errors.bad_request(
                errors.D_CNAM_NEEDS_ENABLED, pointer="/cnam_listing/cnam_listing_details"
            )
