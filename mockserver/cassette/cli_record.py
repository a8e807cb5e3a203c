"""``telnyx-mock record``: placeholder until built."""

from __future__ import annotations

import argparse

HELP = "not built yet"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this command's options."""


def run(args: argparse.Namespace) -> int:
    raise SystemExit("telnyx-mock: this command is not built yet")
