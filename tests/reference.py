"""Where the tests read the official sources from: the copies vendored in ``schemas/reference``.

Nothing a test reads lies outside the repository. ``make spec-check SPEC_DIR=...`` points the same
tests at another copy (for example a newer excerpt of the official spec) through
``TELNYX_REFERENCE_DIR``, after ``python -m tests.reference DIR`` has compared the vendored copy
with it file by file.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDORED = ROOT / "schemas" / "reference"
ENV = "TELNYX_REFERENCE_DIR"
FILES = (
    "CONTRACT.md",
    "seed-update-a-batch-of-numbers.txt",
    "telnyx-phone-number-jobs.openapi.json",
    "telnyx-phone-numbers-family.openapi.json",
)


def reference_dir() -> Path:
    """The vendored copy, unless ``TELNYX_REFERENCE_DIR`` names another folder."""
    given = os.environ.get(ENV)
    return Path(given).resolve() if given else VENDORED


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def differences(other: Path) -> list[str]:
    """One line per vendored source that ``other`` lacks or holds in another version."""
    found = []
    for name in FILES:
        given = other / name
        if not given.is_file():
            found.append(f"{given}: missing")
        elif _digest(given) != _digest(VENDORED / name):
            found.append(f"schemas/reference/{name} differs from {given}")
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python -m tests.reference DIR  (a folder holding the official sources)")
        return 2
    found = differences(Path(argv[0]))
    for line in found:
        print(line)
    print(f"{len(found)} difference(s) from {argv[0]}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
