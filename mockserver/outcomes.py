"""Per-number outcomes, decided by the numbers (never by dice), and the effects of a success.

Each outcome rule (``O-*``) and effect (``E-*``) of the fidelity manifest is the function named
after it. :func:`decide` runs the outcome rules in order and returns the errors a target fails
with (empty = success); :func:`apply` returns the number after a successful operation.
"""

from __future__ import annotations

import copy
from typing import Any

from mockserver import errors
from mockserver.errors import ErrorItem
from mockserver.inventory import Inventory, Record
from mockserver.jobs import DELETE, EMERGENCY, UPDATE, UPDATEABLE_FIELDS

#: O-STATUS: numbers in these states cannot be changed by any job
LOCKED_STATUSES = frozenset({"port-pending", "deleted", "ported-out", "port-out-pending"})
#: the updateable fields copied to the number as given (the others: tags and voice, below)
COPIED_FIELDS = tuple(
    name for name in UPDATEABLE_FIELDS if name not in ("tags", "add_tags", "remove_tags", "voice")
)


def _fail(detail: str, pointer: str) -> ErrorItem:
    return ErrorItem(errors.BAD_REQUEST, errors.T_BAD_REQUEST, detail, pointer)


# -- outcome rules, in the manifest's order -------------------------------------------------------
def o_status(record: Record) -> ErrorItem | None:
    """O-STATUS: a number in a locked status cannot be changed."""
    status = record["status"]
    if status in LOCKED_STATUSES:
        return _fail(errors.D_STATUS.format(status=status), "/phone_numbers")
    return None


def o_gone(record: Record | None) -> ErrorItem | None:
    """O-GONE: a target deleted before its turn fails with 10005."""
    if record is None:
        return ErrorItem(
            errors.NOT_FOUND, errors.T_NOT_FOUND, errors.D_NUMBER_GONE, "/phone_numbers"
        )
    return None


def o_hd_voice_toll_free(params: dict[str, Any], record: Record) -> ErrorItem | None:
    """O-HD-VOICE-TOLL-FREE: HD voice cannot be switched on for a toll-free number."""
    if params.get("hd_voice_enabled") is True and record["phone_number_type"] == "toll_free":
        return _fail(errors.D_HD_VOICE, "/hd_voice_enabled")
    return None


def o_connection(params: dict[str, Any], inv: Inventory) -> ErrorItem | None:
    """O-CONNECTION: a connection that does not exist fails the target."""
    connection = params.get("connection_id")
    if connection not in (None, "") and connection not in inv.connections:
        return _fail(errors.D_FIELD_INVALID, "/connection_id")
    return None


def o_emergency_address(params: dict[str, Any], inv: Inventory) -> ErrorItem | None:
    """O-EMERGENCY-ADDRESS: an emergency address that does not exist fails the target."""
    address = params.get("emergency_address_id")
    if params.get("emergency_enabled") and address not in inv.emergency_addresses:
        return _fail(errors.D_FIELD_INVALID, "/emergency_address_id")
    return None


def o_deletion_lock(record: Record) -> ErrorItem | None:
    """O-DELETION-LOCK: a deletion-locked number cannot be deleted."""
    if record["deletion_lock_enabled"]:
        return _fail(errors.D_DELETION_LOCK, "/deletion_lock_enabled")
    return None


def decide(
    job_type: str, params: dict[str, Any], record: Record | None, inv: Inventory
) -> list[ErrorItem]:
    """Why this target fails, or ``[]`` when it succeeds."""
    gone = o_gone(record)
    if gone is not None:
        return [gone]
    assert record is not None
    locked = o_status(record)
    if locked is not None:
        return [locked]
    if job_type == DELETE:
        found = [o_deletion_lock(record)]
    elif job_type == EMERGENCY:
        found = [o_emergency_address(params, inv)]
    else:
        assert job_type == UPDATE
        found = [o_hd_voice_toll_free(params, record), o_connection(params, inv)]
    return [item for item in found if item is not None]


# -- effects --------------------------------------------------------------------------------------
def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Nested partial merge: a patch sets only the keys it names (the SDK sends partials)."""
    out = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def r_add_remove_tags(tags: list[str], params: dict[str, Any]) -> list[str]:
    """R-ADD-REMOVE-TAGS: ``add_tags`` appends the missing tags, ``remove_tags`` drops tags."""
    if params.get("add_tags"):
        tags = list(dict.fromkeys([*tags, *params["add_tags"]]))
    if params.get("remove_tags"):
        drop = set(params["remove_tags"])
        tags = [t for t in tags if t not in drop]
    return tags


def e_update(record: Record, params: dict[str, Any], now_iso: str) -> Record:
    """E-UPDATE: the number after a successful update (also ``PATCH /phone_numbers/{id}`` and
    ``PATCH /phone_numbers/{id}/voice``)."""
    new = dict(record)
    for key in COPIED_FIELDS:
        if key in params:
            new[key] = params[key]
    if "tags" in params:
        new["tags"] = list(dict.fromkeys(params["tags"]))
    new["tags"] = r_add_remove_tags(new["tags"], params)
    if isinstance(params.get("voice"), dict):
        new["voice"] = _merge(record["voice"], params["voice"])
    new["updated_at"] = now_iso
    return new


def e_emergency(record: Record, params: dict[str, Any], now_iso: str) -> Record:
    """E-EMERGENCY: emergency settings on, with the address, or off, without one."""
    new = dict(record)
    enabled = bool(params["emergency_enabled"])
    new["emergency_enabled"] = enabled
    new["emergency_address_id"] = params.get("emergency_address_id") if enabled else None
    new["emergency_status"] = "active" if enabled else "disabled"
    new["updated_at"] = now_iso
    return new


def e_delete(inv: Inventory, ident: str) -> Record:
    """E-DELETE: nothing is left of a deleted number (not listed, not retrievable, not owned);
    returns the number as it was."""
    return inv.remove(ident)


def apply(job_type: str, record: Record, params: dict[str, Any], now_iso: str) -> Record:
    """The number after a successful update or emergency target (a delete: :func:`e_delete`)."""
    if job_type == EMERGENCY:
        return e_emergency(record, params, now_iso)
    return e_update(record, params, now_iso)
