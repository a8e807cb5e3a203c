"""Target selection, hypothesis profiles, shared fixtures and the conformance report.

    pytest contract_tests --target inprocess                      # the emulator, no socket
    pytest contract_tests --target url --url http://127.0.0.1:4010/v2
    pytest contract_tests --target live --hypothesis-profile live # TELNYX_* variables, guarded
    pytest contract_tests --target live --record-cassette reports/live.yaml  # + a cassette

Options fall back to environment variables: CONTRACT_TARGET, CONTRACT_URL, CONTRACT_API_KEY,
CONTRACT_PROFILE, CONTRACT_INPROCESS_OVERRIDES, CONTRACT_CASSETTE.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, settings

from contract_tests.checks import lacking
from contract_tests.live import LiveConfigError, LiveTarget
from contract_tests.report import FAIL, NOT_RUN, PASS, Conformance, RuleRecorder, known
from contract_tests.strategies import Inventory, Spare
from contract_tests.targets import (
    DEFAULT_API_KEY,
    HttpTarget,
    InProcessTarget,
    Target,
    UrlTarget,
    describe,
    parse_overrides,
    report_name,
)
from mockserver.cassette import format as cformat
from mockserver.cassette.record import RecordingTransport

_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
#: no "explain" phase: it re-sends variations of a failing example to a server whose state has
#: moved on (more requests, more noise, nothing learnt about a remote system)
_PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
settings.register_profile(
    "ci", max_examples=25, derandomize=True, deadline=None, database=None,
    phases=_PHASES, suppress_health_check=_QUIET,
)  # fmt: skip
settings.register_profile(
    "dev", max_examples=200, deadline=None, phases=_PHASES, suppress_health_check=_QUIET
)
settings.register_profile(
    "live", max_examples=5, deadline=None, database=None, derandomize=True,
    phases=[Phase.explicit, Phase.generate], suppress_health_check=_QUIET,
)  # fmt: skip
settings.load_profile(os.environ.get("CONTRACT_PROFILE", "ci"))

CONFORMANCE = pytest.StashKey[Conformance]()
TARGET_PROBLEMS = pytest.StashKey[list[str]]()
RUNTIME_RULES = pytest.StashKey[set[str]]()
EXPLICIT = pytest.StashKey[list[tuple[str, str]]]()
RECORDER = pytest.StashKey[RecordingTransport]()
#: (cassette, interactions recorded) per process that recorded (the workers, under xdist)
CASSETTES = pytest.StashKey[list[tuple[str, int]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "contract-test kit")
    group.addoption(
        "--target", choices=("inprocess", "url", "live"),
        default=os.environ.get("CONTRACT_TARGET", "inprocess"),
        help="system under test (env CONTRACT_TARGET; default inprocess)",
    )  # fmt: skip
    group.addoption(
        "--url", default=os.environ.get("CONTRACT_URL"),
        help="API base URL for --target url, e.g. http://127.0.0.1:4010/v2 (env CONTRACT_URL)",
    )  # fmt: skip
    group.addoption(
        "--api-key", default=os.environ.get("CONTRACT_API_KEY", DEFAULT_API_KEY),
        help="bearer key for inprocess/url targets (env CONTRACT_API_KEY)",
    )  # fmt: skip
    group.addoption(
        "--inprocess-overrides", default=os.environ.get("CONTRACT_INPROCESS_OVERRIDES"),
        help='JSON emulator settings for --target inprocess, e.g. \'{"max_numbers": 1001}\'',
    )  # fmt: skip
    group.addoption(
        "--conformance-report", default=None,
        help="where to write the JSON report (default reports/conformance-<target>.json)",
    )  # fmt: skip
    group.addoption(
        "--record-cassette", default=os.environ.get("CONTRACT_CASSETTE"), metavar="PATH",
        help="record every exchange with the target, redacted, into this cassette (replaced; "
        "under xdist one per worker: PATH-gwN.yaml) (env CONTRACT_CASSETTE)",
    )  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    target = config.getoption("--target")
    if (
        target == "live"
        and not config.getoption("hypothesis_profile", None)
        and "CONTRACT_PROFILE" not in os.environ
    ):
        settings.load_profile("live")
    if target == "url" and not config.getoption("--url"):
        raise pytest.UsageError("--target url needs --url (or CONTRACT_URL)")
    try:
        parse_overrides(config.getoption("--inprocess-overrides"))
    except ValueError as exc:
        raise pytest.UsageError(f"--inprocess-overrides: {exc}") from None
    conformance = config.stash[CONFORMANCE] = Conformance(target)
    config.pluginmanager.register(_Collector(conformance), "contract-conformance")
    config.stash[TARGET_PROBLEMS] = []
    config.stash[CASSETTES] = []
    cassette = cassette_path(config)
    if cassette is not None:  # this run's cassette, even when no request is ever made
        cformat.dump(cformat.Cassette(), cassette)


def cassette_path(config: pytest.Config) -> Path | None:
    """Where this process records (``None``: not recording, or an xdist controller, which sends
    nothing). An xdist worker records into ``PATH-gwN`` beside ``PATH``."""
    given = config.getoption("--record-cassette")
    if not given:
        return None
    path = Path(given)
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    if workerinput is not None:
        return path.with_name(f"{path.stem}-{workerinput['workerid']}{path.suffix}")
    if getattr(config.option, "dist", "no") != "no":
        return None
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for mark in item.iter_markers("rule"):
            if not mark.args or not known(str(mark.args[0])):
                raise pytest.UsageError(
                    f"{item.nodeid}: @pytest.mark.rule{mark.args} names no rule of "
                    "schemas/fidelity.json"
                )


def _rules_of(item: pytest.Item) -> set[str]:
    rules = {str(m.args[0]) for m in item.iter_markers("rule")}
    runtime: set[str] = item.stash.get(RUNTIME_RULES, set())
    return rules | runtime


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the test's rules (and outcomes recorded directly) to its report, so that the
    conformance report is built from reports alone (which also works under pytest-xdist)."""
    report = yield
    if (
        report.when == "call"
        or (report.when == "setup" and not report.passed)
        or (report.when == "teardown" and report.failed)
    ):
        outcome = PASS if report.passed else FAIL if report.failed else NOT_RUN
        reason = _skip_reason(report) if outcome == NOT_RUN else None
        recorded = [(rule_id, outcome, reason) for rule_id in sorted(_rules_of(item))]
        explicit: list[tuple[str, str]] = item.stash.get(EXPLICIT, [])
        recorded += [(rule_id, given, None) for rule_id, given in explicit]
        item.stash[EXPLICIT] = []
        report.user_properties.append(("contract_rules", recorded))
    return report


