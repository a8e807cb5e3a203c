"""The messaging surface: the operations of ``/phone_numbers/messaging`` and
``/phone_numbers/{id}/messaging``.

``MessagingBackend(tenant)`` answers one tenant's requests. A number's messaging settings are
fields of the same record ``GET /phone_numbers`` shows (``messaging_profile_id``/``_name``,
``messaging_product``, ``tags``), so a PATCH here shows there at once, and a batch job's changes
show here. The checks are :mod:`mockserver.rules.messaging`.
"""

from __future__ import annotations

from typing import Any

from mockserver.clock import iso_ms
from mockserver.family_views import messaging_view
from mockserver.operations.phone_numbers import PhoneNumbersBackend
from mockserver.rules.messaging import r_messaging_list_query, r_messaging_update
from mockserver.rules.phone_numbers import n_resources
from mockserver.rules.queries import parse_page
from mockserver.rules.shape import check_shape
from mockserver.tenant import Tenant

MESSAGING_PATCH_SCHEMA = "messaging_settings_request.schema.json"


class MessagingBackend:
    """The numbers' messaging settings: list; a number's: retrieve, update."""

    __slots__ = ("tenant",)

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant

    def list_messaging_settings(
        self, query: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """``GET /phone_numbers/messaging``."""
        return self.v_messaging_list(query)

    def v_messaging_list(
        self, query: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """V-MESSAGING-LIST: every number of ``GET /phone_numbers`` in its default order (or by
        phone number with ``sort[phone_number]``), paged."""
        tenant = self.tenant
        tenant.l_read_no_move()
        f, descending = r_messaging_list_query(query)
        page = parse_page(query)
        order = None if descending is None else ("phone_number", descending)
        shown, meta = PhoneNumbersBackend(tenant).v_one_world(f, order, page)
        return [messaging_view(r, tenant.inventory) for r in shown], meta

    def retrieve_messaging_settings(self, ident: str) -> dict[str, Any]:
        """``GET /phone_numbers/{id}/messaging``."""
        self.tenant.l_read_no_move()
        inv = self.tenant.inventory
        return messaging_view(n_resources(inv, ident), inv)

    def update_messaging_settings(self, ident: str, body: Any) -> dict[str, Any]:
        """``PATCH /phone_numbers/{id}/messaging``: profile ("" unassigns), product, tags."""
        tenant = self.tenant
        now = tenant.settle()
        inv = tenant.inventory
        record = n_resources(inv, ident)
        body = check_shape(MESSAGING_PATCH_SCHEMA, body)
        r_messaging_update(record, body, inv)
        new = dict(record)
        profile = body.get("messaging_profile_id")
        if profile == "":
            new["messaging_profile_id"] = new["messaging_profile_name"] = None
        elif profile is not None:
            new["messaging_profile_id"] = profile
            new["messaging_profile_name"] = inv.messaging_profiles[profile]["name"]
        if body.get("messaging_product") is not None:
            new["messaging_product"] = body["messaging_product"]
        if body.get("tags") is not None:
            new["tags"] = list(dict.fromkeys(body["tags"]))
        new["updated_at"] = iso_ms(now)
        inv.replace(new)
        return messaging_view(new, inv)
