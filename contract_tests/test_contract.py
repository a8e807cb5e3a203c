"""Properties of the batch-job endpoints: valid requests are accepted as the spec says, and every
targeted mutation is rejected with the status, code and pointer its fidelity rule gives."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests.checks import (
    check_created,
    check_envelope,
    check_error,
    check_job_echoes_targets,
    check_partition,
    check_status,
)
from contract_tests.guard import GuardRefused
from contract_tests.mutations import KEEP, MUTATIONS, Mutation
from contract_tests.report import RuleRecorder
from contract_tests.strategies import (
    Inventory,
    Spare,
    delete_body,
    emergency_bodies,
    target_shapes,
    update_bodies,
)
from contract_tests.targets import Target

UPDATE = "/phone_numbers/jobs/update_phone_numbers"
EMERGENCY = "/phone_numbers/jobs/update_emergency_settings"
DELETE = "/phone_numbers/jobs/delete_phone_numbers"


def _accepted(
    target: Target, api: httpx.Client, path: str, job_type: str, body: dict[str, Any], numbers: Any
) -> None:
    response = api.post(path, json=body)
    check_status(response, 202)
    job = response.json()["data"]
    check_created(job, job_type)
    check_job_echoes_targets(job, body["phone_numbers"], numbers)
    check_partition(job)
    final = target.wait_for(job["id"])  # also keeps the open-job cap free on real clocks
    check_partition(final)


@pytest.mark.rule("R-JOB-SHAPE")
@pytest.mark.rule("L-PARTITION")
@pytest.mark.rule("R-DEDUP")
@given(data=st.data())
def test_a_valid_update_is_accepted_and_echoes_its_targets(
    data: st.DataObject, target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    body = data.draw(update_bodies(inventory), label="body")
    _accepted(target, api, UPDATE, "update_phone_numbers", body, inventory.numbers)


@pytest.mark.rule("R-JOB-SHAPE")
@pytest.mark.rule("L-PARTITION")
@given(data=st.data())
def test_a_valid_emergency_update_is_accepted_and_echoes_its_targets(
    data: st.DataObject, target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    if not target.changes_emergency:  # live: only no-op disables on numbers without E911
        quiet = tuple(n for n in inventory.numbers if not n["emergency_enabled"])
        if not quiet:
            pytest.skip(f"{target.name}: no sandbox number without emergency services")
        inventory = Inventory(quiet, tag=inventory.tag, enable_emergency=False)
    body = data.draw(emergency_bodies(inventory), label="body")
    _accepted(target, api, EMERGENCY, "update_emergency_settings", body, inventory.numbers)


@pytest.mark.rule("R-JOB-SHAPE")
@pytest.mark.rule("L-PARTITION")
@given(data=st.data())
def test_a_valid_delete_is_accepted_and_echoes_its_targets(
    data: st.DataObject, target: Target, api: httpx.Client, deletable: Spare
) -> None:
    shape = data.draw(target_shapes(2, max_size=3), label="targets")
    numbers = deletable.take(2)  # each example deletes numbers no other example uses
    body = delete_body(shape, numbers)
    _accepted(target, api, DELETE, "delete_phone_numbers", body, numbers)


def _send(
    api: httpx.Client, mutation: Mutation, body: Any, query: dict[str, str]
) -> httpx.Response:
    if isinstance(body, bytes):
        request = api.build_request(
            "POST", mutation.path, params=query, content=body,
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
    else:
        request = api.build_request("POST", mutation.path, params=query, json=body)
    if mutation.authorization is None:
        del request.headers["Authorization"]
    elif mutation.authorization is not KEEP:
        request.headers["Authorization"] = mutation.authorization
    return api.send(request)


@pytest.mark.parametrize(
    "mutation", [pytest.param(m, id=m.id, marks=pytest.mark.rule(m.rule_id)) for m in MUTATIONS]
)
@given(data=st.data())
def test_a_mutation_is_rejected_as_its_rule_says(
    mutation: Mutation,
    data: st.DataObject,
    target: Target,
    api: httpx.Client,
    inventory: Inventory,
    record_rule: RuleRecorder,
) -> None:
    valid = data.draw(update_bodies(inventory), label="valid body")
    case = mutation.build(valid, inventory)
    try:
        response = _send(api, mutation, case.body, case.query)
    except GuardRefused as exc:
        pytest.skip(str(exc))
    if response.status_code == 202:  # accepted by mistake: finish the job so replays (shrinking)
        job_id = (response.json().get("data") or {}).get("id")  # meet the same state, not the
        if isinstance(job_id, str):  # open-job cap
            target.wait_for(job_id)
    try:
        check_status(response, mutation.expected_status)
        try:
            check_envelope(response)
        except AssertionError:
            record_rule("R-ERROR-ENVELOPE", "fail")
            raise
        record_rule("R-ERROR-ENVELOPE", "pass")
        check_error(
            response,
            mutation.expected_status,
            mutation.expected_code,
            pointer=case.pointer or mutation.expected_pointer,
            parameter=mutation.expected_parameter,
        )
    except AssertionError as exc:
        raise AssertionError(f"[{mutation.rule_id}] {mutation.description}: {exc}") from None


def _job_total(api: httpx.Client, number: str) -> int:
    params = {"page[size]": "1", "filter[phone_number]": number}
    response = api.get("/phone_numbers/jobs", params=params)
    check_status(response, 200)
    total: int = response.json()["meta"]["total_results"]
    return total


@pytest.mark.rule("R-ATOMIC")
def test_a_rejected_request_creates_no_job_and_changes_no_number(
    api: httpx.Client, inventory: Inventory
) -> None:
    number = inventory.numbers[0]
    before_jobs = _job_total(api, number["phone_number"])
    before = api.get(f"/phone_numbers/{number['id']}")
    check_status(before, 200)
    rejected = [
        {"phone_numbers": [number["phone_number"], "+15005550000"], "tags": ["contract-atomic"]},
        {"phone_numbers": [number["id"]], "tags": ["contract-atomic"],
         "billing_group_id": "00000000-0000-4000-8000-000000000000"},
        {"phone_numbers": [number["id"]], "tags": ["contract-atomic"], "hd_voice_enabled": "yes"},
    ]  # fmt: skip
    for body in rejected:
        response = api.post(UPDATE, json=body)
        if response.status_code < 400:
            raise AssertionError(
                f"expected {body} to be rejected / received {response.status_code}"
            )
    current = api.get(f"/phone_numbers/{number['id']}")
    check_status(current, 200)
    after = current.json()["data"]
    before_data = before.json()["data"]
    for key in ("tags", "billing_group_id", "hd_voice_enabled", "updated_at"):
        if before_data[key] != after[key]:
            raise AssertionError(
                f"{number['phone_number']} {key}: expected {before_data[key]!r} (unchanged) / "
                f"received {after[key]!r}"
            )
    after_jobs = _job_total(api, number["phone_number"])
    if after_jobs != before_jobs:
        raise AssertionError(f"expected {before_jobs} jobs (none created) / received {after_jobs}")
