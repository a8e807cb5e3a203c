"""Running the server process: uvicorn, and with ``--state FILE`` the snapshots around it
(read before the first request, written every ``--state-interval`` and on SIGINT/SIGTERM)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from mockserver import state_file


class SavingServer(uvicorn.Server):
    """uvicorn's server, saving the state once it has shut down (SIGINT/SIGTERM included:
    uvicorn re-raises the signal only after this), and every ``interval_s`` while it runs."""

    def __init__(
        self, config: uvicorn.Config, app: Starlette, path: Path, interval_s: float
    ) -> None:
        super().__init__(config)
        self.state = app.state
        self.path = path
        self.interval_s = interval_s
        self._saver: asyncio.Task[None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.interval_s > 0:
            self._saver = asyncio.create_task(
                state_file.save_every(self.path, self.state, self.interval_s)
            )

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)  # connections drained: no request is half-applied
        if self._saver is not None:
            self._saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._saver
        state_file.save(self.path, self.state)


def run(
    app: Starlette,
    host: str,
    port: int,
    state: Path | None = None,
    interval_s: float = 0.0,
) -> int:
    """Serve until SIGINT/SIGTERM; with ``state``, save it periodically and once at the end."""
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, log_config=None
    )
    server = (
        uvicorn.Server(config) if state is None else SavingServer(config, app, state, interval_s)
    )
    server.run()
    return 0
