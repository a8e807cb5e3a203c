"""deepObject query strings, as the API uses: ``filter[voice.connection_name][contains]=abc``.

Parsing is strict where laxness would be dangerous: a malformed key, a value given twice, or a
key that is both a value and an object is a 422 naming the parameter, never a silent guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from mockserver import errors

_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_PART = re.compile(r"\[([^\[\]]*)\]")


def _wire(parts: list[str]) -> str:
    return parts[0] + "".join(f"[{p}]" for p in parts[1:])


def parse(items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Nest ``a[b][c]=v`` pairs into ``{"a": {"b": {"c": "v"}}}``.

    A trailing ``[]`` collects repeated values into a list (``filter[status][]=a&...``).
    """
    out: dict[str, Any] = {}
    for key, value in items:
        match = _KEY.fullmatch(key)
        if match is None:
            raise errors.bad_request(errors.D_QUERY_NAME, parameter=key)
        parts = [match.group(1), *_PART.findall(match.group(2))]
        is_list = parts[-1] == ""
        if is_list:
            parts = parts[:-1]
        if any(p == "" for p in parts):
            raise errors.bad_request(errors.D_QUERY_NAME, parameter=key)
        node = out
        for depth, part in enumerate(parts[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise errors.bad_request(
                    errors.D_VALUE_AND_OBJECT, parameter=_wire(parts[: depth + 1])
                )
            node = child
        leaf = parts[-1]
        existing = node.get(leaf)
        if isinstance(existing, dict):
            raise errors.bad_request(errors.D_VALUE_AND_OBJECT, parameter=_wire(parts))
        if existing is None:
            node[leaf] = [value] if is_list else value
        elif is_list and isinstance(existing, list):
            existing.append(value)
        elif is_list or isinstance(existing, list):
            raise errors.bad_request(errors.D_ONE_FORM, parameter=_wire(parts))
        else:
            raise errors.bad_request(errors.D_GIVEN_ONCE, parameter=_wire(parts))
    return out


def wire_name(*parts: str) -> str:
    """``wire_name("filter", "voice.connection_name", "contains")`` -> the wire key."""
    return _wire(list(parts))
