"""mockserver.faults through /_mock/faults and the middleware: injected errors, latency, drops,
failing and expiring jobs, and the optional per-key rate limit."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mockserver.app import create_app
from mockserver.cli import build_parser, settings_from
from mockserver.clock import ManualClock
from mockserver.config import Settings
from mockserver.faults import FaultSet, RateLimiter
from mockserver.http import middleware
from mockserver.plugin import MockHandle
from mockserver.response_check import problems
from tests.conftest import advance, make_client

JOB_PATH = "/v2/phone_numbers/jobs/update_phone_numbers"
BODY = {"phone_numbers": ["+13127367254"], "tags": ["faults"]}


def inject(client: httpx.Client, **spec: Any) -> dict[str, Any]:
    r = client.post("/_mock/faults", json=spec)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


def listed(client: httpx.Client) -> dict[str, Any]:
    r = client.get("/_mock/faults")
    assert r.status_code == 200, r.text
    payload: dict[str, Any] = r.json()
    return payload


def error(r: httpx.Response) -> dict[str, Any]:
    item: dict[str, Any] = r.json()["errors"][0]
    return item


# --- status faults -------------------------------------------------------------------------------


def test_429_is_the_documented_rate_limit_error(api: httpx.Client) -> None:
    inject(api, kind="status", status=429, times=1)
    r = api.get("/v2/phone_numbers/jobs")
    assert r.status_code == 429
    assert error(r) == {
        "code": "10011",
        "title": "Too many requests",
        "detail": "You have exceeded the maximum number of allowed requests.",
        "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10011"},
    }
    assert r.headers["retry-after"] == "1"
    assert r.headers["x-ratelimit-limit"] == "100"
    assert r.headers["x-ratelimit-remaining"] == "0"
    assert r.headers["x-ratelimit-reset"] == "1"
    assert api.get("/v2/phone_numbers/jobs").status_code == 200  # times=1: only the next one


@pytest.mark.parametrize(
    ("status", "title"), [(500, "Unexpected error"), (503, "Service unavailable")]
)
def test_server_errors_are_10007(api: httpx.Client, status: int, title: str) -> None:
    inject(api, kind="status", status=status)
    r = api.post(JOB_PATH, json=BODY)
    assert r.status_code == status
    assert (error(r)["code"], error(r)["title"]) == ("10007", title)
    assert "retry-after" not in r.headers


def test_a_faulted_request_changes_nothing(api: httpx.Client) -> None:
    inject(api, kind="status", status=500, times=1)
    assert api.post(JOB_PATH, json=BODY).status_code == 500
    assert api.get("/v2/phone_numbers/jobs").json()["data"] == []


def test_retry_after_can_be_set(api: httpx.Client) -> None:
    inject(api, kind="status", status=503, retry_after=2.5)
    r = api.get("/v2/phone_numbers")
    assert (r.status_code, r.headers["retry-after"]) == (503, "2.5")


def test_times_counts_down_and_the_fault_disappears(api: httpx.Client) -> None:
    fault = inject(api, kind="status", status=500, times=2)
    assert (fault["id"], fault["times"], fault["fired"]) == ("fault_1", 2, 0)
    assert api.get("/v2/phone_numbers").status_code == 500
    [left] = listed(api)["data"]
    assert (left["times"], left["fired"]) == (1, 1)
    assert api.get("/v2/phone_numbers").status_code == 500
    assert listed(api)["data"] == []
    assert api.get("/v2/phone_numbers").status_code == 200


def test_route_and_method_scope_a_fault(api: httpx.Client) -> None:
    inject(api, kind="status", status=503, route="^/phone_numbers/jobs", method="post")
    assert api.get("/v2/phone_numbers/jobs").status_code == 200  # wrong method
    assert api.patch("/v2/phone_numbers/1583466971586889004", json={"tags": []}).status_code == 200
    assert api.post(JOB_PATH, json=BODY).status_code == 503
    assert api.post(JOB_PATH.removeprefix("/v2"), json=BODY).status_code == 503  # /v2 optional


def test_faults_belong_to_one_tenant(api: httpx.Client, other_api: httpx.Client) -> None:
    inject(api, kind="status", status=500)
    assert other_api.get("/v2/phone_numbers").status_code == 200
    assert listed(other_api)["data"] == []
    assert api.get("/v2/phone_numbers").status_code == 500


def test_controls_are_never_faulted(api: httpx.Client) -> None:
    inject(api, kind="status", status=500)
    inject(api, kind="drop")
    assert api.post("/_mock/clock/advance", json={"seconds": 1}).status_code == 200
    assert len(listed(api)["data"]) == 2


def test_delete_clears_every_fault(api: httpx.Client) -> None:
    inject(api, kind="status", status=500)
    inject(api, kind="fail_jobs", times=3)
    assert api.delete("/_mock/faults").json() == {"data": {"cleared": 1}}
    assert listed(api) == {"data": [], "meta": {"expire_next": 0, "fail_next": 0}}
    assert api.get("/v2/phone_numbers").status_code == 200


# --- probability ---------------------------------------------------------------------------------


def outcomes(seed: int, key: str, n: int = 40) -> list[int]:
    app = create_app(Settings(manual_clock=True, seed=seed), clock=ManualClock())
    with make_client(app, key) as api:
        inject(api, kind="status", status=500, probability=0.5)
        return [api.get("/v2/phone_numbers/jobs").status_code for _ in range(n)]


def test_probability_uses_the_seeded_source() -> None:
    first = outcomes(1, "a")
    assert first == outcomes(1, "a")
    assert set(first) == {200, 500}
    assert first != outcomes(2, "a")
    assert first != outcomes(1, "b")


def test_clearing_faults_restarts_the_random_source(api: httpx.Client) -> None:
    def draw() -> list[int]:
        inject(api, kind="status", status=500, probability=0.3)
        codes = [api.get("/v2/phone_numbers/jobs").status_code for _ in range(20)]
        api.delete("/_mock/faults")
        return codes

    assert draw() == draw()


def test_a_probability_is_drawn_only_for_matching_requests() -> None:
    faults = FaultSet(0, "k")
    faults.add({"kind": "drop", "route": "^/never$", "probability": 0.5})
    fresh = FaultSet(0, "k")
    fresh.add({"kind": "drop", "probability": 0.5})
    for _ in range(5):
        assert faults.match("GET", "/v2/phone_numbers") == (0, None)
    assert [f is None for _, f in (faults.match("GET", "/never") for _ in range(10))] == [
        f is None for _, f in (fresh.match("GET", "/x") for _ in range(10))
    ]


# --- latency and drops ---------------------------------------------------------------------------


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The latency the middleware asked for, observed without waiting for it."""
    seen: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        seen.append(seconds)

    monkeypatch.setattr(middleware, "sleep", fake_sleep)
    return seen


