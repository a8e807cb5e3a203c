"""Voicemail settings per number (operations surface of the voicemail resource):
``POST``/``GET``/``PATCH /phone_numbers/{phone_number_id}/voicemail``.

A tenant's voicemail book starts as the world's (``voicemail`` of the world file: some numbers
have settings) and keeps its own changes on top, copy-on-write like the numbers. Settings belong
to a number: once the number is gone (deleted by a job or a DELETE) its voicemail is a 404 too.
The PIN is a secret: the journal and the cassettes redact every ``pin`` field.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mockserver import errors
from mockserver.validation import check_shape

if TYPE_CHECKING:
    from mockserver.store import Tenant

REQUEST_SCHEMA = "voicemail_request.schema.json"
POINTER = "/phone_number_id"


class VoicemailBook:
    """Voicemail settings by number id: the world's, under the tenant's own changes."""

    def __init__(self, base: Mapping[str, dict[str, Any]]) -> None:
        self._base = base
        self._own: dict[str, dict[str, Any]] = {}

    def get(self, ident: str) -> dict[str, Any] | None:
        found = self._own.get(ident)
        if found is None:
            found = self._base.get(ident)
        return found

    def put(self, ident: str, settings: dict[str, Any]) -> None:
        self._own[ident] = settings


def v_nulls_voicemail(settings: dict[str, Any]) -> dict[str, Any]:
    """V-NULLS-VOICEMAIL: ``VoicemailPrefResponse`` has no nullable field: ``enabled`` always,
    ``pin`` and ``greeting`` only once set (left out, never null)."""
    out: dict[str, Any] = {"enabled": settings["enabled"]}
    if settings.get("pin") is not None:
        out["pin"] = settings["pin"]
    if settings.get("greeting") is not None:
        out["greeting"] = copy.deepcopy(settings["greeting"])
    return out


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


def r_voicemail_create_twice(tenant: Tenant, ident: str) -> None:
    """R-VOICEMAIL-CREATE-TWICE: a number has one set of voicemail settings; a second create is a
    422 (change them with PATCH)."""
    if tenant.voicemail.get(ident) is not None:
        raise errors.bad_request(errors.D_VOICEMAIL_EXISTS, pointer="/base")


def r_voicemail_missing(tenant: Tenant, ident: str) -> dict[str, Any]:
    """R-VOICEMAIL-MISSING: an unknown number, or a number whose voicemail was never created,
    is a 404 at ``/phone_number_id`` for GET and PATCH."""
    if tenant.inventory.get(ident) is None:
        raise errors.not_found(pointer=POINTER)
    settings = tenant.voicemail.get(ident)
    if settings is None:
        raise errors.not_found(pointer=POINTER)
    return settings


def _merged(settings: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(settings)
    for key in ("enabled", "pin"):
        if body.get(key) is not None:
            out[key] = body[key]
    greeting = body.get("greeting")
    if isinstance(greeting, dict):
        merged = dict(out.get("greeting") or {"mode": "default"})
        merged.update(greeting)
        if merged.get("mode") == "default":
            merged.pop("media_name", None)  # "ignored when mode is default"
        out["greeting"] = merged
    return out


def create_voicemail(tenant: Tenant, ident: str, body: Any) -> dict[str, Any]:
    tenant.settle()
    if tenant.inventory.get(ident) is None:
        raise errors.not_found(pointer=POINTER)
    check_shape(REQUEST_SCHEMA, body)
    assert isinstance(body, dict)
    r_voicemail_fields(body)
    r_voicemail_create_twice(tenant, ident)
    settings = _merged({"enabled": True}, body)  # created settings are on unless enabled=false
    tenant.voicemail.put(ident, settings)
    return v_nulls_voicemail(settings)


def retrieve_voicemail(tenant: Tenant, ident: str) -> dict[str, Any]:
    tenant.settle()
    return v_nulls_voicemail(r_voicemail_missing(tenant, ident))


def update_voicemail(tenant: Tenant, ident: str, body: Any) -> dict[str, Any]:
    tenant.settle()
    if tenant.inventory.get(ident) is None:
        raise errors.not_found(pointer=POINTER)
    check_shape(REQUEST_SCHEMA, body)
    assert isinstance(body, dict)
    r_voicemail_fields(body)
    settings = _merged(r_voicemail_missing(tenant, ident), body)
    tenant.voicemail.put(ident, settings)
    return v_nulls_voicemail(settings)
