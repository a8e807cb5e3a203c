"""How the listening commands (``serve``, ``record``, ``replay``) start: bind, then say where.

The socket is bound before anything is printed, so the start-up line carries the real port
(``--port 0`` prints the one the OS chose) and a port already in use is one clear line and exit
status 2, never a banner followed by ``[Errno 98]``. Logging: ``--log-level`` and ``--quiet``
(errors only) on every listening command.
"""

from __future__ import annotations

import argparse
import errno
import logging
import socket
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from mockserver.serving import StateSaving

LEVELS = ("debug", "info", "warning", "error")
#: exit status when the address cannot be bound (the same as for any other start-up error)
BIND_FAILED = 2


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of each record (test captures swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def add_logging(parser: argparse.ArgumentParser) -> None:
    """``--log-level`` and ``--quiet``, the same for every command that listens."""
    parser.add_argument(
        "--log-level", choices=LEVELS, default="info", type=str.lower,
        help="the least severe log line shown (default %(default)s; info: start-up line and "
        "one line per request)",
    )  # fmt: skip
    parser.add_argument(
        "--quiet", action="store_true",
        help="errors only: no start-up line, no request lines (for CI logs)",
    )  # fmt: skip


def level_of(args: argparse.Namespace) -> int:
    """The logging level the parsed ``--log-level``/``--quiet`` ask for."""
    if getattr(args, "quiet", False):
        return logging.ERROR
    level: int = logging.getLevelNamesMapping()[str(getattr(args, "log_level", "info")).upper()]
    return level


def configure_command_logging(level: int) -> None:
    """The ``mockserver`` loggers of ``record``/``replay``: one line per record on stderr."""
    log = logging.getLogger("mockserver")
    if not any(isinstance(h, StderrHandler) for h in log.handlers):
        handler = StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.propagate = False
    log.setLevel(level)


def uvicorn_level(level: int) -> str:
    """uvicorn's own log level: its start-up chatter stays off unless debugging."""
    return "debug" if level <= logging.DEBUG else "warning"


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``OSError`` when that is impossible)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def bind_error(host: str, port: int, exc: OSError) -> str:
    """One line naming why ``host:port`` cannot be listened on."""
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return f"cannot listen on {where}: the port is in use (choose another with --port)"
    if isinstance(exc, socket.gaierror):
        return f"cannot listen on {where}: unknown host {host!r}"
    reason = exc.strerror or str(exc)
    return f"cannot listen on {where}: {reason}"


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve(
    app: ASGIApp,
    *,
    command: str,
    host: str,
    port: int,
    banner: Callable[[str, int], None],
    level: int = logging.INFO,
    own_logging: bool = False,
    saving: StateSaving | None = None,
    **options: Any,
) -> int:
    """Bind ``host:port``, call ``banner(url, port)`` with the real address, then serve ``app``
    under uvicorn until stopped. A bind failure prints one line and returns :data:`BIND_FAILED`.
    ``own_logging``: the caller has set up logging (else the ``mockserver`` loggers get stderr
    at ``level``). ``saving``: ``serve --state``'s snapshots around the server's run."""
    try:
        sock = bind(host, port)
    except OSError as exc:
        print(f"telnyx-mock {command}: {bind_error(host, port, exc)}", file=sys.stderr, flush=True)
        return BIND_FAILED
    from mockserver import serving  # uvicorn is imported only by the commands that listen

    if not own_logging:
        configure_command_logging(level)
    with sock:
        real = sock.getsockname()[1]
        banner(url_of(sock), real)
        settings = {**serving.options(), "log_level": uvicorn_level(level), **options}
        run_on(sock, app, saving=saving, host=host, port=real, **settings)
    return 0


def run_on(
    sock: socket.socket, app: ASGIApp, *, saving: StateSaving | None = None, **options: Any
) -> None:
    """uvicorn on an already bound socket (``options``: ``uvicorn.Config``'s), until stopped."""
    import uvicorn

    from mockserver import serving

    serving.server(uvicorn.Config(app, **options), saving).run(sockets=[sock])
