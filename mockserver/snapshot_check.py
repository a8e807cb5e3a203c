"""Reading a state document (``mockserver.snapshot``): typed access to its parts, each mistake a
:class:`SnapshotError` naming the JSON pointer where, and the checks of what a tenant saved (its
changed numbers, its jobs, its faults) before anything is built from it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import orjson

from mockserver import errors, fastcheck, schemas
from mockserver.faults import FaultSet, parse_spec
from mockserver.inventory import Inventory
from mockserver.jobs import TYPES, Job, Outcome, Target
from mockserver.number_table import Base
from mockserver.world_check import WORLD_SCHEMA, WorldError, check_rows, pointer

T = TypeVar("T")
_TARGET_FORMS = ("id", "phone_number")
#: a fault's fields as ``POST /_mock/faults`` takes them (a snapshot saves them so)
FAULT_SPEC = ("kind", "status", "ms", "route", "method", "times", "probability", "retry_after")
_PARAMETER_SCHEMAS = {
    "update_phone_numbers": "update_phone_numbers_request.schema.json",
    "update_emergency_settings": "update_emergency_settings_request.schema.json",
    "delete_phone_numbers": "delete_phone_numbers_request.schema.json",
}


class SnapshotError(ValueError):
    """A state document that cannot be read; the message names what and where."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where or '/'}: {message}")
        self.pointer = where or "/"
        self.reason = message


class Reader:
    """Typed access to a parsed document; every mistake a :class:`SnapshotError` at its pointer."""

    def __init__(self, doc: Any, where: str) -> None:
        self.doc = doc
        self.where = where

    def at(self, *parts: Any) -> str:
        return self.where + pointer(parts) if parts else self.where

    def field(self, name: str, kind: type[T] | tuple[type, ...], *, null: bool = False) -> Any:
        if not isinstance(self.doc, dict):
            raise SnapshotError(self.where, errors.D_STATE_OBJECT)
        if name not in self.doc:
            raise SnapshotError(self.at(name), errors.D_STATE_MISSING)
        value = self.doc[name]
        if value is None and null:
            return None
        if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, (int,))):
            raise SnapshotError(self.at(name), errors.D_STATE_KIND.format(kind=kind_name(kind)))
        return value

    def integer(self, name: str, *, null: bool = False, low: int = 0) -> Any:
        value = self.field(name, int, null=null)
        if value is not None and value < low:
            raise SnapshotError(self.at(name), errors.D_STATE_AT_LEAST.format(low=low))
        return value

    def child(self, name: str, kind: type = dict, *, null: bool = False) -> Reader:
        return Reader(self.field(name, kind, null=null), self.at(name))


