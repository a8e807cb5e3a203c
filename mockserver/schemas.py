"""The one loader of ``schemas/``: JSON Schema 2020-12 documents and cached validators.

The schemas are the project's single source of truth for wire shapes. The server validates
requests with them; tests validate every response with them; the contract suite generates inputs
from them. They ship inside the wheel as ``mockserver/_data/schemas`` and are read from the
repository's ``schemas/`` in a checkout.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

_PACKAGE_DIR = Path(__file__).resolve().parent


def schemas_dir() -> Path:
    """Where the schema files live: bundled in the wheel, else the checkout's ``schemas/``."""
    bundled = _PACKAGE_DIR / "_data" / "schemas"
    if bundled.is_dir():
        return bundled
    return _PACKAGE_DIR.parent / "schemas"


@cache
def _documents() -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    for path in sorted(schemas_dir().glob("*.schema.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and "$schema" in doc:
            docs[path.name] = doc
    return docs


@cache
def registry() -> Registry:  # type: ignore[type-arg,unused-ignore]
    resources = [
        (doc.get("$id", name), Resource.from_contents(doc, default_specification=DRAFT202012))
        for name, doc in _documents().items()
    ]
    return Registry().with_resources(resources)


def names() -> list[str]:
    """File names of every schema document."""
    return sorted(_documents())


def document(name: str) -> dict[str, Any]:
    """The raw schema document (read-only by convention)."""
    return _documents()[name]


@cache
def validator(name: str, pointer: str = "") -> Draft202012Validator:
    """A cached validator for a schema file, or for a sub-schema at ``name#pointer``."""
    schema: dict[str, Any] = {"$ref": f"{name}#{pointer}"} if pointer else document(name)
    return Draft202012Validator(schema, registry=registry(), format_checker=FormatChecker())


def errors(name: str, instance: object) -> Iterator[ValidationError]:
    found: Iterator[ValidationError] = validator(name).iter_errors(instance)
    return found


def check(name: str, instance: object) -> None:
    """Raise ``jsonschema.ValidationError`` (the best match) when ``instance`` is invalid."""
    validator(name).validate(instance)


def is_valid(name: str, instance: object) -> bool:
    return bool(validator(name).is_valid(instance))
