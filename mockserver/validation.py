"""Request validation: schema shape errors mapped to Telnyx errors, then the business rules.

Order of checks for a batch job (each failure stops the request; see the fidelity manifest):
shape (``schemas/``) -> targets present -> cap -> item format -> mixed forms -> updateable fields
-> field rules -> ownership -> billing group -> job cap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from jsonschema.exceptions import ValidationError

from mockserver import errors as E
from mockserver import fastcheck, schemas

E164 = re.compile(r"\+[1-9][0-9]{1,14}")
NUMBER_ID = re.compile(r"[0-9]{1,19}")

_ARTICLE = {"array": "an array", "object": "an object", "integer": "an integer"}


def _escape(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_of(path: Iterable[object]) -> str:
    return "".join("/" + _escape(p) for p in path)


def _type_detail(expected: object) -> str:
    names = expected if isinstance(expected, list) else [expected]
    words = [_ARTICLE.get(str(n), "null" if n == "null" else f"a {n}") for n in names]
    return "must be " + " or ".join(words)


def _item(err: ValidationError) -> list[E.ErrorItem]:
    pointer = pointer_of(err.absolute_path)
    keyword = err.validator
    value: Any = err.validator_value
    if keyword == "required":
        instance = err.instance if isinstance(err.instance, dict) else {}
        return [
            E.ErrorItem(E.BAD_REQUEST, E.T_BAD_REQUEST, E.D_MUST_BE_PRESENT, f"{pointer}/{name}")
            for name in value
            if name not in instance
        ]
    if keyword == "type":
        detail = _type_detail(value)
    elif keyword == "enum":
        detail = "must be one of: " + ", ".join(str(v) for v in value)
    elif keyword == "pattern" and pointer.endswith("/forwards_to"):
        return [E.ErrorItem(E.NOT_E164, E.T_NOT_E164, E.D_NOT_E164, pointer)]
    elif keyword == "pattern" and pointer.endswith("/cnam_listing_details"):
        detail = "must contain only letters, digits and spaces"
    elif keyword == "maxLength":
        detail = f"must be at most {value} characters"
    elif keyword == "minLength":
        detail = f"must be at least {value} characters"
    elif keyword == "const":
        detail = f"must be {value!r}"
    else:
        detail = "is invalid"
    return [E.ErrorItem(E.BAD_REQUEST, E.T_BAD_REQUEST, detail, pointer)]


def check_shape(schema_name: str, body: object) -> None:
    """Raise a 422 listing every shape error (sorted by pointer) when ``body`` is invalid."""
    if not isinstance(body, dict):
        raise E.bad_request(E.D_NOT_AN_OBJECT, pointer="/base")
    if fastcheck.is_valid(schema_name, body):
        return
    items: list[E.ErrorItem] = []
    for err in schemas.validator(schema_name).iter_errors(body):
        items.extend(_item(err))
    if not items:  # the reference has the last word; the agreement test keeps this unreachable
        return
    unique = {(i.pointer, i.detail): i for i in items}
    raise E.ApiError(422, [unique[k] for k in sorted(unique, key=lambda k: (k[0] or "", k[1]))])


# -- targets ------------------------------------------------------------------------------------
class Target(NamedTuple):
    """One number a job acts on, and the form it was given in (a tuple: cheap by the thousand)."""

    id: str
    phone_number: str
    given_as: str  # "id" or "phone_number"

    def operation(self) -> dict[str, str]:
        return {"id": self.id, "phone_number": self.phone_number}


def _all_plain_ids(items: list[str]) -> bool:
    """Every item matches ``NUMBER_ID`` (ASCII digits, 1-19 of them), in C-speed passes."""
    joined = "".join(items)
    return (
        joined.isascii()
        and joined.isdigit()
        and min(map(len, items)) > 0
        and max(map(len, items)) <= 19
    )


def check_items(items: list[str], *, max_numbers: int, allow_mixed: bool) -> None:
    """Count cap, item format and the mixed-forms rule, on the list as given."""
    if len(items) > max_numbers:
        raise E.bad_request(E.D_MAX_NUMBERS.format(limit=max_numbers), pointer="/phone_numbers")
    if _all_plain_ids(items):
        return  # the common case, decided without a regex per item
    forms: set[str] = set()
    for index, item in enumerate(items):
        if E164.fullmatch(item):
            forms.add("phone_number")
        elif NUMBER_ID.fullmatch(item):
            forms.add("id")
        else:
            raise E.error(
                422, E.NOT_E164, E.T_NOT_E164, E.D_MALFORMED_ITEM, pointer=f"/phone_numbers/{index}"
            )
    if len(forms) > 1 and not allow_mixed:
        raise E.bad_request(E.D_MIXED, pointer="/phone_numbers")


def unique(items: list[str]) -> list[str]:
    """Items without repeats, first occurrence kept."""
    return list(dict.fromkeys(items))
