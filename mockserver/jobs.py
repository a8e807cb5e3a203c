"""The job engine: a transitions table and a pure function of a job and "now".

A job waits ``pending`` until ``start_ms``, then processes one target every ``step_ms``
(target ``i`` at ``start_ms + (i + 1) * step_ms``). Outcomes are decided by the tenant's
numbers when a target is processed (see :mod:`mockserver.outcomes`) and stored on the job; the rest
(status, ``etc``, ``updated_at``) is computed from the job and the clock by :func:`progress`,
so reading a job never moves it. The lifecycle rules of the fidelity manifest (``L-*``) are the
functions named after them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from mockserver.errors import ErrorItem

PENDING = "pending"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
FAILED = "failed"
EXPIRED = "expired"
STATUSES = (PENDING, IN_PROGRESS, COMPLETED, FAILED, EXPIRED)

UPDATE = "update_phone_numbers"
EMERGENCY = "update_emergency_settings"
DELETE = "delete_phone_numbers"
TYPES = (UPDATE, EMERGENCY, DELETE)

#: the body fields of update_phone_numbers that count as "updateable fields" (R-UPDATEABLE),
#: saved in the job's parameters (R-PARAMETERS) and applied to each number (E-UPDATE)
UPDATEABLE_FIELDS = (
    "tags",
    "add_tags",
    "remove_tags",
    "external_pin",
    "customer_reference",
    "connection_id",
    "billing_group_id",
    "hd_voice_enabled",
    "deletion_lock_enabled",
    "voice",
)
#: the body fields of update_emergency_settings saved in the job's parameters
EMERGENCY_FIELDS = ("emergency_enabled", "emergency_address_id")
#: the job's parameters for each type (a delete job keeps only its targets)
PARAMETER_FIELDS: dict[str, tuple[str, ...]] = {
    UPDATE: UPDATEABLE_FIELDS,
    EMERGENCY: EMERGENCY_FIELDS,
    DELETE: (),
}

#: allowed moves; a zero-length job may go straight from pending to an end state
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({IN_PROGRESS, COMPLETED, FAILED, EXPIRED}),
    IN_PROGRESS: frozenset({COMPLETED, FAILED}),
    COMPLETED: frozenset(),
    FAILED: frozenset(),
    EXPIRED: frozenset(),
}
OPEN = frozenset({PENDING, IN_PROGRESS})
FINAL = frozenset({COMPLETED, FAILED, EXPIRED})


def l_states(src: str, dst: str) -> bool:
    """L-STATES: whether a job may move from ``src`` to ``dst`` (``TRANSITIONS``); :func:`progress`
    makes only these moves, and the state-machine tests check every observed move with this."""
    return src == dst or dst in TRANSITIONS[src]


class Target(NamedTuple):
    """One number a job acts on, and the form it was given in (a tuple: cheap by the thousand)."""

    id: str
    phone_number: str
    given_as: str  # "id" or "phone_number"

    def operation(self) -> dict[str, str]:
        return {"id": self.id, "phone_number": self.phone_number}


@dataclass
class Outcome:
    """What happened to one target: no errors = success."""

    errors: list[ErrorItem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Job:
    id: str
    type: str
    seq: int  # creation order within the tenant (stable sort key)
    created_ms: int
    start_ms: int
    step_ms: int
    targets: list[Target]
    parameters: dict[str, Any]
    customer_reference: str | None = None
    #: the job never starts and ends ``expired`` at this time (a fault or a setting)
    expire_ms: int | None = None
    #: outcomes of processed targets, in target order (filled as the tenant settles time)
    outcomes: list[Outcome] = field(default_factory=list)

    def target_time(self, index: int) -> int:
        return self.start_ms + (index + 1) * self.step_ms

    @property
    def end_ms(self) -> int:
        return self.target_time(len(self.targets) - 1)

    def expires_before_start(self) -> bool:
        return self.expire_ms is not None and self.expire_ms <= self.start_ms


@dataclass(frozen=True)
class Progress:
    status: str
    processed: int  # targets whose time has come
    updated_ms: int
    etc_ms: int


def l_timing(job: Job, now_ms: int) -> int:
    """L-TIMING: how many targets have been processed by ``now_ms`` (pure): none while pending,
    then one every ``step_ms``."""
    if job.expires_before_start() or now_ms < job.start_ms:
        return 0
    if job.step_ms <= 0:
        return len(job.targets)
    return min(len(job.targets), (now_ms - job.start_ms) // job.step_ms)


def l_expired(job: Job, now_ms: int) -> Progress | None:
    """L-EXPIRED: a job that expires before it starts is pending, then expired; ``None`` for
    every other job."""
    if not job.expires_before_start():
        return None
    assert job.expire_ms is not None
    if now_ms >= job.expire_ms:
        return Progress(EXPIRED, 0, job.expire_ms, job.expire_ms)
    return Progress(PENDING, 0, job.created_ms, job.expire_ms)


def l_completed(job: Job) -> bool:
    """L-COMPLETED: a processed job is completed when at least one target succeeded."""
    return any(o.ok for o in job.outcomes[: len(job.targets)])


def l_failed(job: Job) -> bool:
    """L-FAILED: a processed job where no target succeeded is failed."""
    return not l_completed(job)


def progress(job: Job, now_ms: int) -> Progress:
    """The job as it is at ``now_ms``; needs the outcomes of processed targets to be settled."""
    expired = l_expired(job, now_ms)
    if expired is not None:
        return expired
    n = l_timing(job, now_ms)
    total = len(job.targets)
    if now_ms < job.start_ms:
        return Progress(PENDING, 0, job.created_ms, job.end_ms)
    if n < total:
        updated = job.start_ms if n == 0 else job.target_time(n - 1)
        return Progress(IN_PROGRESS, n, updated, job.end_ms)
    return Progress(FAILED if l_failed(job) else COMPLETED, total, job.end_ms, job.end_ms)