def test_latency_delays_the_response(api: httpx.Client, waits: list[float]) -> None:
    inject(api, kind="latency", ms=250, times=1)
    inject(api, kind="latency", ms=50, route="jobs", times=1)
    r = api.get("/v2/phone_numbers/jobs")
    assert r.status_code == 200
    assert waits == [0.3]
    assert api.get("/_mock/journal").json()["data"][0]["fault"] == "latency"
    assert api.get("/v2/phone_numbers/jobs").status_code == 200
    assert waits == [0.3]


def test_latency_combines_with_a_status_fault(api: httpx.Client, waits: list[float]) -> None:
    inject(api, kind="status", status=503, times=1)
    inject(api, kind="latency", ms=10, times=1)
    assert api.get("/v2/phone_numbers").status_code == 503
    assert waits == [0.01]
    assert api.get("/v2/phone_numbers").status_code == 200
    entries = api.get("/_mock/journal").json()["data"]
    assert [e["fault"] for e in entries] == ["latency,status:503", None]


def test_a_drop_closes_the_connection_without_a_response(api: httpx.Client) -> None:
    inject(api, kind="drop", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        api.post(JOB_PATH, json=BODY)
    assert api.get("/v2/phone_numbers/jobs").json()["data"] == []  # the handler never ran
    entries = api.get("/_mock/journal").json()["data"]
    assert [(e["status"], e["fault"], e["request"]) for e in entries] == [
        (None, "drop", BODY),
        (200, None, None),
    ]


def test_a_drop_over_a_real_socket(telnyx_mock_server: MockHandle) -> None:
    telnyx_mock_server.fault(kind="drop", times=2)
    url = f"{telnyx_mock_server.base_url}/phone_numbers/jobs"
    request = urllib.request.Request(url, headers={"Authorization": "Bearer test-key"})
    with pytest.raises((http.client.RemoteDisconnected, urllib.error.URLError)):
        urllib.request.urlopen(request, timeout=10)
    with pytest.raises(httpx.RemoteProtocolError):
        telnyx_mock_server.client.get("/phone_numbers/jobs")
    assert telnyx_mock_server.client.get("/phone_numbers/jobs").status_code == 200


# --- jobs that fail or expire --------------------------------------------------------------------


def test_fail_jobs_makes_the_next_jobs_fail(api: httpx.Client) -> None:
    assert inject(api, kind="fail_jobs", times=1) == {"kind": "fail_jobs", "times": 1}
    assert listed(api)["meta"] == {"expire_next": 0, "fail_next": 1}
    failed = api.post(JOB_PATH, json=BODY).json()["data"]
    ok = api.post(JOB_PATH, json=BODY).json()["data"]
    api.post("/_mock/jobs/run")
    assert api.get(f"/v2/phone_numbers/jobs/{failed['id']}").json()["data"]["status"] == "failed"
    assert api.get(f"/v2/phone_numbers/jobs/{ok['id']}").json()["data"]["status"] == "completed"


def test_expire_jobs_makes_the_next_jobs_expire(api: httpx.Client) -> None:
    inject(api, kind="expire_jobs")  # times defaults to 1
    assert listed(api)["meta"] == {"expire_next": 1, "fail_next": 0}
    job = api.post(JOB_PATH, json=BODY).json()["data"]
    advance(api, 60)
    assert api.get(f"/v2/phone_numbers/jobs/{job['id']}").json()["data"]["status"] == "expired"


# --- bad specs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "pointer"),
    [
        ({}, "/kind"),
        ({"kind": "explode"}, "/kind"),
        ({"kind": "status"}, "/status"),
        ({"kind": "status", "status": 404}, "/status"),
        ({"kind": "status", "status": 500, "retry_after": -1}, "/retry_after"),
        ({"kind": "latency"}, "/ms"),
        ({"kind": "latency", "ms": 60_001}, "/ms"),
        ({"kind": "drop", "route": "("}, "/route"),
        ({"kind": "drop", "route": 5}, "/route"),
        ({"kind": "drop", "method": "GET /"}, "/method"),
        ({"kind": "drop", "times": 0}, "/times"),
        ({"kind": "drop", "times": True}, "/times"),
        ({"kind": "drop", "probability": 0}, "/probability"),
        ({"kind": "drop", "probability": "half"}, "/probability"),
        ({"kind": "fail_jobs", "times": -1}, "/times"),
        ({"kind": "drop", "when": "now"}, "/when"),
    ],
)
def test_a_bad_spec_is_a_422_naming_the_field(
    api: httpx.Client, spec: dict[str, Any], pointer: str
) -> None:
    r = api.post("/_mock/faults", json=spec)
    assert r.status_code == 422, r.text
    assert problems("POST", "/v2/phone_numbers", 422, r.content) == []
    assert (error(r)["code"], error(r)["source"]) == ("10015", {"pointer": pointer})
    assert listed(api)["data"] == []


