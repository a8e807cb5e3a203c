"""Tenant state as a JSON document: what ``serve --state FILE`` writes and reads back, and what
``/_mock/state`` exports and imports for one tenant.

A tenant's document holds everything its answers depend on: its numbers (only what it changed
from the default world: replaced records and removed ids), its jobs (targets, parameters,
outcomes so far), which jobs are still unsettled, its clock offset, the state of its seeded id
source, its fault controls and its injected faults (with their own seeded source). A restored
tenant answers byte for byte as the saved one did (on a manual clock; on real time, time has
moved on in between).

Reading is all or nothing: every part is checked and built into new objects first
(:class:`SnapshotError` names what is wrong and the JSON pointer where), and only a document
that was read completely replaces anything. The request journal and rate-limit buckets are
not saved (diagnostics and a per-second budget, not state).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import orjson

from mockserver import __version__, errors, fastcheck, schemas
from mockserver.faults import Fault, FaultSet, parse_spec
from mockserver.inventory import Inventory
from mockserver.jobs import TYPES, Job, Outcome, Target
from mockserver.number_table import Base
from mockserver.tenant import Tenant
from mockserver.world_check import WORLD_SCHEMA, WorldError, check_rows, pointer

FORMAT = "telnyx-mock-state"
#: the document's layout; a snapshot of another version (or another emulator version) is refused
VERSION = 1
T = TypeVar("T")
_TARGET_FORMS = ("id", "phone_number")
_FAULT_SPEC = ("kind", "status", "ms", "route", "method", "times", "probability", "retry_after")
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


def world_fingerprint(template: Inventory) -> str:
    """Which world a document's changes are relative to: its non-number parts and its ids."""
    digest = hashlib.sha256(repr(sorted(template.account.items())).encode())
    ids = template.order
    digest.update(f"{len(ids)}:{ids[0] if ids else ''}:{ids[-1] if ids else ''}".encode())
    return digest.hexdigest()[:16]


