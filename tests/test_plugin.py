"""mockserver.plugin: the fixtures as a user meets them, in temporary projects run by pytester
(the official SDK with its default base URL, urllib against a real port, pytest-xdist), plus the
fixture handle and the marker used directly in this suite."""

from __future__ import annotations

import pytest

from mockserver.plugin import MockHandle

pytest_plugins = ["pytester"]

INI = """
[pytest]
addopts = -p no:cacheprovider
filterwarnings = error
"""

SDK_TESTS = """
import httpx
import pytest
import telnyx


def test_sdk_default_base_url_job_completes(telnyx_mock_router):
    client = telnyx.Telnyx(api_key="k")
    created = client.phone_numbers.jobs.update_batch(phone_numbers=["+13127367254"], tags=["x"])
    assert created.data.status == "pending"
    telnyx_mock_router.advance(60)
    assert client.phone_numbers.jobs.retrieve(created.data.id).data.status == "completed"


@pytest.mark.parametrize("status", [429, 500])
def test_sdk_retries_and_succeeds(telnyx_mock_router, status):
    mock = telnyx_mock_router
    mock.fault(kind="status", status=status, times=1, retry_after=0.01)
    client = telnyx.Telnyx(api_key=mock.api_key)
    assert client.phone_numbers.jobs.list().data == []
    calls = mock.journal("GET", "/phone_numbers/jobs")
    assert [c["status"] for c in calls] == [status, 200]
    assert [c["headers"]["x-stainless-retry-count"] for c in calls] == ["0", "1"]


def test_sdk_honours_the_default_retry_after_of_a_429(telnyx_mock_router):
    telnyx_mock_router.fault(kind="status", status=429, times=1)
    client = telnyx.Telnyx(api_key=telnyx_mock_router.api_key)
    client.phone_numbers.jobs.list()
    assert [c["status"] for c in telnyx_mock_router.journal()] == [429, 200]


def test_sdk_gives_up_with_the_rate_limit_error(telnyx_mock_router):
    telnyx_mock_router.fault(kind="status", status=429, times=1)
    client = telnyx.Telnyx(api_key=telnyx_mock_router.api_key, max_retries=0)
    with pytest.raises(telnyx.RateLimitError) as caught:
        client.phone_numbers.jobs.list()
    assert caught.value.response.headers["x-ratelimit-remaining"] == "0"


def test_a_drop_is_the_sdk_connection_error(telnyx_mock_router):
    telnyx_mock_router.fault(kind="drop", times=1)
    client = telnyx.Telnyx(api_key=telnyx_mock_router.api_key, max_retries=0)
    with pytest.raises(telnyx.APIConnectionError):
        client.phone_numbers.jobs.list()
    assert telnyx_mock_router.journal()[0]["fault"] == "drop"


async def _async_list(key):
    async with telnyx.AsyncTelnyx(api_key=key) as client:
        return await client.phone_numbers.jobs.list()


def test_async_sdk_is_routed_too(telnyx_mock_router):
    import asyncio

    assert asyncio.run(_async_list(telnyx_mock_router.api_key)).data == []
    telnyx_mock_router.assert_called("GET", "/phone_numbers/jobs", times=1)


def test_other_hosts_are_not_touched(telnyx_mock_router):
    with pytest.raises(httpx.ConnectError):
        httpx.get("http://127.0.0.1:9/", timeout=5)
"""

SERVER_TESTS = """
import json
import urllib.request


def call(mock, method, path, body=None):
    request = urllib.request.Request(
        mock.base_url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + mock.api_key, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.load(response)


def test_a_plain_urllib_client(telnyx_mock_server):
    assert telnyx_mock_server.base_url.startswith("http://127.0.0.1:")
    assert telnyx_mock_server.base_url.endswith("/v2")
    body = {"phone_numbers": ["+13127367254"], "tags": ["urllib"]}
    path = "/phone_numbers/jobs/update_phone_numbers"
    status, created = call(telnyx_mock_server, "POST", path, body)
    assert (status, created["data"]["status"]) == (202, "pending")
    telnyx_mock_server.fault(kind="status", status=503)
    telnyx_mock_server.run_jobs()
    telnyx_mock_server.assert_called("POST", path, body)


def test_the_next_test_starts_clean(telnyx_mock_server):
    status, jobs = call(telnyx_mock_server, "GET", "/phone_numbers/jobs")
    assert (status, jobs["data"]) == (200, [])  # no job and no 503 fault left over
    assert len(telnyx_mock_server.journal()) == 1
"""

PARALLEL_TESTS = """
import os

import pytest


@pytest.mark.parametrize("n", range(6))
def test_parallel(telnyx_mock_server, n):
    mock = telnyx_mock_server
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open("workers.txt", "a") as out:
        out.write(f"{worker} {mock.base_url}\\n")
    tag = f"t{n}"
    r = mock.client.post("/phone_numbers/jobs/update_phone_numbers",
                         json={"phone_numbers": ["+13127367254"], "tags": [tag]})
    assert r.status_code == 202, r.text
    mock.advance(60)
    [job] = mock.jobs()
    assert job["status"] == "completed"
    assert mock.number("1293384261075731499")["tags"] == [tag]
    assert len(mock.journal()) == 1
"""


def test_sdk_under_the_router(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(test_sdk=SDK_TESTS)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=8)


