"""A compiled fast path for schema validation: ``is_valid`` only, no error details.

``jsonschema`` stays the reference: it produces every error detail, and the fast path decides
nothing it would not. Each schema is compiled once into nested closures (no per-call keyword
dispatch, no ``evolve``/``descend`` per array item), so the common valid request is accepted in
microseconds; anything the fast path rejects is handed to ``jsonschema`` for the details. A
hypothesis test proves both agree on valid and invalid instances of every request schema.

Only keywords the project's schemas use are compiled; an unknown one makes ``compile_schema``
raise ``Unsupported`` and the caller keeps ``jsonschema`` alone for that schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from mockserver import schemas

Check = Callable[[Any], bool]

#: keywords with no effect on validity
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples",
     "readOnly", "writeOnly", "deprecated"}
)  # fmt: skip


class Unsupported(Exception):
    """A schema keyword the fast path does not compile."""


def _equal(a: Any, b: Any) -> bool:
    """JSON equality as jsonschema has it: booleans are not numbers, 1 == 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | dict) or isinstance(b, list | dict):
        return False
    return bool(a == b)


def _is_type(name: str) -> Check:
    checks: dict[str, Check] = {
        "object": lambda x: isinstance(x, dict),
        "array": lambda x: isinstance(x, list),
        "string": lambda x: isinstance(x, str),
        "null": lambda x: x is None,
        "boolean": lambda x: isinstance(x, bool),
        "number": lambda x: isinstance(x, int | float) and not isinstance(x, bool),
        "integer": lambda x: (
            (isinstance(x, int) and not isinstance(x, bool))
            or (isinstance(x, float) and x.is_integer())
        ),
    }
    if name not in checks:
        raise Unsupported(f"type {name!r}")
    return checks[name]


