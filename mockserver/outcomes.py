"""Per-number outcomes, decided by the world (never by dice), and the effects of a success.

Each rule has an id in the fidelity manifest (``O-*``). :func:`decide` returns the errors a target
fails with (empty = success); :func:`apply` returns the number after a successful operation.
"""

from __future__ import annotations

import copy
from typing import Any

from mockserver import errors as E
from mockserver.errors import ErrorItem
from mockserver.inventory import Inventory, Record
from mockserver.jobs import DELETE, EMERGENCY, UPDATE

#: O-STATUS: numbers in these states cannot be changed by any job
LOCKED_STATUSES = frozenset({"port-pending", "deleted", "ported-out", "port-out-pending"})

D_FIELD_INVALID = "The field is invalid."  # the doc example's per-number error text
D_NUMBER_GONE = "The phone number no longer exists on your account."
D_STATUS = "The phone number cannot be modified while its status is '{status}'."
D_HD_VOICE = "HD Voice is not available for this phone number."
D_DELETION_LOCK = "The phone number has deletion lock enabled and cannot be deleted."


def _fail(detail: str, pointer: str, code: str = E.BAD_REQUEST) -> ErrorItem:
    return ErrorItem(code, E.T_BAD_REQUEST, detail, pointer)


def decide(
    job_type: str, params: dict[str, Any], record: Record | None, inv: Inventory
) -> list[ErrorItem]:
    """Why this target fails, or ``[]`` when it succeeds."""
    if record is None:  # O-GONE
        return [ErrorItem(E.NOT_FOUND, E.T_NOT_FOUND, D_NUMBER_GONE, "/phone_numbers")]
    status = record["status"]
    if status in LOCKED_STATUSES:  # O-STATUS
        return [_fail(D_STATUS.format(status=status), "/phone_numbers")]
    errors: list[ErrorItem] = []
    if job_type == DELETE:
        if record["deletion_lock_enabled"]:  # O-DELETION-LOCK
            errors.append(_fail(D_DELETION_LOCK, "/deletion_lock_enabled"))
        return errors
    if job_type == EMERGENCY:
        address = params.get("emergency_address_id")
        if params.get("emergency_enabled") and address not in inv.emergency_addresses:
            errors.append(_fail(D_FIELD_INVALID, "/emergency_address_id"))  # O-EMERGENCY-ADDRESS
        return errors
    assert job_type == UPDATE
    if params.get("hd_voice_enabled") is True and record["phone_number_type"] == "toll_free":
        errors.append(_fail(D_HD_VOICE, "/hd_voice_enabled"))  # O-HD-VOICE-TOLL-FREE
    connection = params.get("connection_id")
    if connection not in (None, "") and connection not in inv.connections:
        errors.append(_fail(D_FIELD_INVALID, "/connection_id"))  # O-CONNECTION
    return errors


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Nested partial merge: a patch sets only the keys it names (the SDK sends partials)."""
    out = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


UPDATE_FIELDS = (
    "external_pin",
    "customer_reference",
    "connection_id",
    "billing_group_id",
    "hd_voice_enabled",
    "deletion_lock_enabled",
)


def apply_update(record: Record, params: dict[str, Any], now_iso: str) -> Record:
    """The number after a successful update (also used by ``PATCH /phone_numbers/{id}``)."""
    new = dict(record)
    for key in UPDATE_FIELDS:
        if key in params:
            new[key] = params[key]
    if "tags" in params:
        new["tags"] = list(dict.fromkeys(params["tags"]))
    if params.get("add_tags"):
        new["tags"] = list(dict.fromkeys([*new["tags"], *params["add_tags"]]))
    if params.get("remove_tags"):
        drop = set(params["remove_tags"])
        new["tags"] = [t for t in new["tags"] if t not in drop]
    if isinstance(params.get("voice"), dict):
        new["voice"] = _merge(record["voice"], params["voice"])
    new["updated_at"] = now_iso
    return new


def apply_emergency(record: Record, params: dict[str, Any], now_iso: str) -> Record:
    new = dict(record)
    enabled = bool(params["emergency_enabled"])
    new["emergency_enabled"] = enabled
    new["emergency_address_id"] = params.get("emergency_address_id") if enabled else None
    new["emergency_status"] = "active" if enabled else "disabled"
    new["updated_at"] = now_iso
    return new


def apply(job_type: str, record: Record, params: dict[str, Any], now_iso: str) -> Record | None:
    """The number after success; ``None`` when the job deletes it."""
    if job_type == DELETE:
        return None
    if job_type == EMERGENCY:
        return apply_emergency(record, params, now_iso)
    return apply_update(record, params, now_iso)
