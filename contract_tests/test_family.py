"""The rest of the ``/phone_numbers`` family, against any target: slim, voice and messaging lists,
messaging settings, voicemail, CSV downloads and the number actions.

Reads and rejected requests run everywhere (on live the guard sends a per-number change only for a
sandbox number, and a rejected one changes nothing). Accepted changes of messaging, voicemail,
bundles and emergency run only where the target can take them back (``changes_family``: not on
live, whose restore covers number and voice settings only).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests.checks import check_equal, check_error, check_status, lacking
from contract_tests.strategies import Inventory
from contract_tests.targets import Target

N = "/phone_numbers"
CSV = f"{N}/csv_downloads"
VERIFY = f"{N}/actions/verify_ownership"
#: reserved NANP test numbers: no account can own them
UNOWNABLE = [f"+1500555{n:04d}" for n in range(10)]
UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"


def _ids(response: httpx.Response) -> list[str]:
    check_status(response, 200)
    return [item["id"] for item in response.json()["data"]]


def _needs_family_changes(target: Target) -> None:
    if not target.changes_family:
        pytest.skip(
            f"{target.name}: accepted messaging, voicemail, bundle and enable_emergency changes "
            "are not sent (the live restore does not cover them)"
        )


# -- one world, many views
@pytest.mark.rule("V-ONE-WORLD")
@pytest.mark.rule("V-SLIM-LIST")
@pytest.mark.rule("V-VOICE-LIST")
@pytest.mark.rule("V-MESSAGING-LIST")
@pytest.mark.parametrize("sort", [None, "phone_number", "-purchased_at"])
def test_every_list_shows_the_same_numbers_in_the_same_order(
    api: httpx.Client, sort: str | None
) -> None:
    params = {"page[size]": "50", **({"sort": sort} if sort else {})}
    detailed = _ids(api.get(N, params=params))
    check_equal(f"GET {N}/slim ids", detailed, _ids(api.get(f"{N}/slim", params=params)))
    check_equal(f"GET {N}/voice ids", detailed, _ids(api.get(f"{N}/voice", params=params)))
    if sort is None:  # the messaging list has its own sort (sort[phone_number])
        messaging = _ids(api.get(f"{N}/messaging", params={"page[size]": "50"}))
        check_equal(f"GET {N}/messaging ids", detailed, messaging)


@pytest.mark.rule("V-VOICE-LIST")
def test_the_voice_list_holds_the_voice_resources(api: httpx.Client) -> None:
    listed = api.get(f"{N}/voice", params={"page[size]": "5"})
    check_status(listed, 200)
    for item in listed.json()["data"]:
        single = api.get(f"{N}/{item['id']}/voice")
        check_status(single, 200)
        check_equal(f"voice settings of {item['id']}", single.json()["data"], item)


@pytest.mark.rule("V-MESSAGING-LIST")
@pytest.mark.rule("R-MESSAGING-LIST-QUERY")
def test_messaging_settings_of_inventory_numbers(api: httpx.Client, inventory: Inventory) -> None:
    number = inventory.numbers[0]
    one = api.get(f"{N}/{number['id']}/messaging")
    check_status(one, 200)
    check_equal(
        "messaging phone_number", number["phone_number"], one.json()["data"]["phone_number"]
    )
    listed = api.get(f"{N}/messaging", params={"filter[phone_number]": number["phone_number"]})
    check_equal("messaging list by number", [number["id"]], _ids(listed))
    asc = api.get(f"{N}/messaging", params={"sort[phone_number]": "asc", "page[size]": "20"})
    check_status(asc, 200)
    phones = [i["phone_number"] for i in asc.json()["data"]]
    check_equal("sort[phone_number]=asc", sorted(phones), phones)


@pytest.mark.rule("R-MESSAGING-LIST-QUERY")
@pytest.mark.rule("R-SLIM-INCLUDE")
@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        (f"{N}/messaging", {"filter[type]": "mobile"}, "filter[type]"),
        (f"{N}/messaging", {"filter[messaging_profile_id]": "x"}, "filter[messaging_profile_id]"),
        (f"{N}/slim", {"include_tags": "maybe"}, "include_tags"),
        (f"{N}/voice", {"filter[connection_name][contains]": "ab"},
         "filter[connection_name][contains]"),
    ],
)  # fmt: skip
def test_list_query_errors(
    api: httpx.Client, path: str, params: dict[str, str], parameter: str
) -> None:
    check_error(api.get(path, params=params), 422, "10015", parameter=parameter)


# -- verify_ownership (changes nothing: sent to every target)
@pytest.mark.rule("R-VERIFY-OWNERSHIP")
@given(data=st.data())
def test_verify_ownership_splits_owned_from_unknown(
    api: httpx.Client, inventory: Inventory, data: st.DataObject
) -> None:
    owned = [n["phone_number"] for n in inventory.numbers[:20]]
    mine = data.draw(st.lists(st.sampled_from(owned), max_size=5), label="owned")
    strangers = data.draw(st.lists(st.sampled_from(UNOWNABLE), max_size=3), label="unowned")
    given_ = data.draw(st.permutations(mine + strangers), label="order")
    if not given_:
        given_ = [owned[0]]
    r = api.post(VERIFY, json={"phone_numbers": given_})
    check_status(r, 200)
    body = r.json()["data"]
    found = {f["number_val_e164"] for f in body["found"]}
    check_equal("unowned numbers found", set(), found & set(UNOWNABLE))
    check_equal("every number answered", set(given_), found | set(body["not_found"]))
    ids = {n["phone_number"]: n["id"] for n in inventory.numbers}
    for item in body["found"]:
        check_equal(f"id of {item['number_val_e164']}", ids.get(item["number_val_e164"]),
                    item["id"])  # fmt: skip


@pytest.mark.rule("R-VERIFY-OWNERSHIP")
@pytest.mark.parametrize(
    ("body", "code", "pointer"),
    [({}, "10015", "/phone_numbers"), ({"phone_numbers": []}, "10015", "/phone_numbers"),
     ({"phone_numbers": ["not-a-number"]}, "10016", "/phone_numbers/0")],
)  # fmt: skip
def test_verify_ownership_errors(api: httpx.Client, body: Any, code: str, pointer: str) -> None:
    check_error(api.post(VERIFY, json=body), 422, code, pointer=pointer)


# -- CSV downloads (an export: sent to every target)
def _wait_for_download(target: Target, api: httpx.Client, ident: str) -> dict[str, Any]:
    """The download once it is no longer pending: settled by ``/_mock/jobs/run`` where the
    target has the controls, else polled on the real clock (up to 120 s)."""

    def fetch() -> dict[str, Any]:
        if target.has_controls:
            target.control("jobs/run")
        r = api.get(f"{CSV}/{ident}")
        check_status(r, 200)
        record: dict[str, Any] = r.json()["data"][0]
        return record

    return target.poll(fetch, lambda record: record["status"] != "pending", fetch(), 120.0)


@pytest.mark.rule("L-CSV-DOWNLOAD")
@pytest.mark.rule("R-CSV-FILE")
@pytest.mark.rule("V-CSV-COLUMNS")
def test_a_csv_download_completes_and_lists_the_numbers(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    number = inventory.numbers[0]
    created = api.post(
        CSV, params={"csv_format": "V2", "filter[phone_number]": number["phone_number"][1:]}
    )
    check_status(created, 200)
    record = created.json()["data"][0]
    check_equal("a new download's status", "pending", record["status"])
    assert record["id"] in _ids(api.get(CSV, params={"page[size]": "250"})), (
        f"expected download {record['id']} in GET {CSV} / received a list without it"
    )
    done = _wait_for_download(target, api, record["id"])
    check_equal("download status", "complete", done["status"])
    url = httpx.URL(done["url"])
    if url.host != api.base_url.host:
        pytest.skip(f"{target.name}: the file is served from {url.host}, not the API")
    text = api.get(str(url)).text
    check_equal("CSV header", "id", text.split(",", 1)[0])
    assert number["id"] in text, f"expected {number['id']} in the CSV / received {text[:300]!r}"


@pytest.mark.rule("R-CSV-QUERY")
@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"csv_format": "V9"}, "csv_format"), ({"filter[not_a_filter]": "x"}, "filter[not_a_filter]"),
     ({"filter[has_bundle]": "perhaps"}, "filter[has_bundle]")],
)  # fmt: skip
def test_csv_download_query_errors(
    api: httpx.Client, params: dict[str, str], parameter: str
) -> None:
    check_error(api.post(CSV, params=params), 422, "10015", parameter=parameter)


@pytest.mark.rule("Q-CSV-404")
def test_an_unknown_csv_download_is_404(api: httpx.Client) -> None:
    check_error(api.get(f"{CSV}/{uuid.uuid4()}"), 404, "10005", pointer="/id")


# -- rejected per-number changes (sandbox numbers on live; nothing changes)
@pytest.mark.rule("R-MESSAGING-UPDATE")
@pytest.mark.rule("R-VOICEMAIL-FIELDS")
@pytest.mark.rule("R-ENABLE-EMERGENCY")
@pytest.mark.rule("R-BUNDLE-STATUS-CHANGE")
@pytest.mark.parametrize(
    ("method", "suffix", "body", "pointer"),
    [
        ("PATCH", "messaging", {"messaging_profile_id": UNKNOWN_UUID}, "/messaging_profile_id"),
        ("POST", "voicemail", {"pin": 1234}, "/pin"),
        ("POST", "actions/enable_emergency", {"emergency_enabled": True},
         "/emergency_address_id"),
        ("PATCH", "actions/bundle_status_change", {}, "/bundle_id"),
    ],
)  # fmt: skip
def test_rejected_changes(
    api: httpx.Client, inventory: Inventory, method: str, suffix: str, body: Any, pointer: str
) -> None:
    number = inventory.numbers[0]
    before = api.get(f"{N}/{number['id']}").json()["data"]
    r = api.request(method, f"{N}/{number['id']}/{suffix}", json=body)
    check_error(r, 422, "10015", pointer=pointer)
    check_equal("the number after a rejected change", before,
                api.get(f"{N}/{number['id']}").json()["data"])  # fmt: skip


@pytest.mark.rule("R-VOICEMAIL-MISSING")
def test_voicemail_of_an_unknown_number_is_404(api: httpx.Client) -> None:
    check_error(api.get(f"{N}/1/voicemail"), 404, "10005", pointer="/phone_number_id")


# -- accepted changes (targets that can take them)
@pytest.mark.rule("R-MESSAGING-UPDATE")
@pytest.mark.rule("V-ONE-WORLD")
def test_a_messaging_change_shows_in_the_number(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    _needs_family_changes(target)
    number = inventory.numbers[0]
    r = api.patch(f"{N}/{number['id']}/messaging", json={"tags": ["contract-messaging"]})
    check_status(r, 200)
    after = api.get(f"{N}/{number['id']}").json()["data"]
    check_equal("tags after PATCH .../messaging", ["contract-messaging"], after["tags"])
    check_equal("messaging_profile_id", r.json()["data"]["messaging_profile_id"],
                after["messaging_profile_id"])  # fmt: skip


@pytest.mark.rule("R-VOICEMAIL-CREATE-TWICE")
@pytest.mark.rule("V-NULLS-VOICEMAIL")
def test_voicemail_create_then_update(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    _needs_family_changes(target)
    for number in inventory.numbers[:20]:
        path = f"{N}/{number['id']}/voicemail"
        if api.get(path).status_code == 404:
            break
    else:
        lacking(target.name, "every number tried has voicemail settings")
    check_status(api.post(path, json={"pin": "2580"}), 200)
    check_error(api.post(path, json={"pin": "2580"}), 422, "10015", pointer="/base")
    updated = api.patch(path, json={"enabled": False})
    check_status(updated, 200)
    check_equal("voicemail after PATCH", {"enabled": False, "pin": "2580"},
                updated.json()["data"])  # fmt: skip


@pytest.mark.rule("R-ENABLE-EMERGENCY")
@pytest.mark.rule("R-BUNDLE-STATUS-CHANGE")
def test_actions_change_what_every_view_shows(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    _needs_family_changes(target)
    if not inventory.emergency_address_ids:
        lacking(target.name, "no emergency address in the inventory")
    number = next((n for n in inventory.numbers if not n["emergency_enabled"]), None)
    if number is None:
        lacking(target.name, "every inventory number has E911")
    address = inventory.emergency_address_ids[0]
    r = api.post(f"{N}/{number['id']}/actions/enable_emergency",
                 json={"emergency_enabled": True, "emergency_address_id": address})  # fmt: skip
    check_status(r, 200)
    after = api.get(f"{N}/{number['id']}").json()["data"]
    check_equal("emergency after enable_emergency", (True, address),
                (after["emergency_enabled"], after["emergency_address_id"]))  # fmt: skip
    removed = api.patch(f"{N}/{number['id']}/actions/bundle_status_change",
                        json={"bundle_id": None})  # fmt: skip
    check_status(removed, 200)
