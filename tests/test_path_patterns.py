"""mockserver.path_patterns: the fault-route syntax and the journal's path filter, against a
reference built on ``re`` (safe here: short, generated inputs), plus the patterns they refuse."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.path_patterns import MAX_ROUTE, RouteError, fault_route, journal_path
from tests.route_reference import reference_glob, reference_placeholders

# -- the documented syntax ------------------------------------------------------------------------


@pytest.mark.rule("C-FAULT-ROUTE")
@pytest.mark.parametrize(
    ("route", "path", "matches"),
    [
        # a literal path: a prefix on segment boundaries
        ("/phone_numbers/jobs", "/phone_numbers/jobs", True),
        ("/phone_numbers/jobs", "/phone_numbers/jobs/update_phone_numbers", True),
        ("/phone_numbers/jobs", "/phone_numbers/jobsx", False),
        ("/phone_numbers", "/phone_numbers_contract_unknown_route", False),
        ("/v2/phone_numbers/jobs", "/phone_numbers/jobs/1", True),  # /v2 dropped, as from paths
        ("/", "/phone_numbers", True),
        ("/phone_numbers.json", "/phone_numbersXjson", False),  # '.' is a dot
        # globs, over the whole path
        ("/phone_numbers/*/voice", "/phone_numbers/1583466971586889004/voice", True),
        ("/phone_numbers/*/voice", "/phone_numbers/1/2/voice", False),  # * stays in a segment
        ("/phone_numbers/*", "/phone_numbers/1/voice", False),
        ("/phone_numbers/jobs/update_*", "/phone_numbers/jobs/update_phone_numbers", True),
        ("/phone_numbers/jobs/update_*", "/phone_numbers/jobs/delete_phone_numbers", False),
        ("/phone_numbers/**", "/phone_numbers", True),  # ** is any number of segments, none too
        ("/phone_numbers/**", "/phone_numbers/1/voice", True),
        ("/**/voice", "/phone_numbers/1/voice", True),
        ("/**/voice", "/phone_numbers/1", False),
        ("/phone_numbers/**/voice", "/phone_numbers/voice", True),
        ("/**", "/anything/at/all", True),
        # the regular expressions of earlier versions: plain text with anchors
        ("^/phone_numbers/jobs", "/phone_numbers/jobs/update_phone_numbers", True),
        ("^/phone_numbers/jobs", "/phone_numbers/jobsx", True),  # as re.search read it
        ("^/phone_numbers$", "/phone_numbers", True),
        ("^/phone_numbers$", "/phone_numbers/1", False),
        ("^/v2/phone_numbers/jobs", "/phone_numbers/jobs", True),
        ("jobs", "/phone_numbers/jobs/1", True),
        ("voice$", "/phone_numbers/1/voice", True),
        ("voice$", "/phone_numbers/1/voice/x", False),
        (r"^/phone_numbers\.json$", "/phone_numbers.json", True),
        ("", "/anything", True),
    ],
)
def test_route_syntax(route: str, path: str, matches: bool) -> None:
    assert fault_route(route).matches(path) is matches


@pytest.mark.rule("C-FAULT-ROUTE")
@pytest.mark.parametrize(
    "route",
    [
        "^/(a+)+$",  # the pattern: exponential under a backtracking engine
        "(a|aa)+$",
        "^/phone_numbers/[0-9]+$",
        "/phone_numbers/[0-9]+",  # a path with regex syntax is no glob
        "^/phone_numbers/.*/voice",
        "a{2,}",
        "x|y",
        "/a/**/b/**",  # ** at most once
        "/a**",  # ** a whole segment
        r"^\d+",  # only punctuation may be escaped
        "^a^",
        "/" + "a" * MAX_ROUTE,
    ],
)
def test_refused_routes(route: str) -> None:
    with pytest.raises(RouteError):
        fault_route(route)


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/x/{a}{b}", "/x/ab", True),
        ("/x/{a}{b}", "/x/a", False),  # each placeholder takes a character
        ("/x/{id}.json", "/x/1.json", True),
        ("/x/{id}.json", "/x/.json", False),
        ("/x/a{id}b{n}c", "/x/abbbc", True),
        ("x/{id}", "x/1", False),  # not a path: matches no path
        ("/x/{}", "/x/{}", True),  # not a placeholder: literal
    ],
)
def test_journal_path(pattern: str, path: str, matches: bool) -> None:
    assert journal_path(pattern).matches(path) is matches


# -- against a reference (tests/route_reference.py) ------------------------------------------------
segment_text = st.text("ab*", max_size=4)
globs = st.lists(st.one_of(segment_text, st.just("**")), min_size=1, max_size=4).filter(
    lambda segments: segments.count("**") <= 1 and all(s == "**" or "**" not in s for s in segments)
)
paths = st.lists(st.text("ab", max_size=4), min_size=1, max_size=5).map(
    lambda segments: "/" + "/".join(segments)
)


@given(segments=globs, path=paths)
def test_globs_match_as_the_reference(segments: list[str], path: str) -> None:
    route = "/" + "/".join(segments)
    assert fault_route(route).matches(path) is bool(reference_glob(route).search(path))


@given(text=st.text("ab/^$.\\", max_size=8), path=paths)
def test_anchored_literals_match_as_re_search(text: str, path: str) -> None:
    try:
        matcher = fault_route(text)
    except RouteError:
        return  # refused: the tests above pin what
    if text.startswith("/") and "\\" not in text and "^" not in text and "$" not in text:
        expected = bool(reference_glob(text).search(path))
    else:
        expected = re.search(text, path) is not None
    assert matcher.matches(path) is expected, text


@given(
    pattern=st.lists(
        st.lists(st.sampled_from(["a", "b", "{x}", "."]), max_size=4).map("".join),
        min_size=1,
        max_size=4,
    ).map(lambda segments: "/" + "/".join(segments)),
    path=paths,
)
def test_journal_paths_match_as_the_earlier_regex(pattern: str, path: str) -> None:
    expected = reference_placeholders(pattern).fullmatch(path) is not None
    assert journal_path(pattern).matches(path) is expected
