"""The pure parts of the benchmark harness (``bench/``): wrk output parsing, the Lua scripts,
ratio maths, result shaping, target evaluation and the printed tables; and that the in-process
figures' code runs. Nothing here asserts a timing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import bench_fixture, million, report, run, scenarios, servers
from bench import wrk as wrk_
from bench.scenarios import Scenario
from bench.wrk import HarnessError
from mockserver.config import Settings

WRK_422 = """\
Running 1s test @ http://127.0.0.1:4514/v2/phone_numbers/jobs/update_phone_numbers
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.23ms    2.06ms  21.01ms   85.81%
    Req/Sec     2.12k   805.84     3.33k    70.00%
  Latency Distribution
     50%  912.00us
     75%    2.61ms
     90%    4.71ms
     99%    1.02s
  2135 requests in 1.01s, 679.84KB read
  Socket errors: connect 0, read 2, write 0, timeout 7
  Non-2xx or 3xx responses: 2135
Requests/sec:   2106.93
Transfer/sec:    670.90KB
wrk-status 422 2130
wrk-status 500 5
"""

WRK_OK = """\
Running 5s test @ http://127.0.0.1:4511/
  1 threads and 32 connections
  Latency Distribution
     50%    3.86ms
     75%    4.01ms
     90%    4.40ms
     99%    6.18ms
  40569 requests in 5.00s, 6.11MB read
