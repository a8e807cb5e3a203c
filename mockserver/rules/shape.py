"""Body shape: a body checked against its schema (``schemas/``), each schema error mapped to a
Telnyx error by the rule it breaks.

A compiled fast path (:mod:`mockserver.fastcheck`) accepts valid bodies; only a body it rejects
goes to ``jsonschema``, which lists every error. In the manifest's order: R-NOT-OBJECT, R-TYPES,
R-ENUMS, R-REQUIRED, R-CNAM-FORMAT, R-FORWARDS-TO, R-FORWARDS-TO-VOICE.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jsonschema.exceptions import ValidationError

from mockserver import errors, fastcheck, schemas
from mockserver.errors import ErrorItem

#: the body whose pointers are relative to the voice object (``PATCH .../voice``)
VOICE_SCHEMA = "voice_settings_request.schema.json"


def _escape(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_of(path: Iterable[object]) -> str:
    return "".join("/" + _escape(p) for p in path)


def r_not_object(body: object) -> dict[str, Any]:
    """R-NOT-OBJECT: a JSON body that is not an object is a 422 at /base."""
    if not isinstance(body, dict):
        raise errors.bad_request(errors.D_NOT_AN_OBJECT, pointer="/base")
    return body


def _item(detail: str, pointer: str) -> list[ErrorItem]:
    return [ErrorItem(errors.BAD_REQUEST, errors.T_BAD_REQUEST, detail, pointer)]


def r_types(expected: object, pointer: str) -> list[ErrorItem]:
    """R-TYPES: 'must be a string' (or a boolean, an array, ...) at the field."""
    names = expected if isinstance(expected, list) else [expected]
    words = [errors.TYPE_WORDS.get(str(n)) or errors.TYPE_WORD.format(name=n) for n in names]
    return _item(errors.D_TYPE.format(types=errors.TYPE_JOINER.join(words)), pointer)


def r_enums(allowed: list[Any], pointer: str) -> list[ErrorItem]:
    """R-ENUMS: 'must be one of: ...' at the field."""
    return _item(errors.D_ONE_OF.format(values=", ".join(str(v) for v in allowed)), pointer)


def r_required(err: ValidationError, pointer: str) -> list[ErrorItem]:
    """R-REQUIRED: 'must be present' at each missing field."""
    instance = err.instance if isinstance(err.instance, dict) else {}
    return [
        ErrorItem(
            errors.BAD_REQUEST, errors.T_BAD_REQUEST, errors.D_MUST_BE_PRESENT, f"{pointer}/{name}"
        )
        for name in err.validator_value
        if name not in instance
    ]


def r_cnam_format(pointer: str) -> list[ErrorItem]:
    """R-CNAM-FORMAT: CNAM listing details hold letters, digits and spaces only (the length is
    the generic ``maxLength`` text)."""
    return _item(errors.D_CNAM_CHARACTERS, pointer)


def r_forwards_to(pointer: str) -> list[ErrorItem]:
    """R-FORWARDS-TO: ``forwards_to`` must be blank or +E.164 (10016)."""
    return [ErrorItem(errors.NOT_E164, errors.T_NOT_E164, errors.D_NOT_E164, pointer)]


def r_forwards_to_voice(pointer: str) -> list[ErrorItem]:
    """R-FORWARDS-TO-VOICE: the same on ``PATCH /phone_numbers/{id}/voice``, at the pointer
    relative to the voice object."""
    return r_forwards_to(pointer)


def _items(err: ValidationError, schema_name: str) -> list[ErrorItem]:
    pointer = pointer_of(err.absolute_path)
    keyword = err.validator
    value: Any = err.validator_value
    if keyword == "required":
        return r_required(err, pointer)
    if keyword == "type":
        return r_types(value, pointer)
    if keyword == "enum":
        return r_enums(value, pointer)
    if keyword == "pattern" and pointer.endswith("/forwards_to"):
        if schema_name == VOICE_SCHEMA:
            return r_forwards_to_voice(pointer)
        return r_forwards_to(pointer)
    if keyword == "pattern" and pointer.endswith("/cnam_listing_details"):
        return r_cnam_format(pointer)
    if keyword == "maxLength":
        return _item(errors.D_MAX_LENGTH.format(limit=value), pointer)
    if keyword == "minLength":
        return _item(errors.D_MIN_LENGTH.format(limit=value), pointer)
    if keyword == "const":
        return _item(errors.D_CONST.format(value=value), pointer)
    return _item(errors.D_INVALID, pointer)


def check_shape(schema_name: str, body: object) -> dict[str, Any]:
    """The body, when it has the schema's shape; else a 422 listing every shape error (sorted
    by pointer)."""
    body = r_not_object(body)
    if fastcheck.is_valid(schema_name, body):
        return body
    found: list[ErrorItem] = []
    for err in schemas.validator(schema_name).iter_errors(body):
        found.extend(_items(err, schema_name))
    if not found:  # the reference has the last word; the agreement test keeps this unreachable
        return body
    unique = {(i.pointer, i.detail): i for i in found}
    raise errors.ApiError(
        422, [unique[k] for k in sorted(unique, key=lambda k: (k[0] or "", k[1]))]
    )
