"""The rules of a number's voicemail settings (``/phone_numbers/{phone_number_id}/voicemail``):
the fields (R-VOICEMAIL-FIELDS), one create per number (R-VOICEMAIL-CREATE-TWICE) and the 404
before any create (R-VOICEMAIL-MISSING)."""

from __future__ import annotations

from typing import Any

from mockserver import errors
from mockserver.inventory import Inventory, Record
from mockserver.voicemail_book import VoicemailBook

#: voicemail errors of a number name the path parameter
POINTER = "/phone_number_id"


def voicemail_number(inv: Inventory, ident: str) -> Record:
    """The number the path names; unknown (or deleted): 404 at ``/phone_number_id``."""
    record = inv.get(ident)
    if record is None:
        raise errors.not_found(pointer=POINTER)
    return record


def r_voicemail_fields(body: dict[str, Any]) -> None:
    """R-VOICEMAIL-FIELDS: the PIN is 4 to 8 digits; a ``custom_greeting`` names its media."""
    pin = body.get("pin")
    if pin is not None and not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8):
        raise errors.bad_request(errors.D_VOICEMAIL_PIN, pointer="/pin")
    greeting = body.get("greeting")
    if not isinstance(greeting, dict) or greeting.get("mode") != "custom_greeting":
        return
    if not greeting.get("media_name"):
        raise errors.bad_request(errors.D_VOICEMAIL_MEDIA_NAME, pointer="/greeting/media_name")


def r_voicemail_create_twice(book: VoicemailBook, ident: str) -> None:
    """R-VOICEMAIL-CREATE-TWICE: a number has one set of voicemail settings; a second create is a
    422 (change them with PATCH)."""
    if book.get(ident) is not None:
        raise errors.bad_request(errors.D_VOICEMAIL_EXISTS, pointer="/base")


def r_voicemail_missing(inv: Inventory, book: VoicemailBook, ident: str) -> dict[str, Any]:
    """R-VOICEMAIL-MISSING: an unknown number, or a number whose voicemail was never created,
    is a 404 at ``/phone_number_id`` for GET and PATCH."""
    voicemail_number(inv, ident)
    settings = book.get(ident)
    if settings is None:
        raise errors.not_found(pointer=POINTER)
    return settings
