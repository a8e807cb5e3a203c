"""The request rules of the batch jobs (``POST /phone_numbers/jobs/*``), one function per rule of
the fidelity manifest, named after its id, in the manifest's order.

:func:`r_validation_order` is the whole check sequence of a job creation: read it to know which
error a body with several problems gets. Every check only reads; the one write comes after
(:meth:`mockserver.operations.jobs.JobsBackend.r_atomic`).
"""

from __future__ import annotations

import copy
import re
from itertools import repeat
from typing import Any

from mockserver import errors
from mockserver.inventory import Inventory
from mockserver.jobs import DELETE, EMERGENCY, PARAMETER_FIELDS, UPDATE, UPDATEABLE_FIELDS, Target
from mockserver.rules.filters import (
    r_filter_and_list,
    r_filter_empty_list,
    r_filter_keys,
    r_filter_over_cap,
)
from mockserver.rules.shape import check_shape
from mockserver.tenant import Tenant

E164 = re.compile(r"\+[1-9][0-9]{1,14}")
NUMBER_ID = re.compile(r"[0-9]{1,19}")
SCHEMA_BY_TYPE = {
    UPDATE: "update_phone_numbers_request.schema.json",
    EMERGENCY: "update_emergency_settings_request.schema.json",
    DELETE: "delete_phone_numbers_request.schema.json",
}


def r_validation_order(
    tenant: Tenant, job_type: str, body: Any, query: dict[str, Any], now: int
) -> tuple[list[Target], bool]:
    """R-VALIDATION-ORDER: every check of a job creation, in order; the first failure answers.
    Returns the targets and whether a filter chose them."""
    inv, settings = tenant.inventory, tenant.settings
    flt = r_filter_keys(query, inv) if job_type == UPDATE else None
    body = check_shape(SCHEMA_BY_TYPE[job_type], body)
    items: list[str] | None = body.get("phone_numbers")
    forms: set[str] = set()
    if r_filter_empty_list(items, flt):
        items = None
    else:
        items = r_empty(r_present(items))
        r_cap(items, settings.max_numbers)
        forms = r_item_format(items)
    r_doc_example(job_type, body, forms, settings.allow_mixed_forms)
    if job_type == UPDATE:
        r_cnam_needs_enabled(body)
    elif job_type == EMERGENCY:
        r_emergency_address_required(body)
        r_emergency_address_forbidden(body)
    if items is None:
        assert flt is not None
        targets = r_filter_over_cap(inv, flt, settings.max_numbers)
    else:
        targets = r_filter_and_list(inv, r_ownership(inv, items), flt)
    r_billing_group(body, inv)
    if job_type == EMERGENCY:
        r_job_cap_emergency(tenant, now)
    else:
        r_job_cap(tenant, job_type, now)
    return targets, flt is not None


# -- targets --------------------------------------------------------------------------------------
def r_present(items: list[str] | None) -> list[str]:
    """R-PRESENT: no ``phone_numbers`` (and no filter)."""
    if items is None:
        raise errors.bad_request(errors.D_MUST_BE_PRESENT, pointer="/phone_numbers")
    return items


def r_empty(items: list[str]) -> list[str]:
    """R-EMPTY: ``phone_numbers: []`` (and no filter)."""
    if not items:
        raise errors.bad_request(errors.D_MIN_NUMBERS, pointer="/phone_numbers")
    return items


def r_cap(items: list[str], max_numbers: int) -> None:
    """R-CAP: at most ``max_numbers`` items, counted on the list as given."""
    if len(items) > max_numbers:
        detail = errors.D_MAX_NUMBERS.format(limit=max_numbers)
        raise errors.bad_request(detail, pointer="/phone_numbers")


def _all_plain_ids(items: list[str]) -> bool:
    """Every item matches ``NUMBER_ID`` (ASCII digits, 1-19 of them), in C-speed passes."""
    joined = "".join(items)
    return (
        joined.isascii()
        and joined.isdigit()
        and min(map(len, items)) > 0
        and max(map(len, items)) <= 19
    )


def r_item_format(items: list[str]) -> set[str]:
    """R-ITEM-FORMAT: every item an id or +E.164 (the first bad index answers); returns the
    forms given (``"id"``, ``"phone_number"``)."""
    if _all_plain_ids(items):
        return {"id"}  # the common case, decided without a regex per item
    forms: set[str] = set()
    for index, item in enumerate(items):
        if E164.fullmatch(item):
            forms.add("phone_number")
        elif NUMBER_ID.fullmatch(item):
            forms.add("id")
        else:
            raise errors.error(
                422,
                errors.NOT_E164,
                errors.T_NOT_E164,
                errors.D_MALFORMED_ITEM,
                pointer=f"/phone_numbers/{index}",
            )
    return forms


def r_mixed(forms: set[str], allow_mixed: bool) -> None:
    """R-MIXED: ids and E.164 numbers in one list (unless ``--allow-mixed``)."""
    if len(forms) > 1 and not allow_mixed:
        raise errors.bad_request(errors.D_MIXED, pointer="/phone_numbers")


def r_ownership(inv: Inventory, items: list[str]) -> list[Target]:
    """R-OWNERSHIP: every item on the tenant's account; one target per number (R-DEDUP)."""
    found = _owned_ids(inv, items)
    return found if found is not None else _owned_any(inv, items)


