"""One tenant: the state one API key sees (its numbers, its jobs, its ids) and its time.

The tenant keeps state and time only. The API operations are in :mod:`mockserver.operations`
and the request rules in :mod:`mockserver.rules`. Every operation first settles time (applies
the outcomes of targets whose time has come), then validates completely, and only then writes
(:meth:`Tenant.add_job`, or a number's replacement): a rejected request changes nothing.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from typing import Any

from mockserver import errors, outcomes
from mockserver.clock import Clock, TenantClock, iso_ms
from mockserver.config import Settings
from mockserver.downloads import COMPLETE, EXPIRED, FAILED, Download, Downloads
from mockserver.ids import c_determinism
from mockserver.inventory import Inventory
from mockserver.job_index import JobIndex
from mockserver.jobs import DELETE, OPEN, Job, Outcome, Target, l_timing, progress
from mockserver.views import job_view
from mockserver.voicemail_book import VoicemailBook


class Tenant:
    """The numbers, jobs, ids and clock of one API key."""

    def __init__(self, key: str, settings: Settings, template: Inventory, base: Clock) -> None:
        self.key = key
        self.settings = settings
        self.inventory = template.fork()
        self.clock = TenantClock(base)
        self.ids = c_determinism(settings.seed, key)
        #: every kept job, indexed (``jobs`` by id); finished ones beyond ``max_jobs`` dropped
        self.job_index = JobIndex(settings.max_jobs)
        self.jobs = self.job_index.by_id
        self.next_seq = 0
        self._unsettled: list[Job] = []
        #: fault controls: the next N jobs expire / have every target fail
        self.expire_next = 0
        self.fail_next = 0
        self._forced_fail: set[str] = set()
        #: the /phone_numbers family's per-tenant state: voicemail settings, CSV downloads
        self.voicemail = VoicemailBook(template.account.get("voicemail", {}))
        #: kept like the jobs: finished downloads beyond ``max_jobs`` dropped, oldest first
        self.downloads = Downloads(settings.max_jobs)

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
            for i in range(len(job.outcomes), l_timing(job, now)):
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

    def l_read_no_move(self) -> int:
        """L-READ-NO-MOVE: what every read calls. It applies the outcomes due by the clock's now
        and returns that now; it never moves the clock (only the clock controls do)."""
        return self.settle()

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
            failed = errors.ErrorItem(
                errors.UNEXPECTED, errors.T_UNEXPECTED, errors.D_UNEXPECTED, "/phone_numbers"
            )
            found = [failed]
        else:
            found = outcomes.decide(job.type, job.parameters, record, self.inventory)
        job.outcomes.append(Outcome(found))
        if found or record is None:
            return
        if job.type == DELETE:
            outcomes.e_delete(self.inventory, target.id)
        else:
            self.inventory.replace(outcomes.apply(job.type, record, job.parameters, iso_ms(when)))

    def run_all_jobs(self) -> int:
        """Move this tenant's clock to the end of its last open job; returns the new now."""
        now = self.settle()
        ends = [j.expire_ms if j.expires_before_start() else j.end_ms for j in self._unsettled]
        ends.extend(self.downloads.open_ends(now))  # CSV downloads are background jobs too
        latest = max((e for e in ends if e is not None), default=now)
        if latest > now:
            self.clock.advance(latest - now)
        return self.settle()

    def run_open_jobs(self) -> tuple[int, list[dict[str, Any]]]:
        """Run every open job to its end: the new now and the jobs it ran, oldest first."""
        before = self.settle()
        ran = [job for job in self._unsettled if progress(job, before).status in OPEN]
        now = self.run_all_jobs()
        return now, [job_view(job, progress(job, now)) for job in ran]

    # -- jobs -----------------------------------------------------------------------------------
    def open_jobs(self, job_type: str, now: int) -> int:
        """Jobs of this type still pending or in progress at ``now``."""
        return sum(
            1 for j in self._unsettled if j.type == job_type and progress(j, now).status in OPEN
        )

    def add_job(
        self,
        job_type: str,
        parameters: dict[str, Any],
        targets: list[Target],
        customer_reference: str | None,
        now: int,
    ) -> Job:
        """Store a new job (the one write of a job creation), timed by the settings."""
        settings = self.settings
        delay = 0 if settings.instant_jobs else settings.pending_delay_ms
        step = 0 if settings.instant_jobs else max(1, round(1000 / settings.numbers_per_second))
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
            parameters=parameters,
            customer_reference=customer_reference,
            expire_ms=expire_ms,
        )
        if self.fail_next > 0:
            self.fail_next -= 1
            self._forced_fail.add(job.id)
        self.next_seq += 1
        self.job_index.add(job)
        self._unsettled.append(job)
        return job

    # -- CSV downloads --------------------------------------------------------------------------
    def add_download(
        self, csv_format: str, text: str, url_of: Callable[[str], str], now: int
    ) -> Download:
        """Store a new CSV download (the one write of its creation), timed like a job: the
        pending delay plus one processing step; the ``expire_jobs``/``fail_jobs`` faults and an
        expiry shorter than the delay claim it as they claim the next job."""
        settings = self.settings
        delay = 0 if settings.instant_jobs else settings.pending_delay_ms
        step = 0 if settings.instant_jobs else max(1, round(1000 / settings.numbers_per_second))
        fate, ready = COMPLETE, now + delay + step
        if self.expire_next > 0:
            self.expire_next -= 1
            fate, ready = EXPIRED, now + max(delay, 1)
        elif self.fail_next > 0:
            self.fail_next -= 1
            fate = FAILED
        elif settings.expire_after_ms and delay >= settings.expire_after_ms:
            fate, ready = EXPIRED, now + settings.expire_after_ms
        ident = self.ids.uuid()
        download = Download(ident, now, ready, fate, csv_format, text, url_of(ident))
        self.downloads.add(download, now)
        return download
