"""``telnyx-mock world``: the generator as a subcommand (it ships in the wheel), and the thin
``fixtures/generate_world.py`` wrapper over it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from fixtures import generate_world as wrapper
from mockserver import world
from mockserver.cli import main
from mockserver.worldgen import DEFAULT_SEED, dump_world, generate_world


def test_world_writes_a_file_serve_loads(tmp_path: Path) -> None:
    out = tmp_path / "big.json"
    assert main(["world", "--count", "40", "--out", str(out), "--seed", "3"]) == 0
    expected = io.StringIO()
    dump_world(generate_world(3, 40), expected)
    assert out.read_text(encoding="utf-8") == expected.getvalue()
    assert len(json.loads(out.read_text())["numbers"]) == 40
    inventory = world.template(out)
    assert inventory.get("1293384261075731499") is not None  # the doc numbers are always there


def test_world_defaults_to_the_default_seed_and_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["world", "--count", "5", "--out", "-"]) == 0
    expected = io.StringIO()
    dump_world(generate_world(DEFAULT_SEED, 5), expected)
    assert capsys.readouterr().out == expected.getvalue()


def test_an_unwritable_out_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["world", "--count", "1", "--out", str(tmp_path / "missing" / "w.json")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"telnyx-mock world: cannot write {tmp_path / 'missing' / 'w.json'}: ")
    assert err.count("\n") == 1


def test_the_fixtures_wrapper_is_the_same_generator() -> None:
    assert wrapper.generate_world is generate_world
    assert Path(__file__).resolve().parents[1] / "fixtures" / "world.json" == wrapper.DEFAULT_OUT
