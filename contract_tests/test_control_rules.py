"""Manifest rules of the request pipeline and the test controls that came with the security work
(issue 17), run where the target allows: a content-coded body on every emulator target, the fault
routes, the fault cap and the anonymous journal where the target has the ``/_mock`` controls.
"""

from __future__ import annotations

import gzip
import json
import uuid

import httpx
import pytest

from contract_tests.checks import check_equal, check_error, check_status
from contract_tests.strategies import Inventory
from contract_tests.targets import Target, needs_controls

UPDATE = "/phone_numbers/jobs/update_phone_numbers"
FAULT_CAP = 20


def _anonymous(api: httpx.Client, method: str, url: str, body: object = None) -> httpx.Response:
    """A request of the suite's client without its Authorization header."""
    request = api.build_request(method, url, json=body)
    del request.headers["Authorization"]
    return api.send(request)


@pytest.mark.rule("R-CONTENT-ENCODING")
def test_a_gzip_body_is_415(target: Target, api: httpx.Client, inventory: Inventory) -> None:
    if target.name == "live":
        pytest.skip("live: the guard refuses a body it cannot read before sending it")
    body = gzip.compress(json.dumps({"phone_numbers": [inventory.numbers[0]["id"]]}).encode())
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    response = api.post(UPDATE, content=body, headers=headers)
    check_error(response, 415, "10015")
    check_equal("Accept-Encoding of the 415", "identity", response.headers.get("accept-encoding"))


@pytest.mark.rule("C-FAULT-ROUTE")
@pytest.mark.parametrize("route", ["^/(a+)+$", "/phone_numbers/(jobs|slim)", "**/**"])
def test_a_fault_route_that_is_not_a_path_is_refused(
    target: Target, api: httpx.Client, route: str
) -> None:
    needs_controls(target)
    response = api.post(f"{target.control_root}/faults", json={"kind": "drop", "route": route})
    check_error(response, 422, "10015", pointer="/route")


@pytest.mark.rule("C-FAULT-ROUTE")
def test_a_glob_fault_route_matches_one_segment(target: Target, api: httpx.Client) -> None:
    needs_controls(target)
    root = target.control_root
    spec = {"kind": "status", "status": 429, "route": "/phone_numbers/*/voice", "times": 1}
    check_status(api.post(f"{root}/faults", json=spec), 201)
    try:
        check_status(api.get("/phone_numbers/voice"), 200)  # a collection: not */voice
        faulted = api.get("/phone_numbers/1/voice")
        check_error(faulted, 429, "10011")
    finally:
        check_status(api.delete(f"{root}/faults"), 200)


@pytest.mark.rule("C-FAULT-LIMIT")
def test_a_tenant_holds_at_most_20_faults(target: Target, api: httpx.Client) -> None:
    needs_controls(target)
    root = target.control_root
    check_status(api.delete(f"{root}/faults"), 200)
    try:
        for n in range(FAULT_CAP):
            spec = {"kind": "drop", "route": f"/never/{n}", "times": 1}
            check_status(api.post(f"{root}/faults", json=spec), 201)
        extra = api.post(f"{root}/faults", json={"kind": "drop", "route": "/never/x"})
        check_error(extra, 422, "10015")
    finally:
        check_status(api.delete(f"{root}/faults"), 200)


@pytest.mark.rule("C-JOURNAL-ANONYMOUS")
def test_the_anonymous_journal_holds_no_pin(target: Target, api: httpx.Client) -> None:
    needs_controls(target)
    root = target.control_root
    pin = str(uuid.uuid4().int)[:8]
    refused = _anonymous(api, "POST", UPDATE, {"phone_numbers": ["1"], "external_pin": pin})
    check_error(refused, 401, "10009")
    journal = _anonymous(api, "GET", f"{root}/journal")
    check_status(journal, 200)
    assert pin not in journal.text, "expected no external_pin in the anonymous journal"
    refusals = [e for e in journal.json()["data"]
                if e["status"] == 401 and e["path"].endswith(UPDATE)]  # fmt: skip
    assert refusals, "expected the 401 in the anonymous journal / received no entry for it"


@pytest.mark.rule("C-STATE")
def test_the_state_document_round_trips(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    needs_controls(target)
    root = target.control_root
    number = inventory.numbers[0]["id"]
    exported = api.get(f"{root}/state")
    check_status(exported, 200)
    doc = exported.json()["data"]
    check_equal("the document's format", "telnyx-mock-state", doc.get("format"))
    before = [
        api.get(path).content
        for path in ("/phone_numbers/csv_downloads", f"/phone_numbers/{number}")
    ]
    check_status(api.put(f"{root}/state", json=doc), 200)
    after = [
        api.get(path).content
        for path in ("/phone_numbers/csv_downloads", f"/phone_numbers/{number}")
    ]
    check_equal("the tenant's answers after importing its own state", before, after)
    broken = {**doc, "version": -1}
    check_error(api.put(f"{root}/state", json=broken), 422, "10015", pointer="/version")
