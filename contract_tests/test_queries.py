"""Read-only contract: auth, list pagination invariants, and the documented 404 / 422 answers
of the query endpoints. All GETs (safe on every target) except the few jobs the job-list test
creates to have something to page through."""

from __future__ import annotations

import uuid

import httpx
import pytest

from contract_tests.checks import check_error, check_pages, check_status
from contract_tests.strategies import Inventory
from contract_tests.targets import Target

JOBS = "/phone_numbers/jobs"
NUMBERS = "/phone_numbers"
MAX_PAGES = 30


def _without_auth(api: httpx.Client, path: str, authorization: str | None) -> httpx.Response:
    request = api.build_request("GET", path)
    if authorization is None:
        del request.headers["Authorization"]
    else:
        request.headers["Authorization"] = authorization
    return api.send(request)


@pytest.mark.rule("R-AUTH")
@pytest.mark.parametrize(
    "authorization",
    [None, "Basic Y29udHJhY3Q6a2V5", "Bearer", "bearer-only-a-key"],
    ids=["no-header", "basic-scheme", "bearer-without-key", "no-scheme"],
)
@pytest.mark.parametrize("path", [JOBS, NUMBERS])
def test_requests_without_a_usable_key_are_401(
    api: httpx.Client, path: str, authorization: str | None
) -> None:
    check_error(_without_auth(api, path, authorization), 401, "10009")


@pytest.mark.rule("R-AUTH-ALLOWLIST")
def test_a_key_the_server_never_issued_is_401(target: Target, api: httpx.Client) -> None:
    if not target.rejects_unknown_keys:
        pytest.skip(f"{target.name}: every bearer key is its own tenant (no allowlist)")
    check_error(_without_auth(api, JOBS, f"Bearer KEY-{uuid.uuid4().hex}"), 401, "10009")


def _walk(
    api: httpx.Client, path: str, params: dict[str, str], size: int
) -> list[tuple[dict[str, int], list[str]]]:
    pages = []
    for number in range(1, MAX_PAGES + 1):
        response = api.get(path, params={**params, "page[size]": str(size),
                                         "page[number]": str(number)})  # fmt: skip
        check_status(response, 200)
        payload = response.json()
        pages.append((payload["meta"], [item["id"] for item in payload["data"]]))
        if number >= payload["meta"]["total_pages"]:
            break
    return pages


@pytest.mark.rule("Q-PAGE")
def test_number_pages_are_disjoint_and_complete(api: httpx.Client, inventory: Inventory) -> None:
    params = {"filter[status]": "active"}
    pages = _walk(api, NUMBERS, params, 100)
    check_pages("GET /phone_numbers?filter[status]=active", pages, 100)
    past = api.get(NUMBERS, params={**params, "page[size]": "100",
                                    "page[number]": str(len(pages) + 1)})  # fmt: skip
    check_status(past, 200)
    if pages[0][0]["total_pages"] == len(pages):
        assert past.json()["data"] == [], "expected an empty page past the end / received items"


@pytest.mark.rule("Q-PAGE")
@pytest.mark.rule("R-JOB-SHAPE")
def test_job_pages_are_disjoint_and_complete(
    target: Target, api: httpx.Client, inventory: Inventory
) -> None:
    number = inventory.numbers[0]
    for _ in range(3):
        body = {"phone_numbers": [number["id"]], "customer_reference": "contract-paging"}
        created = api.post(f"{JOBS}/update_phone_numbers", json=body)
        check_status(created, 202)
        target.wait_for(created.json()["data"]["id"])
    pages = _walk(api, JOBS, {}, 2)
    check_pages("GET /phone_numbers/jobs", pages, 2)


@pytest.mark.rule("Q-PAGE")
@pytest.mark.parametrize(
    ("param", "value", "pointer"),
    [("page[size]", "0", "page/size"), ("page[size]", "251", "page/size"),
     ("page[number]", "0", "page/number"), ("page[number]", "x", "page/number")],
)  # fmt: skip
@pytest.mark.parametrize("path", [JOBS, NUMBERS])
def test_invalid_pagination_is_422(
    api: httpx.Client, path: str, param: str, value: str, pointer: str
) -> None:
    check_error(api.get(path, params={param: value}), 422, "10015", pointer=pointer)


@pytest.mark.rule("Q-SORT")
@pytest.mark.parametrize("path", [JOBS, NUMBERS])
def test_an_unknown_sort_is_422(api: httpx.Client, path: str) -> None:
    check_error(api.get(path, params={"sort": "not_a_field"}), 422, "10015", pointer="/sort")


@pytest.mark.rule("Q-JOB-404")
def test_an_unknown_job_is_404(api: httpx.Client) -> None:
    check_error(api.get(f"{JOBS}/{uuid.uuid4()}"), 404, "10005", pointer="/base")


@pytest.mark.rule("N-RESOURCES")
def test_an_unknown_number_is_404(api: httpx.Client) -> None:
    check_error(api.get(f"{NUMBERS}/1"), 404, "10005", pointer="/id")


@pytest.mark.rule("R-UNKNOWN-ROUTE")
def test_an_unknown_route_is_404(api: httpx.Client) -> None:
    check_error(api.get("/phone_numbers_contract_unknown_route"), 404, "10005")


@pytest.mark.rule("R-FILTER-UNKNOWN")
@pytest.mark.parametrize("path", [JOBS, NUMBERS])
def test_an_unknown_list_filter_is_422(api: httpx.Client, path: str) -> None:
    response = api.get(path, params={"filter[not_a_filter]": "x"})
    check_error(response, 422, "10015", parameter="filter[not_a_filter]")
