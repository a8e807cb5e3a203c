"""The official ``telnyx`` Python SDK 4.189.0 against the emulator, in-process.

The SDK validates every response strictly (``_strict_response_validation=True``); the clock only
moves through the ``advance`` control on a plain httpx client of the same tenant.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import telnyx
from starlette.applications import Starlette

from mockserver.transport import ASGIBridge
from tests.conftest import advance

BASE_URL = "https://api.telnyx.com/v2"
WORLD = Path(__file__).resolve().parent.parent / "fixtures" / "world.json"
ADDRESS = "9102160989215728032"


@cache
def world() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORLD.read_text(encoding="utf-8"))
    return data


@cache
def plain() -> list[dict[str, Any]]:
    return [
        r
        for r in world()["numbers"]
        if r["status"] == "active"
        and not r["deletion_lock_enabled"]
        and r["phone_number_type"] == "local"
    ]


class RecordingBridge(ASGIBridge):
    """The in-process transport, remembering every URL the SDK asked for."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.urls: list[httpx.URL] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(request.url)
        return super().handle_request(request)


@pytest.fixture
def bridge(app: Starlette) -> RecordingBridge:
    return RecordingBridge(app)


@pytest.fixture
def sdk(bridge: RecordingBridge) -> Iterator[telnyx.Telnyx]:
    http = httpx.Client(transport=bridge, base_url=BASE_URL)
    client = telnyx.Telnyx(
        api_key="test-key",
        base_url=BASE_URL,
        http_client=http,
        max_retries=0,
        _strict_response_validation=True,
    )
    with client:
        yield client


def run_until_done(sdk: telnyx.Telnyx, api: httpx.Client, job_id: str) -> Any:
    """Advance the clock in small steps and retrieve the job with the SDK until it ends."""
    seen = []
    for _ in range(200):
        job = sdk.phone_numbers.jobs.retrieve(job_id).data
        assert job is not None
        seen.append(job.status)
        if job.status in ("completed", "failed", "expired"):
            return job, seen
        advance(api, 0.05)
    raise AssertionError(f"job {job_id} never finished: {seen[-5:]}")


def test_sdk_version() -> None:
    assert telnyx.__version__ == "4.189.0"


@pytest.mark.rule("L-STATES")
@pytest.mark.rule("E-UPDATE")
def test_update_batch_lifecycle(sdk: telnyx.Telnyx, api: httpx.Client) -> None:
    recs = plain()[:3]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        created = sdk.phone_numbers.jobs.update_batch(
            phone_numbers=[r["id"] for r in recs],
            tags=["sdk-a", "sdk-b"],
            customer_reference="sdk-ref",
            voice={"call_recording": {"inbound_call_recording_enabled": True}},
        ).data
        assert created is not None
        assert created.status == "pending"
        assert created.type == "update_phone_numbers"
        assert created.id is not None
        assert created.etc is not None
        assert created.etc.isoformat() == "2026-01-01T00:00:01.150000+00:00"
        assert created.parameters is not None
        assert created.parameters.tags == ["sdk-a", "sdk-b"]
        assert [op.id for op in created.pending_operations or []] == [r["id"] for r in recs]
        job, seen = run_until_done(sdk, api, created.id)
        number = sdk.phone_numbers.retrieve(recs[0]["id"]).data
        voice = sdk.phone_numbers.voice.retrieve(recs[0]["id"]).data
    assert [w.message for w in caught] == []
    assert job.status == "completed"
    assert seen[0] == "pending"
    assert "in_progress" in seen
    assert [op.id for op in job.successful_operations or []] == [r["id"] for r in recs]
    assert job.pending_operations == []
    assert job.failed_operations == []
    assert number is not None
    assert number.tags == ["sdk-a", "sdk-b"]
    assert number.customer_reference == "sdk-ref"
    assert voice is not None
    assert voice.call_recording is not None
    assert voice.call_recording.inbound_call_recording_enabled is True


