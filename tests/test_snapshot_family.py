"""The /phone_numbers family's state in a state document (``/_mock/state``, ``serve --state``):
voicemail settings and CSV downloads round-trip, so a restored tenant answers the family's
routes byte for byte as the saved one did, now and after its clock moves; a bad family part
refuses the whole document at its pointer and changes nothing (C-STATE)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mockserver.app import create_app
from mockserver.clock import ManualClock
from mockserver.config import Settings
from tests.conftest import make_client
from tests.family_support import CSV, N, bundle, plain, profile, with_voicemail, without_voicemail

SETTINGS = Settings(manual_clock=True, seed=4)


def clients() -> tuple[httpx.Client, httpx.Client]:
    app = create_app(SETTINGS, clock=ManualClock())
    return make_client(app, "source"), make_client(app, "copy")


def family_state(source: httpx.Client) -> dict[str, str]:
    """Voicemail created and changed, a messaging and a bundle change, three CSV downloads (one
    complete, one failed, one still pending): the ids the checks read."""
    fresh, (known, _) = without_voicemail(), with_voicemail()
    other = plain()[5]
    assert source.post(f"{N}/{fresh['id']}/voicemail", json={"pin": "13579"}).status_code == 200
    assert source.patch(f"{N}/{known['id']}/voicemail", json={"enabled": False}).status_code == 200
    body = {"messaging_profile_id": profile(1)["id"]}
    assert source.patch(f"{N}/{other['id']}/messaging", json=body).status_code == 200
    change = {"bundle_id": None if other["has_bundle"] else bundle(0)}
    action = f"{N}/{other['id']}/actions/bundle_status_change"
    assert source.patch(action, json=change).status_code == 200
    done = source.post(CSV, params={"csv_format": "V2"}).json()["data"][0]["id"]
    source.post("/_mock/clock/advance", json={"seconds": 5})
    assert source.post("/_mock/faults", json={"kind": "fail_jobs", "times": 1}).status_code == 201
    failed = source.post(CSV, params={"filter[has_bundle]": "true"}).json()["data"][0]["id"]
    source.post("/_mock/clock/advance", json={"seconds": 5})
    pending = source.post(CSV).json()["data"][0]["id"]
    return {"fresh": fresh["id"], "known": known["id"], "other": other["id"],
            "done": done, "failed": failed, "pending": pending}  # fmt: skip


def views(api: httpx.Client, ids: dict[str, str]) -> list[tuple[int, bytes]]:
    paths = [
        f"{N}/{ids['fresh']}/voicemail", f"{N}/{ids['known']}/voicemail",
        f"{N}/{ids['other']}/messaging", f"{N}/{ids['other']}", CSV,
        f"{CSV}/{ids['done']}", f"{CSV}/{ids['failed']}", f"{CSV}/{ids['pending']}",
        f"{CSV}/{ids['done']}/file", f"{CSV}/{ids['pending']}/file",
        f"{N}/messaging?filter[messaging_profile_id]={profile(1)['id']}",
    ]  # fmt: skip
    return [(r.status_code, r.content) for r in map(api.get, paths)]


@pytest.mark.rule("C-STATE")
def test_voicemail_and_csv_downloads_round_trip() -> None:
    source, copy = clients()
    ids = family_state(source)
    doc = source.get("/_mock/state").json()["data"]
    tenant = doc["tenant"]
    assert set(tenant["voicemail"]) == {ids["fresh"], ids["known"]}  # the tenant's own only
    assert [d["fate"] for d in tenant["csv_downloads"]] == ["complete", "failed", "complete"]
    imported = copy.put("/_mock/state", json=doc)
    assert imported.status_code == 200, imported.text
    before = views(source, ids)
    assert [status for status, _ in before] == [200] * 9 + [404, 200]  # pending: no file yet
    assert views(copy, ids) == before
    for api in (source, copy):  # the pending download completes on the restored clock too
        api.post("/_mock/clock/advance", json={"seconds": 5})
    after = views(source, ids)
    assert after[9][0] == 200
    assert views(copy, ids) == after
    again = copy.post(CSV).content  # the same next id: the ids' state came along
    assert again == source.post(CSV).content


def _edit_voicemail(tenant: dict[str, Any]) -> None:
    tenant["voicemail"]["1"] = {"enabled": True}


def _edit_voicemail_shape(tenant: dict[str, Any]) -> None:
    ident = next(iter(tenant["voicemail"]))
    tenant["voicemail"][ident] = {"enabled": "yes"}


def _edit_fate(tenant: dict[str, Any]) -> None:
    tenant["csv_downloads"][1]["fate"] = "pending"


def _edit_ready(tenant: dict[str, Any]) -> None:
    tenant["csv_downloads"][0]["ready_ms"] = tenant["csv_downloads"][0]["created_ms"] - 1


def _edit_duplicate(tenant: dict[str, Any]) -> None:
    tenant["csv_downloads"][2]["id"] = tenant["csv_downloads"][0]["id"]


def _edit_text(tenant: dict[str, Any]) -> None:
    tenant["csv_downloads"][0]["text"] = None


@pytest.mark.rule("C-STATE")
@pytest.mark.parametrize(
    ("edit", "pointer"),
    [
        (_edit_voicemail, "/tenant/voicemail/1"),
        (_edit_voicemail_shape, "/tenant/voicemail/"),
        (_edit_fate, "/tenant/csv_downloads/1/fate"),
        (_edit_ready, "/tenant/csv_downloads/0/ready_ms"),
        (_edit_duplicate, "/tenant/csv_downloads/2/id"),
        (_edit_text, "/tenant/csv_downloads/0/text"),
    ],
)
def test_a_bad_family_part_is_a_422_at_its_pointer_and_changes_nothing(
    edit: Callable[[dict[str, Any]], None], pointer: str
) -> None:
    source, copy = clients()
    family_state(source)
    doc = source.get("/_mock/state").json()["data"]
    edit(doc["tenant"])
    copy.post(CSV)  # the copy has state of its own, which must survive the refusal
    before = copy.get("/_mock/state").content
    answer = copy.put("/_mock/state", json=doc)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["code"] == "10015"
    assert error["source"]["pointer"].startswith(pointer)
    assert copy.get("/_mock/state").content == before
