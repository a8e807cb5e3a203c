"""Manifest rules the conformance report used to list as not-run, now run where the target allows:
cheap reads and rejected requests on every target; test controls where the target has them
(``/_mock``: faults, fail/expire, the journal); requests the live guard would refuse only on the
emulator targets. What still cannot run says why in the report (``contract_tests/not_run.py``).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from contract_tests.checks import check_equal, check_error, check_status, lacking
from contract_tests.strategies import Inventory
from contract_tests.targets import Target, needs_controls

N = "/phone_numbers"
JOBS = "/phone_numbers/jobs"
UPDATE = f"{JOBS}/update_phone_numbers"


def _fault(target: Target, api: httpx.Client, spec: dict[str, Any]) -> None:
    """Inject a fault for the suite's tenant (the controls answer 201)."""
    check_status(api.post(f"{target.control_root}/faults", json=spec), 201)


def _not_live(target: Target) -> None:
    if target.name == "live":
        pytest.skip("live: the guard refuses this request before sending it")


# -- routing and bodies ---------------------------------------------------------------------------
@pytest.mark.rule("R-METHOD")
def test_get_on_a_creation_path_is_405(api: httpx.Client) -> None:
    response = api.get(UPDATE)
    check_error(response, 405, "10015")
    assert "POST" in response.headers.get("allow", ""), (
        f"expected an Allow header naming POST / received {response.headers.get('allow')!r}"
    )


@pytest.mark.rule("R-COLLECTION-METHODS")
@pytest.mark.parametrize("path", [f"{N}/slim", f"{N}/voice", f"{N}/messaging"])
def test_a_collection_is_not_a_number(target: Target, api: httpx.Client, path: str) -> None:
    _not_live(target)
    check_error(api.patch(path, json={"tags": ["x"]}), 405, "10015")


@pytest.mark.rule("R-BODY-SIZE")
def test_a_body_over_a_mebibyte_is_413(api: httpx.Client) -> None:
    items = [f"+1312555{n % 10_000:04d}" for n in range(80_000)]  # over 1 MiB, over the cap
    body = json.dumps({"phone_numbers": items, "tags": ["x"]})
    assert len(body) > 1024 * 1024
    response = api.post(UPDATE, content=body, headers={"Content-Type": "application/json"})
    check_status(response, 413)


