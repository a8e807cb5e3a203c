"""Job queries: retrieve (Q-JOB-404), list filters (Q-JOB-FILTERS), pages (Q-PAGE), sort (Q-SORT),
and pagination invariants for the job list and the number list."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import advance

WORLD = Path(__file__).resolve().parent.parent / "fixtures" / "world.json"
JOBS = "/v2/phone_numbers/jobs"
DAY = 86_400
TYPES = ("update_phone_numbers", "update_emergency_settings", "delete_phone_numbers")
STATUSES = ("pending", "in_progress", "completed", "failed", "expired")
D_PAGE = (
    "The provided 'page' parameter is invalid. It must be an object with 'size' and/or 'number' "
    "with numeric values."
)
D_SORT = "The value provided for sorting is not valid. Check the value used and try again."


@cache
def world() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORLD.read_text(encoding="utf-8"))
    return data


@cache
def active() -> list[dict[str, Any]]:
    """Active, unlocked local numbers (world order)."""
    return [
        r
        for r in world()["numbers"]
        if r["status"] == "active"
        and not r["deletion_lock_enabled"]
        and r["phone_number_type"] == "local"
    ]


def err(code: str, title: str, detail: str, **source: str) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "title": title, "detail": detail}
    if source:
        out["source"] = source
    out["meta"] = {"url": f"https://developers.telnyx.com/docs/overview/errors/{code}"}
    return out


def create(api: httpx.Client, kind: str, items: list[str], **extra: Any) -> str:
    body: dict[str, Any] = {"phone_numbers": items, **extra}
    if kind == "update_phone_numbers" and len(body) == 1:
        body["tags"] = ["q"]
    if kind == "update_emergency_settings":
        body.setdefault("emergency_enabled", False)
    r = api.post(f"{JOBS}/{kind}", json=body)
    assert r.status_code == 202, r.text
    job_id: str = r.json()["data"]["id"]
    return job_id


def list_ids(api: httpx.Client, params: Any) -> list[str]:
    r = api.get(JOBS, params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["meta"]["total_results"] == len(body["data"]) or body["meta"]["total_pages"] > 1
    return [j["id"] for j in body["data"]]


def assert_422(r: httpx.Response, detail: str, parameter: str) -> None:
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [err("10015", "Bad Request", detail, parameter=parameter)]


# -- Q-JOB-404 ----------------------------------------------------------------------------------
NOT_FOUND = err(
    "10005",
    "Resource not found",
    "The requested resource or URL could not be found.",
    pointer="/base",
)


@pytest.mark.rule("Q-JOB-404")
@pytest.mark.parametrize(
    "job_id",
    ["42587e44-3a3e-46de-9255-0c9a7a1d1ec7", "00000000-0000-4000-8000-000000000000", "abc", "123"],
)
@pytest.mark.parametrize("prefix", ["/v2", ""])
def test_unknown_job_is_404(api: httpx.Client, job_id: str, prefix: str) -> None:
    r = api.get(f"{prefix}/phone_numbers/jobs/{job_id}")
    assert r.status_code == 404
    assert r.json() == {"errors": [NOT_FOUND]}


@pytest.mark.rule("Q-JOB-404")
def test_other_tenants_job_is_404(api: httpx.Client, other_api: httpx.Client) -> None:
    job_id = create(api, "update_phone_numbers", [active()[0]["id"]])
    assert api.get(f"{JOBS}/{job_id}").status_code == 200
    r = other_api.get(f"{JOBS}/{job_id}")
    assert r.status_code == 404
    assert r.json() == {"errors": [NOT_FOUND]}
    assert other_api.get(JOBS).json()["meta"]["total_results"] == 0
    # the uppercase form of a known id is not the same id
    r = api.get(f"{JOBS}/{job_id.upper()}")
    assert r.status_code == 404


# -- Q-JOB-FILTERS ------------------------------------------------------------------------------
@pytest.fixture
def three_jobs(api: httpx.Client) -> dict[str, Any]:
    """A completed update (ref 'Ref-A'), an in-progress emergency job, a pending delete job."""
    n = active()
    done = create(api, "update_phone_numbers", [n[0]["id"], n[1]["id"]], customer_reference="Ref-A")
    advance(api, 1.1)
    running = create(
        api,
        "update_emergency_settings",
        [n[2]["phone_number"], n[3]["phone_number"], n[4]["phone_number"]],
    )
    advance(api, 1.05)
    waiting = create(api, "delete_phone_numbers", [n[5]["id"]])
    statuses = {j["id"]: j["status"] for j in api.get(JOBS).json()["data"]}
    assert statuses == {done: "completed", running: "in_progress", waiting: "pending"}
    return {"done": done, "running": running, "waiting": waiting, "numbers": n}


@pytest.mark.rule("Q-JOB-FILTERS")
@pytest.mark.parametrize(
    ("kind", "key"),
    [("update_phone_numbers", "done"), ("update_emergency_settings", "running"),
     ("delete_phone_numbers", "waiting")],
)  # fmt: skip
def test_filter_type(api: httpx.Client, three_jobs: dict[str, Any], kind: str, key: str) -> None:
    assert list_ids(api, {"filter[type]": kind}) == [three_jobs[key]]


@pytest.mark.rule("Q-JOB-FILTERS")
def test_filter_status_comma_and_repeated_forms(
    api: httpx.Client, three_jobs: dict[str, Any]
) -> None:
    j = three_jobs
    open_jobs = [j["waiting"], j["running"]]
    assert list_ids(api, {"filter[status]": "pending,in_progress"}) == open_jobs
    assert list_ids(
        api, [("filter[status][]", "pending"), ("filter[status][]", "in_progress")]
    ) == (open_jobs)
    assert list_ids(api, {"filter[status]": "completed"}) == [j["done"]]
    assert list_ids(api, {"filter[status][]": "pending"}) == [j["waiting"]]
    assert list_ids(api, {"filter[status]": "failed,expired"}) == []
    # AND across filters
    assert list_ids(
        api, {"filter[status]": "pending,completed", "filter[type]": "delete_phone_numbers"}
    ) == [j["waiting"]]
    assert (
        list_ids(api, {"filter[status]": "in_progress", "filter[type]": "delete_phone_numbers"})
        == []
    )


@pytest.mark.rule("Q-JOB-FILTERS")
def test_filter_phone_number_forms(api: httpx.Client, three_jobs: dict[str, Any]) -> None:
    j, n = three_jobs, three_jobs["numbers"]
    # by id, for a job created with ids and for one created with E.164 numbers
    assert list_ids(api, {"filter[phone_number]": n[1]["id"]}) == [j["done"]]
    assert list_ids(api, {"filter[phone_number]": n[3]["id"]}) == [j["running"]]
    # by +E.164, likewise
    assert list_ids(api, {"filter[phone_number]": n[0]["phone_number"]}) == [j["done"]]
    assert list_ids(api, {"filter[phone_number]": n[4]["phone_number"]}) == [j["running"]]
    # comma list and repeated form: OR within the filter
    both = f"{n[0]['id']},{n[5]['phone_number']}"
    assert list_ids(api, {"filter[phone_number]": both}) == [j["waiting"], j["done"]]
    repeated = [("filter[phone_number][]", n[0]["id"]), ("filter[phone_number][]", n[2]["id"])]
    assert list_ids(api, repeated) == [j["running"], j["done"]]
    # AND with another filter
    assert list_ids(
        api, {"filter[phone_number]": both, "filter[type]": "update_phone_numbers"}
    ) == [j["done"]]
    # unmatched or not owned: empty, not an error
    assert list_ids(api, {"filter[phone_number]": "+15551234567"}) == []
    assert list_ids(api, {"filter[phone_number]": active()[50]["id"]}) == []


@pytest.mark.rule("Q-JOB-FILTERS")
def test_filter_phone_number_value_limit(api: httpx.Client, three_jobs: dict[str, Any]) -> None:
    n = three_jobs["numbers"]
    ten = ",".join([n[0]["id"], *(r["id"] for r in active()[10:19])])
    assert list_ids(api, {"filter[phone_number]": ten}) == [three_jobs["done"]]
    eleven = ",".join(r["id"] for r in active()[:11])
    assert_422(
        api.get(JOBS, params={"filter[phone_number]": eleven}),
        "accepts at most 10 values",
        "filter[phone_number]",
    )
    # counted before duplicates are removed
    dupes = ",".join([n[0]["id"]] * 11)
    assert_422(
        api.get(JOBS, params={"filter[phone_number]": dupes}),
        "accepts at most 10 values",
        "filter[phone_number]",
    )
    repeated = [("filter[phone_number][]", n[0]["id"])] * 11
    assert api.get(JOBS, params=repeated).status_code == 422


@pytest.mark.rule("Q-JOB-FILTERS")
@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("abc", "must be phone numbers in +E.164 format or phone number ids"),
        ("+", "values beginning with + must have 1 to 20 digits after the plus sign"),
        ("+1" + "2" * 20, "values beginning with + must have 1 to 20 digits after the plus sign"),
        ("+1312abc", "values beginning with + must have 1 to 20 digits after the plus sign"),
    ],
)
def test_filter_phone_number_bad_values(api: httpx.Client, value: str, detail: str) -> None:
    assert_422(
        api.get(JOBS, params={"filter[phone_number]": value}), detail, "filter[phone_number]"
    )


@pytest.mark.rule("Q-JOB-FILTERS")
def test_filter_customer_reference(api: httpx.Client, three_jobs: dict[str, Any]) -> None:
    n = three_jobs["numbers"]
    again = create(api, "update_phone_numbers", [n[6]["id"]], customer_reference="Ref-A")
    literal_null = create(api, "update_phone_numbers", [n[7]["id"]], customer_reference="null")
    spaced = create(api, "update_phone_numbers", [n[8]["id"]], customer_reference=" Ref-A ")
    done = three_jobs["done"]
    assert list_ids(api, {"filter[customer_reference]": "Ref-A"}) == [again, done]
    assert list_ids(api, {"filter[customer_reference]": "ref-a"}) == []  # case-sensitive
    assert list_ids(api, {"filter[customer_reference]": "Ref"}) == []  # exact, not prefix
    assert list_ids(api, {"filter[customer_reference]": " Ref-A "}) == [spaced]
    assert list_ids(api, {"filter[customer_reference]": "null"}) == [literal_null]
    assert list_ids(
        api, {"filter[customer_reference]": "Ref-A", "filter[status]": "completed"}
    ) == [done]
    # the job's stored reference, not the number's current one
    numbers_ref = next(
        r["customer_reference"] for r in world()["numbers"] if r["customer_reference"]
    )
    assert list_ids(api, {"filter[customer_reference]": numbers_ref}) == []


@pytest.mark.rule("Q-JOB-FILTERS")
def test_filter_customer_reference_90_day_window(api: httpx.Client) -> None:
    old = create(api, "update_phone_numbers", [active()[0]["id"]], customer_reference="window")
    advance(api, 89 * DAY)
    assert list_ids(api, {"filter[customer_reference]": "window"}) == [old]
    advance(api, 2 * DAY)  # 91 days after creation
    assert list_ids(api, {"filter[customer_reference]": "window"}) == []
    # still listed without the filter, and found by other filters
    assert list_ids(api, {}) == [old]
    new = create(api, "update_phone_numbers", [active()[1]["id"]], customer_reference="window")
    assert list_ids(api, {"filter[customer_reference]": "window"}) == [new]


D_REF = "must be a non-blank string of at most 250 characters"


@pytest.mark.rule("Q-JOB-FILTERS")
@pytest.mark.parametrize(
    "params",
    [
        {"filter[customer_reference]": ""},
        {"filter[customer_reference]": "   "},
        {"filter[customer_reference]": "x" * 251},
        {"filter[customer_reference][]": "abc"},
        {"filter[customer_reference][x]": "abc"},
    ],
    ids=["empty", "blank", "too-long", "array", "object"],
)
def test_filter_customer_reference_invalid(api: httpx.Client, params: dict[str, str]) -> None:
    assert_422(api.get(JOBS, params=params), D_REF, "filter[customer_reference]")


@pytest.mark.rule("Q-JOB-FILTERS")
def test_filter_customer_reference_250_chars_ok(api: httpx.Client) -> None:
    ref = "r" * 250
    job = create(api, "update_phone_numbers", [active()[0]["id"]], customer_reference=ref)
    assert list_ids(api, {"filter[customer_reference]": ref}) == [job]


@pytest.mark.rule("Q-JOB-FILTERS")
@pytest.mark.parametrize(
    ("params", "detail", "parameter"),
    [
        ({"filter[foo]": "x"}, "is not a supported filter", "filter[foo]"),
        ({"filter[tag]": "x"}, "is not a supported filter", "filter[tag]"),
        (
            {"filter[type]": "update"},
            "must be one of: update_phone_numbers, update_emergency_settings, delete_phone_numbers",
            "filter[type]",
        ),
        (
            {"filter[status]": "pending,done"},
            "must be one of: pending, in_progress, completed, failed, expired",
            "filter[status]",
        ),
        (
            {"filter[status][]": "Pending"},
            "must be one of: pending, in_progress, completed, failed, expired",
            "filter[status]",
        ),
    ],
)
def test_filter_bad_values(
    api: httpx.Client, params: dict[str, str], detail: str, parameter: str
) -> None:
    assert_422(api.get(JOBS, params=params), detail, parameter)


# -- Q-PAGE -------------------------------------------------------------------------------------
def make_jobs(api: httpx.Client, count: int) -> list[str]:
    """``count`` single-target jobs, one per millisecond, cycling the three job types."""
    ids = []
    for i in range(count):
        kind = TYPES[i % 3]
        ids.append(create(api, kind, [active()[i]["id"]]))
        advance(api, 0.001)
    return ids


@pytest.mark.rule("Q-PAGE")
def test_page_defaults_and_empty_list(api: httpx.Client) -> None:
    body = api.get(JOBS).json()
    assert body == {
        "data": [],
        "meta": {"page_number": 1, "page_size": 20, "total_pages": 0, "total_results": 0},
    }
    make_jobs(api, 23)
    body = api.get(JOBS).json()
    assert len(body["data"]) == 20
    assert body["meta"] == {
        "page_number": 1,
        "page_size": 20,
        "total_pages": 2,
        "total_results": 23,
    }


@pytest.mark.rule("Q-PAGE")
def test_last_page_and_past_the_end(api: httpx.Client) -> None:
    ids = make_jobs(api, 5)
    newest_first = ids[::-1]
    for number, expected in ((1, newest_first[:2]), (2, newest_first[2:4]), (3, newest_first[4:])):
        body = api.get(JOBS, params={"page[size]": "2", "page[number]": str(number)}).json()
        assert [j["id"] for j in body["data"]] == expected
        assert body["meta"] == {
            "page_number": number,
            "page_size": 2,
            "total_pages": 3,
            "total_results": 5,
        }
    body = api.get(JOBS, params={"page[size]": "2", "page[number]": "4"}).json()
    assert body == {
        "data": [],
        "meta": {"page_number": 4, "page_size": 2, "total_pages": 3, "total_results": 5},
    }
    body = api.get(JOBS, params={"page[number]": "99"}).json()
    assert body["data"] == []
    assert body["meta"] == {
        "page_number": 99,
        "page_size": 20,
        "total_pages": 1,
        "total_results": 5,
    }
    body = api.get(JOBS, params={"page[size]": "250"}).json()
    assert [j["id"] for j in body["data"]] == newest_first
    assert body["meta"]["page_size"] == 250
    body = api.get(JOBS, params={"page[size]": "1", "page[number]": "5"}).json()
    assert [j["id"] for j in body["data"]] == [ids[0]]


@pytest.mark.rule("Q-PAGE")
@pytest.mark.parametrize(
    ("key", "value"),
    [("size", "251"), ("size", "0"), ("size", "-1"), ("size", "abc"), ("size", ""),
     ("size", "1.5"), ("size", "\u00b2"), ("size", "\uff15"), ("number", "0"), ("number", "-1"),
     ("number", "abc"), ("number", ""), ("number", "\u0662")],
)  # fmt: skip
@pytest.mark.parametrize("path", [JOBS, "/v2/phone_numbers"])
def test_invalid_pagination(api: httpx.Client, path: str, key: str, value: str) -> None:
    r = api.get(path, params={f"page[{key}]": value})
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [err("10015", "Invalid pagination", D_PAGE, pointer=f"page/{key}")]


# -- Q-SORT -------------------------------------------------------------------------------------
@pytest.mark.rule("Q-SORT")
def test_sort_orders(api: httpx.Client) -> None:
    ids = make_jobs(api, 4)
    # two more at the very same instant: ties keep creation order
    same = [create(api, "update_phone_numbers", [active()[10 + i]["id"]]) for i in range(2)]
    created = ids + same
    assert list_ids(api, {}) == created[::-1]
    assert list_ids(api, {"sort": "-created_at"}) == created[::-1]
    assert list_ids(api, {"sort": "created_at"}) == created
    body = api.get(JOBS, params={"sort": "created_at"}).json()["data"]
    stamps = [j["created_at"] for j in body]
    assert stamps == sorted(stamps)
    assert (
        list_ids(api, {"sort": "created_at", "page[size]": "2", "page[number]": "2"})
        == (created[2:4])
    )


@pytest.mark.rule("Q-SORT")
@pytest.mark.parametrize(
    "value", ["bogus", "-bogus", "CREATED_AT", "created_at,", "--created_at", ""]
)
def test_invalid_sort_on_jobs(api: httpx.Client, value: str) -> None:
    r = api.get(JOBS, params={"sort": value})
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [err("10015", "Invalid sorting value", D_SORT, pointer="/sort")]


@pytest.mark.rule("Q-SORT")
@pytest.mark.parametrize("value", ["bogus", "created_at", "-updated_at"])
def test_invalid_sort_on_numbers(api: httpx.Client, value: str) -> None:
    r = api.get("/v2/phone_numbers", params={"sort": value})
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [err("10015", "Invalid sorting value", D_SORT, pointer="/sort")]


# -- pagination invariants ----------------------------------------------------------------------
def walk(api: httpx.Client, path: str, params: dict[str, str], size: int) -> list[str]:
    """Every page of a listing: pages disjoint, metadata consistent, the walk complete."""
    seen: list[str] = []
    number = 1
    total = None
    while True:
        body = api.get(
            path, params={**params, "page[size]": str(size), "page[number]": str(number)}
        ).json()
        meta = body["meta"]
        if total is None:
            total = meta["total_results"]
        assert meta["total_results"] == total
        assert meta["page_number"] == number
        assert meta["page_size"] == size
        assert meta["total_pages"] == -(-total // size)
        page = [item["id"] for item in body["data"]]
        if number < meta["total_pages"]:
            assert len(page) == size
        elif number == meta["total_pages"]:
            assert len(page) == total - size * (number - 1)
        else:
            assert page == []
            break
        assert not set(page) & set(seen)
        seen.extend(page)
        number += 1
    assert len(seen) == total
    return seen


@pytest.mark.rule("Q-PAGE")
@pytest.mark.rule("Q-SORT")
def test_job_pagination_invariants(api: httpx.Client) -> None:
    created = make_jobs(api, 23)
    full = list_ids(api, {"page[size]": "250"})
    assert full == created[::-1]
    for size in (1, 4, 7, 23, 50):
        assert walk(api, JOBS, {}, size) == full
    assert walk(api, JOBS, {"sort": "created_at"}, 6) == created
    updates = walk(api, JOBS, {"filter[type]": "update_phone_numbers"}, 3)
    assert updates == [j for j in full if j in set(created[0::3])]


@pytest.mark.rule("Q-PAGE")
@pytest.mark.parametrize(
    ("params", "size"),
    [({"filter[tag]": "sandbox"}, 50), ({"filter[tag]": "sandbox", "sort": "phone_number"}, 77),
     ({"filter[country_iso_alpha2]": "GB", "sort": "-purchased_at"}, 7)],
)  # fmt: skip
def test_number_pagination_invariants(api: httpx.Client, params: dict[str, str], size: int) -> None:
    seen = walk(api, "/v2/phone_numbers", params, size)
    key, value = next((k, v) for k, v in params.items() if k.startswith("filter"))
    field = "tags" if key == "filter[tag]" else "country_iso_alpha2"
    expected = {
        r["id"]
        for r in world()["numbers"]
        if (value in r[field] if field == "tags" else r[field] == value)
    }
    assert set(seen) == expected
    by_id = {r["id"]: r for r in world()["numbers"]}
    if params.get("sort") == "phone_number":
        phones = [by_id[i]["phone_number"] for i in seen]
        assert phones == sorted(phones)
    if params.get("sort") == "-purchased_at":
        stamps = [by_id[i]["purchased_at"] for i in seen]
        assert stamps == sorted(stamps, reverse=True)
