"""Meta-tests: the fidelity manifest is well formed, every rule is pinned by a test, and the
error texts claimed to be copied from the sources really are in them."""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from mockserver import errors, schemas
from mockserver.config import Settings
from tests.reference import reference_dir

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
MANIFEST = ROOT / "schemas" / "fidelity.json"
ERRORS_SOURCE = ROOT / "mockserver" / "errors.py"
REFERENCE = reference_dir()
PIN = re.compile(r'rule\("([A-Z]-[A-Z0-9-]+)"\)')
OWN_WORDING_MARKER = "# --- the emulator's own wording"


@cache
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return data


def manifest_ids() -> list[str]:
    return [rule["id"] for rule in manifest()["rules"]]


def pinned_ids() -> dict[str, list[str]]:
    """Rule id -> the test files that pin it (``rule("<ID>")`` literally in the source)."""
    found: dict[str, list[str]] = {}
    for path in sorted(TESTS.rglob("*.py")):
        for rule_id in PIN.findall(path.read_text(encoding="utf-8")):
            found.setdefault(rule_id, []).append(str(path.relative_to(ROOT)))
    return found


# --- the manifest itself -----------------------------------------------------------------------


def test_manifest_validates_against_its_schema() -> None:
    errors = [
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in schemas.validator("fidelity.schema.json").iter_errors(manifest())
    ]
    assert not errors, "\n".join(errors)


def test_rule_ids_are_unique() -> None:
    counts = Counter(manifest_ids())
    duplicates = sorted(rule_id for rule_id, n in counts.items() if n > 1)
    assert not duplicates, f"duplicate rule ids in schemas/fidelity.json: {duplicates}"
    assert len(counts) >= 1


def test_manifest_schema_rejects_a_bad_rule() -> None:
    """The validation above can fail."""
    bad = {"rules": [{"id": "auth", "area": "x", "behaviour": "short", "source": "s"}]}
    assert not schemas.is_valid("fidelity.schema.json", bad)


# --- every rule is pinned ----------------------------------------------------------------------


def test_the_pin_pattern_finds_marker_uses() -> None:
    q = '"'  # built, not written: this file must not itself pin anything
    source = (
        f"@pytest.mark.rule({q}R-AUTH{q})\n"
        f"@pytest.mark.rule({q}Q-JOB-404{q})\n"
        f"pytest.param(1, marks=pytest.mark.rule({q}O-HD-VOICE-TOLL-FREE{q}))\n"
        "@pytest.mark.rule('R-NOT-THIS-FORM')\n"
        f"@pytest.mark.rule({q}lowercase{q})\n"
    )
    assert PIN.findall(source) == ["R-AUTH", "Q-JOB-404", "O-HD-VOICE-TOLL-FREE"]
    assert not PIN.findall(Path(__file__).read_text(encoding="utf-8"))


def test_every_rule_is_pinned_by_a_test() -> None:
    pinned = pinned_ids()
    missing = sorted(set(manifest_ids()) - set(pinned))
    assert not missing, (
        f"{len(missing)} rule(s) of schemas/fidelity.json are pinned by no test "
        f"(add @pytest.mark.rule(<id>) to a test that checks each): {', '.join(missing)}"
    )


def test_every_pinned_rule_exists() -> None:
    known = set(manifest_ids())
    unknown = {rule_id: files for rule_id, files in pinned_ids().items() if rule_id not in known}
    assert not unknown, f"tests pin rule ids the manifest does not have (typos?): {unknown}"


# --- documented texts are verbatim -------------------------------------------------------------


def documented_detail_names() -> list[str]:
    """The ``D_*`` constants above the "emulator's own wording" comment of errors.py."""
    source = ERRORS_SOURCE.read_text(encoding="utf-8")
    assert OWN_WORDING_MARKER in source, "errors.py lost its 'own wording' section marker"
    documented = source.split(OWN_WORDING_MARKER, 1)[0]
    return re.findall(r"^(D_[A-Z0-9_]+)\s*=", documented, flags=re.MULTILINE)


DEFAULTS = Settings()
#: the limits a templated text is sent with under the default settings
TEMPLATE_LIMITS: dict[str, list[int]] = {
    "D_MAX_NUMBERS": [DEFAULTS.max_numbers],
    "D_MAX_JOBS": [DEFAULTS.max_open_jobs, DEFAULTS.max_open_emergency_jobs],
}


def rendered(name: str) -> list[str]:
    text: str = getattr(errors, name)
    fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    if not fields:
        return [text]
    assert fields == {"limit"}, f"{name} has placeholders {fields}; teach this test about them"
    assert name in TEMPLATE_LIMITS, f"{name} is templated; add its default limits to this test"
    return [text.format(limit=limit) for limit in TEMPLATE_LIMITS[name]]


@cache
def sources() -> dict[str, str]:
    assert REFERENCE.is_dir(), f"the contract reference is missing: expected {REFERENCE}"
    out = {}
    for name in ("CONTRACT.md", "telnyx-phone-number-jobs.openapi.json"):
        path = REFERENCE / name
        assert path.is_file(), f"missing {path}"
        out[name] = path.read_text(encoding="utf-8")
    # the OpenAPI excerpt as parsed JSON text too, so JSON string escapes do not hide a match
    spec = json.loads(out["telnyx-phone-number-jobs.openapi.json"])
    out["openapi (decoded)"] = json.dumps(spec, ensure_ascii=False)
    return out


def test_documented_details_are_found() -> None:
    names = documented_detail_names()
    assert "D_AUTH_FAILED" in names
    assert "D_MAX_NUMBERS" in names
    assert "D_INVALID_JSON" not in names  # own wording, below the marker


@pytest.mark.parametrize("name", documented_detail_names())
def test_documented_detail_is_verbatim_in_the_sources(name: str) -> None:
    for text in rendered(name):
        where = [source for source, content in sources().items() if text in content]
        assert where, f"{name} = {text!r} is in neither CONTRACT.md nor the OpenAPI excerpt"
