"""One world, many views (V-ONE-WORLD): every list shows the same numbers in the same order, and
a change through any resource shows in every other, a completed batch job included."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.family_support import (
    ADDRESS,
    CSV,
    MESSAGING_LIST,
    SLIM,
    VOICE_LIST,
    N,
    csv_rows,
    every_page,
    plain,
    run_jobs,
)

JOBS = f"{N}/jobs"


def views(api: httpx.Client, ident: str) -> dict[str, Any]:
    """The number as each view shows it."""
    phone = api.get(f"{N}/{ident}").json()["data"]["phone_number"]
    digits = phone[1:]
    slim = api.get(SLIM, params={"filter[phone_number]": digits, "include_tags": "true",
                                 "include_connection": "true"}).json()["data"]  # fmt: skip
    voice = api.get(VOICE_LIST, params={"filter[phone_number]": digits}).json()["data"]
    messaging = api.get(MESSAGING_LIST, params={"filter[phone_number]": phone}).json()["data"]
    made = api.post(CSV, params={"csv_format": "V2", "filter[phone_number]": digits}).json()
    run_jobs(api)
    rows = csv_rows(api.get(made["data"][0]["url"]).text)
    return {
        "detailed": api.get(f"{N}/{ident}").json()["data"],
        "slim": next(i for i in slim if i["id"] == ident),
        "voice": next(i for i in voice if i["id"] == ident),
        "voice_one": api.get(f"{N}/{ident}/voice").json()["data"],
        "messaging": next(i for i in messaging if i["id"] == ident),
        "csv": next(r for r in rows if r["id"] == ident),
    }


@pytest.mark.rule("V-ONE-WORLD")
def test_a_completed_batch_job_shows_in_every_view(api: httpx.Client) -> None:
    record = next(r for r in plain() if not r["emergency_enabled"])
    body = {"phone_numbers": [record["id"]], "tags": ["batch-view"],
            "customer_reference": "batch-ref",
            "voice": {"tech_prefix_enabled": True, "usage_payment_method": "channel"}}  # fmt: skip
    assert api.post(f"{JOBS}/update_phone_numbers", json=body).status_code == 202
    on = {"phone_numbers": [record["id"]], "emergency_enabled": True,
          "emergency_address_id": ADDRESS}  # fmt: skip
    assert api.post(f"{JOBS}/update_emergency_settings", json=on).status_code == 202
    before = api.get(f"{N}/{record['id']}").json()["data"]
    assert before["tags"] == record["tags"]  # the jobs are still pending
    run_jobs(api)
    seen = views(api, record["id"])
    detailed = seen["detailed"]
    assert detailed["tags"] == ["batch-view"]
    assert seen["slim"]["tags"] == seen["messaging"]["tags"] == ["batch-view"]
    assert seen["csv"]["tags"] == "batch-view"
    assert seen["slim"]["customer_reference"] == seen["voice"]["customer_reference"] == "batch-ref"
    assert seen["csv"]["customer_reference"] == "batch-ref"
    assert seen["voice"] == seen["voice_one"]
    assert seen["voice"]["tech_prefix_enabled"] is True
    assert seen["voice"]["usage_payment_method"] == "channel"
    assert seen["voice"]["emergency"]["emergency_address_id"] == ADDRESS
    assert seen["slim"]["emergency_address_id"] == detailed["emergency_address_id"] == ADDRESS
    assert seen["csv"]["emergency_enabled"] == "true"
    assert seen["slim"]["updated_at"] == detailed["updated_at"] == seen["messaging"]["updated_at"]
    assert seen["csv"]["updated_at"] == detailed["updated_at"]


@pytest.mark.rule("V-ONE-WORLD")
def test_changes_through_each_resource_show_in_the_others(api: httpx.Client) -> None:
    record = next(r for r in plain() if not r["emergency_enabled"] and not r["has_bundle"])
    ident = record["id"]
    api.patch(f"{N}/{ident}", json={"customer_reference": "via-number"})
    api.patch(f"{N}/{ident}/voice", json={"usage_payment_method": "channel"})
    api.patch(f"{N}/{ident}/messaging", json={"tags": ["via-messaging"]})
    api.post(f"{N}/{ident}/actions/enable_emergency",
             json={"emergency_enabled": True, "emergency_address_id": ADDRESS})  # fmt: skip
    seen = views(api, ident)
    assert seen["detailed"]["tags"] == seen["slim"]["tags"] == ["via-messaging"]
    assert seen["messaging"]["tags"] == ["via-messaging"]
    assert seen["voice"]["customer_reference"] == "via-number"
    assert seen["csv"]["customer_reference"] == "via-number"
    assert seen["slim"]["emergency_enabled"] is True
    assert seen["detailed"]["emergency_status"] == "active"
    assert seen["voice"]["usage_payment_method"] == "channel"
    by_method = every_page(api, VOICE_LIST, {"filter[voice.usage_payment_method]": "channel"})
    assert ident in {i["id"] for i in by_method}


@pytest.mark.rule("V-ONE-WORLD")
def test_a_deleted_number_leaves_every_view(api: httpx.Client) -> None:
    record = plain()[0]
    total = api.get(N).json()["meta"]["total_results"]
    assert api.post(f"{JOBS}/delete_phone_numbers",
                    json={"phone_numbers": [record["id"]]}).status_code == 202  # fmt: skip
    run_jobs(api)
    for path in (N, SLIM, VOICE_LIST, MESSAGING_LIST):
        assert api.get(path).json()["meta"]["total_results"] == total - 1, path
    assert api.get(f"{N}/{record['id']}/messaging").status_code == 404
    assert api.get(f"{N}/{record['id']}/voicemail").status_code == 404
    verified = api.post(f"{N}/actions/verify_ownership",
                        json={"phone_numbers": [record["phone_number"]]}).json()  # fmt: skip
    assert verified["data"]["not_found"] == [record["phone_number"]]


@pytest.mark.rule("V-ONE-WORLD")
@pytest.mark.parametrize("sort", [None, "phone_number", "-phone_number", "purchased_at",
                                  "connection_name", "-usage_payment_method"])  # fmt: skip
def test_every_list_has_the_same_order(api: httpx.Client, sort: str | None) -> None:
    params = {"sort": sort} if sort else {}
    detailed = [i["id"] for i in every_page(api, N, params)]
    assert [i["id"] for i in every_page(api, SLIM, params)] == detailed
    assert [i["id"] for i in every_page(api, VOICE_LIST, params)] == detailed
    if sort is None:
        assert [i["id"] for i in every_page(api, MESSAGING_LIST)] == detailed
        made = api.post(CSV).json()["data"][0]
        run_jobs(api)
        rows = csv_rows(api.get(made["url"]).text)
        phones = {i["id"]: i["phone_number"] for i in every_page(api, N)}
        assert [r["phone_number"] for r in rows] == [phones[i] for i in detailed]
