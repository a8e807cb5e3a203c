"""Where a server listens: ``--host``/``--port``, the same for every command that serves HTTP
(``serve``, ``record``, ``replay``)."""

from __future__ import annotations

import argparse

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4010


def port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"not a TCP port: {text!r}")
    return int(text)


def add_address(parser: argparse.ArgumentParser) -> None:
    """``--host``/``--port``, the same for every command that listens."""
    parser.add_argument("--host", default=DEFAULT_HOST, help="bind address (default %(default)s)")
    parser.add_argument(
        "--port", type=port, default=DEFAULT_PORT, help="port (default %(default)s)"
    )
