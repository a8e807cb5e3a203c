"""Validation rules (R-*) of the three batch-job endpoints.

Every expected text below is written out literally (copied from the spec examples or from the
fidelity manifest), so a changed constant in ``mockserver/errors.py`` fails a test. Specific
numbers come from ``fixtures/world.json`` (read here, never hard-coded) apart from the documented
example records of ``fixtures/README.md``.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mockserver import errors
from mockserver.app import create_app
from mockserver.config import Settings
from tests.conftest import advance, make_client
from tests.helpers import assert_error, error_item

UPDATE = "/v2/phone_numbers/jobs/update_phone_numbers"
EMERGENCY = "/v2/phone_numbers/jobs/update_emergency_settings"
DELETE = "/v2/phone_numbers/jobs/delete_phone_numbers"
ENDPOINTS = [UPDATE, EMERGENCY, DELETE]
JOB_TYPE = {
    UPDATE: "update_phone_numbers",
    EMERGENCY: "update_emergency_settings",
    DELETE: "delete_phone_numbers",
}
ENDPOINT_IDS = ["update", "emergency", "delete"]
SHORT = dict(zip(ENDPOINTS, ENDPOINT_IDS, strict=True))

WORLD_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "world.json"

# documented example records (fixtures/README.md)
ID_A = "1583466971586889004"
E164_B = "+13127367254"
ID_C = "2637816387126861839"
CONNECTION = "1521916448077776306"
BILLING_GROUP = "62e4bf2e-c278-4282-b524-488d9c9c43b2"
EMERGENCY_ADDRESS = "9102160989215728032"
UNKNOWN_BILLING_GROUP = "00000000-0000-4000-8000-000000000000"

BAD = "Bad Request"
D_PRESENT = "must be present"
D_MIN_NUMBERS = "You must provide at least 1 phone number."
D_MIXED = "You must specify either all phone numbers in the e164 format or all as phone number ids"
D_OWNERSHIP = "You must own every number in the bulk request"
D_UPDATEABLE = "You must provide at least 1 updateable field."
D_BILLING = "The specified billing group either does not exist or is not part of your account"
D_NOT_E164_ITEM = (
    "must be a phone number ID or a phone number in +E.164 format (e.g. '+13127367254')"
)
T_NOT_E164 = "Phone number must be in +E.164 format"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


# -- world data -----------------------------------------------------------------------------------
@functools.cache
def world() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    return data


def records() -> list[dict[str, Any]]:
    numbers: list[dict[str, Any]] = world()["numbers"]
    return numbers


@functools.cache
def by_id() -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in records()}


@functools.cache
def by_e164() -> dict[str, dict[str, Any]]:
    return {n["phone_number"]: n for n in records()}


@functools.cache
def sorted_ids() -> tuple[str, ...]:
    return tuple(sorted(by_id(), key=lambda i: (len(i), i)))


def e164_of(ident: str) -> str:
    value: str = by_id()[ident]["phone_number"]
    return value


def id_of(e164: str) -> str:
    value: str = by_e164()[e164]["id"]
    return value


@functools.cache
def unowned_ids(count: int = 3) -> tuple[str, ...]:
    found = [str(n) for n in range(1, 10_000) if str(n) not in by_id()]
    return tuple(found[:count])


@functools.cache
def unowned_e164s(count: int = 3) -> tuple[str, ...]:
    found = [f"+1555555{n:04d}" for n in range(10_000) if f"+1555555{n:04d}" not in by_e164()]
    return tuple(found[:count])


# -- request / response helpers -------------------------------------------------------------------
def body_for(path: str, targets: list[str], **extra: Any) -> dict[str, Any]:
    """A body the endpoint accepts for ``targets`` (plus ``extra`` fields)."""
    body: dict[str, Any] = {"phone_numbers": targets}
    if path == UPDATE:
        body["tags"] = ["batch-rules"]
    elif path == EMERGENCY:
        body["emergency_enabled"] = False
    body.update(extra)
    return body


def assert_422(
    r: httpx.Response, detail: str, pointer: str | None = None, parameter: str | None = None
) -> None:
    assert_error(r, 422, "10015", BAD, detail, pointer=pointer, parameter=parameter)


def accepted(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 202, r.text
    job: dict[str, Any] = r.json()["data"]
    return job


def job_total(client: httpx.Client) -> int:
    r = client.get("/v2/phone_numbers/jobs", params={"page[size]": "1"})
    assert r.status_code == 200, r.text
    total: int = r.json()["meta"]["total_results"]
    return total


def number_state(client: httpx.Client, ident: str) -> tuple[dict[str, Any], dict[str, Any]]:
    r = client.get(f"/v2/phone_numbers/{ident}")
    assert r.status_code == 200, r.text
    v = client.get(f"/v2/phone_numbers/{ident}/voice")
    assert v.status_code == 200, v.text
    return r.json()["data"], v.json()["data"]


def run_jobs(client: httpx.Client) -> None:
    r = client.post("/_mock/jobs/run")
    assert r.status_code == 200, r.text


def fresh_client(**settings: Any) -> httpx.Client:
    return make_client(create_app(Settings(manual_clock=True, **settings)))


def nested(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out: Any = value
    for key in reversed(path):
        out = {key: out}
    result: dict[str, Any] = out
    return result


def settings_with(**changes: Any) -> Settings:
    return Settings(manual_clock=True, **changes)


# ================================================================================================
# R-AUTH, R-AUTH-ALLOWLIST, R-TENANTS, R-V2-PREFIX, R-ERROR-ENVELOPE
# ================================================================================================
@pytest.mark.rule("R-AUTH")
@pytest.mark.parametrize("path", ENDPOINTS, ids=ENDPOINT_IDS)
@pytest.mark.parametrize(
    "authorization",
    [None, "", "Basic dGVzdC1rZXk6", "Bearer", "Bearer ", "Token test-key", "test-key"],
    ids=["missing", "blank", "basic", "bearer-no-key", "bearer-space", "token", "bare-key"],
)
def test_auth_required(app: Starlette, path: str, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    with make_client(app, api_key=None) as anonymous:
        r = anonymous.post(path, json=body_for(path, [ID_A]), headers=headers)
    assert_error(
        r, 401, "10009", "Authentication failed", "Could not understand the provided credentials."
    )


@pytest.mark.rule("R-AUTH")
def test_auth_rejection_creates_nothing_and_scheme_is_case_insensitive(
    app: Starlette, api: httpx.Client
) -> None:
    with make_client(app, api_key=None) as anonymous:
        r = anonymous.post(UPDATE, json=body_for(UPDATE, [ID_A]))
        assert r.status_code == 401
        ok = anonymous.post(
            UPDATE, json=body_for(UPDATE, [ID_A]), headers={"Authorization": "bearer test-key"}
        )
    assert ok.status_code == 202, ok.text
    assert job_total(api) == 1


ALLOWLIST = Settings(manual_clock=True, api_keys=frozenset({"test-key"}))


@pytest.mark.rule("R-AUTH-ALLOWLIST")
@pytest.mark.parametrize("settings_", [ALLOWLIST], ids=["allowlist"])
@pytest.mark.parametrize("path", ENDPOINTS, ids=ENDPOINT_IDS)
def test_allowlist_rejects_unlisted_keys(app: Starlette, api: httpx.Client, path: str) -> None:
    for key in ("other-key", "test-key2", "TEST-KEY"):
        with make_client(app, key) as stranger:
            r = stranger.post(path, json=body_for(path, [ID_A]))
        assert_error(
            r,
            401,
            "10009",
            "Authentication failed",
            "Could not understand the provided credentials.",
        )
    accepted(api.post(path, json=body_for(path, [ID_A])))


@pytest.mark.rule("R-AUTH-ALLOWLIST")
def test_without_allowlist_any_bearer_key_is_a_tenant(other_api: httpx.Client) -> None:
    accepted(other_api.post(UPDATE, json=body_for(UPDATE, [ID_A])))


@pytest.mark.rule("R-TENANTS")
def test_jobs_are_invisible_to_other_tenants(api: httpx.Client, other_api: httpx.Client) -> None:
    job = accepted(api.post(UPDATE, json=body_for(UPDATE, [ID_A])))
    r = other_api.get(f"/v2/phone_numbers/jobs/{job['id']}")
    assert_error(
        r,
        404,
        "10005",
        "Resource not found",
        "The requested resource or URL could not be found.",
        pointer="/base",
    )
    assert job_total(other_api) == 0
    assert api.get(f"/v2/phone_numbers/jobs/{job['id']}").status_code == 200


@pytest.mark.rule("R-TENANTS")
def test_changes_of_one_tenant_are_not_visible_to_another(
    api: httpx.Client, other_api: httpx.Client
) -> None:
    before = number_state(other_api, ID_A)
    r = api.patch(f"/v2/phone_numbers/{ID_A}", json={"customer_reference": "tenant-a-only"})
    assert r.status_code == 200, r.text
    accepted(api.post(UPDATE, json={"phone_numbers": [ID_A], "tags": ["tenant-a-tag"]}))
    accepted(api.post(DELETE, json={"phone_numbers": [ID_C]}))
    run_jobs(api)
    mine, _ = number_state(api, ID_A)
    assert mine["customer_reference"] == "tenant-a-only"
    assert mine["tags"] == ["tenant-a-tag"]
    assert api.get(f"/v2/phone_numbers/{ID_C}").status_code == 404
    # the other tenant still has the seeded numbers, unchanged
    assert number_state(other_api, ID_A) == before
    assert other_api.get(f"/v2/phone_numbers/{ID_C}").status_code == 200
    accepted(other_api.post(DELETE, json={"phone_numbers": [ID_C]}))


@pytest.mark.rule("R-TENANTS")
def test_tenants_have_their_own_ids_and_clock(api: httpx.Client, other_api: httpx.Client) -> None:
    for _ in range(3):
        accepted(api.post(UPDATE, json=body_for(UPDATE, [ID_A])))
    advance(api, 30)
    b_job = accepted(other_api.post(UPDATE, json=body_for(UPDATE, [ID_A])))
    with make_client(create_app(Settings(manual_clock=True)), "other-key") as fresh_b:
        reference = accepted(fresh_b.post(UPDATE, json=body_for(UPDATE, [ID_A])))
    assert b_job["id"] == reference["id"]
    assert b_job["created_at"] == reference["created_at"]
    a_now = api.get("/_mock/clock").json()["data"]["now_ms"]
    b_now = other_api.get("/_mock/clock").json()["data"]["now_ms"]
    assert a_now - b_now == 30_000


@pytest.mark.rule("R-V2-PREFIX")
@pytest.mark.parametrize("path", ENDPOINTS, ids=ENDPOINT_IDS)
def test_job_endpoints_answer_with_and_without_v2(api: httpx.Client, path: str) -> None:
    bare = path.removeprefix("/v2")
    assert bare.startswith("/phone_numbers/jobs/")
    first = accepted(api.post(path, json=body_for(path, [ID_A])))
    second = accepted(api.post(bare, json=body_for(path, [ID_A])))
    assert first["type"] == second["type"] == JOB_TYPE[path]
    for prefix in ("/v2", ""):
        for job in (first, second):
            r = api.get(f"{prefix}/phone_numbers/jobs/{job['id']}")
            assert r.status_code == 200, r.text
            assert r.json()["data"]["id"] == job["id"]
        listed = api.get(f"{prefix}/phone_numbers/jobs")
        assert listed.status_code == 200
        assert listed.json()["meta"]["total_results"] == 2
    assert_422(api.post(bare, json=body_for(path, [])), D_MIN_NUMBERS, "/phone_numbers")
    r = api.post(bare, json=body_for(path, [ID_A]), headers={"Authorization": ""})
    assert r.status_code == 401, r.text


@pytest.mark.rule("R-ERROR-ENVELOPE")
def test_every_error_is_a_telnyx_envelope(app: Starlette, api: httpx.Client) -> None:
    with make_client(app, api_key=None) as anonymous:
        responses = [anonymous.post(UPDATE, json=body_for(UPDATE, [ID_A]))]
    for _ in range(20):
        accepted(api.post(DELETE, json={"phone_numbers": [ID_A]}))
    responses += [
        api.post(UPDATE, content=b"{nope", headers={"Content-Type": "application/json"}),
        api.post(UPDATE, content=b"{}", headers={"Content-Type": "text/plain"}),
        api.post(UPDATE, json=[]),
        api.post(UPDATE, json={"phone_numbers": 1, "tags": 2, "voice": 3}),
        api.post(UPDATE, json={"phone_numbers": ["nope"], "tags": ["x"]}),
        api.post(UPDATE, json=body_for(UPDATE, [ID_A], billing_group_id=UNKNOWN_BILLING_GROUP)),
        api.post(UPDATE, params={"filter[tags]": "x"}, json={"tags": ["x"]}),
        api.post(EMERGENCY, json={}),
        api.post(DELETE, json={"phone_numbers": [ID_A]}),
        api.get("/v2/phone_numbers/jobs/not-a-job"),
        api.get("/v2/nothing-here"),
        api.delete(UPDATE),
    ]
    statuses = set()
    for r in responses:
        statuses.add(r.status_code)
        assert 400 <= r.status_code < 500, r.text
        assert r.headers["content-type"].startswith("application/json")
        payload = r.json()
        assert list(payload) == ["errors"]
        assert isinstance(payload["errors"], list)
        assert payload["errors"]
        for item in payload["errors"]:
            assert {"code", "title", "detail", "meta"} <= set(item) <= {
                "code", "title", "detail", "source", "meta",
            }  # fmt: skip
            assert isinstance(item["code"], str)
            assert re.fullmatch(r"[0-9]{5}", item["code"])
            assert isinstance(item["title"], str)
            assert item["title"]
            assert isinstance(item["detail"], str)
            assert item["detail"]
            assert item["meta"] == {
                "url": f"https://developers.telnyx.com/docs/overview/errors/{item['code']}"
            }
            if "source" in item:
                assert item["source"]
                assert set(item["source"]) <= {"pointer", "parameter"}
                assert all(isinstance(v, str) for v in item["source"].values())
    assert statuses == {400, 401, 403, 404, 405, 415, 422}


# ================================================================================================
# R-PRESENT, R-EMPTY, R-REQUIRED
# ================================================================================================
@pytest.mark.rule("R-PRESENT")
@pytest.mark.parametrize("path", ENDPOINTS, ids=ENDPOINT_IDS)
def test_phone_numbers_must_be_present(api: httpx.Client, path: str) -> None:
    body = body_for(path, [])
    del body["phone_numbers"]
    assert_422(api.post(path, json=body), D_PRESENT, "/phone_numbers")
    assert job_total(api) == 0


@pytest.mark.rule("R-EMPTY")
@pytest.mark.parametrize("path", ENDPOINTS, ids=ENDPOINT_IDS)
def test_phone_numbers_must_not_be_empty(api: httpx.Client, path: str) -> None:
    assert_422(api.post(path, json=body_for(path, [])), D_MIN_NUMBERS, "/phone_numbers")
    assert job_total(api) == 0


@pytest.mark.rule("R-REQUIRED")
@pytest.mark.parametrize(
    ("path", "body", "pointers"),
    [
        (EMERGENCY, {"phone_numbers": [ID_A]}, ["/emergency_enabled"]),
        (EMERGENCY, {"emergency_enabled": True, "emergency_address_id": EMERGENCY_ADDRESS},
         ["/phone_numbers"]),
        (EMERGENCY, {}, ["/emergency_enabled", "/phone_numbers"]),
        (EMERGENCY, {"emergency_address_id": None}, ["/emergency_enabled", "/phone_numbers"]),
        (DELETE, {}, ["/phone_numbers"]),
        (DELETE, {"tags": ["x"], "phone_number": [ID_A]}, ["/phone_numbers"]),
    ],
    ids=["emergency-enabled", "emergency-numbers", "emergency-both", "emergency-both-2",
         "delete-empty", "delete-typo"],
)  # fmt: skip
def test_required_fields(api: httpx.Client, path: str, body: Any, pointers: list[str]) -> None:
    r = api.post(path, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [error_item("10015", BAD, D_PRESENT, p) for p in pointers]
    assert job_total(api) == 0


@pytest.mark.rule("R-REQUIRED")
def test_null_required_field_is_a_type_error_not_missing(api: httpx.Client) -> None:
    r = api.post(EMERGENCY, json={"phone_numbers": [ID_A], "emergency_enabled": None})
    assert_422(r, "must be a boolean", "/emergency_enabled")


# ================================================================================================
# R-CAP, R-ITEM-FORMAT, R-MIXED, R-OWNERSHIP, R-DEDUP
# ================================================================================================
@pytest.mark.rule("R-CAP")
@pytest.mark.parametrize("path", ENDPOINTS, ids=ENDPOINT_IDS)
def test_exactly_1000_numbers_are_accepted(api: httpx.Client, path: str) -> None:
    ids = list(sorted_ids()[:1000])
    job = accepted(api.post(path, json=body_for(path, ids)))
    assert job["phone_numbers"] == [{"id": i} for i in ids]
    assert len(job["pending_operations"]) == 1000


@pytest.mark.rule("R-CAP")
@pytest.mark.parametrize("path", ENDPOINTS, ids=ENDPOINT_IDS)
@pytest.mark.parametrize("form", ["ids", "e164", "one-id-repeated", "one-e164-repeated"])
def test_1001_numbers_are_rejected(api: httpx.Client, path: str, form: str) -> None:
    ids = list(sorted_ids()[:1001])
    items = {
        "ids": ids,
        "e164": [e164_of(i) for i in ids],
        "one-id-repeated": [ID_A] * 1001,
        "one-e164-repeated": [E164_B] * 1001,
    }[form]
    assert len(items) == 1001
    assert_422(
        api.post(path, json=body_for(path, items)),
        "1000 numbers is the maximum allowed.",
        "/phone_numbers",
    )
    assert job_total(api) == 0


@pytest.mark.rule("R-CAP")
@pytest.mark.rule("R-DEDUP")
def test_1000_copies_of_one_number_are_accepted_as_one_target(api: httpx.Client) -> None:
    job = accepted(api.post(UPDATE, json=body_for(UPDATE, [ID_A] * 1000)))
    assert job["phone_numbers"] == [{"id": ID_A}]
    assert job["pending_operations"] == [{"id": ID_A, "phone_number": e164_of(ID_A)}]


@pytest.mark.rule("R-CAP")
@pytest.mark.parametrize("settings_", [settings_with(max_numbers=5)], ids=["max5"])
@pytest.mark.parametrize("path", ENDPOINTS, ids=ENDPOINT_IDS)
def test_cap_follows_the_max_numbers_setting(api: httpx.Client, path: str) -> None:
    ids = list(sorted_ids()[:6])
    accepted(api.post(path, json=body_for(path, ids[:5])))
    for items in (ids, [ID_A] * 6):
        assert_422(
            api.post(path, json=body_for(path, items)),
            "5 numbers is the maximum allowed.",
            "/phone_numbers",
        )
    assert job_total(api) == 1


BAD_ITEMS = {
    "empty": "",
    "letters": "abc",
    "plus-only": "+",
    "plus-one-digit": "+1",
    "leading-zero-e164": "+0123456789",
    "id-20-digits": "12345678901234567890",
    "e164-16-digits": "+1234567890123456",
    "spaces": "+1 312 736 7254",
    "dashes": "312-736-7254",
    "trailing-space": ID_A + " ",
    "leading-space": " " + ID_A,
    "negative": "-1",
    "decimal": "1.5",
    "hex": "0x1f",
    "double-plus": "++13127367254",
    "arabic-digits": "\u0661\u0662\u0663",
    "fullwidth-digits": "\uff11\uff12\uff13",
    "id-trailing-newline": ID_A + "\n",
    "e164-trailing-newline": E164_B + "\n",
}


@pytest.mark.rule("R-ITEM-FORMAT")
@pytest.mark.parametrize("bad", list(BAD_ITEMS.values()), ids=list(BAD_ITEMS))
def test_malformed_item_is_10016_at_its_index(api: httpx.Client, bad: str) -> None:
    r = api.post(UPDATE, json=body_for(UPDATE, [E164_B, bad, "also bad"]))
    assert_error(r, 422, "10016", T_NOT_E164, D_NOT_E164_ITEM, pointer="/phone_numbers/1")
    assert job_total(api) == 0


@pytest.mark.rule("R-ITEM-FORMAT")
@pytest.mark.parametrize("path", ENDPOINTS, ids=ENDPOINT_IDS)
@pytest.mark.parametrize("index", [0, 3, 999])
def test_first_malformed_index_is_reported(api: httpx.Client, path: str, index: int) -> None:
    items = list(sorted_ids()[:1000])
    items[index] = "x"
    if index + 1 < len(items):
        items[index + 1] = "y"
    r = api.post(path, json=body_for(path, items))
    assert_error(r, 422, "10016", T_NOT_E164, D_NOT_E164_ITEM, pointer=f"/phone_numbers/{index}")


@pytest.mark.rule("R-ITEM-FORMAT")
@pytest.mark.parametrize(
    "item", ["0", "1" * 19, "+12", "+" + "9" * 15], ids=["id-0", "id-19", "e164-2", "e164-15"]
)
def test_well_formed_items_pass_the_format_check(api: httpx.Client, item: str) -> None:
    # well-formed but not on the account: the next check (ownership) answers
    assert item not in by_id()
    assert item not in by_e164()
    assert_422(api.post(UPDATE, json=body_for(UPDATE, [item])), D_OWNERSHIP, "/phone_numbers")


@pytest.mark.rule("R-MIXED")
@pytest.mark.parametrize("path", ENDPOINTS, ids=ENDPOINT_IDS)
def test_mixed_forms_are_rejected_by_default(api: httpx.Client, path: str) -> None:
    for items in ([ID_A, E164_B], [E164_B, ID_A], [ID_A, ID_C, e164_of(ID_C)]):
        assert_422(api.post(path, json=body_for(path, items)), D_MIXED, "/phone_numbers")
    assert job_total(api) == 0


@pytest.mark.rule("R-MIXED")
@pytest.mark.parametrize("settings_", [settings_with(allow_mixed_forms=True)], ids=["allow-mixed"])
@pytest.mark.parametrize("path", ENDPOINTS, ids=ENDPOINT_IDS)
def test_mixed_forms_are_accepted_with_allow_mixed(api: httpx.Client, path: str) -> None:
    job = accepted(api.post(path, json=body_for(path, [ID_A, E164_B])))
    assert job["phone_numbers"] == [{"id": ID_A}, {"phone_number": E164_B}]
    assert job["pending_operations"] == [
        {"id": ID_A, "phone_number": e164_of(ID_A)},
        {"id": id_of(E164_B), "phone_number": E164_B},
    ]


@pytest.mark.rule("R-OWNERSHIP")
@pytest.mark.parametrize("path", ENDPOINTS, ids=ENDPOINT_IDS)
@pytest.mark.parametrize("case", ["id", "owned-then-id", "e164", "owned-then-e164"])
def test_every_number_must_be_owned(api: httpx.Client, path: str, case: str) -> None:
    stranger_id, stranger_e164 = unowned_ids()[0], unowned_e164s()[0]
    items = {
        "id": [stranger_id],
        "owned-then-id": [ID_A, ID_C, stranger_id],
        "e164": [stranger_e164],
        "owned-then-e164": [E164_B, stranger_e164],
    }[case]
    assert_422(api.post(path, json=body_for(path, items)), D_OWNERSHIP, "/phone_numbers")
    assert job_total(api) == 0


@pytest.mark.rule("R-OWNERSHIP")
@pytest.mark.parametrize("path", ENDPOINTS, ids=ENDPOINT_IDS)
def test_a_number_deleted_by_this_tenant_is_no_longer_owned(
    api: httpx.Client, other_api: httpx.Client, path: str
) -> None:
    r = api.delete(f"/v2/phone_numbers/{ID_C}")
    assert r.status_code == 200, r.text
    for item in (ID_C, e164_of(ID_C)):
        assert_422(api.post(path, json=body_for(path, [item])), D_OWNERSHIP, "/phone_numbers")
    accepted(other_api.post(path, json=body_for(path, [ID_C])))


@pytest.mark.rule("R-DEDUP")
@pytest.mark.parametrize("path", ENDPOINTS, ids=ENDPOINT_IDS)
def test_repeated_items_collapse_in_first_seen_order(api: httpx.Client, path: str) -> None:
    a, b, c = sorted_ids()[10], sorted_ids()[5], sorted_ids()[20]
    job = accepted(api.post(path, json=body_for(path, [a, b, a, c, b, c])))
    assert job["phone_numbers"] == [{"id": a}, {"id": b}, {"id": c}]
    assert [op["id"] for op in job["pending_operations"]] == [a, b, c]
    assert job["parameters"]["phone_numbers"] == [a, b, c]

    pa, pb = e164_of(a), e164_of(b)
    job = accepted(api.post(path, json=body_for(path, [pb, pa, pb, pb])))
    assert job["phone_numbers"] == [{"phone_number": pb}, {"phone_number": pa}]
    assert job["pending_operations"] == [
        {"id": b, "phone_number": pb},
        {"id": a, "phone_number": pa},
    ]
    assert job["parameters"]["phone_numbers"] == [pb, pa]


@pytest.mark.rule("R-DEDUP")
@pytest.mark.parametrize("settings_", [settings_with(allow_mixed_forms=True)], ids=["allow-mixed"])
def test_one_number_given_as_id_and_as_e164_is_one_target(api: httpx.Client) -> None:
    """The job lists 'the unique phone numbers given': the same number in two forms is one."""
    job = accepted(api.post(UPDATE, json=body_for(UPDATE, [ID_A, e164_of(ID_A)])))
    assert job["phone_numbers"] == [{"id": ID_A}]
    assert job["pending_operations"] == [{"id": ID_A, "phone_number": e164_of(ID_A)}]


# ================================================================================================
# R-UPDATEABLE, R-ADD-REMOVE-TAGS
# ================================================================================================
@pytest.mark.rule("R-UPDATEABLE")
@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"voice": {}},
        {"voice": {"call_forwarding": {}}},
        {"voice": {"call_forwarding": {}, "cnam_listing": {}, "media_features": {}}},
        {"unknown_field": "x", "phone_number": [ID_A], "Tags": ["x"]},
        {"emergency_enabled": True, "emergency_address_id": EMERGENCY_ADDRESS},
    ],
    ids=["nothing", "empty-voice", "voice-empty-forwarding", "voice-all-empty",
         "unknown-fields", "emergency-fields"],
)  # fmt: skip
def test_an_updateable_field_is_required(api: httpx.Client, extra: dict[str, Any]) -> None:
    r = api.post(UPDATE, json={"phone_numbers": [ID_A], **extra})
    assert_422(r, D_UPDATEABLE, "/updateable_fields")
    assert job_total(api) == 0


SINGLE_FIELDS = {
    "tags": ["one"],
    "tags-empty": [],
    "add_tags": ["one"],
    "remove_tags": ["sales"],
    "external_pin": "4321",
    "customer_reference": "ref-1",
    "connection_id": CONNECTION,
    "billing_group_id": BILLING_GROUP,
    "hd_voice_enabled": False,
    "deletion_lock_enabled": True,
    "voice": {"caller_id_name_enabled": False},
    "voice-nested": {"call_forwarding": {"forwards_to": ""}},
    "voice-enum": {"usage_payment_method": "channel"},
}


@pytest.mark.rule("R-UPDATEABLE")
@pytest.mark.parametrize(("name", "value"), list(SINGLE_FIELDS.items()), ids=list(SINGLE_FIELDS))
def test_each_updateable_field_alone_is_enough(api: httpx.Client, name: str, value: Any) -> None:
    field = name.split("-")[0]
    job = accepted(api.post(UPDATE, json={"phone_numbers": [ID_A], field: value}))
    assert job["parameters"] == {"phone_numbers": [ID_A], field: value}


@pytest.mark.rule("R-ADD-REMOVE-TAGS")
def test_add_and_remove_tags(api: httpx.Client) -> None:
    record = next(by_id()[i] for i in sorted_ids() if len(by_id()[i]["tags"]) >= 2)
    ident, start = record["id"], list(record["tags"])
    add, remove = ["rules-added", start[0]], [start[1], "never-there"]
    job = accepted(
        api.post(UPDATE, json={"phone_numbers": [ident], "add_tags": add, "remove_tags": remove})
    )
    assert job["parameters"] == {"phone_numbers": [ident], "add_tags": add, "remove_tags": remove}
    run_jobs(api)
    done = api.get(f"/v2/phone_numbers/jobs/{job['id']}").json()["data"]
    assert done["status"] == "completed", done
    expected = [t for t in dict.fromkeys([*start, *add]) if t not in remove]
    assert api.get(f"/v2/phone_numbers/{ident}").json()["data"]["tags"] == expected
    assert expected.count(start[0]) == 1
    assert "rules-added" in expected
    assert start[1] not in expected


@pytest.mark.rule("R-ADD-REMOVE-TAGS")
def test_add_tags_alone_keeps_existing_tags(api: httpx.Client) -> None:
    start = list(by_id()[ID_A]["tags"])
    assert start
    accepted(api.post(UPDATE, json={"phone_numbers": [ID_A], "add_tags": ["extra", "extra"]}))
    run_jobs(api)
    tags = api.get(f"/v2/phone_numbers/{ID_A}").json()["data"]["tags"]
    assert tags == list(dict.fromkeys([*start, "extra"]))


# ================================================================================================
# R-TYPES, R-ENUMS
# ================================================================================================
TYPE_CASES = [
    (UPDATE, {"phone_numbers": "x"}, "/phone_numbers", "must be an array"),
    (UPDATE, {"phone_numbers": {"0": ID_A}}, "/phone_numbers", "must be an array"),
    (UPDATE, {"phone_numbers": [ID_A, 7]}, "/phone_numbers/1", "must be a string"),
    (UPDATE, {"tags": "sales"}, "/tags", "must be an array"),
    (UPDATE, {"tags": ["ok", None]}, "/tags/1", "must be a string"),
    (UPDATE, {"add_tags": {}}, "/add_tags", "must be an array"),
    (UPDATE, {"remove_tags": [1]}, "/remove_tags/0", "must be a string"),
    (UPDATE, {"external_pin": 1234}, "/external_pin", "must be a string"),
    (UPDATE, {"customer_reference": None}, "/customer_reference", "must be a string"),
    (UPDATE, {"connection_id": 1521916448077776306}, "/connection_id", "must be a string"),
    (UPDATE, {"billing_group_id": True}, "/billing_group_id", "must be a string"),
    (UPDATE, {"hd_voice_enabled": "true"}, "/hd_voice_enabled", "must be a boolean"),
    (UPDATE, {"deletion_lock_enabled": 1}, "/deletion_lock_enabled", "must be a boolean"),
    (UPDATE, {"voice": []}, "/voice", "must be an object"),
    (UPDATE, {"voice": "x"}, "/voice", "must be an object"),
    (UPDATE, {"voice": {"call_forwarding": True}}, "/voice/call_forwarding", "must be an object"),
    (UPDATE, {"voice": {"call_forwarding": {"call_forwarding_enabled": "yes"}}},
     "/voice/call_forwarding/call_forwarding_enabled", "must be a boolean"),
    (UPDATE, {"voice": {"call_forwarding": {"forwards_to": 13035559123}}},
     "/voice/call_forwarding/forwards_to", "must be a string"),
    (UPDATE, {"voice": {"call_recording": [1]}}, "/voice/call_recording", "must be an object"),
    (UPDATE, {"voice": {"call_recording": {"inbound_call_recording_enabled": "1"}}},
     "/voice/call_recording/inbound_call_recording_enabled", "must be a boolean"),
    (UPDATE, {"voice": {"cnam_listing": {"cnam_listing_enabled": None}}},
     "/voice/cnam_listing/cnam_listing_enabled", "must be a boolean"),
    (UPDATE, {"voice": {"cnam_listing": {"cnam_listing_details": 5}}},
     "/voice/cnam_listing/cnam_listing_details", "must be a string"),
    (UPDATE, {"voice": {"media_features": 0}}, "/voice/media_features", "must be an object"),
    (UPDATE, {"voice": {"media_features": {"rtp_auto_adjust_enabled": "no"}}},
     "/voice/media_features/rtp_auto_adjust_enabled", "must be a boolean"),
    (UPDATE, {"voice": {"media_features": {"accept_any_rtp_packets_enabled": 0}}},
     "/voice/media_features/accept_any_rtp_packets_enabled", "must be a boolean"),
    (UPDATE, {"voice": {"media_features": {"t38_fax_gateway_enabled": []}}},
     "/voice/media_features/t38_fax_gateway_enabled", "must be a boolean"),
    (UPDATE, {"voice": {"caller_id_name_enabled": 0}}, "/voice/caller_id_name_enabled",
     "must be a boolean"),
    (UPDATE, {"voice": {"tech_prefix_enabled": "false"}}, "/voice/tech_prefix_enabled",
     "must be a boolean"),
    (UPDATE, {"voice": {"translated_number": 13035559999}}, "/voice/translated_number",
     "must be a string"),
    (EMERGENCY, {"emergency_enabled": "true"}, "/emergency_enabled", "must be a boolean"),
    (EMERGENCY, {"emergency_enabled": 1}, "/emergency_enabled", "must be a boolean"),
    (EMERGENCY, {"emergency_address_id": 53829456729313}, "/emergency_address_id",
     "must be a string or null"),
    (EMERGENCY, {"emergency_address_id": [EMERGENCY_ADDRESS]}, "/emergency_address_id",
     "must be a string or null"),
    (EMERGENCY, {"phone_numbers": ID_A}, "/phone_numbers", "must be an array"),
    (EMERGENCY, {"phone_numbers": [[ID_A]]}, "/phone_numbers/0", "must be a string"),
    (DELETE, {"phone_numbers": None}, "/phone_numbers", "must be an array"),
    (DELETE, {"phone_numbers": [1583466971586889004]}, "/phone_numbers/0", "must be a string"),
    (DELETE, {"phone_numbers": [ID_A, {"id": ID_C}]}, "/phone_numbers/1", "must be a string"),
]  # fmt: skip


@pytest.mark.rule("R-TYPES")
@pytest.mark.parametrize(
    ("path", "override", "pointer", "detail"),
    TYPE_CASES,
    ids=[f"{SHORT[c[0]]}:{c[2]}:{i}" for i, c in enumerate(TYPE_CASES)],
)
def test_wrong_type_is_reported_at_its_pointer(
    api: httpx.Client, path: str, override: dict[str, Any], pointer: str, detail: str
) -> None:
    body = body_for(path, [ID_A]) | override
    assert_422(api.post(path, json=body), detail, pointer)
    assert job_total(api) == 0


@pytest.mark.rule("R-TYPES")
def test_every_shape_error_is_listed_sorted_by_pointer(api: httpx.Client) -> None:
    body = {
        "voice": {"caller_id_name_enabled": "x", "call_forwarding": {"forwards_to": 5}},
        "tags": "a",
        "phone_numbers": [1, ID_A, None],
        "hd_voice_enabled": "y",
        "external_pin": 1,
    }
    r = api.post(UPDATE, json=body)
    assert r.status_code == 422, r.text
    expected = [
        ("/external_pin", "must be a string"),
        ("/hd_voice_enabled", "must be a boolean"),
        ("/phone_numbers/0", "must be a string"),
        ("/phone_numbers/2", "must be a string"),
        ("/tags", "must be an array"),
        ("/voice/call_forwarding/forwards_to", "must be a string"),
        ("/voice/caller_id_name_enabled", "must be a boolean"),
    ]
    assert r.json()["errors"] == [error_item("10015", BAD, d, p) for p, d in expected]

    r = api.post(EMERGENCY, json={"phone_numbers": "y", "emergency_enabled": "x",
                                  "emergency_address_id": 1})  # fmt: skip
    assert r.status_code == 422, r.text
    assert [e["source"]["pointer"] for e in r.json()["errors"]] == [
        "/emergency_address_id", "/emergency_enabled", "/phone_numbers",
    ]  # fmt: skip
    assert job_total(api) == 0


@pytest.mark.rule("R-TYPES")
def test_wrong_type_of_an_enum_field_lists_type_and_enum(api: httpx.Client) -> None:
    r = api.post(UPDATE, json=body_for(UPDATE, [ID_A], voice={"inbound_call_screening": 1}))
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert {e["source"]["pointer"] for e in errors} == {"/voice/inbound_call_screening"}
    assert sorted(e["detail"] for e in errors) == [
        "must be a string",
        "must be one of: disabled, reject_calls, flag_calls",
    ]


ENUMS = {
    "forwarding_type": (("call_forwarding", "forwarding_type"), ["always", "on-failure"]),
    "recording_format": (("call_recording", "inbound_call_recording_format"), ["wav", "mp3"]),
    "recording_channels": (("call_recording", "inbound_call_recording_channels"),
                           ["single", "dual"]),
    "call_screening": (("inbound_call_screening",), ["disabled", "reject_calls", "flag_calls"]),
    "usage_payment_method": (("usage_payment_method",), ["pay-per-minute", "channel"]),
}  # fmt: skip


@pytest.mark.rule("R-ENUMS")
@pytest.mark.parametrize(("path", "allowed"), list(ENUMS.values()), ids=list(ENUMS))
def test_enum_values_outside_the_enum_are_rejected(
    api: httpx.Client, path: tuple[str, ...], allowed: list[str]
) -> None:
    detail = "must be one of: " + ", ".join(allowed)
    for bad in (allowed[0].upper(), "", "bogus", allowed[0] + " "):
        job = api.post(UPDATE, json=body_for(UPDATE, [ID_A], voice=nested(path, bad)))
        assert_422(job, detail, "/voice/" + "/".join(path))
        patch = api.patch(f"/v2/phone_numbers/{ID_A}/voice", json=nested(path, bad))
        assert_422(patch, detail, "/" + "/".join(path))
    assert job_total(api) == 0


@pytest.mark.rule("R-ENUMS")
@pytest.mark.parametrize(("path", "allowed"), list(ENUMS.values()), ids=list(ENUMS))
def test_every_enum_value_is_accepted(
    api: httpx.Client, path: tuple[str, ...], allowed: list[str]
) -> None:
    for good in allowed:
        body = {"phone_numbers": [ID_A], "voice": nested(path, good)}
        job = accepted(api.post(UPDATE, json=body))
        assert job["parameters"]["voice"] == nested(path, good)
        r = api.patch(f"/v2/phone_numbers/{ID_A}/voice", json=nested(path, good))
        assert r.status_code == 200, r.text
        value: Any = r.json()["data"]
        for key in path:
            value = value[key]
        assert value == good


# ================================================================================================
# R-CNAM-FORMAT, R-CNAM-NEEDS-ENABLED, R-FORWARDS-TO
# ================================================================================================
CNAM = "/voice/cnam_listing/cnam_listing_details"
BAD_CNAM = {
    "dash": ("Acme-Corp", "must contain only letters, digits and spaces"),
    "underscore": ("a_b", "must contain only letters, digits and spaces"),
    "punctuation": ("Acme!", "must contain only letters, digits and spaces"),
    "accented": ("Caf\u00e9", "must contain only letters, digits and spaces"),
    "tab": ("Acme\tCorp", "must contain only letters, digits and spaces"),
    "trailing-newline": ("Acme\n", "must contain only letters, digits and spaces"),
    "16-chars": ("A" * 16, "must be at most 15 characters"),
}


@pytest.mark.rule("R-CNAM-FORMAT")
@pytest.mark.parametrize(("value", "detail"), list(BAD_CNAM.values()), ids=list(BAD_CNAM))
def test_cnam_details_format(api: httpx.Client, value: str, detail: str) -> None:
    voice = {"cnam_listing": {"cnam_listing_enabled": True, "cnam_listing_details": value}}
    assert_422(api.post(UPDATE, json=body_for(UPDATE, [ID_A], voice=voice)), detail, CNAM)
    assert job_total(api) == 0


@pytest.mark.rule("R-CNAM-FORMAT")
def test_cnam_details_with_both_problems_lists_both(api: httpx.Client) -> None:
    voice = {"cnam_listing": {"cnam_listing_enabled": True, "cnam_listing_details": "x-" * 8}}
    r = api.post(UPDATE, json=body_for(UPDATE, [ID_A], voice=voice))
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert {e["source"]["pointer"] for e in errors} == {CNAM}
    assert sorted(e["detail"] for e in errors) == [
        "must be at most 15 characters",
        "must contain only letters, digits and spaces",
    ]


@pytest.mark.rule("R-CNAM-FORMAT")
@pytest.mark.parametrize("value", ["", "A" * 15, "Acme Corp 123", "   ", "0"])
def test_valid_cnam_details_are_accepted(api: httpx.Client, value: str) -> None:
    voice = {"cnam_listing": {"cnam_listing_enabled": True, "cnam_listing_details": value}}
    job = accepted(api.post(UPDATE, json={"phone_numbers": [ID_A], "voice": voice}))
    assert job["parameters"]["voice"] == voice


@pytest.mark.rule("R-CNAM-NEEDS-ENABLED")
@pytest.mark.parametrize(
    "cnam",
    [{"cnam_listing_details": "Acme"},
     {"cnam_listing_details": "Acme", "cnam_listing_enabled": False}],
    ids=["enabled-missing", "enabled-false"],
)  # fmt: skip
def test_cnam_details_require_enabled_in_the_same_request(
    api: httpx.Client, cnam: dict[str, Any]
) -> None:
    for ident in (ID_A, E164_B):
        r = api.post(UPDATE, json=body_for(UPDATE, [ident], voice={"cnam_listing": cnam}))
        assert_422(r, "requires cnam_listing_enabled to be true", CNAM)
    already = next(
        (r for r in records() if r["voice"]["cnam_listing"]["cnam_listing_enabled"]), None
    )
    if already is not None:  # the rule is about the request, not the number's current setting
        r = api.post(UPDATE, json=body_for(UPDATE, [already["id"]], voice={"cnam_listing": cnam}))
        assert_422(r, "requires cnam_listing_enabled to be true", CNAM)
    assert job_total(api) == 0


@pytest.mark.rule("R-CNAM-NEEDS-ENABLED")
def test_cnam_details_with_enabled_or_empty_are_accepted(api: httpx.Client) -> None:
    for cnam in (
        {"cnam_listing_details": "Acme", "cnam_listing_enabled": True},
        {"cnam_listing_details": ""},
        {"cnam_listing_details": "", "cnam_listing_enabled": False},
        {"cnam_listing_enabled": False},
    ):
        accepted(api.post(UPDATE, json={"phone_numbers": [ID_A], "voice": {"cnam_listing": cnam}}))


@pytest.mark.rule("R-CNAM-NEEDS-ENABLED")
@pytest.mark.rule("R-CNAM-FORMAT")
def test_cnam_format_error_comes_before_the_enabled_rule(api: httpx.Client) -> None:
    voice = {"cnam_listing": {"cnam_listing_details": "Acme-Corp"}}
    r = api.post(UPDATE, json=body_for(UPDATE, [ID_A], voice=voice))
    assert_422(r, "must contain only letters, digits and spaces", CNAM)


FORWARDS_TO = "/voice/call_forwarding/forwards_to"
BAD_FORWARDS = {
    "no-plus": "13035559123",
    "leading-zero": "+03035559123",
    "spaces": "+1 303 555 9123",
    "16-digits": "+1303555912345678",
    "letters": "+1303555CALL",
    "plus-only": "+",
    "one-digit": "+1",
    "blank-space": " ",
    "trailing-newline": "+13035559123\n",
}


@pytest.mark.rule("R-FORWARDS-TO")
@pytest.mark.parametrize("value", list(BAD_FORWARDS.values()), ids=list(BAD_FORWARDS))
def test_forwards_to_must_be_e164(api: httpx.Client, value: str) -> None:
    voice = {"call_forwarding": {"call_forwarding_enabled": True, "forwards_to": value}}
    r = api.post(UPDATE, json=body_for(UPDATE, [ID_A], voice=voice))
    assert_error(
        r,
        422,
        "10016",
        T_NOT_E164,
        "The specified phone number parameter must be in +E.164 format.",
        pointer=FORWARDS_TO,
    )
    assert job_total(api) == 0


@pytest.mark.rule("R-FORWARDS-TO")
@pytest.mark.parametrize("value", ["", "+13035559123", "+442071838750", "+12"])
def test_forwards_to_blank_or_e164_is_accepted(api: httpx.Client, value: str) -> None:
    voice = {"call_forwarding": {"forwarding_type": "always", "forwards_to": value}}
    job = accepted(api.post(UPDATE, json={"phone_numbers": [ID_A], "voice": voice}))
    assert job["parameters"]["voice"] == voice


# ================================================================================================
# R-EMERGENCY-ADDRESS-REQUIRED, R-EMERGENCY-ADDRESS-FORBIDDEN
# ================================================================================================
@pytest.mark.rule("R-EMERGENCY-ADDRESS-REQUIRED")
@pytest.mark.parametrize(
    "address", [{}, {"emergency_address_id": None}, {"emergency_address_id": ""}],
    ids=["omitted", "null", "empty"],
)  # fmt: skip
def test_enabling_emergency_needs_an_address(api: httpx.Client, address: dict[str, Any]) -> None:
    body = {"phone_numbers": [ID_A], "emergency_enabled": True, **address}
    assert_422(
        api.post(EMERGENCY, json=body),
        "is required when emergency_enabled is true",
        "/emergency_address_id",
    )
    assert job_total(api) == 0


@pytest.mark.rule("R-EMERGENCY-ADDRESS-REQUIRED")
def test_enabling_emergency_with_an_address_is_accepted(api: httpx.Client) -> None:
    for address in (EMERGENCY_ADDRESS, "53829456729313", "999"):  # unknown ids fail per number
        body = {"phone_numbers": [ID_A], "emergency_enabled": True, "emergency_address_id": address}
        job = accepted(api.post(EMERGENCY, json=body))
        assert job["parameters"] == body


@pytest.mark.rule("R-EMERGENCY-ADDRESS-FORBIDDEN")
@pytest.mark.parametrize("address", [EMERGENCY_ADDRESS, "", "999"])
def test_disabling_emergency_forbids_an_address(api: httpx.Client, address: str) -> None:
    body = {"phone_numbers": [ID_A], "emergency_enabled": False, "emergency_address_id": address}
    assert_422(
        api.post(EMERGENCY, json=body),
        "must be null or omitted when emergency_enabled is false",
        "/emergency_address_id",
    )
    assert job_total(api) == 0


@pytest.mark.rule("R-EMERGENCY-ADDRESS-FORBIDDEN")
def test_disabling_emergency_with_null_or_no_address_is_accepted(api: httpx.Client) -> None:
    accepted(api.post(EMERGENCY, json={"phone_numbers": [ID_A], "emergency_enabled": False}))
    body = {"phone_numbers": [ID_A], "emergency_enabled": False, "emergency_address_id": None}
    accepted(api.post(EMERGENCY, json=body))


# ================================================================================================
# R-BILLING-GROUP
# ================================================================================================
@pytest.mark.rule("R-BILLING-GROUP")
@pytest.mark.parametrize("group", [UNKNOWN_BILLING_GROUP, "", "null", BILLING_GROUP + " "])
def test_unknown_billing_group_is_403(api: httpx.Client, group: str) -> None:
    r = api.post(UPDATE, json=body_for(UPDATE, [ID_A], billing_group_id=group))
    assert_error(r, 403, "10010", "Authorization Failed", D_BILLING, pointer="/billing_group_id")
    assert job_total(api) == 0


@pytest.mark.rule("R-BILLING-GROUP")
def test_unknown_billing_group_on_patch_is_403_and_changes_nothing(api: httpx.Client) -> None:
    before = number_state(api, ID_A)
    r = api.patch(
        f"/v2/phone_numbers/{ID_A}",
        json={"billing_group_id": UNKNOWN_BILLING_GROUP, "tags": ["changed"]},
    )
    assert_error(r, 403, "10010", "Authorization Failed", D_BILLING, pointer="/billing_group_id")
    assert number_state(api, ID_A) == before


@pytest.mark.rule("R-BILLING-GROUP")
def test_existing_billing_groups_are_accepted(api: httpx.Client) -> None:
    for group in world()["billing_groups"]:
        job = accepted(api.post(UPDATE, json={"phone_numbers": [ID_A],
                                              "billing_group_id": group["id"]}))  # fmt: skip
        assert job["parameters"]["billing_group_id"] == group["id"]
    r = api.patch(f"/v2/phone_numbers/{ID_A}", json={"billing_group_id": BILLING_GROUP})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["billing_group_id"] == BILLING_GROUP


# ================================================================================================
# R-JOB-CAP, R-JOB-CAP-EMERGENCY
# ================================================================================================
D_MAX_20 = "You can have at most 20 pending or in progress jobs"


@pytest.mark.rule("R-JOB-CAP")
def test_twenty_open_update_jobs_then_the_cap(api: httpx.Client, other_api: httpx.Client) -> None:
    for _ in range(20):
        accepted(api.post(UPDATE, json=body_for(UPDATE, [ID_A])))
    assert_422(api.post(UPDATE, json=body_for(UPDATE, [ID_A])), D_MAX_20, "/base")
    assert_422(api.post(UPDATE, params={"filter[tag]": "sandbox"}, json={"tags": ["x"]}),
               D_MAX_20, "/base")  # fmt: skip
    assert job_total(api) == 20
    # per type: delete and emergency jobs are still accepted; per tenant: others are unaffected
    accepted(api.post(DELETE, json={"phone_numbers": [ID_C]}))
    accepted(api.post(EMERGENCY, json=body_for(EMERGENCY, [ID_A])))
    accepted(other_api.post(UPDATE, json=body_for(UPDATE, [ID_A])))
    # once the jobs have finished, new update jobs are accepted again
    run_jobs(api)
    listed = api.get("/v2/phone_numbers/jobs", params={"filter[status]": "pending,in_progress"})
    assert listed.json()["meta"]["total_results"] == 0
    accepted(api.post(UPDATE, json=body_for(UPDATE, [E164_B])))


@pytest.mark.rule("R-JOB-CAP")
def test_in_progress_jobs_count_towards_the_cap(api: httpx.Client) -> None:
    ids = list(sorted_ids()[:100])
    jobs = [accepted(api.post(UPDATE, json=body_for(UPDATE, ids))) for _ in range(20)]
    advance(api, 1.5)
    for job in (jobs[0], jobs[-1]):
        assert api.get(f"/v2/phone_numbers/jobs/{job['id']}").json()["data"]["status"] == (
            "in_progress"
        )
    assert_422(api.post(UPDATE, json=body_for(UPDATE, [ID_A])), D_MAX_20, "/base")


@pytest.mark.rule("R-JOB-CAP")
def test_twenty_open_delete_jobs_then_the_cap(api: httpx.Client) -> None:
    for _ in range(20):
        accepted(api.post(DELETE, json={"phone_numbers": [ID_C]}))
    assert_422(api.post(DELETE, json={"phone_numbers": [ID_C]}), D_MAX_20, "/base")
    accepted(api.post(UPDATE, json=body_for(UPDATE, [ID_A])))
    run_jobs(api)
    accepted(api.post(DELETE, json={"phone_numbers": [ID_A]}))


@pytest.mark.rule("R-JOB-CAP")
@pytest.mark.parametrize("settings_", [settings_with(max_open_jobs=2)], ids=["max2"])
def test_job_cap_follows_the_setting(api: httpx.Client) -> None:
    for _ in range(2):
        accepted(api.post(UPDATE, json=body_for(UPDATE, [ID_A])))
    assert_422(
        api.post(UPDATE, json=body_for(UPDATE, [ID_A])),
        "You can have at most 2 pending or in progress jobs",
        "/base",
    )


@pytest.mark.rule("R-JOB-CAP-EMERGENCY")
@pytest.mark.parametrize("settings_", [settings_with(max_open_emergency_jobs=3)], ids=["max3"])
def test_emergency_job_cap(api: httpx.Client) -> None:
    for _ in range(3):
        accepted(api.post(EMERGENCY, json=body_for(EMERGENCY, [ID_A])))
    assert_422(
        api.post(EMERGENCY, json=body_for(EMERGENCY, [ID_A])),
        "You can have at most 3 pending or in progress jobs",
        "/base",
    )
    accepted(api.post(UPDATE, json=body_for(UPDATE, [ID_A])))
    accepted(api.post(DELETE, json={"phone_numbers": [ID_A]}))
    run_jobs(api)
    accepted(api.post(EMERGENCY, json=body_for(EMERGENCY, [E164_B])))


@pytest.mark.rule("R-JOB-CAP-EMERGENCY")
def test_default_emergency_cap_is_500_with_the_spec_text(api: httpx.Client) -> None:
    assert Settings().max_open_emergency_jobs == 500
    assert errors.D_MAX_JOBS.format(limit=Settings().max_open_emergency_jobs) == (
        "You can have at most 500 pending or in progress jobs"
    )
    # the update cap (20) does not apply to emergency jobs
    for _ in range(25):
        accepted(api.post(EMERGENCY, json=body_for(EMERGENCY, [ID_A])))


# ================================================================================================
# R-JOB-SHAPE, R-PARAMETERS, R-DOC-EXAMPLE
# ================================================================================================
@pytest.mark.rule("R-JOB-SHAPE")
@pytest.mark.parametrize("path", ENDPOINTS, ids=ENDPOINT_IDS)
@pytest.mark.parametrize("form", ["ids", "e164"])
def test_created_job_shape(api: httpx.Client, path: str, form: str) -> None:
    ids = [ID_A, ID_C, sorted_ids()[0]]
    items = ids if form == "ids" else [e164_of(i) for i in ids]
    now = api.get("/_mock/clock").json()["data"]["now"]
    job = accepted(api.post(path, json=body_for(path, items)))
    parsed = uuid.UUID(job["id"])
    assert str(parsed) == job["id"]
    assert parsed.version == 4
    assert job["record_type"] == "phone_numbers_job"
    assert job["type"] == JOB_TYPE[path]
    assert job["status"] == "pending"
    for key in ("created_at", "updated_at", "etc"):
        assert TIMESTAMP.match(job[key]), job[key]
    assert job["created_at"] == job["updated_at"] == now
    assert job["etc"] > job["created_at"]
    key = "id" if form == "ids" else "phone_number"
    assert job["phone_numbers"] == [{key: item} for item in items]
    assert job["pending_operations"] == [{"id": i, "phone_number": e164_of(i)} for i in ids]
    assert job["successful_operations"] == []
    assert job["failed_operations"] == []
    stored = api.get(f"/v2/phone_numbers/jobs/{job['id']}").json()["data"]
    assert stored == job
    second = accepted(api.post(path, json=body_for(path, items)))
    assert second["id"] != job["id"]


@pytest.mark.rule("R-PARAMETERS")
def test_update_parameters_are_saved_as_given(api: httpx.Client) -> None:
    body = {
        "phone_numbers": [E164_B, e164_of(ID_A)],
        "tags": [],
        "add_tags": [],
        "remove_tags": ["x"],
        "external_pin": "",
        "customer_reference": "",
        "connection_id": CONNECTION,
        "billing_group_id": BILLING_GROUP,
        "hd_voice_enabled": False,
        "deletion_lock_enabled": False,
        "voice": {
            "call_forwarding": {"call_forwarding_enabled": False, "forwards_to": ""},
            "cnam_listing": {"cnam_listing_enabled": False, "cnam_listing_details": ""},
            "media_features": {},
            "tech_prefix_enabled": False,
            "translated_number": "",
        },
        "not_a_field": "dropped",
        "emergency_enabled": True,
    }
    job = accepted(api.post(UPDATE, json=body))
    expected = {k: v for k, v in body.items() if k not in ("not_a_field", "emergency_enabled")}
    assert job["parameters"] == expected
    stored = api.get(f"/v2/phone_numbers/jobs/{job['id']}").json()["data"]
    assert stored["parameters"] == expected


@pytest.mark.rule("R-PARAMETERS")
def test_emergency_parameters_keep_explicit_null(api: httpx.Client) -> None:
    with_null = {"phone_numbers": [ID_A], "emergency_enabled": False, "emergency_address_id": None}
    job = accepted(api.post(EMERGENCY, json=with_null))
    assert job["parameters"] == with_null
    omitted = {"phone_numbers": [E164_B], "emergency_enabled": False}
    job = accepted(api.post(EMERGENCY, json=omitted))
    assert job["parameters"] == omitted
    enabled = {
        "phone_numbers": [ID_A],
        "emergency_enabled": True,
        "emergency_address_id": EMERGENCY_ADDRESS,
        "tags": ["ignored"],
    }
    job = accepted(api.post(EMERGENCY, json=enabled))
    assert job["parameters"] == {k: v for k, v in enabled.items() if k != "tags"}


@pytest.mark.rule("R-PARAMETERS")
def test_delete_parameters_hold_only_the_targets(api: httpx.Client) -> None:
    body = {"phone_numbers": [E164_B, E164_B], "tags": ["x"], "emergency_enabled": True}
    job = accepted(api.post(DELETE, json=body))
    assert job["parameters"] == {"phone_numbers": [E164_B]}


@pytest.mark.rule("R-PARAMETERS")
def test_filter_job_parameters_hold_resolved_ids(api: httpx.Client) -> None:
    expected = [i for i in sorted_ids() if "sandbox" in by_id()[i]["tags"]]
    assert 0 < len(expected) <= 1000
    for body in ({"tags": ["x"]}, {"phone_numbers": [], "tags": ["x"]}):
        job = accepted(api.post(UPDATE, params={"filter[tag]": "sandbox"}, json=body))
        assert job["parameters"] == {"phone_numbers": expected, "tags": ["x"]}
        assert job["phone_numbers"] == [{"id": i} for i in expected]


DOC_EXAMPLE = {"phone_numbers": ["1583466971586889004", "+13127367254"]}


@pytest.mark.rule("R-DOC-EXAMPLE")
def test_doc_example_is_the_mixed_forms_error_by_default(api: httpx.Client) -> None:
    assert_422(api.post(UPDATE, json=DOC_EXAMPLE), D_MIXED, "/phone_numbers")
    assert job_total(api) == 0


@pytest.mark.rule("R-DOC-EXAMPLE")
@pytest.mark.parametrize("settings_", [settings_with(allow_mixed_forms=True)], ids=["allow-mixed"])
def test_doc_example_is_the_updateable_field_error_with_allow_mixed(api: httpx.Client) -> None:
    assert_422(api.post(UPDATE, json=DOC_EXAMPLE), D_UPDATEABLE, "/updateable_fields")
    job = accepted(api.post(UPDATE, json={**DOC_EXAMPLE, "tags": ["tag"]}))
    assert job["phone_numbers"] == [{"id": ID_A}, {"phone_number": E164_B}]


# ================================================================================================
# R-VALIDATION-ORDER
# ================================================================================================
def _fill_update_cap(client: httpx.Client) -> None:
    for _ in range(20):
        accepted(client.post(UPDATE, json=body_for(UPDATE, [ID_A])))


@pytest.mark.rule("R-VALIDATION-ORDER")
def test_auth_comes_first(app: Starlette) -> None:
    with make_client(app, api_key=None) as anonymous:
        for kwargs in (
            {"content": b"{bad", "headers": {"Content-Type": "application/json"}},
            {"content": b"{}", "headers": {"Content-Type": "text/plain"}},
            {"json": {"phone_numbers": 5}, "params": {"filter[bogus]": "1"}},
        ):
            r = anonymous.post(UPDATE, **kwargs)
            assert r.status_code == 401, r.text


@pytest.mark.rule("R-VALIDATION-ORDER")
def test_body_size_then_content_type_then_json(api: httpx.Client) -> None:
    big = b"{" + b" " * (1024 * 1024) + b"}"
    r = api.post(UPDATE, content=big, headers={"Content-Type": "text/plain"})
    assert r.status_code == 413, r.text
    r = api.post(UPDATE, content=b"{bad", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415, r.text


@pytest.mark.rule("R-VALIDATION-ORDER")
@pytest.mark.parametrize(
    "params",
    [{"filter[tags]": "x"}, [("filter[tag]", "a"), ("filter[tag]", "b")], {"filter[status]": "x"}],
    ids=["unknown", "twice", "bad-enum"],
)
def test_body_json_error_beats_filter_error(api: httpx.Client, params: Any) -> None:
    r = api.post(
        UPDATE, params=params, content=b"{bad", headers={"Content-Type": "application/json"}
    )
    assert_error(r, 400, "10023", "Invalid JSON", "The request body is not valid JSON.")


@pytest.mark.rule("R-VALIDATION-ORDER")
def test_filter_error_beats_body_shape(api: httpx.Client) -> None:
    r = api.post(UPDATE, params={"filter[tags]": "x"}, json={"phone_numbers": 5, "tags": "x"})
    assert_422(r, "is not a supported filter", parameter="filter[tags]")


@pytest.mark.rule("R-VALIDATION-ORDER")
def test_shape_beats_targets_and_cap(api: httpx.Client) -> None:
    assert_422(api.post(UPDATE, json={"tags": 5}), "must be an array", "/tags")
    ids = list(sorted_ids()[:1001])
    r = api.post(UPDATE, json={"phone_numbers": ids, "hd_voice_enabled": "x"})
    assert_422(r, "must be a boolean", "/hd_voice_enabled")


@pytest.mark.rule("R-VALIDATION-ORDER")
def test_present_and_empty_beat_updateable(api: httpx.Client) -> None:
    assert_422(api.post(UPDATE, json={}), D_PRESENT, "/phone_numbers")
    assert_422(api.post(UPDATE, json={"phone_numbers": []}), D_MIN_NUMBERS, "/phone_numbers")


@pytest.mark.rule("R-VALIDATION-ORDER")
def test_cap_beats_item_format_and_ownership(api: httpx.Client) -> None:
    cap = "1000 numbers is the maximum allowed."
    assert_422(api.post(UPDATE, json=body_for(UPDATE, ["bad"] * 1001)), cap, "/phone_numbers")
    strangers = [str(10**18 + n) for n in range(1001)]
    assert not set(strangers) & set(by_id())
    assert_422(api.post(UPDATE, json=body_for(UPDATE, strangers)), cap, "/phone_numbers")
    assert_422(api.post(UPDATE, json=body_for(UPDATE, [ID_A, E164_B] * 501)), cap, "/phone_numbers")


@pytest.mark.rule("R-VALIDATION-ORDER")
def test_item_format_beats_mixed_and_ownership(api: httpx.Client) -> None:
    r = api.post(UPDATE, json=body_for(UPDATE, [ID_A, E164_B, "bad"]))
    assert_error(r, 422, "10016", T_NOT_E164, D_NOT_E164_ITEM, pointer="/phone_numbers/2")
    r = api.post(UPDATE, json=body_for(UPDATE, [unowned_ids()[0], "bad"]))
    assert_error(r, 422, "10016", T_NOT_E164, D_NOT_E164_ITEM, pointer="/phone_numbers/1")


@pytest.mark.rule("R-VALIDATION-ORDER")
def test_mixed_beats_updateable(api: httpx.Client) -> None:
    assert_422(api.post(UPDATE, json={"phone_numbers": [ID_A, E164_B]}), D_MIXED, "/phone_numbers")


@pytest.mark.rule("R-VALIDATION-ORDER")
def test_updateable_beats_ownership(api: httpx.Client) -> None:
    r = api.post(UPDATE, json={"phone_numbers": [unowned_ids()[0]]})
    assert_422(r, D_UPDATEABLE, "/updateable_fields")


@pytest.mark.rule("R-VALIDATION-ORDER")
def test_field_rules_beat_ownership(api: httpx.Client) -> None:
    stranger = unowned_ids()[0]
    voice = {"cnam_listing": {"cnam_listing_details": "Acme"}}
    r = api.post(UPDATE, json={"phone_numbers": [stranger], "voice": voice})
    assert_422(r, "requires cnam_listing_enabled to be true", CNAM)
    r = api.post(EMERGENCY, json={"phone_numbers": [stranger], "emergency_enabled": True})
    assert_422(r, "is required when emergency_enabled is true", "/emergency_address_id")


@pytest.mark.rule("R-VALIDATION-ORDER")
def test_field_rules_and_ownership_beat_billing_group(api: httpx.Client) -> None:
    voice = {"cnam_listing": {"cnam_listing_details": "Acme"}}
    r = api.post(UPDATE, json={"phone_numbers": [ID_A], "voice": voice,
                               "billing_group_id": UNKNOWN_BILLING_GROUP})  # fmt: skip
    assert_422(r, "requires cnam_listing_enabled to be true", CNAM)
    r = api.post(UPDATE, json={"phone_numbers": [ID_A, unowned_ids()[0]],
                               "billing_group_id": UNKNOWN_BILLING_GROUP})  # fmt: skip
    assert_422(r, D_OWNERSHIP, "/phone_numbers")


@pytest.mark.rule("R-VALIDATION-ORDER")
def test_billing_group_and_ownership_beat_job_cap(api: httpx.Client) -> None:
    _fill_update_cap(api)
    r = api.post(UPDATE, json=body_for(UPDATE, [ID_A], billing_group_id=UNKNOWN_BILLING_GROUP))
    assert_error(r, 403, "10010", "Authorization Failed", D_BILLING, pointer="/billing_group_id")
    r = api.post(UPDATE, json=body_for(UPDATE, [unowned_ids()[0]]))
    assert_422(r, D_OWNERSHIP, "/phone_numbers")
    r = api.post(UPDATE, json={"phone_numbers": [ID_A]})
    assert_422(r, D_UPDATEABLE, "/updateable_fields")
    assert_422(api.post(UPDATE, json=body_for(UPDATE, [ID_A])), D_MAX_20, "/base")


# ================================================================================================
# R-ATOMIC
# ================================================================================================
LARGE = b'{"phone_numbers": ["' + ID_A.encode() + b'"], "tags": ["' + b"x" * (1024 * 1024) + b'"]}'

REJECTED: dict[str, tuple[str, dict[str, Any], int]] = {
    "update-bad-json": (UPDATE, {"content": b'{"phone_numbers": ["' + ID_A.encode() + b'"',
                                 "headers": {"Content-Type": "application/json"}}, 400),
    "update-not-object": (UPDATE, {"json": [ID_A]}, 422),
    "update-content-type": (UPDATE, {"content": json.dumps(body_for(UPDATE, [ID_A])).encode(),
                                     "headers": {"Content-Type": "text/plain"}}, 415),
    "update-too-large": (UPDATE, {"content": LARGE,
                                  "headers": {"Content-Type": "application/json"}}, 413),
    "update-shape": (UPDATE, {"json": {"phone_numbers": [ID_A], "tags": ["x"],
                                       "hd_voice_enabled": "yes"}}, 422),
    "update-present": (UPDATE, {"json": {"tags": ["x"]}}, 422),
    "update-empty": (UPDATE, {"json": {"phone_numbers": [], "tags": ["x"]}}, 422),
    "update-cap": (UPDATE, {"json": body_for(UPDATE, [ID_A] * 1001)}, 422),
    "update-item-format": (UPDATE, {"json": body_for(UPDATE, [ID_A, "nope"])}, 422),
    "update-mixed": (UPDATE, {"json": body_for(UPDATE, [ID_A, E164_B])}, 422),
    "update-updateable": (UPDATE, {"json": {"phone_numbers": [ID_A], "voice": {}}}, 422),
    "update-cnam": (UPDATE, {"json": {"phone_numbers": [ID_A], "tags": ["x"], "voice": {
        "cnam_listing": {"cnam_listing_details": "Acme"}}}}, 422),
    "update-forwards-to": (UPDATE, {"json": {"phone_numbers": [ID_A], "tags": ["x"], "voice": {
        "call_forwarding": {"forwards_to": "123"}}}}, 422),
    "update-enum": (UPDATE, {"json": {"phone_numbers": [ID_A], "tags": ["x"], "voice": {
        "usage_payment_method": "free"}}}, 422),
    "update-ownership": (UPDATE, {"json": body_for(UPDATE, [ID_A, "1"])}, 422),
    "update-billing": (UPDATE, {"json": body_for(UPDATE, [ID_A],
                                                 billing_group_id=UNKNOWN_BILLING_GROUP)}, 403),
    "update-filter-unknown": (UPDATE, {"params": {"filter[tags]": "sales"},
                                       "json": {"tags": ["x"]}}, 422),
    "update-filter-no-match": (UPDATE, {"params": {"filter[customer_reference]": "no-such-ref"},
                                        "json": {"tags": ["x"]}}, 422),
    "update-filter-and-list-no-match": (UPDATE, {"params": {"filter[tag]": "no-such-tag"},
                                                 "json": {"phone_numbers": [ID_A],
                                                          "tags": ["x"]}}, 422),
    "emergency-required": (EMERGENCY, {"json": {"phone_numbers": [ID_A]}}, 422),
    "emergency-address-required": (EMERGENCY, {"json": {"phone_numbers": [ID_A],
                                                        "emergency_enabled": True}}, 422),
    "emergency-address-forbidden": (EMERGENCY, {"json": {
        "phone_numbers": [ID_A], "emergency_enabled": False,
        "emergency_address_id": EMERGENCY_ADDRESS}}, 422),
    "emergency-ownership": (EMERGENCY, {"json": body_for(EMERGENCY, [ID_A, "1"])}, 422),
    "delete-ownership": (DELETE, {"json": {"phone_numbers": [ID_A, "1"]}}, 422),
    "delete-item-format": (DELETE, {"json": {"phone_numbers": [ID_A, ""]}}, 422),
    "delete-cap": (DELETE, {"json": {"phone_numbers": [ID_A] * 1001}}, 422),
}  # fmt: skip


@functools.cache
def reference_job_ids() -> tuple[str, ...]:
    """The ids a fresh app (same seed, same key) gives its first jobs."""
    with fresh_client() as client:
        body = body_for(UPDATE, [ID_A])
        ids = [accepted(client.post(UPDATE, json=body))["id"] for _ in range(20)]
        run_jobs(client)
        ids.append(accepted(client.post(UPDATE, json=body_for(UPDATE, [ID_A])))["id"])
    return tuple(ids)


@pytest.mark.rule("R-ATOMIC")
@pytest.mark.parametrize(("path", "kwargs", "status"), list(REJECTED.values()), ids=list(REJECTED))
def test_rejected_request_creates_nothing_and_consumes_no_id(
    api: httpx.Client, path: str, kwargs: dict[str, Any], status: int
) -> None:
    before = number_state(api, ID_A)
    before_b = number_state(api, id_of(E164_B))
    r = api.post(path, **kwargs)
    assert r.status_code == status, r.text
    assert job_total(api) == 0
    run_jobs(api)  # nothing may be waiting to happen either
    assert number_state(api, ID_A) == before
    assert number_state(api, id_of(E164_B)) == before_b
    first = accepted(api.post(UPDATE, json=body_for(UPDATE, [ID_A])))
    assert first["id"] == reference_job_ids()[0]


@pytest.mark.rule("R-ATOMIC")
def test_rejected_requests_in_a_row_consume_no_ids(api: httpx.Client) -> None:
    for path, kwargs, status in REJECTED.values():
        assert api.post(path, **kwargs).status_code == status
    assert job_total(api) == 0
    first = accepted(api.post(UPDATE, json=body_for(UPDATE, [ID_A])))
    assert first["id"] == reference_job_ids()[0]


@pytest.mark.rule("R-ATOMIC")
@pytest.mark.rule("R-JOB-CAP")
def test_job_cap_rejection_consumes_no_id(api: httpx.Client) -> None:
    ids = [accepted(api.post(UPDATE, json=body_for(UPDATE, [ID_A])))["id"] for _ in range(20)]
    assert_422(api.post(UPDATE, json=body_for(UPDATE, [ID_A])), D_MAX_20, "/base")
    assert job_total(api) == 20
    run_jobs(api)
    ids.append(accepted(api.post(UPDATE, json=body_for(UPDATE, [ID_A])))["id"])
    assert tuple(ids) == reference_job_ids()


@pytest.mark.rule("R-ATOMIC")
def test_rejected_patch_changes_no_number(api: httpx.Client) -> None:
    before = number_state(api, ID_A)
    bad_patches = [
        ("", {"tags": ["changed"], "hd_voice_enabled": "yes"}),
        ("", {"tags": ["changed"], "billing_group_id": UNKNOWN_BILLING_GROUP}),
        ("", {"customer_reference": "changed", "external_pin": 5}),
        ("/voice", {"usage_payment_method": "channel", "inbound_call_screening": "bogus"}),
        ("/voice", {"tech_prefix_enabled": True, "call_forwarding": {"forwards_to": "123"}}),
        ("/voice", {"translated_number": "x", "cnam_listing": {"cnam_listing_details": "Acme",
                                                               "cnam_listing_enabled": False}}),
    ]  # fmt: skip
    for suffix, body in bad_patches:
        r = api.patch(f"/v2/phone_numbers/{ID_A}{suffix}", json=body)
        assert r.status_code in (403, 422), r.text
    assert number_state(api, ID_A) == before
