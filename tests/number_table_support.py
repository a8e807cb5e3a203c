"""Helpers shared by the number-table and world-streaming tests."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from fixtures.generate_world import dump_world, generate_world
from mockserver.number_table import Base, Record


def canon(value: Any) -> str:
    """Type-strict equality: True, 1 and 1.0 are equal in Python but not here."""
    return json.dumps(value, sort_keys=True)


@cache
def small_world() -> dict[str, Any]:
    return generate_world(11, 300)


def write(path: Path, data: dict[str, Any]) -> Path:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        dump_world(data, out)
    return path


def rec(ident: str, **fields: Any) -> Record:
    record: Record = {"id": ident, "phone_number": f"+1555{ident}", "status": "active"}
    record.update(tags=["a"], voice={"x": 1}, has_bundle=False)
    record.update(fields)
    return record


def records_of(base: Base) -> list[Record]:
    return [base.record(i) for i in range(len(base.ids))]


JSON_SCALARS = (
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=6)
)  # fmt: skip
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=3),
    max_leaves=6,
)  # fmt: skip
