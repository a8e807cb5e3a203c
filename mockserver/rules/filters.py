"""The filter rules (``R-FILTER-*``): the batch-update ``filter`` and the rules the list filters
share with it.

Unknown filter keys are a 422 naming the parameter, never ignored: a typo must not widen a mass
update. Values are validated against ``schemas/update_filter.schema.json`` (shape and enums), then
the rules the schema cannot say (at least 3 digits, ``'null'`` meaning "has none"). In the
manifest's order: R-FILTER-KEYS, R-FILTER-UNKNOWN, R-FILTER-BAD-VALUE, R-FILTER-NULL,
R-FILTER-MIN-CHARS, R-FILTER-PHONE-DIGITS, R-FILTER-OVER-CAP, R-FILTER-NO-MATCH,
R-FILTER-EMPTY-LIST, R-FILTER-AND-LIST.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from mockserver import errors, schemas
from mockserver.inventory import Inventory, NumberFilter
from mockserver.jobs import Target
from mockserver.query import wire_name
from mockserver.rules.shape import pointer_of

UPDATE_FILTER_SCHEMA = "update_filter.schema.json"
NAME_OPS = ("eq", "contains", "starts_with", "ends_with")


def _known(schema_name: str) -> tuple[set[str], set[str]]:
    doc = schemas.document(schema_name)
    props: dict[str, Any] = doc["properties"]
    name_props = props["voice.connection_name"].get("properties", {})
    return set(props), set(name_props)


def r_filter_keys(query: dict[str, Any], inv: Inventory) -> NumberFilter | None:
    """R-FILTER-KEYS: the batch-update filter (ten keys, AND), or ``None`` without one."""
    raw = query.get("filter")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise errors.bad_request(errors.D_FILTER_NOT_OBJECT, parameter="filter")
    if not raw:
        return None
    known, name_ops = _known(UPDATE_FILTER_SCHEMA)
    r_filter_unknown(raw, known, name_ops)
    r_filter_bad_value(UPDATE_FILTER_SCHEMA, raw)
    f = NumberFilter()
    f.tag = raw.get("tag")
    if "status" in raw:
        f.status = frozenset({raw["status"]})
    if "connection_id" in raw:
        f.connection_ids = frozenset({raw["connection_id"]})
    if "phone_number" in raw:
        f.phone_number_digits = r_filter_phone_digits(raw["phone_number"], "filter[phone_number]")
    f.usage_payment_method = raw.get("voice.usage_payment_method")
    if "billing_group_id" in raw:
        f.billing_group_id = r_filter_null(raw["billing_group_id"])
    if "emergency_address_id" in raw:
        f.emergency_address_id = r_filter_null(raw["emergency_address_id"])
    f.customer_reference = raw.get("customer_reference")
    if "has_bundle" in raw:
        value = raw["has_bundle"]
        if value not in ("true", "false"):
            raise errors.bad_request(errors.D_TRUE_OR_FALSE, parameter="filter[has_bundle]")
        f.has_bundle = value == "true"
    names = raw.get("voice.connection_name")
    if isinstance(names, dict):
        f.connection_ids = connections_named(inv, names, f.connection_ids)
    return f


def r_filter_unknown(
    raw: dict[str, Any], known: Collection[str], name_ops: Collection[str] | None = None
) -> None:
    """R-FILTER-UNKNOWN: an unknown key (or ``voice.connection_name`` operator) is a 422."""
    for key in sorted(raw):
        if key not in known:
            raise errors.bad_request(errors.D_UNKNOWN_FILTER, parameter=wire_name("filter", key))
    names = raw.get("voice.connection_name")
    if name_ops is not None and isinstance(names, dict):
        for op in sorted(names):
            if op not in name_ops:
                parameter = wire_name("filter", "voice.connection_name", op)
                raise errors.bad_request(errors.D_UNKNOWN_FILTER, parameter=parameter)


def r_filter_bad_value(schema_name: str, raw: dict[str, Any]) -> None:
    """R-FILTER-BAD-VALUE: the first schema error of the filter (by parameter), as a 422; a
    name operator under 3 characters is R-FILTER-MIN-CHARS's text."""
    validator = schemas.validator(schema_name)
    errs = sorted(validator.iter_errors(raw), key=lambda e: pointer_of(e.absolute_path))
    if not errs:
        return
    err = errs[0]
    param = wire_name("filter", *(str(p) for p in err.absolute_path))
    if err.validator == "enum":
        detail = errors.D_ONE_OF.format(values=", ".join(str(v) for v in err.validator_value))
    elif err.validator == "minLength":
        detail = errors.D_FILTER_MIN_CHARS
    elif err.validator == "type":
        detail = errors.D_SINGLE_VALUE if isinstance(err.instance, list) else errors.D_INVALID
        if isinstance(err.instance, str):
            detail = errors.D_OPERATORS
    else:
        detail = errors.D_INVALID
    raise errors.bad_request(detail, parameter=param)


