"""Every one of the 25 ``/phone_numbers`` operations through the official ``telnyx`` 4.189.0 SDK
(sync client), with ``_strict_response_validation=True``, in-process, with the SDK's own test key
``My API Key`` (a key with spaces is a tenant key: R-AUTH-SPACES)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import httpx
import pytest
import telnyx
from starlette.applications import Starlette

from mockserver.transport import ASGIBridge
from tests.conftest import make_client
from tests.family_support import (
    ADDRESS,
    SDK_BASE_URL,
    SDK_KEY,
    bundle,
    csv_rows,
    first,
    plain,
    profile,
    run_jobs,
    with_voicemail,
    without_voicemail,
)


@pytest.fixture
def sdk(app: Starlette) -> Iterator[telnyx.Telnyx]:
    http = httpx.Client(transport=ASGIBridge(app), base_url=SDK_BASE_URL)
    client = telnyx.Telnyx(
        api_key=SDK_KEY,
        base_url=SDK_BASE_URL,
        http_client=http,
        max_retries=0,
        _strict_response_validation=True,
    )
    with client, warnings.catch_warnings():
        warnings.simplefilter("error")
        yield client


@pytest.fixture
def ctl(app: Starlette) -> Iterator[httpx.Client]:
    """The same tenant as ``sdk``, for the test controls and the CSV file."""
    with make_client(app, SDK_KEY) as client:
        yield client


OPERATIONS = 25


@pytest.mark.rule("R-AUTH-SPACES")
@pytest.mark.rule("V-ONE-WORLD")
def test_all_25_operations(sdk: telnyx.Telnyx, ctl: httpx.Client) -> None:
    pn = sdk.phone_numbers
    a, b, c, d = plain()[:4]
    done = 0
    # -- jobs (5)
    job = pn.jobs.update_batch(phone_numbers=[a["id"]], tags=["family"]).data
    emergency = pn.jobs.update_emergency_settings_batch(
        emergency_enabled=True, emergency_address_id=ADDRESS, phone_numbers=[b["id"]]
    ).data
    deletion = pn.jobs.delete_batch(phone_numbers=[d["id"]]).data
    assert job is not None
    assert emergency is not None
    assert deletion is not None
    assert job.id is not None
    assert [j.id for j in pn.jobs.list(page_size=10)] == [deletion.id, emergency.id, job.id]
    run_jobs(ctl)
    retrieved = pn.jobs.retrieve(job.id).data
    assert retrieved is not None
    assert retrieved.status == "completed"
    done += 5
    # -- numbers (5)
    listed = pn.list(filter={"tag": "family"})
    assert [n.id for n in listed] == [a["id"]]
    number = pn.retrieve(a["id"]).data
    assert number is not None
    assert number.tags == ["family"]
    updated = pn.update(a["id"], customer_reference="fam-ref").data
    assert updated is not None
    assert updated.customer_reference == "fam-ref"
    slim = pn.slim_list(include_tags=True, filter={"tag": "family"})
    assert [(s.id, s.record_type, s.customer_reference) for s in slim] == [
        (a["id"], "phone_number_slim", "fam-ref")
    ]
    gone = pn.delete(c["id"]).data
    assert gone is not None
    assert gone.status == "deleted"
    done += 5
    # -- voice (3)
    voices = pn.voice.list(filter={"customer_reference": "fam-ref"})
    assert [v.id for v in voices] == [a["id"]]
    voice = pn.voice.retrieve(b["id"]).data
    assert voice is not None
    assert voice.emergency is not None
    assert voice.emergency.emergency_address_id == ADDRESS  # the emergency job's effect
    changed = pn.voice.update(a["id"], tech_prefix_enabled=True).data
    assert changed is not None
    assert changed.tech_prefix_enabled is True
    done += 3
    # -- messaging (3)
    prof = profile(0)
    settings = pn.messaging.update(a["id"], messaging_profile_id=prof["id"]).data
    assert settings is not None
    assert settings.messaging_profile_id == prof["id"]
    assert pn.messaging.retrieve(a["id"]).data == settings
    by_profile = pn.messaging.list(filter_messaging_profile_id=prof["id"], page_size=250)
    assert a["id"] in [m.id for m in by_profile]
    number = pn.retrieve(a["id"]).data
    assert number is not None
    assert (number.messaging_profile_id, number.messaging_profile_name) == (
        prof["id"],
        prof["name"],
    )
    assert number.messaging_campaign_id == prof["campaign_id"]
    done += 3
    # -- voicemail (3)
    fresh = without_voicemail()
    created = pn.voicemail.create(fresh["id"], enabled=True, pin="2468").data
    assert created is not None
    assert (created.enabled, created.pin) == (True, "2468")
    patched = pn.voicemail.update(
        fresh["id"], greeting={"mode": "custom_greeting", "media_name": "hello.mp3"}
    ).data
    assert patched is not None
    assert patched.greeting is not None
    assert patched.greeting.media_name == "hello.mp3"
    assert pn.voicemail.retrieve(fresh["id"]).data == patched
    done += 3
    # -- CSV downloads (3)
    download = pn.csv_downloads.create(csv_format="V2", filter={"tag": "family"}).data
    assert download is not None
    assert len(download) == 1
    record = download[0]
    assert record.status == "pending"
    assert record.id is not None
    assert record.url is not None
    assert [x.id for x in pn.csv_downloads.list()] == [record.id]
    run_jobs(ctl)
    again = pn.csv_downloads.retrieve(record.id).data
    assert again is not None
    assert again[0].status == "complete"
    rows = csv_rows(ctl.get(record.url).text)
    assert [(r["id"], r["customer_reference"]) for r in rows] == [(a["id"], "fam-ref")]
    done += 3
    # -- actions (3)
    target = first(emergency_enabled=False, has_bundle=False)
    enabled = pn.actions.enable_emergency(
        target["id"], emergency_enabled=True, emergency_address_id=ADDRESS
    ).data
    assert enabled is not None
    assert enabled.emergency is not None
    assert enabled.emergency.emergency_status == "active"
    moved = pn.actions.change_bundle_status(target["id"], bundle_id=bundle(0)).data
    assert moved is not None
    assert moved.id == target["id"]
    owned = pn.actions.verify_ownership(
        phone_numbers=[a["phone_number"], c["phone_number"], "+15550000000"]
    ).data
    assert owned is not None
    assert owned.found is not None
    assert [(f.id, f.number_val_e164) for f in owned.found] == [(a["id"], a["phone_number"])]
    assert owned.not_found == [c["phone_number"], "+15550000000"]  # c was deleted above
    assert owned.record_type == "number_ownership_verification"
    done += 3
    assert done == OPERATIONS


@pytest.mark.rule("R-VOICEMAIL-MISSING")
@pytest.mark.rule("R-VOICEMAIL-CREATE-TWICE")
def test_voicemail_errors_through_the_sdk(sdk: telnyx.Telnyx) -> None:
    fresh = without_voicemail()
    with pytest.raises(telnyx.NotFoundError) as missing:
        sdk.phone_numbers.voicemail.retrieve(fresh["id"])
    assert missing.value.status_code == 404
    seeded, settings = with_voicemail()
    got = sdk.phone_numbers.voicemail.retrieve(seeded["id"]).data
    assert got is not None
    assert (got.enabled, got.pin) == (settings["enabled"], settings["pin"])
    with pytest.raises(telnyx.UnprocessableEntityError) as twice:
        sdk.phone_numbers.voicemail.create(seeded["id"], pin="1111")
    assert twice.value.body["errors"][0]["source"] == {"pointer": "/base"}  # type: ignore[index]


@pytest.mark.rule("V-SLIM-LIST")
@pytest.mark.rule("V-VOICE-LIST")
@pytest.mark.rule("V-MESSAGING-LIST")
def test_the_sdk_paginators_walk_every_view(sdk: telnyx.Telnyx) -> None:
    pn = sdk.phone_numbers
    detailed = [n.id for n in pn.list(page_size=250)]
    assert len(detailed) == len(set(detailed)) > 250
    assert [n.id for n in pn.slim_list(page_size=250)] == detailed
    assert [n.id for n in pn.voice.list(page_size=250)] == detailed
    assert [n.id for n in pn.messaging.list(page_size=250)] == detailed


@pytest.mark.rule("L-CSV-DOWNLOAD")
def test_csv_download_pages_through_the_sdk(sdk: telnyx.Telnyx) -> None:
    made = []
    for fmt in ("V1", "V2", "V1"):
        data = sdk.phone_numbers.csv_downloads.create(csv_format=fmt).data
        assert data is not None
        assert data[0].id is not None
        made.append(data[0].id)
    assert [d.id for d in sdk.phone_numbers.csv_downloads.list(page_size=2)] == made[::-1]