Requests/sec:   8121.75
Transfer/sec:      1.22MB
wrk-status 200 40569
"""


def test_wrk_output_with_errors_is_parsed_in_milliseconds() -> None:
    parsed = wrk_.parse_output(WRK_422)
    assert parsed["rps"] == pytest.approx(2106.93)
    assert parsed["p50_ms"] == pytest.approx(0.912)
    assert parsed["p99_ms"] == pytest.approx(1020.0)
    assert parsed["requests"] == 2135
    assert parsed["seconds"] == pytest.approx(1.01)
    assert parsed["non_2xx"] == 2135
    assert parsed["socket_errors"] == {"connect": 0, "read": 2, "write": 0, "timeout": 7}
    assert parsed["statuses"] == {422: 2130, 500: 5}


def test_clean_wrk_output_has_no_errors() -> None:
    parsed = wrk_.parse_output(WRK_OK)
    assert (parsed["rps"], parsed["p50_ms"], parsed["p99_ms"]) == (8121.75, 3.86, 6.18)
    assert parsed["non_2xx"] == 0
    assert set(parsed["socket_errors"].values()) == {0}
    assert parsed["statuses"] == {200: 40569}


def test_wrk_output_without_the_latency_distribution_is_refused() -> None:
    without = "\n".join(line for line in WRK_OK.splitlines() if "%" not in line)
    with pytest.raises(ValueError, match="--latency"):
        wrk_.parse_output(without)


@pytest.mark.parametrize(
    ("token", "ms"),
    [("412.00us", 0.412), ("3.86ms", 3.86), ("1.50s", 1500.0), ("2.00m", 120_000.0)],
)
def test_wrk_durations(token: str, ms: float) -> None:
    assert wrk_.to_ms(token) == pytest.approx(ms)


def test_an_unknown_duration_unit_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a wrk duration"):
        wrk_.to_ms("3.86 parsecs")


def test_lua_strings_escape_quotes_backslashes_and_non_ascii() -> None:
    assert wrk_.lua_string('a"b\\c\n') == '"a\\034b\\092c\\010"'
    assert wrk_.lua_string("é") == '"\\195\\169"'
    assert wrk_.lua_string("Bearer k-1") == '"Bearer k-1"'


def test_the_lua_script_sets_the_request_and_counts_statuses(tmp_path: Path) -> None:
    body = tmp_path / "b.json"
    script = wrk_.lua_script("POST", {"Authorization": "Bearer k"}, body)
    assert 'wrk.method = "POST"' in script
    assert 'wrk.headers["Authorization"] = "Bearer k"' in script
    assert f'io.open("{body}", "rb")' in script
    assert 'wrk-status %d %d\\n"' in script
    assert "function request" not in script  # one fixed request: no Lua per request
    assert "io.open" not in wrk_.lua_script("GET", {}, None)


def test_wrk_never_loads_anything_but_loopback(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match=r"127\.0\.0\.1"):
        wrk_.run("wrk", "http://example.com/", tmp_path / "s.lua", duration_s=1, connections=1,
                 threads=1)  # fmt: skip


def test_ratio_and_expected_share() -> None:
    assert report.ratio(2500.0, 10_000.0) == 0.25
    assert report.ratio(1.0, 0.0) is None
    assert report.expected_share({202: 99, 422: 1}, 202) == 0.99
    assert report.expected_share({422: 4}, 202) == 0.0
    assert report.expected_share({}, 202) is None


def test_median_run_picks_the_middle_run() -> None:
    runs = [{"rps": 9.0, "n": "c"}, {"rps": 3.0, "n": "a"}, {"rps": 5.0, "n": "b"}]
    assert report.median_run(runs)["n"] == "b"
    assert report.median_run(runs[:2])["n"] == "a"  # lower middle of an even count
    with pytest.raises(ValueError, match="no runs"):
        report.median_run([])


def test_a_scenario_entry_has_the_documented_fields() -> None:
    entry = report.scenario_entry(wrk_.parse_output(WRK_OK), 200, 16243.5)
    assert entry["rps"] == 8121.8
    assert entry["p50_ms"] == 3.86
    assert entry["p99_ms"] == 6.18
    assert entry["ratio_to_bare"] == 0.5
    assert entry["non_2xx"] == 0
    assert entry["statuses"] == {"200": 40569}
    assert entry["status_ok"] is True
    json.dumps(entry)  # the results file takes it as it is


def test_a_run_that_did_not_get_its_status_fails_the_check() -> None:
    entry = report.scenario_entry(wrk_.parse_output(WRK_422), 202, 8000.0)
    assert entry["expected_share"] == 0.0
    assert entry["status_ok"] is False
    mostly = report.scenario_entry(wrk_.parse_output(WRK_422), 422, 8000.0)
    assert mostly["expected_share"] == pytest.approx(2130 / 2135, abs=1e-4)
    assert mostly["status_ok"] is True  # 99.8 % >= 99 %


@pytest.mark.parametrize(("op", "figure", "met"), [
    (">=", 0.25, True), (">=", 0.2499, False), ("<=", 0.25, True), ("<=", 0.26, False),
    ("<", 0.25, False), ("<", 0.24, True),
])  # fmt: skip
def test_target_operators(op: str, figure: float, met: bool) -> None:
    assert report.Target("k", "label", ("x",), op, 0.25).met_by(figure) is met


def _results(count: int = report.MILLION) -> dict[str, Any]:
    ok = report.scenario_entry(wrk_.parse_output(WRK_OK), 200, 8121.75)
    return {
        "machine": {"cpu_model": "Test CPU", "cpus": 2, "python": "3.11.7", "uvicorn": "0.54.0",
                    "http": "h11", "loop": "asyncio", "starlette": "1.10.0",
                    "load_generator": "wrk 4.1.0", "loadavg_1m": 0.1},
        "settings": {"threads": 1, "connections": 32, "duration_s": 5.0, "warmup_s": 1.0,
                     "emulator_args": ["--instant"]},
        "scenarios": {
            "bare": {**ok, "bare_runs_rps": [8000.0, 8121.8, 8200.0]},
            "update_2": {**ok, "ratio_to_bare": 0.31},
            "update_1000": {**ok, "ratio_to_bare": 0.012},
        },
        "inprocess_creates_per_s": 3012.4,
        "startup_s": 0.412,
        "fixture_setup_ms": 0.6,
        "rss_mb": 146.2,
        "rss_peak_mb": 150.0,
        "million": {"count": count, "load_s": 41.8, "rss_mb": 1200.0,
                    "filter_job_ms": {"tag": 66.8, "status": 184.5},
                    "filters": {"tag": "filter[tag]=sales"}},
    }  # fmt: skip


def test_targets_are_met_missed_or_not_measured() -> None:
    met = report.evaluate(_results())
    assert met["update_2_ratio"] is True
    assert met["update_1000_ratio"] is False
    assert met["inprocess_creates"] is True
    assert met["startup"] is False
    assert met["fixture_setup"] is True
    assert met["million_load"] is False
    assert met["million_rss"] is True
    assert met["million_filter_tag"] is True
    assert met["million_filter_status"] is False
    assert met["million_filter_connection_name_contains"] is None  # not in the results
    assert set(met) == {t.key for t in report.TARGETS}


def test_million_targets_do_not_apply_to_a_smaller_world() -> None:
    met = report.evaluate(_results(count=100_000))
    assert met["million_load"] is None
    assert met["million_filter_status"] is None
    assert met["startup"] is False  # the others still count


def test_the_printed_report() -> None:
    results = _results()
    results["met"] = report.evaluate(results)
    lines = report.summary_lines(results, {"update_2": "2-number update job"})
    text = "\n".join(lines)
    assert "Test CPU, 2 CPUs; Python 3.11.7" in text
    assert "wrk 4.1.0" in text
    row = next(line for line in lines if line.startswith("2-number update job"))
    assert row.split()[3:] == ["8,121.8", "3.86", "6.18", "0.310", ">=", "0.25x", "yes",
                               "200:", "100.0%"]  # fmt: skip
    assert "(baseline, median of 3)" in text
    assert "0.412 s" in text
    assert "targets met: 5 of 9 measured" in text
    header = lines.index(next(line for line in lines if line.startswith("scenario")))
    # columns line up: every number of the req/s column ends where its header does
    end = lines[header].index("req/s") + len("req/s")
    for line in lines[header + 2 : header + 5]:
        assert line[end - 1].isdigit(), line


def test_a_failed_status_check_shows_in_the_table() -> None:
    results = _results()
    results["scenarios"]["update_2"] = report.scenario_entry(
        wrk_.parse_output(WRK_422), 202, 8000.0
    )
    text = "\n".join(report.scenario_table(results, {}))
    assert "202: 0.0%, 9 socket errors (CHECK FAILED)" in text


def test_a_smaller_world_is_labelled_not_applicable() -> None:
    results = _results(count=100_000)
    results["met"] = report.evaluate(results)
    text = "\n".join(report.figures_table(results))
    assert "(n/a: 100,000-number world)" in text


def test_proc_status_memory_lines() -> None:
    text = (
        "Name:\tpython\nVmPeak:\t  900 kB\nVmHWM:\t   60276 kB\nVmRSS:\t   51200 kB\nThreads: 3\n"
    )
    assert servers.parse_proc_status(text) == {"VmPeak": 900, "VmHWM": 60276, "VmRSS": 51200}


def test_updatable_ids_are_the_first_active_numbers() -> None:
    world = {"numbers": [{"id": "3", "status": "active"}, {"id": "1", "status": "deleted"},
                         {"id": "2", "status": "active"}]}  # fmt: skip
    assert scenarios.updatable_ids(world, 2) == ["2", "3"]
    with pytest.raises(HarnessError, match="1,000 ids"):
        scenarios.emulator_scenarios(["2", "3"])


def test_the_scenarios_prepare_their_state_and_probe() -> None:
    sent: list[tuple[str, str, str | None]] = []

    def send(method: str, path: str, body: bytes | None, key: str | None) -> tuple[int, bytes]:
        sent.append((method, path, key))
        if method == "POST":
            return 202, b'{"data": {"id": "job-1"}}'
        return 200, b"{}"

    by_name = {s.name: s for s in scenarios.emulator_scenarios([str(i) for i in range(1000)])}
    assert by_name["get_job"].ready(send) == "/v2/phone_numbers/jobs/job-1"
    sent.clear()
    assert by_name["list_jobs"].ready(send) == "/v2/phone_numbers/jobs?page%5Bsize%5D=20"
    assert [m for m, _, _ in sent].count("POST") == scenarios.LIST_JOBS
    assert {key for _, _, key in sent} == {"bench-list"}
    with pytest.raises(HarnessError, match="probe got 202, not 422"):
        by_name["invalid_422"].ready(send)


def test_each_scenario_has_its_own_tenant_and_a_json_body_when_it_posts() -> None:
    found = scenarios.emulator_scenarios([str(i) for i in range(1000)])
    assert len({s.api_key for s in found}) == len(found)
    for scenario in found:
        if scenario.method == "POST":
            assert scenario.body is not None
            json.loads(scenario.body)
            assert scenario.headers()["Content-Type"] == "application/json"
    thousand = next(s for s in found if s.name == "update_1000")
    assert thousand.body is not None
    assert len(json.loads(thousand.body)["phone_numbers"]) == 1000
    assert isinstance(Scenario("x", "x", "GET", "/", 200).headers(), dict)


def test_million_filters_cover_every_filter_target() -> None:
    assert tuple(million.FILTERS) == report.FILTER_KINDS


def test_quick_mode_shortens_everything() -> None:
    quick = run.parse_args(["--quick"])
    full = run.parse_args([])
    assert (quick.duration, quick.warmup, quick.million_count) == (1.0, 0.0, 100_000)
    assert (full.duration, full.warmup, full.million_count) == (5.0, 1.0, 1_000_000)
    assert run.parse_args(["--quick", "--duration", "2"]).duration == 2.0


def test_without_wrk_or_a_way_to_install_it_the_harness_explains_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)  # no wrk, no apt-get, no sudo
    for install in (True, False):
        with pytest.raises(HarnessError, match="install wrk") as caught:
            wrk_.ensure_wrk(install=install)
        assert "\n" not in str(caught.value)


def test_rotating_keys_script_changes_the_bearer_key_every_n_requests() -> None:
    script = wrk_.lua_script("POST", {"Authorization": "Bearer k"}, None, key_prefix="k-run-",
                             per_key=15)  # fmt: skip
    assert 'wrk.headers["Authorization"] = "Bearer " .. "k-run-" .. math.floor(sent / 15)' in script
    assert "request = function()" in script
    assert "request = function()" not in wrk_.lua_script("POST", {}, None)


def test_the_fixture_figure_sets_up_a_handle_that_answers() -> None:
    """`make bench`'s fixture set-up figure drives the plugin's own factory (a changed signature
    there broke the bench once): one set-up answers a request and takes a positive time."""
    assert bench_fixture.setup_once(Settings(manual_clock=True)) > 0
