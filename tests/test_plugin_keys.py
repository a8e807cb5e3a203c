"""mockserver.plugin: the handle's helpers act on the keys the test used, or fail loudly.

The README's example builds ``Telnyx(api_key="k")`` while the handle's own key is ``test-key``:
``.assert_called``, ``.jobs()``, ``.run_jobs()`` and ``.fault()`` must see tenant ``k``, never an
empty ``test-key``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import telnyx

from mockserver.plugin import MockHandle
from mockserver.transport import client as bridge_client

pytest_plugins = ["pytester"]

NUMBER = "+13127367254"
NUMBER_ID = "1293384261075731499"  # its id in the default world
UPDATE = "/phone_numbers/jobs/update_phone_numbers"


def sdk(key: str = "k") -> telnyx.Telnyx:
    return telnyx.Telnyx(api_key=key, max_retries=0)


def job_id(created: Any) -> str:
    """The id of a job the SDK created (its ``data`` is optional in the model)."""
    assert created.data is not None
    assert created.data.id is not None
    return str(created.data.id)


def test_the_readme_example_acts_on_the_sdk_key(telnyx_mock_router: MockHandle) -> None:
    client = sdk("k")
    job = client.phone_numbers.jobs.update_batch(phone_numbers=[NUMBER], tags=["vip"])
    assert job.data is not None
    assert job.data.id is not None
    entry = telnyx_mock_router.assert_called(
        "POST", UPDATE, json={"phone_numbers": [NUMBER], "tags": ["vip"]}, times=1
    )
    assert entry["status"] == 202
    assert telnyx_mock_router.tenant_key == "k"
    assert [j["id"] for j in telnyx_mock_router.jobs()] == [job.data.id]
    ran = telnyx_mock_router.run_jobs()
    assert [(j["id"], j["status"]) for j in ran] == [(job.data.id, "completed")]
    assert telnyx_mock_router.number(NUMBER_ID)["tags"] == ["vip"]
    telnyx_mock_router.fault(kind="status", status=500, times=1)
    with pytest.raises(telnyx.InternalServerError):
        client.phone_numbers.jobs.list()
    assert telnyx_mock_router.journal("GET", "/phone_numbers/jobs")[0]["status"] == 500


def test_before_any_request_the_handle_uses_its_own_client_key(telnyx_mock: MockHandle) -> None:
    telnyx_mock.fault(kind="status", status=503, times=1)
    assert telnyx_mock.tenant_key == telnyx_mock.api_key == "test-key"
    assert telnyx_mock.client.get("/phone_numbers/jobs").status_code == 503
    telnyx_mock.assert_called("GET", "/phone_numbers/jobs", times=1)


def test_a_helper_before_a_request_with_another_key_fails_loudly(telnyx_mock: MockHandle) -> None:
    telnyx_mock.fault(kind="status", status=500, times=1)  # binds the handle to test-key
    with bridge_client(telnyx_mock.app, api_key="k", base_url=telnyx_mock.base_url) as other:
        assert other.get("/phone_numbers/jobs").status_code == 200  # k never saw the fault
    with pytest.raises(AssertionError, match="acts on tenant 'test-key', but this test's "
                       "requests used 'k'"):  # fmt: skip
        telnyx_mock.jobs()
    with pytest.raises(AssertionError, match="for_key"):
        telnyx_mock.verify()  # what the fixture's teardown runs
    telnyx_mock._acted = False  # this test has checked the failure; let its teardown pass


def test_several_keys_need_to_be_named(telnyx_mock: MockHandle) -> None:
    with (
        bridge_client(telnyx_mock.app, api_key="a", base_url=telnyx_mock.base_url) as a,
        bridge_client(telnyx_mock.app, api_key="b", base_url=telnyx_mock.base_url) as b,
    ):
        a.post(UPDATE, json={"phone_numbers": [NUMBER], "tags": ["a"]})
        b.post(UPDATE, json={"phone_numbers": [NUMBER], "tags": ["b"]})
        assert telnyx_mock.keys == ["a", "b"]
        with pytest.raises(AssertionError, match=r"used 2 keys \('a', 'b'\)"):
            telnyx_mock.jobs()
        assert [j["status"] for j in telnyx_mock.for_key("b").jobs()] == ["pending"]
        assert telnyx_mock.for_key("nobody").jobs() == []  # an explicit key: no check
        ran = telnyx_mock.run_jobs()  # every key the test used
        assert sorted(j["status"] for j in ran) == ["completed", "completed"]
        assert a.get(f"/phone_numbers/{NUMBER_ID}").json()["data"]["tags"] == ["a"]
        assert b.get(f"/phone_numbers/{NUMBER_ID}").json()["data"]["tags"] == ["b"]


@pytest.mark.telnyx_mock(api_key="marked")
def test_a_marked_key_the_test_never_used_fails_loudly(telnyx_mock_router: MockHandle) -> None:
    sdk("k").phone_numbers.jobs.list()
    with pytest.raises(AssertionError, match="acts on tenant 'marked', but this test's requests"):
        telnyx_mock_router.assert_called("GET", "/phone_numbers/jobs")
    assert telnyx_mock_router.for_key("k").assert_called("GET", "/phone_numbers/jobs")
    telnyx_mock_router._acted = False


def test_advance_moves_every_key_of_the_test(telnyx_mock_router: MockHandle) -> None:
    jobs = [job_id(sdk(key).phone_numbers.jobs.update_batch(phone_numbers=[NUMBER], tags=[key]))
            for key in ("x", "y")]  # fmt: skip
    telnyx_mock_router.advance(60)
    statuses = [sdk(key).phone_numbers.jobs.retrieve(j).data for key, j in
                zip(("x", "y"), jobs, strict=True)]  # fmt: skip
    assert [data and data.status for data in statuses] == ["completed", "completed"]


def test_the_server_fixture_follows_the_key_too(telnyx_mock_server: MockHandle) -> None:
    r = httpx.get(
        f"{telnyx_mock_server.base_url}/phone_numbers/jobs",
        headers={"Authorization": "Bearer urllib-key"},
    )
    assert r.status_code == 200
    assert telnyx_mock_server.assert_called("GET", "/phone_numbers/jobs", times=1)
    assert telnyx_mock_server.tenant_key == "urllib-key"


def test_the_mismatch_fails_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\nfilterwarnings = error\n")
    pytester.makepyfile(
        """
        import telnyx

        def test_fault_then_sdk(telnyx_mock_router):
            telnyx_mock_router.fault(kind="status", status=500, times=1)
            telnyx.Telnyx(api_key="k", max_retries=0).phone_numbers.jobs.list()  # no 500 for k
        """
    )
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*telnyx_mock: the handle acts on tenant 'test-key', but this test's requests used 'k'*"]
    )