def kind_name(kind: type | tuple[type, ...]) -> str:
    names = {dict: "an object", list: "a list", str: "a string", int: "an integer"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def items(reader: Reader, name: str) -> list[tuple[Any, str]]:
    values = reader.field(name, list)
    return [(value, reader.at(name, index)) for index, value in enumerate(values)]


def check_numbers(template: Inventory, records: list[Any], where: Callable[..., str]) -> None:
    """Every replaced record a valid number of this world (``where(i)``: the pointer of the
    i-th). When they all have the world's fields (what a snapshot writes), the world's
    column-by-column check decides (``world_check``: each distinct value once, seconds less for
    100,000 records than one by one); else, or to name the first bad one, one by one."""
    base = template.numbers.base
    fields = base.fields
    keys = set(fields)
    tags = fields.index("tags")
    if records and all(type(r) is dict and r.keys() == keys for r in records):
        rows = [tuple(map(r.__getitem__, fields)) for r in records]
        objects = [col for col, value in enumerate(rows[0]) if type(value) is dict]
        if objects:  # voice settings: each distinct object checked once
            once = partial(_checked_once, {})
            rows = [
                tuple(once(v) if col in objects else v for col, v in enumerate(row)) for row in rows
            ]
        rows = [  # hashable tags, as a world's rows hold them (distinct values checked once)
            (*row[:tags], tuple(row[tags]), *row[tags + 1 :]) if type(row[tags]) is list else row
            for row in rows
        ]
        try:
            check_rows(fields, rows)
        except WorldError:
            pass  # found again below, at its place in this document
        else:
            for index, record in enumerate(records):
                _of_this_world(base, record, where, index)
            return
    check = fastcheck.compiled_at(WORLD_SCHEMA, "/$defs/number")
    assert check is not None
    for index, record in enumerate(records):
        if not check(record):
            found = schemas.validator(WORLD_SCHEMA, "/$defs/number").iter_errors(record)
            first = next(iter(found), None)
            detail = first.message if first is not None else errors.D_STATE_NUMBER
            at = where(index) + pointer(first.absolute_path if first else ())
            raise SnapshotError(at, detail[:200])
        _of_this_world(base, record, where, index)


def _checked_once(seen: dict[bytes, Any], value: Any) -> Any:
    """An object's first equal in ``seen`` (by its JSON, keys sorted): the column check checks
    each distinct object once (it tells them apart by identity). Only the check sees these."""
    if type(value) is not dict:
        return value
    try:
        text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # not JSON orjson writes (an integer beyond 64 bits): as it is
        return value
    return seen.setdefault(text, value)


def _of_this_world(
    base: Base, record: dict[str, Any], where: Callable[..., str], index: int
) -> None:
    """A (valid) number record of this world: its id is one, its E.164 number unchanged."""
    row = base.pos.get(record["id"])
    if row is None:
        raise SnapshotError(where(index, "id"), errors.D_STATE_NUMBER)
    if base.rows[row][base.phone_col] != record["phone_number"]:
        raise SnapshotError(where(index, "phone_number"), errors.D_STATE_PHONE_NUMBER)


def error_item(value: Any, where: str) -> errors.ErrorItem:
    item = Reader(value, where)
    source = (
        item.child("source", null=True) if isinstance(value, dict) and "source" in value else None
    )
    # a saved outcome's texts, read back as they were written (ErrorItem.to_json's fields)
    fields = {name: item.field(name, str) for name in ("code", "title", "detail")}
    for name in ("pointer", "parameter"):
        fields[name] = source.field(name, str) if source and name in source.doc else None
    return errors.ErrorItem(**fields)


def is_target(item: Any, known: Callable[[str], bool]) -> bool:
    """A saved target: ``[id of a number of this world, E.164, "id" | "phone_number"]``."""
    return (
        type(item) is list
        and len(item) == 3
        and type(item[0]) is str
        and type(item[1]) is str
        and item[2] in _TARGET_FORMS
        and known(item[0])
    )


def read_job(value: Any, where: str, known: Callable[[str], bool]) -> Job:
    job = Reader(value, where)
    job_type = job.field("type", str)
    if job_type not in TYPES:
        raise SnapshotError(job.at("type"), errors.D_ONE_OF.format(values=", ".join(TYPES)))
    listed = job.field("targets", list)
    if not all(is_target(item, known) for item in listed):
        bad = next(i for i, item in enumerate(listed) if not is_target(item, known))
        raise SnapshotError(job.at("targets", bad), errors.D_STATE_TARGET)
    targets = [Target(*item) for item in listed]
    if not targets:
        raise SnapshotError(job.at("targets"), errors.D_STATE_NO_TARGETS)
    parameters = job.field("parameters", dict)
    if not fastcheck.is_valid(_PARAMETER_SCHEMAS[job_type], parameters):
        detail = errors.D_STATE_PARAMETERS.format(job_type=job_type)
        raise SnapshotError(job.at("parameters"), detail)
    outcomes = []
    for index, found in enumerate(job.field("outcomes", list)):
        if not isinstance(found, list):
            raise SnapshotError(job.at("outcomes", index), errors.D_STATE_OUTCOME)
        outcomes.append(
            Outcome([error_item(e, job.at("outcomes", index, n)) for n, e in enumerate(found)])
        )
    if len(outcomes) > len(targets):
        raise SnapshotError(job.at("outcomes"), errors.D_STATE_OUTCOMES)
    return Job(
        id=job.field("id", str),
        type=job_type,
        seq=job.integer("seq"),
        created_ms=job.integer("created_ms"),
        start_ms=job.integer("start_ms"),
        step_ms=job.integer("step_ms"),
        targets=targets,
        parameters=parameters,
        customer_reference=job.field("customer_reference", str, null=True),
        expire_ms=job.integer("expire_ms", null=True),
        outcomes=outcomes,
    )


def read_faults(value: Any, where: str, faults: FaultSet) -> FaultSet:
    """Fill a fresh ``faults`` from its document (each fault checked as ``POST /_mock/faults``
    checks it)."""
    doc = Reader(value, where)
    found = []
    for item, at in items(doc, "list"):
        fault = Reader(item, at)
        spec = {
            name: item[name]
            for name in FAULT_SPEC
            if isinstance(item, dict) and item.get(name) is not None
        }
        if spec.get("kind") == "status":
            spec["limit"] = fault.integer("limit", low=1)
        try:
            parsed = parse_spec(spec, fault.field("id", str))
        except errors.ApiError as exc:
            item_pointer = exc.items[0].pointer or ""
            raise SnapshotError(at + item_pointer, exc.items[0].detail) from None
        parsed.fired = fault.integer("fired")
        parsed.times = fault.integer("times", null=True, low=1)
        found.append(parsed)
    try:
        faults.restore(doc.integer("next"), doc.field("random", list), found)
    except (TypeError, ValueError) as exc:
        detail = errors.D_STATE_RANDOM.format(reason=exc)
        raise SnapshotError(doc.at("random"), detail) from None
    return faults
