"""An httpx transport that serves requests from an ASGI app in-process: no socket, no port.

``ASGIBridge`` works for sync clients (the app runs on a private event loop in a daemon thread,
so it also works when the caller is itself inside an event loop) and for async clients (the app
runs on the caller's loop). This is the in-process target of the contract suite, the transport of
the pytest plugin and what the respx router forwards to.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import httpx

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]


class _LoopThread:
    """One event loop in a daemon thread, shared by every sync bridge in the process."""

    _lock = threading.Lock()
    _loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def loop(cls) -> asyncio.AbstractEventLoop:
        with cls._lock:
            if cls._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="telnyx-mock-asgi", daemon=True
                )
                thread.start()
                cls._loop = loop
            return cls._loop


_local = threading.local()


def _thread_loop() -> asyncio.AbstractEventLoop:
    """This thread's private loop for sync calls (kept for the thread's life)."""
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = _local.loop = asyncio.new_event_loop()
    return loop


async def _call(app: ASGIApp, request: httpx.Request, body: bytes) -> httpx.Response:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "headers": [(k.lower(), v) for k, v in request.headers.raw],
        "scheme": request.url.scheme,
        "path": request.url.path,
        "raw_path": request.url.raw_path.split(b"?", 1)[0],
        "query_string": request.url.query,
        "server": (
            request.url.host,
            request.url.port or (443 if request.url.scheme == "https" else 80),
        ),
        "client": ("127.0.0.1", 123),
        "root_path": "",
    }
    sent = False
    started = False
    status = 500
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal started, status, headers
        if message["type"] == "http.response.start":
            if not 100 <= message["status"] <= 599:  # as a server does: refuse, then hang up
                raise RuntimeError(f"invalid HTTP status {message['status']!r}")
            started, status = True, message["status"]
            headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    try:
        await app(scope, receive, send)
    except Exception as exc:
        if started:
            raise
        # the app closed the connection without answering (a ``drop`` fault): what httpx
        # raises when a server does that
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        ) from exc
    return httpx.Response(status, headers=headers, content=b"".join(chunks), request=request)


class ASGIBridge(httpx.BaseTransport, httpx.AsyncBaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop in this thread: run here, no thread hop
            return _thread_loop().run_until_complete(_call(self.app, request, body))
        future = asyncio.run_coroutine_threadsafe(
            _call(self.app, request, body), _LoopThread.loop()
        )
        return future.result()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        return await _call(self.app, request, body)


def client(
    app: ASGIApp, *, api_key: str | None = "test-key", base_url: str = "https://api.telnyx.com"
) -> httpx.Client:
    """A sync ``httpx.Client`` bound to ``app`` in-process, authenticated as ``api_key``."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return httpx.Client(transport=ASGIBridge(app), base_url=base_url, headers=headers)
