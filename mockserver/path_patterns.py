"""Path patterns matched in linear time: fault routes and the journal's ``path`` filter.

Both come from users of a shared server, so none of them ever reaches a backtracking regex
engine. A pattern is compiled once into plain string operations (``==``, ``startswith``,
``endswith``, ``str.find``, bounded ``split``), so matching a path costs O(length of the path),
whatever the pattern.

A fault ``route`` (:func:`fault_route`), always matched against the path without ``/v2``:

- ``/phone_numbers/jobs``: a literal path prefix on segment boundaries (the path itself and
  everything below it; not ``/phone_numbers/jobs_x``);
- ``/phone_numbers/*/voice``: a glob, matched against the whole path: ``*`` is any run of
  characters within one segment (``update_*`` too), ``**`` (a whole segment, at most once) any
  number of segments, none included;
- ``^/phone_numbers/jobs``, ``^/phone_numbers$``, ``jobs``, ``voice$``: the regular expressions
  of earlier versions, as long as they are plain text with ``^``/``$`` anchors (``\\`` escapes a
  punctuation character): a prefix, the whole path, a suffix or a substring, as ``re.search``
  read them.

Anything else (a regex with ``+``, ``(``, ``[``, ``.``, ``|`` ...) is refused with a
``ValueError``; the fault controls answer it with 422 (rule C-FAULT-ROUTE). A leading ``/v2`` in
a pattern is dropped, as it is from paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mockserver.api_paths import api_path

#: the longest route a fault may have
MAX_ROUTE = 256
#: characters that make a route a regular expression (a path pattern has none of them)
_REGEX_ONLY = frozenset("^$()[]{}|?+\\")
#: regex metacharacters the anchored-literal subset refuses unescaped
_META = frozenset(".^$*+?()[]{}|")
#: a journal placeholder: ``{name}`` (as in ``/phone_numbers/{id}``) is one segment's worth
_PLACEHOLDER = re.compile(r"\{[^/{}]+\}")  # ours, not the user's: no nested quantifier


class RouteError(ValueError):
    """A route that is not a supported pattern (the message says why)."""


@dataclass(frozen=True, slots=True)
class SegmentGlob:
    """One segment: literal ``pieces`` with a wildcard between each two, the i-th wildcard
    taking at least ``least[i]`` characters (never a ``/``). Matched greedily, leftmost first:
    correct for a single kind of wildcard, and linear (each piece is searched once)."""

    pieces: tuple[str, ...]
    least: tuple[int, ...] = ()

    def matches(self, segment: str) -> bool:
        pieces, least = self.pieces, self.least
        if not least:
            return segment == pieces[0]
        first, last = pieces[0], pieces[-1]
        end = len(segment) - len(last)  # where the last piece must start
        if end < len(first) or not segment.startswith(first) or not segment.endswith(last):
            return False
        pos = len(first)
        for piece, gap in zip(pieces[1:-1], least[:-1], strict=True):
            found = segment.find(piece, pos + gap, end)
            if found < 0:
                return False
            pos = found + len(piece)
        return end - pos >= least[-1]


def _star_glob(segment: str) -> SegmentGlob:
    pieces = segment.split("*")
    if len(pieces) == 1:
        return SegmentGlob((segment,))
    return SegmentGlob(tuple(pieces), (0,) * (len(pieces) - 1))


@dataclass(frozen=True, slots=True)
class Matcher:
    """A compiled pattern. ``kind`` is ``prefix`` (on segment boundaries), ``starts``, ``exact``,
    ``ends``, ``contains`` (all literal ``text``), ``segments`` (``head`` then ``tail`` segment
    globs, exactly, or with any number of segments between them when ``gap``)."""

    kind: str
    text: str = ""
    head: tuple[SegmentGlob, ...] = ()
    tail: tuple[SegmentGlob, ...] = ()
    gap: bool = False

    def matches(self, path: str) -> bool:
        """Whether ``path`` (without ``/v2``) matches."""
        kind, text = self.kind, self.text
        if kind == "prefix":
            return path == text or path.startswith(text if text.endswith("/") else text + "/")
        if kind == "starts":
            return path.startswith(text)
        if kind == "exact":
            return path == text
        if kind == "ends":
            return path.endswith(text)
        if kind == "contains":
            return text in path
        return self._segments(path)

    def _segments(self, path: str) -> bool:
        if not path.startswith("/"):
            return False
        body = path[1:]
        head, tail = self.head, self.tail
        if not self.gap:
            if body.count("/") != len(head) - 1:  # in C: no split of a hostile path
                return False
            return all(g.matches(s) for g, s in zip(head, body.split("/"), strict=True))
        if body.count("/") + 1 < len(head) + len(tail):
            return body == "" and not head and not tail
        first = body.split("/", len(head))[: len(head)] if head else []
        last = body.rsplit("/", len(tail))[-len(tail) :] if tail else []
        return all(g.matches(s) for g, s in zip(head, first, strict=True)) and all(
            g.matches(s) for g, s in zip(tail, last, strict=True)
        )


def fault_route(route: str) -> Matcher:
    """The matcher of a fault's ``route``; :class:`RouteError` if it is not a supported one."""
    if len(route) > MAX_ROUTE:
        raise RouteError(f"longer than {MAX_ROUTE} characters")
    if route.startswith("/") and _REGEX_ONLY.isdisjoint(route):
        path = api_path(route)
        return _glob(path) if "*" in path else Matcher("prefix", path)
    return _anchored_literal(route)


