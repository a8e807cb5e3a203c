"""mockserver.launch and mockserver.environment: the listening commands bind first and print the
real address, a port clash is one line and exit 2, ``record``/``replay`` default beside ``serve``,
``--log-level``/``--quiet``, and ``TELNYX_MOCK_*`` variables under the command line."""

from __future__ import annotations

import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import environment
from mockserver.cli import DEFAULT_PORT, RECORD_PORT, REPLAY_PORT, build_parser, settings_from
from mockserver.config import Settings
from tests.helpers import stop_process, subcommand

ROOT = Path(__file__).resolve().parents[1]
CASSETTE = ROOT / "fixtures" / "cassettes" / "job_lifecycle.yaml"
BANNER_BUDGET_S = 15.0
AUTH = {"Authorization": "Bearer launch-key"}


def parse(argv: list[str], environ: dict[str, str] | None = None) -> Any:
    return build_parser(environ if environ is not None else {}).parse_args(argv)


# --- defaults and the environment --------------------------------------------------------------


def test_record_and_replay_listen_beside_serve_by_default() -> None:
    assert parse(["serve"]).port == DEFAULT_PORT == 4010
    record = parse(["record", "--upstream", "http://127.0.0.1:4010", "--cassette", "c.yaml"])
    assert record.port == RECORD_PORT == 4011
    assert parse(["replay", "--cassette", "c.yaml"]).port == REPLAY_PORT == 4012
    assert len({DEFAULT_PORT, RECORD_PORT, REPLAY_PORT}) == 3


def test_every_variable_names_a_serve_option() -> None:
    serve = subcommand(build_parser(), "serve")
    dests = {a.dest for a in serve._actions}
    assert {dest for dest, _ in environment.VARIABLES.values()} <= dests
    assert all(name.startswith("TELNYX_MOCK_") for name in environment.VARIABLES)
    assert "TELNYX_MOCK_PORT" in environment.EPILOG
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [name for name in environment.VARIABLES if f"`{name}`" not in readme] == []


def test_variables_give_defaults_and_the_command_line_wins() -> None:
    environ = {
        "TELNYX_MOCK_HOST": "0.0.0.0", "TELNYX_MOCK_PORT": "0", "TELNYX_MOCK_SEED": "9",
        "TELNYX_MOCK_API_KEYS": "a, b", "TELNYX_MOCK_MANUAL_CLOCK": "yes",
        "TELNYX_MOCK_INSTANT": "0", "TELNYX_MOCK_MAX_NUMBERS": "50",
        "TELNYX_MOCK_LOG_LEVEL": "WARNING", "TELNYX_MOCK_QUIET": "on",
        "TELNYX_MOCK_NO_CONTROL": "true", "TELNYX_MOCK_PENDING_DELAY": "2",
    }  # fmt: skip
    args = parse(["serve"], environ)
    assert (args.host, args.port, args.log_level, args.quiet) == ("0.0.0.0", 0, "warning", True)
    assert settings_from(args) == Settings(
        seed=9, api_keys=frozenset({"a", "b"}), manual_clock=True, max_numbers=50, control=False,
        pending_delay_ms=2000,
    )  # fmt: skip
    given = parse(["serve", "--port", "4999", "--seed", "1", "--api-key", "c"], environ)
    assert (given.port, given.seed) == (4999, 1)
    assert settings_from(given).api_keys == frozenset({"c"})  # replaced, not extended
    assert settings_from(parse(["serve"], {"TELNYX_MOCK_SEED": ""})).seed == 0  # empty: unset


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TELNYX_MOCK_PORT", "http", "variable TELNYX_MOCK_PORT: not a TCP port: 'http'"),
        ("TELNYX_MOCK_MAX_NUMBERS", "-5", "TELNYX_MOCK_MAX_NUMBERS: must be at least 1: '-5'"),
        ("TELNYX_MOCK_SEED", "x", "TELNYX_MOCK_SEED: invalid value: 'x'"),
        ("TELNYX_MOCK_MANUAL_CLOCK", "maybe", "TELNYX_MOCK_MANUAL_CLOCK: expected 1, true, yes"),
        ("TELNYX_MOCK_LOG_FORMAT", "xml", "TELNYX_MOCK_LOG_FORMAT: invalid choice: 'xml'"),
        ("TELNYX_MOCK_FIXTURES", "/nonexistent", "TELNYX_MOCK_FIXTURES: no world file at"),
    ],
)  # fmt: skip
def test_a_bad_variable_is_a_usage_error_naming_it(
    name: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse(["serve"], {name: value})
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_log_options_on_every_listening_command() -> None:
    for argv in (
        ["serve"],
        ["record", "--upstream", "http://x", "--cassette", "c.yaml"],
        ["replay", "--cassette", "c.yaml"],
    ):
        assert (parse(argv).log_level, parse(argv).quiet) == ("info", False)
        assert parse([*argv, "--quiet"]).quiet is True
        assert parse([*argv, "--log-level", "DEBUG"]).log_level == "debug"


# --- real processes on 127.0.0.1 ---------------------------------------------------------------


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Any]:
    """Start ``python -m mockserver ARGS``; stop every process afterwards."""
    procs: list[subprocess.Popen[str]] = []

    def start(*argv: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mockserver", *argv],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        stop_process(proc)


def first_line(proc: subprocess.Popen[str]) -> str:
    """The first line the process writes to stderr (bounded wait: start-up, not a test sleep)."""
    assert proc.stderr is not None
    deadline = time.monotonic() + BANNER_BUDGET_S
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 0.1)
        if ready:
            return proc.stderr.readline()
    pytest.fail("no start-up line in time")


