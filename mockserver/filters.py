"""Number filters from the query string: the batch-update ``filter`` and the list filters.

Unknown filter keys are a 422 naming the parameter, never ignored: a typo must not widen a mass
update. Values are validated against ``schemas/update_filter.schema.json`` (shape and enums), then
the rules the schema cannot say (at least 3 digits, ``'null'`` meaning "has none").
"""

from __future__ import annotations

from typing import Any

from mockserver import errors as E
from mockserver import schemas
from mockserver.inventory import Inventory, NumberFilter
from mockserver.query import wire_name
from mockserver.validation import pointer_of

UPDATE_FILTER_SCHEMA = "update_filter.schema.json"
NAME_OPS = ("eq", "contains", "starts_with", "ends_with")


def _known(schema_name: str) -> tuple[set[str], set[str]]:
    doc = schemas.document(schema_name)
    props: dict[str, Any] = doc["properties"]
    name_props = props["voice.connection_name"].get("properties", {})
    return set(props), set(name_props)


def _reject_unknown(raw: dict[str, Any], known: set[str], name_ops: set[str]) -> None:
    for key in sorted(raw):
        if key not in known:
            raise E.bad_request(E.D_UNKNOWN_FILTER, parameter=wire_name("filter", key))
    names = raw.get("voice.connection_name")
    if isinstance(names, dict):
        for op in sorted(names):
            if op not in name_ops:
                raise E.bad_request(
                    E.D_UNKNOWN_FILTER, parameter=wire_name("filter", "voice.connection_name", op)
                )


def _check_schema(schema_name: str, raw: dict[str, Any]) -> None:
    validator = schemas.validator(schema_name)
    errs = sorted(validator.iter_errors(raw), key=lambda e: pointer_of(e.absolute_path))
    if not errs:
        return
    err = errs[0]
    param = wire_name("filter", *(str(p) for p in err.absolute_path))
    if err.validator == "enum":
        detail = "must be one of: " + ", ".join(str(v) for v in err.validator_value)
    elif err.validator == "minLength":
        detail = E.D_FILTER_MIN_CHARS
    elif err.validator == "type":
        detail = "must be a single value" if isinstance(err.instance, list) else "is invalid"
        if isinstance(err.instance, str):
            detail = "must be an object of operators"
    else:
        detail = "is invalid"
    raise E.bad_request(detail, parameter=param)


def null_or(value: str) -> tuple[str | None]:
    """A filter value, with the string ``'null'`` meaning "has none"."""
    return (None,) if value == "null" else (value,)


def phone_digits(value: str, parameter: str) -> str:
    """The digits to look for (R-FILTER-PHONE-DIGITS): a value with any non-numerical character
    (besides a leading ``+``) matches nothing (``""``); a numeric one needs at least 3 digits."""
    body = value[1:] if value.startswith("+") else value
    if body and not (body.isascii() and body.isdigit()):
        return ""  # "Non-numerical characters will result in no values being returned."
    if len(body) < 3:
        raise E.bad_request(E.D_FILTER_MIN_DIGITS, parameter=parameter)
    return body


def parse_update_filter(query: dict[str, Any], inv: Inventory) -> NumberFilter | None:
    """The batch-update filter, or ``None`` when the request has none."""
    raw = query.get("filter")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise E.bad_request("must be an object (filter[key]=value)", parameter="filter")
    if not raw:
        return None
    known, name_ops = _known(UPDATE_FILTER_SCHEMA)
    _reject_unknown(raw, known, name_ops)
    _check_schema(UPDATE_FILTER_SCHEMA, raw)
    f = NumberFilter()
    f.tag = raw.get("tag")
    if "status" in raw:
        f.status = frozenset({raw["status"]})
    if "connection_id" in raw:
        f.connection_ids = frozenset({raw["connection_id"]})
    if "phone_number" in raw:
        f.phone_number_digits = phone_digits(raw["phone_number"], "filter[phone_number]")
    f.usage_payment_method = raw.get("voice.usage_payment_method")
    if "billing_group_id" in raw:
        f.billing_group_id = null_or(raw["billing_group_id"])
    if "emergency_address_id" in raw:
        f.emergency_address_id = null_or(raw["emergency_address_id"])
    f.customer_reference = raw.get("customer_reference")
    if "has_bundle" in raw:
        value = raw["has_bundle"]
        if value not in ("true", "false"):
            raise E.bad_request("must be one of: true, false", parameter="filter[has_bundle]")
        f.has_bundle = value == "true"
    names = raw.get("voice.connection_name")
    if isinstance(names, dict):
        f.connection_ids = connections_named(inv, names, f.connection_ids)
    return f


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
