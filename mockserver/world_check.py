"""``schemas/world.schema.json`` applied as a world loads, cheaply enough for a million numbers.

A bad world file is an operator's error: it gets one :class:`WorldError` saying what is wrong
and where (a JSON pointer such as ``/numbers/17/id``, or a line and column for bad JSON), never
a traceback from somewhere deep in the loader.

The numbers are checked a column at a time over the compact rows (before they are sorted, so a
row's index is its place in the file): each distinct value of a column is checked once with the
compiled fast path, and a column of mostly unique strings (ids, E.164 numbers, timestamps) with
one regular expression over all of them. Every check of the number schema is per property, so
this decides exactly what validating each record would. The first bad value found is then
validated with ``jsonschema`` (the reference) for the message and its pointer.
"""

from __future__ import annotations

import re
from functools import cache, partial
from operator import is_not, itemgetter
from typing import Any

from jsonschema.exceptions import best_match

from mockserver import fastcheck, schemas

WORLD_SCHEMA = "world.schema.json"
_SHOWN = 200  # characters of a message kept
_BATCH_FROM = 2_000  # values from which a pattern column is checked in one pass
_NON_CAPTURING = re.compile(r"(?<!\\)\((?!\?)")


class WorldError(ValueError):
    """A world file that cannot be loaded; the message says what and where."""


def pointer(parts: Any) -> str:
    """A JSON pointer (RFC 6901) from path parts."""
    text = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return text or "/"


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _schema_error(instance: Any, prefix: tuple[Any, ...] = (), ref: str = "") -> WorldError | None:
    found = best_match(schemas.validator(WORLD_SCHEMA, ref).iter_errors(instance))
    if found is None:
        return None
    where = pointer((*prefix, *found.absolute_path))
    return WorldError(f"{where}: {_short(found.message)}")


def check_document(doc: Any) -> None:
    """A whole parsed world (files not in the streamed layout)."""
    if fastcheck.is_valid(WORLD_SCHEMA, doc):
        return
    error = _schema_error(doc)
    if error is not None:
        raise error


def check_header(header: dict[str, Any]) -> None:
    """Everything but the numbers (they are checked as rows)."""
    error = _schema_error({**header, "numbers": []})
    if error is not None:
        raise error


def record_error(index: int, record: Any) -> WorldError:
    """The error of one number (``index``: its place in the file)."""
    error = _schema_error(record, ("numbers", index), "/$defs/number")
    return error or WorldError(f"/numbers/{index}: not a valid number record")


@cache
def _number_properties() -> dict[str, Any]:
    properties: dict[str, Any] = schemas.document(WORLD_SCHEMA)["$defs"]["number"]["properties"]
    return properties


@cache
def _column_check(name: str) -> fastcheck.Check:
    check = fastcheck.compiled_at(WORLD_SCHEMA, f"/$defs/number/properties/{name}")
    assert check is not None, name  # the world schema uses only compiled keywords
    return check


def _resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node and len(node) == 1:
        target: Any = schemas.document(WORLD_SCHEMA)
        for token in filter(None, node["$ref"].partition("#")[2].split("/")):
            target = target[token]
        node = target
    return node


@cache
def _batch_pattern(name: str) -> tuple[re.Pattern[str], bool] | None:
    """For a property that is a string with one anchored pattern (or that or null): a regular
    expression matching every value joined by newlines, and whether ``None`` is allowed."""
    node = _resolve(_number_properties()[name])
    nullable = False
    if isinstance(node, dict) and set(node) == {"anyOf"} and len(node["anyOf"]) == 2:
        first, second = node["anyOf"]
        if second == {"type": "null"}:
            node, nullable = _resolve(first), True
    if not isinstance(node, dict) or node.get("type") != "string":
        return None
    if set(node) - {"type", "pattern", "format", "description"}:
        return None
    if node.get("format") not in (None, "date-time"):  # date-time: not checked without rfc3339
        return None
    text = node.get("pattern", "")
    if not (text.startswith("^") and text.endswith("$")) or any(
        bad in text[1:-1] for bad in ("^", "$", "[^", "\\s", "\\S", "\\D", "\\W", "\\n")
    ):
        return None
    body = _NON_CAPTURING.sub("(?:", text[1:-1])  # no group to remember: faster
    return re.compile(f"(?:(?:{body})\n)*+"), nullable  # possessive: never backtracks


def _batch_valid(name: str, values: list[Any]) -> bool | None:
    """Whether every value matches the property's pattern, checked in one pass over all of them
    (the column of a big world: mostly unique strings); ``None`` if that cannot decide."""
    batch = _batch_pattern(name) if len(values) >= _BATCH_FROM else None
    if batch is None:
        return None
    expression, nullable = batch
    present = list(filter(partial(is_not, None), values)) if nullable else values
    if not set(map(type, present)) <= {str}:
        return None
    joined = "\n".join(present) + "\n"
    if joined.count("\n") != len(present):  # a value holds a newline itself
        return None
    return expression.fullmatch(joined) is not None


def _all_valid(name: str, values: list[Any]) -> bool:
    """Whether every value is valid for the property (``values`` may hold repeats)."""
    batched = _batch_valid(name, values)
    if batched is not None:
        return batched
    check = _column_check(name)
    try:
        distinct: Any = set(values)
    except TypeError:  # an unhashable value (only where the schema wants none): one by one
        return all(map(check, values))
    kinds = set(map(type, values))  # of all values: True and 1 are one element of a set
    if len(kinds) > 1 and kinds & {bool, int, float}:  # True == 1: compare within one type
        return all(map(check, values))
    return all(map(check, distinct))


def check_rows(fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """The check ``number_table.Base.from_records`` runs over the rows (in file order) before
    it sorts them."""
    if not rows:
        return
    error = _schema_error(_record(fields, rows[0]), ("numbers", 0), "/$defs/number")
    if error is not None:  # fields missing or extra: every row has the first one's fields
        raise error
    for col, name in enumerate(fields):
        values = list(map(itemgetter(col), rows))
        if name == "tags":
            try:
                values = [list(tags) for tags in set(values)]
            except TypeError:  # an unhashable tag
                values = [list(tags) for tags in values]
        elif name == "voice":
            values = list({id(v): v for v in values}.values())
        if _all_valid(name, values) and (name != "id" or len(set(values)) == len(values)):
            continue
        if name == "id":
            _check_unique(values)
        check = _column_check(name)
        for index, row in enumerate(rows):
            if not check(list(row[col]) if name == "tags" else row[col]):
                raise record_error(index, _record(fields, row))


def _check_unique(ids: list[Any]) -> None:
    seen: dict[Any, int] = {}
    for index, ident in enumerate(ids):
        try:
            first = seen.setdefault(ident, index)
        except TypeError:  # not a string: the schema check reports it
            continue
        if first != index:
            raise WorldError(f"/numbers/{index}/id: {ident!r} is the id of /numbers/{first} too")


def _record(fields: tuple[str, ...], row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(fields, row, strict=True))
    if isinstance(record.get("tags"), tuple):
        record["tags"] = list(record["tags"])
    return record
