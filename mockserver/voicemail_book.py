"""Voicemail settings as data: one tenant's book of settings per number, and their view.

A tenant's book starts as the world's (``voicemail`` of the world file: some numbers have
settings) and keeps its own changes on top, copy-on-write like the numbers. The operations are
:mod:`mockserver.operations.voicemail`; the PIN is a secret the journal and the cassettes redact
(``mockserver.scrub.SECRET_FIELDS``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


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

    def own(self) -> dict[str, dict[str, Any]]:
        """The tenant's own settings (created or changed), by number id."""
        return self._own


def v_nulls_voicemail(settings: dict[str, Any]) -> dict[str, Any]:
    """V-NULLS-VOICEMAIL: ``VoicemailPrefResponse`` has no nullable field: ``enabled`` always,
    ``pin`` and ``greeting`` only once set (left out, never null)."""
    out: dict[str, Any] = {"enabled": settings["enabled"]}
    if settings.get("pin") is not None:
        out["pin"] = settings["pin"]
    if settings.get("greeting") is not None:
        out["greeting"] = copy.deepcopy(settings["greeting"])
    return out


def merged(settings: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Settings with a create or update body applied (``media_name`` is dropped in the default
    greeting mode: "ignored when mode is default")."""
    out = copy.deepcopy(settings)
    for key in ("enabled", "pin"):
        if body.get(key) is not None:
            out[key] = body[key]
    greeting = body.get("greeting")
    if isinstance(greeting, dict):
        greet = dict(out.get("greeting") or {"mode": "default"})
        greet.update(greeting)
        if greet.get("mode") == "default":
            greet.pop("media_name", None)
        out["greeting"] = greet
    return out
