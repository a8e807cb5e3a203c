"""Replay: placeholder until built (the Player interface session.py relies on)."""

from __future__ import annotations

from mockserver.cassette.format import Cassette, RecordedRequest, RecordedResponse


class Player:
    def __init__(self, cassette: Cassette) -> None:
        self.cassette = cassette

    def lookup(self, request: RecordedRequest) -> RecordedResponse | None:
        raise NotImplementedError

    def explain(self, request: RecordedRequest) -> str:
        raise NotImplementedError