def _owned_ids(inv: Inventory, items: list[str]) -> list[Target] | None:
    """The common case (every item an owned id) in bulk, without building a single record;
    ``None``: take the general path."""
    if items[0][0] == "+":
        return None
    wanted = r_dedup(items)
    numbers = inv.numbers
    if not all(map(numbers.__contains__, wanted)):  # an E.164 item is never an id: fails
        return None
    phones = map(numbers.phone_number, wanted)
    return list(map(Target._make, zip(wanted, phones, repeat("id"))))


def _owned_any(inv: Inventory, items: list[str]) -> list[Target]:
    targets: dict[str, Target] = {}
    numbers, by_e164 = inv.numbers, inv.by_e164
    for item in r_dedup(items):
        if item[0] == "+":
            ident = by_e164.get(item)
            given = "phone_number"
        else:
            ident, given = item, "id"
        if ident is None or ident not in numbers:
            raise errors.bad_request(errors.D_OWNERSHIP, pointer="/phone_numbers")
        if ident not in targets:
            targets[ident] = Target(ident, numbers.phone_number(ident), given)
    return list(targets.values())


def r_dedup(items: list[str]) -> list[str]:
    """R-DEDUP: items without repeats, first occurrence kept."""
    return list(dict.fromkeys(items))


# -- fields ---------------------------------------------------------------------------------------
def has_leaf(value: Any) -> bool:
    """True when a (possibly nested) value sets at least one setting."""
    if isinstance(value, dict):
        return any(has_leaf(v) for v in value.values())
    return True


def r_updateable(body: dict[str, Any]) -> None:
    """R-UPDATEABLE: at least one updateable field that sets something."""
    if not any(k in body and has_leaf(body[k]) for k in UPDATEABLE_FIELDS):
        raise errors.bad_request(errors.D_MIN_UPDATEABLE, pointer="/updateable_fields")


def r_cnam_needs_enabled(body: dict[str, Any]) -> None:
    """R-CNAM-NEEDS-ENABLED: CNAM listing details need ``cnam_listing_enabled: true``."""
    voice = body.get("voice")
    cnam = voice.get("cnam_listing") if isinstance(voice, dict) else None
    if (
        isinstance(cnam, dict)
        and cnam.get("cnam_listing_details")
        and cnam.get("cnam_listing_enabled") is not True
    ):
        raise errors.bad_request(
            errors.D_CNAM_NEEDS_ENABLED, pointer="/voice/cnam_listing/cnam_listing_details"
        )


def r_emergency_address_required(body: dict[str, Any]) -> None:
    """R-EMERGENCY-ADDRESS-REQUIRED: switching E911 on needs an address."""
    if body["emergency_enabled"] and body.get("emergency_address_id") in (None, ""):
        raise errors.bad_request(
            errors.D_EMERGENCY_ADDRESS_REQUIRED, pointer="/emergency_address_id"
        )


def r_emergency_address_forbidden(body: dict[str, Any]) -> None:
    """R-EMERGENCY-ADDRESS-FORBIDDEN: switching E911 off takes no address."""
    if not body["emergency_enabled"] and body.get("emergency_address_id") is not None:
        raise errors.bad_request(
            errors.D_EMERGENCY_ADDRESS_FORBIDDEN, pointer="/emergency_address_id"
        )


def r_billing_group(body: dict[str, Any], inv: Inventory) -> None:
    """R-BILLING-GROUP: a billing group not on the account is a 403 (jobs and PATCH alike)."""
    billing = body.get("billing_group_id")
    if billing is not None and billing not in inv.billing_groups:
        raise errors.error(
            403,
            errors.AUTHZ_FAILED,
            errors.T_AUTHZ_FAILED,
            errors.D_BILLING_GROUP,
            pointer="/billing_group_id",
        )


# -- jobs -----------------------------------------------------------------------------------------
def r_job_cap(tenant: Tenant, job_type: str, now: int) -> None:
    """R-JOB-CAP: at most ``max_open_jobs`` open jobs of this type (update, delete)."""
    _job_cap(tenant, job_type, tenant.settings.max_open_jobs, now)


def r_job_cap_emergency(tenant: Tenant, now: int) -> None:
    """R-JOB-CAP-EMERGENCY: at most ``max_open_emergency_jobs`` open emergency jobs."""
    _job_cap(tenant, EMERGENCY, tenant.settings.max_open_emergency_jobs, now)


def _job_cap(tenant: Tenant, job_type: str, limit: int, now: int) -> None:
    if tenant.open_jobs(job_type, now) >= limit:
        raise errors.bad_request(errors.D_MAX_JOBS.format(limit=limit), pointer="/base")


def r_parameters(
    job_type: str, body: dict[str, Any], targets: list[Target], by_filter: bool
) -> dict[str, Any]:
    """R-PARAMETERS: what a job saves: its targets (ids for a filter job, else as given) and the
    body's fields of its type, as given."""
    params: dict[str, Any] = {
        "phone_numbers": [
            t.id if (by_filter or t.given_as == "id") else t.phone_number for t in targets
        ]
    }
    for name in PARAMETER_FIELDS[job_type]:
        if name in body:
            params[name] = copy.deepcopy(body[name])
    return params


def r_doc_example(job_type: str, body: dict[str, Any], forms: set[str], allow_mixed: bool) -> None:
    """R-DOC-EXAMPLE: the forms rule runs before the updateable-field rule, so the doc page's
    example (mixed forms, no updateable field) gets R-MIXED, and R-UPDATEABLE with
    ``--allow-mixed``."""
    r_mixed(forms, allow_mixed)
    if job_type == UPDATE:
        r_updateable(body)
