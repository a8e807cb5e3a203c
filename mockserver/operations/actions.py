"""The actions surface: ``POST /phone_numbers/{id}/actions/enable_emergency``,
``PATCH /phone_numbers/{id}/actions/bundle_status_change`` and
``POST /phone_numbers/actions/verify_ownership``.

``ActionsBackend(tenant)`` answers one tenant's requests. Each action changes (or reads) the
same records every other view shows: enabling emergency sets the fields the emergency batch job
sets, under its rules; a bundle change moves ``has_bundle``, so ``filter[has_bundle]`` of a CSV
download sees it at once. The checks are :mod:`mockserver.rules.actions`.
"""

from __future__ import annotations

from typing import Any

from mockserver import outcomes
from mockserver.clock import iso_ms
from mockserver.rules.actions import r_bundle_status_change, r_enable_emergency, r_verify_ownership
from mockserver.rules.jobs import r_dedup
from mockserver.rules.phone_numbers import n_resources
from mockserver.rules.shape import check_shape
from mockserver.tenant import Tenant
from mockserver.views import voice_view

EMERGENCY_ACTION_SCHEMA = "enable_emergency_request.schema.json"
BUNDLE_SCHEMA = "bundle_status_change_request.schema.json"
VERIFY_SCHEMA = "verify_ownership_request.schema.json"
RECORD_TYPE = "number_ownership_verification"


class ActionsBackend:
    """The number actions: enable_emergency, change_bundle_status, verify_ownership."""

    __slots__ = ("tenant",)

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant

    def enable_emergency(self, ident: str, body: Any) -> dict[str, Any]:
        """``POST /phone_numbers/{id}/actions/enable_emergency``."""
        tenant = self.tenant
        now = tenant.settle()
        inv = tenant.inventory
        record = n_resources(inv, ident)
        body = check_shape(EMERGENCY_ACTION_SCHEMA, body)
        r_enable_emergency(record, body, inv)
        params = {k: body[k] for k in ("emergency_enabled", "emergency_address_id")}
        new = outcomes.e_emergency(record, params, iso_ms(now))
        inv.replace(new)
        return voice_view(new)

    def change_bundle_status(self, ident: str, body: Any) -> dict[str, Any]:
        """``PATCH /phone_numbers/{id}/actions/bundle_status_change``."""
        tenant = self.tenant
        now = tenant.settle()
        inv = tenant.inventory
        record = n_resources(inv, ident)
        body = check_shape(BUNDLE_SCHEMA, body)
        bundle = body["bundle_id"]
        r_bundle_status_change(record, bundle, inv)
        new = dict(record, has_bundle=bundle is not None, bundle_id=bundle)
        new["updated_at"] = iso_ms(now)
        inv.replace(new)
        return voice_view(new)

    def verify_ownership(self, body: Any) -> dict[str, Any]:
        """``POST /phone_numbers/actions/verify_ownership``: which numbers the tenant owns "and
        are in an editable state" (found, with their ids) and which not (not in the account, or
        in a status no change may touch), in the order given, each once."""
        tenant = self.tenant
        tenant.l_read_no_move()
        body = check_shape(VERIFY_SCHEMA, body)
        items: list[str] = body["phone_numbers"]
        r_verify_ownership(items, tenant.settings.max_numbers)
        found: list[dict[str, str]] = []
        not_found: list[str] = []
        inv = tenant.inventory
        for e164 in r_dedup(items):
            record = inv.get_by_e164(e164)
            if record is None or record["status"] in outcomes.LOCKED_STATUSES:
                not_found.append(e164)
            else:
                found.append({"id": record["id"], "number_val_e164": e164})
        return {"record_type": RECORD_TYPE, "found": found, "not_found": not_found}
