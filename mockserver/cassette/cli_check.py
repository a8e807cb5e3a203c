"""``telnyx-mock check-cassette PATH...``: the drift check over cassette files or folders.

Prints one line per divergence (``FILE #N METHOD PATH -> STATUS: expected ..., received ...``).
Exit status: 0 when every exchange keeps the contract, 1 on any divergence, 2 when a file cannot
be read or is not a cassette (a one-line message, no traceback; the other files are still
checked).
"""

from __future__ import annotations

import argparse
import sys

HELP = (
    "check recorded responses against schemas/ and the fidelity manifest "
    "(exit 1 on any divergence, 2 on an unreadable file)"
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="+", metavar="PATH",
        help="cassette files, or folders (every *.yaml / *.yml inside)",
    )  # fmt: skip
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print divergences only, no summary line"
    )


def run(args: argparse.Namespace) -> int:
    from mockserver.cassette.drift import check_file, expand
    from mockserver.cassette.format import CassetteError

    unreadable = 0
    files: list[str] = []
    for raw in args.paths:
        try:
            files.extend(str(p) for p in expand([raw]))
        except CassetteError as exc:
            print(f"telnyx-mock check-cassette: {exc}", file=sys.stderr)
            unreadable += 1
    divergences = checked = 0
    for path in files:
        try:
            found = check_file(path)
        except CassetteError as exc:
            print(f"telnyx-mock check-cassette: {exc}", file=sys.stderr)
            unreadable += 1
            continue
        for divergence in found:
            print(divergence)
        divergences += len(found)
        checked += 1
    if not args.quiet:
        print(
            f"check-cassette: {divergences} divergence(s) in {checked} cassette(s)"
            + (f", {unreadable} unreadable" if unreadable else ""),
            file=sys.stderr,
        )
    if unreadable:
        return 2
    return 1 if divergences else 0