@pytest.mark.rule("Q-PAGE")
@pytest.mark.rule("Q-JOB-FILTERS")
def test_list_jobs_with_paginator(
    sdk: telnyx.Telnyx, api: httpx.Client, bridge: RecordingBridge
) -> None:
    recs = plain()
    created = []
    for i in range(5):
        job = sdk.phone_numbers.jobs.update_batch(
            phone_numbers=[recs[i]["phone_number"]], tags=[f"t{i}"], customer_reference="page"
        ).data
        assert job is not None
        created.append(job.id)
        advance(api, 0.3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        every = [j.id for j in sdk.phone_numbers.jobs.list(page_size=2)]
        oldest_first = [j.id for j in sdk.phone_numbers.jobs.list(page_size=3, sort="created_at")]
        open_jobs = sdk.phone_numbers.jobs.list(
            filter={"status": ["pending", "in_progress"], "type": "update_phone_numbers"},
            page_size=10,
        )
        by_number = sdk.phone_numbers.jobs.list(
            filter={"phone_number": [recs[0]["id"], recs[4]["phone_number"]]}
        )
        by_ref = sdk.phone_numbers.jobs.list(filter={"customer_reference": "page"})
    assert [w.message for w in caught] == []
    assert every == created[::-1]
    assert oldest_first == created
    # at +1.5 s: jobs 0 and 1 are done; jobs 2, 3 and 4 (created at +0.6 s and later) pending
    assert [j.id for j in open_jobs] == created[:1:-1]
    assert open_jobs.meta is not None
    assert (open_jobs.meta.page_number, open_jobs.meta.total_pages) == (1, 1)
    assert [j.id for j in by_number] == [created[4], created[0]]
    assert [j.id for j in by_ref] == created[::-1]
    # the SDK sends list filters comma-joined; the paginator asked for pages 2 and 3
    queries = [str(u.query, "ascii") for u in bridge.urls if u.path == "/v2/phone_numbers/jobs"]
    assert any("filter%5Bstatus%5D=pending%2Cin_progress" in q for q in queries)
    assert any("page%5Bnumber%5D=3" in q for q in queries)


@pytest.mark.rule("E-EMERGENCY")
def test_emergency_batch(sdk: telnyx.Telnyx, api: httpx.Client) -> None:
    rec = next(r for r in plain() if not r["emergency_enabled"])
    created = sdk.phone_numbers.jobs.update_emergency_settings_batch(
        emergency_enabled=True, emergency_address_id=ADDRESS, phone_numbers=[rec["phone_number"]]
    ).data
    assert created is not None
    assert created.type == "update_emergency_settings"
    assert created.id is not None
    job, _ = run_until_done(sdk, api, created.id)
    assert job.status == "completed"
    voice = sdk.phone_numbers.voice.retrieve(rec["id"]).data
    assert voice is not None
    assert voice.emergency is not None
    assert voice.emergency.emergency_enabled is True
    assert voice.emergency.emergency_address_id == ADDRESS
    assert voice.emergency.emergency_status == "active"
    # disabling with an explicit null, as the SDK sends it
    created = sdk.phone_numbers.jobs.update_emergency_settings_batch(
        emergency_enabled=False, emergency_address_id=None, phone_numbers=[rec["id"]]
    ).data
    assert created is not None
    assert created.id is not None
    job, _ = run_until_done(sdk, api, created.id)
    assert job.status == "completed"
    number = sdk.phone_numbers.retrieve(rec["id"]).data
    assert number is not None
    assert number.emergency_enabled is False
    assert number.emergency_address_id is None


@pytest.mark.rule("E-DELETE")
def test_delete_batch(sdk: telnyx.Telnyx, api: httpx.Client) -> None:
    recs = plain()[:2]
    created = sdk.phone_numbers.jobs.delete_batch(phone_numbers=[r["id"] for r in recs]).data
    assert created is not None
    assert created.type == "delete_phone_numbers"
    assert created.id is not None
    job, _ = run_until_done(sdk, api, created.id)
    assert job.status == "completed"
    with pytest.raises(telnyx.NotFoundError) as info:
        sdk.phone_numbers.retrieve(recs[0]["id"])
    assert info.value.status_code == 404
    assert info.value.body == {
        "errors": [
            {
                "code": "10005",
                "title": "Resource not found",
                "detail": "The requested resource or URL could not be found.",
                "source": {"pointer": "/id"},
                "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10005"},
            }
        ]
    }