def port_of(banner: str) -> int:
    found = re.search(r"http://127\.0\.0\.1:(\d+)", banner)
    assert found, banner
    port = int(found.group(1))
    assert port != 0
    return port


@pytest.mark.slow
def test_serve_on_port_0_prints_the_real_port(launch: Any) -> None:
    proc = launch("serve", "--port", "0", "--manual-clock")
    banner = first_line(proc)
    assert banner.startswith("telnyx-mock "), banner
    assert " on http://127.0.0.1:" in banner, banner
    port = port_of(banner)
    health = httpx.get(f"http://127.0.0.1:{port}/_mock/health", timeout=5)
    assert health.json()["status"] == "ok"  # the banner comes after the bind: it answers at once


@pytest.mark.slow
def test_replay_prints_its_real_port(launch: Any) -> None:
    replay = launch("replay", "--cassette", str(CASSETTE), "--port", "0")
    banner = first_line(replay)
    assert banner.startswith(f"telnyx-mock replay: 6 interaction(s) from {CASSETTE} on "), banner
    r = httpx.get(f"http://127.0.0.1:{port_of(banner)}/_mock/health", timeout=5)
    assert r.json()["data"]["mode"] == "replay"


@pytest.mark.slow
def test_record_from_the_emulator_without_port_flags_clashing(launch: Any, tmp_path: Path) -> None:
    emulator = launch("serve", "--port", "0", "--manual-clock")
    upstream = f"http://127.0.0.1:{port_of(first_line(emulator))}"
    cassette = tmp_path / "rec.yaml"
    record = launch("record", "--upstream", upstream, "--cassette", str(cassette), "--port", "0")
    banner = first_line(record)
    assert f"-> {upstream}, cassette {cassette} (mode once)" in banner, banner
    proxy = f"http://127.0.0.1:{port_of(banner)}"
    r = httpx.get(f"{proxy}/v2/phone_numbers/jobs", headers=AUTH, timeout=5)
    assert r.status_code == 200, r.text
    assert "/v2/phone_numbers/jobs" in cassette.read_text()


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port some other process is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


@pytest.mark.slow
@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--manual-clock"],
        ["record", "--upstream", "http://127.0.0.1:9", "--cassette", "c.yaml"],
        ["replay", "--cassette", str(CASSETTE)],
    ],
    ids=["serve", "record", "replay"],
)
def test_a_port_clash_is_one_line_and_exit_2(launch: Any, taken_port: int, argv: list[str]) -> None:
    proc = launch(*argv, "--port", str(taken_port))
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    command = argv[0]
    assert err == (
        f"telnyx-mock {command}: cannot listen on 127.0.0.1:{taken_port}: the port is in use "
        "(choose another with --port)\n"
    )
    assert out == ""


def test_an_unknown_host_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from mockserver.launch import serve

    def never(url: str, port: int) -> None:
        raise AssertionError("no banner before a bind")

    code = serve(object(), command="serve", host="no-such-host.invalid", port=0, banner=never)  # type: ignore[arg-type]
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("telnyx-mock serve: cannot listen on no-such-host.invalid:0: ")
    assert err.count("\n") == 1


@pytest.mark.slow
def test_quiet_and_log_level_silence_the_request_lines(launch: Any) -> None:
    loud = launch("serve", "--port", "0", "--manual-clock")
    port = port_of(first_line(loud))
    httpx.get(f"http://127.0.0.1:{port}/v2/phone_numbers/jobs", headers=AUTH, timeout=5)
    assert "GET /v2/phone_numbers/jobs 200" in first_line(loud)  # info: one line per request
    for flags in (["--quiet"], ["--log-level", "warning"]):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            free = probe.getsockname()[1]
        proc = launch("serve", "--port", str(free), "--manual-clock", *flags)
        deadline = time.monotonic() + BANNER_BUDGET_S
        while True:  # bounded wait for the socket: start-up, not a test sleep
            try:
                r = httpx.get(f"http://127.0.0.1:{free}/v2/phone_numbers/jobs", headers=AUTH)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the quiet server did not start"
                with pytest.raises(subprocess.TimeoutExpired):  # a bounded wait on the process
                    proc.wait(timeout=0.05)
        assert r.status_code == 200
        proc.terminate()
        _, err = proc.communicate(timeout=10)
        assert err == "", (flags, err)
