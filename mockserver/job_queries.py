"""``GET /phone_numbers/jobs``: filters, sort and pagination over one tenant's jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver import errors as E
from mockserver.job_index import JobQuery
from mockserver.jobs import STATUSES, TYPES
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


def _job_filter(tenant: Tenant, raw: Any, now: int) -> JobQuery:
    """The criteria of ``filter[...]`` (every check and text as the API's)."""
    if raw is None:
        return JobQuery()
    if not isinstance(raw, dict):
        raise E.bad_request("must be an object (filter[key]=value)", parameter="filter")
    found: dict[str, Any] = {}
    for key in sorted(raw):
        if key not in FILTER_KEYS:
            raise E.bad_request(E.D_UNKNOWN_FILTER, parameter=f"filter[{key}]")
    if "type" in raw:
        value = raw["type"]
        if value not in TYPES:
            raise E.bad_request("must be one of: " + ", ".join(TYPES), parameter="filter[type]")
        found["type"] = value
    if "status" in raw:
        wanted = set(_values(raw["status"], "filter[status]"))
        bad = sorted(wanted - set(STATUSES))
        if bad:
            raise E.bad_request(
                "must be one of: " + ", ".join(STATUSES), parameter="filter[status]"
            )
        found["statuses"] = frozenset(wanted)
    if "phone_number" in raw:
        found["number_ids"] = _phone_number_ids(
            tenant, _values(raw["phone_number"], "filter[phone_number]")
        )
    if "customer_reference" in raw:
        ref = raw["customer_reference"]
        if not isinstance(ref, str) or not ref.strip() or len(ref) > 250 or "\x00" in ref:
            raise E.bad_request(
                "must be a non-blank string of at most 250 characters",
                parameter="filter[customer_reference]",
            )
        found["customer_reference"] = ref
        found["created_from_ms"] = now - REFERENCE_WINDOW_MS
    return JobQuery(**found)


def _phone_number_ids(tenant: Tenant, values: list[str]) -> frozenset[str]:
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
    return frozenset(ids)


def list_jobs(tenant: Tenant, query: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One page of the tenant's jobs, newest first unless ``sort`` says otherwise: O(page) on
    the tenant's job index (``mockserver.job_index``)."""
    now = tenant.settle()
    criteria = _job_filter(tenant, query.get("filter"), now)
    page = parse_page(query)
    sort = parse_sort(query, ("created_at",))
    descending = True if sort is None else sort[1]
    start = (page.number - 1) * page.size
    shown, total = tenant.job_index.page(criteria, now, descending, start, page.size)
    return [job_view(job, prog) for job, prog in shown], page.meta(total)
