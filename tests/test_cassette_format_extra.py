"""mockserver.cassette.format.dump: the permission bits of a written cassette (a new file gets
what ``open()`` would give it, a rewritten one keeps its own), and no temp file is left behind."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mockserver.cassette import format as cformat
from mockserver.cassette.format import Cassette, Interaction, RecordedRequest, RecordedResponse


def small() -> Cassette:
    request = RecordedRequest("GET", "https://api.telnyx.com/v2/phone_numbers/jobs")
    return Cassette([Interaction(request, RecordedResponse(200, "OK", {}, '{"data":[]}'))])


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_cassette_gets_0o666_less_the_umask(tmp_path: Path, mask: int, expected: int) -> None:
    path = tmp_path / "new.yaml"
    with umask(mask):
        cformat.dump(small(), path)
    assert mode_of(path) == expected
    assert cformat.load(path) == small()
    assert [p.name for p in tmp_path.iterdir()] == ["new.yaml"]


def test_a_new_cassette_in_a_new_folder(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "new.yaml"
    with umask(0o022):
        cformat.dump(small(), path)
    assert mode_of(path) == 0o644
    assert cformat.load(path) == small()


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o444])
def test_a_rewritten_cassette_keeps_its_mode(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "old.yaml"
    path.write_text("interactions: []\nversion: 1\n", encoding="utf-8")
    path.chmod(mode)
    with umask(0o022):  # would give 0o644 to a new file
        cformat.dump(small(), path)
    assert mode_of(path) == mode
    assert cformat.load(path) == small()
    assert [p.name for p in tmp_path.iterdir()] == ["old.yaml"]


def test_a_failed_first_write_leaves_no_file(tmp_path: Path) -> None:
    broken = small()
    broken.interactions[0].request.headers["X"] = [object()]  # type: ignore[list-item]
    with pytest.raises(Exception, match="cannot represent"):
        cformat.dump(broken, tmp_path / "new.yaml")
    assert list(tmp_path.iterdir()) == []


def test_a_taken_temp_name_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The temp file is created exclusively: a file already there under the first name drawn is
    neither followed nor overwritten, the next name is used."""
    names = iter(["taken", "free"])
    monkeypatch.setattr("mockserver.cassette.format.secrets.token_hex", lambda n: next(names))
    planted = tmp_path / ".c.yaml.taken"
    planted.write_text("someone else's", encoding="utf-8")
    cformat.dump(small(), tmp_path / "c.yaml")
    assert planted.read_text(encoding="utf-8") == "someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".c.yaml.taken", "c.yaml"]
