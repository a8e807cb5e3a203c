"""Each known divergence listed in the README, pinned so a change of behaviour is deliberate."""

from __future__ import annotations

import httpx
import pytest

UPDATE = "/v2/phone_numbers/jobs/update_phone_numbers"
DOC_EXAMPLE = {"phone_numbers": ["1583466971586889004", "+13127367254"]}


@pytest.mark.divergence
@pytest.mark.rule("R-MIXED")
def test_mixed_forms_are_rejected_although_the_spec_example_mixes_them(api: httpx.Client) -> None:
    r = api.post(UPDATE, json={**DOC_EXAMPLE, "tags": ["x"]})
    assert r.status_code == 422
    error = r.json()["errors"][0]
    assert error["detail"].startswith("You must specify either all phone numbers in the e164")
    assert error["source"] == {"pointer": "/phone_numbers"}


@pytest.mark.divergence
@pytest.mark.rule("R-FILTER-EMPTY-LIST")
def test_filter_only_update_is_accepted_although_the_schema_requires_phone_numbers(
    api: httpx.Client,
) -> None:
    without = api.post(UPDATE, params={"filter[tag]": "sandbox"}, json={"tags": ["t"]})
    empty = api.post(
        UPDATE, params={"filter[tag]": "sandbox"}, json={"phone_numbers": [], "tags": ["t"]}
    )
    assert without.status_code == 202, without.text
    assert empty.status_code == 202, empty.text
    assert without.json()["data"]["phone_numbers"] == empty.json()["data"]["phone_numbers"]


@pytest.mark.divergence
@pytest.mark.rule("R-FILTER-UNKNOWN")
def test_unknown_filter_keys_are_rejected_not_ignored(api: httpx.Client) -> None:
    r = api.post(UPDATE, params={"filter[tags]": "sales"}, json={"tags": ["t"]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["source"] == {"parameter": "filter[tags]"}
    assert api.get("/v2/phone_numbers/jobs").json()["meta"]["total_results"] == 0


@pytest.mark.divergence
@pytest.mark.rule("Q-JOB-FILTERS")
def test_job_list_accepts_the_comma_status_form_the_sdk_sends(api: httpx.Client) -> None:
    created = api.post(UPDATE, json={"phone_numbers": ["+13127367254"], "tags": ["a"]})
    assert created.status_code == 202
    comma = api.get("/v2/phone_numbers/jobs", params={"filter[status]": "pending,in_progress"})
    repeated = api.get(
        "/v2/phone_numbers/jobs",
        params=[("filter[status][]", "pending"), ("filter[status][]", "x")],
    )
    assert comma.status_code == 200
    assert [j["id"] for j in comma.json()["data"]] == [created.json()["data"]["id"]]
    assert repeated.status_code == 422
    assert repeated.json()["errors"][0]["source"] == {"parameter": "filter[status]"}


@pytest.mark.divergence
@pytest.mark.rule("E-DELETE")
def test_deleted_numbers_disappear(api: httpx.Client) -> None:
    r = api.post(
        "/v2/phone_numbers/jobs/delete_phone_numbers", json={"phone_numbers": ["+13127367254"]}
    )
    assert r.status_code == 202
    assert api.post("/_mock/jobs/run").status_code == 200
    job = api.get(f"/v2/phone_numbers/jobs/{r.json()['data']['id']}").json()["data"]
    assert job["status"] == "completed"
    number_id = job["successful_operations"][0]["id"]
    assert api.get(f"/v2/phone_numbers/{number_id}").status_code == 404


@pytest.mark.divergence
@pytest.mark.rule("R-BAD-JSON")
def test_malformed_json_is_a_400_invalid_json(api: httpx.Client) -> None:
    r = api.post(UPDATE, content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "10023"
    assert r.json()["errors"][0]["title"] == "Invalid JSON"
