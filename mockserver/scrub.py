"""Scrubbing secrets out of bodies, headers and URLs (for cassettes and the anonymous journal).

A light module (the standard library only): ``telnyx-mock serve`` imports it through the journal.
Fields are found in the *parsed* document, so ``"external\\u005fpin"`` is the same field as
``"external_pin"`` and a duplicated key cannot hide a value. Text that is not JSON (a body cut
short by the journal's size limit, a broken document) is read by a small tokenizer that decodes
every string the same way and redacts the value after any key it names. Both are linear in the
length of the text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

PLACEHOLDER = "REDACTED"
#: headers whose values are secrets: never journaled, always redacted in cassettes
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
#: JSON fields whose values are secrets (at any depth)
SECRET_FIELDS = frozenset({"external_pin"})
_WHITESPACE = " \t\r\n"


def json_text(text: str, fields: Iterable[str], placeholder: str = PLACEHOLDER) -> str | None:
    """``text`` with the value of every named field (not ``null``) replaced by ``placeholder``;
    ``None`` when nothing was replaced (the caller keeps the text as it was)."""
    names = frozenset(fields)
    if not names:
        return None
    changed = [False]

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in names and (value is not None or out.get(key) == placeholder):
                out[key] = placeholder
                changed[0] = True
            else:
                out[key] = value
        return out

    try:
        doc = json.loads(text, object_pairs_hook=pairs_hook)
    except (ValueError, RecursionError):
        return _tokens(text, names, placeholder)
    if not changed[0]:
        return None
    out = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    try:
        out.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (from a \ud800 escape): keep it escaped
        out = json.dumps(doc, separators=(",", ":"))
    return out


def json_bytes(raw: bytes, fields: Iterable[str], placeholder: str = PLACEHOLDER) -> bytes | None:
    """:func:`json_text` for bytes (UTF-8; undecodable bytes become U+FFFD when redacted)."""
    found = json_text(raw.decode("utf-8", "replace"), fields, placeholder)
    return None if found is None else found.encode("utf-8")


def _string_end(text: str, quote: int) -> int:
    """The index of the quote closing the string that opens at ``quote`` (-1: unterminated)."""
    end = quote + 1
    while True:
        end = text.find('"', end)
        if end < 0:
            return -1
        backslashes = 0
        while text[end - 1 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return end
        end += 1


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def _value_end(text: str, start: int) -> int:
    """Where the JSON value starting at ``start`` ends (exclusive; ``len(text)`` if cut short)."""
    if text[start] == '"':
        end = _string_end(text, start)
        return len(text) if end < 0 else end + 1
    depth, pos = 0, start
    while pos < len(text):
        char = text[pos]
        if char == '"':
            end = _string_end(text, pos)
            if end < 0:
                return len(text)
            pos = end + 1
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            if depth == 0:
                return pos
            depth -= 1
            if depth == 0:
                return pos + 1
        elif depth == 0 and (char == "," or char in _WHITESPACE):
            return pos
        pos += 1
    return len(text)


def _tokens(text: str, names: frozenset[str], placeholder: str) -> str | None:
    out: list[str] = []
    done = pos = 0
    while True:
        quote = text.find('"', pos)
        if quote < 0:
            break
        end = _string_end(text, quote)
        if end < 0:
            break
        pos = end + 1
        try:
            key = json.loads(text[quote:pos])
        except ValueError:
            continue
        colon = _skip_space(text, pos)
        if key not in names or colon >= len(text) or text[colon] != ":":
            continue
        start = _skip_space(text, colon + 1)
        if start >= len(text):
            break
        stop = _value_end(text, start)
        if text[start:stop] != "null":
            out += [text[done:start], json.dumps(placeholder)]
            done = stop
        pos = max(stop, start + 1)
    if not out:
        return None
    return "".join([*out, text[done:]])


def userinfo(url: str) -> list[str]:
    """The user name and password of a URL (as written and percent-decoded), if any."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    if "@" not in parts.netloc:
        return []
    info = parts.netloc.rpartition("@")[0]
    user, _, password = info.partition(":")
    found = {info, user, password, unquote(user), unquote(password)}
    return [s for s in found if s]


def without_userinfo(url: str) -> str:
    """The URL with any ``user:password@`` taken out of its authority."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.rpartition("@")[2] if "@" in url else url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
