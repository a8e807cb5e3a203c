"""Reference matchers for fault routes and journal filters, built on ``re``: fine for tests,
whose generated inputs are short (the emulator itself never runs a backtracking regex)."""

from __future__ import annotations

import re

from mockserver.api_paths import api_path as strip_v2

#: characters that make a route a regular expression (as in ``mockserver/path_patterns.py``)
REGEX_ONLY = frozenset("^$()[]{}|?+\\")


def reference_glob(route: str) -> re.Pattern[str]:
    """A regex for a path pattern (fine for tests: generated inputs are short)."""
    path = strip_v2(route)
    if "*" not in path:
        base = re.escape(path if path.endswith("/") else path + "/")
        return re.compile(f"^(?:{re.escape(path)}$|{base})")
    parts = []
    for segment in path[1:].split("/"):
        if segment == "**":
            parts.append("(?:/[^/]*)*")
        else:
            parts.append("/" + "[^/]*".join(re.escape(p) for p in segment.split("*")))
    return re.compile("^" + "".join(parts) + "$")


def reference_placeholders(pattern: str) -> re.Pattern[str]:
    """The journal's earlier, backtracking implementation."""
    escaped = re.escape(strip_v2(pattern))
    return re.compile(re.sub(r"\\\{[^/{}]+\\\}", "[^/]+", escaped))


def expected_fault(route: str, sent: str) -> bool | None:
    """Whether an accepted ``route`` should fault a request to ``sent`` (``None``: no opinion,
    for the anchored literals whose text starts with ``/v2``, pinned by the unit tests)."""
    path = strip_v2(sent)
    if route.startswith("/") and REGEX_ONLY.isdisjoint(route):
        return reference_glob(route).search(path) is not None
    literal = re.sub(r"\\(.)", r"\1", route.removeprefix("^").removesuffix("$"))
    if route.startswith("^") and (literal == "/v2" or literal.startswith(("/v2/", "/v2$"))):
        return None
    return re.search(route, path) is not None
