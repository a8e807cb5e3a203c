"""The rules of the number actions: enable_emergency (R-ENABLE-EMERGENCY),
bundle_status_change (R-BUNDLE-STATUS-CHANGE) and verify_ownership (R-VERIFY-OWNERSHIP).

A change of one number answers the per-number outcome rules a job target would fail
(:func:`mockserver.outcomes.decide`) at once, as a 422 of the request.
"""

from __future__ import annotations

from typing import Any

from mockserver import errors, outcomes
from mockserver.inventory import Inventory, Record
from mockserver.jobs import EMERGENCY, UPDATE
from mockserver.rules.jobs import E164


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
