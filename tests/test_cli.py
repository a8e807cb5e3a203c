"""mockserver.cli: the ``telnyx-mock`` command line, and the real server it starts."""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import __version__
from mockserver.cli import DEFAULT_HOST, DEFAULT_PORT, build_parser, main, settings_from
from mockserver.config import Settings
from mockserver.response_check import problems
from tests.helpers import subcommand, wait_until_ready

ROOT = Path(__file__).resolve().parents[1]
KEY = "cli-test-key"
JOB_PATH = "/v2/phone_numbers/jobs/update_phone_numbers"


def exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    code = caught.value.code
    assert isinstance(code, int)
    return code


def parse(argv: list[str]) -> argparse.Namespace:
    return build_parser().parse_args(argv)


# --- help and bad options ----------------------------------------------------------------------


def test_help_lists_serve(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["--help"]) == 0
    out = capsys.readouterr().out
    assert "telnyx-mock" in out
    assert "serve" in out
    assert "run the emulator over HTTP" in out


def test_serve_help_lists_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    for option in (
        "--host", "--port", "--seed", "--fixtures", "--api-key", "--manual-clock",
        "--pending-delay", "--numbers-per-second", "--instant", "--allow-mixed",
        "--max-numbers", "--no-control", "--log-format",
    ):  # fmt: skip
        assert option in out, option


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"telnyx-mock {__version__}"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--port", "70000"], "argument --port: not a TCP port: '70000'"),
        (["serve", "--port", "-1"], "argument --port: not a TCP port: '-1'"),
        (["serve", "--port", "http"], "argument --port: not a TCP port: 'http'"),
        (
            ["serve", "--numbers-per-second", "0"],
            "argument --numbers-per-second: must be greater than 0: '0'",
        ),
        (
            ["serve", "--numbers-per-second", "fast"],
            "argument --numbers-per-second: not a number: 'fast'",
        ),
        (
            ["serve", "--pending-delay", "-1"],
            "argument --pending-delay: must not be negative: '-1'",
        ),
        (
            ["serve", "--fixtures", "/nonexistent"],
            "argument --fixtures: no world file at /nonexistent",
        ),
        (["serve", "--max-numbers", "many"], "argument --max-numbers: not a whole number: 'many'"),
        (["serve", "--max-numbers", "-5"], "argument --max-numbers: must be at least 1: '-5'"),
        (["serve", "--max-numbers", "0"], "argument --max-numbers: must be at least 1: '0'"),
        (["serve", "--pending-delay", "nan"], "argument --pending-delay: must be a finite number"),
        (["serve", "--numbers-per-second", "inf"], "--numbers-per-second: must be a finite number"),
        (["serve", "--rate-limit", "-3"], "argument --rate-limit: must be greater than 0: '-3'"),
        (["serve", "--log-level", "loud"], "argument --log-level: invalid choice: 'loud'"),
        (["world", "--count", "-5"], "argument --count: expected a whole number of numbers"),
        (["world", "--count", "10"], "the following arguments are required: --out"),
        (["serve", "--log-format", "xml"], "argument --log-format: invalid choice: 'xml'"),
        (["serve", "--bogus"], "unrecognized arguments: --bogus"),
        (["launch"], "invalid choice: 'launch'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_options_exit_2_with_a_clear_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert "usage: telnyx-mock" in captured.err


def test_fixtures_folder_without_world_json_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code(["serve", "--fixtures", str(tmp_path)]) == 2
    assert f"no world file at {tmp_path / 'world.json'}" in capsys.readouterr().err


# --- settings_from -----------------------------------------------------------------------------


def test_defaults_give_the_default_settings() -> None:
    args = parse(["serve"])
    assert settings_from(args) == Settings()
    assert (args.host, args.port, args.log_format) == (DEFAULT_HOST, DEFAULT_PORT, "text")
    assert (DEFAULT_HOST, DEFAULT_PORT) == ("127.0.0.1", 4010)


def test_settings_from_maps_every_flag() -> None:
    world_file = ROOT / "fixtures" / "world.json"
    args = parse(
        [
            "serve", "--host", "0.0.0.0", "--port", "0", "--seed", "7",
            "--fixtures", str(world_file), "--api-key", "a", "--api-key", "b",
            "--manual-clock", "--pending-delay", "2.5", "--numbers-per-second", "7.5",
            "--instant", "--allow-mixed", "--max-numbers", "50", "--no-control",
            "--log-format", "json", "--rate-limit", "2.5",
        ]
    )  # fmt: skip
    assert settings_from(args) == Settings(
        seed=7,
        world_path=world_file,
        api_keys=frozenset({"a", "b"}),
        manual_clock=True,
        pending_delay_ms=2500,
        numbers_per_second=7.5,
        instant_jobs=True,
        allow_mixed_forms=True,
        max_numbers=50,
        control=False,
        rate_limit_per_second=2.5,
    )
    assert (args.host, args.port, args.log_format) == ("0.0.0.0", 0, "json")


@pytest.mark.parametrize(
    ("flags", "field", "value"),
    [
        (["--seed", "3"], "seed", 3),
        (["--fixtures", "fixtures"], "world_path", Path("fixtures")),
        (["--api-key", "k"], "api_keys", frozenset({"k"})),
        (["--manual-clock"], "manual_clock", True),
        (["--pending-delay", "0"], "pending_delay_ms", 0),
        (["--pending-delay", "0.0004"], "pending_delay_ms", 0),
        (["--pending-delay", "1.2345"], "pending_delay_ms", 1234),
        (["--numbers-per-second", "0.5"], "numbers_per_second", 0.5),
        (["--instant"], "instant_jobs", True),
        (["--allow-mixed"], "allow_mixed_forms", True),
        (["--max-numbers", "10"], "max_numbers", 10),
        (["--no-control"], "control", False),
        (["--rate-limit", "5"], "rate_limit_per_second", 5.0),
        (["--tenant-idle", "60"], "tenant_idle_s", 60.0),
        (["--max-tenants", "5"], "max_tenants", 5),
        (["--max-jobs", "7"], "max_jobs", 7),
    ],
)
def test_each_flag_changes_exactly_its_setting(
    flags: list[str], field: str, value: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # --fixtures fixtures is relative to the working directory
    changed = settings_from(parse(["serve", *flags]))
    assert getattr(changed, field) == value
    default = Settings()
    others = [f.name for f in fields(Settings) if f.name != field]
    assert [getattr(changed, n) for n in others] == [getattr(default, n) for n in others]


def test_every_serve_option_is_known_to_this_test() -> None:
    """A new flag must be added to the mapping tests above."""
    serve = subcommand(build_parser(), "serve")
    dests = {a.dest for a in serve._actions if a.dest != "help"}
    assert dests == {
        "host", "port", "seed", "fixtures", "api_key", "manual_clock", "pending_delay",
        "numbers_per_second", "instant", "allow_mixed", "max_numbers", "no_control",
        "log_format", "rate_limit", "access_log", "log_level", "quiet", "tenant_idle",
        "max_tenants", "max_jobs", "state", "state_interval",
    }  # fmt: skip


# --- the real server ---------------------------------------------------------------------------


def readme_request(client: httpx.Client) -> httpx.Response:
    """The README's curl example."""
    return client.post(
        JOB_PATH,
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
        json={"phone_numbers": ["+13127367254"], "tags": ["demo"]},
    )


def assert_pending_job(r: httpx.Response) -> None:
    assert r.status_code == 202, r.text
    assert problems("POST", JOB_PATH, r.status_code, r.content) == []
    job = r.json()["data"]
    assert job["record_type"] == "phone_numbers_job"
    assert job["type"] == "update_phone_numbers"
    assert job["status"] == "pending"
    assert job["created_at"] == "2026-01-01T00:00:00.000Z"  # the manual clock's start


@pytest.mark.slow
def test_serve_end_to_end(serve: Any) -> None:
    base, proc, log = serve("--manual-clock")
    with httpx.Client(base_url=base, timeout=2.0) as client:

        def healthy() -> bool:
            return client.get("/_mock/health", timeout=0.25).status_code == 200

        wait_until_ready(proc, healthy, log)
        health = client.get("/_mock/health").json()
        assert health["status"] == "ok"
        assert health["version"] == __version__
        assert health["seed"] == 0
        assert health["manual_clock"] is True
        assert_pending_job(readme_request(client))
        r = client.get("/v2/phone_numbers/jobs", headers={"Authorization": f"Bearer {KEY}"})
        assert r.status_code == 200
        assert r.json()["meta"]["total_results"] == 1
    proc.terminate()
    assert proc.wait(timeout=10) is not None


@pytest.mark.slow
@pytest.mark.rule("C-CONTROLS")
def test_serve_without_controls(serve: Any) -> None:
    base, proc, log = serve("--manual-clock", "--no-control")
    auth = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=base, timeout=2.0) as client:

        def jobs_answer() -> bool:
            return client.get("/v2/phone_numbers/jobs", headers=auth, timeout=0.25).is_success

        wait_until_ready(proc, jobs_answer, log)
        for method, path in [
            ("GET", "/_mock/health"),
            ("POST", "/_mock/reset"),
            ("GET", "/_mock/clock"),
            ("POST", "/_mock/jobs/run"),
        ]:
            r = client.request(method, path, headers=auth)
            assert r.status_code == 404, (path, r.text)
            assert r.json()["errors"][0]["code"] == "10005"
            assert r.json()["errors"][0]["title"] == "Resource not found"
        assert_pending_job(readme_request(client))
    proc.terminate()
    assert proc.wait(timeout=10) is not None


@pytest.mark.slow
def test_access_log_on_by_default_and_off_with_no_access_log(serve: Any) -> None:
    """One line per request by default; ``--no-access-log`` keeps only the start-up line."""
    for flags, expect_line in (((), True), (("--no-access-log",), False)):
        base, proc, log = serve("--manual-clock", *flags)
        with httpx.Client(base_url=base, timeout=2.0) as client:
            wait_until_ready(proc, lambda c=client: c.get("/_mock/health").is_success, log)
            assert readme_request(client).status_code == 202
        proc.terminate()
        proc.wait(timeout=10)
        text = log.read_text(errors="replace")
        assert "telnyx-mock" in text  # the ready line either way
        assert ("POST /v2/phone_numbers/jobs/update_phone_numbers 202" in text) is expect_line
