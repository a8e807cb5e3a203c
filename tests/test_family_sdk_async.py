"""Every one of the 25 ``/phone_numbers`` operations through the official SDK's **async** client
(``telnyx.AsyncTelnyx`` 4.189.0, ``_strict_response_validation=True``), in-process over the same
ASGI bridge (it is an async transport too). Each test runs its own event loop."""

from __future__ import annotations

import asyncio
import warnings

import httpx
import pytest
import telnyx
from starlette.applications import Starlette

from mockserver.transport import ASGIBridge
from tests.family_support import (
    ADDRESS,
    SDK_BASE_URL,
    SDK_KEY,
    bundle,
    csv_rows,
    first,
    plain,
    profile,
    without_voicemail,
)


def client(app: Starlette) -> telnyx.AsyncTelnyx:
    http = httpx.AsyncClient(transport=ASGIBridge(app), base_url=SDK_BASE_URL)
    return telnyx.AsyncTelnyx(
        api_key=SDK_KEY,
        base_url=SDK_BASE_URL,
        http_client=http,
        max_retries=0,
        _strict_response_validation=True,
    )


def controls(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=ASGIBridge(app),
        base_url="https://api.telnyx.com",
        headers={"Authorization": f"Bearer {SDK_KEY}"},
    )


async def scenario(app: Starlette) -> int:
    """All 25 operations; returns how many ran (each asserted on the way)."""
    done = 0
    a, b, c, d = plain()[:4]
    async with client(app) as sdk, controls(app) as ctl:
        pn = sdk.phone_numbers
        # jobs (5)
        job = (await pn.jobs.update_batch(phone_numbers=[a["id"]], tags=["async"])).data
        emergency = (
            await pn.jobs.update_emergency_settings_batch(
                emergency_enabled=True, emergency_address_id=ADDRESS, phone_numbers=[b["id"]]
            )
        ).data
        deletion = (await pn.jobs.delete_batch(phone_numbers=[d["id"]])).data
        assert job is not None
        assert emergency is not None
        assert deletion is not None
        assert job.id is not None
        ids = [j.id async for j in pn.jobs.list(page_size=10)]
        assert ids == [deletion.id, emergency.id, job.id]
        assert (await ctl.post("/_mock/jobs/run")).status_code == 200
        retrieved = (await pn.jobs.retrieve(job.id)).data
        assert retrieved is not None
        assert retrieved.status == "completed"
        done += 5
        # numbers (5)
        assert [n.id async for n in pn.list(filter={"tag": "async"})] == [a["id"]]
        number = (await pn.retrieve(a["id"])).data
        assert number is not None
        assert number.tags == ["async"]
        updated = (await pn.update(a["id"], customer_reference="async-ref")).data
        assert updated is not None
        assert updated.customer_reference == "async-ref"
        slim = [s.id async for s in pn.slim_list(include_tags=True, filter={"tag": "async"})]
        assert slim == [a["id"]]
        gone = (await pn.delete(c["id"])).data
        assert gone is not None
        assert gone.status == "deleted"
        done += 5
        # voice (3)
        voices = [v.id async for v in pn.voice.list(filter={"customer_reference": "async-ref"})]
        assert voices == [a["id"]]
        voice = (await pn.voice.retrieve(b["id"])).data
        assert voice is not None
        assert voice.emergency is not None
        assert voice.emergency.emergency_enabled is True
        changed = (await pn.voice.update(a["id"], tech_prefix_enabled=True)).data
        assert changed is not None
        assert changed.tech_prefix_enabled is True
        done += 3
        # messaging (3)
        prof = profile(1)
        settings = (await pn.messaging.update(a["id"], messaging_profile_id=prof["id"])).data
        assert settings is not None
        assert settings.messaging_profile_id == prof["id"]
        assert (await pn.messaging.retrieve(a["id"])).data == settings
        listed = [m.id async for m in pn.messaging.list(filter_phone_number=a["phone_number"])]
        assert listed == [a["id"]]
        done += 3
        # voicemail (3)
        fresh = without_voicemail()
        created = (await pn.voicemail.create(fresh["id"], pin="13579")).data
        assert created is not None
        assert (created.enabled, created.pin) == (True, "13579")
        patched = (await pn.voicemail.update(fresh["id"], enabled=False)).data
        assert patched is not None
        assert patched.enabled is False
        assert patched.pin == "13579"
        assert (await pn.voicemail.retrieve(fresh["id"])).data == patched
        done += 3
        # CSV downloads (3)
        made = (await pn.csv_downloads.create(filter={"customer_reference": "async-ref"})).data
        assert made is not None
        assert made[0].id is not None
        assert made[0].url is not None
        assert [x.id async for x in pn.csv_downloads.list()] == [made[0].id]
        assert (await ctl.post("/_mock/jobs/run")).status_code == 200
        again = (await pn.csv_downloads.retrieve(made[0].id)).data
        assert again is not None
        assert again[0].status == "complete"
        rows = csv_rows((await ctl.get(made[0].url)).text)
        assert [r["phone_number"] for r in rows] == [a["phone_number"]]  # V1: no id column
        done += 3
        # actions (3)
        target = first(emergency_enabled=False, has_bundle=False)
        enabled = (
            await pn.actions.enable_emergency(
                target["id"], emergency_enabled=True, emergency_address_id=ADDRESS
            )
        ).data
        assert enabled is not None
        assert enabled.emergency is not None
        assert enabled.emergency.emergency_enabled is True
        moved = (await pn.actions.change_bundle_status(target["id"], bundle_id=bundle(1))).data
        assert moved is not None
        assert moved.id == target["id"]
        owned = (await pn.actions.verify_ownership(phone_numbers=[b["phone_number"]])).data
        assert owned is not None
        assert owned.found is not None
        assert [f.id for f in owned.found] == [b["id"]]
        done += 3
    return done


@pytest.mark.rule("R-AUTH-SPACES")
def test_all_25_operations_async(app: Starlette) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert asyncio.run(scenario(app)) == 25