def test_server_with_urllib_reset_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(test_server=SERVER_TESTS)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=2)


def test_xdist_workers_get_their_own_servers(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(test_parallel=PARALLEL_TESTS)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=6)
    lines = (pytester.path / "workers.txt").read_text().split("\n")
    seen = {tuple(line.split()) for line in lines if line}
    workers = {worker for worker, _ in seen}
    urls = {url for _, url in seen}
    assert workers == {"gw0", "gw1"}
    assert len(urls) == 2  # one server, on its own port, per worker


def test_options_and_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI + "telnyx_mock_api_key = from-ini\n")
    pytester.makepyfile(
        """
        def test_it(telnyx_mock):
            assert telnyx_mock.app.state.settings.seed == 3
            assert telnyx_mock.api_key == "from-ini"
        """
    )
    pytester.runpytest_inprocess("--telnyx-mock-seed", "3").assert_outcomes(passed=1)


def test_bad_marker_settings_are_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.telnyx_mock(colour="red")
        def test_it(telnyx_mock):
            pass
        """
    )
    result = pytester.runpytest_inprocess("--telnyx-mock-seed", "x")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*telnyx_mock: the seed must be an integer, not 'x'"])
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*telnyx_mock: unknown setting(s) ?'colour'?; known: *"])


# --- the handle, used directly -------------------------------------------------------------------


@pytest.mark.telnyx_mock(seed=7, api_key="marked", instant_jobs=True)
def test_the_marker_sets_seed_key_and_settings(telnyx_mock: MockHandle) -> None:
    settings = telnyx_mock.app.state.settings
    assert (settings.seed, settings.instant_jobs, settings.manual_clock) == (7, True, True)
    assert telnyx_mock.app.state.faults.seed == 7
    assert telnyx_mock.api_key == "marked"
    assert telnyx_mock.client.headers["authorization"] == "Bearer marked"
    r = telnyx_mock.client.post(
        "/phone_numbers/jobs/update_phone_numbers",
        json={"phone_numbers": ["+13127367254"], "tags": ["m"]},
    )
    assert telnyx_mock.job(r.json()["data"]["id"])["status"] == "completed"  # no clock move


@pytest.mark.telnyx_mock(seed=1)
class TestClosestMarkerWins:
    @pytest.mark.telnyx_mock(seed=2)
    def test_it(self, telnyx_mock: MockHandle) -> None:
        assert telnyx_mock.app.state.settings.seed == 2


@pytest.mark.telnyx_mock(fixtures="fixtures/world.json")
def test_fixtures_are_relative_to_the_rootdir(
    telnyx_mock: MockHandle, pytestconfig: pytest.Config
) -> None:
    assert (
        telnyx_mock.app.state.settings.world_path == pytestconfig.rootpath / "fixtures/world.json"
    )
    assert telnyx_mock.number("1293384261075731499")["phone_number"] == "+13127367254"


def test_handle_reads_the_world_and_runs_jobs(telnyx_mock: MockHandle) -> None:
    assert telnyx_mock.base_url == "https://api.telnyx.com/v2"
    assert len(telnyx_mock.numbers({"page[size]": "5"})) == 5
    r = telnyx_mock.client.post(
        "/phone_numbers/jobs/update_phone_numbers",
        json={"phone_numbers": ["+13127367254"], "tags": ["handle"]},
    )
    job_id = r.json()["data"]["id"]
    assert telnyx_mock.job(job_id)["status"] == "pending"
    telnyx_mock.run_jobs()
    assert [j["status"] for j in telnyx_mock.jobs()] == ["completed"]
    assert telnyx_mock.number("1293384261075731499")["tags"] == ["handle"]
    telnyx_mock.reset()
    assert telnyx_mock.jobs() == []
    assert telnyx_mock.journal() == []


def test_handle_advance_moves_every_tenant(telnyx_mock: MockHandle) -> None:
    from mockserver.transport import client

    with client(telnyx_mock.app, api_key="someone-else", base_url=telnyx_mock.base_url) as other:
        job = other.post(
            "/phone_numbers/jobs/update_phone_numbers",
            json={"phone_numbers": ["+13127367254"], "tags": ["elsewhere"]},
        ).json()["data"]
        telnyx_mock.advance(60)
        assert other.get(f"/phone_numbers/jobs/{job['id']}").json()["data"]["status"] == "completed"


def test_handle_faults(telnyx_mock: MockHandle) -> None:
    fault = telnyx_mock.fault(kind="status", status=500, times=1)
    assert fault["id"] == "fault_1"
    assert telnyx_mock.jobs() == []  # the handle's own reads are never faulted...
    assert telnyx_mock.journal() == []  # ...nor journaled
    assert telnyx_mock.client.get("/phone_numbers/jobs").status_code == 500
    with pytest.raises(AssertionError, match="expected success, received 422"):
        telnyx_mock.fault(kind="nope")
    telnyx_mock.fault(kind="drop")
    telnyx_mock.clear_faults()
    assert telnyx_mock.client.get("/phone_numbers/jobs").status_code == 200


def test_server_handle(telnyx_mock_server: MockHandle) -> None:
    assert telnyx_mock_server.base_url.startswith("http://127.0.0.1:")
    assert telnyx_mock_server.client.get("/phone_numbers/jobs").json()["data"] == []
    telnyx_mock_server.assert_called("GET", "/phone_numbers/jobs", times=1)