@pytest.mark.rule("R-CONTENT-TYPE")
def test_a_form_body_is_415(target: Target, api: httpx.Client, inventory: Inventory) -> None:
    _not_live(target)
    number = inventory.numbers[0]["id"]
    response = api.patch(f"{N}/{number}/messaging", content=b"tags=x",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    check_status(response, 415)


@pytest.mark.rule("R-DEPTH")
def test_a_deeply_nested_body_is_400(target: Target, api: httpx.Client) -> None:
    _not_live(target)
    deep = '{"voice": ' * 200 + "{}" + "}" * 200
    response = api.post(UPDATE, content=deep, headers={"Content-Type": "application/json"})
    check_error(response, 400, "10023")


@pytest.mark.rule("R-BAD-JSON")
@pytest.mark.rule("R-NO-500")
@pytest.mark.parametrize(
    ("method", "suffix"),
    [("PATCH", "messaging"), ("POST", "voicemail"), ("POST", "actions/enable_emergency"),
     ("PATCH", "actions/bundle_status_change")],
)  # fmt: skip
def test_malformed_json_on_family_routes_is_400(
    api: httpx.Client, inventory: Inventory, method: str, suffix: str
) -> None:
    number = inventory.numbers[0]["id"]
    response = api.request(method, f"{N}/{number}/{suffix}", content=b'{"tags": [',
                           headers={"Content-Type": "application/json"})  # fmt: skip
    check_error(response, 400, "10023")


# -- queries and per-number rules on inventory numbers --------------------------------------------
@pytest.mark.rule("Q-PAGE-NOT-OBJECT")
@pytest.mark.parametrize("path", [N, JOBS])
def test_a_page_that_is_not_an_object_is_422(api: httpx.Client, path: str) -> None:
    check_error(api.get(path, params={"page": "3"}), 422, "10015", pointer="page")


@pytest.mark.rule("Q-JOB-FILTERS")
def test_the_job_type_filter_keeps_its_type(api: httpx.Client) -> None:
    response = api.get(JOBS, params={"filter[type]": "update_emergency_settings"})
    check_status(response, 200)
    types = {job["type"] for job in response.json()["data"]}
    check_equal("job types listed", types & {"update_emergency_settings"}, types)


@pytest.mark.rule("R-CNAM-VOICE")
@pytest.mark.rule("R-FORWARDS-TO-VOICE")
@pytest.mark.parametrize(
    ("body", "code", "pointer"),
    [({"cnam_listing": {"cnam_listing_enabled": False, "cnam_listing_details": "ACME"}},
      "10015", "/cnam_listing/cnam_listing_details"),
     ({"call_forwarding": {"forwards_to": "not a number"}}, "10016",
      "/call_forwarding/forwards_to")],
)  # fmt: skip
def test_voice_patch_rules(
    api: httpx.Client, inventory: Inventory, body: dict[str, Any], code: str, pointer: str
) -> None:
    number = inventory.numbers[0]["id"]
    check_error(api.patch(f"{N}/{number}/voice", json=body), 422, code, pointer=pointer)


@pytest.mark.rule("O-CONNECTION")
def test_an_unknown_connection_fails_the_number(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    number = inventory.numbers[0]["id"]
    created = api.post(UPDATE, json={"phone_numbers": [number], "connection_id": "1"})
    check_status(created, 202)
    job = target.wait_for(created.json()["data"]["id"])
    pointers = [e.get("source", {}).get("pointer") for op in job["failed_operations"]
                for e in op.get("errors", [])]  # fmt: skip
    check_equal("failed pointers", ["/connection_id"], pointers)


# -- the views' null-or-omitted rules, on whatever the target sends -------------------------------
@pytest.mark.rule("V-NULLS-DETAILED")
@pytest.mark.rule("V-MESSAGING-CAMPAIGN")
def test_detailed_numbers_send_every_field(api: httpx.Client) -> None:
    items = api.get(N, params={"page[size]": "20"}).json()["data"]
    keys = [set(i) for i in items]
    check_equal("field sets of the listed numbers", [keys[0]] * len(keys), keys)
    assert "messaging_campaign_id" in keys[0], (
        "expected messaging_campaign_id in PhoneNumberDetailed / received no such field"
    )


@pytest.mark.rule("V-NULLS-VOICE")
@pytest.mark.rule("V-NULLS-SLIM")
@pytest.mark.rule("V-NULLS-MESSAGING")
@pytest.mark.parametrize(
    ("path", "nullable"),
    [(f"{N}/voice", set()), (f"{N}/slim", {"activated_at"}),
     (f"{N}/messaging", {"messaging_profile_id"})],
)  # fmt: skip
def test_list_views_leave_empty_fields_out(
    api: httpx.Client, path: str, nullable: set[str]
) -> None:
    for item in api.get(path, params={"page[size]": "50"}).json()["data"]:
        nulls = {k for k, v in item.items() if v is None}
        assert nulls <= nullable, f"expected no null but {sorted(nullable)} / received {nulls}"


@pytest.mark.rule("V-NULLS-CSV")
def test_a_csv_download_sends_every_field(api: httpx.Client) -> None:
    created = api.post(f"{N}/csv_downloads")
    check_status(created, 200)
    record = created.json()["data"][0]
    check_equal("CsvDownload fields", {"id", "record_type", "status", "url"}, set(record))


@pytest.mark.rule("V-NULLS-DELETED")
def test_a_deleted_number_has_no_nulls(target: Target, api: httpx.Client) -> None:
    _not_live(target)
    spare = [n for n in target.inventory(page=3) if not n["deletion_lock_enabled"]]
    if not spare:
        lacking(target.name, "no spare number to delete")
    gone = api.delete(f"{N}/{spare[-1]['id']}")
    check_status(gone, 200)
    nulls = [k for k, v in gone.json()["data"].items() if v is None]
    check_equal("null fields of a deleted number", [], nulls)


@pytest.mark.rule("V-NULLS-VOICEMAIL")
def test_voicemail_has_no_nulls(target: Target, api: httpx.Client, inventory: Inventory) -> None:
    numbers = inventory.numbers[:10]
    for number in numbers:
        response = api.get(f"{N}/{number['id']}/voicemail")
        if response.status_code == 200:
            break
    else:  # none has settings yet: create a number's (but never on a live account)
        _not_live(target)
        response = api.post(f"{N}/{numbers[-1]['id']}/voicemail", json={"enabled": False})
        check_status(response, 200)
    nulls = [k for k, v in response.json()["data"].items() if v is None]
    check_equal("null fields of voicemail settings", [], nulls)


# -- with the test controls ---------------------------------------------------------------------
@pytest.mark.rule("F-FAULT-500")
@pytest.mark.rule("F-FAULT-503")
@pytest.mark.rule("C-CONTROLS")
@pytest.mark.parametrize("status", [500, 503])
def test_an_injected_fault_answers_once(target: Target, api: httpx.Client, status: int) -> None:
    needs_controls(target)
    fault = {"kind": "status", "status": status, "route": "^/phone_numbers/slim", "times": 1}
    _fault(target, api, fault)
    hooks = api.event_hooks  # the schema hook fails any 5xx: an injected one is the point here
    api.event_hooks = {"request": hooks.get("request", []), "response": []}
    try:
        faulted = api.get(f"{N}/slim")
    finally:
        api.event_hooks = hooks
    check_error(faulted, status, "10007")
    check_status(api.get(f"{N}/slim"), 200)


@pytest.mark.rule("L-FAILED")
@pytest.mark.rule("L-EXPIRED")
@pytest.mark.parametrize(("kind", "status"), [("fail_jobs", "failed"), ("expire_jobs", "expired")])
def test_fault_controls_end_the_next_job(
    target: Target, api: httpx.Client, inventory: Inventory, kind: str, status: str
) -> None:
    needs_controls(target)
    _fault(target, api, {"kind": kind, "times": 1})
    created = api.post(UPDATE, json={"phone_numbers": [inventory.numbers[0]["id"]],
                                     "customer_reference": "contract-fault"})  # fmt: skip
    check_status(created, 202)
    job = target.wait_for(created.json()["data"]["id"])
    check_equal("job status after the fault", status, job["status"])


@pytest.mark.rule("L-READ-NO-MOVE")
def test_reading_a_job_never_moves_it(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    needs_controls(target)
    created = api.post(UPDATE, json={"phone_numbers": [inventory.numbers[0]["id"]],
                                     "customer_reference": "contract-read"})  # fmt: skip
    check_status(created, 202)
    path = f"{JOBS}/{created.json()['data']['id']}"
    first, second = api.get(path).json()["data"], api.get(path).json()["data"]
    check_equal("a job read twice", first, second)


@pytest.mark.rule("S-PIN-REDACTED")
def test_the_journal_never_holds_a_pin(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    needs_controls(target)
    pin = str(uuid.uuid4().int)[:6]
    for number in inventory.numbers[:10]:
        if api.post(f"{N}/{number['id']}/voicemail", json={"pin": pin}).status_code == 200:
            break
    else:
        lacking(target.name, "every number tried has voicemail settings")
    journal = api.get(f"{target.control_root}/journal")
    check_status(journal, 200)
    assert pin not in journal.text, "expected the PIN redacted in the journal / received it"


# -- per-number rules on numbers outside the sandbox: the emulator targets only -------------------
def _find(api: httpx.Client, params: dict[str, str], test: Any = None) -> dict[str, Any] | None:
    for page in range(1, 11):
        listed = api.get(N, params={**params, "page[size]": "250", "page[number]": str(page)})
        check_status(listed, 200)
        for item in listed.json()["data"]:
            if test is None or test(item):
                found: dict[str, Any] = item
                return found
        if page >= listed.json()["meta"]["total_pages"]:
            return None
    return None


@pytest.mark.rule("O-STATUS")
@pytest.mark.rule("O-HD-VOICE-TOLL-FREE")
@pytest.mark.parametrize(
    ("params", "body", "pointer"),
    [({"filter[status]": "port-pending"}, {"tags": ["x"]}, "/phone_numbers"),
     ({"filter[status]": "active", "filter[number_type][eq]": "toll_free"},
      {"hd_voice_enabled": True}, "/hd_voice_enabled")],
)  # fmt: skip
def test_per_number_rules_of_a_patch(
    target: Target, api: httpx.Client, params: dict[str, str], body: Any, pointer: str
) -> None:
    _not_live(target)
    number = _find(api, params)
    if number is None:
        lacking(target.name, f"no number matches {params}")
    check_error(api.patch(f"{N}/{number['id']}", json=body), 422, "10015", pointer=pointer)


@pytest.mark.rule("O-DELETION-LOCK")
def test_a_locked_number_is_not_deleted(target: Target, api: httpx.Client) -> None:
    _not_live(target)
    number = _find(api, {"filter[status]": "active"}, lambda n: n["deletion_lock_enabled"])
    if number is None:
        lacking(target.name, "no active number has deletion lock")
    response = api.delete(f"{N}/{number['id']}")
    check_error(response, 422, "10015", pointer="/deletion_lock_enabled")


@pytest.mark.rule("O-EMERGENCY-ADDRESS")
def test_an_unknown_address_fails_the_number(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    if not target.changes_emergency:
        pytest.skip(f"{target.name}: emergency jobs only switch E911 off here")
    body = {"phone_numbers": [inventory.numbers[0]["id"]], "emergency_enabled": True,
            "emergency_address_id": "1"}  # fmt: skip
    created = api.post(f"{JOBS}/update_emergency_settings", json=body)
    check_status(created, 202)
    job = target.wait_for(created.json()["data"]["id"])
    pointers = [e.get("source", {}).get("pointer") for op in job["failed_operations"]
                for e in op.get("errors", [])]  # fmt: skip
    check_equal("failed pointers", ["/emergency_address_id"], pointers)


@pytest.mark.rule("R-FILTER-NULL")
def test_a_null_filter_matches_numbers_without(api: httpx.Client) -> None:
    listed = api.get(N, params={"filter[billing_group_id]": "null", "page[size]": "50"})
    check_status(listed, 200)
    values = {item["billing_group_id"] for item in listed.json()["data"]}
    check_equal("billing groups of filter[billing_group_id]=null", values & {None}, values)


@pytest.mark.rule("R-FILTER-NO-MATCH")
@pytest.mark.rule("R-FILTER-AND-LIST")
@pytest.mark.rule("R-DOC-EXAMPLE")
@pytest.mark.parametrize(
    ("params", "body"),
    [({"filter[tag]": f"none-{uuid.uuid4().hex[:8]}"}, {"tags": ["x"]}),
     ({"filter[status]": "deleted"}, {"phone_numbers": ["<first>"], "tags": ["x"]}),
     ({}, {"phone_numbers": ["1583466971586889004", "+13127367254"]})],
    ids=["no-match", "list-and-filter", "doc-example"],
)  # fmt: skip
def test_filter_jobs_without_targets(
    target: Target, api: httpx.Client, inventory: Inventory, params: dict[str, str], body: Any
) -> None:
    _not_live(target)
    if body.get("phone_numbers") == ["<first>"]:
        body = {**body, "phone_numbers": [inventory.numbers[0]["id"]]}
    pointer = "/phone_numbers"
    check_error(api.post(UPDATE, params=params, json=body), 422, "10015", pointer=pointer)


@pytest.mark.rule("R-FILTER-OVER-CAP")
def test_a_filter_over_the_cap_takes_the_first_1000(target: Target, api: httpx.Client) -> None:
    _not_live(target)
    total = api.get(N, params={"filter[status]": "active"}).json()["meta"]["total_results"]
    if total <= 1000:
        pytest.skip(f"{target.name}: {total} active numbers, not more than 1,000")
    created = api.post(UPDATE, params={"filter[status]": "active"},
                       json={"customer_reference": "contract-cap"})  # fmt: skip
    check_status(created, 202)
    check_equal("targets of a filter over the cap", 1000,
                len(created.json()["data"]["phone_numbers"]))  # fmt: skip


@pytest.mark.rule("R-JOB-CAP")
def test_the_21st_open_update_job_is_refused(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    if target.name != "inprocess":
        pytest.skip(f"{target.name}: 20 jobs are held open only on a manual clock")
    body = {"phone_numbers": [inventory.numbers[0]["id"]], "customer_reference": "contract-cap"}
    for _ in range(20):
        check_status(api.post(UPDATE, json=body), 202)
    check_error(api.post(UPDATE, json=body), 422, "10015", pointer="/base")


@pytest.mark.rule("R-CSV-MANAGED-ACCOUNTS")
def test_managed_accounts_need_access(api: httpx.Client) -> None:
    response = api.post(f"{N}/csv_downloads", params={"include_managed_accounts": "true"})
    check_error(response, 403, "10010", parameter="include_managed_accounts")