def _skip_reason(report: pytest.TestReport) -> str | None:
    """A skipped test's reason (``Skipped: `` dropped), for the conformance report."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return None


class _Collector:
    """Feeds the conformance report from test reports (registered as a plugin per session)."""

    def __init__(self, conformance: Conformance) -> None:
        self.conformance = conformance

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties:
            if name == "contract_rules" and isinstance(value, list):
                for rule_id, outcome, reason in value:
                    self.conformance.record(rule_id, report.nodeid, outcome, reason)


def _report_path(config: pytest.Config) -> Path:
    given = config.getoption("--conformance-report")
    if given:
        return Path(given)
    return config.rootpath / "reports" / report_name(config.getoption("--target"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    cassette = cassette_path(config)
    if cassette is not None:
        recorder = config.stash.get(RECORDER, None)
        count = recorder.session.recorded if recorder is not None else 0
        config.stash[CASSETTES].append((str(cassette), count))
        workeroutput: dict[str, Any] | None = getattr(config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput["contract_cassettes"] = config.stash[CASSETTES]
    conformance = config.stash.get(CONFORMANCE, None)
    if conformance is not None and not hasattr(config, "workerinput"):
        conformance.write(_report_path(config))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist controller: collect what each worker recorded (for the terminal summary)."""
    recorded = getattr(node, "workeroutput", {}).get("contract_cassettes", [])
    node.config.stash[CASSETTES].extend((str(path), int(n)) for path, n in recorded)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    conformance = config.stash.get(CONFORMANCE, None)
    if conformance is None:
        return
    title = f"conformance: {conformance.description or conformance.target}"
    terminalreporter.write_sep("=", title)
    for line in conformance.table():
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"report: {_report_path(config)}")
    for problem in config.stash.get(TARGET_PROBLEMS, []):
        terminalreporter.write_line(f"restore: {problem}", yellow=True)
    cassettes: list[tuple[str, int]] = config.stash.get(CASSETTES, [])
    for path, count in sorted(cassettes):
        terminalreporter.write_line(f"cassette: {path} ({count} interactions recorded, redacted)")