def _glob(path: str) -> Matcher:
    head: list[SegmentGlob] = []
    tail: list[SegmentGlob] = []
    gap = False
    for segment in path[1:].split("/"):
        if segment == "**":
            if gap:
                raise RouteError("** may appear once")
            gap = True
            continue
        if "**" in segment:
            raise RouteError("** must be a whole segment")
        (tail if gap else head).append(_star_glob(segment))
    return Matcher("segments", head=tuple(head), tail=tuple(tail), gap=gap)


def _anchored_literal(route: str) -> Matcher:
    text = route
    starts = text.startswith("^")
    if starts:
        text = text[1:]
    ends = text.endswith("$") and (len(text) - len(text[:-1].rstrip("\\")) - 1) % 2 == 0
    if ends:
        text = text[:-1]
    literal: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            escaped = text[index + 1 : index + 2]
            if not escaped or escaped.isalnum() or escaped.isspace():
                raise RouteError("an escape other than \\ before punctuation")
            literal.append(escaped)
            index += 2
            continue
        if char in _META:
            raise RouteError(f"the regular expression operator {char!r}")
        literal.append(char)
        index += 1
    plain = "".join(literal)
    if starts:
        plain = api_path(plain)
    kind = {(True, True): "exact", (True, False): "starts", (False, True): "ends"}
    return Matcher(kind.get((starts, ends), "contains"), plain)


def journal_path(pattern: str) -> Matcher:
    """The journal's ``path`` filter: the whole path, ``/v2`` optional, ``{name}`` one or more
    characters of one segment (everything else literal)."""
    path = api_path(pattern)
    if not path.startswith("/"):
        return Matcher("exact", path)
    return Matcher("segments", head=tuple(_placeholder_glob(s) for s in path[1:].split("/")))


def _placeholder_glob(segment: str) -> SegmentGlob:
    pieces: list[str] = []
    least: list[int] = []
    pos = 0
    for found in _PLACEHOLDER.finditer(segment):
        literal = segment[pos : found.start()]
        if literal or not least:
            pieces.append(literal)
            least.append(1)
        else:  # {a}{b}: one wildcard of at least two characters
            least[-1] += 1
        pos = found.end()
    pieces.append(segment[pos:])
    return SegmentGlob(tuple(pieces), tuple(least))
