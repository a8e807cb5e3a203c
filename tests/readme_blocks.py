"""The README's code blocks, extracted and run (``tests/test_readme.py``, ``tests/test_wheel.py``).

- ``python`` blocks: each written to its own ``test_readme_<line>.py`` and run under pytest in a
  subprocess, twice: first with ``--telnyx-cassette-upstream`` pointing at a started emulator
  (the cassette example records from it), then with nothing listening for them (it replays);
- ``sh`` blocks: run with bash (``set -euo pipefail``, ``curl`` failing on any HTTP error)
  against a started ``telnyx-mock serve``, whose address replaces ``127.0.0.1:4010``; a block of
  ``make`` lines only runs them as ``make -n`` (they name targets of the Makefile);
- ``text`` blocks are output and listings. Any other (or no) language is an error, so a new
  block cannot escape the test by accident.
"""

from __future__ import annotations

import re
import select
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RUNNABLE = ("python", "sh")
LANGUAGES = (*RUNNABLE, "text")
README_ADDRESS = "127.0.0.1:4010"
#: the README's blocks start servers and run pytest twice: generous, never a test's sleep
BUDGET_S = 120.0
_FENCE = re.compile(r"^```(\S*)\s*$")
_SHELL_PRELUDE = 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n'


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    line: int  # where the block starts in the README (1-based)

    @property
    def is_make(self) -> bool:
        lines = [ln for ln in self.code.splitlines() if ln.strip() and not ln.startswith("#")]
        return bool(lines) and all(ln.startswith("make ") for ln in lines)


def blocks(text: str | None = None) -> list[Block]:
    """Every fenced block of the README (``text``: another Markdown text)."""
    source = README.read_text(encoding="utf-8") if text is None else text
    found: list[Block] = []
    language: str | None = None
    start = 0
    lines: list[str] = []
    for number, line in enumerate(source.splitlines(), 1):
        fence = _FENCE.match(line)
        if language is None and fence:
            language, start, lines = fence.group(1), number, []
        elif language is not None and line.rstrip() == "```":
            found.append(Block(language, "\n".join(lines) + "\n", start))
            language = None
        elif language is not None:
            lines.append(line)
    if language is not None:
        raise ValueError(f"README.md:{start}: a code block is never closed")
    return found


def started_server(telnyx_mock: Path, workdir: Path) -> tuple[subprocess.Popen[str], str]:
    """``telnyx-mock serve --port 0`` and its address, read from its start-up line."""
    proc = subprocess.Popen(
        [str(telnyx_mock), "serve", "--port", "0", "--no-access-log"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    ready, _, _ = select.select([proc.stderr], [], [], BUDGET_S)
    line = proc.stderr.readline() if ready else ""
    found = re.search(r"http://(127\.0\.0\.1:\d+)", line)
    if found is None:
        proc.kill()
        proc.wait(timeout=10)
        raise AssertionError(f"telnyx-mock serve did not start: {line!r}")
    return proc, found.group(1)


def run_python_blocks(python: Path, workdir: Path, address: str) -> list[str]:
    """Run the ``python`` blocks under pytest (record, then replay); the two outputs."""
    for block in blocks():
        if block.language == "python":
            (workdir / f"test_readme_{block.line}.py").write_text(block.code, encoding="utf-8")
    (workdir / "pytest.ini").write_text(
        "[pytest]\naddopts = -p no:cacheprovider --strict-markers\nfilterwarnings = error\n"
    )
    outputs = []
    for extra in (["--telnyx-cassette-upstream", f"http://{address}"], []):
        done = subprocess.run(
            [str(python), "-m", "pytest", "-q", "-p", "no:xdist", *extra],
            cwd=workdir, capture_output=True, text=True, timeout=BUDGET_S, check=False,
        )  # fmt: skip
        outputs.append(done.stdout + done.stderr)
        assert done.returncode == 0, f"the README's python blocks failed:\n{outputs[-1]}"
    return outputs


def run_shell_block(block: Block, bin_dir: Path, workdir: Path, address: str) -> str:
    """One ``sh`` block with bash against the server at ``address``; its output."""
    code = block.code.replace(README_ADDRESS, address)
    env = {"PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin", "HOME": str(workdir)}
    done = subprocess.run(
        ["bash", "-c", _SHELL_PRELUDE + code],
        cwd=workdir, capture_output=True, text=True, timeout=BUDGET_S, check=False, env=env,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"README.md:{block.line}: the sh block failed:\n{output}"
    return output


def dry_run_make_block(block: Block) -> None:
    """Each ``make`` line of a block as ``make -n`` in the repository."""
    for line in block.code.splitlines():
        if line.startswith("make "):
            command = line.split("#", 1)[0].split()
            done = subprocess.run(
                ["make", "-n", *command[1:]],
                cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
            assert done.returncode == 0, f"README.md:{block.line}: {line}: {done.stderr}"
