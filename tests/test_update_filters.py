"""The ``filter[...]`` query of POST /phone_numbers/jobs/update_phone_numbers (R-FILTER-*).

Expected matches are computed here from ``fixtures/world.json`` with the documented semantics, and
compared with the targets of the job the emulator creates, and with GET /phone_numbers given the
same filter.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.config import Settings

UPDATE = "/v2/phone_numbers/jobs/update_phone_numbers"
NUMBERS = "/v2/phone_numbers"
JOBS = "/v2/phone_numbers/jobs"
WORLD_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "world.json"

CONNECTION = "1521916448077776306"
BILLING_GROUP = "62e4bf2e-c278-4282-b524-488d9c9c43b2"
EMERGENCY_ADDRESS = "9102160989215728032"
STATUS_ENUM = (
    "purchase-pending, purchase-failed, port-pending, active, deleted, port-failed, "
    "emergency-only, ported-out, port-out-pending"
)
D_MIN_NUMBERS = "You must provide at least 1 phone number."
D_UNKNOWN = "is not a supported filter"

Record = dict[str, Any]
Predicate = Callable[[Record], bool]


# -- world data -----------------------------------------------------------------------------------
@functools.cache
def world() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    return data


@functools.cache
def records_in_id_order() -> tuple[Record, ...]:
    return tuple(sorted(world()["numbers"], key=lambda n: (len(n["id"]), n["id"])))


@functools.cache
def connection_names() -> dict[str, str]:
    return {c["id"]: c["name"] for c in world()["connections"]}


def name_of(record: Record) -> str | None:
    connection = record["connection_id"]
    return None if connection is None else connection_names().get(connection)


def select(pred: Predicate) -> list[str]:
    """Ids of every world number matching ``pred``, in id order."""
    return [n["id"] for n in records_in_id_order() if pred(n)]


@functools.cache
def common_reference() -> str:
    counts = Counter(n["customer_reference"] for n in world()["numbers"])
    counts.pop(None, None)
    return str(counts.most_common(1)[0][0])


def name_is(test: Callable[[str], bool]) -> Predicate:
    def pred(record: Record) -> bool:
        name = name_of(record)
        return name is not None and test(name)

    return pred


# -- helpers --------------------------------------------------------------------------------------
def error_item(
    detail: str, pointer: str | None = None, parameter: str | None = None
) -> dict[str, Any]:
    source = {k: v for k, v in (("pointer", pointer), ("parameter", parameter)) if v is not None}
    item: dict[str, Any] = {"code": "10015", "title": "Bad Request", "detail": detail}
    if source:
        item["source"] = source
    item["meta"] = {"url": "https://developers.telnyx.com/docs/overview/errors/10015"}
    return item


def assert_422(
    r: httpx.Response, detail: str, *, pointer: str | None = None, parameter: str | None = None
) -> None:
    assert r.status_code == 422, r.text
    assert r.json() == {"errors": [error_item(detail, pointer, parameter)]}


def job_total(client: httpx.Client) -> int:
    r = client.get(JOBS, params={"page[size]": "1"})
    assert r.status_code == 200, r.text
    total: int = r.json()["meta"]["total_results"]
    return total


def filter_job(client: httpx.Client, params: Any, body: Any | None = None) -> dict[str, Any]:
    r = client.post(UPDATE, params=params, json=body if body is not None else {"tags": ["f"]})
    assert r.status_code == 202, r.text
    job: dict[str, Any] = r.json()["data"]
    return job


def target_ids(job: dict[str, Any]) -> list[str]:
    ids = [op["id"] for op in job["pending_operations"]]
    assert job["phone_numbers"] == [{"id": i} for i in ids]
    assert job["parameters"]["phone_numbers"] == ids
    return ids


def listed_ids(client: httpx.Client, params: dict[str, str]) -> list[str]:
    """Every id GET /phone_numbers returns for ``params``, over all pages of 250."""
    ids: list[str] = []
    page = 1
    while True:
        query = {**params, "page[size]": "250", "page[number]": str(page)}
        r = client.get(NUMBERS, params=query)
        assert r.status_code == 200, r.text
        payload = r.json()
        ids.extend(item["id"] for item in payload["data"])
        if page >= payload["meta"]["total_pages"]:
            break
        page += 1
    assert len(ids) == payload["meta"]["total_results"]
    assert len(set(ids)) == len(ids)
    return ids


# ================================================================================================
# R-FILTER-KEYS (and the same filters on GET /phone_numbers)
# ================================================================================================
def _cases() -> dict[str, tuple[dict[str, str], Predicate]]:
    ref = common_reference()
    return {
        "has_bundle-true": ({"filter[has_bundle]": "true"}, lambda n: n["has_bundle"] is True),
        "has_bundle-false": ({"filter[has_bundle]": "false"}, lambda n: n["has_bundle"] is False),
        "tag-sandbox": ({"filter[tag]": "sandbox"}, lambda n: "sandbox" in n["tags"]),
        "tag-support": ({"filter[tag]": "support"}, lambda n: "support" in n["tags"]),
        "connection_id": (
            {"filter[connection_id]": CONNECTION},
            lambda n: n["connection_id"] == CONNECTION,
        ),
        "phone_number-plus": (
            {"filter[phone_number]": "+1312"},
            lambda n: "1312" in n["phone_number"][1:],
        ),
        "phone_number-digits": (
            {"filter[phone_number]": "5550"},
            lambda n: "5550" in n["phone_number"][1:],
        ),
        "phone_number-exact": (
            {"filter[phone_number]": "+13127367254"},
            lambda n: n["phone_number"] == "+13127367254",
        ),
        "status-port-pending": (
            {"filter[status]": "port-pending"},
            lambda n: n["status"] == "port-pending",
        ),
        "status-active": ({"filter[status]": "active"}, lambda n: n["status"] == "active"),
        "status-deleted": ({"filter[status]": "deleted"}, lambda n: n["status"] == "deleted"),
        "name-eq": (
            {"filter[voice.connection_name][eq]": "sip-trunk-east"},
            name_is(lambda s: s == "sip-trunk-east"),
        ),
        "name-contains": (
            {"filter[voice.connection_name][contains]": "office"},
            name_is(lambda s: "office" in s.casefold()),
        ),
        "name-contains-upper": (
            {"filter[voice.connection_name][contains]": "OFFICE"},
            name_is(lambda s: "office" in s.casefold()),
        ),
        "name-starts_with": (
            {"filter[voice.connection_name][starts_with]": "SIP"},
            name_is(lambda s: s.casefold().startswith("sip")),
        ),
        "name-ends_with": (
            {"filter[voice.connection_name][ends_with]": "pbx"},
            name_is(lambda s: s.casefold().endswith("pbx")),
        ),
        "name-contains-prod": (
            {"filter[voice.connection_name][contains]": "prod"},
            name_is(lambda s: "prod" in s.casefold()),
        ),
        "name-two-ops": (
            {
                "filter[voice.connection_name][contains]": "trunk",
                "filter[voice.connection_name][starts_with]": "prod",
            },
            name_is(lambda s: "trunk" in s.casefold() and s.casefold().startswith("prod")),
        ),
        "usage_payment_method": (
            {"filter[voice.usage_payment_method]": "channel"},
            lambda n: n["voice"]["usage_payment_method"] == "channel",
        ),
        "billing_group_id": (
            {"filter[billing_group_id]": BILLING_GROUP},
            lambda n: n["billing_group_id"] == BILLING_GROUP,
        ),
        "emergency_address_id": (
            {"filter[emergency_address_id]": EMERGENCY_ADDRESS},
            lambda n: n["emergency_address_id"] == EMERGENCY_ADDRESS,
        ),
        "customer_reference": (
            {"filter[customer_reference]": ref},
            lambda n: n["customer_reference"] == ref,
        ),
        "and-tag-status": (
            {"filter[tag]": "sales", "filter[status]": "active"},
            lambda n: "sales" in n["tags"] and n["status"] == "active",
        ),
        "and-three": (
            {
                "filter[tag]": "sandbox",
                "filter[has_bundle]": "true",
                "filter[voice.usage_payment_method]": "pay-per-minute",
            },
            lambda n: (
                "sandbox" in n["tags"]
                and n["has_bundle"]
                and n["voice"]["usage_payment_method"] == "pay-per-minute"
            ),
        ),
        "and-connection-and-name": (
            {
                "filter[connection_id]": CONNECTION,
                "filter[voice.connection_name][contains]": "test",
            },
            lambda n: n["connection_id"] == CONNECTION,
        ),
        "and-billing-emergency": (
            {"filter[billing_group_id]": BILLING_GROUP, "filter[emergency_address_id]": "null"},
            lambda n: n["billing_group_id"] == BILLING_GROUP and n["emergency_address_id"] is None,
        ),
    }


CASES = _cases()


@pytest.mark.rule("R-FILTER-KEYS")
@pytest.mark.parametrize(("params", "pred"), list(CASES.values()), ids=list(CASES))
def test_filter_selects_exactly_the_matching_numbers(
    api: httpx.Client, params: dict[str, str], pred: Predicate
) -> None:
    expected = select(pred)
    assert expected, "the world must have at least one match for this case"
    job = filter_job(api, params)
    assert target_ids(job) == expected[:1000]
    # the same filter on the list endpoint (has_bundle is not a list filter in the spec)
    if not any(key.startswith("filter[has_bundle]") for key in params):
        assert sorted(listed_ids(api, params), key=lambda i: (len(i), i)) == expected


@pytest.mark.rule("R-FILTER-KEYS")
def test_connection_name_eq_is_case_sensitive(api: httpx.Client) -> None:
    name = "sip-trunk-east"
    assert name in connection_names().values()
    params = {"filter[voice.connection_name][eq]": name.upper()}
    r = api.post(UPDATE, params=params, json={"tags": ["x"]})
    assert_422(r, D_MIN_NUMBERS, pointer="/phone_numbers")
    assert listed_ids(api, params) == []


@pytest.mark.rule("R-FILTER-KEYS")
def test_filter_sees_the_tenants_current_numbers(api: httpx.Client) -> None:
    """Filters select on the numbers as they are now, not as seeded."""
    first = select(lambda n: "sandbox" in n["tags"] and n["status"] == "active")[0]
    r = api.patch(f"{NUMBERS}/{first}", json={"tags": ["now-unique-tag"]})
    assert r.status_code == 200, r.text
    job = filter_job(api, {"filter[tag]": "now-unique-tag"})
    assert target_ids(job) == [first]
    job = filter_job(api, {"filter[tag]": "sandbox"})
    assert first not in target_ids(job)


# ================================================================================================
# R-FILTER-UNKNOWN
# ================================================================================================
UNKNOWN_FILTERS = {
    "tags": ({"filter[tags]": "x"}, "filter[tags]"),
    "like-operator": ({"filter[voice.connection_name][like]": "abc"}, None),
    "typo-with-valid": ({"filter[tag]": "sales", "filter[statuss]": "active"}, "filter[statuss]"),
    "list-only-key": ({"filter[number_type][eq]": "local"}, "filter[number_type]"),
    "nested-unknown": ({"filter[a][b][c]": "1"}, "filter[a]"),
    "connection_name-without-voice": ({"filter[connection_name]": "abc"}, None),
}


@pytest.mark.rule("R-FILTER-UNKNOWN")
@pytest.mark.parametrize(
    ("params", "parameter"), list(UNKNOWN_FILTERS.values()), ids=list(UNKNOWN_FILTERS)
)
def test_unknown_update_filter_is_rejected(
    api: httpx.Client, params: dict[str, str], parameter: str | None
) -> None:
    if parameter is None:
        parameter = next(iter(params))
    for body in ({"tags": ["x"]}, {"phone_numbers": [], "tags": ["x"]}):
        r = api.post(UPDATE, params=params, json=body)
        assert_422(r, D_UNKNOWN, parameter=parameter)
    assert job_total(api) == 0


@pytest.mark.rule("R-FILTER-UNKNOWN")
@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        (NUMBERS, {"filter[tags]": "x"}, "filter[tags]"),
        (NUMBERS, {"filter[voice.connection_name][like]": "abc"},
         "filter[voice.connection_name][like]"),
        (NUMBERS, {"filter[tag]": "sales", "filter[statuss]": "active"}, "filter[statuss]"),
        (JOBS, {"filter[tags]": "x"}, "filter[tags]"),
        (JOBS, {"filter[kind]": "update_phone_numbers"}, "filter[kind]"),
    ],
    ids=["numbers-tags", "numbers-like", "numbers-typo", "jobs-tags", "jobs-kind"],
)  # fmt: skip
def test_unknown_list_filter_is_rejected(
    api: httpx.Client, path: str, params: dict[str, str], parameter: str
) -> None:
    assert_422(api.get(path, params=params), D_UNKNOWN, parameter=parameter)


# ================================================================================================
# R-FILTER-BAD-VALUE
# ================================================================================================
BAD_VALUES = {
    "status": ({"filter[status]": "bogus"}, "must be one of: " + STATUS_ENUM, "filter[status]"),
    "status-case": ({"filter[status]": "Active"}, "must be one of: " + STATUS_ENUM,
                    "filter[status]"),
    "status-not-filterable": ({"filter[status]": "requirement-info-pending"},
                              "must be one of: " + STATUS_ENUM, "filter[status]"),
    "usage-payment": ({"filter[voice.usage_payment_method]": "Channel"},
                      "must be one of: pay-per-minute, channel",
                      "filter[voice.usage_payment_method]"),
    "usage-payment-free": ({"filter[voice.usage_payment_method]": "free"},
                           "must be one of: pay-per-minute, channel",
                           "filter[voice.usage_payment_method]"),
}  # fmt: skip


@pytest.mark.rule("R-FILTER-BAD-VALUE")
@pytest.mark.parametrize(
    ("params", "detail", "parameter"), list(BAD_VALUES.values()), ids=list(BAD_VALUES)
)
def test_filter_value_outside_its_enum(
    api: httpx.Client, params: dict[str, str], detail: str, parameter: str
) -> None:
    assert_422(api.post(UPDATE, params=params, json={"tags": ["x"]}), detail, parameter=parameter)
    assert_422(api.get(NUMBERS, params=params), detail, parameter=parameter)
    assert job_total(api) == 0


@pytest.mark.rule("R-FILTER-BAD-VALUE")
@pytest.mark.parametrize("value", ["yes", "True", "1", "", "null"])
def test_has_bundle_takes_true_or_false(api: httpx.Client, value: str) -> None:
    r = api.post(UPDATE, params={"filter[has_bundle]": value}, json={"tags": ["x"]})
    assert_422(r, "must be one of: true, false", parameter="filter[has_bundle]")
    assert job_total(api) == 0


@pytest.mark.rule("R-FILTER-BAD-VALUE")
@pytest.mark.parametrize(
    ("pairs", "parameter"),
    [
        ([("filter[tag]", "a"), ("filter[tag]", "b")], "filter[tag]"),
        ([("filter[status]", "active"), ("filter[status]", "active")], "filter[status]"),
        ([("filter[voice.connection_name][contains]", "abc"),
          ("filter[voice.connection_name][contains]", "def")],
         "filter[voice.connection_name][contains]"),
    ],
    ids=["tag", "status-same-value", "connection-name-op"],
)  # fmt: skip
def test_filter_given_twice_is_rejected(
    api: httpx.Client, pairs: list[tuple[str, str | int | float | bool | None]], parameter: str
) -> None:
    r = api.post(UPDATE, params=pairs, json={"tags": ["x"]})
    assert_422(r, "must be given once", parameter=parameter)
    assert_422(api.get(NUMBERS, params=pairs), "must be given once", parameter=parameter)
    assert job_total(api) == 0


@pytest.mark.rule("R-FILTER-BAD-VALUE")
@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"filter[status][]": "active"}, "filter[status]"),
        ({"filter[tag][x]": "sales"}, "filter[tag]"),
        ({"filter[voice.connection_name]": "abc"}, "filter[voice.connection_name]"),
        ({"filter[voice.connection_name][contains][x]": "abc"},
         "filter[voice.connection_name][contains]"),
    ],
    ids=["list-form", "object-form", "name-without-operator", "operator-object"],
)  # fmt: skip
def test_filter_value_of_the_wrong_form_is_rejected(
    api: httpx.Client, params: dict[str, str], parameter: str
) -> None:
    r = api.post(UPDATE, params=params, json={"tags": ["x"]})
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert error["code"] == "10015"
    assert error["source"] == {"parameter": parameter}
    assert job_total(api) == 0


# ================================================================================================
# R-FILTER-NULL
# ================================================================================================
@pytest.mark.rule("R-FILTER-NULL")
@pytest.mark.parametrize("key", ["billing_group_id", "emergency_address_id"])
def test_null_matches_numbers_without_one(api: httpx.Client, key: str) -> None:
    expected = select(lambda n: n[key] is None)
    others = select(lambda n: n[key] is not None)
    assert expected
    assert others
    params = {f"filter[{key}]": "null"}
    assert target_ids(filter_job(api, params)) == expected[:1000]
    assert sorted(listed_ids(api, params), key=lambda i: (len(i), i)) == expected


# ================================================================================================
# R-FILTER-MIN-CHARS
# ================================================================================================
@pytest.mark.rule("R-FILTER-MIN-CHARS")
@pytest.mark.parametrize("op", ["contains", "starts_with", "ends_with"])
@pytest.mark.parametrize("value", ["", "a", "ab", "PB"])
def test_connection_name_operators_need_three_characters(
    api: httpx.Client, op: str, value: str
) -> None:
    parameter = f"filter[voice.connection_name][{op}]"
    detail = "must contain at least 3 characters"
    assert_422(api.post(UPDATE, params={parameter: value}, json={"tags": ["x"]}), detail,
               parameter=parameter)  # fmt: skip
    assert_422(api.get(NUMBERS, params={parameter: value}), detail, parameter=parameter)
    assert job_total(api) == 0


@pytest.mark.rule("R-FILTER-MIN-CHARS")
def test_three_characters_are_enough_and_eq_has_no_minimum(api: httpx.Client) -> None:
    expected = select(name_is(lambda s: s.casefold().endswith("pbx")))
    assert expected
    params = {"filter[voice.connection_name][ends_with]": "PBX"}
    assert target_ids(filter_job(api, params)) == expected[:1000]
    # eq has no minimum: a short name is a valid filter that just matches nothing here
    assert not any(len(name) < 3 for name in connection_names().values())
    r = api.post(UPDATE, params={"filter[voice.connection_name][eq]": "ab"}, json={"tags": ["x"]})
    assert_422(r, D_MIN_NUMBERS, pointer="/phone_numbers")
    assert listed_ids(api, {"filter[voice.connection_name][eq]": "ab"}) == []


# ================================================================================================
# R-FILTER-PHONE-DIGITS
# ================================================================================================
@pytest.mark.rule("R-FILTER-PHONE-DIGITS")
@pytest.mark.parametrize("value", ["", "1", "12", "+12", "+"])
def test_phone_number_filter_needs_three_digits(api: httpx.Client, value: str) -> None:
    params = {"filter[phone_number]": value}
    detail = "must contain at least 3 digits"
    assert_422(api.post(UPDATE, params=params, json={"tags": ["x"]}), detail,
               parameter="filter[phone_number]")  # fmt: skip
    assert_422(api.get(NUMBERS, params=params), detail, parameter="filter[phone_number]")
    assert job_total(api) == 0


@pytest.mark.rule("R-FILTER-PHONE-DIGITS")
@pytest.mark.parametrize(
    "value", ["12a45", "312-736", "+1 312", "1312+", "(312)", "1a2", "ab", "+ab", "abc", "١٢٣"]
)
def test_non_digit_characters_match_nothing(api: httpx.Client, value: str) -> None:
    params = {"filter[phone_number]": value}
    r = api.post(UPDATE, params=params, json={"tags": ["x"]})
    assert_422(r, D_MIN_NUMBERS, pointer="/phone_numbers")
    assert listed_ids(api, params) == []
    assert job_total(api) == 0


@pytest.mark.rule("R-FILTER-PHONE-DIGITS")
@pytest.mark.parametrize("value", ["+1312", "1312", "736725", "+13127367254"])
def test_digits_match_as_a_substring(api: httpx.Client, value: str) -> None:
    digits = value.removeprefix("+")
    expected = select(lambda n: digits in n["phone_number"][1:])
    assert expected
    params = {"filter[phone_number]": value}
    assert target_ids(filter_job(api, params)) == expected[:1000]
    assert sorted(listed_ids(api, params), key=lambda i: (len(i), i)) == expected


# ================================================================================================
# R-FILTER-OVER-CAP, R-FILTER-NO-MATCH
# ================================================================================================
@pytest.mark.rule("R-FILTER-OVER-CAP")
@pytest.mark.parametrize(
    ("params", "pred"),
    [
        ({"filter[tag]": "sales"}, lambda n: "sales" in n["tags"]),
        ({"filter[status]": "active"}, lambda n: n["status"] == "active"),
        ({"filter[has_bundle]": "false"}, lambda n: n["has_bundle"] is False),
    ],
    ids=["tag-sales", "status-active", "has_bundle-false"],
)
def test_filter_over_1000_targets_the_first_1000_by_id(
    api: httpx.Client, params: dict[str, str], pred: Predicate
) -> None:
    matching = select(pred)
    assert len(matching) > 1000
    job = filter_job(api, params)
    assert target_ids(job) == matching[:1000]
    assert len(job["pending_operations"]) == 1000


@pytest.mark.rule("R-FILTER-OVER-CAP")
@pytest.mark.parametrize("settings_", [Settings(manual_clock=True, max_numbers=5)], ids=["max5"])
def test_filter_cap_follows_the_max_numbers_setting(api: httpx.Client) -> None:
    expected = select(lambda n: "sandbox" in n["tags"])
    assert len(expected) > 5
    assert target_ids(filter_job(api, {"filter[tag]": "sandbox"})) == expected[:5]


@pytest.mark.rule("R-FILTER-NO-MATCH")
@pytest.mark.parametrize(
    "params",
    [
        {"filter[customer_reference]": "no-such-reference"},
        {"filter[tag]": "no-such-tag"},
        {"filter[connection_id]": "1"},
        {"filter[billing_group_id]": "00000000-0000-4000-8000-000000000000"},
        {"filter[phone_number]": "+99999999"},
        {"filter[connection_id]": CONNECTION, "filter[voice.connection_name][eq]": "support-queue"},
    ],
    ids=["reference", "tag", "connection", "billing-group", "digits", "contradiction"],
)
def test_filter_matching_nothing_is_rejected(api: httpx.Client, params: dict[str, str]) -> None:
    for body in ({"tags": ["x"]}, {"phone_numbers": [], "tags": ["x"]}):
        r = api.post(UPDATE, params=params, json=body)
        assert_422(r, D_MIN_NUMBERS, pointer="/phone_numbers")
    assert job_total(api) == 0


@pytest.mark.rule("R-FILTER-NO-MATCH")
def test_filter_matching_only_numbers_deleted_by_the_tenant_is_rejected(
    api: httpx.Client,
) -> None:
    ref = "only-one-number"
    ident = select(lambda n: not n["deletion_lock_enabled"] and n["status"] == "active")[0]
    assert api.patch(f"{NUMBERS}/{ident}", json={"customer_reference": ref}).status_code == 200
    assert target_ids(filter_job(api, {"filter[customer_reference]": ref})) == [ident]
    assert api.delete(f"{NUMBERS}/{ident}").status_code == 200
    r = api.post(UPDATE, params={"filter[customer_reference]": ref}, json={"tags": ["x"]})
    assert_422(r, D_MIN_NUMBERS, pointer="/phone_numbers")
    assert job_total(api) == 1


# ================================================================================================
# R-FILTER-EMPTY-LIST, R-FILTER-AND-LIST
# ================================================================================================
@pytest.mark.rule("R-FILTER-EMPTY-LIST")
@pytest.mark.parametrize(
    "params",
    [{"filter[tag]": "sandbox"}, {"filter[status]": "active"}],
    ids=["sandbox", "active"],
)
def test_empty_list_with_a_filter_is_a_filter_job(
    api: httpx.Client, params: dict[str, str]
) -> None:
    without_list = filter_job(api, params, {"tags": ["x"]})
    with_empty_list = filter_job(api, params, {"phone_numbers": [], "tags": ["x"]})
    assert target_ids(with_empty_list) == target_ids(without_list)
    assert with_empty_list["parameters"] == without_list["parameters"]
    assert with_empty_list["phone_numbers"] == without_list["phone_numbers"]
    # without a filter the empty list is the R-EMPTY error
    r = api.post(UPDATE, json={"phone_numbers": [], "tags": ["x"]})
    assert_422(r, D_MIN_NUMBERS, pointer="/phone_numbers")


def _sandbox_split() -> tuple[list[str], list[str]]:
    inside = select(lambda n: "sandbox" in n["tags"])
    outside = select(lambda n: "sandbox" not in n["tags"])
    assert len(inside) >= 3
    assert len(outside) >= 3
    return inside, outside


@pytest.mark.rule("R-FILTER-AND-LIST")
def test_filter_narrows_the_given_list(api: httpx.Client) -> None:
    inside, outside = _sandbox_split()
    items = [inside[2], outside[0], inside[0], outside[1], inside[2]]
    job = filter_job(api, {"filter[tag]": "sandbox"}, {"phone_numbers": items, "tags": ["x"]})
    assert job["phone_numbers"] == [{"id": inside[2]}, {"id": inside[0]}]
    assert [op["id"] for op in job["pending_operations"]] == [inside[2], inside[0]]


@pytest.mark.rule("R-FILTER-AND-LIST")
def test_filter_narrowing_keeps_the_given_form(api: httpx.Client) -> None:
    inside, outside = _sandbox_split()
    e164 = {n["id"]: n["phone_number"] for n in records_in_id_order()}
    items = [e164[outside[0]], e164[inside[1]]]
    job = filter_job(api, {"filter[tag]": "sandbox"}, {"phone_numbers": items, "tags": ["x"]})
    assert job["phone_numbers"] == [{"phone_number": e164[inside[1]]}]
    assert job["pending_operations"] == [{"id": inside[1], "phone_number": e164[inside[1]]}]


@pytest.mark.rule("R-FILTER-AND-LIST")
def test_list_and_filter_still_checks_the_whole_list(api: httpx.Client) -> None:
    inside, outside = _sandbox_split()
    by_id = {n["id"] for n in records_in_id_order()}
    stranger = next(str(n) for n in range(1, 1000) if str(n) not in by_id)
    params = {"filter[tag]": "sandbox"}
    r = api.post(UPDATE, params=params, json={"phone_numbers": [inside[0], stranger],
                                              "tags": ["x"]})  # fmt: skip
    assert_422(r, "You must own every number in the bulk request", pointer="/phone_numbers")
    r = api.post(UPDATE, params=params, json={"phone_numbers": outside[:3], "tags": ["x"]})
    assert_422(r, D_MIN_NUMBERS, pointer="/phone_numbers")
    r = api.post(UPDATE, params=params, json={"phone_numbers": [inside[0]] * 1001, "tags": ["x"]})
    assert_422(r, "1000 numbers is the maximum allowed.", pointer="/phone_numbers")
    r = api.post(UPDATE, params=params, json={"phone_numbers": [inside[0]]})
    assert_422(r, "You must provide at least 1 updateable field.", pointer="/updateable_fields")
    assert job_total(api) == 0
