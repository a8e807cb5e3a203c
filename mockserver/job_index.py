"""One tenant's jobs, indexed the way the number table is: a page of ``GET /phone_numbers/jobs``
costs O(page), not O(every job the tenant ever made); and the retention bound.

Jobs are kept by ``seq`` (creation order; ``created_at`` never decreases with it, the tenant's
clock only moves forward), so "newest first" is descending ``seq``. Each filter value keeps the
ascending list of the jobs it matches: every job in ``all``, by type, by customer reference, by
target number, and the finished ones by their final status. An open job's status changes with
time; open jobs are few (the open-job caps), so they are tested one by one at ``now``.

A query walks the shortest list that applies and tests the other criteria on each job it
meets, so a page costs its size (times how selective the other criteria are); with one
criterion the page is a slice and the total a length.

Retention (``Settings.max_jobs``): beyond that many finished jobs, the oldest finished job is
dropped; an open job is never dropped.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from mockserver.jobs import Job, Progress, progress

FINAL = ("completed", "failed", "expired")
DAY_MS = 86_400_000


@dataclass(frozen=True)
class JobQuery:
    """A parsed job filter (``None``: not filtered on it)."""

    type: str | None = None
    statuses: frozenset[str] | None = None
    number_ids: frozenset[str] | None = None
    customer_reference: str | None = None
    #: with ``customer_reference``: only jobs created at or after this instant
    created_from_ms: int = 0


def _remove(values: list[int], seq: int) -> None:
    at = bisect_left(values, seq)
    if at < len(values) and values[at] == seq:
        del values[at]


class JobIndex:
    """The jobs of one tenant by ``seq``, with their indexes and the retention bound."""

    def __init__(self, max_finished: int = 0) -> None:
        #: finished jobs kept at most (0: all)
        self.max_finished = max_finished
        self.by_seq: dict[int, Job] = {}
        self.by_id: dict[str, Job] = {}
        self.all: list[int] = []
        self.by_type: dict[str, list[int]] = {}
        self.by_reference: dict[str, list[int]] = {}
        #: built on the first ``filter[phone_number]`` query, then kept up to date (a job of
        #: 1,000 numbers would otherwise pay 1,000 index entries for a filter seldom used)
        self._by_number: dict[str, list[int]] | None = None
        self.by_status: dict[str, list[int]] = {}
        self.open: dict[int, Job] = {}
        self._finished_heap: list[int] = []
        self.dropped = 0

    # -- writes ---------------------------------------------------------------------------------
    def add(self, job: Job) -> None:
        """A new job (open until :meth:`finish`); ``seq`` above every kept job's."""
        seq = job.seq
        self.by_seq[seq] = job
        self.by_id[job.id] = job
        self.all.append(seq)
        self.by_type.setdefault(job.type, []).append(seq)
        if job.customer_reference is not None:
            self.by_reference.setdefault(job.customer_reference, []).append(seq)
        if self._by_number is not None:
            self._index_numbers(self._by_number, job)
        self.open[seq] = job

    def finish(self, job: Job, status: str) -> list[Job]:
        """``job`` reached its final ``status``; the jobs retention dropped in consequence."""
        if self.open.pop(job.seq, None) is None:
            return []
        insort(self.by_status.setdefault(status, []), job.seq)
        heapq.heappush(self._finished_heap, job.seq)
        dropped = []
        while self.max_finished and len(self._finished_heap) > self.max_finished:
            dropped.append(self.drop(self.by_seq[heapq.heappop(self._finished_heap)]))
        return dropped

    def drop(self, job: Job) -> Job:
        """Forget a finished job everywhere (retention)."""
        seq = job.seq
        del self.by_seq[seq]
        del self.by_id[job.id]
        _remove(self.all, seq)
        _remove(self.by_type[job.type], seq)
        if job.customer_reference is not None:
            _remove(self.by_reference[job.customer_reference], seq)
        if self._by_number is not None:
            for ident in dict.fromkeys(t.id for t in job.targets):
                _remove(self._by_number[ident], seq)
                if not self._by_number[ident]:
                    del self._by_number[ident]
        for seqs in self.by_status.values():
            _remove(seqs, seq)
        self.dropped += 1
        return job

    @staticmethod
    def _index_numbers(by_number: dict[str, list[int]], job: Job) -> None:
        for ident in dict.fromkeys(t.id for t in job.targets):
            by_number.setdefault(ident, []).append(job.seq)

    @property
    def by_number(self) -> dict[str, list[int]]:
        """Number id -> the ascending seqs of the kept jobs that target it."""
        if self._by_number is None:
            self._by_number = {}
            for seq in self.all:  # ascending: every list comes out sorted
                self._index_numbers(self._by_number, self.by_seq[seq])
        return self._by_number

    # -- reads ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.by_seq)

    def jobs(self) -> list[Job]:
        """Every kept job, oldest first."""
        return [self.by_seq[seq] for seq in self.all]

    def page(
        self, query: JobQuery, now: int, descending: bool, start: int, size: int
    ) -> tuple[list[tuple[Job, Progress]], int]:
        """The jobs ``[start, start + size)`` matching ``query`` at ``now`` (oldest or newest
        first), and how many match in all."""
        sources = self._sources(query, now)
        sources.sort(key=len)
        driver, others = sources[0], sources[1:]
        sets = [set(other) for other in others]
        if not sets:
            total = len(driver)
            if descending:
                stop = max(total - start, 0)
                chosen: Iterable[int] = reversed(driver[max(stop - size, 0) : stop])
            else:
                chosen = driver[start : start + size]
        else:
            matches = [s for s in driver if all(s in o for o in sets)]
            total = len(matches)
            ordered: Iterator[int] = reversed(matches) if descending else iter(matches)
            chosen = islice(ordered, start, start + size)
        shown = [self.by_seq[seq] for seq in chosen]
        return [(job, progress(job, now)) for job in shown], total

    def _sources(self, query: JobQuery, now: int) -> list[list[int]]:
        """The ascending lists of ``seq`` a match must be in (every job's when none applies)."""
        sources: list[list[int]] = []
        if query.type is not None:
            sources.append(self.by_type.get(query.type, []))
        if query.customer_reference is not None:
            listed = self.by_reference.get(query.customer_reference, [])
            by_seq = self.by_seq
            lo = bisect_left(listed, query.created_from_ms, key=lambda s: by_seq[s].created_ms)
            sources.append(listed[lo:])
        if query.number_ids is not None:
            lists = [self.by_number.get(ident, []) for ident in sorted(query.number_ids)]
            sources.append(lists[0] if len(lists) == 1 else sorted(set().union(*lists)))
        if query.statuses is not None:
            finals = [self.by_status.get(s, []) for s in sorted(query.statuses) if s in FINAL]
            opens = [
                seq for seq, job in self.open.items() if progress(job, now).status in query.statuses
            ]
            parts = [p for p in (*finals, opens) if p]
            if len(parts) == 1:
                sources.append(parts[0])
            else:
                sources.append(sorted(set().union(*parts)))
        if not sources:
            sources.append(self.all)
        return sources
