"""The number actions (operations surface of the actions resource):
``POST /phone_numbers/{id}/actions/enable_emergency``,
``PATCH /phone_numbers/{id}/actions/bundle_status_change`` and
``POST /phone_numbers/actions/verify_ownership``.

Each action changes (or reads) the same records every other view shows: enabling emergency sets
the fields the emergency batch job sets, under its rules (:func:`outcomes.decide`); a bundle
change moves ``has_bundle``, so ``filter[has_bundle]`` of a CSV download sees it at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver import errors, outcomes
from mockserver.clock import iso_ms
from mockserver.inventory import Inventory, Record
from mockserver.jobs import EMERGENCY, UPDATE
from mockserver.validation import E164, check_shape, unique
from mockserver.views import voice_view

if TYPE_CHECKING:
    from mockserver.store import Tenant

RECORD_TYPE = "number_ownership_verification"


# -- enable_emergency ------------------------------------------------------------------------------
def r_enable_emergency(record: Record, body: dict[str, Any], inv: Inventory) -> None:
    """R-ENABLE-EMERGENCY: ``emergency_enabled`` must be true (the action enables), the address
    must be given, and the number must pass the emergency job's per-number rules (status,
    address of the account: O-STATUS, O-EMERGENCY-ADDRESS), here as a 422 of the request."""
    if body["emergency_enabled"] is not True:
        raise errors.bad_request(errors.D_MUST_BE_TRUE, pointer="/emergency_enabled")
    if body["emergency_address_id"] == "":
        raise errors.bad_request(
            errors.D_EMERGENCY_ADDRESS_REQUIRED, pointer="/emergency_address_id"
        )
    problems = outcomes.decide(EMERGENCY, body, record, inv)
    if problems:
        raise errors.ApiError(422, problems)


def enable_emergency(tenant: Tenant, ident: str, body: Any) -> dict[str, Any]:
    now = tenant.settle()
    record = tenant.number(ident)
    check_shape("enable_emergency_request.schema.json", body)
    assert isinstance(body, dict)
    r_enable_emergency(record, body, tenant.inventory)
    params = {k: body[k] for k in ("emergency_enabled", "emergency_address_id")}
    new = outcomes.apply_emergency(record, params, iso_ms(now))
    tenant.inventory.replace(new)
    return voice_view(new)


# -- bundle_status_change --------------------------------------------------------------------------
def r_bundle_status_change(record: Record, bundle: str | None, inv: Inventory) -> None:
    """R-BUNDLE-STATUS-CHANGE: a bundle of the account; a number already in another bundle must
    first be removed (``bundle_id: null``); the number's status must allow changes."""
    problems = outcomes.decide(UPDATE, {}, record, inv)
    if problems:
        raise errors.ApiError(422, problems)
    if bundle is None:
        return
    if bundle not in inv.bundles:
        raise errors.bad_request(errors.D_BUNDLE_UNKNOWN, pointer="/bundle_id")
    if record["has_bundle"] and record.get("bundle_id") != bundle:
        raise errors.bad_request(errors.D_BUNDLE_MOVE, pointer="/bundle_id")


def bundle_status_change(tenant: Tenant, ident: str, body: Any) -> dict[str, Any]:
    now = tenant.settle()
    record = tenant.number(ident)
    check_shape("bundle_status_change_request.schema.json", body)
    assert isinstance(body, dict)
    bundle = body["bundle_id"]
    r_bundle_status_change(record, bundle, tenant.inventory)
    new = dict(record, has_bundle=bundle is not None, bundle_id=bundle)
    new["updated_at"] = iso_ms(now)
    tenant.inventory.replace(new)
    return voice_view(new)


# -- verify_ownership ------------------------------------------------------------------------------
def r_verify_ownership(items: list[str], limit: int) -> None:
    """R-VERIFY-OWNERSHIP: 1 to ``limit`` (1,000) numbers, each in +E.164 (10016 at its index)."""
    if not items:
        raise errors.bad_request(errors.D_MIN_NUMBERS, pointer="/phone_numbers")
    if len(items) > limit:
        raise errors.bad_request(errors.D_MAX_NUMBERS.format(limit=limit), pointer="/phone_numbers")
    for index, item in enumerate(items):
        if not E164.fullmatch(item):
            raise errors.error(
                422, errors.NOT_E164, errors.T_NOT_E164, errors.D_NOT_E164_ITEM,
                pointer=f"/phone_numbers/{index}",
            )  # fmt: skip


def verify_ownership(tenant: Tenant, body: Any) -> dict[str, Any]:
    """Which numbers the tenant owns "and are in an editable state" (found, with their ids) and
    which not (not found: not in the account, or in a status no change may touch), in the order
    given, each once."""
    tenant.settle()
    check_shape("verify_ownership_request.schema.json", body)
    assert isinstance(body, dict)
    items: list[str] = body["phone_numbers"]
    r_verify_ownership(items, tenant.settings.max_numbers)
    found: list[dict[str, str]] = []
    not_found: list[str] = []
    inv = tenant.inventory
    for e164 in unique(items):
        record = inv.get_by_e164(e164)
        if record is None or record["status"] in outcomes.LOCKED_STATUSES:
            not_found.append(e164)
        else:
            found.append({"id": record["id"], "number_val_e164": e164})
    return {"record_type": RECORD_TYPE, "found": found, "not_found": not_found}
