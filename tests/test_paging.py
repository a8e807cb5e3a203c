"""mockserver.rules.queries: page[number]/page[size], sort, and slicing with meta totals."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver import errors
from mockserver.rules.queries import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, parse_page, q_sort

PAGINATION_DETAIL = (
    "The provided 'page' parameter is invalid. It must be an object with 'size' and/or 'number' "
    "with numeric values."
)
SORT_DETAIL = "The value provided for sorting is not valid. Check the value used and try again."


def page_error(query: dict[str, Any]) -> str | None:
    """Expect the 'Invalid pagination' 422 and return its pointer."""
    with pytest.raises(errors.ApiError) as caught:
        parse_page(query)
    err = caught.value
    assert err.status == 422
    assert len(err.items) == 1
    body = err.to_json()["errors"][0]
    assert body["code"] == "10015"
    assert body["title"] == "Invalid pagination"
    assert body["detail"] == PAGINATION_DETAIL
    assert set(body["source"]) == {"pointer"}
    pointer: str | None = body["source"]["pointer"]
    return pointer


def sort_error(query: dict[str, Any], allowed: tuple[str, ...]) -> None:
    with pytest.raises(errors.ApiError) as caught:
        q_sort(query, allowed)
    err = caught.value
    assert err.status == 422
    body = err.to_json()
    assert body["errors"] == [
        {
            "code": "10015",
            "title": "Invalid sorting value",
            "detail": SORT_DETAIL,
            "source": {"pointer": "/sort"},
            "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10015"},
        }
    ]


# --- parse_page --------------------------------------------------------------------------------


@pytest.mark.rule("Q-PAGE")
def test_defaults() -> None:
    assert DEFAULT_PAGE_SIZE == 20
    assert MAX_PAGE_SIZE == 250
    assert parse_page({}) == Page(1, 20) == Page()
    assert parse_page({"sort": "x", "filter": {"a": "b"}}) == Page(1, 20)
    assert parse_page({"page": {}}) == Page(1, 20)


@pytest.mark.rule("Q-PAGE")
@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ({"number": "2"}, Page(2, 20)),
        ({"size": "5"}, Page(1, 5)),
        ({"number": "3", "size": "250"}, Page(3, 250)),
        ({"size": "1"}, Page(1, 1)),
        ({"number": "1"}, Page(1, 20)),
        ({"number": "999999"}, Page(999999, 20)),  # past the end is allowed (an empty page)
        ({"number": "007"}, Page(7, 20)),
        ({"number": " 4 "}, Page(4, 20)),
    ],
)
def test_valid_pages(page: dict[str, str], expected: Page) -> None:
    assert parse_page({"page": page}) == expected


@pytest.mark.rule("Q-PAGE")
@pytest.mark.parametrize(
    ("page", "pointer"),
    [
        ({"number": "0"}, "page/number"),
        ({"number": "-1"}, "page/number"),
        ({"number": "abc"}, "page/number"),
        ({"number": ""}, "page/number"),
        ({"number": "1.5"}, "page/number"),
        ({"number": "+1"}, "page/number"),
        ({"number": "1e3"}, "page/number"),
        ({"number": ["1"]}, "page/number"),  # page[number][]=1
        ({"number": {"x": "1"}}, "page/number"),  # page[number][x]=1
        ({"number": "²"}, "page/number"),  # a Unicode digit that int() refuses
        ({"size": "0"}, "page/size"),
        ({"size": "251"}, "page/size"),
        ({"size": "-5"}, "page/size"),
        ({"size": "ten"}, "page/size"),
        ({"size": ["5"]}, "page/size"),
        ({"size": "²"}, "page/size"),
        ({"number": "2", "size": "1000"}, "page/size"),
        ({"number": "x", "size": "1000"}, "page/number"),  # number is checked first
        ({"limit": "5"}, "page/limit"),
        ({"number": "1", "offset": "5"}, "page/offset"),
        ({"b": "1", "a": "1"}, "page/a"),  # unknown keys in sorted order
        ({"a": "1", "number": "x"}, "page/a"),  # unknown keys before bad values
    ],
)
def test_invalid_pages_point_at_the_culprit(page: dict[str, Any], pointer: str) -> None:
    assert page_error({"page": page}) == pointer


@pytest.mark.rule("Q-PAGE")
@pytest.mark.parametrize("raw", ["3", "", ["1", "2"]])
def test_page_that_is_not_an_object(raw: Any) -> None:
    assert page_error({"page": raw}) == "page"


@pytest.mark.rule("Q-PAGE")
@pytest.mark.rule("R-NO-500")
@given(
    st.one_of(
        st.text(max_size=6),
        st.lists(st.text(max_size=3), max_size=2),
        st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
    ),
    st.sampled_from(["number", "size"]),
)
def test_parse_page_raises_only_the_422(raw: Any, key: str) -> None:
    failure: errors.ApiError | None = None
    try:
        page = parse_page({"page": {key: raw}})
    except errors.ApiError as err:
        failure = err
    if failure is not None:
        assert failure.status == 422
        assert failure.items[0].pointer == f"page/{key}"
        assert failure.items[0].detail == PAGINATION_DETAIL
        return
    value = page.number if key == "number" else page.size
    assert isinstance(raw, str)
    assert value == int(raw.strip())
    assert value >= 1
    assert page.size <= MAX_PAGE_SIZE


# --- Page.slice --------------------------------------------------------------------------------


@pytest.mark.rule("Q-PAGE")
def test_slice_first_middle_last_and_past_the_end() -> None:
    items = list(range(45))
    first, meta = Page(1, 20).slice(items)
    assert first == list(range(20))
    assert meta == {"page_number": 1, "page_size": 20, "total_pages": 3, "total_results": 45}
    middle, meta = Page(2, 20).slice(items)
    assert middle == list(range(20, 40))
    assert meta["page_number"] == 2
    last, meta = Page(3, 20).slice(items)
    assert last == list(range(40, 45))
    assert meta == {"page_number": 3, "page_size": 20, "total_pages": 3, "total_results": 45}
    past, meta = Page(4, 20).slice(items)
    assert past == []
    assert meta == {"page_number": 4, "page_size": 20, "total_pages": 3, "total_results": 45}


@pytest.mark.rule("Q-PAGE")
def test_slice_of_nothing() -> None:
    nothing: list[dict[str, object]] = []
    data, meta = Page().slice(nothing)
    assert data == []
    assert meta == {"page_number": 1, "page_size": 20, "total_pages": 0, "total_results": 0}


def test_slice_exact_multiple_has_no_extra_page() -> None:
    data, meta = Page(2, 10).slice(list(range(20)))
    assert data == list(range(10, 20))
    assert meta["total_pages"] == 2
    data, meta = Page(3, 10).slice(list(range(20)))
    assert data == []
    assert meta["total_pages"] == 2


@pytest.mark.rule("Q-PAGE")
@given(total=st.integers(0, 600), size=st.integers(1, MAX_PAGE_SIZE))
def test_pages_partition_the_items(total: int, size: int) -> None:
    items = list(range(total))
    _, meta = Page(1, size).slice(items)
    pages = meta["total_pages"]
    assert pages == (total + size - 1) // size
    joined: list[int] = []
    for number in range(1, pages + 2):
        data, meta = Page(number, size).slice(items)
        assert meta == {
            "page_number": number,
            "page_size": size,
            "total_pages": pages,
            "total_results": total,
        }
        assert all(isinstance(v, int) for v in meta.values())
        assert len(data) <= size
        if number < pages:
            assert len(data) == size
        if number > pages:
            assert data == []
        joined += data
    assert joined == items


# --- parse_sort --------------------------------------------------------------------------------

ALLOWED = ("created_at",)


@pytest.mark.rule("Q-SORT")
def test_sort_default_is_none() -> None:
    assert q_sort({}, ALLOWED) is None
    assert q_sort({"page": {"number": "1"}}, ALLOWED) is None


@pytest.mark.rule("Q-SORT")
@pytest.mark.parametrize(
    ("raw", "allowed", "expected"),
    [
        ("created_at", ALLOWED, ("created_at", False)),
        ("-created_at", ALLOWED, ("created_at", True)),
        ("phone_number", ("purchased_at", "phone_number"), ("phone_number", False)),
        ("-purchased_at", ("purchased_at", "phone_number"), ("purchased_at", True)),
    ],
)
def test_sort_ascending_and_descending(
    raw: str, allowed: tuple[str, ...], expected: tuple[str, bool]
) -> None:
    assert q_sort({"sort": raw}, allowed) == expected


@pytest.mark.rule("Q-SORT")
@pytest.mark.parametrize(
    "raw",
    [
        "",
        "-",
        "+created_at",
        "--created_at",
        "created_at ",
        "Created_At",
        "updated_at",
        "created_at,-created_at",
        ["created_at"],
        {"created_at": "asc"},
    ],
)
def test_sort_rejects_everything_else(raw: Any) -> None:
    sort_error({"sort": raw}, ALLOWED)


def test_sort_rejects_a_field_allowed_elsewhere() -> None:
    sort_error({"sort": "phone_number"}, ALLOWED)
    sort_error({"sort": "created_at"}, ())
