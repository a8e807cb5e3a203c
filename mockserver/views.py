"""Serialization: internal records and jobs to the exact wire shapes of the spec."""

from __future__ import annotations

import copy
from typing import Any

from mockserver import errors
from mockserver.clock import iso_ms
from mockserver.inventory import Inventory, Record
from mockserver.jobs import EXPIRED, Job, Progress, progress

Operations = list[dict[str, Any]]

#: L-EXPIRED: what each target of an expired job fails with
_EXPIRED_ERROR = errors.ErrorItem(
    errors.UNEXPECTED, errors.T_UNEXPECTED, errors.D_JOB_EXPIRED, "/base"
).to_json()


def l_partition(job: Job, processed: int, status: str) -> tuple[Operations, Operations, Operations]:
    """L-PARTITION: (successful, pending, failed) operations; together exactly the targets. An
    expired job has no pending operation: its targets fail with 10007 (L-EXPIRED)."""
    successful: Operations = []
    failed: Operations = []
    for target, outcome in zip(job.targets[:processed], job.outcomes, strict=False):
        if outcome.ok:
            successful.append(target.operation())
        else:
            item: dict[str, Any] = target.operation()
            item["errors"] = [e.to_json() for e in outcome.errors]
            failed.append(item)
    pending = [{"id": i, "phone_number": p} for i, p, _ in job.targets[processed:]]
    if status == EXPIRED:
        failed.extend(
            {**t.operation(), "errors": [_EXPIRED_ERROR]} for t in job.targets[processed:]
        )
        pending = []
    return successful, pending, failed


def r_job_shape(job: Job, now: int) -> dict[str, Any]:
    """R-JOB-SHAPE: the 202's job, as it was the instant it was accepted (pending, every target
    a pending operation)."""
    return job_view(job, progress(job, now), as_created=True)


def job_view(job: Job, prog: Progress, *, as_created: bool = False) -> dict[str, Any]:
    """``PhoneNumbersJob``. ``as_created`` renders the job at the instant it was accepted."""
    processed = 0 if as_created else prog.processed
    successful, pending, failed = l_partition(job, processed, "" if as_created else prog.status)
    return {
        "id": job.id,
        "record_type": "phone_numbers_job",
        "type": job.type,
        "status": "pending" if as_created else prog.status,
        "etc": iso_ms(prog.etc_ms),
        "created_at": iso_ms(job.created_ms),
        "updated_at": iso_ms(job.created_ms if as_created else prog.updated_ms),
        "phone_numbers": [
            {"id": i} if given == "id" else {"phone_number": p} for i, p, given in job.targets
        ],  # the form each number was given in; runs for every target of every job read
        "successful_operations": successful,
        "pending_operations": pending,
        "failed_operations": failed,
        "parameters": _copy_parameters(job.parameters),
    }


def _copy_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """A copy callers may change: the (long) list of strings copied flat, the rest deeply."""
    return {k: list(v) if k == "phone_numbers" else copy.deepcopy(v) for k, v in parameters.items()}


_VOICE_FLAGS = {
    "call_forwarding_enabled": ("call_forwarding", "call_forwarding_enabled"),
    "call_recording_enabled": ("call_recording", "inbound_call_recording_enabled"),
    "cnam_listing_enabled": ("cnam_listing", "cnam_listing_enabled"),
    "t38_fax_gateway_enabled": ("media_features", "t38_fax_gateway_enabled"),
}


def number_view(record: Record, inv: Inventory) -> dict[str, Any]:
    """``PhoneNumberDetailed``: stored fields plus the summary flags derived from voice settings."""
    voice = record["voice"]
    out: dict[str, Any] = {
        "id": record["id"],
        "record_type": "phone_number",
        "phone_number": record["phone_number"],
        "status": record["status"],
        "tags": list(record["tags"]),
        "external_pin": record["external_pin"],
        "connection_id": record["connection_id"],
        "connection_name": inv.connection_name(record["connection_id"]),
        "customer_reference": record["customer_reference"],
        "messaging_profile_id": record["messaging_profile_id"],
        "messaging_profile_name": record["messaging_profile_name"],
        "billing_group_id": record["billing_group_id"],
        "emergency_enabled": record["emergency_enabled"],
        "emergency_address_id": record["emergency_address_id"],
        "emergency_status": record["emergency_status"],
        "caller_id_name_enabled": voice["caller_id_name_enabled"],
        "hd_voice_enabled": record["hd_voice_enabled"],
        "inbound_call_screening": voice["inbound_call_screening"],
        "deletion_lock_enabled": record["deletion_lock_enabled"],
        "country_iso_alpha2": record["country_iso_alpha2"],
        "phone_number_type": record["phone_number_type"],
        "source_type": record["source_type"],
        "created_at": record["created_at"],
        "updated_at": record["updated_at"],
        "purchased_at": record["purchased_at"],
        "activated_at": record["activated_at"],
    }
    for flag, (group, key) in _VOICE_FLAGS.items():
        out[flag] = bool(voice[group][key])
    return out


def voice_view(record: Record) -> dict[str, Any]:
    """``PhoneNumberWithVoiceSettings``."""
    voice = copy.deepcopy(record["voice"])
    if voice["call_forwarding"].get("forwarding_type") is None:
        voice["call_forwarding"].pop("forwarding_type", None)
    out: dict[str, Any] = {
        "id": record["id"],
        "record_type": "voice_settings",
        "phone_number": record["phone_number"],
        "connection_id": record["connection_id"],
        "customer_reference": record["customer_reference"],
        "call_forwarding": voice["call_forwarding"],
        "call_recording": voice["call_recording"],
        "cnam_listing": voice["cnam_listing"],
        "media_features": voice["media_features"],
        "emergency": {
            "emergency_enabled": record["emergency_enabled"],
            "emergency_address_id": record["emergency_address_id"],
            "emergency_status": record["emergency_status"],
        },
        "inbound_call_screening": voice["inbound_call_screening"],
        "tech_prefix_enabled": voice["tech_prefix_enabled"],
        "translated_number": voice["translated_number"],
        "usage_payment_method": voice["usage_payment_method"],
    }
    # the spec types these as non-nullable strings here: absent rather than null
    for key in ("connection_id", "customer_reference"):
        if out[key] is None:
            del out[key]
    if out["emergency"]["emergency_address_id"] is None:
        del out["emergency"]["emergency_address_id"]
    return out