# -- fixtures ------------------------------------------------------------------------------------
def build_target(config: pytest.Config) -> HttpTarget:
    name = config.getoption("--target")
    key = config.getoption("--api-key")
    if name == "inprocess":
        built = InProcessTarget(key, parse_overrides(config.getoption("--inprocess-overrides")))
        return _recording(config, built)
    if name == "url":
        try:
            return _recording(config, UrlTarget(config.getoption("--url"), key))
        except (ConnectionError, ValueError) as exc:
            pytest.fail(f"--target url: {exc}", pytrace=False)
    try:
        live = LiveTarget.from_env()
    except LiveConfigError as exc:
        pytest.skip(f"live target not configured: {exc}")
    _recording(config, live)  # before start(): the snapshot reads are recorded too
    try:
        live.start()
    except LiveConfigError as exc:
        live.close()
        pytest.fail(f"live target: {exc}", pytrace=False)
    return live


def _recording(config: pytest.Config, built: HttpTarget) -> HttpTarget:
    """With ``--record-cassette``: every later exchange of ``built`` goes into the cassette."""
    cassette = cassette_path(config)
    if cassette is not None:
        config.stash[RECORDER] = built.record_into(cassette)
    return built


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Iterator[Target]:
    built = build_target(pytestconfig)
    pytestconfig.stash[CONFORMANCE].description = describe(built)
    yield built
    pytestconfig.stash[TARGET_PROBLEMS].extend(built.close())


@pytest.fixture(scope="session")
def api(target: Target) -> httpx.Client:
    """The target's authenticated client; every response is checked against ``schemas/``."""
    return target.client()


@pytest.fixture(autouse=True)
def _fresh_tenant(request: pytest.FixtureRequest) -> None:
    """Each test starts from the default world where the target can reset (controls)."""
    if "target" in request.fixturenames:
        target: Target = request.getfixturevalue("target")
        target.reset()


@pytest.fixture(scope="session")
def inventory(target: Target) -> Inventory:
    """Numbers the suite may target, read once through ``GET /phone_numbers`` (on live: only the
    sandbox). Tests that delete numbers take theirs from elsewhere (see ``deletable``)."""
    numbers = tuple(target.inventory())
    if not numbers:
        pytest.fail(
            f"{target.name}: no active numbers to use as targets (on live: check that "
            "TELNYX_CONTRACT_NUMBERS names active numbers of this account)"
        )
    return Inventory(numbers, tag=target.sandbox_tag)


@pytest.fixture
def deletable(target: Target, inventory: Inventory) -> Spare:
    """Active, unlocked numbers outside the shared inventory (so deleting them breaks nothing)."""
    if not target.can_delete:
        pytest.skip(f"{target.name}: delete jobs are never sent to this target")
    used = {n["id"] for n in inventory.numbers}
    numbers = [
        n
        for page in (2, 3)
        for n in target.inventory(page=page)
        if n["id"] not in used and not n["deletion_lock_enabled"]
    ]
    if not numbers:
        lacking(target.name, "no spare numbers to delete")
    return Spare(numbers)


@pytest.fixture
def record_rule(request: pytest.FixtureRequest) -> RuleRecorder:
    """``record_rule(rule_id)`` ties a rule to this test's outcome; ``record_rule(rule_id,
    "pass" | "fail" | "not-run")`` records an outcome for it directly."""
    item = request.node

    def record(rule_id: str, outcome: str | None = None) -> None:
        if not known(rule_id):
            raise KeyError(f"{rule_id!r} is not a rule of schemas/fidelity.json")
        if outcome is None:
            item.stash.setdefault(RUNTIME_RULES, set()).add(rule_id)
        else:
            if outcome not in (PASS, FAIL, NOT_RUN):
                raise ValueError(f"outcome must be pass, fail or not-run, not {outcome!r}")
            item.stash.setdefault(EXPLICIT, []).append((rule_id, outcome))

    return record
