"""The request journal: every data-plane request and its response, per tenant, bounded in size.

Entries keep the raw bytes (up to ``Settings.journal_body_bytes`` per body) and decode them only
when read, so recording costs a copy, not a parse. Secret headers (``Authorization``, cookies,
``X-Api-Key``: ``mockserver.scrub.SECRET_HEADERS``) are never stored: an entry names its key by a
short fingerprint only. Requests without a valid key go to one anonymous journal, which anyone
may read (``GET /_mock/journal`` without a key: it is how a 401 is debugged), so its bodies are
redacted as they are recorded: every ``external_pin`` becomes ``REDACTED`` (C-JOURNAL-ANONYMOUS).
The voicemail ``pin`` is redacted in every journal, a tenant's own too (S-PIN-REDACTED).
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mockserver import scrub
from mockserver.api_paths import api_path
from mockserver.clock import iso_ms
from mockserver.path_patterns import Matcher, journal_path

#: headers never written to the journal
SECRET_HEADERS = scrub.SECRET_HEADERS


def fingerprint(key: str | None) -> str | None:
    """A short, stable, non-reversible name for an API key (for logs and the journal)."""
    if key is None:
        return None
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def path_matcher(pattern: str) -> Matcher:
    """A matcher for ``pattern``: ``/v2`` optional, ``{name}`` matches one path segment (linear
    time: ``mockserver/path_patterns.py``; the pattern comes from the query string)."""
    return journal_path(pattern)


def c_journal_anonymous(raw: bytes, size: int) -> tuple[bytes, int]:
    """C-JOURNAL-ANONYMOUS: a body of the anonymous journal with its secret fields redacted
    (a body cut short is redacted as far as it goes); ``size`` follows a complete body."""
    found = scrub.json_bytes(raw, scrub.SECRET_FIELDS) if raw else None
    if found is None:
        return raw, size
    return found, len(found) if len(raw) == size else size


def s_pin_redacted(raw: bytes, size: int) -> tuple[bytes, int]:
    """S-PIN-REDACTED: the voicemail PIN never reaches any journal (a tenant's own included):
    every ``pin`` field's value becomes ``REDACTED`` (a body cut short as far as it goes)."""
    found = scrub.json_bytes(raw, scrub.ALWAYS_FIELDS) if b"pin" in raw else None
    if found is None:
        return raw, size
    return found, len(found) if len(raw) == size else size


def decode_body(raw: bytes, size: int) -> Any:
    """A stored body as JSON when it is JSON, else as text; ``None`` when empty."""
    if size == 0:
        return None
    if len(raw) == size:
        try:
            return json.loads(raw)
        except ValueError:
            pass
    return raw.decode("utf-8", "replace")


def describe(entry: Mapping[str, Any]) -> str:
    """One line for assertion messages, from an entry's JSON: ``POST /v2/... -> 202 json={...}``."""
    target = entry["path"] + (f"?{entry['query']}" if entry.get("query") else "")
    body = entry.get("request")
    shown = "" if body is None else f" json={json.dumps(body)[:300]}"
    return f"{entry['method']} {target} -> {entry['status'] or 'dropped'}{shown}"


@dataclass(frozen=True, slots=True)
class Entry:
    """One request and its response (``status`` is ``None`` when the connection was dropped)."""

    seq: int
    at_ms: int
    key: str | None
    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    request: bytes
    request_size: int
    status: int | None
    response: bytes
    response_size: int
    fault: str | None

    def request_json(self) -> Any:
        return decode_body(self.request, self.request_size)

    def response_json(self) -> Any:
        return decode_body(self.response, self.response_size)

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": iso_ms(self.at_ms),
            "key": self.key,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": dict(self.headers),
            "request": self.request_json(),
            "request_bytes": self.request_size,
            "status": self.status,
            "response": self.response_json(),
            "response_bytes": self.response_size,
            "fault": self.fault,
        }


class Journal:
    """One tenant's journal: the last ``size`` entries, oldest first."""

    def __init__(self, size: int, *, redact: bool = False) -> None:
        self._entries: deque[Entry] = deque(maxlen=max(0, size))
        self.total = 0
        #: the anonymous journal: bodies are redacted before they are kept
        self.redact = redact

    @property
    def dropped(self) -> int:
        """Entries evicted to keep the journal bounded."""
        return self.total - len(self._entries)

    def record(
        self,
        *,
        at_ms: int,
        key: str | None,
        method: str,
        path: str,
        query: str,
        headers: Iterable[tuple[str, str]],
        request: bytes,
        request_size: int,
        status: int | None,
        response: bytes,
        response_size: int,
        fault: str | None,
    ) -> Entry:
        self.total += 1
        if self.redact:
            request, request_size = c_journal_anonymous(request, request_size)
            response, response_size = c_journal_anonymous(response, response_size)
        else:
            request, request_size = s_pin_redacted(request, request_size)
            response, response_size = s_pin_redacted(response, response_size)
        entry = Entry(
            self.total, at_ms, key, method, path, query,
            tuple((k, v) for k, v in headers if k not in SECRET_HEADERS),
            request, request_size, status, response, response_size, fault,
        )  # fmt: skip
        self._entries.append(entry)
        return entry

    def entries(self, method: str | None = None, path: str | None = None) -> list[Entry]:
        """Retained entries, oldest first; ``path`` as in :func:`path_matcher`."""
        found: Iterable[Entry] = self._entries
        if method:
            wanted = method.upper()
            found = (e for e in found if e.method == wanted)
        if path:
            matcher = path_matcher(path)
            found = (e for e in found if matcher.matches(api_path(e.path)))
        return list(found)

    def clear(self) -> int:
        cleared = len(self._entries)
        self._entries.clear()
        self.total = 0
        return cleared

    def __len__(self) -> int:
        return len(self._entries)


class Journals:
    """Every tenant's journal, plus the anonymous one (key ``None``)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._journals: dict[str | None, Journal] = {}

    def of(self, key: str | None) -> Journal:
        journal = self._journals.get(key)
        if journal is None:
            journal = self._journals[key] = Journal(self.size, redact=key is None)
        return journal

    def clear(self, key: str | None) -> int:
        journal = self._journals.pop(key, None)
        return 0 if journal is None else len(journal)

    def clear_all(self) -> None:
        self._journals.clear()

    def keys(self) -> list[str]:
        """The keys that sent at least one journaled request, in the order they first did."""
        return [key for key, journal in self._journals.items() if key is not None and journal.total]
