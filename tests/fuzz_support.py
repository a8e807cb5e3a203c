"""What the fuzz tests share: the example budget, the case counter, and the checked request.

Budget: under the ``ci`` profile (the unit run) every fuzz test runs ``CI_EXAMPLES`` examples;
under any other profile it runs the profile's ``max_examples`` (``--hypothesis-profile fuzz``:
see ``tests/conftest.py``). Every fuzz test calls :func:`tick` once per example; a small plugin,
registered by the ``fuzz_case_report`` fixture, prints the total at the end of the session and,
under the ``fuzz`` profile, fails the run when the whole fuzz set ran fewer than ``FUZZ_TARGET``
cases (``FUZZ_MIN_CASES`` overrides the target; the check is skipped when ``-k``/``-m`` or a
``file::test`` id narrows the run, and on xdist workers, which see only their share).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from starlette.applications import Starlette

from mockserver import schemas
from mockserver.response_check import problems
from mockserver.transport import ASGIBridge
from tests.helpers import ID_A

CI_EXAMPLES = 12
FUZZ_TARGET = 10_000
KEY = "fuzz-key"
TRACE_MARKERS = (b"Traceback (most recent call last)", b'File "/')
CASES: Counter[str] = Counter()


def budget() -> int:
    """Examples per fuzz test under the current profile."""
    if settings.get_current_profile_name() == "ci":
        return CI_EXAMPLES
    current = settings.default
    assert current is not None
    return current.max_examples


def fuzz_settings() -> settings:
    """One app per test, kept across its examples (hence function-scoped fixtures are fine)."""
    return settings(
        max_examples=budget(),
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
            HealthCheck.data_too_large, HealthCheck.filter_too_much, HealthCheck.large_base_example,
        ],
    )  # fmt: skip


def tick() -> None:
    """Count one example of the running test."""
    current = os.environ.get("PYTEST_CURRENT_TEST", "?")
    CASES[current.rsplit(" (", 1)[0]] += 1


class _CaseReport:
    """A pytest plugin: the fuzz case count in the terminal summary (and the target check)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def _target(self) -> int:
        opts = self.config.option
        narrowed = opts.keyword or opts.markexpr or any("::" in a for a in self.config.args)
        if settings.get_current_profile_name() != "fuzz" or narrowed:
            return 0
        if hasattr(self.config, "workerinput"):
            return 0
        return int(os.environ.get("FUZZ_MIN_CASES", FUZZ_TARGET))

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if sum(CASES.values()) < self._target() and exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        total = sum(CASES.values())
        profile = settings.get_current_profile_name()
        tr = terminalreporter
        tr.write_sep("-", "fuzz cases")
        if profile == "fuzz" or self.config.option.verbose > 0:
            for name, count in sorted(CASES.items()):
                tr.write_line(f"{count:7d}  {name}")
        line = f"{total} fuzz cases in {len(CASES)} tests (hypothesis profile {profile!r})"
        target = self._target()
        if target:
            verdict = "OK" if total >= target else "BELOW TARGET: the run fails"
            line += f"; target {target}: {verdict}"
        tr.write_line(line)


@pytest.fixture(scope="session", autouse=True)
def fuzz_case_report(request: pytest.FixtureRequest) -> None:
    """Registers the case report once per session (import this fixture into each fuzz module)."""
    manager = request.config.pluginmanager
    if not manager.has_plugin("fuzz-case-report"):
        manager.register(_CaseReport(request.config), "fuzz-case-report")


def _counting(method: Any, counter: list[int]) -> Any:
    def counted(*args: Any) -> Any:
        counter[0] += 1
        return method(*args)

    return counted


def writes(inventory: Any) -> int:
    """How many times a tenant's numbers were written. Every write goes through
    ``Inventory.replace`` or ``Inventory.remove`` (they keep the indexes in step); the first
    call wraps both methods of this inventory with a counter."""
    counter: list[int] | None = inventory.__dict__.get("fuzz_writes")
    if counter is None:
        counter = inventory.fuzz_writes = [0]
        for name in ("replace", "remove"):
            setattr(inventory, name, _counting(getattr(inventory, name), counter))
    return counter[0]


# -- the checked request --------------------------------------------------------------------------
ENVELOPE = schemas.validator("error.schema.json", "/$defs/emulator_envelope")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
PARTS = ("clock", "jobs", "numbers", "expire_next", "fail_next", "faults")


