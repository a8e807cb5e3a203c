"""Recording as an httpx transport: wrap the transport a client would use, no monkeypatching.

::

    transport = RecordingTransport("tests/cassettes/jobs.yaml", mode="once")
    with httpx.Client(transport=transport, base_url="https://api.telnyx.com/v2") as client:
        ...

Each request is answered from the cassette when the record mode replays and the cassette holds
it; otherwise it is forwarded to the inner transport (default: httpx's own, so the network), the
response is read in full and the exchange is redacted and written before the client sees it. When
the mode allows neither, :class:`~mockserver.cassette.session.CassetteMiss` (an AssertionError)
names the closest recorded request. An exchange that fails (the inner transport raises, or the
response body breaks off) writes nothing and the error propagates; earlier exchanges stay on disk.
"""

from __future__ import annotations

import os

import httpx

from mockserver.cassette.exchange import request_from_httpx, response_from_httpx, response_to_httpx
from mockserver.cassette.redact import Redactor
from mockserver.cassette.session import CassetteSession, RecordMode

Inner = httpx.BaseTransport | httpx.AsyncBaseTransport


class RecordingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An httpx transport (sync and async) that replays and records one cassette.

    ``cassette`` is a path (with ``mode`` and ``redactor``) or a ready
    :class:`~mockserver.cassette.session.CassetteSession`. ``inner`` is where unrecorded requests
    go: a sync or async transport or one that is both (``ASGIBridge``); by default a fresh
    ``httpx.HTTPTransport``/``AsyncHTTPTransport`` is made on first use.
    """

    def __init__(
        self,
        cassette: CassetteSession | str | os.PathLike[str],
        mode: str | RecordMode = RecordMode.ONCE,
        *,
        redactor: Redactor | None = None,
        inner: Inner | None = None,
    ) -> None:
        if isinstance(cassette, CassetteSession):
            self.session = cassette
        else:
            self.session = CassetteSession(cassette, mode, redactor)
        self.inner = inner
        self._sync: httpx.BaseTransport | None = None
        self._async: httpx.AsyncBaseTransport | None = None

    @property
    def mode(self) -> RecordMode:
        return self.session.mode

    def _sync_inner(self) -> httpx.BaseTransport:
        if self._sync is None:
            if self.inner is None:
                self._sync = httpx.HTTPTransport()
            elif isinstance(self.inner, httpx.BaseTransport):
                self._sync = self.inner
            else:
                raise TypeError("RecordingTransport: the inner transport is async-only")
        return self._sync

    def _async_inner(self) -> httpx.AsyncBaseTransport:
        if self._async is None:
            if self.inner is None:
                self._async = httpx.AsyncHTTPTransport()
            elif isinstance(self.inner, httpx.AsyncBaseTransport):
                self._async = self.inner
            else:
                raise TypeError("RecordingTransport: the inner transport is sync-only")
        return self._async

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        recorded = request_from_httpx(request)
        found = self.session.replay(recorded)
        if found is not None:
            return response_to_httpx(found, request)
        if not self.session.may_record:
            raise self.session.miss(recorded)
        response = self._sync_inner().handle_request(request)
        try:
            response.read()
        finally:
            response.close()
        kept = response_from_httpx(response)
        self.session.record(recorded, kept)
        return response_to_httpx(kept, request)  # a fresh, readable copy of what was read

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        recorded = request_from_httpx(request)
        found = self.session.replay(recorded)
        if found is not None:
            return response_to_httpx(found, request)
        if not self.session.may_record:
            raise self.session.miss(recorded)
        response = await self._async_inner().handle_async_request(request)
        try:
            await response.aread()
        finally:
            await response.aclose()
        kept = response_from_httpx(response)
        self.session.record(recorded, kept)
        return response_to_httpx(kept, request)

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.aclose()


class UpstreamTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Sends every request to ``upstream`` (``scheme://host[:port][/prefix]``) instead of its own
    host, path and query kept: a :class:`RecordingTransport`'s ``inner`` for recording from a
    local emulator while the client (and the cassette) still say ``api.telnyx.com``."""

    def __init__(self, upstream: str) -> None:
        self.upstream = httpx.URL(upstream.rstrip("/"))
        self._sync = httpx.HTTPTransport()
        self._async = httpx.AsyncHTTPTransport()

    def redirect(self, request: httpx.Request) -> httpx.Request:
        url = request.url.copy_with(
            scheme=self.upstream.scheme,
            host=self.upstream.host,
            port=self.upstream.port,
            raw_path=self.upstream.raw_path.rstrip(b"/") + request.url.raw_path,
        )
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "host"]
        return httpx.Request(request.method, url, headers=headers, content=request.content)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return self._sync.handle_request(self.redirect(request))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return await self._async.handle_async_request(self.redirect(request))

    def close(self) -> None:
        self._sync.close()

    async def aclose(self) -> None:
        await self._async.aclose()
