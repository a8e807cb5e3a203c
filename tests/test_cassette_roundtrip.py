"""The cassette round trip, end to end (the issue's must-show):

1. record a session against the emulator in-process (RecordingTransport around ASGIBridge): a job
   followed from pending through in_progress to completed (the clock moved directly on the
   ManualClock, which is no HTTP request and so not recorded), a job list, 422s and a 404;
2. switch the emulator off and replay the session through every replay path (the transport, the
   respx router, the ``telnyx-mock replay`` app): the same status, headers and bytes;
3. the official SDK following a job to completion against a replayed cassette through the
   ``telnyx_cassette`` marker and fixture (and recording one through the fixture, too).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import telnyx

from mockserver.app import create_app
from mockserver.cassette import format as cformat
from mockserver.cassette.record import RecordingTransport
from mockserver.cassette.replay import router
from mockserver.cassette.replay_app import create_replay_app
from mockserver.clock import ManualClock
from mockserver.config import Settings
from mockserver.transport import ASGIBridge
from tests.helpers import JOBS, UPDATE
from tests.test_sdk import plain

pytest_plugins = ["pytester"]

ORIGIN = "https://api.telnyx.com"
KEY = "rt-secret-key-7f3a9c"
Step = tuple[str, str, dict[str, Any] | None, int]  # method, path, json, then clock move (ms)


def script() -> list[Step]:
    ids = [r["id"] for r in plain()[:3]]
    create = {"phone_numbers": ids, "tags": ["round", "trip"], "customer_reference": "rt"}
    return [
        ("POST", UPDATE, create, 0),
        ("GET", "{job}", None, 1_050),  # pending; then 1.05 s pass
        ("GET", "{job}", None, 1_000),  # in_progress (3 numbers at 20/s: done at 1.15 s)
        ("GET", "{job}", None, 0),  # completed
        ("GET", f"{JOBS}?filter%5Bstatus%5D=completed&page%5Bsize%5D=10", None, 0),
        ("POST", UPDATE, {"phone_numbers": []}, 0),  # 422: at least one number
        ("POST", UPDATE, {"phone_numbers": ids[:1]}, 0),  # 422: no updateable field
        ("GET", f"{JOBS}/42587e44-3a3e-46de-9255-0c9a7a1d1ec7", None, 0),  # 404
    ]


def play(send: Callable[[str, str, dict[str, Any] | None], httpx.Response],
         advance: Callable[[int], None] = lambda ms: None) -> list[httpx.Response]:  # fmt: skip
    out: list[httpx.Response] = []
    job = ""
    for method, path, body, move in script():
        response = send(method, path.format(job=f"{JOBS}/{job}"), body)
        out.append(response)
        job = job or response.json()["data"]["id"]
        advance(move)
    return out


def observed(responses: list[httpx.Response]) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    """What a client sees: status, every header (order aside) and the body's bytes."""
    return [(r.status_code, sorted(r.headers.multi_items()), r.content) for r in responses]


def record(path: Path) -> list[httpx.Response]:
    clock = ManualClock()
    app = create_app(Settings(manual_clock=True), clock=clock)
    transport = RecordingTransport(path, "once", inner=ASGIBridge(app))
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(transport=transport, base_url=ORIGIN, headers=headers) as http:
        return play(lambda m, p, b: http.request(m, p, json=b), clock.advance)


def test_round_trip_with_the_emulator_switched_off(tmp_path: Path) -> None:
    path = tmp_path / "jobs.yaml"
    live = record(path)
    assert [r.status_code for r in live] == [202, 200, 200, 200, 200, 422, 422, 404]
    assert [r.json()["data"]["status"] for r in live[:4]] == [
        "pending", "pending", "in_progress", "completed",
    ]  # fmt: skip
    assert [j["status"] for j in live[4].json()["data"]] == ["completed"]
    assert live[0].headers["content-type"] == "application/json"
    text = path.read_text(encoding="utf-8")
    assert KEY not in text
    assert len(cformat.load(path)) == 8
    gc.collect()  # the emulator is gone: nothing but the file is left to answer

    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"replay reached the network: {request.url}")

    # 1. the recording transport in mode none (its inner transport may never be called)
    transport = RecordingTransport(path, "none", inner=httpx.MockTransport(refuse))
    headers = {"Authorization": "Bearer another-key"}  # the key is not part of matching
    with httpx.Client(transport=transport, base_url=ORIGIN, headers=headers) as http:
        replayed = play(lambda m, p, b: http.request(m, p, json=b))
        extra_poll = http.get(live[3].request.url.path)
    assert observed(replayed) == observed(live)
    assert extra_poll.content == live[3].content  # polled past the recording: the last repeats

    # 2. the respx router (any httpx client, no transport to pass)
    with router(path, host="api.telnyx.com") as mock, httpx.Client(base_url=ORIGIN) as http:
        replayed = play(lambda m, p, b: http.request(m, p, json=b))
    assert observed(replayed) == observed(live)
    assert mock.player.unplayed() == []

    # 3. the app behind `telnyx-mock replay` (over ASGI here; the command adds uvicorn)
    served = create_replay_app(cformat.load(path), source=str(path))
    with httpx.Client(transport=ASGIBridge(served), base_url="http://127.0.0.1:4010") as http:
        replayed = play(lambda m, p, b: http.request(m, p, json=b))
    assert observed(replayed) == observed(live)