def raw_headers(headers: list[tuple[str, str | bytes]] | None) -> list[tuple[bytes, bytes]]:
    """Headers as bytes, as sent (``str`` values are latin-1, as servers decode them)."""
    return [
        (name.encode("latin-1"), value if isinstance(value, bytes) else value.encode("latin-1"))
        for name, value in headers or []
    ]


class Probe:
    """An in-process emulator and a raw client for it (no response hook: :meth:`send` checks)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.client = httpx.Client(transport=ASGIBridge(app), base_url="https://api.telnyx.com")

    def close(self) -> None:
        self.client.close()

    def fingerprint(self, key: str) -> tuple[Any, ...]:
        """A cheap fingerprint of a tenant's state: clock, jobs and their progress, writes to
        its numbers (and a sample of them), pending fault controls and injected faults. Time is
        settled first, so that outcomes due already are applied before, not during, the request
        under test."""
        world = self.app.state.tenants.get(key)
        now = world.settle()
        inventory = world.inventory
        faults = self.app.state.faults.peek(key)
        return (
            now,
            tuple((job.id, len(job.outcomes)) for job in world.job_list),
            (writes(inventory), len(inventory), json.dumps(inventory.get(ID_A), sort_keys=True)),
            world.expire_next,
            world.fail_next,
            tuple(json.dumps(f.to_json()) for f in faults.list()) if faults else (),
        )

    def send(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        headers: list[tuple[str, str | bytes]] | None = None,
        params: list[tuple[str, str]] | None = None,
    ) -> httpx.Response:
        """Send one request and check: no 5xx, no stack trace, every 4xx a Telnyx error
        envelope, every 2xx the documented shape, and nothing changed by a rejected request
        (nor by any request with a safe method)."""
        auth = next((v for k, v in headers or [] if k.lower() == "authorization"), None)
        header = auth.decode("latin-1") if isinstance(auth, bytes) else auth
        keys = {KEY} | {k for k in [self.app.state.tenants.accepted_key(header)] if k}
        before = {k: self.fingerprint(k) for k in keys}
        shown_headers = [(k, v[:80]) for k, v in headers or []]
        what = f"{method} {url[:200]} params={params!r} headers={shown_headers!r}"
        what += f" body={(content or b'')[:200]!r}"
        try:
            r = self.client.request(
                method, url, content=content, headers=raw_headers(headers),
                params=tuple(params or ()),
            )  # fmt: skip
        except Exception as exc:  # the app raised: a 500 with a stack trace on a real server
            raise AssertionError(f"{what} raised {exc!r}") from exc
        status, body = r.status_code, r.content
        assert status < 500, f"{what} -> {status}: {r.text[:500]}"
        assert 200 <= status < 300 or 400 <= status < 500, f"{what} -> {status}"
        assert not any(m in body for m in TRACE_MARKERS), f"{what} -> a stack trace: {r.text}"
        if status >= 400:
            assert r.headers.get("content-type") == "application/json", what
            found = [e.message for e in ENVELOPE.iter_errors(json.loads(body))]
            assert not found, f"{what} -> {status}, not a Telnyx error envelope: {found}"
        elif r.request.url.path.startswith("/_mock/ui"):  # the dashboard: one of its files
            assert r.headers.get("content-security-policy"), what
        elif r.request.url.path.startswith("/_mock/"):  # the controls answer a JSON object
            assert isinstance(json.loads(body), dict), f"{what} -> {status}: {r.text[:500]}"
        else:
            shown = "GET" if method == "HEAD" else method
            found = problems(shown, r.request.url.path, status, body)
            assert not found, f"{what} -> {status}: " + "\n".join(found)
        if status >= 400 or method in SAFE_METHODS:
            after = {k: self.fingerprint(k) for k in keys}
            changed = [
                f"{k}: {PARTS[i]}" for k in keys for i in range(len(PARTS))
                if before[k][i] != after[k][i]
            ]  # fmt: skip
            assert not changed, f"{what} -> {status} changed the state of the world: {changed}"
        if status < 300 and r.request.url.path.startswith("/_mock/faults"):
            self.client.delete("/_mock/faults", headers={"Authorization": f"Bearer {KEY}"})
            if keys != {KEY}:  # an injected fault must not leak into the next example
                for k in keys:
                    auth_k = f"Bearer {k}".encode("latin-1")
                    self.client.delete("/_mock/faults", headers={b"Authorization": auth_k})
        return r
