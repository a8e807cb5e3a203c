"""Request matching: what makes a request "the same" as a recorded one, and how close two are.

Two requests match when their method, path, query (a multiset of ``name=value`` pairs, order
ignored) and body agree. JSON bodies are compared parsed (key order and spacing ignored); other
bodies as text; no body and an empty body are the same. Scheme, host, port and headers are not
compared, so a cassette recorded against one host replays against another.

When nothing matches, :func:`closest` scores every recorded request (path, then method, query and
body) and :func:`differences` says, field by field, how the best one differs.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from mockserver.cassette.format import RecordedRequest

_SHOW = 160  # characters of a body or value shown in a message
_MAX_BODY_DIFFS = 6


@dataclass(frozen=True)
class Key:
    """A request reduced to what matching compares (hashable: the index of a cassette)."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]  # sorted: a multiset
    body: str | None  # canonical JSON, or the text itself
    is_json: bool

    def describe(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query)
        return f"{self.method} {self.path}" + (f"?{query}" if query else "")

    def json(self) -> Any:
        return json.loads(self.body) if self.is_json and self.body is not None else None


def canonical_json(text: str) -> str | None:
    """``text`` as canonical JSON (sorted keys, no spaces), or ``None`` if it is not JSON."""
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def key_of(request: RecordedRequest) -> Key:
    parts = urlsplit(request.uri)
    query = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    body: str | None = request.body or None
    is_json = False
    if body is not None:
        parsed = canonical_json(body)
        if parsed is not None:
            body, is_json = parsed, True
    return Key(request.method.upper(), unquote(parts.path) or "/", query, body, is_json)


# -- closeness ----------------------------------------------------------------------------------


def _path_score(a: str, b: str) -> float:
    if a == b:
        return 1.0
    sa, sb = a.strip("/").split("/"), b.strip("/").split("/")
    same = sum(1 for x, y in zip(sa, sb, strict=False) if x == y)
    return same / max(len(sa), len(sb)) * 0.9


def _multiset_score(a: Iterable[Any], b: Iterable[Any]) -> float:
    ca, cb = Counter(list(a)), Counter(list(b))
    union = sum((ca | cb).values())
    return 1.0 if union == 0 else sum((ca & cb).values()) / union


def _body_score(a: Key, b: Key) -> float:
    if a.body == b.body:
        return 1.0
    ja, jb = a.json(), b.json()
    if isinstance(ja, dict) and isinstance(jb, dict):
        items = [json.dumps(kv, sort_keys=True) for kv in ja.items()]
        others = [json.dumps(kv, sort_keys=True) for kv in jb.items()]
        keys = _multiset_score(list(ja), list(jb))
        return 0.9 * (keys + _multiset_score(items, others)) / 2
    return 0.0


def score(recorded: Key, received: Key) -> float:
    """How alike two requests are: 10 for a match, the path weighing most."""
    return (
        4 * _path_score(recorded.path, received.path)
        + 2 * (recorded.method == received.method)
        + 2 * _multiset_score(recorded.query, received.query)
        + 2 * _body_score(recorded, received)
    )


def closest(keys: Sequence[Key], received: Key) -> int | None:
    """The index of the recorded request most like ``received`` (the first among equals)."""
    best: int | None = None
    best_score = -1.0
    for index, key in enumerate(keys):
        value = score(key, received)
        if value > best_score:
            best, best_score = index, value
    return best


# -- differences --------------------------------------------------------------------------------


def _short(text: str) -> str:
    return text if len(text) <= _SHOW else text[: _SHOW - 3] + "..."


def _value(value: Any) -> str:
    return _short(json.dumps(value, ensure_ascii=False))


def _json_diffs(recorded: Any, received: Any, pointer: str, out: list[str]) -> None:
    if len(out) > _MAX_BODY_DIFFS:
        return
    if isinstance(recorded, dict) and isinstance(received, dict):
        for name in [*recorded, *(k for k in received if k not in recorded)]:
            where = f"{pointer}/{name}"
            if name not in received:
                out.append(f"body {where}: recorded {_value(recorded[name])}, received nothing")
            elif name not in recorded:
                out.append(f"body {where}: not recorded, received {_value(received[name])}")
            else:
                _json_diffs(recorded[name], received[name], where, out)
        return
    if isinstance(recorded, list) and isinstance(received, list) and len(recorded) == len(received):
        for index, (a, b) in enumerate(zip(recorded, received, strict=True)):
            _json_diffs(a, b, f"{pointer}/{index}", out)
        return
    if json.dumps(recorded, sort_keys=True) != json.dumps(received, sort_keys=True):
        where = pointer or "/"
        out.append(f"body {where}: recorded {_value(recorded)}, received {_value(received)}")


def _pairs(pairs: Iterable[tuple[str, str]]) -> str:
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def differences(recorded: Key, received: Key) -> list[str]:
    """One line per difference between a recorded request and a received one."""
    out: list[str] = []
    if recorded.method != received.method:
        out.append(f"method: recorded {recorded.method}, received {received.method}")
    if recorded.path != received.path:
        out.append(f"path: recorded {recorded.path}, received {received.path}")
    if Counter(recorded.query) != Counter(received.query):
        only_recorded = Counter(recorded.query) - Counter(received.query)
        only_received = Counter(received.query) - Counter(recorded.query)
        out.append(
            f"query: only recorded: {_pairs(only_recorded.elements()) or '(none)'}; "
            f"only received: {_pairs(only_received.elements()) or '(none)'}"
        )
    if recorded.body != received.body:
        if recorded.is_json and received.is_json:
            found: list[str] = []
            _json_diffs(recorded.json(), received.json(), "", found)
            out.extend(found[:_MAX_BODY_DIFFS])
        else:
            out.append(
                f"body: recorded {_short(recorded.body or '(none)')}, "
                f"received {_short(received.body or '(none)')}"
            )
    return out