def r_filter_null(value: str) -> tuple[str | None]:
    """R-FILTER-NULL: a filter value, with the string ``'null'`` meaning "has none"."""
    return (None,) if value == "null" else (value,)


def r_filter_min_chars(op: str, value: str, parameter: str) -> None:
    """R-FILTER-MIN-CHARS: ``contains``/``starts_with``/``ends_with`` need 3 characters (the
    list filter; the update filter's schema says it with ``minLength``)."""
    if op != "eq" and len(value) < 3:
        raise errors.bad_request(errors.D_FILTER_MIN_CHARS, parameter=parameter)


def r_filter_phone_digits(value: str, parameter: str) -> str:
    """R-FILTER-PHONE-DIGITS: the digits to look for; ``""`` (match nothing) when the value has
    non-digits; fewer than 3 digits is a 422."""
    body = value[1:] if value.startswith("+") else value
    if sum(ch.isdigit() for ch in body) < 3:
        raise errors.bad_request(errors.D_FILTER_MIN_DIGITS, parameter=parameter)
    return body if body.isdigit() else ""


def r_filter_over_cap(inv: Inventory, flt: NumberFilter, max_numbers: int) -> list[Target]:
    """R-FILTER-OVER-CAP: a filter job targets the first ``max_numbers`` matches, in id order."""
    found = inv.first_targets(flt, max_numbers)
    return r_filter_no_match([Target(ident, phone, "id") for ident, phone in found])


def r_filter_no_match(targets: list[Target]) -> list[Target]:
    """R-FILTER-NO-MATCH: a filter that leaves no target is the 'at least 1 phone number' 422."""
    if not targets:
        raise errors.bad_request(errors.D_MIN_NUMBERS, pointer="/phone_numbers")
    return targets


def r_filter_empty_list(items: list[str] | None, flt: NumberFilter | None) -> bool:
    """R-FILTER-EMPTY-LIST: with a filter, a missing or empty ``phone_numbers`` makes a
    filter-based job (the filter alone chooses the targets)."""
    return flt is not None and not items


def r_filter_and_list(
    inv: Inventory, targets: list[Target], flt: NumberFilter | None
) -> list[Target]:
    """R-FILTER-AND-LIST: a filter given with a list narrows the (owned) listed numbers."""
    if flt is None:
        return targets
    listed = [t.id for t in targets]
    allowed = {r["id"] for r in inv.select(flt, among=listed)}
    return r_filter_no_match([t for t in targets if t.id in allowed])


def connections_named(
    inv: Inventory, names: dict[str, str], within: frozenset[str | None] | None
) -> frozenset[str | None] | None:
    """Connection ids whose name passes every operator in ``names`` (AND), narrowed to
    ``within`` when a connection filter is already set; ``within`` when ``names`` is empty."""
    ids = within
    for op in NAME_OPS:
        if op in names:
            match = inv.connections_matching(op, names[op])
            ids = match if ids is None else ids & match
    return ids
