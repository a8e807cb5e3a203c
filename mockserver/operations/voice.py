"""The voice surface: the operations of ``/phone_numbers/voice`` and ``/phone_numbers/{id}/voice``.

``VoiceBackend(tenant)`` answers one tenant's requests, each method returning what the
response's ``data`` holds. Pointers of its errors are relative to the voice object.
"""

from __future__ import annotations

from typing import Any

from mockserver import outcomes
from mockserver.clock import iso_ms
from mockserver.jobs import UPDATE
from mockserver.operations.phone_numbers import PhoneNumbersBackend, refuse_unchangeable
from mockserver.rules.phone_numbers import SORTS, n_resources, r_cnam_voice, voice_list_filter
from mockserver.rules.queries import parse_page, q_sort
from mockserver.rules.shape import VOICE_SCHEMA, check_shape
from mockserver.tenant import Tenant
from mockserver.views import voice_view


class VoiceBackend:
    """The numbers' voice settings: list; a number's: retrieve, update."""

    __slots__ = ("tenant",)

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant

    def list_voice_settings(
        self, query: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """``GET /phone_numbers/voice``."""
        return self.v_voice_list(query)

    def v_voice_list(self, query: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """V-VOICE-LIST: the voice settings of the numbers of ``GET /phone_numbers``, in its
        order (and sorts), paged; the voice list's own filters."""
        tenant = self.tenant
        tenant.l_read_no_move()
        f = voice_list_filter(tenant.inventory, query.get("filter"))
        page = parse_page(query)
        shown, meta = PhoneNumbersBackend(tenant).v_one_world(f, q_sort(query, SORTS), page)
        return [voice_view(r) for r in shown], meta

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
