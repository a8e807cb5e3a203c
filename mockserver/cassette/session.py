"""Record modes and the cassette session that applies them (VCR.py's semantics).

=============  ==============================  ============================================
mode           cassette file exists            no cassette file
=============  ==============================  ============================================
``none``       replay; an unrecorded request   error at start (nothing to replay)
               is an error
``once``       replay; an unrecorded request   record every exchange
               is an error
``new_episodes`` replay what is recorded,      record every exchange
               record what is not
``all``        record every exchange; the old  record every exchange
               file is replaced
=============  ==============================  ============================================

A recorded exchange is redacted first, then appended and the whole cassette written atomically
at once, so secrets never touch disk and an exchange that fails half-way (no response) leaves the
file as it was. Incoming requests are redacted the same way before matching, so a configured
secret query parameter still matches its recording.

Transports (``record.py``) and the recording proxy (``proxy.py``, started by ``cli_record.py``)
wrap a session; the replay order and matching come from a ``Replayer`` (``replay.py``); the
conversions between httpx and recorded forms are in ``exchange.py``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from mockserver.cassette import format as cformat
from mockserver.cassette.exchange import (
    CassetteMiss,
    request_from_httpx,
    response_from_httpx,
    response_to_httpx,
)
from mockserver.cassette.format import Cassette, Interaction, RecordedRequest, RecordedResponse
from mockserver.cassette.redact import Redactor
from mockserver.cassette.replay import Player

__all__ = [
    "CassetteMiss",
    "CassetteSession",
    "RecordMode",
    "Replayer",
    "request_from_httpx",
    "response_from_httpx",
    "response_to_httpx",
]


class RecordMode(StrEnum):
    NONE = "none"
    ONCE = "once"
    NEW_EPISODES = "new_episodes"
    ALL = "all"

    @classmethod
    def parse(cls, value: str | RecordMode) -> RecordMode:
        """The mode named ``value``; a ``ValueError`` listing the valid ones otherwise."""
        try:
            return cls(value)
        except ValueError:
            valid = ", ".join(m.value for m in cls)
            raise ValueError(f"unknown record mode {value!r}: expected one of {valid}") from None


class Replayer(Protocol):
    def lookup(self, request: RecordedRequest) -> RecordedResponse | None:
        """The next recorded response for a request like this one (``None``: not recorded)."""

    def explain(self, request: RecordedRequest) -> str:
        """Why nothing matched: the request and the closest recorded one."""


class CassetteSession:
    """One cassette in use: replays and/or records per the mode. Thread-safe."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        mode: str | RecordMode = RecordMode.ONCE,
        redactor: Redactor | None = None,
        replayer: Callable[[Cassette], Replayer] | None = None,
    ) -> None:
        self.path = Path(path)
        self.mode = RecordMode.parse(mode)
        self.redactor = redactor or Redactor()
        self._lock = threading.Lock()
        try:
            existing = cformat.load(self.path)
            self.existed = True
        except FileNotFoundError:
            existing, self.existed = Cassette(), False
        if self.mode is RecordMode.NONE and not self.existed:
            raise FileNotFoundError(f"record mode 'none' needs a cassette to replay: {self.path}")
        if self.mode is RecordMode.ALL:
            existing = Cassette()
        self.cassette = existing
        self._player = (replayer or Player)(Cassette(list(existing.interactions)))
        self.recorded = 0
        #: each kept interaction rendered once: a write joins them instead of re-rendering all
        self._rendered: list[str] | None = None

    @property
    def may_record(self) -> bool:
        if self.mode is RecordMode.ONCE:
            return not self.existed
        return self.mode in (RecordMode.NEW_EPISODES, RecordMode.ALL)

    @property
    def may_replay(self) -> bool:
        return self.mode is not RecordMode.ALL

    def replay(self, request: RecordedRequest) -> RecordedResponse | None:
        """The recorded response for this request, if the mode replays and one is recorded."""
        if not self.may_replay:
            return None
        with self._lock:
            return self._player.lookup(self.redactor.request(request))

    def miss(self, request: RecordedRequest) -> CassetteMiss:
        """The error for a request that may be neither replayed nor recorded."""
        with self._lock:
            why = self._player.explain(self.redactor.request(request))
        return CassetteMiss(
            f"cassette {self.path} (record mode {self.mode.value!r}) holds no match for "
            f"this request and may not record it.\n{why}"
        )

    def record(self, request: RecordedRequest, response: RecordedResponse) -> None:
        """Redact, append and write the whole cassette atomically."""
        if not self.may_record:
            raise self.miss(request)
        kept = self.redactor.interaction(Interaction(request, response))
        rendered = cformat.render(kept)
        with self._lock:
            if self._rendered is None:
                self._rendered = [cformat.render(i) for i in self.cassette.interactions]
            self.cassette.interactions.append(kept)
            self._rendered.append(rendered)
            cformat.write_text(cformat.join(self._rendered), self.path)
            self.recorded += 1
