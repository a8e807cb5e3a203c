"""The recording proxy behind ``telnyx-mock record``: an ASGI app that forwards to an upstream.

Every request is forwarded as it came (method, path, query, body, headers minus hop-by-hop ones
and ``Host``) to ``upstream`` + its path, and the upstream's answer goes back to the client. The
exchange is recorded through a :class:`~mockserver.cassette.session.CassetteSession`: redacted,
appended and written atomically before the client gets the response, so the file always holds
every finished exchange and never a secret.

The record mode decides as in VCR.py: a recorded request is answered from the cassette when the
mode replays (``once``/``new_episodes``/``none`` with an existing file), an unrecorded one is
forwarded when the mode records, and otherwise gets a Telnyx-shaped 404 naming the closest
recording (header ``x-telnyx-mock-record: miss``). An upstream that cannot be reached or breaks
off answers a Telnyx-shaped 502 and nothing is recorded for that exchange.

``transport`` is injectable: tests and ``fixtures/record_cassettes.py`` point the proxy at the
in-process emulator with ``mockserver.transport.ASGIBridge(app)``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from mockserver import api_paths, errors
from mockserver.cassette.exchange import request_from_httpx, response_from_httpx
from mockserver.cassette.format import RecordedResponse
from mockserver.cassette.session import CassetteSession
from mockserver.http.common import error_response
from mockserver.scrub import without_userinfo

log = logging.getLogger("mockserver")

MISS_HEADER = "x-telnyx-mock-record"
#: not forwarded: hop-by-hop headers (RFC 9110 7.6.1), Host (the upstream's own) and the
#: framing headers httpx sets from the body it sends
_REQUEST_DROPPED = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
})  # fmt: skip
#: not copied back: hop-by-hop headers and the body's framing (the client gets decoded bytes)
_RESPONSE_DROPPED = _REQUEST_DROPPED - {"host"} | {"content-encoding"}


def _envelope(
    status: int, code: str, title: str, detail: str, headers: dict[str, str] | None = None
) -> Response:
    err = errors.error(status, code, title, detail, pointer="/base")
    err.headers = dict(headers or {})
    return error_response(err)


def _response(status: int, headers: list[tuple[str, str]], body: bytes) -> Response:
    out = Response(body, status_code=status)
    for name, value in headers:
        if name.lower() not in _RESPONSE_DROPPED:
            out.headers.append(name, value)
    return out


def _from_recording(recorded: RecordedResponse) -> Response:
    pairs = [(k, v) for k, values in recorded.headers.items() for v in values]
    return _response(recorded.status, pairs, recorded.body.encode("utf-8"))


class RecordingProxy:
    """The ASGI endpoint: every method, every path."""

    def __init__(
        self,
        upstream: str,
        session: CassetteSession,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 60.0,
    ) -> None:
        base = httpx.URL(upstream)
        if base.scheme not in ("http", "https") or not base.host:
            raise ValueError(f"not an http(s) URL: {without_userinfo(upstream)!r}")
        self.upstream = str(base).rstrip("/")
        #: scheme and host (the path rule of ``api_paths`` places every path below ``base``)
        self.origin = str(base.copy_with(raw_path=b"/", query=None)).rstrip("/")
        self.base_path = base.raw_path.decode("ascii").partition("?")[0]
        # shown in messages: no credentials, no path or query
        self.shown = str(base.copy_with(username=None, password=None, raw_path=b"/")).rstrip("/")
        self.session = session
        self.timeout = httpx.Timeout(timeout)
        self.client = httpx.AsyncClient(transport=transport, follow_redirects=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.respond(Request(scope, receive))
        await response(scope, receive, send)

    def upstream_request(self, request: Request, body: bytes) -> httpx.Request:
        raw_path = request.scope.get("raw_path") or request.url.path.encode("utf-8")
        query = request.scope.get("query_string", b"")
        path = api_paths.upstream_path(self.base_path, raw_path.decode("latin-1"))
        target = path + (f"?{query.decode('latin-1')}" if query else "")
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _REQUEST_DROPPED]
        return httpx.Request(
            request.method,
            httpx.URL(self.origin + target),
            headers=headers,
            content=body or None,
            extensions={"timeout": self.timeout.as_dict()},
        )

    async def respond(self, request: Request) -> Response:
        outgoing = self.upstream_request(request, await request.body())
        recorded = request_from_httpx(outgoing)
        found = self.session.replay(recorded)
        if found is not None:
            return _from_recording(found)
        if not self.session.may_record:
            detail = str(self.session.miss(recorded))
            return _envelope(
                404, errors.NOT_FOUND, errors.T_NOT_RECORDED, detail, {MISS_HEADER: "miss"}
            )
        try:
            upstream = await self.client.send(outgoing)
        except httpx.RequestError as exc:  # unreachable, timed out, broke off, bad encoding
            why = type(exc).__name__
            log.warning("telnyx-mock record: %s %s: upstream failed (%s), nothing recorded",
                        request.method, request.url.path, why)  # fmt: skip
            detail = errors.D_BAD_GATEWAY.format(upstream=self.shown, why=why)
            return _envelope(502, errors.UNEXPECTED, errors.T_BAD_GATEWAY, detail)
        await run_in_threadpool(self.session.record, recorded, response_from_httpx(upstream))
        return _response(upstream.status_code, upstream.headers.multi_items(), upstream.content)

    async def aclose(self) -> None:
        await self.client.aclose()


def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("telnyx-mock record: %s %s failed: %r", request.method, request.url.path, exc)
    return _envelope(500, errors.UNEXPECTED, errors.T_UNEXPECTED, errors.D_UNEXPECTED)


def create_proxy_app(
    upstream: str,
    session: CassetteSession,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 60.0,
) -> Starlette:
    """The recording proxy for ``upstream`` (``https://api.telnyx.com``; a path prefix is kept
    and the client's path appended, an API path always once with ``/v2``, whether the client
    sent it or not: ``api_paths``) writing through ``session``."""
    proxy = RecordingProxy(upstream, session, transport=transport, timeout=timeout)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await proxy.aclose()

    app = Starlette(
        routes=[Route("/{path:path}", proxy)],
        exception_handlers={Exception: _unexpected},
        lifespan=lifespan,
    )
    app.state.proxy = proxy
    return app
