"""Phone-number operations: list (filters, sort, pages), retrieve, update, voice, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver import errors as E
from mockserver import outcomes
from mockserver.clock import iso_ms
from mockserver.filters import NAME_OPS, connections_named, null_or, phone_digits
from mockserver.inventory import NumberFilter, Record
from mockserver.jobs import UPDATE
from mockserver.number_order import list_page
from mockserver.paging import parse_page, parse_sort
from mockserver.validation import check_shape
from mockserver.views import number_view, voice_view

if TYPE_CHECKING:
    from mockserver.store import Tenant

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


def _one_of(value: Any, allowed: tuple[str, ...], parameter: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise E.bad_request("must be one of: " + ", ".join(allowed), parameter=parameter)
    return value


def _string(raw: dict[str, Any], key: str) -> str:
    value = raw[key]
    if not isinstance(value, str):
        raise E.bad_request("must be a single value", parameter=f"filter[{key}]")
    return value


def parse_list_filter(tenant: Tenant, raw: Any) -> NumberFilter:
    f = NumberFilter()
    if raw is None:
        return f
    if not isinstance(raw, dict):
        raise E.bad_request("must be an object (filter[key]=value)", parameter="filter")
    for key in sorted(raw):
        if key not in LIST_FILTER_KEYS:
            raise E.bad_request(E.D_UNKNOWN_FILTER, parameter=f"filter[{key}]")
    if "tag" in raw:
        f.tag = _string(raw, "tag")
    if "phone_number" in raw:
        f.phone_number_digits = phone_digits(_string(raw, "phone_number"), "filter[phone_number]")
    if "status" in raw:
        f.status = frozenset({_one_of(raw["status"], STATUS_FILTER, "filter[status]")})
    if "country_iso_alpha2" in raw:
        value = raw["country_iso_alpha2"]
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(i, str) for i in items):
            raise E.bad_request("is invalid", parameter="filter[country_iso_alpha2]")
        f.country_iso_alpha2 = frozenset(v.strip() for i in items for v in i.split(","))
    if "connection_id" in raw:
        f.connection_ids = frozenset({_string(raw, "connection_id")})
    if "voice.connection_name" in raw:
        names = raw["voice.connection_name"]
        if not isinstance(names, dict):
            raise E.bad_request(
                "must be an object of operators", parameter="filter[voice.connection_name]"
            )
        for op in sorted(names):
            param = f"filter[voice.connection_name][{op}]"
            value = names[op]
            if op not in NAME_OPS:
                raise E.bad_request(E.D_UNKNOWN_FILTER, parameter=param)
            if not isinstance(value, str):
                raise E.bad_request("must be a single value", parameter=param)
            if op != "eq" and len(value) < 3:
                raise E.bad_request(E.D_FILTER_MIN_CHARS, parameter=param)
        f.connection_ids = connections_named(tenant.inventory, names, f.connection_ids)
    if "voice.usage_payment_method" in raw:
        f.usage_payment_method = _one_of(
            raw["voice.usage_payment_method"],
            ("pay-per-minute", "channel"),
            "filter[voice.usage_payment_method]",
        )
    for key in ("billing_group_id", "emergency_address_id"):
        if key in raw:
            setattr(f, key, null_or(_string(raw, key)))
    if "customer_reference" in raw:
        f.customer_reference = _string(raw, "customer_reference")
    if "number_type" in raw:
        nt = raw["number_type"]
        if not isinstance(nt, dict) or set(nt) - {"eq"}:
            raise E.bad_request("supports only [eq]", parameter="filter[number_type]")
        if "eq" in nt:
            f.number_type = _one_of(nt["eq"], NUMBER_TYPES, "filter[number_type][eq]")
    if "source" in raw:
        f.source_type = SOURCES[_one_of(raw["source"], tuple(SOURCES), "filter[source]")]
    if raw.get("without_tags") == "true":  # "All other values are ignored."
        f.without_tags = True
    return f


def list_numbers(
    tenant: Tenant, query: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    tenant.settle()
    hmpe = query.get("handle_messaging_profile_error")
    if hmpe is not None and hmpe not in ("true", "false"):
        raise E.bad_request(
            "must be one of: true, false", parameter="handle_messaging_profile_error"
        )
    f = parse_list_filter(tenant, query.get("filter"))
    page = parse_page(query)
    sort = parse_sort(query, SORTS)
    # default: created_at, newest first (ties by id); O(page) on any world (number_order)
    start = (page.number - 1) * page.size
    shown, total = list_page(tenant.inventory, f, sort, start, page.size)
    return [number_view(r, tenant.inventory) for r in shown], page.meta(total)


def retrieve_number(tenant: Tenant, ident: str) -> dict[str, Any]:
    tenant.settle()
    return number_view(tenant.number(ident), tenant.inventory)


def _check_changeable(tenant: Tenant, record: Record, params: dict[str, Any]) -> None:
    problems = outcomes.decide(UPDATE, params, record, tenant.inventory)
    if problems:
        raise E.ApiError(422, problems)


def update_number(tenant: Tenant, ident: str, body: Any) -> dict[str, Any]:
    now = tenant.settle()
    record = tenant.number(ident)
    check_shape("update_phone_number_request.schema.json", body)
    assert isinstance(body, dict)
    billing = body.get("billing_group_id")
    if billing is not None and billing not in tenant.inventory.billing_groups:
        raise E.error(
            403, E.AUTHZ_FAILED, E.T_AUTHZ_FAILED, E.D_BILLING_GROUP, pointer="/billing_group_id"
        )
    params = {k: v for k, v in body.items() if k in outcomes.UPDATE_FIELDS or k == "tags"}
    params.pop("deletion_lock_enabled", None)  # only the batch job can set it (CONTRACT §4.2)
    _check_changeable(tenant, record, params)
    new = outcomes.apply_update(record, params, iso_ms(now))
    tenant.inventory.replace(new)
    return number_view(new, tenant.inventory)


def retrieve_voice(tenant: Tenant, ident: str) -> dict[str, Any]:
    tenant.settle()
    return voice_view(tenant.number(ident))


def update_voice(tenant: Tenant, ident: str, body: Any) -> dict[str, Any]:
    now = tenant.settle()
    record = tenant.number(ident)
    check_shape("voice_settings_request.schema.json", body)
    assert isinstance(body, dict)
    cnam = body.get("cnam_listing")
    if isinstance(cnam, dict) and cnam.get("cnam_listing_details"):
        enabled = cnam.get(
            "cnam_listing_enabled", record["voice"]["cnam_listing"]["cnam_listing_enabled"]
        )
        if enabled is not True:
            raise E.bad_request(
                E.D_CNAM_NEEDS_ENABLED, pointer="/cnam_listing/cnam_listing_details"
            )
    _check_changeable(tenant, record, {"voice": body})
    new = outcomes.apply_update(record, {"voice": body}, iso_ms(now))
    tenant.inventory.replace(new)
    return voice_view(new)


def delete_number(tenant: Tenant, ident: str) -> dict[str, Any]:
    tenant.settle()
    record = tenant.number(ident)
    problems = outcomes.decide("delete_phone_numbers", {}, record, tenant.inventory)
    if problems:
        raise E.ApiError(422, problems)
    tenant.inventory.remove(ident)
    view = number_view(record, tenant.inventory)
    for key in ("country_iso_alpha2", "emergency_status", "inbound_call_screening", "source_type"):
        view.pop(key)
    view["status"] = "deleted"
    return {k: v for k, v in view.items() if v is not None}
