"""The query rules of the list and read endpoints (``Q-*``): pagination (``page[number]``,
``page[size]``), ``sort``, the job-list filters and the unknown job.

In the manifest's order: Q-JOB-404, Q-JOB-FILTERS, Q-PAGE, Q-PAGE-NOT-OBJECT, Q-SORT.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from mockserver import errors
from mockserver.inventory import Inventory
from mockserver.job_index import JobQuery
from mockserver.jobs import STATUSES, TYPES, Job
from mockserver.rules.filters import r_filter_unknown

T = TypeVar("T")
MAX_PAGE_SIZE = 250
DEFAULT_PAGE_SIZE = 20
JOB_FILTER_KEYS = ("type", "status", "phone_number", "customer_reference")
MAX_PHONE_NUMBER_VALUES = 10
REFERENCE_WINDOW_MS = 90 * 86_400_000


def q_job_404(jobs: dict[str, Job], job_id: str) -> Job:
    """Q-JOB-404: a job this tenant does not have (unknown, another tenant's, not a uuid)."""
    job = jobs.get(job_id)
    if job is None:
        raise errors.not_found()
    return job


def _values(raw: Any, parameter: str) -> list[str]:
    """Comma form (what the SDK sends) or repeated ``[]`` form, as one list."""
    if isinstance(raw, str):
        return raw.split(",")
    if isinstance(raw, list):
        return [v for item in raw for v in item.split(",")]
    raise errors.bad_request(errors.D_VALUES, parameter=parameter)


def q_job_filters(inv: Inventory, raw: Any, now: int) -> JobQuery:
    """Q-JOB-FILTERS: the criteria of the job list's ``filter[...]``, answered from the tenant's
    job index (:class:`~mockserver.job_index.JobIndex`)."""
    if raw is None:
        return JobQuery()
    if not isinstance(raw, dict):
        raise errors.bad_request(errors.D_FILTER_NOT_OBJECT, parameter="filter")
    found: dict[str, Any] = {}
    r_filter_unknown(raw, JOB_FILTER_KEYS)
    if "type" in raw:
        value = raw["type"]
        if value not in TYPES:
            detail = errors.D_ONE_OF.format(values=", ".join(TYPES))
            raise errors.bad_request(detail, parameter="filter[type]")
        found["type"] = value
    if "status" in raw:
        wanted = set(_values(raw["status"], "filter[status]"))
        bad = sorted(wanted - set(STATUSES))
        if bad:
            detail = errors.D_ONE_OF.format(values=", ".join(STATUSES))
            raise errors.bad_request(detail, parameter="filter[status]")
        found["statuses"] = frozenset(wanted)
    if "phone_number" in raw:
        found["number_ids"] = _phone_number_ids(
            inv, _values(raw["phone_number"], "filter[phone_number]")
        )
    if "customer_reference" in raw:
        ref = raw["customer_reference"]
        if not isinstance(ref, str) or not ref.strip() or len(ref) > 250 or "\x00" in ref:
            raise errors.bad_request(errors.D_REFERENCE, parameter="filter[customer_reference]")
        found["customer_reference"] = ref
        found["created_from_ms"] = now - REFERENCE_WINDOW_MS
    return JobQuery(**found)


def _phone_number_ids(inv: Inventory, values: list[str]) -> frozenset[str]:
    if len(values) > MAX_PHONE_NUMBER_VALUES:
        raise errors.bad_request(
            errors.D_MAX_VALUES.format(limit=MAX_PHONE_NUMBER_VALUES),
            parameter="filter[phone_number]",
        )
    ids: set[str] = set()
    for value in dict.fromkeys(values):
        if value.startswith("+"):
            digits = value[1:]
            if not (digits.isdigit() and 1 <= len(digits) <= 20):
                raise errors.bad_request(errors.D_PLUS_DIGITS, parameter="filter[phone_number]")
            ident = inv.by_e164.get(value)
            if ident is not None:
                ids.add(ident)
        elif value.isdigit():
            ids.add(value)
        else:
            raise errors.bad_request(errors.D_NUMBERS_OR_IDS, parameter="filter[phone_number]")
    return frozenset(ids)


def _invalid_page(pointer: str) -> errors.ApiError:
    # pointer without a leading slash, exactly as the spec's examples ("page/number")
    return errors.error(
        422,
        errors.BAD_REQUEST,
        errors.T_INVALID_PAGINATION,
        errors.D_INVALID_PAGINATION,
        pointer=pointer,
    )


@dataclass(frozen=True)
class Page:
    number: int = 1
    size: int = DEFAULT_PAGE_SIZE

    @property
    def start(self) -> int:
        """The index of this page's first result."""
        return (self.number - 1) * self.size

    def slice(self, items: list[T]) -> tuple[list[T], dict[str, int]]:
        return items[self.start : self.start + self.size], self.meta(len(items))

    def meta(self, total: int) -> dict[str, int]:
        """The ``meta`` of this page of ``total`` results."""
        return {
            "page_number": self.number,
            "page_size": self.size,
            "total_pages": -(-total // self.size),
            "total_results": total,
        }


def _int(raw: Any, pointer: str, low: int, high: int | None) -> int:
    text = raw.strip() if isinstance(raw, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > 18:
        raise _invalid_page(pointer)  # > 18 digits: beyond any page (and int() refuses 4,301)
    value = int(text)
    if value < low or (high is not None and value > high):
        raise _invalid_page(pointer)
    return value


def parse_page(query: dict[str, Any]) -> Page:
    """The page a list asks for (``page[number]``, ``page[size]``), default the first 20."""
    raw = query.get("page")
    if raw is None:
        return Page()
    return q_page(q_page_not_object(raw))


def q_page_not_object(raw: Any) -> dict[str, Any]:
    """Q-PAGE-NOT-OBJECT: ``?page=1`` (flat, not ``page[...]``) is an invalid page."""
    if not isinstance(raw, dict):
        raise _invalid_page("page")
    return raw


def q_page(raw: dict[str, Any]) -> Page:
    """Q-PAGE: known keys only, page number >= 1, page size 1..250."""
    for key in sorted(raw):
        if key not in ("number", "size"):
            raise _invalid_page(f"page/{key}")
    number = _int(raw["number"], "page/number", 1, None) if "number" in raw else 1
    size = _int(raw["size"], "page/size", 1, MAX_PAGE_SIZE) if "size" in raw else DEFAULT_PAGE_SIZE
    return Page(number, size)


def q_sort(query: dict[str, Any], allowed: tuple[str, ...]) -> tuple[str, bool] | None:
    """Q-SORT: ``(field, descending)`` or ``None`` for the default; a ``-`` prefix means
    descending; any other value is a 422."""
    raw = query.get("sort")
    if raw is None:
        return None
    if isinstance(raw, str):
        descending = raw.startswith("-")
        name = raw[1:] if descending else raw
        if name in allowed:
            return name, descending
    raise errors.error(
        422, errors.BAD_REQUEST, errors.T_INVALID_SORT, errors.D_INVALID_SORT, pointer="/sort"
    )
