"""``telnyx-mock replay --cassette PATH [--host H] [--port P]``: serve a cassette over HTTP.

For clients that are not Python (or not httpx): recorded responses come back for recorded
requests, polls in order with the last one repeating; anything else gets a Telnyx-shaped 404
naming the closest recorded request. A missing or invalid cassette is a one-line error and exit
code 2 before anything listens.
"""

from __future__ import annotations

import argparse
import logging
import sys

from mockserver.listen import REPLAY_PORT, add_address

HELP = "serve a recorded cassette over HTTP (for clients that are not Python)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this command's options."""
    parser.add_argument("--cassette", required=True, metavar="PATH", help="the cassette to serve")
    add_address(parser, REPLAY_PORT)
    from mockserver.cassette import (
        options as redact,  # here: keeps `telnyx-mock serve` start-up light
    )

    redact.add_arguments(parser, "redaction (give what the recording scrubbed, so requests match)")


def run(args: argparse.Namespace) -> int:
    from mockserver import launch
    from mockserver.cassette import format as cformat
    from mockserver.cassette import options as redact
    from mockserver.cassette.replay_app import create_replay_app

    path = args.cassette
    try:
        cassette = cformat.load(path)
    except FileNotFoundError:
        return _fail(f"no cassette at {path}")
    except cformat.CassetteError as exc:
        return _fail(f"{path} is not a valid cassette: {exc}")
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"cannot read {path}: {exc}")
    if not cassette.interactions:
        return _fail(f"{path} holds no interactions: nothing to replay")
    redactor = redact.from_arguments(args)
    app = create_replay_app(cassette, redactor=redactor, source=str(path))
    level = launch.level_of(args)

    def banner(url: str, port: int) -> None:
        if level <= logging.INFO:
            print(
                f"telnyx-mock replay: {len(cassette)} interaction(s) from {path} on {url}",
                file=sys.stderr,
                flush=True,
            )

    return launch.serve(
        app, command="replay", host=args.host, port=args.port, banner=banner, level=level
    )


def _fail(message: str) -> int:
    print(f"telnyx-mock replay: {message}", file=sys.stderr)
    return 2
