"""The rules of the messaging settings (``/phone_numbers/messaging``,
``/phone_numbers/{id}/messaging``): the list's own query (R-MESSAGING-LIST-QUERY) and what a
change needs (R-MESSAGING-UPDATE)."""

from __future__ import annotations

import re
from typing import Any

from mockserver import errors, outcomes
from mockserver.family_views import messaging_type
from mockserver.inventory import Inventory, NumberFilter, Record
from mockserver.jobs import UPDATE
from mockserver.rules.filters import r_filter_unknown

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
#: [SPEC] ListPhoneNumbersWithMessagingSettings query parameters (filter[...] and sort[...])
FILTER_KEYS = ("messaging_profile_id", "phone_number", "type")
MESSAGING_TYPES = ("tollfree", "longcode", "shortcode")
SORT_ORDERS = ("asc", "desc")


def _phone_test(phone: Any) -> Any:
    if isinstance(phone, str):  # exact, comma-separated list
        wanted = {p.strip() for p in phone.split(",")}
        return lambda r: r["phone_number"] in wanted
    if isinstance(phone, dict):
        for op in sorted(phone):
            if op != "contains":
                raise errors.bad_request(
                    errors.D_UNKNOWN_FILTER, parameter=f"filter[phone_number][{op}]"
                )
        needle = phone["contains"]
        if not isinstance(needle, str):
            raise errors.bad_request(
                errors.D_SINGLE_VALUE, parameter="filter[phone_number][contains]"
            )
        return lambda r: needle in r["phone_number"]
    raise errors.bad_request(errors.D_SINGLE_VALUE, parameter="filter[phone_number]")


def r_messaging_list_query(query: dict[str, Any]) -> tuple[NumberFilter, bool | None]:
    """R-MESSAGING-LIST-QUERY: the list's own filters and ``sort[phone_number]``; returns the
    filter and whether the order is by phone number descending (``None``: the default order)."""
    f = NumberFilter()
    raw = query.get("filter")
    if raw is not None and not isinstance(raw, dict):
        raise errors.bad_request(errors.D_FILTER_NOT_OBJECT, parameter="filter")
    raw = raw or {}
    r_filter_unknown(raw, FILTER_KEYS)
    profile = raw.get("messaging_profile_id")
    if profile is not None:
        if not isinstance(profile, str) or not UUID.fullmatch(profile):
            raise errors.bad_request(
                errors.D_MUST_BE_UUID, parameter="filter[messaging_profile_id]"
            )
        f.extra.append(lambda r: r["messaging_profile_id"] == profile)
    if "phone_number" in raw:
        f.extra.append(_phone_test(raw["phone_number"]))
    kind = raw.get("type")
    if kind is not None:
        if kind not in MESSAGING_TYPES:
            detail = errors.D_ONE_OF.format(values=", ".join(MESSAGING_TYPES))
            raise errors.bad_request(detail, parameter="filter[type]")
        f.extra.append(lambda r: messaging_type(r) == kind)
    return f, _sort(query.get("sort"))


def _sort(raw: Any) -> bool | None:
    if raw is None:
        return None
    if isinstance(raw, dict) and set(raw) == {"phone_number"}:
        order = raw["phone_number"]
        if order in SORT_ORDERS:
            return bool(order == "desc")
    raise errors.error(
        422, errors.BAD_REQUEST, errors.T_INVALID_SORT, errors.D_INVALID_SORT, pointer="/sort"
    )


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
