"""Where a server listens: ``--host``/``--port``, the same for every command that serves HTTP
(``serve``, ``record``, ``replay``)."""

from __future__ import annotations

import argparse

from mockserver import launch

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4010
#: ``record`` and ``replay`` listen elsewhere by default, so they run beside ``make run``'s 4010
RECORD_PORT = 4011
REPLAY_PORT = 4012


def port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"not a TCP port: {text!r}")
    return int(text)


def add_address(parser: argparse.ArgumentParser, default_port: int = DEFAULT_PORT) -> None:
    """``--host``/``--port`` (0: any free port), ``--log-level`` and ``--quiet``, the same for
    every command that listens."""
    parser.add_argument("--host", default=DEFAULT_HOST, help="bind address (default %(default)s)")
    parser.add_argument(
        "--port", type=port, default=default_port,
        help="port, 0 for any free one (default %(default)s)",
    )  # fmt: skip
    launch.add_logging(parser)
