"""Clocks: the only source of "now" in the emulator.

A :class:`Clock` yields epoch milliseconds. The dev server uses :class:`RealClock`; tests use
:class:`ManualClock`, which only moves when told. Each tenant sees the base clock plus its own
offset (:class:`TenantClock`), so one tenant advancing time never moves another's jobs.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import lru_cache
from typing import Protocol

# 2026-01-01T00:00:00.000Z: where a manual clock starts unless told otherwise.
DEFAULT_MANUAL_START_MS = 1_767_225_600_000


class Clock(Protocol):
    def now_ms(self) -> int: ...


class RealClock:
    """Wall-clock time in epoch milliseconds."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000


class ManualClock:
    """A frozen clock that moves only through :meth:`advance` / :meth:`set`."""

    def __init__(self, start_ms: int = DEFAULT_MANUAL_START_MS) -> None:
        self._now = start_ms

    def now_ms(self) -> int:
        return self._now

    def advance(self, ms: int) -> None:
        if ms < 0:
            raise ValueError("a clock cannot move backwards")
        self._now += ms

    def set(self, ms: int) -> None:
        if ms < self._now:
            raise ValueError("a clock cannot move backwards")
        self._now = ms


class TenantClock:
    """A tenant's view of time: a base clock plus an offset that only grows."""

    def __init__(self, base: Clock) -> None:
        self._base = base
        self._offset = 0

    def now_ms(self) -> int:
        return self._base.now_ms() + self._offset

    def advance(self, ms: int) -> None:
        if ms < 0:
            raise ValueError("a clock cannot move backwards")
        self._offset += ms

    def set(self, ms: int) -> None:
        now = self.now_ms()
        if ms < now:
            raise ValueError("a clock cannot move backwards")
        self._offset += ms - now

    @property
    def offset_ms(self) -> int:
        """How far this tenant's clock is ahead of the base clock (saved in snapshots)."""
        return self._offset

    def restore(self, offset_ms: int) -> None:
        """Take a saved offset (a snapshot being read)."""
        self._offset = offset_ms


def iso_ms(ms: int) -> str:
    """Epoch milliseconds as ISO 8601 with milliseconds and ``Z`` (the Telnyx wire format)."""
    return f"{_second(ms // 1000)}.{ms % 1000:03d}Z"


@lru_cache(maxsize=8192)
def _second(seconds: int) -> str:
    """The whole-second part (a job's timestamps share a few seconds: strftime once each)."""
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")


def parse_iso(text: str) -> int:
    """Parse an ISO 8601 timestamp (``Z`` or offset) to epoch milliseconds."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return round(dt.timestamp() * 1000)
