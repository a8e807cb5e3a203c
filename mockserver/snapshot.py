"""Tenant state as a JSON document: what ``serve --state FILE`` writes and reads back, and what
``/_mock/state`` exports and imports for one tenant.

A tenant's document holds everything its answers depend on: its numbers (only what it changed
from the default world: replaced records and removed ids), its jobs (targets, parameters,
outcomes so far), which jobs are still unsettled, its clock offset, the state of its seeded id
source, its fault controls and its injected faults (with their own seeded source), and the
/phone_numbers family's voicemail settings and CSV downloads (:mod:`mockserver.snapshot_family`).
A restored tenant answers byte for byte as the saved one did (on a manual clock; on real time,
time has moved on in between).

Reading is all or nothing: every part is checked and built into new objects first
(:class:`SnapshotError` names what is wrong and the JSON pointer where), and only a document
that was read completely replaces anything. The request journal and rate-limit buckets are
not saved (diagnostics and a per-second budget, not state).

The parts of a tenant's document are listed once, in :data:`TENANT_PARTS` (each part writes its
fields and reads them back); the typed access and the checks of saved numbers, jobs and faults
are :mod:`mockserver.snapshot_check`. A change to the layout is :data:`VERSION` + 1.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from mockserver import __version__, errors
from mockserver.faults import Fault, FaultSet
from mockserver.inventory import Inventory
from mockserver.jobs import Job
from mockserver.snapshot_check import (
    FAULT_SPEC,
    Reader,
    SnapshotError,
    check_numbers,
    items,
    read_faults,
    read_job,
)
from mockserver.snapshot_family import (
    read_downloads,
    read_voicemail,
    write_downloads,
    write_voicemail,
)
from mockserver.tenant import Tenant

FORMAT = "telnyx-mock-state"
#: the document's layout; a snapshot of another version (or another emulator version) is refused
VERSION = 2  # 2: the /phone_numbers family's voicemail and CSV downloads


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
    spec = {name: getattr(fault, name) for name in FAULT_SPEC}
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
    for ident, at in items(numbers, "removed"):
        if not isinstance(ident, str) or ident not in template_numbers:
            raise SnapshotError(at, errors.D_STATE_REMOVED)
        inventory.remove(ident)
    records = numbers.field("replaced", list)
    check_numbers(inventory, records, partial(numbers.at, "replaced"))
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
    jobs = [read_job(job, at, base.pos.__contains__) for job, at in items(doc, "jobs")]
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
    Part("voicemail", write_voicemail, read_voicemail),
    Part("csv downloads", write_downloads, read_downloads),
)
