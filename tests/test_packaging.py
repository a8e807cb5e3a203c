"""Packaging that fits the ecosystem: trove classifiers, a ``py.typed`` marker, a changelog."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def project() -> dict[str, object]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    result: dict[str, object] = data["project"]
    return result


def test_trove_classifiers_name_python_pytest_and_typing() -> None:
    classifiers = project()["classifiers"]
    assert isinstance(classifiers, list)
    for wanted in (
        "Framework :: Pytest",
        "Programming Language :: Python :: 3.11",
        "Topic :: Software Development :: Testing :: Mocking",
        "Typing :: Typed",
        "License :: OSI Approved :: MIT License",
    ):
        assert wanted in classifiers
    assert classifiers == sorted(classifiers)


def test_the_package_is_marked_typed() -> None:
    marker = ROOT / "mockserver" / "py.typed"
    assert marker.is_file()
    assert marker.read_bytes() == b""  # PEP 561: the whole package is typed


def test_the_changelog_has_an_unreleased_section_and_the_current_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in text
    assert f"## [{project()['version']}]" in text
