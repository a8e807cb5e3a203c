"""One tenant's world: its numbers, its jobs, its clock. Methods are named after API operations.

Every operation first settles time (applies the outcomes of targets whose time has come), then
validates completely, and only then writes: a rejected request changes nothing.
"""

from __future__ import annotations

import copy
import heapq
from collections.abc import Iterator
from itertools import repeat
from typing import Any

from mockserver import errors as E
from mockserver import outcomes
from mockserver.clock import Clock, TenantClock, iso_ms
from mockserver.config import Settings
from mockserver.filters import parse_update_filter
from mockserver.ids import IdSource
from mockserver.inventory import Inventory, NumberFilter, Record
from mockserver.job_index import JobIndex
from mockserver.jobs import (
    DELETE,
    EMERGENCY,
    OPEN,
    UPDATE,
    Job,
    Outcome,
    Progress,
    processed_at,
    progress,
)
from mockserver.validation import Target, check_items, check_shape, unique
from mockserver.views import job_view

SCHEMA_BY_TYPE = {
    UPDATE: "update_phone_numbers_request.schema.json",
    EMERGENCY: "update_emergency_settings_request.schema.json",
    DELETE: "delete_phone_numbers_request.schema.json",
}
#: body fields of update_phone_numbers that count as "updateable fields" (R-UPDATEABLE)
UPDATEABLE = (
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
UPDATE_PARAMETERS = UPDATEABLE


def _has_leaf(value: Any) -> bool:
    """True when a (possibly nested) value sets at least one setting."""
    if isinstance(value, dict):
        return any(_has_leaf(v) for v in value.values())
    return True


class Tenant:
    """The world one API key sees."""

    def __init__(self, key: str, settings: Settings, template: Inventory, base: Clock) -> None:
        self.key = key
        self.settings = settings
        self.inventory = template.fork()
        self.clock = TenantClock(base)
        self.ids = IdSource(settings.seed, key)
        #: every kept job, indexed (``jobs`` by id); finished ones beyond ``max_jobs`` dropped
        self.job_index = JobIndex(settings.max_jobs)
        self.jobs = self.job_index.by_id
        self.next_seq = 0
        self._unsettled: list[Job] = []
        #: fault controls: the next N jobs expire / have every target fail
        self.expire_next = 0
        self.fail_next = 0
        self._forced_fail: set[str] = set()

    # -- saved state (mockserver.snapshot) -----------------------------------------------------
    @property
    def unsettled(self) -> list[Job]:
        """Jobs with targets still to settle (or still to expire), in creation order."""
        return list(self._unsettled)

    @property
    def forced_fail(self) -> set[str]:
        """Ids of the jobs a ``fail_jobs`` fault marked."""
        return set(self._forced_fail)

    @property
    def job_list(self) -> list[Job]:
        """Every kept job, oldest first."""
        return self.job_index.jobs()

    def restore_jobs(
        self, jobs: list[Job], unsettled: set[int], forced_fail: set[str], next_seq: int
    ) -> None:
        """Take saved jobs (in creation order), which are unsettled (by ``seq``), and the next
        ``seq``; the finished ones are indexed by their status at this tenant's now."""
        now = self.now()
        self.job_index = JobIndex(self.settings.max_jobs)
        self.jobs = self.job_index.by_id
        for job in jobs:
            self.job_index.add(job)
        for job in jobs:
            if job.seq not in unsettled:
                self.job_index.finish(job, progress(job, now).status)
        self._unsettled = [job for job in jobs if job.seq in unsettled]
        self._forced_fail = set(forced_fail)
        self.next_seq = next_seq

    # -- time -----------------------------------------------------------------------------------
    def now(self) -> int:
        return self.clock.now_ms()

    def settle(self, now: int | None = None) -> int:
        """Process every target whose time has come, in time order across jobs."""
        now = self.now() if now is None else now
        if not self._unsettled:
            return now

        def events(job: Job) -> Iterator[tuple[int, int, int]]:
            for i in range(len(job.outcomes), processed_at(job, now)):
                yield job.target_time(i), job.seq, i

        by_seq = {job.seq: job for job in self._unsettled}
        for when, seq, index in heapq.merge(*(events(j) for j in self._unsettled)):
            self._process(by_seq[seq], index, when)
        still: list[Job] = []
        for job in self._unsettled:
            if self._finished(job, now):
                for gone in self.job_index.finish(job, progress(job, now).status):
                    self._forced_fail.discard(gone.id)
            else:
                still.append(job)
        self._unsettled = still
        return now

    @staticmethod
    def _finished(job: Job, now: int) -> bool:
        """Nothing left to settle and no longer open (an expiring job stays until it expires)."""
        if job.expires_before_start():
            assert job.expire_ms is not None
            return now >= job.expire_ms
        return len(job.outcomes) >= len(job.targets)

    def _process(self, job: Job, index: int, when: int) -> None:
        target = job.targets[index]
        record = self.inventory.get(target.id)
        if job.id in self._forced_fail:
            errors = [E.ErrorItem(E.UNEXPECTED, E.T_UNEXPECTED, E.D_UNEXPECTED, "/phone_numbers")]
        else:
            errors = outcomes.decide(job.type, job.parameters, record, self.inventory)
        job.outcomes.append(Outcome(errors))
        if errors or record is None:
            return
        new = outcomes.apply(job.type, record, job.parameters, iso_ms(when))
        if new is None:
            self.inventory.remove(target.id)
        else:
            self.inventory.replace(new)

    def run_all_jobs(self) -> int:
        """Move this tenant's clock to the end of its last open job; returns the new now."""
        now = self.settle()
        ends = [j.expire_ms if j.expires_before_start() else j.end_ms for j in self._unsettled]
        latest = max((e for e in ends if e is not None), default=now)
        if latest > now:
            self.clock.advance(latest - now)
        return self.settle()

    def progress(self, job: Job, now: int) -> Progress:
        return progress(job, now)

    # -- job creation ---------------------------------------------------------------------------
    def create_job(self, job_type: str, body: Any, query: dict[str, Any]) -> dict[str, Any]:
        """Validate a batch request completely, then create its job (CreateXxxJob operations)."""
        now = self.settle()
        flt = parse_update_filter(query, self.inventory) if job_type == UPDATE else None
        check_shape(SCHEMA_BY_TYPE[job_type], body)
        assert isinstance(body, dict)
        items = self._check_items(body, flt)
        if job_type == UPDATE:
            self._check_update_fields(body)
        elif job_type == EMERGENCY:
            self._check_emergency_fields(body)
        targets = self._filter_targets(flt) if items is None else self._resolve(items, flt)
        billing = body.get("billing_group_id")
        if billing is not None and billing not in self.inventory.billing_groups:
            raise E.error(
                403,
                E.AUTHZ_FAILED,
                E.T_AUTHZ_FAILED,
                E.D_BILLING_GROUP,
                pointer="/billing_group_id",
            )
        self._check_job_cap(job_type, now)
        return self._new_job(job_type, body, targets, flt is not None, now)

    def _check_items(self, body: dict[str, Any], flt: NumberFilter | None) -> list[str] | None:
        """The listed targets after presence, cap, format and mixed-form checks; ``None`` when
        the filter alone chooses the targets."""
        items: list[str] | None = body.get("phone_numbers")
        if flt is not None and not items:
            return None
        if items is None:
            raise E.bad_request(E.D_MUST_BE_PRESENT, pointer="/phone_numbers")
        if not items:
            raise E.bad_request(E.D_MIN_NUMBERS, pointer="/phone_numbers")
        check_items(
            items,
            max_numbers=self.settings.max_numbers,
            allow_mixed=self.settings.allow_mixed_forms,
        )
        return items

    def _filter_targets(self, flt: NumberFilter | None) -> list[Target]:
        """The first ``max_numbers`` matches of a filter, in id order (R-FILTER-OVER-CAP)."""
        assert flt is not None
        found = self.inventory.first_targets(flt, self.settings.max_numbers)
        targets = [Target(ident, phone, "id") for ident, phone in found]
        if not targets:
            raise E.bad_request(E.D_MIN_NUMBERS, pointer="/phone_numbers")
        return targets

    def _resolve(self, items: list[str], flt: NumberFilter | None) -> list[Target]:
        """Ownership, then one target per number (first form given wins)."""
        result = self._resolve_ids(items)
        if result is None:
            result = self._resolve_any(items)
        if flt is not None:  # both given: the filter narrows the list (R-FILTER-AND-LIST)
            listed = [t.id for t in result]
            allowed = {r["id"] for r in self.inventory.select(flt, among=listed)}
            result = [t for t in result if t.id in allowed]
            if not result:
                raise E.bad_request(E.D_MIN_NUMBERS, pointer="/phone_numbers")
        return result

    def _resolve_ids(self, items: list[str]) -> list[Target] | None:
        """The common case (every item an owned id) in bulk, without building a single record;
        ``None``: take the general path."""
        if items[0][0] == "+":
            return None
        wanted = unique(items)
        numbers = self.inventory.numbers
        if not all(map(numbers.__contains__, wanted)):  # an E.164 item is never an id: fails
            return None
        phones = map(numbers.phone_number, wanted)
        return list(map(Target._make, zip(wanted, phones, repeat("id"))))

    def _resolve_any(self, items: list[str]) -> list[Target]:
        targets: dict[str, Target] = {}
        numbers, by_e164 = self.inventory.numbers, self.inventory.by_e164
        for item in unique(items):
            if item[0] == "+":
                ident = by_e164.get(item)
                given = "phone_number"
            else:
                ident, given = item, "id"
            if ident is None or ident not in numbers:
                raise E.bad_request(E.D_OWNERSHIP, pointer="/phone_numbers")
            if ident not in targets:
                targets[ident] = Target(ident, numbers.phone_number(ident), given)
        return list(targets.values())

    @staticmethod
    def _check_update_fields(body: dict[str, Any]) -> None:
        if not any(k in body and _has_leaf(body[k]) for k in UPDATEABLE):
            raise E.bad_request(E.D_MIN_UPDATEABLE, pointer="/updateable_fields")
        voice = body.get("voice")
        cnam = voice.get("cnam_listing") if isinstance(voice, dict) else None
        if (
            isinstance(cnam, dict)
            and cnam.get("cnam_listing_details")
            and cnam.get("cnam_listing_enabled") is not True
        ):
            raise E.bad_request(
                E.D_CNAM_NEEDS_ENABLED, pointer="/voice/cnam_listing/cnam_listing_details"
            )

    @staticmethod
    def _check_emergency_fields(body: dict[str, Any]) -> None:
        address = body.get("emergency_address_id")
        if body["emergency_enabled"] and address in (None, ""):
            raise E.bad_request(E.D_EMERGENCY_ADDRESS_REQUIRED, pointer="/emergency_address_id")
        if not body["emergency_enabled"] and address is not None:
            raise E.bad_request(E.D_EMERGENCY_ADDRESS_FORBIDDEN, pointer="/emergency_address_id")

    def _check_job_cap(self, job_type: str, now: int) -> None:
        limit = (
            self.settings.max_open_emergency_jobs
            if job_type == EMERGENCY
            else self.settings.max_open_jobs
        )
        open_jobs = sum(
            1 for j in self._unsettled if j.type == job_type and progress(j, now).status in OPEN
        )
        if open_jobs >= limit:
            raise E.bad_request(E.D_MAX_JOBS.format(limit=limit), pointer="/base")

    def _new_job(
        self, job_type: str, body: dict[str, Any], targets: list[Target], by_filter: bool, now: int
    ) -> dict[str, Any]:
        settings = self.settings
        delay = 0 if settings.instant_jobs else settings.pending_delay_ms
        step = 0 if settings.instant_jobs else max(1, round(1000 / settings.numbers_per_second))
        params: dict[str, Any] = {
            "phone_numbers": [
                t.id if (by_filter or t.given_as == "id") else t.phone_number for t in targets
            ]
        }
        names = (
            UPDATE_PARAMETERS
            if job_type == UPDATE
            else (("emergency_enabled", "emergency_address_id") if job_type == EMERGENCY else ())
        )
        for name in names:
            if name in body:
                params[name] = copy.deepcopy(body[name])
        expire_ms: int | None = None
        if self.expire_next > 0:
            self.expire_next -= 1
            expire_ms = now + max(delay, 1)
        elif settings.expire_after_ms and delay >= settings.expire_after_ms:
            expire_ms = now + settings.expire_after_ms
        job = Job(
            id=self.ids.uuid(),
            type=job_type,
            seq=self.next_seq,
            created_ms=now,
            start_ms=now + delay,
            step_ms=step,
            targets=targets,
            parameters=params,
            customer_reference=body.get("customer_reference"),
            expire_ms=expire_ms,
        )
        if self.fail_next > 0:
            self.fail_next -= 1
            self._forced_fail.add(job.id)
        self.next_seq += 1
        self.job_index.add(job)
        self._unsettled.append(job)
        view = job_view(job, progress(job, now), as_created=True)
        self.settle(now)  # a zero-length job takes effect at once
        return view

    # -- job queries ----------------------------------------------------------------------------
    def retrieve_job(self, job_id: str) -> dict[str, Any]:
        now = self.settle()
        job = self.jobs.get(job_id)
        if job is None:
            raise E.not_found()
        return job_view(job, progress(job, now))

    def number(self, ident: str) -> Record:
        record = self.inventory.get(ident)
        if record is None:
            raise E.not_found(pointer="/id")
        return record

    def list_jobs(self, query: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, int]]:
        from mockserver.job_queries import list_jobs

        return list_jobs(self, query)