def test_a_spec_must_be_an_object(api: httpx.Client) -> None:
    assert api.post("/_mock/faults", json=[1]).status_code == 400
    assert api.post("/_mock/faults", content=b"{").status_code == 400


def test_faults_need_a_key(app: Starlette) -> None:
    with make_client(app, api_key=None) as anonymous:
        assert anonymous.post("/_mock/faults", json={"kind": "drop"}).status_code == 401
        assert anonymous.get("/_mock/faults").status_code == 401


# --- the rate limit ------------------------------------------------------------------------------


@pytest.fixture
def limited_app() -> Starlette:
    return create_app(Settings(manual_clock=True, rate_limit_per_second=2), clock=ManualClock())


@pytest.fixture
def limited(limited_app: Starlette) -> Iterator[httpx.Client]:
    with make_client(limited_app) as api:
        yield api


def rate(r: httpx.Response) -> tuple[int, str, str, str]:
    h = r.headers
    return r.status_code, h["x-ratelimit-limit"], h["x-ratelimit-remaining"], h["x-ratelimit-reset"]


def test_the_rate_limit_is_a_token_bucket_on_the_tenant_clock(limited: httpx.Client) -> None:
    assert rate(limited.get("/v2/phone_numbers/jobs")) == (200, "2", "1", "1")
    assert rate(limited.post(JOB_PATH, json=BODY)) == (202, "2", "0", "1")
    blocked = limited.get("/v2/phone_numbers/jobs")
    assert rate(blocked) == (429, "2", "0", "1")
    assert blocked.headers["retry-after"] == "1"
    assert error(blocked)["code"] == "10011"
    advance(limited, 0.5)  # one token back (controls are never limited)
    assert rate(limited.get("/v2/phone_numbers/jobs")) == (200, "2", "0", "1")
    advance(limited, 10)
    assert rate(limited.get("/v2/phone_numbers/jobs")) == (200, "2", "1", "1")
    entries = limited.get("/_mock/journal").json()["data"]
    assert [e["fault"] for e in entries] == [None, None, "rate_limit", None, None]