# -- the official SDK and the pytest marker/fixture ----------------------------------------------

SDK_NUMBERS = ["+13127367254"]

REPLAY_TEST = """
import pytest
import telnyx


def sdk():
    return telnyx.Telnyx(api_key="not-the-recording-key", max_retries=0,
                         _strict_response_validation=True)


@pytest.mark.telnyx_cassette("cassettes/sdk_job.yaml")
def test_sdk_follows_the_job_to_completion(telnyx_cassette):
    client = sdk()
    job = client.phone_numbers.jobs.update_batch(phone_numbers=NUMBERS, tags=["sdk"]).data
    seen = [job.status]
    while seen[-1] not in ("completed", "failed", "expired") and len(seen) < 20:
        seen.append(client.phone_numbers.jobs.retrieve(job.id).data.status)
    assert seen == EXPECTED
    done = client.phone_numbers.jobs.retrieve(job.id).data  # past the recording: last repeats
    assert [op.phone_number for op in done.successful_operations] == NUMBERS
    assert telnyx_cassette.mode == "none"
    assert telnyx_cassette.misses == []


@pytest.mark.telnyx_cassette("cassettes/sdk_job.yaml")
def test_a_request_not_in_the_cassette(telnyx_cassette):
    with pytest.raises(telnyx.NotFoundError) as caught:  # an HTTP 404, not a connection error
        sdk().phone_numbers.jobs.update_batch(phone_numbers=NUMBERS, tags=["other"])
    assert caught.value.response.headers["x-telnyx-mock-replay"] == "miss"
    [miss] = telnyx_cassette.misses
    assert "closest recorded request (interaction 1 of" in miss
    assert 'body /tags/0: recorded "sdk", received "other"' in miss
    assert "closest recorded request (interaction 1 of" in str(caught.value)
    telnyx_cassette.misses.clear()  # expected here: the teardown check passes
"""


def record_sdk(path: Path) -> list[str]:
    """Record the SDK following a job, polling every 0.5 s of emulator time."""
    clock = ManualClock()
    app = create_app(Settings(manual_clock=True), clock=clock)
    http = httpx.Client(transport=RecordingTransport(path, "once", inner=ASGIBridge(app)))
    with telnyx.Telnyx(api_key=KEY, base_url=f"{ORIGIN}/v2", http_client=http,
                       max_retries=0, _strict_response_validation=True) as client:  # fmt: skip
        job = client.phone_numbers.jobs.update_batch(phone_numbers=SDK_NUMBERS, tags=["sdk"]).data
        assert job is not None
        assert job.id is not None
        seen = [str(job.status)]
        while seen[-1] != "completed":
            clock.advance(500)
            polled = client.phone_numbers.jobs.retrieve(job.id).data
            assert polled is not None
            seen.append(str(polled.status))
    return seen


def test_the_sdk_follows_a_job_against_a_replayed_cassette(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\nfilterwarnings = error\n")
    seen = record_sdk(pytester.path / "cassettes" / "sdk_job.yaml")
    assert seen == ["pending", "pending", "in_progress", "completed"]
    assert KEY not in (pytester.path / "cassettes" / "sdk_job.yaml").read_text()
    source = REPLAY_TEST.replace("NUMBERS", repr(SDK_NUMBERS)).replace("EXPECTED", repr(seen))
    pytester.makepyfile(test_replay=source)
    result = pytester.runpytest_inprocess("--strict-markers")
    result.assert_outcomes(passed=2)