class _Compiler:
    def __init__(self) -> None:
        self._refs: dict[str, Check] = {}

    def ref(self, base: str, ref: str) -> Check:
        name, _, pointer = ref.partition("#")
        key = f"{name or base}#{pointer}"
        if key not in self._refs:
            slot: list[Check] = []
            self._refs[key] = lambda x: slot[0](x)  # cycles resolve through the slot
            target: Any = schemas.document(name or base)
            for token in filter(None, pointer.split("/")):
                target = target[token.replace("~1", "/").replace("~0", "~")]
            slot.append(self.schema(name or base, target))
        return self._refs[key]

    def schema(self, base: str, node: Any) -> Check:
        if node is True:
            return lambda x: True
        if node is False:
            return lambda x: False
        if not isinstance(node, dict):
            raise Unsupported(f"schema node {node!r}")
        checks: list[Check] = []
        for keyword, value in node.items():
            if keyword in _ANNOTATIONS:
                continue
            method = getattr(self, "k_" + keyword.replace("$", ""), None)
            if method is None:
                raise Unsupported(f"keyword {keyword!r}")
            checks.append(method(base, value, node))
        if not checks:
            return lambda x: True
        if len(checks) == 1:
            return checks[0]
        bound = tuple(checks)
        return lambda x: all(c(x) for c in bound)

    # -- keywords (each: base document, keyword value, the whole node) ------------------------
    def k_ref(self, base: str, value: str, node: dict[str, Any]) -> Check:
        return self.ref(base, value)

    def k_type(self, base: str, value: Any, node: dict[str, Any]) -> Check:
        names = value if isinstance(value, list) else [value]
        tests = tuple(_is_type(n) for n in names)
        return tests[0] if len(tests) == 1 else (lambda x: any(t(x) for t in tests))

    def k_properties(self, base: str, value: dict[str, Any], node: dict[str, Any]) -> Check:
        props = {name: self.schema(base, sub) for name, sub in value.items()}
        return lambda x: (
            not isinstance(x, dict)
            or all(check(x[name]) for name, check in props.items() if name in x)
        )

    def k_required(self, base: str, value: list[str], node: dict[str, Any]) -> Check:
        names = tuple(value)
        return lambda x: not isinstance(x, dict) or all(n in x for n in names)

    def k_additionalProperties(self, base: str, value: Any, node: dict[str, Any]) -> Check:
        known = frozenset(node.get("properties", {}))
        if "patternProperties" in node:
            raise Unsupported("patternProperties")
        if value is False:
            return lambda x: not isinstance(x, dict) or x.keys() <= known
        check = self.schema(base, value)
        return lambda x: (
            not isinstance(x, dict) or all(check(v) for k, v in x.items() if k not in known)
        )

    def k_minProperties(self, base: str, value: int, node: dict[str, Any]) -> Check:
        return lambda x: not isinstance(x, dict) or len(x) >= value

    def k_enum(self, base: str, value: list[Any], node: dict[str, Any]) -> Check:
        options = tuple(value)
        if all(isinstance(v, str) for v in options):
            allowed = frozenset(options)
            return lambda x: isinstance(x, str) and x in allowed
        return lambda x: any(_equal(x, v) for v in options)

    def k_const(self, base: str, value: Any, node: dict[str, Any]) -> Check:
        return lambda x: _equal(x, value)

    def k_pattern(self, base: str, value: str, node: dict[str, Any]) -> Check:
        search = re.compile(value).search
        return lambda x: not isinstance(x, str) or search(x) is not None

    def k_minLength(self, base: str, value: int, node: dict[str, Any]) -> Check:
        return lambda x: not isinstance(x, str) or len(x) >= value

    def k_maxLength(self, base: str, value: int, node: dict[str, Any]) -> Check:
        return lambda x: not isinstance(x, str) or len(x) <= value

    def k_minimum(self, base: str, value: float, node: dict[str, Any]) -> Check:
        number = _is_type("number")
        return lambda x: not number(x) or x >= value

    def k_maximum(self, base: str, value: float, node: dict[str, Any]) -> Check:
        number = _is_type("number")
        return lambda x: not number(x) or x <= value

    def k_items(self, base: str, value: Any, node: dict[str, Any]) -> Check:
        if "prefixItems" in node:
            raise Unsupported("prefixItems")
        check = self.schema(base, value)
        return lambda x: not isinstance(x, list) or all(map(check, x))

    def k_minItems(self, base: str, value: int, node: dict[str, Any]) -> Check:
        return lambda x: not isinstance(x, list) or len(x) >= value

    def k_maxItems(self, base: str, value: int, node: dict[str, Any]) -> Check:
        return lambda x: not isinstance(x, list) or len(x) <= value

    def k_uniqueItems(self, base: str, value: bool, node: dict[str, Any]) -> Check:
        if not value:
            return lambda x: True

        def unique(x: Any) -> bool:
            if not isinstance(x, list):
                return True
            if all(isinstance(i, str) for i in x):
                return len(set(x)) == len(x)
            return not any(_equal(a, b) for i, a in enumerate(x) for b in x[i + 1 :])

        return unique

    def k_contains(self, base: str, value: Any, node: dict[str, Any]) -> Check:
        if "minContains" in node or "maxContains" in node:
            raise Unsupported("minContains/maxContains")
        check = self.schema(base, value)
        return lambda x: not isinstance(x, list) or any(map(check, x))

    def k_anyOf(self, base: str, value: list[Any], node: dict[str, Any]) -> Check:
        options = tuple(self.schema(base, sub) for sub in value)
        return lambda x: any(o(x) for o in options)

    def k_allOf(self, base: str, value: list[Any], node: dict[str, Any]) -> Check:
        parts = tuple(self.schema(base, sub) for sub in value)
        return lambda x: all(p(x) for p in parts)

    def k_format(self, base: str, value: str, node: dict[str, Any]) -> Check:
        from jsonschema import FormatChecker

        conforms = FormatChecker().conforms
        return lambda x: bool(conforms(x, value))


@cache
def compiled(name: str) -> Check | None:
    """The fast ``is_valid`` of a schema file; ``None`` if it uses a keyword not compiled."""
    try:
        return _Compiler().schema(name, schemas.document(name))
    except Unsupported:
        return None


def is_valid(name: str, instance: Any) -> bool:
    """Fast where compiled, else the reference validator (same answer either way)."""
    check = compiled(name)
    return check(instance) if check is not None else schemas.is_valid(name, instance)


@cache
def compiled_at(name: str, pointer: str) -> Check | None:
    """The fast ``is_valid`` of the sub-schema at ``name#pointer``; ``None`` if not compiled."""
    try:
        return _Compiler().ref(name, f"{name}#{pointer}")
    except Unsupported:
        return None
