"""The redaction options every cassette command shares (cheap to import: ``telnyx-mock serve``
builds every command's parser at start-up)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockserver.cassette.redact import Redactor


def add_arguments(parser: argparse.ArgumentParser, title: str) -> None:
    """``--redact-header/--redact-query/--redact-field``, the same for every cassette command."""
    group = parser.add_argument_group(title)
    for flag, what in (
        ("--redact-header", "header, besides Authorization, cookies and X-Api-Key"),
        ("--redact-query", "query parameter"),
        ("--redact-field", "JSON field at any depth, besides external_pin"),
    ):
        group.add_argument(
            flag, action="append", default=[], metavar="NAME",
            help=f"also scrub this {what} (repeatable)",
        )  # fmt: skip


def from_arguments(args: argparse.Namespace) -> Redactor:
    from mockserver.cassette.redact import Redactor

    return Redactor().extended(args.redact_header, args.redact_query, args.redact_field)
