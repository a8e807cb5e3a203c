"""The ASGI app behind ``telnyx-mock replay``: a cassette served over HTTP for any client.

Every request is redacted as recordings are, then matched by the same :class:`Player` as the
in-process replay (method, path, query, JSON body; repeated polls in recorded order, the last one
repeating). A request the cassette does not hold gets a Telnyx-shaped 404 whose ``detail`` names
the closest recorded request (and an ``x-telnyx-mock-replay: miss`` header), never a 500.

Two controls answer when the cassette does not hold the request itself:
``GET /_mock/health`` (liveness and the number of interactions) and ``POST /_mock/reset``
(start every sequence of repeated requests from its first recording again).
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from mockserver import api_paths, errors
from mockserver.cassette.format import Cassette, RecordedRequest, RecordedResponse, headers_from
from mockserver.cassette.miss import MISS_HEADER, NO_RETRY, miss_error
from mockserver.cassette.redact import Redactor
from mockserver.cassette.replay import Player
from mockserver.http.common import error_response

__all__ = ["MISS_HEADER", "create_replay_app"]
_DROPPED = frozenset({"content-length", "transfer-encoding", "content-encoding", "connection"})


def _recorded(response: RecordedResponse) -> Response:
    out = Response(response.body.encode("utf-8"), status_code=response.status)
    for name, values in response.headers.items():
        if name.lower() in _DROPPED:
            continue
        for value in values:
            out.headers.append(name, value)
    return out


def _envelope(status: int, code: str, title: str, detail: str) -> Response:
    err = errors.error(status, code, title, detail, pointer="/base")
    err.headers = {MISS_HEADER: "miss", **NO_RETRY}
    return error_response(err)


class _Endpoint:
    """A plain ASGI endpoint (so Starlette routes every method to it)."""

    def __init__(self, cassette: Cassette, redactor: Redactor, source: str) -> None:
        self.cassette = cassette
        self.player = Player(cassette)
        self.redactor = redactor
        self.source = source

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.respond(request)
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        body = await request.body()
        recorded = self.redactor.request(
            RecordedRequest(
                method=request.method,
                uri=str(request.url),
                headers=headers_from(request.headers.items()),
                body=body.decode("utf-8", errors="replace") if body else None,
            )
        )
        found = self.player.lookup(recorded)
        if found is None:  # the path rule of every server mode: with or without /v2
            parts = urlsplit(recorded.uri)
            other = api_paths.alternate(parts.path)
            if other is not None:
                uri = urlunsplit(parts._replace(path=other))
                found = self.player.lookup(dataclasses.replace(recorded, uri=uri))
        if found is not None:
            return _recorded(found)
        control = self._control(request)
        if control is not None:
            return control
        detail = errors.D_NOT_RECORDED.format(source=self.source, why=self.player.explain(recorded))
        return error_response(miss_error(detail))

    def _control(self, request: Request) -> Response | None:
        path = request.url.path
        if path == "/_mock/health" and request.method in ("GET", "HEAD"):
            data: dict[str, Any] = {
                "status": "ok",
                "mode": "replay",
                "cassette": self.source,
                "interactions": len(self.cassette),
            }
            return JSONResponse({"data": data})
        if path == "/_mock/reset" and request.method == "POST":
            self.player.rewind()
            return JSONResponse({"data": {"rewound": True}})
        return None


def _unexpected(request: Request, exc: Exception) -> Response:
    return _envelope(500, errors.UNEXPECTED, errors.T_UNEXPECTED, errors.D_UNEXPECTED)


def create_replay_app(
    cassette: Cassette, *, redactor: Redactor | None = None, source: str = "cassette"
) -> Starlette:
    """An app answering every request from ``cassette`` (``source``: its name in messages)."""
    endpoint = _Endpoint(cassette, redactor or Redactor(), source)
    app = Starlette(
        routes=[Route("/{path:path}", endpoint)],
        exception_handlers={Exception: _unexpected},
    )
    app.state.player = endpoint.player
    return app
