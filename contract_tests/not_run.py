"""Why a rule of the fidelity manifest is never run by the contract suite, on any target.

The conformance report prints these next to each not-run rule (and the skip reasons of the tests
that did not run on a target), so a report never lists a rule as not-run without saying why.
Every rule here is pinned by the unit tests (``tests/``) instead.
"""

from __future__ import annotations

NEVER_RUN: dict[str, str] = {
    "R-TENANTS": "needs a second key the server accepts; the targets accept only the suite's key",
    "R-V2-PREFIX": "the suite speaks to one base URL (with /v2); the bare routes are unit-tested",
    "R-RATE-LIMIT": "off unless the server runs with --rate-limit; live limits are undocumented",
    "R-VALIDATION-ORDER": "an order of checks: each check runs here, the order is unit-tested "
    "(inputs breaking several rules at once)",
    "R-JOB-CAP-EMERGENCY": "needs 500 open emergency jobs: too many requests for a contract run",
    "R-PARAMETERS": "job.parameters as saved: checked per job type by the unit tests only",
    "L-TIMING": "the emulator's own timing (1 s pending, 20 numbers/s); live: undocumented",
    "O-GONE": "needs a number deleted while a job on it waits: a race only a manual clock holds",
    "C-DETERMINISM": "needs two servers with the same seed and byte-identical request sequences",
    "R-AUTH-SPACES": "the targets accept only the suite's key (allowlist): a key with spaces is "
    "the allowlist's 401 there",
}


def why(rule_id: str) -> str | None:
    return NEVER_RUN.get(rule_id)
