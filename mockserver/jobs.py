"""The job engine: a transitions table and a pure function of a job and "now".

A job waits ``pending`` until ``start_ms``, then processes one target every ``step_ms``
(target ``i`` at ``start_ms + (i + 1) * step_ms``). Outcomes are decided by the world when a
target is processed (see :mod:`mockserver.outcomes`) and stored on the job; everything else
(status, ``etc``, ``updated_at``) is computed from the job and the clock by :func:`progress`,
so reading a job never moves it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mockserver.errors import ErrorItem
from mockserver.validation import Target

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


def can_move(src: str, dst: str) -> bool:
    return src == dst or dst in TRANSITIONS[src]


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
    #: outcomes of processed targets, in target order (filled as the store settles time)
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


def processed_at(job: Job, now_ms: int) -> int:
    """How many targets have been processed by ``now_ms`` (pure)."""
    if job.expires_before_start() or now_ms < job.start_ms:
        return 0
    if job.step_ms <= 0:
        return len(job.targets)
    return min(len(job.targets), (now_ms - job.start_ms) // job.step_ms)


def progress(job: Job, now_ms: int) -> Progress:
    """The job as it is at ``now_ms``; needs the outcomes of processed targets to be settled."""
    if job.expires_before_start():
        assert job.expire_ms is not None
        if now_ms >= job.expire_ms:
            return Progress(EXPIRED, 0, job.expire_ms, job.expire_ms)
        return Progress(PENDING, 0, job.created_ms, job.expire_ms)
    n = processed_at(job, now_ms)
    total = len(job.targets)
    if now_ms < job.start_ms:
        return Progress(PENDING, 0, job.created_ms, job.end_ms)
    if n < total:
        updated = job.start_ms if n == 0 else job.target_time(n - 1)
        return Progress(IN_PROGRESS, n, updated, job.end_ms)
    succeeded = any(o.ok for o in job.outcomes[:total])
    return Progress(COMPLETED if succeeded else FAILED, total, job.end_ms, job.end_ms)
