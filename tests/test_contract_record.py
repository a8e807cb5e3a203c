"""``--record-cassette``: the contract suite records what it sends and receives, redacted, and the
emulator's recording keeps the contract (``drift.check_paths`` finds nothing).

The suite runs in a subprocess (its conftest loads hypothesis profiles globally), on a few fast
tests; the live target's order (guard inside the recorder) is checked in-process against the
emulator behind ``LiveTarget``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from contract_tests.checks import lacking
from contract_tests.guard import GuardRefused
from contract_tests.live import LiveTarget
from contract_tests.targets import InProcessTarget
from mockserver.app import create_app
from mockserver.cassette import drift
from mockserver.cassette import format as cformat
from mockserver.config import Settings
from mockserver.transport import ASGIBridge

ROOT = Path(__file__).resolve().parents[1]
KEY = "record-test-key-5c1e9a"
SANDBOX = "+13127367254"  # a number of the emulator's default world
#: fast tests: auth, 404s, 422s, and one job through its lifecycle (202, polls, number reads)
SUBSET = "usable_key or never_issued or unknown_job or unknown_route or an_update_job_runs_forward"
#: no job (no 250-number inventory read): the cheapest subset, for the xdist run
SMALL = "usable_key or never_issued or unknown_job or unknown_route or invalid_pagination"
SUMMARY = re.compile(r"^cassette: (\S+) \((\d+) interactions recorded, redacted\)$", re.MULTILINE)


def run_suite(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CONTRACT_", "TELNYX_", "PYTEST_", "HYPOTHESIS_"))
    }
    command = [
        sys.executable, "-m", "pytest", "contract_tests", "-p", "no:cacheprovider", "-q",
        "--target", "inprocess", "--api-key", KEY,
        "--conformance-report", str(tmp_path / "conformance.json"),
        # the live profile: 5 derandomized examples (speed; the target stays in-process)
        "--hypothesis-profile", "live", *args,
    ]  # fmt: skip
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def summary(stdout: str) -> dict[str, int]:
    return {path: int(count) for path, count in SUMMARY.findall(stdout)}


def test_the_suite_records_every_exchange_redacted_and_without_drift(tmp_path: Path) -> None:
    cassette = tmp_path / "x.yaml"
    cassette.write_text("stale: not a cassette\n")  # replaced by this run's recording
    result = run_suite(tmp_path, "-k", SUBSET, "--record-cassette", str(cassette))

    recorded = cformat.load(cassette)
    assert len(recorded) > 0
    assert summary(result.stdout) == {str(cassette): len(recorded)}
    text = cassette.read_text(encoding="utf-8")
    assert KEY not in text
    assert "REDACTED" in text
    methods = {(i.request.method, i.response.status) for i in recorded.interactions}
    assert {("POST", 202), ("GET", 200), ("GET", 401), ("GET", 404)} <= methods
    assert drift.check_paths([cassette]) == []


def test_under_xdist_each_worker_records_its_own_cassette(tmp_path: Path) -> None:
    stale = cformat.Cassette(
        [
            cformat.Interaction(
                cformat.RecordedRequest("GET", "https://stale.invalid/v2/phone_numbers"),
                cformat.RecordedResponse(200, body="{}"),
            )
        ]
    )
    for worker in ("gw0", "gw1"):
        cformat.dump(stale, tmp_path / f"x-{worker}.yaml")
    result = run_suite(
        tmp_path, "-k", SMALL, "-n", "2", "--record-cassette", str(tmp_path / "x.yaml")
    )

    files = {str(tmp_path / f"x-{w}.yaml") for w in ("gw0", "gw1")}
    counts = summary(result.stdout)
    assert set(counts) == files
    assert not (tmp_path / "x.yaml").exists()
    for path in files:
        loaded = cformat.load(path)
        assert counts[path] == len(loaded)
        assert all("stale.invalid" not in i.request.uri for i in loaded.interactions)
        assert KEY not in Path(path).read_text(encoding="utf-8")
    assert sum(counts.values()) > 0
    assert drift.check_paths(sorted(files)) == []


def test_on_live_the_guard_refuses_inside_the_recorder_so_no_refusal_is_recorded(
    tmp_path: Path,
) -> None:
    """Recorder -> LiveGuard -> RateLimited -> network: a refusal is raised before anything is
    sent, so the recorder (which writes only complete exchanges) has nothing to write."""
    target = LiveTarget(
        KEY, [SANDBOX], per_second=1e6, inner=ASGIBridge(create_app(Settings(manual_clock=True)))
    )
    cassette = tmp_path / "live.yaml"
    recorder = target.record_into(cassette)
    api = target.client()
    with pytest.raises(GuardRefused):
        api.post("phone_numbers/jobs/delete_phone_numbers", json={"phone_numbers": [SANDBOX]})
    assert recorder.session.recorded == 0
    assert not cassette.exists()

    target.start()  # the snapshot reads go through the recorder (and teach the guard the id)
    [record] = target.inventory()
    body = {"phone_numbers": [record["id"]], "tags": ["recorded"]}
    assert api.post("phone_numbers/jobs/update_phone_numbers", json=body).status_code == 202
    with pytest.raises(GuardRefused):
        api.patch("phone_numbers/7000000000000000001", json={"tags": ["outside"]})

    recorded = cformat.load(cassette)
    assert recorder.session.recorded == len(recorded) > 0
    sent = [(i.request.method, urlsplit(i.request.uri).path) for i in recorded.interactions]
    assert ("POST", "/v2/phone_numbers/jobs/update_phone_numbers") in sent
    assert all(method in ("GET", "POST") for method, _ in sent)
    assert not any("delete" in path or "7000000000000000001" in path for _, path in sent)
    assert KEY not in cassette.read_text(encoding="utf-8")
    assert drift.check_paths([cassette]) == []
    assert target.close() == []


def test_recording_must_start_before_the_first_request(tmp_path: Path) -> None:
    target = InProcessTarget(KEY)
    target.client().get("phone_numbers/jobs")
    with pytest.raises(RuntimeError, match="before the first request"):
        target.record_into(tmp_path / "late.yaml")
    assert not (tmp_path / "late.yaml").exists()
    target.close()


def test_missing_data_fails_on_the_default_world_and_skips_elsewhere() -> None:
    """A contract test that finds none of the data it needs fails in-process (the default world
    has it all) and skips, with the reason, on any other target."""
    with pytest.raises(pytest.fail.Exception, match="inprocess: no spare number to delete"):
        lacking("inprocess", "no spare number to delete")
    with pytest.raises(pytest.skip.Exception, match="url: no spare number to delete"):
        lacking("url", "no spare number to delete")
