"""The compiled fast path (``mockserver.fastcheck``) agrees with ``jsonschema`` on every schema.

Instances are drawn near each schema: built from its own keywords, with a chance at every node of
being wrong (another type, a value outside the enum, a pattern miss, a missing required key, an
extra key), so both valid and invalid instances are common and the invalid ones are invalid in
one small place, where a disagreement would hide.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver import errors, fastcheck, schemas
from mockserver.rules.shape import check_shape

Strategy = st.SearchStrategy[Any]

REQUEST_SCHEMAS = [
    "update_phone_numbers_request.schema.json",
    "update_emergency_settings_request.schema.json",
    "delete_phone_numbers_request.schema.json",
    "update_phone_number_request.schema.json",
    "voice_settings_request.schema.json",
    "update_filter.schema.json",
]

_scalars: Strategy = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False),
    st.text(max_size=8),
)  # fmt: skip
anything: Strategy = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


def _resolve(base: str, node: Any) -> tuple[str, Any]:
    while isinstance(node, dict) and set(node) - {"description", "$comment"} == {"$ref"}:
        name, _, pointer = node["$ref"].partition("#")
        base = name or base
        node = schemas.document(base)
        for token in filter(None, pointer.split("/")):
            node = node[token]
    return base, node


def near(base: str, node: Any, depth: int = 0) -> Strategy:
    """Instances close to ``node``: mostly shaped by it, sometimes wrong in one place."""
    base, node = _resolve(base, node)
    shaped = _shaped(base, node, depth)
    return st.one_of(shaped, shaped, shaped, shaped, shaped, shaped, shaped, anything)


def _shaped(base: str, node: Any, depth: int) -> Strategy:
    if not isinstance(node, dict) or depth > 6:
        return anything
    if "$ref" in node:  # a $ref with siblings: shape by the target
        return near(base, {"$ref": node["$ref"]}, depth + 1)
    if "enum" in node:
        return st.sampled_from(node["enum"]) | st.text(max_size=4)
    if "const" in node:
        return st.just(node["const"])
    for combinator in ("anyOf", "allOf"):
        if combinator in node:
            return st.one_of([near(base, sub, depth + 1) for sub in node[combinator]])
    kinds = node.get("type", [])
    kinds = kinds if isinstance(kinds, list) else [kinds]
    options: list[Strategy] = []
    for kind in kinds:
        if kind == "string":
            pattern = node.get("pattern")
            lo, hi = node.get("minLength", 0), node.get("maxLength", 20)
            options.append(st.text(min_size=max(0, lo - 1), max_size=min(hi + 1, 24)))
            edges = [n for n in (lo - 1, lo, hi, hi + 1) if 0 <= n <= 64]
            options.append(
                st.sampled_from(edges).flatmap(lambda n: st.text(min_size=n, max_size=n))
            )
            if pattern:
                options.append(st.from_regex(pattern))
            if node.get("format") == "uuid":
                options.append(st.uuids().map(str))
        elif kind == "integer":
            options.append(st.integers(-5, 50) | st.just(3.0))
        elif kind == "number":
            options.append(st.floats(-5, 50))
        elif kind == "boolean":
            options.append(st.booleans())
        elif kind == "null":
            options.append(st.none())
        elif kind == "array":
            options.append(
                st.lists(near(base, node.get("items", {}), depth + 1),
                         max_size=max(3, node.get("minItems", 0) + 1))
            )  # fmt: skip
        elif kind == "object":
            options.append(_objects(base, node, depth))
    return st.one_of(options) if options else anything


def _objects(base: str, node: dict[str, Any], depth: int) -> Strategy:
    """Objects with the required keys, one property always present (so deep ones are reached),
    the others optional, sometimes an unexpected key, sometimes a required key missing."""
    props: dict[str, Any] = node.get("properties", {})
    required = [k for k in node.get("required", []) if k in props]

    def build(focus: str | None) -> Strategy:
        must = {k: near(base, props[k], depth + 1) for k in required}
        if focus is not None:
            must[focus] = near(base, props[focus], depth + 1)
        optional = {k: near(base, v, depth + 1) for k, v in props.items() if k not in must}
        return st.fixed_dictionaries(must, optional={**optional, "unexpected": anything})

    focus = st.sampled_from(sorted(props)) if props else st.none()
    return _maybe_without(required, focus.flatmap(build))


def _maybe_without(required: list[str], objects: Strategy) -> Strategy:
    """Sometimes one required key is missing."""
    if not required:
        return objects
    drop = st.sampled_from([None, None, None, *required])
    return st.tuples(objects, drop).map(lambda p: {k: v for k, v in p[0].items() if k != p[1]})


def _agree(name: str, instance: Any) -> None:
    check = fastcheck.compiled(name)
    assert check is not None, f"{name} is not compiled: the fast path would never run"
    reference = schemas.validator(name).is_valid(instance)
    assert check(instance) == reference, (name, json.dumps(instance)[:500])


@pytest.mark.parametrize("name", schemas.names())
def test_every_schema_compiles(name: str) -> None:
    assert fastcheck.compiled(name) is not None


@pytest.mark.parametrize("name", schemas.names())
@given(data=st.data())
def test_fast_path_agrees_with_jsonschema(name: str, data: st.DataObject) -> None:
    _agree(name, data.draw(near(name, schemas.document(name))))


@pytest.mark.parametrize("name", REQUEST_SCHEMAS)
@settings(max_examples=200)
@given(data=st.data())
def test_fast_path_agrees_on_request_schemas_at_length(name: str, data: st.DataObject) -> None:
    """What the server validates on every request gets more examples than the rest."""
    _agree(name, data.draw(near(name, schemas.document(name))))


@given(instance=anything)
def test_fast_path_agrees_on_arbitrary_json(instance: Any) -> None:
    for name in REQUEST_SCHEMAS:
        _agree(name, instance)


def test_agreement_sees_both_answers() -> None:
    """The generator is not degenerate: it yields valid and invalid instances of a request."""
    name = REQUEST_SCHEMAS[0]
    seen: set[bool] = set()

    @settings(max_examples=200, database=None)
    @given(instance=near(name, schemas.document(name)))
    def collect(instance: Any) -> None:
        seen.add(schemas.validator(name).is_valid(instance))

    collect()
    assert seen == {True, False}


def test_fast_path_edge_semantics() -> None:
    """Booleans are not integers, 3.0 is one, enums compare as JSON."""
    check = fastcheck._Compiler().schema("x", {"type": "integer"})
    assert [check(v) for v in (3, 3.0, True, 3.5, "3")] == [True, True, False, False, False]
    enum = fastcheck._Compiler().schema("x", {"enum": [1, None, "a"]})
    assert [enum(v) for v in (1, 1.0, True, None, "a", "b")] == [
        True,
        True,
        False,
        True,
        True,
        False,
    ]
    with pytest.raises(fastcheck.Unsupported):
        fastcheck._Compiler().schema("x", {"patternProperties": {}})


def test_a_rejected_body_still_gets_the_reference_details() -> None:
    body = {"phone_numbers": ["1"], "tags": "not-a-list"}
    assert not fastcheck.is_valid(REQUEST_SCHEMAS[0], body)
    with pytest.raises(errors.ApiError) as caught:
        check_shape(REQUEST_SCHEMAS[0], body)
    assert caught.value.status == 422
    assert [i.pointer for i in caught.value.items] == ["/tags"]
