"""The voice surface: the operations of ``/phone_numbers/{id}/voice``.

``VoiceBackend(tenant)`` answers one tenant's requests, each method returning what the
response's ``data`` holds. Pointers of its errors are relative to the voice object.
"""

from __future__ import annotations

from typing import Any

from mockserver import outcomes
from mockserver.clock import iso_ms
from mockserver.jobs import UPDATE
from mockserver.operations.phone_numbers import refuse_unchangeable
from mockserver.rules.phone_numbers import n_resources, r_cnam_voice
from mockserver.rules.shape import VOICE_SCHEMA, check_shape
from mockserver.tenant import Tenant
from mockserver.views import voice_view


class VoiceBackend:
    """A number's voice settings: retrieve, update."""

    __slots__ = ("tenant",)

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant

    def retrieve_voice_settings(self, ident: str) -> dict[str, Any]:
        """``GET /phone_numbers/{id}/voice``."""
        self.tenant.l_read_no_move()
        return voice_view(n_resources(self.tenant.inventory, ident))

    def update_voice_settings(self, ident: str, body: Any) -> dict[str, Any]:
        """``PATCH /phone_numbers/{id}/voice``."""
        tenant = self.tenant
        now = tenant.settle()
        inv = tenant.inventory
        record = n_resources(inv, ident)
        body = check_shape(VOICE_SCHEMA, body)
        r_cnam_voice(body, record)
        params = {"voice": body}
        refuse_unchangeable(UPDATE, params, record, inv)
        new = outcomes.e_update(record, params, iso_ms(now))
        inv.replace(new)
        return voice_view(new)
