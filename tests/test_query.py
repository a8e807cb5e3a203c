"""mockserver.query.parse: deepObject query strings, strictly (every mistake is a 422)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver import errors
from mockserver.query import parse, wire_name

INVALID_NAME = "is not a valid query parameter name"
GIVEN_ONCE = "must be given once"
VALUE_AND_OBJECT = "cannot be both a value and an object"
ONE_FORM = "must be given in one form only"
DETAILS = {INVALID_NAME, GIVEN_ONCE, VALUE_AND_OBJECT, ONE_FORM}


def rejected(items: list[tuple[str, str]]) -> tuple[str, str | None]:
    """Parse ``items`` expecting the 422; return (detail, source.parameter)."""
    with pytest.raises(errors.ApiError) as caught:
        parse(items)
    err = caught.value
    assert err.status == 422
    assert len(err.items) == 1
    item = err.items[0]
    assert item.code == "10015"
    assert item.title == "Bad Request"
    assert item.pointer is None
    body = err.to_json()["errors"][0]
    assert body["source"] == {"parameter": item.parameter}
    return item.detail, item.parameter


# --- nesting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], {}),
        ([("sort", "-created_at")], {"sort": "-created_at"}),
        ([("a", "")], {"a": ""}),
        ([("page[number]", "2"), ("page[size]", "10")], {"page": {"number": "2", "size": "10"}}),
        (
            [("filter[voice.connection_name][contains]", "abc")],
            {"filter": {"voice.connection_name": {"contains": "abc"}}},
        ),
        (
            [("filter[tag]", "sales"), ("filter[voice.connection_name][eq]", "x"), ("x", "1")],
            {"filter": {"tag": "sales", "voice.connection_name": {"eq": "x"}}, "x": "1"},
        ),
        ([("a[b][c][d]", "v")], {"a": {"b": {"c": {"d": "v"}}}}),
        # a value is kept as given: no splitting, trimming or decoding
        ([("filter[status]", "a, b")], {"filter": {"status": "a, b"}}),
        ([("q", "[x]=y&z")], {"q": "[x]=y&z"}),
        # dots and odd characters are part of a name, not structure
        ([("a.b[c.d]", "1")], {"a.b": {"c.d": "1"}}),
        ([("a b[c d]", "1")], {"a b": {"c d": "1"}}),
    ],
)
def test_nesting(items: list[tuple[str, str]], expected: dict[str, Any]) -> None:
    assert parse(items) == expected


def test_trailing_brackets_collect_a_list_in_order() -> None:
    items = [("filter[status][]", "pending"), ("x", "1"), ("filter[status][]", "failed")]
    assert parse(items) == {"filter": {"status": ["pending", "failed"]}, "x": "1"}
    assert parse([("a[]", "1")]) == {"a": ["1"]}
    assert parse([("a[]", "1"), ("a[]", "1")]) == {"a": ["1", "1"]}  # repeats are kept
    assert parse([("a[]", "")]) == {"a": [""]}


def test_parse_accepts_any_iterable_of_pairs() -> None:
    assert parse(iter([("a[b]", "1")])) == {"a": {"b": "1"}}
    assert parse(p for p in [("a", "1")]) == {"a": "1"}


def test_wire_name_round_trips_the_key_form() -> None:
    assert wire_name("filter") == "filter"
    assert wire_name("filter", "tag") == "filter[tag]"
    assert wire_name("filter", "voice.connection_name", "eq") == (
        "filter[voice.connection_name][eq]"
    )
    key = wire_name("page", "size")
    assert parse([(key, "5")]) == {"page": {"size": "5"}}


# --- malformed keys ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "",
        "[a]",
        "[]",
        "a[",
        "a]",
        "a[b",
        "a]b[",
        "a[b]c",
        "a[b]]",
        "a[[b]]",
        "a[b[c]]",
        "a[b] ",
        "a[b]\n",  # a trailing newline is not part of a valid name either
        "a[][]",
        "a[][b]",
        "a[b][][c]",
        "a[b][][]",
    ],
)
def test_malformed_key_names_the_key(key: str) -> None:
    assert rejected([("ok", "1"), (key, "v")]) == (INVALID_NAME, key)


# --- duplicates and conflicts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "parameter"),
    [
        ([("a", "1"), ("a", "2")], "a"),
        ([("a", "1"), ("a", "1")], "a"),  # even the same value
        ([("a", ""), ("a", "")], "a"),
        ([("page[size]", "1"), ("page[size]", "2")], "page[size]"),
        ([("f[x][eq]", "1"), ("f[y]", "2"), ("f[x][eq]", "3")], "f[x][eq]"),
    ],
)
def test_a_value_given_twice(items: list[tuple[str, str]], parameter: str) -> None:
    assert rejected(items) == (GIVEN_ONCE, parameter)


@pytest.mark.parametrize(
    ("first", "second", "detail", "parameter"),
    [
        # a value and an object under one name
        ("a", "a[b]", VALUE_AND_OBJECT, "a"),
        ("a[b]", "a[b][c]", VALUE_AND_OBJECT, "a[b]"),
        ("filter[tag]", "filter[tag][eq]", VALUE_AND_OBJECT, "filter[tag]"),
        ("a", "a[b][c]", VALUE_AND_OBJECT, "a"),
        # a list and an object under one name
        ("a[]", "a[b]", VALUE_AND_OBJECT, "a"),
        ("x[a][]", "x[a][b]", VALUE_AND_OBJECT, "x[a]"),
        # a single value and a list under one name
        ("a", "a[]", ONE_FORM, "a"),
        ("filter[status]", "filter[status][]", ONE_FORM, "filter[status]"),
    ],
)
@pytest.mark.parametrize("order", ["as-listed", "reversed"])
def test_conflicting_forms_are_rejected_whatever_their_order(
    first: str, second: str, detail: str, parameter: str, order: str
) -> None:
    """The error names the shared prefix and says the same thing in both orders."""
    items = [(first, "1"), (second, "2")]
    if order == "reversed":
        items.reverse()
    assert rejected(items) == (detail, parameter)


def test_the_first_bad_pair_decides() -> None:
    items = [("a", "1"), ("b[", "x"), ("a", "2")]
    assert rejected(items) == (INVALID_NAME, "b[")
    items = [("a", "1"), ("a", "2"), ("b[", "x")]
    assert rejected(items) == (GIVEN_ONCE, "a")


# --- property: never anything but the 422 ------------------------------------------------------

KEY_ALPHABET = st.sampled_from(list("ab[]. \n\x00é"))
VALID_KEY = re.compile(r"[^\[\]]+(?:\[[^\[\]]*\])*")


def leaves(node: Any) -> int:
    if isinstance(node, dict):
        return sum(leaves(v) for v in node.values())
    if isinstance(node, list):
        assert all(isinstance(v, str) for v in node)
        return len(node)
    assert isinstance(node, str)
    return 1


@pytest.mark.rule("R-NO-500")
@given(
    st.lists(
        st.tuples(
            st.one_of(st.text(KEY_ALPHABET, max_size=8), st.text(max_size=6)),
            st.text(max_size=4),
        ),
        max_size=8,
    )
)
def test_parse_raises_only_the_422(items: list[tuple[str, str]]) -> None:
    failure: errors.ApiError | None = None
    try:
        result = parse(items)
    except errors.ApiError as err:
        failure = err
    if failure is not None:
        assert failure.status == 422
        assert [i.code for i in failure.items] == ["10015"]
        assert failure.items[0].detail in DETAILS
        assert failure.items[0].parameter is not None
        if failure.items[0].detail == INVALID_NAME:
            assert failure.items[0].parameter in [k for k, _ in items]
        return
    # on success nothing is lost or invented: one leaf per pair
    assert isinstance(result, dict)
    assert leaves(result) == len(items)
    assert {k.split("[", 1)[0] for k, _ in items} == set(result)
    assert all(VALID_KEY.fullmatch(k) for k, _ in items)
