"""The pure parts of ``make bench --with-prism`` (``bench/prism.py``): the npm and Prism command
lines, the install decision, the spec checks, the scenarios Prism runs, result shaping and the
printed rows. No npm, no Node, no network: installs and commands are faked or only built."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bench import prism, report, run, scenarios, servers
from bench.wrk import HarnessError

UPDATE_V2 = "/v2/phone_numbers/jobs/update_phone_numbers"
SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "servers": [{"url": "https://api.telnyx.com/v2"}],
    "paths": {"/phone_numbers/jobs/update_phone_numbers": {"post": {"responses": {}}}},
}


def _parsed(rps: float, statuses: dict[int, int]) -> dict[str, Any]:
    """A parsed wrk run (the shape ``bench.wrk.parse_output`` returns)."""
    return {
        "rps": rps, "p50_ms": 12.345, "p99_ms": 98.7654, "requests": sum(statuses.values()),
        "seconds": 3.0, "non_2xx": 0,
        "socket_errors": {"connect": 0, "read": 0, "write": 0, "timeout": 0},
        "statuses": statuses,
    }  # fmt: skip


def _install(prefix: Path, version: str) -> None:
    """What a successful npm install leaves under ``prefix``."""
    package = prefix / "node_modules" / "@stoplight" / "prism-cli"
    (package / "dist").mkdir(parents=True, exist_ok=True)
    (package / "package.json").write_text(json.dumps({"version": version}))
    (package / "dist" / "index.js").write_text("// prism\n")


def _which(*present: str) -> Any:
    return lambda name: f"/usr/bin/{name}" if name in present else None


def _completed(code: int, stderr: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess([], code, stdout="", stderr=stderr)


# --- commands -----------------------------------------------------------------------------------


def test_the_npm_command_pins_the_version_into_the_cache_prefix(tmp_path: Path) -> None:
    command = prism.install_command("/usr/bin/npm", tmp_path / "prism")
    assert command[:4] == ["/usr/bin/npm", "install", "--prefix", str(tmp_path / "prism")]
    assert f"@stoplight/prism-cli@{prism.VERSION}" in command
    assert "--save-exact" in command
    assert prism.VERSION.count(".") == 2
    assert prism.VERSION.replace(".", "").isdigit()  # exact, not a range
    assert prism.CACHE == servers.ROOT / "bench" / ".cache" / "prism"


def test_prism_runs_under_node_on_loopback_without_request_logs() -> None:
    cli = Path("/cache/node_modules/@stoplight/prism-cli/dist/index.js")
    command = prism.mock_command("/usr/bin/node", cli, Path("/spec.json"), 4321)
    assert command == ["/usr/bin/node", str(cli), "mock", "/spec.json", "-h", "127.0.0.1",
                       "-p", "4321", "--verboseLevel", "warn"]  # fmt: skip
    assert prism.cli_path(Path("/cache")) == cli
    chatty = prism.mock_command("/usr/bin/node", cli, Path("/spec.json"), 4321, "info")
    assert chatty[-2:] == ["--verboseLevel", "info"]
    assert prism.display_command(Path("/spec.json")) == (
        "prism mock /spec.json -h 127.0.0.1 -p <port> --verboseLevel warn"
    )


# --- installing ---------------------------------------------------------------------------------


def test_an_installed_pinned_prism_is_used_without_npm(tmp_path: Path) -> None:
    _install(tmp_path, prism.VERSION)

    def no_run(*args: Any, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        raise AssertionError("npm must not run")

    node, cli = prism.ensure_prism(tmp_path, which=_which("node"), run=no_run)
    assert (node, cli) == ("/usr/bin/node", prism.cli_path(tmp_path))
    assert prism.installed_version(tmp_path) == prism.VERSION


def test_a_missing_prism_is_installed_with_npm(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def npm(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        _install(tmp_path, prism.VERSION)
        return _completed(0)

    _install(tmp_path, "5.0.1")  # another version: replaced, not used
    node, cli = prism.ensure_prism(tmp_path, which=_which("node", "npm"), run=npm)
    assert node == "/usr/bin/node"
    assert calls == [prism.install_command("/usr/bin/npm", tmp_path)]
    assert cli == prism.cli_path(tmp_path)


@pytest.mark.parametrize(
    ("present", "install", "message"),
    [
        ((), True, "needs Node.js"),
        (("node",), True, "needs npm"),
        (("node", "npm"), False, "is not installed in"),
    ],
)
def test_without_node_npm_or_permission_to_install_the_error_is_one_line(
    tmp_path: Path, present: tuple[str, ...], install: bool, message: str
) -> None:
    with pytest.raises(HarnessError, match=message) as caught:
        prism.ensure_prism(tmp_path, install=install, which=_which(*present))
    assert "\n" not in str(caught.value)


def test_a_failed_npm_install_says_why_in_one_line(tmp_path: Path) -> None:
    def failing(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return _completed(1, "npm error code E404\nnpm error 404 Not Found - prism-cli\n")

    with pytest.raises(HarnessError, match="failed \\(npm error 404 Not Found") as caught:
        prism.ensure_prism(tmp_path, which=_which("node", "npm"), run=failing)
    assert "\n" not in str(caught.value)

    def silent_but_empty(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return _completed(0)  # exit 0, yet nothing installed

    with pytest.raises(HarnessError, match="failed \\(exit 0\\)"):
        prism.ensure_prism(tmp_path, which=_which("node", "npm"), run=silent_but_empty)


def test_a_broken_install_counts_as_missing(tmp_path: Path) -> None:
    assert prism.installed_version(tmp_path) is None
    _install(tmp_path, prism.VERSION)
    (prism.cli_path(tmp_path)).unlink()
    assert prism.installed_version(tmp_path) is None


# --- the spec -----------------------------------------------------------------------------------


def test_the_spec_is_read_or_the_error_names_the_option(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="--prism-spec PATH") as caught:
        prism.load_spec(tmp_path / "absent.json")
    assert "\n" not in str(caught.value)
    (tmp_path / "bad.json").write_text("openapi: 3.1.0\n")
    with pytest.raises(HarnessError, match="not JSON"):
        prism.load_spec(tmp_path / "bad.json")
    (tmp_path / "spec.json").write_text(json.dumps(SPEC))
    assert prism.load_spec(tmp_path / "spec.json") == SPEC


def test_prism_paths_lose_the_servers_base_path_only() -> None:
    assert prism.base_path(SPEC) == "/v2"
    assert prism.base_path({"servers": [{"url": "https://h.example/"}]}) == ""
    assert prism.base_path({}) == ""
    assert prism.prism_path(UPDATE_V2, "/v2") == "/phone_numbers/jobs/update_phone_numbers"
    assert prism.prism_path("/v2/x?filter%5Btag%5D=a", "/v2") == "/x?filter%5Btag%5D=a"
    assert prism.prism_path("/v2x/jobs", "/v2") == "/v2x/jobs"
    assert prism.prism_path(UPDATE_V2, "") == UPDATE_V2


def test_the_spec_must_be_openapi_3_with_the_update_operation() -> None:
    assert prism.check_spec(SPEC, [UPDATE_V2]) == "/v2"
    with pytest.raises(HarnessError, match="not an OpenAPI 3"):
        prism.check_spec({**SPEC, "swagger": "2.0", "openapi": None}, [UPDATE_V2])
    with pytest.raises(HarnessError, match=r"no POST /phone_numbers/jobs$"):
        prism.check_spec(SPEC, ["/v2/phone_numbers/jobs"])


def test_the_spec_facts_identify_the_file_and_say_it_is_unchanged(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_bytes(b"{}")
    facts = prism.spec_facts(spec)
    assert facts["path"] == str(spec)
    assert facts["sha256"] == "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    assert facts["changes"].startswith("none")


# --- scenarios and results ----------------------------------------------------------------------


def test_prism_runs_the_update_job_scenarios_on_its_paths() -> None:
    emulator = scenarios.emulator_scenarios([str(i) for i in range(1000)])
    chosen = prism.prism_scenarios(emulator, "/v2")
    by_name = {s.name: s for s in emulator}
    assert [s.name for s in chosen] == ["update_2", "update_1000"]
    for scenario in chosen:
        original = by_name[scenario.name]
        assert scenario.path == "/phone_numbers/jobs/update_phone_numbers"
        assert (scenario.method, scenario.body, scenario.api_key, scenario.rotate_keys) == (
            original.method, original.body, original.api_key, original.rotate_keys,
        )  # fmt: skip
    with pytest.raises(HarnessError, match="update_1000"):
        prism.prism_scenarios([by_name["update_2"]], "/v2")


def test_the_wrk_script_sends_the_scenario_body(tmp_path: Path) -> None:
    emulator = scenarios.emulator_scenarios([str(i) for i in range(1000)])
    scenario = prism.prism_scenarios(emulator, "/v2")[0]
    script = prism._script(scenario, tmp_path).read_text()
    assert 'wrk.method = "POST"' in script
    assert str(tmp_path / "prism-update_2.json") in script
    assert (tmp_path / "prism-update_2.json").read_bytes() == scenario.body


def test_a_prism_row_expects_the_status_its_probe_got() -> None:
    same = prism.prism_entry(_parsed(2000.0, {202: 6000}), (202, b"x" * 1500), 202, 8000.0)
    assert (same["expected_status"], same["status_ok"], same["same_status_as_emulator"]) == (
        202, True, True,
    )  # fmt: skip
    assert (same["ratio_to_bare"], same["bare_rps"], same["response_bytes"]) == (0.25, 8000.0, 1500)
    assert (same["p50_ms"], same["p99_ms"]) == (12.345, 98.765)
    other = prism.prism_entry(_parsed(3000.0, {200: 9000}), (200, b"{}"), 202, 8000.0)
    assert other["expected_status"] == 200
    assert other["status_ok"] is True  # recorded, not a failure
    assert other["same_status_as_emulator"] is False
    mixed = prism.prism_entry(_parsed(3000.0, {202: 50, 500: 50}), (202, b"{}"), 202, 8000.0)
    assert mixed["status_ok"] is False
    assert mixed["statuses"] == {"202": 50, "500": 50}


def test_emulator_over_prism_is_the_quotient_of_their_ratios_to_bare() -> None:
    assert prism.emulator_over_prism({"ratio_to_bare": 0.4}, {"ratio_to_bare": 0.2}) == 2.0
    assert prism.emulator_over_prism({"ratio_to_bare": 0.05}, {"ratio_to_bare": 0.2}) == 0.25
    assert prism.emulator_over_prism(None, {"ratio_to_bare": 0.2}) is None
    assert prism.emulator_over_prism({"ratio_to_bare": 0.4}, {"ratio_to_bare": None}) is None
    assert prism.emulator_over_prism({"ratio_to_bare": 0.4}, {"ratio_to_bare": 0}) is None


def _prism_results() -> dict[str, Any]:
    rows = {
        "update_2": prism.prism_entry(_parsed(2000.0, {202: 6000}), (202, b"x" * 1500), 202, 8e3),
        "update_1000": prism.prism_entry(_parsed(800.0, {202: 2400}), (202, b"x" * 1500), 202, 8e3),
    }
    emulator = {"update_2": {"ratio_to_bare": 0.5}, "update_1000": {"ratio_to_bare": 0.05}}
    spec = {"path": "/spec.json", "sha256": "0" * 64, "changes": "none"}
    return prism.shape("5.14.2", "v20.20.2", spec, "/v2", rows, emulator, [2.0, 0.9, 1.1],
                       (150.04, 162.76))  # fmt: skip


def test_the_prism_key_of_the_results() -> None:
    found = _prism_results()
    assert found["version"] == "5.14.2"
    assert (found["startup_s"], found["startup_samples_s"]) == (1.1, [2.0, 0.9, 1.1])
    assert (found["rss_mb"], found["rss_now_mb"]) == (162.8, 150.0)  # rss_mb: VmHWM
    assert found["path_prefix_removed"] == "/v2"
    assert found["log_level"] == "warn"
    assert found["command"].endswith("--verboseLevel warn")
    assert found["command"].startswith("prism mock /spec.json -h 127.0.0.1")
    assert "none of the business rules" in found["note"]
    two, thousand = found["scenarios"]["update_2"], found["scenarios"]["update_1000"]
    assert (two["rps"], two["ratio_to_bare"], two["emulator_over_prism"]) == (2000.0, 0.25, 2.0)
    assert (thousand["ratio_to_bare"], thousand["emulator_over_prism"]) == (0.1, 0.5)
    json.dumps(found)  # goes into latest.json as it is


def _base_results() -> dict[str, Any]:
    ok = report.scenario_entry(_parsed(8000.0, {200: 24000}), 200, 8000.0)
    return {
        "machine": {"cpu_model": "Test CPU", "cpus": 2, "python": "3.11.7", "uvicorn": "0.54.0",
                    "http": "h11", "loop": "asyncio", "starlette": "1.10.0",
                    "load_generator": "wrk 4.1.0", "loadavg_1m": 0.1},
        "settings": {"threads": 1, "connections": 32, "duration_s": 3.0, "warmup_s": 1.0,
                     "emulator_args": ["--no-access-log"]},
        "scenarios": {"bare": ok},
    }  # fmt: skip


def test_the_printed_prism_rows() -> None:
    results = {**_base_results(), "prism": _prism_results()}
    labels = {"update_2": "2-number update job", "update_1000": "1,000-number update job"}
    lines = report.summary_lines(results, labels)
    text = "\n".join(lines)
    assert "Prism 5.14.2 (Node v20.20.2): prism mock /spec.json" in text
    assert "paths without /v2" in text
    assert "Prism enforces none of the business rules" in text
    row = next(line for line in lines if line.startswith("2-number update job"))
    assert row.split()[3:] == ["2,000.0", "12.35", "98.77", "0.250", "2.00", "1,500",
                               "202:", "100.0%"]  # fmt: skip
    row = next(line for line in lines if line.startswith("1,000-number update job"))
    assert row.split()[3:6] == ["800.0", "12.35", "98.77"]
    assert "Prism start to first response: 1.100 s (median of 3); peak RSS (VmHWM): 162.8 MiB" in (
        text
    )


def test_another_status_from_prism_is_shown_next_to_the_emulators() -> None:
    results = {**_base_results(), "prism": _prism_results()}
    results["prism"]["scenarios"]["update_2"] = prism.prism_entry(
        _parsed(3000.0, {200: 9000}), (200, b"{}"), 202, 8000.0
    )
    text = "\n".join(report.prism_table(results, {}))
    assert "200: 100.0% (emulator: 202)" in text


def test_without_the_flag_nothing_about_prism_is_printed_or_run() -> None:
    text = "\n".join(report.summary_lines(_base_results(), {}))
    assert "Prism" not in text
    args = run.parse_args([])
    assert args.with_prism is False
    assert args.prism_spec == prism.DEFAULT_SPEC
    chosen = run.parse_args(["--with-prism", "--prism-spec", "/tmp/spec.json"])
    assert (chosen.with_prism, chosen.prism_spec) == (True, Path("/tmp/spec.json"))
    assert args.prism_log_level == "warn"
    assert run.parse_args(["--prism-log-level", "info"]).prism_log_level == "info"
    with pytest.raises(SystemExit):
        run.parse_args(["--prism-log-level", "loud"])


def test_prism_is_ready_once_it_answers_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    server = prism.PrismServer("prism", ["node"], 4010, prism.READY_PATH, Path("/dev/null"))
    seen: list[tuple[str, str | None]] = []

    def answer(port: int, method: str, path: str, body: Any, key: str | None) -> tuple[int, bytes]:
        seen.append((path, key))
        return 404, b"{}"

    monkeypatch.setattr(servers, "request", answer)
    assert server.answering() is True
    assert seen == [("/phone_numbers/jobs", prism.READY_KEY)]

    def refused(*args: Any) -> tuple[int, bytes]:
        raise ConnectionRefusedError(111, "refused")

    monkeypatch.setattr(servers, "request", refused)
    assert server.answering() is False
