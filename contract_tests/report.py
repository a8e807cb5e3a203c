"""The conformance report: for each rule of the fidelity manifest, pass / fail / not-run.

A rule passes when every contract test tagged with it (``@pytest.mark.rule`` or ``record_rule``
at runtime) passed, fails when any failed, and is not-run otherwise (no test, or all skipped).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from contract_tests.not_run import why
from mockserver import schemas

PASS, FAIL, NOT_RUN = "pass", "fail", "not-run"
#: the ``record_rule`` fixture: ``record_rule(rule_id)`` or ``record_rule(rule_id, outcome)``
RuleRecorder = Callable[..., None]
OUTCOMES = (PASS, FAIL, NOT_RUN)


@cache
def manifest_rules() -> tuple[dict[str, Any], ...]:
    doc = json.loads((schemas.schemas_dir() / "fidelity.json").read_text(encoding="utf-8"))
    return tuple(doc["rules"])


@cache
def rule(rule_id: str) -> dict[str, Any]:
    for r in manifest_rules():
        if r["id"] == rule_id:
            return r
    raise KeyError(f"{rule_id!r} is not a rule of schemas/fidelity.json")


def known(rule_id: str) -> bool:
    return any(r["id"] == rule_id for r in manifest_rules())


@dataclass
class _Tally:
    passed: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    not_run: set[str] = field(default_factory=set)
    #: why tests of the rule did not run on this target (their skip reasons)
    reasons: set[str] = field(default_factory=set)

    @property
    def result(self) -> str:
        if self.failed:
            return FAIL
        return PASS if self.passed else NOT_RUN


class Conformance:
    """Collects test outcomes per rule for one target."""

    def __init__(self, target: str, description: str = "") -> None:
        self.target = target
        self.description = description
        self._tallies: dict[str, _Tally] = {r["id"]: _Tally() for r in manifest_rules()}

    def record(self, rule_id: str, test: str, outcome: str, reason: str | None = None) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
        tally = self._tallies[rule(rule_id)["id"]]
        {PASS: tally.passed, FAIL: tally.failed, NOT_RUN: tally.not_run}[outcome].add(test)
        if outcome == NOT_RUN and reason:
            tally.reasons.add(reason)

    def why_not_run(self, rule_id: str) -> list[str]:
        """Why a not-run rule did not run: the suite never runs it, or its tests' skip reasons."""
        never = why(rule_id)
        return [never] if never else sorted(self._tallies[rule_id].reasons) or ["no test"]

    def result(self, rule_id: str) -> str:
        return self._tallies[rule_id].result

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(OUTCOMES, 0)
        for tally in self._tallies.values():
            out[tally.result] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        rules = []
        for r in manifest_rules():
            tally = self._tallies[r["id"]]
            rules.append(
                {
                    "id": r["id"],
                    "area": r.get("area"),
                    "confidence": r.get("confidence"),
                    "result": tally.result,
                    "passed": sorted(tally.passed),
                    "failed": sorted(tally.failed),
                    "skipped": sorted(tally.not_run - tally.passed - tally.failed),
                    **(
                        {"why_not_run": self.why_not_run(r["id"])}
                        if tally.result == NOT_RUN
                        else {}
                    ),
                }
            )
        return {
            "target": self.target,
            "description": self.description,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "summary": self.counts(),
            "rules": rules,
        }

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")

    def table(self, width: int = 100) -> list[str]:
        """A readable table: every rule that ran, then the ids of those that did not."""
        lines = [f"{'rule':<30} {'result':<8} {'tests':>5}  confidence"]
        not_run: list[str] = []
        for r in manifest_rules():
            tally = self._tallies[r["id"]]
            if tally.result == NOT_RUN:
                not_run.append(r["id"])
                continue
            mark = "PASS" if tally.result == PASS else "FAIL"
            count = len(tally.passed | tally.failed)
            lines.append(f"{r['id']:<30} {mark:<8} {count:>5}  {r.get('confidence', '')}")
            for test in sorted(tally.failed)[:3]:
                lines.append(f"    failed: {test}")
        if not_run:
            lines.append(f"not run against this target ({len(not_run)}), and why:")
            for rule_id in not_run:
                lines.extend(
                    textwrap.wrap(
                        f"{rule_id}: " + "; ".join(self.why_not_run(rule_id)),
                        width=width,
                        initial_indent="    ",
                        subsequent_indent="        ",
                        break_on_hyphens=False,
                    )
                )
        c = self.counts()
        lines.append(f"pass {c[PASS]} · fail {c[FAIL]} · not-run {c[NOT_RUN]}")
        return lines
