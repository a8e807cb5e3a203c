"""``telnyx-mock record --upstream URL --cassette PATH``: a recording proxy.

Point any client at ``http://HOST:PORT`` instead of the upstream; every exchange is forwarded and
written (redacted) to the cassette as it happens. ``--mode`` is the VCR.py record mode (default
``once``: record into a new cassette, replay an existing one); an unknown mode is an error that
lists the valid ones.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from mockserver.listen import RECORD_PORT, add_address
from mockserver.scrub import without_userinfo  # no credentials in any message

if TYPE_CHECKING:
    import httpx
    from starlette.applications import Starlette

    from mockserver.cassette.session import RecordMode

HELP = "a recording proxy: forward to --upstream and write every exchange to --cassette"


def _mode(text: str) -> RecordMode:
    from mockserver.cassette.session import RecordMode

    try:
        return RecordMode.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _upstream(text: str) -> str:
    if not text.startswith(("http://", "https://")) or len(text.split("://", 1)[1]) == 0:
        raise argparse.ArgumentTypeError(
            "expected an http(s) URL such as https://api.telnyx.com, "
            f"received {without_userinfo(text)!r}"
        )
    return text


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, received {text!r}")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--upstream", required=True, type=_upstream, metavar="URL",
        help="where requests go, e.g. https://api.telnyx.com or http://127.0.0.1:4010",
    )  # fmt: skip
    parser.add_argument("--cassette", required=True, metavar="PATH", help="the cassette file")
    parser.add_argument(
        "--mode", type=_mode, default="once",
        help="record mode (as VCR.py): none, once, new_episodes or all (default %(default)s)",
    )  # fmt: skip
    from mockserver.cassette import (
        options as redact,  # here: keeps `telnyx-mock serve` start-up light
    )

    redact.add_arguments(
        parser, "redaction (Authorization, cookies, X-Api-Key and external_pin are always scrubbed)"
    )
    parser.add_argument(
        "--timeout", type=_seconds, default=60.0, metavar="SECONDS",
        help="upstream timeout (default %(default)s)",
    )  # fmt: skip
    add_address(parser, RECORD_PORT)


def build_app(
    args: argparse.Namespace, transport: httpx.AsyncBaseTransport | None = None
) -> Starlette:
    """The proxy app for parsed arguments (``OSError``/``ValueError``/``CassetteError`` for a
    cassette that cannot be used); ``transport`` reaches the upstream (default: the network)."""
    from mockserver.cassette import options as redact
    from mockserver.cassette.proxy import create_proxy_app
    from mockserver.cassette.session import CassetteSession

    redactor = redact.from_arguments(args)
    session = CassetteSession(args.cassette, args.mode, redactor)
    return create_proxy_app(args.upstream, session, transport=transport, timeout=args.timeout)


def run(args: argparse.Namespace) -> int:
    from mockserver import launch
    from mockserver.cassette.format import CassetteError

    try:
        app = build_app(args)
    except (OSError, CassetteError, ValueError) as exc:
        print(f"telnyx-mock record: {exc}", file=sys.stderr)
        return 2
    level = launch.level_of(args)

    def banner(url: str, port: int) -> None:
        if level <= logging.INFO:
            print(
                f"telnyx-mock record: {url} -> {without_userinfo(args.upstream)}, "
                f"cassette {args.cassette} (mode {args.mode.value})",
                file=sys.stderr, flush=True,
            )  # fmt: skip

    return launch.serve(
        app, command="record", host=args.host, port=args.port, banner=banner, level=level,
        server_header=False, date_header=False,  # the upstream's own Date and Server pass through
    )  # fmt: skip
