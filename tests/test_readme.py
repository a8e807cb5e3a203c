"""The README's code blocks run as written (``tests/readme_blocks.py`` says how): the python
ones under pytest, the shell ones against a started ``telnyx-mock serve``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import readme_blocks
from tests.helpers import stop_process
from tests.readme_blocks import Block, blocks

BIN = Path(sys.executable).parent


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    proc, address = readme_blocks.started_server(BIN / "telnyx-mock", tmp_path)
    yield address
    stop_process(proc)


def test_every_block_has_a_known_language() -> None:
    found = blocks()
    strays = [f"README.md:{b.line}: {b.language or '(none)'}" for b in found
              if b.language not in readme_blocks.LANGUAGES]  # fmt: skip
    assert strays == []
    languages = [b.language for b in found]
    assert languages.count("python") >= 4
    assert languages.count("sh") >= 4


def test_the_extractor() -> None:
    text = "x\n```sh\nmake run  # go\n```\n```python\nprint(1)\n```\n"
    assert blocks(text) == [Block("sh", "make run  # go\n", 2), Block("python", "print(1)\n", 5)]
    assert blocks(text)[0].is_make
    with pytest.raises(ValueError, match="never closed"):
        blocks("```sh\nls\n")


@pytest.mark.slow
def test_the_python_blocks_run_under_pytest(tmp_path: Path, server: str) -> None:
    record, replay = readme_blocks.run_python_blocks(BIN / "python", tmp_path, server)
    count = sum(1 for b in blocks() if b.language == "python")
    assert f"{count} passed" in record
    assert f"{count} passed" in replay
    cassette = tmp_path / "cassettes" / "jobs.yaml"  # recorded from the server, then replayed
    assert "api.telnyx.com/v2/phone_numbers/jobs/update_phone_numbers" in cassette.read_text()


@pytest.mark.slow
def test_the_shell_blocks_run_against_a_server(tmp_path: Path, server: str) -> None:
    outputs = []
    for block in blocks():
        if block.language != "sh":
            continue
        if block.is_make:
            readme_blocks.dry_run_make_block(block)
        else:
            outputs.append(readme_blocks.run_shell_block(block, BIN, tmp_path, server))
    text = "\n".join(outputs)
    assert '"record_type":"phone_numbers_job"' in text  # the curl example's job
    assert "job(s)" in text  # TELNYX_BASE_URL
    assert '"meta":{"now"' in text  # /_mock/jobs/run
