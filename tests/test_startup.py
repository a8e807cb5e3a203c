"""Start-up: a bad world file is one clear line (what and where) and exit 2, never a traceback;
``schemas/world.schema.json`` is applied as a world loads; a progress line on a terminal."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fixtures.generate_world import generate_world
from mockserver import startup, world
from mockserver.cli import main
from mockserver.world_check import WorldError
from tests.number_table_support import write

ROOT = Path(__file__).resolve().parents[1]
SOURCE = (ROOT / "fixtures" / "world.json").read_bytes()
LINES = SOURCE.split(b"\n")
FIRST_NUMBER = LINES.index(b'"numbers":[') + 1  # 0-based index of the first number's line


def first_number() -> dict[str, Any]:
    number: dict[str, Any] = json.loads(LINES[FIRST_NUMBER].rstrip(b","))
    return number


def with_number(change: Callable[[dict[str, Any]], None], at: int = 3) -> bytes:
    """The default world with one number line changed (its place in the file kept)."""
    lines = list(LINES)
    number = json.loads(lines[FIRST_NUMBER + at].rstrip(b","))
    change(number)
    lines[FIRST_NUMBER + at] = json.dumps(number, separators=(",", ":")).encode() + b","
    return b"\n".join(lines)


def set_field(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda number: number.__setitem__(name, value)


def drop_field(name: str) -> Callable[[dict[str, Any]], None]:
    return lambda number: number.pop(name)


BAD_WORLDS: dict[str, tuple[bytes, str]] = {
    "truncated": (SOURCE[: len(SOURCE) // 2], r"^line 1258, column \d+: not valid JSON"),
    "cut_after_a_line": (
        b"\n".join(LINES[: FIRST_NUMBER + 10]) + b"\n",
        f"^line {FIRST_NUMBER + 10}: the file ends",
    ),
    "numbers_of_ids": (b'{"numbers":[{"id":1}]}', "^/: 'seed' is a required property"),
    "a_list": (b"[]", r"^/: \[\] is not of type 'object'"),
    "empty": (b"", "^line 1, column 1: not valid JSON"),
    "not_utf8": (b"\xff\xfe{}", "^byte 0: not UTF-8"),
    "bad_enum": (
        with_number(set_field("status", "actve")),
        "^/numbers/3/status: 'actve' is not one",
    ),
    "int_id": (with_number(set_field("id", 7)), "^/numbers/3/id: 7 is not of type 'string'"),
    "short_id": (with_number(set_field("id", "12")), "^/numbers/3/id: '12' does not match"),
    "bad_e164": (with_number(set_field("phone_number", "555")), "^/numbers/3/phone_number: '555'"),
    "bad_time": (
        with_number(set_field("created_at", "2024-13-01T00:00:00.000Z")),
        "^/numbers/3/created_at:",
    ),
    "bad_voice": (
        with_number(lambda n: n["voice"].__setitem__("usage_payment_method", "free")),
        "^/numbers/3/voice/usage_payment_method: 'free' is not one of",
    ),
    "tags_a_string": (with_number(set_field("tags", "vip")), "^/numbers/3/tags: 'vip' is not of"),
    "tag_an_int": (with_number(set_field("tags", [1])), "^/numbers/3/tags/0: 1 is not of type"),
    "missing_field": (with_number(drop_field("status")), "^/numbers/3: 'status' is a required"),
    "extra_field": (with_number(set_field("colour", "red")), "^/numbers/3: Additional properties"),
    "bool_as_int": (with_number(set_field("has_bundle", 1)), "^/numbers/3/has_bundle: 1 is not of"),
    "duplicate_id": (
        with_number(set_field("id", first_number()["id"])),
        "^/numbers/3/id: .* of /numbers/0 too",
    ),
    "number_not_object": (
        b"\n".join([*LINES[:FIRST_NUMBER], b"42,", *LINES[FIRST_NUMBER:]]),
        f"^line {FIRST_NUMBER + 1}, column 1: a number must be an object",
    ),
    "bad_header": (
        SOURCE.replace(b'"seed":20201023', b'"seed":"x"', 1),
        "^/seed: 'x' is not of type 'integer'",
    ),
    "whole_layout_bad_number": (
        json.dumps({**json.loads(SOURCE), "numbers": [{"id": 1}]}, indent=1).encode(),
        "^/numbers/0: ",
    ),
}


@pytest.mark.parametrize("case", BAD_WORLDS)
def test_a_bad_world_says_what_and_where(tmp_path: Path, case: str) -> None:
    content, message = BAD_WORLDS[case]
    path = tmp_path / "world.json"
    path.write_bytes(content)
    with pytest.raises(WorldError, match=message):
        world.build_template(path)


def test_the_bundled_and_generated_worlds_are_valid(tmp_path: Path) -> None:
    assert len(world.build_template(None)) == 2500
    big = write(tmp_path / "w.json", generate_world(3, 3000))  # above the one-pass threshold
    assert len(world.build_template(big)) == 3000


@pytest.mark.parametrize("case", ["truncated", "numbers_of_ids", "a_list", "bad_enum"])
def test_serve_with_a_bad_world_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    path = tmp_path / "world.json"
    path.write_bytes(BAD_WORLDS[case][0])
    assert main(["serve", "--fixtures", str(path), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"telnyx-mock serve: {path} is not a valid world file: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err


# -- the progress line ----------------------------------------------------------------------------
class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_on_a_terminal_only() -> None:
    ticks = iter([0.0, 1.0, 1.1, 2.0, 4.0])
    stream = Terminal()
    line = startup.ProgressLine(stream, clock=lambda: next(ticks))
    line(25_000)  # t=1.0: drawn
    line(50_000)  # t=1.1: too soon after the last, not drawn
    line(100_000)  # t=2.0: drawn
    line.done()  # t=4.0: the final figures, the end of the line
    assert stream.getvalue() == (
        "\rloading world: 25,000 numbers (25,000/s)"
        "\rloading world: 100,000 numbers (50,000/s)"
        "\rloading world: 100,000 numbers (25,000/s)\n"
    )
    piped = io.StringIO()
    quiet = startup.ProgressLine(piped, clock=lambda: 0.0)
    quiet(100_000)
    quiet.done()
    assert piped.getvalue() == ""
    off = Terminal()
    turned_off = startup.ProgressLine(off, clock=lambda: 0.0, enabled=False)
    turned_off(100_000)
    turned_off.done()
    assert off.getvalue() == ""


def test_a_small_world_needs_no_line() -> None:
    stream = Terminal()
    line = startup.ProgressLine(stream, clock=lambda: 0.0)
    line(2_500)
    line.done()
    assert stream.getvalue() == ""


@pytest.fixture(scope="module")
def broken_big_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30,000 valid numbers and then a broken line: loads with progress, then exits 2."""
    path = write(tmp_path_factory.mktemp("big") / "world.json", generate_world(2, 30_000))
    text = path.read_bytes()
    path.write_bytes(text[: text.rindex(b"]")] + b"{broken\n]\n}\n")
    return path


