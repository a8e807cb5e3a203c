"""The emulator's outermost ASGI layer: request journal, fault injection, rate limit, access log.

A pure ASGI middleware (no ``BaseHTTPMiddleware``): it tees the request and response bodies as
they stream past instead of re-buffering them. It wraps Starlette's own error middleware, so a
``drop`` fault can leave without any response at all. ``/_mock/`` requests are logged but never
journaled, faulted or rate limited; nor, while the controls are on, are data-plane requests
marked with the ``INTERNAL`` header, which the pytest plugin's handle sends to read its tenant.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any
from urllib.parse import unquote_plus

from starlette.datastructures import State
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver import errors
from mockserver.clock import Clock
from mockserver.config import Settings
from mockserver.faults import ConnectionDropped, Faults, RateLimiter
from mockserver.http.common import STATE_KEY, STATE_TENANT
from mockserver.journal import Journals, fingerprint
from mockserver.tenants import Tenants, r_auth, r_auth_allowlist

ACCESS_LOG = logging.getLogger("mockserver.access")
#: a request with this header is the test's own look at its tenant, not traffic under test
INTERNAL = "x-telnyx-mock-internal"
#: the status of the start message a drop sends: servers refuse it after marking the response
#: started, so they close the connection instead of answering 500 (see ``ConnectionDropped``)
ABORT_STATUS = 0
#: how a latency fault waits (a name of its own, so a test can observe it without waiting)
sleep = asyncio.sleep


def is_control(path: str) -> bool:
    return path == "/_mock" or path.startswith("/_mock/")


class EmulatorMiddleware:
    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.settings: Settings = state.settings
        self.clock: Clock = state.clock
        self.tenants: Tenants = state.tenants
        self.journals: Journals = state.journals
        self.faults: Faults = state.faults
        self.limiter: RateLimiter | None = state.limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # the bearer key is read once per request; handlers take it (and the tenant, once
        # resolved) from the request's state
        raw_key = r_auth(_header(scope, b"authorization"))
        key = r_auth_allowlist(raw_key, self.settings.api_keys)
        scope.setdefault("state", {})[STATE_KEY] = key
        if is_control(scope["path"]) or (
            self.settings.control and _header(scope, INTERNAL.encode()) is not None
        ):
            if ACCESS_LOG.isEnabledFor(logging.INFO):
                await _Exchange(self, scope, receive, send, raw_key, key, journal=False).run()
            else:
                await self.app(scope, receive, send)
        else:
            await _Exchange(self, scope, receive, send, raw_key, key, journal=True).run()


class _Exchange:
    """One request/response pair passing through the middleware."""

    def __init__(
        self, layer: EmulatorMiddleware, scope: Scope, receive: Receive, send: Send,
        raw_key: str | None, key: str | None, *, journal: bool,
    ) -> None:  # fmt: skip
        self.layer = layer
        self.scope = scope
        self.raw_key = raw_key  # the bearer key as sent (journal fingerprints), accepted or not
        self.key = key  # the accepted key, or None
        self._receive = receive
        self._send = send
        self.journaled = journal
        self.limit = layer.settings.journal_body_bytes if journal else 0
        self.request = bytearray()
        self.request_size = 0
        self.response = bytearray()
        self.response_size = 0
        self.status: int | None = None
        self.fault: str | None = None
        self.extra: dict[str, str] = {}
        self.request_done = False
        self.at_ms = 0
        self.recorded = False

    # -- the tee ----------------------------------------------------------------------------------
    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            chunk: bytes = message.get("body", b"")
            self.request_size += len(chunk)
            if len(self.request) < self.limit:
                self.request += chunk[: self.limit - len(self.request)]
            self.request_done = not message.get("more_body", False)
        elif message["type"] == "http.disconnect":
            self.request_done = True
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            if self.extra:
                raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in self.extra.items()]
                message = {**message, "headers": [*message.get("headers", []), *raw]}
        elif message["type"] == "http.response.body":
            chunk: bytes = message.get("body", b"")
            self.response_size += len(chunk)
            if len(self.response) < self.limit:
                self.response += chunk[: self.limit - len(self.response)]
            if self.journaled and not message.get("more_body", False):
                # in the journal before the client has the whole response: a test that reads
                # the journal right after its request finds it (never a race with this record)
                self.record()
        await self._send(message)

    def record(self) -> None:
        """The exchange in its tenant's journal, once."""
        if not self.recorded:
            self.recorded = True
            self._record(self.key, self.raw_key, self.at_ms)

    async def drain(self) -> None:
        """Read the request body the handler will not read (it is journaled all the same)."""
        while not self.request_done:
            await self.receive()

    async def respond(self, error: errors.ApiError) -> None:
        await self.drain()
        body = json.dumps(error.to_json(), separators=(",", ":")).encode("utf-8")
        headers = {**self.extra, **{k.lower(): v for k, v in error.headers.items()}}
        self.extra = {}
        raw = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        raw += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        await self.send({"type": "http.response.start", "status": error.status, "headers": raw})
        await self.send({"type": "http.response.body", "body": body})

    async def drop(self) -> None:
        await self.drain()
        # the server refuses this start after marking the response started: it then closes
        with contextlib.suppress(Exception):
            await self._send({"type": "http.response.start", "status": ABORT_STATUS, "headers": []})
        raise ConnectionDropped(f"{self.scope['method']} {self.scope['path']}")

    # -- the exchange -----------------------------------------------------------------------------
    async def run(self) -> None:
        layer = self.layer
        started = time.perf_counter()
        raw_key, key = self.raw_key, self.key
        at_ms = 0
        if self.journaled:
            if key is not None:
                tenant = self.scope["state"][STATE_TENANT] = layer.tenants.get(key)
                at_ms = tenant.now()
            else:
                at_ms = layer.clock.now_ms()
        self.at_ms = at_ms
        try:
            if key is not None and self.journaled:
                await self._faulted(key, at_ms)
            if self.status is None:
                await layer.app(self.scope, self.receive, self.send)
        finally:
            if self.journaled:
                self.record()  # a dropped connection or a failure: no last body was sent
            if ACCESS_LOG.isEnabledFor(logging.INFO):
                self._log(raw_key, time.perf_counter() - started)

    async def _faulted(self, key: str, at_ms: int) -> None:
        """Apply the rate limit and the tenant's faults; answer here if one of them does."""
        layer = self.layer
        if layer.limiter is not None:
            allowance = layer.limiter.take(key, at_ms)
            self.extra = allowance.headers()
            if not allowance.allowed:
                self.fault = "rate_limit"
                await self.respond(allowance.error())
                return
        faults = layer.faults.peek(key)
        if faults is None:
            return
        delay, fault = faults.match(self.scope["method"], self.scope["path"])
        if delay:
            self.fault = "latency"
            await sleep(delay / 1000)
        if fault is None:
            return
        self.fault = f"latency,{fault.label}" if delay else fault.label
        if fault.kind == "drop":
            await self.drop()
        await self.respond(fault.error())

    def _record(self, key: str | None, raw_key: str | None, at_ms: int) -> None:
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self.scope["headers"]]
        self.layer.journals.of(key).record(
            at_ms=at_ms,
            key=fingerprint(raw_key),
            method=self.scope["method"],
            path=self.scope["path"],
            query=self.scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            request=bytes(self.request),
            request_size=self.request_size,
            status=self.status if self.status != ABORT_STATUS else None,
            response=bytes(self.response),
            response_size=self.response_size,
            fault=self.fault,
        )

    def _log(self, raw_key: str | None, seconds: float) -> None:
        status = self.status if self.status not in (None, ABORT_STATUS) else None
        fields: dict[str, Any] = {
            "event": "request",
            "method": self.scope["method"],
            "path": self.scope["path"],
            "query": without_key(self.scope.get("query_string", b"").decode("latin-1")),
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "key": fingerprint(raw_key),
            "fault": self.fault,
        }
        target = fields["path"] + (f"?{fields['query']}" if fields["query"] else "")
        ACCESS_LOG.info(
            "%s %s %s %.1fms key=%s%s", fields["method"], target, status or "dropped",
            fields["duration_ms"], fields["key"] or "-",
            f" fault={self.fault}" if self.fault else "", extra={"fields": fields},
        )  # fmt: skip


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            text: str = value.decode("latin-1")
            return text
    return None


def without_key(query: str) -> str:
    """A query string for the log: the value of every ``key`` parameter (a dashboard link,
    ``/_mock/ui?key=...``, carries a tenant's API key) replaced by ``[redacted]``."""
    if not query:
        return query
    parts = query.split("&")
    for i, part in enumerate(parts):
        name, sep, _ = part.partition("=")
        if unquote_plus(name).strip().lower() == "key":
            parts[i] = f"{name}{sep}[redacted]" if sep else name
    return "&".join(parts)
