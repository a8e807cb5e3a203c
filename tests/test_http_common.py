"""``http.common.dumps``: orjson on the fast path, byte for byte what the stdlib writes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mockserver.http.common import dumps

#: what the emulator puts in a response: no floats (none in the wire shapes), 64-bit integers
_scalars = (
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
)  # fmt: skip
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(st.characters(exclude_categories=["Cs"]), max_size=6), inner,
                      max_size=4),
    max_leaves=12,
)  # fmt: skip


def stdlib(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@given(_values)
def test_dumps_equals_the_stdlib_byte_for_byte(payload: Any) -> None:
    assert dumps(payload) == stdlib(payload)


def test_what_orjson_refuses_falls_back_to_the_stdlib() -> None:
    payload = {"big": 2**70, "name": "é\u2028"}
    assert dumps(payload) == stdlib(payload)
    assert json.loads(dumps(payload)) == payload
