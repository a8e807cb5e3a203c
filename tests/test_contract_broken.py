"""The contract suite catches a broken emulator and names the rule it breaks.

Runs a filtered part of ``contract_tests`` (in a subprocess, in-process target) against emulators
built with a rule switched off through ``--inprocess-overrides``, and reads the conformance report.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUBSET = "test_a_mutation_is_rejected_as_its_rule_says and (R-CAP or R-MIXED)"


def run_contract(tmp_path: Path, overrides: dict[str, Any]) -> tuple[int, str, dict[str, str]]:
    report = tmp_path / "conformance.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONTRACT_", "TELNYX_"))}
    command = [
        sys.executable, "-m", "pytest", "contract_tests", "-p", "no:cacheprovider", "-q",
        "--target", "inprocess", "--inprocess-overrides", json.dumps(overrides),
        "--conformance-report", str(report), "-k", SUBSET,
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    results = {r["id"]: r["result"] for r in json.loads(report.read_text())["rules"]}
    return done.returncode, done.stdout + done.stderr, results


@pytest.mark.slow
def test_the_suite_passes_against_the_faithful_emulator(tmp_path: Path) -> None:
    code, output, results = run_contract(tmp_path, {})
    assert code == 0, output
    assert (results["R-CAP"], results["R-MIXED"]) == ("pass", "pass")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("overrides", "broken", "intact"),
    [({"max_numbers": 1001}, "R-CAP", "R-MIXED"),
     ({"allow_mixed_forms": True}, "R-MIXED", "R-CAP")],
    ids=["cap-of-1001", "mixed-forms-allowed"],
)  # fmt: skip
def test_a_broken_emulator_fails_the_suite_and_names_the_rule(
    tmp_path: Path, overrides: dict[str, Any], broken: str, intact: str
) -> None:
    code, output, results = run_contract(tmp_path, overrides)
    assert code == 1, output
    assert f"[{broken}]" in output  # the failing assertion names the rule
    assert re.search(rf"^{broken}\s+FAIL", output, re.MULTILINE)  # and the conformance table
    assert results[broken] == "fail"
    assert results[intact] == "pass"
    assert set(results.values()) <= {"pass", "fail", "not-run"}
