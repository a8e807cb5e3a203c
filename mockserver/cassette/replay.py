"""Replay: answer requests from a cassette, in-process (a respx router) or through a transport.

:class:`Player` is the replayer behind every replay path (the respx router below, the
:class:`~mockserver.cassette.record.RecordingTransport`, ``telnyx-mock replay``). Requests match
as :mod:`~mockserver.cassette.match` says (method, path, query multiset, JSON body). Identical
requests (polls of one job) get their recordings in the order they were recorded; once those run
out the last one repeats, so a client that polls more often than the recording did still sees the
job's final state.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Self

import httpx
import respx

from mockserver.cassette import format as cformat
from mockserver.cassette.exchange import CassetteMiss, request_from_httpx, response_to_httpx
from mockserver.cassette.format import Cassette, RecordedRequest, RecordedResponse
from mockserver.cassette.match import Key, closest, differences, key_of
from mockserver.cassette.redact import Redactor

_SHOW_BODY = 300


class Player:
    """Looks up recorded responses (what a session replays with). Thread-safe."""

    def __init__(self, cassette: Cassette) -> None:
        self.cassette = cassette
        self._keys = [key_of(i.request) for i in cassette.interactions]
        self._by_key: dict[Key, list[int]] = {}
        for index, key in enumerate(self._keys):
            self._by_key.setdefault(key, []).append(index)
        self._plays: dict[Key, int] = {}
        self._played: set[int] = set()
        self._lock = threading.Lock()

    def lookup(self, request: RecordedRequest) -> RecordedResponse | None:
        """The next recorded response for this request (the last one once they run out)."""
        key = key_of(request)
        with self._lock:
            indexes = self._by_key.get(key)
            if not indexes:
                return None
            count = self._plays.get(key, 0)
            self._plays[key] = count + 1
            index = indexes[min(count, len(indexes) - 1)]
            self._played.add(index)
        return self.cassette.interactions[index].response

    def unplayed(self) -> list[int]:
        """Numbers (1-based, as in messages) of the interactions never replayed."""
        with self._lock:
            return [i + 1 for i in range(len(self._keys)) if i not in self._played]

    def rewind(self) -> None:
        """Start every sequence of identical requests from its first recording again."""
        with self._lock:
            self._plays.clear()
            self._played.clear()

    def explain(self, request: RecordedRequest) -> str:
        """The request, the closest recorded request and how they differ."""
        received = key_of(request)
        lines = [f"no recorded interaction matches {received.describe()}"]
        if received.body is not None:
            body = received.body
            shown = body if len(body) <= _SHOW_BODY else body[:_SHOW_BODY] + "..."
            lines.append(f"  body: {shown}")
        index = closest(self._keys, received)
        if index is None:
            lines.append("the cassette holds no interactions")
            return "\n".join(lines)
        recorded = self._keys[index]
        lines.append(
            f"closest recorded request (interaction {index + 1} of {len(self._keys)}): "
            f"{recorded.describe()}"
        )
        lines.extend(f"  {line}" for line in differences(recorded, received))
        return "\n".join(lines)


class CassetteRouter(respx.MockRouter):
    """A respx ``MockRouter`` answering from a cassette; ``player`` says what was replayed."""

    def __init__(self, player: Player | None = None, **settings: Any) -> None:
        settings.setdefault("assert_all_called", False)
        super().__init__(**settings)
        self.player = player or Player(Cassette())

    def __enter__(self) -> Self:  # respx's says MockRouter: ``with router(...) as r`` keeps ours
        super().__enter__()
        return self


def _cassette(source: Cassette | str | os.PathLike[str]) -> tuple[Cassette, str]:
    if isinstance(source, Cassette):
        return source, "cassette"
    return cformat.load(source), str(Path(source))


def router(
    cassette: Cassette | str | os.PathLike[str],
    *,
    base_url: str | None = None,
    host: str | None = None,
    redactor: Redactor | None = None,
    pass_through: bool = False,
    using: str = "httpcore",
) -> CassetteRouter:
    """A respx router answering from ``cassette`` (a :class:`Cassette` or a path).

    Every host is routed unless ``host`` or ``base_url`` narrows it; requests outside them fail
    (or, with ``pass_through``, go to the network); ``using`` is respx's mocker. Incoming requests
    are redacted as recordings are (``redactor``: the default :class:`Redactor`) before matching.
    A request the cassette does not hold raises :class:`~mockserver.cassette.exchange.CassetteMiss`
    (an ``AssertionError``) naming the closest recorded request. Use it as a context manager::

        with router("tests/cassettes/job.yaml", host="api.telnyx.com"):
            ...
    """
    loaded, name = _cassette(cassette)
    player = Player(loaded)
    scrub = redactor or Redactor()

    def answer(request: httpx.Request) -> httpx.Response:
        recorded = scrub.request(request_from_httpx(request))
        found = player.lookup(recorded)
        if found is None:
            raise CassetteMiss(f"{name}: {player.explain(recorded)}")
        return response_to_httpx(found, request)

    def outside(request: httpx.Request) -> httpx.Response:
        wanted = base_url or host
        raise CassetteMiss(
            f"{name}: {request.method} {request.url} is outside the cassette router's {wanted}"
        )

    mock = CassetteRouter(player, using=using)
    pattern: dict[str, str] = {}
    if host is not None:
        pattern["host"] = host
    if base_url is not None:
        pattern["url__startswith"] = base_url
    mock.route(**pattern).mock(side_effect=answer)
    if pattern:
        if pass_through:
            mock.route().pass_through()
        else:
            mock.route().mock(side_effect=outside)
    return mock
