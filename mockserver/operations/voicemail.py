"""The voicemail surface: the operations of ``/phone_numbers/{phone_number_id}/voicemail``.

``VoicemailBackend(tenant)`` answers one tenant's requests. Settings belong to a number: once
the number is gone (deleted by a job or a DELETE) its voicemail is a 404 too. The state is the
tenant's :class:`~mockserver.voicemail_book.VoicemailBook`; the checks are
:mod:`mockserver.rules.voicemail`.
"""

from __future__ import annotations

from typing import Any

from mockserver.rules.shape import check_shape
from mockserver.rules.voicemail import (
    r_voicemail_create_twice,
    r_voicemail_fields,
    r_voicemail_missing,
    voicemail_number,
)
from mockserver.tenant import Tenant
from mockserver.voicemail_book import merged, v_nulls_voicemail

VOICEMAIL_SCHEMA = "voicemail_request.schema.json"


class VoicemailBackend:
    """A number's voicemail settings: create, retrieve, update."""

    __slots__ = ("tenant",)

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant

    def create_voicemail(self, ident: str, body: Any) -> dict[str, Any]:
        """``POST /phone_numbers/{phone_number_id}/voicemail``: settings are on unless
        ``enabled: false``."""
        tenant = self.tenant
        tenant.settle()
        voicemail_number(tenant.inventory, ident)
        body = check_shape(VOICEMAIL_SCHEMA, body)
        r_voicemail_fields(body)
        r_voicemail_create_twice(tenant.voicemail, ident)
        settings = merged({"enabled": True}, body)
        tenant.voicemail.put(ident, settings)
        return v_nulls_voicemail(settings)

    def retrieve_voicemail(self, ident: str) -> dict[str, Any]:
        """``GET /phone_numbers/{phone_number_id}/voicemail``."""
        tenant = self.tenant
        tenant.l_read_no_move()
        return v_nulls_voicemail(r_voicemail_missing(tenant.inventory, tenant.voicemail, ident))

    def update_voicemail(self, ident: str, body: Any) -> dict[str, Any]:
        """``PATCH /phone_numbers/{phone_number_id}/voicemail``."""
        tenant = self.tenant
        tenant.settle()
        voicemail_number(tenant.inventory, ident)
        body = check_shape(VOICEMAIL_SCHEMA, body)
        r_voicemail_fields(body)
        current = r_voicemail_missing(tenant.inventory, tenant.voicemail, ident)
        settings = merged(current, body)
        tenant.voicemail.put(ident, settings)
        return v_nulls_voicemail(settings)
