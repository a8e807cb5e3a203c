"""The /phone_numbers family's known divergences listed in the README (items 9 to 13), pinned so
a change of behaviour is deliberate."""

from __future__ import annotations

import httpx
import pytest

from tests.family_support import ADDRESS, CSV, SLIM, N, first, run_jobs, without_voicemail


@pytest.mark.divergence
@pytest.mark.rule("R-CSV-FILE")
@pytest.mark.rule("V-CSV-COLUMNS")
def test_the_csv_file_is_served_by_the_emulator_to_the_same_key(
    api: httpx.Client, other_api: httpx.Client
) -> None:
    record = api.post(CSV).json()["data"][0]
    run_jobs(api)
    assert (
        record["url"]
        == f"https://api.telnyx.com/v2/phone_numbers/csv_downloads/{record['id']}/file"
    )
    assert api.get(record["url"]).status_code == 200
    assert other_api.get(record["url"]).status_code == 404  # another key: another tenant
    header = api.get(record["url"]).text.splitlines()[0].split(",")
    assert len(header) == 7


@pytest.mark.divergence
@pytest.mark.rule("R-ENABLE-EMERGENCY")
def test_enable_emergency_is_200_and_active_at_once(api: httpx.Client) -> None:
    record = first(emergency_enabled=False)
    r = api.post(
        f"{N}/{record['id']}/actions/enable_emergency",
        json={"emergency_enabled": True, "emergency_address_id": ADDRESS},
    )
    assert r.status_code == 200
    assert r.json()["data"]["emergency"]["emergency_status"] == "active"


@pytest.mark.divergence
@pytest.mark.rule("R-VOICEMAIL-CREATE-TWICE")
def test_a_second_voicemail_create_is_a_422(api: httpx.Client) -> None:
    path = f"{N}/{without_voicemail()['id']}/voicemail"
    assert api.get(path).status_code == 404
    assert api.post(path, json={}).status_code == 200
    assert api.post(path, json={}).status_code == 422


@pytest.mark.divergence
@pytest.mark.rule("R-FILTER-PHONE-DIGITS")
def test_a_phone_filter_without_digits_matches_nothing(api: httpx.Client) -> None:
    r = api.get(N, params={"filter[phone_number]": "abc"})
    assert r.status_code == 200
    assert r.json()["data"] == []
    assert api.get(N, params={"filter[phone_number]": "12"}).status_code == 422


@pytest.mark.divergence
@pytest.mark.rule("V-SLIM-LIST")
def test_the_slim_record_type(api: httpx.Client) -> None:
    items = api.get(SLIM).json()["data"]
    assert {i["record_type"] for i in items} == {"phone_number_slim"}