def _bad(detail: str, pointer: str) -> dict[str, Any]:
    return {
        "errors": [
            {
                "code": "10015",
                "title": "Bad Request",
                "detail": detail,
                "source": {"pointer": pointer},
                "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10015"},
            }
        ]
    }


def test_422_surfaces_as_unprocessable_entity(sdk: telnyx.Telnyx) -> None:
    with pytest.raises(telnyx.UnprocessableEntityError) as info:
        sdk.phone_numbers.jobs.delete_batch(phone_numbers=[])
    assert info.value.status_code == 422
    assert info.value.body == _bad("You must provide at least 1 phone number.", "/phone_numbers")

    with pytest.raises(telnyx.UnprocessableEntityError) as info:
        sdk.phone_numbers.jobs.update_batch(phone_numbers=[plain()[0]["id"]])
    assert info.value.body == _bad(
        "You must provide at least 1 updateable field.", "/updateable_fields"
    )

    with pytest.raises(telnyx.UnprocessableEntityError) as info:
        sdk.phone_numbers.jobs.update_batch(phone_numbers=["1"], tags=["x"])
    assert info.value.body == _bad(
        "You must own every number in the bulk request", "/phone_numbers"
    )

    with pytest.raises(telnyx.UnprocessableEntityError) as info:
        sdk.phone_numbers.jobs.list(sort="bogus")  # type: ignore[arg-type]
    body = info.value.body
    assert isinstance(body, dict)
    assert body["errors"][0]["title"] == "Invalid sorting value"


@pytest.mark.rule("Q-JOB-404")
def test_other_sdk_errors(sdk: telnyx.Telnyx) -> None:
    with pytest.raises(telnyx.NotFoundError) as info:
        sdk.phone_numbers.jobs.retrieve("42587e44-3a3e-46de-9255-0c9a7a1d1ec7")
    assert info.value.status_code == 404
    body = info.value.body
    assert isinstance(body, dict)
    assert body["errors"][0]["source"] == {"pointer": "/base"}
    with pytest.raises(telnyx.PermissionDeniedError) as denied:
        sdk.phone_numbers.jobs.update_batch(
            phone_numbers=[plain()[0]["id"]], billing_group_id="not-mine", tags=["x"]
        )
    assert denied.value.status_code == 403
    body = denied.value.body
    assert isinstance(body, dict)
    assert body["errors"][0]["code"] == "10010"


@pytest.mark.rule("N-RESOURCES")
def test_sdk_number_resources(sdk: telnyx.Telnyx) -> None:
    rec = plain()[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        updated = sdk.phone_numbers.update(rec["id"], tags=["via-sdk"], external_pin="2468").data
        voice = sdk.phone_numbers.voice.update(
            rec["id"], call_recording={"inbound_call_recording_format": "mp3"}
        ).data
        page = sdk.phone_numbers.list(
            filter={"country_iso_alpha2": ["US", "CA"], "number_type": {"eq": "toll_free"}},
            page_size=5,
            sort="phone_number",
        )
        first_page = [n.phone_number for n in page.data]
        deleted = sdk.phone_numbers.delete(plain()[1]["id"]).data
    assert [w.message for w in caught] == []
    assert updated is not None
    assert updated.tags == ["via-sdk"]
    assert updated.external_pin == "2468"
    assert voice is not None
    assert voice.call_recording is not None
    assert voice.call_recording.inbound_call_recording_format == "mp3"
    toll_free = sorted(
        r["phone_number"]
        for r in world()["numbers"]
        if r["phone_number_type"] == "toll_free" and r["country_iso_alpha2"] in ("US", "CA")
    )
    assert first_page == toll_free[:5]
    assert page.meta is not None
    assert page.meta.total_pages == -(-len(toll_free) // 5)
    assert deleted is not None
    assert deleted.status == "deleted"