def test_the_rate_limit_is_per_key(limited: httpx.Client, limited_app: Starlette) -> None:
    for _ in range(2):
        limited.get("/v2/phone_numbers")
    assert limited.get("/v2/phone_numbers").status_code == 429
    with make_client(limited_app, "other-key") as other:
        assert rate(other.get("/v2/phone_numbers")) == (200, "2", "1", "1")
    limited.post("/_mock/reset")  # forgets the tenant, its bucket included
    assert limited.get("/v2/phone_numbers").status_code == 200


def test_clearing_faults_does_not_refill_the_rate_limit_bucket(limited: httpx.Client) -> None:
    for _ in range(2):
        assert limited.get("/v2/phone_numbers").status_code == 200
    assert limited.get("/v2/phone_numbers").status_code == 429
    inject(limited, kind="latency", ms=0)
    assert limited.delete("/_mock/faults").json()["data"] == {"cleared": 1}
    blocked = limited.get("/v2/phone_numbers")  # still empty: clearing faults is no way around
    assert rate(blocked) == (429, "2", "0", "1")
    advance(limited, 0.5)  # only time brings a token back
    assert limited.get("/v2/phone_numbers").status_code == 200


def test_no_rate_limit_headers_by_default(api: httpx.Client) -> None:
    assert "x-ratelimit-limit" not in api.get("/v2/phone_numbers").headers


def test_slow_rates() -> None:
    limiter = RateLimiter(0.5)
    first = limiter.take("k", 0)
    assert (first.allowed, first.headers()) == (
        True, {"x-ratelimit-limit": "1", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "2"},
    )  # fmt: skip
    second = limiter.take("k", 1000)
    assert (second.allowed, second.wait) == (False, 1)
    assert limiter.take("k", 2000).allowed
    assert limiter.take("other", 2000).allowed
    assert limiter.take("k", 1000).allowed is False  # a clock that went back refills nothing
    with pytest.raises(ValueError, match="greater than 0"):
        RateLimiter(0)


def test_cli_rate_limit_flag(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    assert settings_from(parser.parse_args(["serve"])).rate_limit_per_second is None
    args = parser.parse_args(["serve", "--rate-limit", "2.5"])
    assert settings_from(args).rate_limit_per_second == 2.5
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--rate-limit", "0"])
    assert "argument --rate-limit: must be greater than 0" in capsys.readouterr().err


@pytest.mark.telnyx_mock(rate_limit_per_second=1)
def test_the_handle_reads_past_the_rate_limit(telnyx_mock: MockHandle) -> None:
    assert telnyx_mock.client.get("/phone_numbers/jobs").status_code == 200
    assert telnyx_mock.client.get("/phone_numbers/jobs").status_code == 429
    assert telnyx_mock.jobs() == []  # the handle's own reads spend no token
    assert [e["status"] for e in telnyx_mock.journal()] == [200, 429]
