"""Serving over HTTP: uvicorn (h11) with bounded time per connection, for ``serve``, ``record``
and ``replay``; and, for ``serve --state FILE``, the server that saves the state around it.

uvicorn closes a keep-alive connection that stays idle for ``timeout_keep_alive`` seconds, but it
has no timeout for a request that never ends: a client that opens a connection and sends nothing,
half a request line, headers without their blank line, or fewer body bytes than its
``Content-Length`` keeps the connection (and a file descriptor) for as long as it likes, and a few
thousand such clients exhaust the server. :class:`DeadlineH11Protocol` gives every request a
deadline: from the moment its connection opens (the first request) or its first byte arrives
(later ones) until it has been received in full, at most ``request_timeout`` seconds; then the
connection is closed. The deadline is not renewed by each byte (a client trickling one byte a
second would otherwise hold on for ever), and time during which the server itself stops reading
(its buffer is full because the app has not read the body yet) does not count against the client.
Once a request is in, the app takes as long as it needs (a latency fault may hold it for 60 s).

With ``--state FILE`` (:class:`StateSaving`) the server is a :class:`SavingServer`: it writes a
snapshot every ``--state-interval`` while it runs and once more after it has shut down (SIGINT
and SIGTERM included: uvicorn re-raises the signal only after that), when every connection has
drained, so no request is saved half-applied. Each write is atomic (``mockserver.state_file``).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h11
import uvicorn
from starlette.datastructures import State
from uvicorn.protocols.http.h11_impl import H11Protocol

from mockserver import state_file

#: seconds a keep-alive connection may stay idle between requests (uvicorn's default, explicit)
KEEP_ALIVE_TIMEOUT = 5
#: seconds a client has to send a whole request (line, headers and body)
REQUEST_TIMEOUT = 10.0


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol plus a deadline for receiving each request (see the module)."""

    request_timeout: float = REQUEST_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._served = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        self._served = True
        super().on_response_complete()
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    def receiving(self) -> bool:
        """Whether a request is on its way in: a new connection, part of a request buffered, or
        a body still being sent (an idle keep-alive connection is uvicorn's own business)."""
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            return True
        if state is h11.IDLE:
            return not self._served or bool(self.conn.trailing_data[0])
        return False

    def _watch(self) -> None:
        if self.transport.is_closing() or not self.receiving():
            self._cancel()
        elif self._deadline is None:
            self._deadline = self.loop.call_later(self.request_timeout, self._expire)

    def _cancel(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self.transport.is_closing() or not self.receiving():
            return
        if self.flow.read_paused:  # the app has not read what came: the client is not late
            self._watch()
            return
        self.transport.close()


def protocol(request_timeout: float = REQUEST_TIMEOUT) -> type[DeadlineH11Protocol]:
    """The protocol class with its deadline (uvicorn builds one instance per connection)."""
    if request_timeout == DeadlineH11Protocol.request_timeout:
        return DeadlineH11Protocol
    return type("DeadlineH11Protocol", (DeadlineH11Protocol,), {"request_timeout": request_timeout})


def options(request_timeout: float = REQUEST_TIMEOUT) -> dict[str, Any]:
    """uvicorn options every command that listens shares (timeouts, h11, quiet logs)."""
    return {
        "http": protocol(request_timeout),
        "timeout_keep_alive": KEEP_ALIVE_TIMEOUT,
        "log_level": "warning",
        "access_log": False,
        "log_config": None,
    }


@dataclass(frozen=True)
class StateSaving:
    """``serve --state FILE``: where, how often (seconds; 0: only at shutdown) and what (the
    app's state, holding its tenants)."""

    path: Path
    interval_s: float
    state: State


class SavingServer(uvicorn.Server):
    """uvicorn's server, saving the state every ``interval_s`` while it runs and once it has
    shut down."""

    def __init__(self, config: uvicorn.Config, saving: StateSaving) -> None:
        super().__init__(config)
        self.saving = saving
        self._saver: asyncio.Task[None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        saving = self.saving
        if saving.interval_s > 0:
            self._saver = asyncio.create_task(
                state_file.save_every(saving.path, saving.state, saving.interval_s)
            )

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)  # connections drained: no request is half-applied
        if self._saver is not None:
            self._saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._saver
        state_file.save(self.saving.path, self.saving.state)


def server(config: uvicorn.Config, saving: StateSaving | None = None) -> uvicorn.Server:
    """The uvicorn server for ``config``: one that saves the state when ``saving`` is given."""
    return uvicorn.Server(config) if saving is None else SavingServer(config, saving)


def run(app: Any, host: str, port: int, **extra: Any) -> None:
    """Serve ``app`` on ``host:port`` until interrupted (``extra``: more uvicorn options)."""
    uvicorn.run(app, host=host, port=port, **{**options(), **extra})
