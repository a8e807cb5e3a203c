"""``GET /phone_numbers/jobs``: filters, sort and pagination over one tenant's jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver import errors as E
from mockserver.jobs import STATUSES, TYPES, Job, progress
from mockserver.paging import parse_page, parse_sort
from mockserver.views import job_view

if TYPE_CHECKING:
    from mockserver.store import Tenant

FILTER_KEYS = ("type", "status", "phone_number", "customer_reference")
MAX_PHONE_NUMBER_VALUES = 10
REFERENCE_WINDOW_MS = 90 * 86_400_000


def _values(raw: Any, parameter: str) -> list[str]:
    """Comma form (what the SDK sends) or repeated ``[]`` form, as one list."""
    if isinstance(raw, str):
        return raw.split(",")
    if isinstance(raw, list):
        return [v for item in raw for v in item.split(",")]
    raise E.bad_request("must be a value or a list of values", parameter=parameter)


def _job_filter(tenant: Tenant, raw: Any, now: int) -> list[Any]:
    """Predicates over ``(job, status)`` from ``filter[...]``."""
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise E.bad_request("must be an object (filter[key]=value)", parameter="filter")
    tests: list[Any] = []
    for key in sorted(raw):
        if key not in FILTER_KEYS:
            raise E.bad_request(E.D_UNKNOWN_FILTER, parameter=f"filter[{key}]")
    if "type" in raw:
        value = raw["type"]
        if value not in TYPES:
            raise E.bad_request("must be one of: " + ", ".join(TYPES), parameter="filter[type]")
        tests.append(lambda job, status: job.type == value)
    if "status" in raw:
        wanted = set(_values(raw["status"], "filter[status]"))
        bad = sorted(wanted - set(STATUSES))
        if bad:
            raise E.bad_request(
                "must be one of: " + ", ".join(STATUSES), parameter="filter[status]"
            )
        tests.append(lambda job, status: status in wanted)
    if "phone_number" in raw:
        tests.append(
            _phone_number_test(tenant, _values(raw["phone_number"], "filter[phone_number]"))
        )
    if "customer_reference" in raw:
        ref = raw["customer_reference"]
        if not isinstance(ref, str) or not ref.strip() or len(ref) > 250 or "\x00" in ref:
            raise E.bad_request(
                "must be a non-blank string of at most 250 characters",
                parameter="filter[customer_reference]",
            )
        tests.append(
            lambda job, status: (
                job.customer_reference == ref and now - job.created_ms <= REFERENCE_WINDOW_MS
            )
        )
    return tests


def _phone_number_test(tenant: Tenant, values: list[str]) -> Any:
    if len(values) > MAX_PHONE_NUMBER_VALUES:
        raise E.bad_request(
            f"accepts at most {MAX_PHONE_NUMBER_VALUES} values", parameter="filter[phone_number]"
        )
    ids: set[str] = set()
    for value in dict.fromkeys(values):
        if value.startswith("+"):
            digits = value[1:]
            if not (digits.isdigit() and 1 <= len(digits) <= 20):
                raise E.bad_request(
                    "values beginning with + must have 1 to 20 digits after the plus sign",
                    parameter="filter[phone_number]",
                )
            ident = tenant.inventory.by_e164.get(value)
            if ident is not None:
                ids.add(ident)
        elif value.isdigit():
            ids.add(value)
        else:
            raise E.bad_request(
                "must be phone numbers in +E.164 format or phone number ids",
                parameter="filter[phone_number]",
            )
    return lambda job, status: any(t.id in ids for t in job.targets)


def list_jobs(tenant: Tenant, query: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    now = tenant.settle()
    tests = _job_filter(tenant, query.get("filter"), now)
    page = parse_page(query)
    sort = parse_sort(query, ("created_at",))
    descending = True if sort is None else sort[1]
    rows: list[tuple[Job, Any]] = []
    for job in tenant.job_list:
        prog = progress(job, now)
        if all(test(job, prog.status) for test in tests):
            rows.append((job, prog))
    rows.sort(key=lambda row: (row[0].created_ms, row[0].seq), reverse=descending)
    shown, meta = page.slice(rows)
    return [job_view(job, prog) for job, prog in shown], meta
