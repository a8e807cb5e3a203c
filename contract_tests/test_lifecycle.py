"""The job lifecycle through HTTP: create, wait, statuses only forward, operations partition the
targets, and the effects are visible on the numbers afterwards."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from contract_tests.checks import (
    check_created,
    check_equal,
    check_forward,
    check_partition,
    check_status,
)
from contract_tests.guard import GuardRefused
from contract_tests.strategies import Inventory, Spare
from contract_tests.targets import Target

UPDATE = "/phone_numbers/jobs/update_phone_numbers"
EMERGENCY = "/phone_numbers/jobs/update_emergency_settings"
DELETE = "/phone_numbers/jobs/delete_phone_numbers"


def _run(
    target: Target,
    api: httpx.Client,
    path: str,
    body: dict[str, Any],
    job_type: str,
    params: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Create a job, follow it to its end, check every observation; the final job."""
    try:
        response = api.post(path, json=body, params=params or {})
    except GuardRefused as exc:
        pytest.skip(str(exc))
    check_status(response, 202)
    created = response.json()["data"]
    check_created(created, job_type)
    statuses = [created["status"]]

    def observe(job: dict[str, Any]) -> None:
        statuses.append(job["status"])
        check_partition(job)

    final = target.wait_for(created["id"], observe=observe)
    check_forward(created["id"], statuses)
    check_partition(final)
    if not final["successful_operations"]:
        raise AssertionError(
            f"job {created['id']}: expected at least one successful operation / received "
            f"status {final['status']} with {final['failed_operations']}"
        )
    return final


def _number(api: httpx.Client, ident: str) -> dict[str, Any]:
    response = api.get(f"/phone_numbers/{ident}")
    check_status(response, 200)
    data: dict[str, Any] = response.json()["data"]
    return data


def _marker() -> str:
    return "contract-" + uuid.uuid4().hex[:8]


@pytest.mark.rule("L-STATES")
@pytest.mark.rule("L-PARTITION")
@pytest.mark.rule("L-COMPLETED")
@pytest.mark.rule("E-UPDATE")
def test_an_update_job_runs_forward_and_changes_its_numbers(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    marker = _marker()
    numbers = inventory.numbers[:3]
    body = {
        "phone_numbers": [n["phone_number"] for n in numbers],
        "tags": [marker],
        "customer_reference": marker,
    }
    final = _run(target, api, UPDATE, body, "update_phone_numbers")
    check_equal(f"job {final['id']} status", "completed", final["status"])
    for op in final["successful_operations"]:
        number = _number(api, op["id"])
        check_equal(f"{op['phone_number']} tags", [marker], number["tags"])
        check_equal(f"{op['phone_number']} customer_reference", marker,
                    number["customer_reference"])  # fmt: skip


@pytest.mark.rule("E-UPDATE")
def test_a_voice_update_merges_into_the_numbers_settings(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    number = inventory.numbers[0]
    before = api.get(f"/phone_numbers/{number['id']}/voice")
    check_status(before, 200)
    recording = before.json()["data"]["call_recording"]
    flipped = not recording["inbound_call_recording_enabled"]
    body = {
        "phone_numbers": [number["id"]],
        "voice": {"call_recording": {"inbound_call_recording_enabled": flipped}},
    }
    _run(target, api, UPDATE, body, "update_phone_numbers")
    after = api.get(f"/phone_numbers/{number['id']}/voice")
    check_status(after, 200)
    expected = {**recording, "inbound_call_recording_enabled": flipped}
    check_equal(f"{number['phone_number']} call_recording (partial merge)", expected,
                after.json()["data"]["call_recording"])  # fmt: skip


@pytest.mark.rule("R-ADD-REMOVE-TAGS")
def test_add_and_remove_tags_change_only_the_tags_named(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    number = inventory.numbers[0]
    kept, gone = _marker(), _marker()
    start = {"phone_numbers": [number["id"]], "tags": [kept, gone]}
    _run(target, api, UPDATE, start, "update_phone_numbers")
    added = _marker()
    body = {"phone_numbers": [number["id"]], "add_tags": [added], "remove_tags": [gone]}
    _run(target, api, UPDATE, body, "update_phone_numbers")
    check_equal(f"{number['phone_number']} tags", [kept, added], _number(api, number["id"])["tags"])


@pytest.mark.rule("R-FILTER-KEYS")
@pytest.mark.rule("R-FILTER-EMPTY-LIST")
def test_a_filter_update_targets_exactly_the_matching_numbers(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    number = inventory.numbers[0]
    tag = inventory.tag or _marker()
    # tag the number first (earlier tests may have replaced its tags), then select it by filter
    _run(target, api, UPDATE, {"phone_numbers": [number["id"]], "tags": [tag]},
         "update_phone_numbers")  # fmt: skip
    query = {"filter[tag]": tag, "filter[phone_number]": number["phone_number"].lstrip("+")}
    marker = _marker()
    final = _run(target, api, UPDATE, {"phone_numbers": [], "customer_reference": marker},
                 "update_phone_numbers", query)  # fmt: skip
    touched = [op["id"] for op in final["successful_operations"] + final["failed_operations"]]
    check_equal(f"job {final['id']} targets", [number["id"]], touched)
    check_equal(f"{number['phone_number']} customer_reference", marker,
                _number(api, number["id"])["customer_reference"])  # fmt: skip


@pytest.mark.rule("L-STATES")
@pytest.mark.rule("L-PARTITION")
@pytest.mark.rule("E-EMERGENCY")
def test_an_emergency_job_disables_emergency_services(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    numbers = inventory.numbers[:2]
    if not target.changes_emergency:  # live: never switch E911 off a number that has it
        numbers = tuple(n for n in inventory.numbers if not n["emergency_enabled"])[:2]
        if not numbers:
            pytest.skip(f"{target.name}: no sandbox number without emergency services")
    body = {"phone_numbers": [n["id"] for n in numbers], "emergency_enabled": False}
    final = _run(target, api, EMERGENCY, body, "update_emergency_settings")
    for op in final["successful_operations"]:
        number = _number(api, op["id"])
        check_equal(f"{op['phone_number']} emergency", (False, None, "disabled"),
                    (number["emergency_enabled"], number["emergency_address_id"],
                     number["emergency_status"]))  # fmt: skip


@pytest.mark.rule("L-STATES")
@pytest.mark.rule("L-PARTITION")
@pytest.mark.rule("E-DELETE")
def test_a_delete_job_removes_its_numbers(
    target: Target, api: httpx.Client, deletable: Spare
) -> None:
    numbers = deletable.take(2)
    body = {"phone_numbers": [n["phone_number"] for n in numbers]}
    final = _run(target, api, DELETE, body, "delete_phone_numbers")
    for op in final["successful_operations"]:
        check_status(api.get(f"/phone_numbers/{op['id']}"), 404)
