"""VCR.py compatibility, both ways, checked with vcrpy itself: vcrpy replays a cassette we wrote,
and we replay a cassette vcrpy wrote (against the in-process emulator)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import vcr
from starlette.applications import Starlette

from mockserver.cassette import format as cformat
from mockserver.cassette.record import RecordingTransport
from mockserver.cassette.replay import router
from mockserver.clock import ManualClock
from mockserver.transport import ASGIBridge

ORIGIN = "https://api.telnyx.com"
CREATE = "/v2/phone_numbers/jobs/update_phone_numbers"
KEY = "vcr-test-key-0042"


def session_of_requests(http: httpx.Client, clock: ManualClock) -> list[httpx.Response]:
    """Create a job, poll it twice around a clock move, list jobs, and get a 422."""
    out = [http.post(CREATE, json={"phone_numbers": ["+13127367254"], "tags": ["vcr"]})]
    job = f"/v2/phone_numbers/jobs/{out[0].json()['data']['id']}"
    out.append(http.get(job))
    clock.advance(60_000)  # the emulator's own clock: not an HTTP request, so not recorded
    out.append(http.get(job))
    out.append(http.get("/v2/phone_numbers/jobs", params={"page[size]": "5"}))
    out.append(http.post(CREATE, json={"phone_numbers": []}))
    return out


def same(a: list[httpx.Response], b: list[httpx.Response]) -> None:
    assert [(r.status_code, r.content) for r in a] == [(r.status_code, r.content) for r in b]
    assert [r.headers["content-type"] for r in a] == [r.headers["content-type"] for r in b]


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {KEY}"}


def test_vcrpy_replays_a_cassette_we_wrote(
    tmp_path: Path, app: Starlette, clock: ManualClock, auth: dict[str, str]
) -> None:
    path = tmp_path / "ours.yaml"
    transport = RecordingTransport(path, "once", inner=ASGIBridge(app))
    with httpx.Client(transport=transport, base_url=ORIGIN, headers=auth) as http:
        live = session_of_requests(http, clock)
    assert [r.status_code for r in live] == [202, 200, 200, 200, 422]
    assert KEY not in path.read_text()

    recorder = vcr.VCR(record_mode="none")
    # vcrpy patches httpx's own transport: this client would go to the network without it
    with (
        recorder.use_cassette(str(path)) as cassette,
        httpx.Client(base_url=ORIGIN, headers=auth) as http,
    ):
        replayed = [
            http.post(CREATE, json={"phone_numbers": ["+13127367254"], "tags": ["vcr"]}),
            http.get(live[1].request.url.path),
            http.get(live[2].request.url.path),
            http.get("/v2/phone_numbers/jobs", params={"page[size]": "5"}),
            http.post(CREATE, json={"phone_numbers": []}),
        ]
        assert cassette.all_played
        assert cassette.play_count == 5
    same(replayed, live)
    assert [r.json()["data"]["status"] for r in replayed[1:3]] == ["pending", "completed"]


def test_we_replay_a_cassette_vcrpy_wrote(
    tmp_path: Path, app: Starlette, clock: ManualClock, auth: dict[str, str]
) -> None:
    path = tmp_path / "theirs.yaml"
    recorder = vcr.VCR(record_mode="once", filter_headers=["authorization"])
    # vcrpy records what goes through httpx's MockTransport: here, the emulator in-process
    upstream = httpx.MockTransport(ASGIBridge(app).handle_request)
    with (
        recorder.use_cassette(str(path)),
        httpx.Client(transport=upstream, base_url=ORIGIN, headers=auth) as http,
    ):
        live = session_of_requests(http, clock)
    text = path.read_text()
    assert "user-agent:\n      - python-httpx/" in text  # vcrpy's own layout
    assert KEY not in text

    cassette = cformat.load(path)
    assert [(i.request.method, i.response.status) for i in cassette.interactions] == [
        ("POST", 202), ("GET", 200), ("GET", 200), ("GET", 200), ("POST", 422),
    ]  # fmt: skip
    assert cassette.interactions[0].request.body is not None
    with router(path), httpx.Client(base_url="http://elsewhere:4010", headers=auth) as http:
        replayed = [
            http.post(CREATE, json={"tags": ["vcr"], "phone_numbers": ["+13127367254"]}),
            http.get(live[1].request.url.path),
            http.get(live[2].request.url.path),
            http.get("/v2/phone_numbers/jobs?page%5Bsize%5D=5"),
            http.post(CREATE, json={"phone_numbers": []}),
        ]
    same(replayed, live)
