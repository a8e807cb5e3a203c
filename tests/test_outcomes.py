"""Per-number outcomes of batch jobs (O-*) and the effects of successful targets (E-*)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import advance

T0 = 1_767_225_600_000
WORLD = Path(__file__).resolve().parent.parent / "fixtures" / "world.json"
JOBS = "/v2/phone_numbers/jobs"
ERR_URL = "https://developers.telnyx.com/docs/overview/errors/{}"
CONNECTION = "1521916448077776306"
BILLING_GROUP = "62e4bf2e-c278-4282-b524-488d9c9c43b2"
ADDRESS = "9102160989215728032"


@cache
def world() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORLD.read_text(encoding="utf-8"))
    return data


def records(
    n: int, *, status: str = "active", locked: bool = False, kind: str = "local"
) -> list[dict[str, Any]]:
    found = [
        r
        for r in world()["numbers"]
        if r["status"] == status
        and r["deletion_lock_enabled"] is locked
        and r["phone_number_type"] == kind
    ]
    assert len(found) >= n, (status, locked, kind)
    return found[:n]


def ids(n: int, **kw: Any) -> list[str]:
    return [r["id"] for r in records(n, **kw)]


def iso(ms: int) -> str:
    dt = datetime.fromtimestamp(ms // 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def create(api: httpx.Client, kind: str, body: dict[str, Any]) -> Any:
    r = api.post(f"{JOBS}/{kind}", json=body)
    assert r.status_code == 202, r.text
    return r.json()["data"]


def update(api: httpx.Client, body: dict[str, Any]) -> Any:
    return create(api, "update_phone_numbers", body)


def finish(api: httpx.Client, job: dict[str, Any]) -> Any:
    r = api.post("/_mock/jobs/run")
    assert r.status_code == 200
    r = api.get(f"{JOBS}/{job['id']}")
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["pending_operations"] == []
    return data


def number(api: httpx.Client, ident: str) -> Any:
    r = api.get(f"/v2/phone_numbers/{ident}")
    assert r.status_code == 200, r.text
    return r.json()["data"]


def voice(api: httpx.Client, ident: str) -> Any:
    r = api.get(f"/v2/phone_numbers/{ident}/voice")
    assert r.status_code == 200, r.text
    return r.json()["data"]


def error(code: str, title: str, detail: str, pointer: str) -> dict[str, Any]:
    return {
        "code": code,
        "title": title,
        "detail": detail,
        "source": {"pointer": pointer},
        "meta": {"url": ERR_URL.format(code)},
    }


def failed_op(rec: dict[str, Any], *errors: dict[str, Any]) -> dict[str, Any]:
    return {"id": rec["id"], "phone_number": rec["phone_number"], "errors": list(errors)}


# -- O-STATUS -----------------------------------------------------------------------------------
LOCKED = ("port-pending", "deleted", "ported-out", "port-out-pending")
BODIES: dict[str, dict[str, Any]] = {
    "update_phone_numbers": {"tags": ["x"]},
    "update_emergency_settings": {"emergency_enabled": True, "emergency_address_id": ADDRESS},
    "delete_phone_numbers": {},
}


@pytest.mark.rule("O-STATUS")
@pytest.mark.parametrize("status", LOCKED)
@pytest.mark.parametrize("kind", list(BODIES))
def test_locked_status_fails_every_job_type(api: httpx.Client, status: str, kind: str) -> None:
    candidates = [r for r in world()["numbers"] if r["status"] == status]
    rec = candidates[0]
    before = number(api, rec["id"])
    job = finish(api, create(api, kind, {"phone_numbers": [rec["id"]], **BODIES[kind]}))
    assert job["status"] == "failed"
    assert job["successful_operations"] == []
    detail = f"The phone number cannot be modified while its status is '{status}'."
    assert job["failed_operations"] == [
        failed_op(rec, error("10015", "Bad Request", detail, "/phone_numbers"))
    ]
    assert number(api, rec["id"]) == before


@pytest.mark.rule("O-STATUS")
def test_non_locked_statuses_are_changeable(api: httpx.Client) -> None:
    """Only the four locked statuses fail: e.g. emergency-only and port-failed numbers change."""
    recs = [
        next(r for r in world()["numbers"] if r["status"] == status)
        for status in ("emergency-only", "port-failed", "purchase-pending", "provision-pending")
    ]
    job = finish(api, update(api, {"phone_numbers": [r["id"] for r in recs], "tags": ["ok"]}))
    assert job["status"] == "completed"
    assert job["failed_operations"] == []
    for rec in recs:
        assert number(api, rec["id"])["tags"] == ["ok"]


# -- O-GONE -------------------------------------------------------------------------------------
@pytest.mark.rule("O-GONE")
@pytest.mark.parametrize("gap_seconds", [0, 0.5])
def test_target_deleted_by_earlier_job_fails_not_found(
    api: httpx.Client, gap_seconds: float
) -> None:
    rec, other = records(2)
    deleting = create(api, "delete_phone_numbers", {"phone_numbers": [rec["id"]]})
    if gap_seconds:
        advance(api, gap_seconds)  # still pending: the number is still owned
    updating = update(api, {"phone_numbers": [rec["id"], other["id"]], "tags": ["late"]})
    assert finish(api, deleting)["status"] == "completed"
    job = finish(api, updating)
    assert job["status"] == "completed"
    assert job["successful_operations"] == [
        {"id": other["id"], "phone_number": other["phone_number"]}
    ]
    assert job["failed_operations"] == [
        failed_op(
            rec,
            error(
                "10005",
                "Resource not found",
                "The phone number no longer exists on your account.",
                "/phone_numbers",
            ),
        )
    ]
    assert number(api, other["id"])["tags"] == ["late"]


@pytest.mark.rule("O-GONE")
def test_update_processed_before_delete_succeeds(api: httpx.Client) -> None:
    """Order is by processing time: an update whose turn comes first still applies."""
    rec = records(1)[0]
    updating = update(api, {"phone_numbers": [rec["id"]], "tags": ["first"]})
    deleting = create(api, "delete_phone_numbers", {"phone_numbers": [rec["id"]]})
    assert finish(api, updating)["status"] == "completed"
    assert finish(api, deleting)["status"] == "completed"
    assert api.get(f"/v2/phone_numbers/{rec['id']}").status_code == 404


# -- O-HD-VOICE-TOLL-FREE -----------------------------------------------------------------------
@pytest.mark.rule("O-HD-VOICE-TOLL-FREE")
def test_hd_voice_on_toll_free_fails(api: httpx.Client) -> None:
    toll_free = records(1, kind="toll_free")[0]
    local = records(1)[0]
    job = finish(
        api,
        update(api, {"phone_numbers": [toll_free["id"], local["id"]], "hd_voice_enabled": True}),
    )
    assert job["status"] == "completed"
    assert job["successful_operations"] == [
        {"id": local["id"], "phone_number": local["phone_number"]}
    ]
    assert job["failed_operations"] == [
        failed_op(
            toll_free,
            error(
                "10015",
                "Bad Request",
                "HD Voice is not available for this phone number.",
                "/hd_voice_enabled",
            ),
        )
    ]
    assert number(api, toll_free["id"])["hd_voice_enabled"] is toll_free["hd_voice_enabled"]
    assert number(api, local["id"])["hd_voice_enabled"] is True


@pytest.mark.rule("O-HD-VOICE-TOLL-FREE")
def test_hd_voice_off_or_other_fields_on_toll_free_succeed(api: httpx.Client) -> None:
    toll_free = records(1, kind="toll_free")[0]
    job = finish(api, update(api, {"phone_numbers": [toll_free["id"]], "hd_voice_enabled": False}))
    assert job["status"] == "completed"
    job = finish(api, update(api, {"phone_numbers": [toll_free["id"]], "tags": ["tf"]}))
    assert job["status"] == "completed"
    assert number(api, toll_free["id"])["tags"] == ["tf"]


# -- O-CONNECTION -------------------------------------------------------------------------------
@pytest.mark.rule("O-CONNECTION")
def test_unknown_connection_fails_each_target(api: httpx.Client) -> None:
    recs = records(2)
    job = finish(
        api,
        update(
            api,
            {"phone_numbers": [r["id"] for r in recs], "connection_id": "999", "tags": ["c"]},
        ),
    )
    assert job["status"] == "failed"
    assert job["successful_operations"] == []
    expected = error("10015", "Bad Request", "The field is invalid.", "/connection_id")
    assert job["failed_operations"] == [failed_op(r, expected) for r in recs]
    for rec in recs:  # nothing of a failed target is applied, not even the other fields
        got = number(api, rec["id"])
        assert got["connection_id"] == rec["connection_id"]
        assert got["tags"] == rec["tags"]


@pytest.mark.rule("O-CONNECTION")
@pytest.mark.rule("O-HD-VOICE-TOLL-FREE")
def test_toll_free_with_unknown_connection_lists_both_errors(api: httpx.Client) -> None:
    toll_free = records(1, kind="toll_free")[0]
    job = finish(
        api,
        update(
            api,
            {"phone_numbers": [toll_free["id"]], "connection_id": "42", "hd_voice_enabled": True},
        ),
    )
    pointers = [e["source"]["pointer"] for e in job["failed_operations"][0]["errors"]]
    assert sorted(pointers) == ["/connection_id", "/hd_voice_enabled"]


# -- O-EMERGENCY-ADDRESS ------------------------------------------------------------------------
@pytest.mark.rule("O-EMERGENCY-ADDRESS")
def test_unknown_emergency_address_is_the_doc_example(api: httpx.Client) -> None:
    recs = records(2)
    job = finish(
        api,
        create(
            api,
            "update_emergency_settings",
            {
                "phone_numbers": [r["id"] for r in recs],
                "emergency_enabled": True,
                "emergency_address_id": "3388768018273",
            },
        ),
    )
    assert job["status"] == "failed"
    doc_error = {
        "code": "10015",
        "title": "Bad Request",
        "detail": "The field is invalid.",
        "source": {"pointer": "/emergency_address_id"},
        "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10015"},
    }
    assert job["failed_operations"] == [
        {"id": r["id"], "phone_number": r["phone_number"], "errors": [doc_error]} for r in recs
    ]
    for rec in recs:
        got = number(api, rec["id"])
        assert got["emergency_enabled"] is rec["emergency_enabled"]
        assert got["emergency_address_id"] == rec["emergency_address_id"]


# -- O-DELETION-LOCK ----------------------------------------------------------------------------
@pytest.mark.rule("O-DELETION-LOCK")
def test_deletion_locked_number_survives_delete_job(api: httpx.Client) -> None:
    locked = records(1, locked=True)[0]
    plain = records(1)[0]
    job = finish(
        api, create(api, "delete_phone_numbers", {"phone_numbers": [locked["id"], plain["id"]]})
    )
    assert job["status"] == "completed"
    assert job["failed_operations"] == [
        failed_op(
            locked,
            error(
                "10015",
                "Bad Request",
                "The phone number has deletion lock enabled and cannot be deleted.",
                "/deletion_lock_enabled",
            ),
        )
    ]
    assert number(api, locked["id"])["deletion_lock_enabled"] is True
    assert api.get(f"/v2/phone_numbers/{plain['id']}").status_code == 404


@pytest.mark.rule("O-DELETION-LOCK")
@pytest.mark.rule("E-UPDATE")
def test_deletion_lock_set_and_cleared_by_update_jobs(api: httpx.Client) -> None:
    rec = records(1)[0]
    finish(api, update(api, {"phone_numbers": [rec["id"]], "deletion_lock_enabled": True}))
    assert number(api, rec["id"])["deletion_lock_enabled"] is True
    job = finish(api, create(api, "delete_phone_numbers", {"phone_numbers": [rec["id"]]}))
    assert job["status"] == "failed"
    assert job["failed_operations"][0]["errors"][0]["source"] == {
        "pointer": "/deletion_lock_enabled"
    }
    finish(api, update(api, {"phone_numbers": [rec["id"]], "deletion_lock_enabled": False}))
    job = finish(api, create(api, "delete_phone_numbers", {"phone_numbers": [rec["id"]]}))
    assert job["status"] == "completed"
    assert api.get(f"/v2/phone_numbers/{rec['id']}").status_code == 404


@pytest.mark.rule("O-DELETION-LOCK")
def test_deletion_lock_does_not_block_updates(api: httpx.Client) -> None:
    locked = records(1, locked=True)[0]
    job = finish(api, update(api, {"phone_numbers": [locked["id"]], "tags": ["locked-ok"]}))
    assert job["status"] == "completed"
    assert number(api, locked["id"])["tags"] == ["locked-ok"]


# -- E-UPDATE -----------------------------------------------------------------------------------
def other_connection(current: str | None) -> dict[str, str]:
    return next(c for c in world()["connections"] if c["id"] not in (current, None))


@pytest.mark.rule("E-UPDATE")
def test_every_update_field_is_applied(api: httpx.Client) -> None:
    rec = records(1)[0]
    conn = other_connection(rec["connection_id"])
    billing = next(b["id"] for b in world()["billing_groups"] if b["id"] != rec["billing_group_id"])
    before_voice = voice(api, rec["id"])
    body = {
        "phone_numbers": [rec["phone_number"]],
        "tags": ["t1", "t2", "t1"],
        "customer_reference": "cust-ref-7",
        "connection_id": conn["id"],
        "billing_group_id": billing,
        "external_pin": "987654",
        "hd_voice_enabled": True,
        "deletion_lock_enabled": True,
        "voice": {
            "call_recording": {"inbound_call_recording_enabled": True},
            "media_features": {"t38_fax_gateway_enabled": True},
            "cnam_listing": {"cnam_listing_enabled": True, "cnam_listing_details": "ACME 1"},
            "caller_id_name_enabled": True,
            "inbound_call_screening": "flag_calls",
            "tech_prefix_enabled": True,
            "translated_number": "+13035559999",
            "usage_payment_method": "channel",
            "call_forwarding": {"forwards_to": "+13035559123", "forwarding_type": "on-failure"},
        },
    }
    job = finish(api, update(api, body))
    assert job["status"] == "completed"
    got = number(api, rec["id"])
    assert got["tags"] == ["t1", "t2"]
    assert got["customer_reference"] == "cust-ref-7"
    assert got["connection_id"] == conn["id"]
    assert got["connection_name"] == conn["name"]
    assert got["billing_group_id"] == billing
    assert got["external_pin"] == "987654"
    assert got["hd_voice_enabled"] is True
    assert got["deletion_lock_enabled"] is True
    assert got["caller_id_name_enabled"] is True
    assert got["call_recording_enabled"] is True
    assert got["cnam_listing_enabled"] is True
    assert got["t38_fax_gateway_enabled"] is True
    assert got["inbound_call_screening"] == "flag_calls"
    assert got["updated_at"] == iso(T0 + 1050)
    # fields the job did not name are untouched
    for key in ("phone_number", "status", "created_at", "purchased_at", "emergency_enabled"):
        assert got[key] == rec[key]
    v = voice(api, rec["id"])
    assert v["connection_id"] == conn["id"]
    assert v["customer_reference"] == "cust-ref-7"
    assert v["call_recording"] == {
        **before_voice["call_recording"],
        "inbound_call_recording_enabled": True,
    }
    assert v["media_features"] == {
        **before_voice["media_features"],
        "t38_fax_gateway_enabled": True,
    }
    assert v["cnam_listing"] == {"cnam_listing_enabled": True, "cnam_listing_details": "ACME 1"}
    assert v["call_forwarding"] == {
        **before_voice["call_forwarding"],
        "forwards_to": "+13035559123",
        "forwarding_type": "on-failure",
    }
    assert v["inbound_call_screening"] == "flag_calls"
    assert v["tech_prefix_enabled"] is True
    assert v["translated_number"] == "+13035559999"
    assert v["usage_payment_method"] == "channel"


@pytest.mark.rule("E-UPDATE")
def test_voice_partial_merge_keeps_siblings(api: httpx.Client) -> None:
    rec = records(1)[0]
    finish(
        api,
        update(
            api,
            {
                "phone_numbers": [rec["id"]],
                "voice": {
                    "call_recording": {
                        "inbound_call_recording_format": "mp3",
                        "inbound_call_recording_channels": "dual",
                    }
                },
            },
        ),
    )
    finish(
        api,
        update(
            api,
            {
                "phone_numbers": [rec["id"]],
                "voice": {"call_recording": {"inbound_call_recording_enabled": True}},
            },
        ),
    )
    v = voice(api, rec["id"])
    assert v["call_recording"] == {
        "inbound_call_recording_enabled": True,
        "inbound_call_recording_format": "mp3",
        "inbound_call_recording_channels": "dual",
    }
    original = rec["voice"]
    assert v["media_features"] == original["media_features"]
    assert v["usage_payment_method"] == original["usage_payment_method"]


@pytest.mark.rule("E-UPDATE")
def test_add_and_remove_tags(api: httpx.Client) -> None:
    rec = next(r for r in world()["numbers"] if r["status"] == "active" and len(r["tags"]) >= 2)
    keep, drop = rec["tags"][0], rec["tags"][1]
    finish(
        api,
        update(
            api,
            {"phone_numbers": [rec["id"]], "add_tags": ["new", keep], "remove_tags": [drop]},
        ),
    )
    tags = number(api, rec["id"])["tags"]
    assert drop not in tags
    assert tags.count(keep) == 1
    assert tags == [t for t in rec["tags"] if t != drop] + ["new"]


@pytest.mark.rule("E-UPDATE")
def test_tags_replace_and_empty_list_clears(api: httpx.Client) -> None:
    rec = next(r for r in world()["numbers"] if r["status"] == "active" and r["tags"])
    finish(api, update(api, {"phone_numbers": [rec["id"]], "tags": []}))
    assert number(api, rec["id"])["tags"] == []
    listed = api.get(
        "/v2/phone_numbers",
        params={"filter[without_tags]": "true", "filter[phone_number]": rec["phone_number"]},
    ).json()
    assert [n["id"] for n in listed["data"]] == [rec["id"]]


@pytest.mark.rule("E-UPDATE")
def test_connection_change_is_visible_to_connection_filters(api: httpx.Client) -> None:
    rec = records(1)[0]
    conn = other_connection(rec["connection_id"])
    finish(api, update(api, {"phone_numbers": [rec["id"]], "connection_id": conn["id"]}))
    listed = api.get(
        "/v2/phone_numbers",
        params={
            "filter[voice.connection_name][eq]": conn["name"],
            "filter[phone_number]": rec["phone_number"],
        },
    ).json()
    assert [n["id"] for n in listed["data"]] == [rec["id"]]
    assert listed["data"][0]["connection_name"] == conn["name"]


@pytest.mark.rule("E-UPDATE")
def test_last_successful_job_wins(api: httpx.Client) -> None:
    rec = records(1)[0]
    first = update(api, {"phone_numbers": [rec["id"]], "customer_reference": "one"})
    advance(api, 0.01)
    second = update(api, {"phone_numbers": [rec["id"]], "customer_reference": "two"})
    advance(api, 1.045)  # T0 + 1055: only the first has run
    assert number(api, rec["id"])["customer_reference"] == "one"
    finish(api, first)
    finish(api, second)
    assert number(api, rec["id"])["customer_reference"] == "two"


# -- E-EMERGENCY --------------------------------------------------------------------------------
@pytest.mark.rule("E-EMERGENCY")
def test_emergency_enable_then_disable(api: httpx.Client) -> None:
    rec = next(
        r
        for r in world()["numbers"]
        if r["status"] == "active"
        and not r["emergency_enabled"]
        and r["phone_number_type"] == "local"
    )
    job = finish(
        api,
        create(
            api,
            "update_emergency_settings",
            {
                "phone_numbers": [rec["phone_number"]],
                "emergency_enabled": True,
                "emergency_address_id": ADDRESS,
            },
        ),
    )
    assert job["status"] == "completed"
    assert job["parameters"]["emergency_enabled"] is True
    got = number(api, rec["id"])
    assert got["emergency_enabled"] is True
    assert got["emergency_address_id"] == ADDRESS
    assert got["emergency_status"] == "active"
    assert got["updated_at"] == iso(T0 + 1050)
    assert voice(api, rec["id"])["emergency"] == {
        "emergency_enabled": True,
        "emergency_address_id": ADDRESS,
        "emergency_status": "active",
    }
    listed = api.get(
        "/v2/phone_numbers",
        params={
            "filter[emergency_address_id]": ADDRESS,
            "filter[phone_number]": rec["phone_number"],
        },
    ).json()
    assert [n["id"] for n in listed["data"]] == [rec["id"]]

    job = finish(
        api,
        create(
            api,
            "update_emergency_settings",
            {"phone_numbers": [rec["id"]], "emergency_enabled": False},
        ),
    )
    assert job["status"] == "completed"
    got = number(api, rec["id"])
    assert got["emergency_enabled"] is False
    assert got["emergency_address_id"] is None
    assert got["emergency_status"] == "disabled"
    assert voice(api, rec["id"])["emergency"] == {
        "emergency_enabled": False,
        "emergency_status": "disabled",
    }


@pytest.mark.rule("E-EMERGENCY")
def test_emergency_disable_with_explicit_null(api: httpx.Client) -> None:
    rec = next(r for r in world()["numbers"] if r["status"] == "active" and r["emergency_enabled"])
    job = finish(
        api,
        create(
            api,
            "update_emergency_settings",
            {
                "phone_numbers": [rec["id"]],
                "emergency_enabled": False,
                "emergency_address_id": None,
            },
        ),
    )
    assert job["status"] == "completed"
    assert job["parameters"]["emergency_address_id"] is None
    got = number(api, rec["id"])
    assert (got["emergency_enabled"], got["emergency_address_id"], got["emergency_status"]) == (
        False,
        None,
        "disabled",
    )


# -- E-DELETE -----------------------------------------------------------------------------------
@pytest.mark.rule("E-DELETE")
def test_deleted_number_is_gone_everywhere(api: httpx.Client) -> None:
    rec = records(1)[0]
    before = api.get("/v2/phone_numbers", params={"page[size]": "1"}).json()["meta"]
    job = finish(api, create(api, "delete_phone_numbers", {"phone_numbers": [rec["phone_number"]]}))
    assert job["status"] == "completed"
    assert job["successful_operations"] == [{"id": rec["id"], "phone_number": rec["phone_number"]}]
    for path in (f"/v2/phone_numbers/{rec['id']}", f"/v2/phone_numbers/{rec['id']}/voice"):
        r = api.get(path)
        assert r.status_code == 404
        assert r.json()["errors"][0]["code"] == "10005"
        assert r.json()["errors"][0]["source"] == {"pointer": "/id"}
    listed = api.get("/v2/phone_numbers", params={"filter[phone_number]": rec["phone_number"]})
    assert rec["id"] not in [n["id"] for n in listed.json()["data"]]
    after = api.get("/v2/phone_numbers", params={"page[size]": "1"}).json()["meta"]
    assert after["total_results"] == before["total_results"] - 1
    for kind, extra in BODIES.items():
        for item in (rec["id"], rec["phone_number"]):
            r = api.post(f"{JOBS}/{kind}", json={"phone_numbers": [item], **extra})
            assert r.status_code == 422, (kind, r.text)
            assert r.json()["errors"] == [
                error(
                    "10015",
                    "Bad Request",
                    "You must own every number in the bulk request",
                    "/phone_numbers",
                )
            ]
    # the job that deleted it is still readable and unchanged
    r = api.get(f"{JOBS}/{job['id']}")
    assert r.json()["data"] == job


@pytest.mark.rule("E-DELETE")
def test_delete_job_is_per_tenant(api: httpx.Client, other_api: httpx.Client) -> None:
    rec = records(1)[0]
    finish(api, create(api, "delete_phone_numbers", {"phone_numbers": [rec["id"]]}))
    assert api.get(f"/v2/phone_numbers/{rec['id']}").status_code == 404
    assert other_api.get(f"/v2/phone_numbers/{rec['id']}").status_code == 200
