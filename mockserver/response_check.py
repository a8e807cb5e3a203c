"""Checks that a response has the shape ``schemas/`` says for its route and status.

The route table is ``schemas/responses.json``. Used by the test suite (every response the server
sends), the contract suite, and the cassette drift check.
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from typing import Any

from mockserver import schemas


@cache
def _table() -> tuple[str, list[tuple[str, re.Pattern[str], int, str]]]:
    doc = json.loads((schemas.schemas_dir() / "responses.json").read_text(encoding="utf-8"))
    routes = [
        (r["method"], re.compile(r["path"]), int(r["status"]), r["schema"]) for r in doc["routes"]
    ]
    return doc["error_schema"], routes


#: the "schema" of a route whose body is a CSV file (the CSV download file)
CSV = "text/csv"


def _csv_problems(where: str, body: bytes) -> list[str]:
    """A CSV download file: UTF-8, a header row, every row as wide as the header."""
    try:
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    except (UnicodeDecodeError, csv.Error) as exc:
        return [f"{where}: expected a CSV file, received {exc}"]
    if not rows or not rows[0]:
        return [f"{where}: expected a CSV file with a header row, received {body[:80]!r}"]
    width = len(rows[0])
    return [
        f"{where}: expected {width} columns in CSV row {n}, received {len(row)}"
        for n, row in enumerate(rows[1:], start=2)
        if len(row) != width
    ]


def api_path(path: str) -> str:
    return path[3:] if path == "/v2" or path.startswith("/v2/") else path


def schema_for(method: str, path: str, status: int) -> str | None:
    """The schema reference (``file#pointer``) a response must match, ``None`` if unmapped."""
    error_schema, routes = _table()
    path = api_path(path)
    if path.startswith("/_mock"):
        return None
    if status >= 400:
        return error_schema
    for m, pattern, st, schema in routes:
        if m == method.upper() and st == status and pattern.match(path):
            return schema
    return None


def problems(method: str, path: str, status: int, body: bytes) -> list[str]:
    """Why a response breaks the contract ("expected / received" texts); ``[]`` if it doesn't."""
    where = f"{method.upper()} {path} -> {status}"
    schema = schema_for(method, path, status)
    if schema is None:
        if api_path(path).startswith("/_mock"):
            return []
        return [f"{where}: expected a documented status for this route, received {status}"]
    if schema == CSV:
        return _csv_problems(where, body)
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return [f"{where}: expected a JSON body, received {body[:80]!r}"]
    except RecursionError:  # valid or not, too deep for the parser to read
        return [f"{where}: expected a JSON body, received a body nested too deeply"]
    name, _, pointer = schema.partition("#")
    validator = schemas.validator(name, pointer)
    return [
        f"{where}: expected {schema} at /{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(payload)
    ]
