"""``telnyx-mock world --count N --out FILE [--seed S]``: write a generated world file.

The file is what ``telnyx-mock serve --fixtures FILE`` loads (streamed a number at a time, so a
million numbers are fine). ``--out -`` writes to standard output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mockserver.worldgen import DEFAULT_COUNT, DEFAULT_SEED, dump_world, generate_world

HELP = "write a generated world file (numbers, connections, ...) for serve --fixtures"


def _count(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number of numbers, received {text!r}")
    return int(text)


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, received {text!r}") from None


def configure(parser: argparse.ArgumentParser, default_out: Path | None = None) -> None:
    """This command's options (``default_out``: ``--out`` becomes optional)."""
    parser.add_argument(
        "--count", type=_count, default=DEFAULT_COUNT,
        help="how many phone numbers (default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=_seed, default=DEFAULT_SEED,
        help="seed: the same seed and count give the same file (default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--out", type=Path, required=default_out is None, default=default_out, metavar="FILE",
        help="where to write it ('-': standard output)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    world = generate_world(args.seed, args.count)
    if str(args.out) == "-":
        dump_world(world, sys.stdout)
        return 0
    out = Path(args.out)
    try:
        with out.open("w", encoding="utf-8", newline="\n") as fh:
            dump_world(world, fh)
    except OSError as exc:
        print(f"telnyx-mock world: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0
