"""The official sources the tests read are inside the repository, and match any copy given."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reference import ENV, FILES, ROOT, VENDORED, differences, reference_dir


@pytest.mark.parametrize("name", FILES)
def test_vendored_source_is_in_the_repository(name: str) -> None:
    path = VENDORED / name
    assert path.is_file(), f"expected the vendored source {path}"
    assert path.resolve().is_relative_to(ROOT), f"{path} lies outside the repository"
    assert path.stat().st_size > 1000


def test_the_readme_names_each_source() -> None:
    text = (VENDORED / "README.md").read_text(encoding="utf-8")
    for name in FILES:
        assert f"`{name}`" in text, f"schemas/reference/README.md does not name {name}"
    assert "12de4dd039fd867f7a81c8ec415e6fb6477d5687" in text


def test_reference_dir_defaults_to_the_vendored_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert reference_dir() == VENDORED
    monkeypatch.setenv(ENV, "/elsewhere")
    assert reference_dir() == Path("/elsewhere").resolve()


def test_differences_names_a_changed_or_missing_file(tmp_path: Path) -> None:
    for name in FILES:
        (tmp_path / name).write_bytes((VENDORED / name).read_bytes())
    assert differences(tmp_path) == []
    (tmp_path / FILES[0]).write_text("changed", encoding="utf-8")
    (tmp_path / FILES[1]).unlink()
    found = differences(tmp_path)
    assert len(found) == 2
    assert FILES[0] in found[0]
    assert "missing" in found[1]