def header(template: Inventory, seed: int) -> dict[str, Any]:
    """What every document starts with: format, version and the world it belongs to."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "emulator": __version__,
        "world": world_fingerprint(template),
        "seed": seed,
    }


def check_header(doc: Any, template: Inventory, seed: int) -> None:
    if not isinstance(doc, dict):
        raise SnapshotError("/", errors.D_STATE_NOT_OBJECT)
    expected = header(template, seed)
    if doc.get("format") != FORMAT:
        raise SnapshotError("/format", errors.D_STATE_FORMAT.format(expected=FORMAT))
    for name in ("version", "emulator"):
        if doc.get(name) != expected[name]:
            raise SnapshotError(
                f"/{name}",
                errors.D_STATE_VERSION.format(found=doc.get(name), expected=expected[name]),
            )
    if doc.get("world") != expected["world"]:
        raise SnapshotError("/world", errors.D_STATE_WORLD)
    if doc.get("seed") != seed:
        detail = errors.D_STATE_SEED.format(found=doc.get("seed"), expected=seed)
        raise SnapshotError("/seed", detail)


# -- writing ---------------------------------------------------------------------------------------
def _fault_json(fault: Fault) -> dict[str, Any]:
    spec = {name: getattr(fault, name) for name in _FAULT_SPEC}
    return {"id": fault.id, **spec, "limit": fault.limit, "fired": fault.fired}


def _job_json(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "type": job.type,
        "seq": job.seq,
        "created_ms": job.created_ms,
        "start_ms": job.start_ms,
        "step_ms": job.step_ms,
        "targets": [list(t) for t in job.targets],
        "parameters": job.parameters,
        "customer_reference": job.customer_reference,
        "expire_ms": job.expire_ms,
        "outcomes": [[e.to_json() for e in o.errors] for o in job.outcomes],
    }


def tenant_json(tenant: Tenant, faults: FaultSet | None) -> dict[str, Any]:
    """One tenant's state (the ``tenant`` part of a document): its key, every part of
    :data:`TENANT_PARTS`, its faults."""
    doc: dict[str, Any] = {"key": tenant.key}
    for part in TENANT_PARTS:
        doc.update(part.write(tenant))
    doc["faults"] = None if faults is None else faults_json(faults)
    return doc


def faults_json(faults: FaultSet) -> dict[str, Any]:
    return {
        "next": faults.next_number,
        "random": faults.random_state(),
        "list": [_fault_json(f) for f in faults.list()],
    }


# -- reading ---------------------------------------------------------------------------------------
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
            raise SnapshotError(self.at(name), errors.D_STATE_KIND.format(kind=_kind(kind)))
        return value

    def integer(self, name: str, *, null: bool = False, low: int = 0) -> Any:
        value = self.field(name, int, null=null)
        if value is not None and value < low:
            raise SnapshotError(self.at(name), errors.D_STATE_AT_LEAST.format(low=low))
        return value

    def child(self, name: str, kind: type = dict, *, null: bool = False) -> Reader:
        return Reader(self.field(name, kind, null=null), self.at(name))


def _kind(kind: type | tuple[type, ...]) -> str:
    names = {dict: "an object", list: "a list", str: "a string", int: "an integer"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _items(reader: Reader, name: str) -> list[tuple[Any, str]]:
    values = reader.field(name, list)
    return [(value, reader.at(name, index)) for index, value in enumerate(values)]


def _numbers(template: Inventory, records: list[Any], where: Callable[..., str]) -> None:
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


def _error_item(value: Any, where: str) -> errors.ErrorItem:
    item = Reader(value, where)
    source = (
        item.child("source", null=True) if isinstance(value, dict) and "source" in value else None
    )
    # a saved outcome's texts, read back as they were written (ErrorItem.to_json's fields)
    fields = {name: item.field(name, str) for name in ("code", "title", "detail")}
    for name in ("pointer", "parameter"):
        fields[name] = source.field(name, str) if source and name in source.doc else None
    return errors.ErrorItem(**fields)


def _target(item: Any, known: Callable[[str], bool]) -> bool:
    """A saved target: ``[id of a number of this world, E.164, "id" | "phone_number"]``."""
    return (
        type(item) is list
        and len(item) == 3
        and type(item[0]) is str
        and type(item[1]) is str
        and item[2] in _TARGET_FORMS
        and known(item[0])
    )


def _job(value: Any, where: str, known: Callable[[str], bool]) -> Job:
    job = Reader(value, where)
    job_type = job.field("type", str)
    if job_type not in TYPES:
        raise SnapshotError(job.at("type"), errors.D_ONE_OF.format(values=", ".join(TYPES)))
    listed = job.field("targets", list)
    if not all(_target(item, known) for item in listed):
        bad = next(i for i, item in enumerate(listed) if not _target(item, known))
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
            Outcome([_error_item(e, job.at("outcomes", index, n)) for n, e in enumerate(found)])
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
    for item, at in _items(doc, "list"):
        fault = Reader(item, at)
        spec = {
            name: item[name]
            for name in _FAULT_SPEC
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


def read_tenant(
    value: Any, where: str, tenant: Tenant, faults: Callable[[], FaultSet]
) -> tuple[Tenant, FaultSet | None]:
    """Fill a fresh ``tenant`` (forked from the template) from its document, part by part
    (:data:`TENANT_PARTS`); its faults into a fresh set from ``faults`` (``None`` if it had
    none)."""
    doc = Reader(value, where)
    for part in TENANT_PARTS:
        part.read(doc, tenant)
    fault_doc = doc.field("faults", dict, null=True)
    found = None if fault_doc is None else read_faults(fault_doc, doc.at("faults"), faults())
    return tenant, found


# -- the parts of a tenant -------------------------------------------------------------------------
def _write_numbers(tenant: Tenant) -> dict[str, Any]:
    numbers = tenant.inventory.numbers
    return {"numbers": {"replaced": list(numbers.changed().values()), "removed": numbers.removed()}}


def _read_numbers(doc: Reader, tenant: Tenant) -> None:
    inventory = tenant.inventory
    template_numbers = inventory.numbers
    numbers = doc.child("numbers")
    for ident, at in _items(numbers, "removed"):
        if not isinstance(ident, str) or ident not in template_numbers:
            raise SnapshotError(at, errors.D_STATE_REMOVED)
        inventory.remove(ident)
    records = numbers.field("replaced", list)
    _numbers(inventory, records, partial(numbers.at, "replaced"))
    for index, record in enumerate(records):
        if record["id"] not in inventory.numbers:
            at = numbers.at("replaced", index, "id")
            raise SnapshotError(at, errors.D_STATE_REPLACED_REMOVED)
        inventory.replace(record)


def _write_ids(tenant: Tenant) -> dict[str, Any]:
    return {"ids": tenant.ids.state()}


def _read_ids(doc: Reader, tenant: Tenant) -> None:
    try:
        tenant.ids.restore(doc.field("ids", list))
    except (TypeError, ValueError) as exc:
        detail = errors.D_STATE_RANDOM.format(reason=exc)
        raise SnapshotError(doc.at("ids"), detail) from None


def _write_clock(tenant: Tenant) -> dict[str, Any]:
    return {"clock_offset_ms": tenant.clock.offset_ms}


def _read_clock(doc: Reader, tenant: Tenant) -> None:
    tenant.clock.restore(doc.integer("clock_offset_ms"))


def _write_jobs(tenant: Tenant) -> dict[str, Any]:
    return {
        "jobs": [_job_json(job) for job in tenant.job_list],
        "next_seq": tenant.next_seq,
        "unsettled": [job.seq for job in tenant.unsettled],
        "forced_fail": sorted(tenant.forced_fail),
    }


def _read_jobs(doc: Reader, tenant: Tenant) -> None:
    """The jobs, indexed at the tenant's now (so after the clock)."""
    base = tenant.inventory.numbers.base
    jobs = [_job(job, at, base.pos.__contains__) for job, at in _items(doc, "jobs")]
    seqs = [job.seq for job in jobs]
    if seqs != sorted(set(seqs)):
        raise SnapshotError(doc.at("jobs"), errors.D_STATE_JOB_ORDER)
    if len({job.id for job in jobs}) != len(jobs):
        raise SnapshotError(doc.at("jobs"), errors.D_STATE_JOB_IDS)
    next_seq = doc.integer("next_seq", low=seqs[-1] + 1 if seqs else 0)
    unsettled = doc.field("unsettled", list)
    if not all(type(s) is int for s in unsettled) or not set(unsettled) <= set(seqs):
        raise SnapshotError(doc.at("unsettled"), errors.D_STATE_UNSETTLED)
    forced = doc.field("forced_fail", list)
    ids = {job.id for job in jobs}
    if not all(isinstance(i, str) and i in ids for i in forced):
        raise SnapshotError(doc.at("forced_fail"), errors.D_STATE_FORCED_FAIL)
    tenant.restore_jobs(jobs, set(unsettled), set(forced), next_seq)


def _write_fault_controls(tenant: Tenant) -> dict[str, Any]:
    return {"expire_next": tenant.expire_next, "fail_next": tenant.fail_next}


def _read_fault_controls(doc: Reader, tenant: Tenant) -> None:
    tenant.expire_next = doc.integer("expire_next")
    tenant.fail_next = doc.integer("fail_next")


@dataclass(frozen=True)
class Part:
    """One part of a tenant's state: ``write`` gives its fields of the tenant's document,
    ``read`` checks them and fills a fresh tenant (a :class:`SnapshotError` at the first
    problem; nothing is installed until every part of every tenant has been read)."""

    name: str
    write: Callable[[Tenant], dict[str, Any]]
    read: Callable[[Reader, Tenant], None]


#: every part of a tenant's state, in the order they are written and read (the jobs after the
#: clock and the numbers). New tenant state is one more part here, and :data:`VERSION` + 1.
TENANT_PARTS: tuple[Part, ...] = (
    Part("numbers", _write_numbers, _read_numbers),
    Part("ids", _write_ids, _read_ids),
    Part("clock", _write_clock, _read_clock),
    Part("jobs", _write_jobs, _read_jobs),
    Part("fault controls", _write_fault_controls, _read_fault_controls),
)