def run_on_a_pty(argv: list[str]) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal; its exit status and what the terminal got."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", *argv],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower, cwd=ROOT,
        )  # fmt: skip
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the follower side closed: the process has exited
                break
            if not chunk:
                break
            chunks.append(chunk)
        return process.wait(timeout=60), b"".join(chunks).decode()
    finally:
        os.close(leader)


def test_progress_shows_on_a_terminal_and_quiet_turns_it_off(broken_big_world: Path) -> None:
    argv = ["serve", "--fixtures", str(broken_big_world), "--port", "0"]
    code, shown = run_on_a_pty(argv)
    assert code == 2
    assert "\rloading world: 25,000 numbers (" in shown
    assert "/s)\r\n" in shown  # the line is ended before the error
    assert re.search(r"is not a valid world file: line 300\d\d, column 2: not valid JSON", shown)
    assert "Traceback" not in shown
    code, shown = run_on_a_pty([*argv, "--quiet"])
    assert code == 2
    assert "loading world" not in shown
    assert "is not a valid world file" in shown
    piped = subprocess.run(
        [sys.executable, "-m", "mockserver", *argv], capture_output=True, text=True, cwd=ROOT,
        timeout=60, check=False,
    )  # fmt: skip
    assert piped.returncode == 2
    assert "loading world" not in piped.stderr
    assert piped.stderr.count("\n") == 1
