"""Test controls under /_mock/ (C-CONTROLS) and determinism (C-DETERMINISM)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mockserver import __version__
from mockserver.app import create_app
from mockserver.clock import ManualClock, iso_ms
from mockserver.config import Settings
from tests.conftest import advance, make_client

T0 = 1_767_225_600_000
WORLD = Path(__file__).resolve().parent.parent / "fixtures" / "world.json"
JOBS = "/v2/phone_numbers/jobs"
FINAL = {"completed", "failed", "expired"}


@cache
def plain_ids() -> list[str]:
    numbers = json.loads(WORLD.read_text(encoding="utf-8"))["numbers"]
    return [
        r["id"]
        for r in numbers
        if r["status"] == "active"
        and not r["deletion_lock_enabled"]
        and r["phone_number_type"] == "local"
    ]


def bad(detail: str, pointer: str) -> list[dict[str, Any]]:
    return [
        {
            "code": "10015",
            "title": "Bad Request",
            "detail": detail,
            "source": {"pointer": pointer},
            "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10015"},
        }
    ]


def clock_now(client: httpx.Client) -> int:
    r = client.get("/_mock/clock")
    assert r.status_code == 200, r.text
    value: int = r.json()["data"]["now_ms"]
    return value


def create(client: httpx.Client, kind: str, body: dict[str, Any]) -> str:
    r = client.post(f"{JOBS}/{kind}", json=body)
    assert r.status_code == 202, r.text
    job_id: str = r.json()["data"]["id"]
    return job_id


# -- C-CONTROLS ---------------------------------------------------------------------------------
@pytest.mark.rule("C-CONTROLS")
def test_health_needs_no_auth(app: Starlette, api: httpx.Client) -> None:
    api.get("/_mock/clock")  # one tenant known
    with make_client(app, None) as anonymous:
        r = anonymous.get("/_mock/health")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ok",
        "version": __version__,
        "seed": 0,
        "manual_clock": True,
        "tenants": 1,
    }


@pytest.mark.rule("C-CONTROLS")
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/_mock/clock"), ("POST", "/_mock/clock/advance"), ("POST", "/_mock/jobs/run"),
     ("POST", "/_mock/reset"), ("POST", "/_mock/clock/set")],
)  # fmt: skip
def test_tenant_controls_need_a_key(app: Starlette, method: str, path: str) -> None:
    with make_client(app, None) as anonymous:
        r = anonymous.request(method, path, json={"seconds": 1})
    assert r.status_code == 401
    assert r.json()["errors"][0]["code"] == "10009"


@pytest.mark.rule("C-CONTROLS")
def test_clock_get_advance_set(api: httpx.Client, other_api: httpx.Client) -> None:
    r = api.get("/_mock/clock")
    assert r.json() == {"data": {"now": "2026-01-01T00:00:00.000Z", "now_ms": T0}}
    data = advance(api, 1.5)
    assert data == {"now": "2026-01-01T00:00:01.500Z", "now_ms": T0 + 1500}
    assert clock_now(api) == T0 + 1500
    assert clock_now(other_api) == T0  # each tenant has its own clock
    advance(api, 0)
    assert clock_now(api) == T0 + 1500
    r = api.post("/_mock/clock/set", json={"now": "2026-02-01T00:00:00Z"})
    assert r.status_code == 200
    assert r.json()["data"] == {"now": "2026-02-01T00:00:00.000Z", "now_ms": T0 + 31 * 86_400_000}
    r = api.post("/_mock/clock/set", json={"now": "2026-02-01T02:00:00.250+01:00"})
    assert r.json()["data"]["now"] == "2026-02-01T01:00:00.250Z"
    # setting the current instant again is not "backwards"
    r = api.post("/_mock/clock/set", json={"now": "2026-02-01T01:00:00.250Z"})
    assert r.status_code == 200
    assert clock_now(other_api) == T0


@pytest.mark.rule("C-CONTROLS")
def test_clock_never_moves_backwards(api: httpx.Client) -> None:
    advance(api, 10)
    r = api.post("/_mock/clock/set", json={"now": "2026-01-01T00:00:09.999Z"})
    assert r.status_code == 422
    assert r.json()["errors"] == bad("cannot move the clock backwards", "/now")
    assert clock_now(api) == T0 + 10_000


@pytest.mark.rule("C-CONTROLS")
@pytest.mark.parametrize("body", [{"now": "yesterday"}, {"now": 5}, {}, []])
def test_clock_set_rejects_bad_values(api: httpx.Client, body: Any) -> None:
    r = api.post("/_mock/clock/set", json=body)
    assert r.status_code == 422
    assert r.json()["errors"] == bad("must be an ISO 8601 timestamp", "/now")
    assert clock_now(api) == T0


@pytest.mark.rule("C-CONTROLS")
@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"seconds": -1}, "must be a non-negative number"),
        ({"seconds": -0.001}, "must be a non-negative number"),
        ({"seconds": "1"}, "must be a non-negative number"),
        ({"seconds": True}, "must be a non-negative number"),
        ({}, "must be a non-negative number"),
        ({"seconds": 11 * 365 * 86400}, "must be at most ten years"),
    ],
)
def test_clock_advance_rejects_bad_values(api: httpx.Client, body: Any, detail: str) -> None:
    r = api.post("/_mock/clock/advance", json=body)
    assert r.status_code == 422
    assert r.json()["errors"] == bad(detail, "/seconds")
    assert clock_now(api) == T0


@pytest.mark.rule("C-CONTROLS")
@pytest.mark.parametrize("raw", [b'{"seconds": NaN}', b'{"seconds": -Infinity}'])
def test_clock_advance_rejects_non_finite(api: httpx.Client, raw: bytes) -> None:
    r = api.post("/_mock/clock/advance", content=raw, headers={"content-type": "application/json"})
    assert r.status_code in (400, 422), r.text
    assert clock_now(api) == T0


@pytest.mark.rule("C-CONTROLS")
def test_clock_cannot_leave_the_representable_range(api: httpx.Client) -> None:
    r = api.post("/_mock/clock/set", json={"now": "9999-12-31T23:59:59.000Z"})
    assert r.status_code == 200, r.text
    r = api.post("/_mock/clock/advance", json={"seconds": 2})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["source"] == {"pointer": "/seconds"}
    assert r.json()["errors"][0]["code"] == "10015"
    assert api.get("/_mock/clock").json()["data"]["now"] == "9999-12-31T23:59:59.000Z"


@pytest.mark.rule("C-CONTROLS")
def test_jobs_run_finishes_every_open_job(api: httpx.Client, other_api: httpx.Client) -> None:
    ids = plain_ids()
    jobs = [
        create(api, "update_phone_numbers", {"phone_numbers": ids[:5], "tags": ["run"]}),
        create(
            api,
            "update_emergency_settings",
            {"phone_numbers": ids[5:7], "emergency_enabled": False},
        ),
    ]
    advance(api, 0.5)
    jobs.append(create(api, "delete_phone_numbers", {"phone_numbers": ids[7:17]}))
    other = create(other_api, "update_phone_numbers", {"phone_numbers": ids[:1], "tags": ["o"]})
    r = api.post("/_mock/jobs/run")
    assert r.status_code == 200
    # the clock moved exactly to the end of the last job (created at +500, 10 targets)
    assert r.json()["meta"]["now_ms"] == T0 + 500 + 1000 + 10 * 50
    assert [job["id"] for job in r.json()["data"]] == jobs  # the jobs it ran, oldest first
    assert {job["status"] for job in r.json()["data"]} == {"completed"}
    assert clock_now(api) == T0 + 2000
    for job_id in jobs:
        job = api.get(f"{JOBS}/{job_id}").json()["data"]
        assert job["status"] == "completed"
        assert job["pending_operations"] == []
    assert api.get(f"/v2/phone_numbers/{ids[0]}").json()["data"]["tags"] == ["run"]
    assert api.get(f"/v2/phone_numbers/{ids[7]}").status_code == 404
    # another tenant's jobs and clock are untouched
    assert other_api.get(f"{JOBS}/{other}").json()["data"]["status"] == "pending"
    assert clock_now(other_api) == T0
    # nothing open: running again does not move the clock
    r = api.post("/_mock/jobs/run")
    assert r.json() == {"data": [], "meta": {"now": iso_ms(T0 + 2000), "now_ms": T0 + 2000}}


@pytest.mark.rule("C-CONTROLS")
def test_reset_restores_world_for_one_tenant(api: httpx.Client, other_api: httpx.Client) -> None:
    ids = plain_ids()
    before = api.get(f"/v2/phone_numbers/{ids[0]}").content
    r = api.patch(f"/v2/phone_numbers/{ids[0]}", json={"tags": ["changed"]})
    assert r.status_code == 200
    job = create(api, "delete_phone_numbers", {"phone_numbers": [ids[1]]})
    other_job = create(
        other_api, "update_phone_numbers", {"phone_numbers": [ids[0]], "tags": ["x"]}
    )
    api.post("/_mock/jobs/run")
    other_api.post("/_mock/jobs/run")
    assert api.get(f"/v2/phone_numbers/{ids[1]}").status_code == 404

    r = api.post("/_mock/reset")
    assert r.status_code == 200
    assert r.json() == {"data": {"reset": True}}
    assert api.get(f"/v2/phone_numbers/{ids[0]}").content == before
    assert api.get(f"/v2/phone_numbers/{ids[1]}").status_code == 200
    assert api.get(f"{JOBS}/{job}").status_code == 404
    assert api.get(JOBS).json()["meta"]["total_results"] == 0
    # the other tenant keeps its jobs and its changes
    assert other_api.get(f"{JOBS}/{other_job}").json()["data"]["status"] == "completed"
    assert other_api.get(f"/v2/phone_numbers/{ids[0]}").json()["data"]["tags"] == ["x"]
    assert other_api.get(JOBS).json()["meta"]["total_results"] == 1


@pytest.mark.rule("C-CONTROLS")
@pytest.mark.parametrize("settings_", [Settings(manual_clock=True, control=False)], ids=["off"])
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/_mock/health"), ("GET", "/_mock/clock"), ("POST", "/_mock/clock/advance"),
     ("POST", "/_mock/jobs/run"), ("POST", "/_mock/reset")],
)  # fmt: skip
def test_no_control_removes_controls(api: httpx.Client, method: str, path: str) -> None:
    r = api.request(method, path, json={"seconds": 1})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {
        "errors": [
            {
                "code": "10005",
                "title": "Resource not found",
                "detail": "The requested resource or URL could not be found.",
                "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10005"},
            }
        ]
    }
    # the data plane still answers
    assert api.get("/v2/phone_numbers", params={"page[size]": "1"}).status_code == 200


# -- C-DETERMINISM ------------------------------------------------------------------------------
def script(client: httpx.Client) -> list[bytes]:
    """A fixed request sequence; returns every response body."""
    ids = plain_ids()
    out: list[bytes] = []

    def do(method: str, path: str, **kw: Any) -> httpx.Response:
        r = client.request(method, path, **kw)
        out.append(r.content)
        return r

    job = do(
        "POST",
        f"{JOBS}/update_phone_numbers",
        json={"phone_numbers": ids[:3], "tags": ["det"], "customer_reference": "d"},
    ).json()["data"]["id"]
    do("POST", f"{JOBS}/delete_phone_numbers", json={"phone_numbers": ids[3:5]})
    do("POST", "/_mock/clock/advance", json={"seconds": 1.07})
    do("GET", f"{JOBS}/{job}")
    do("GET", JOBS)
    do(
        "POST",
        f"{JOBS}/update_emergency_settings",
        json={"phone_numbers": ids[5:6], "emergency_enabled": False},
    )
    do("PATCH", f"/v2/phone_numbers/{ids[6]}", json={"tags": ["p"]})
    do("PATCH", f"/v2/phone_numbers/{ids[6]}/voice", json={"tech_prefix_enabled": True})
    do("POST", "/_mock/jobs/run")
    do("GET", JOBS, params={"sort": "created_at"})
    do("GET", "/v2/phone_numbers", params={"filter[tag]": "det"})
    do("GET", f"/v2/phone_numbers/{ids[3]}")
    do("POST", f"{JOBS}/update_phone_numbers", json={"phone_numbers": ["1"], "tags": []})
    return out


def fresh(seed: int) -> Starlette:
    return create_app(Settings(manual_clock=True, seed=seed), clock=ManualClock())


@pytest.mark.rule("C-DETERMINISM")
def test_same_seed_same_bytes() -> None:
    runs = []
    for _ in range(2):
        with make_client(fresh(7)) as client:
            runs.append(script(client))
    assert runs[0] == runs[1]
    assert len(runs[0]) == 13


@pytest.mark.rule("C-DETERMINISM")
def test_different_seed_different_job_ids() -> None:
    def job_ids(seed: int) -> list[str]:
        with make_client(fresh(seed)) as client:
            bodies = script(client)
        listed = json.loads(bodies[9])["data"]
        return [j["id"] for j in listed]

    a, b = job_ids(1), job_ids(2)
    assert len(a) == len(b) == 3
    assert not set(a) & set(b)
    assert job_ids(1) == a


@pytest.mark.rule("C-DETERMINISM")
def test_job_ids_are_per_tenant() -> None:
    """A tenant's ids depend on the seed and its key only, not on other tenants' traffic."""
    ids = plain_ids()
    body = {"phone_numbers": ids[:1], "tags": ["t"]}

    app = fresh(3)
    with make_client(app, "alice") as alice:
        alone = create(alice, "update_phone_numbers", body)

    app = fresh(3)
    with make_client(app, "bob") as bob, make_client(app, "alice") as alice:
        for _ in range(3):
            create(bob, "update_phone_numbers", body)
        assert create(alice, "update_phone_numbers", body) == alone
        assert create(bob, "update_phone_numbers", body) != alone


@pytest.mark.rule("C-CONTROLS")
def test_reset_also_forgets_the_tenants_faults_and_journal(
    api: httpx.Client, other_api: httpx.Client
) -> None:
    for client in (api, other_api):
        fault = {"kind": "status", "status": 500, "route": "^/phone_numbers$"}
        assert client.post("/_mock/faults", json=fault).status_code == 201
        assert client.get("/v2/phone_numbers/jobs").status_code == 200
    assert api.post("/_mock/reset").status_code == 200
    assert api.get("/_mock/faults").json()["data"] == []
    assert api.get("/_mock/journal").json()["meta"]["total"] == 0
    assert len(other_api.get("/_mock/faults").json()["data"]) == 1  # other tenants keep theirs
    assert other_api.get("/_mock/journal").json()["meta"]["total"] == 1
