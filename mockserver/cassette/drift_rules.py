"""Request -> response rules the drift check can decide from one recorded exchange alone.

Each rule is sound for the emulator with its default settings (the live API's documented limits):
it flags only what the fidelity manifest says cannot happen, e.g. a 202 for a batch of more
than 1000 numbers, or a job that lists numbers the request did not give. Each finding names the
manifest rule it breaks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mockserver.config import MAX_NUMBERS
from mockserver.jobs import DELETE, EMERGENCY, EMERGENCY_FIELDS, FINAL, UPDATE, UPDATEABLE_FIELDS
from mockserver.rules.jobs import E164, NUMBER_ID, has_leaf

JOBS_PREFIX = "POST /phone_numbers/jobs/"

Finding = tuple[str, str | None]


@dataclass(frozen=True)
class Exchange:
    """What the rules look at: the request (already redacted) and the response."""

    method: str
    endpoint: str | None  # "POST /phone_numbers/jobs/update_phone_numbers", None if unknown
    path: str  # without the /v2 prefix
    query: list[tuple[str, str]]
    body_text: str | None
    body: Any  # the parsed request body, None if absent or not JSON
    status: int
    payload: Any  # the parsed response body


def _data(payload: Any) -> Any:
    return payload.get("data") if isinstance(payload, dict) else None


def request_rules(ex: Exchange) -> list[Finding]:
    """(message, rule id) for every request -> response rule this exchange breaks."""
    if ex.endpoint is None:
        return []
    found: list[Finding] = []
    job_type = ex.endpoint.removeprefix(JOBS_PREFIX) if ex.endpoint.startswith(JOBS_PREFIX) else ""
    if job_type and ex.status == 202:
        found.extend(_accepted_job(ex, job_type))
    if 200 <= ex.status < 300 and ex.method == "GET":
        found.extend(_read(ex))
    for job in _jobs(ex):
        found.extend(_partition(job))
    return found


# -- a batch request that got a 202 -------------------------------------------------------------
def _accepted_job(ex: Exchange, job_type: str) -> Iterator[Finding]:
    if not isinstance(ex.body, dict):
        if ex.body_text is None or "REDACTED" not in ex.body_text:  # scrubbing can break JSON
            yield (
                "expected a 400/422 for a body that is not a JSON object, received 202",
                ("R-BAD-JSON/R-NOT-OBJECT"),
            )
        return
    body = ex.body
    by_filter = job_type == UPDATE and any(k.startswith("filter") for k, _ in ex.query)
    items = body.get("phone_numbers")
    if items is None and not by_filter:
        yield (
            "expected a 422 when phone_numbers is missing (and no filter), received 202",
            ("R-PRESENT" if job_type == UPDATE else "R-REQUIRED"),
        )
    elif items == [] and not by_filter:
        yield "expected a 422 for phone_numbers: [] without a filter, received 202", "R-EMPTY"
    elif items is not None and (
        not isinstance(items, list) or not all(isinstance(i, str) for i in items)
    ):
        yield (
            "expected a 422 when phone_numbers is not an array of strings, received 202",
            ("R-TYPES"),
        )
        items = None
    if isinstance(items, list) and items:
        yield from _items(items)
    if job_type == UPDATE and not any(k in body and has_leaf(body[k]) for k in UPDATEABLE_FIELDS):
        yield (
            "expected a 422 when the request has no updateable field, received 202",
            ("R-UPDATEABLE"),
        )
    if job_type == EMERGENCY:
        yield from _emergency(body)
    job = _data(ex.payload)
    if isinstance(job, dict):
        yield from _job_matches_request(job, job_type, body, items, by_filter)


def _items(items: list[str]) -> Iterator[Finding]:
    if len(items) > MAX_NUMBERS:
        yield (f"expected a 422 for {len(items)} phone_numbers (more than {MAX_NUMBERS}), "
               "received 202", "R-CAP")  # fmt: skip
    bad = [i for i in items if not (E164.fullmatch(i) or NUMBER_ID.fullmatch(i))]
    if bad:
        yield (f"expected a 422 for phone_numbers item {bad[0]!r} (neither an id nor +E.164), "
               "received 202", "R-ITEM-FORMAT")  # fmt: skip
    forms = {"phone_number" if i.startswith("+") else "id" for i in items}
    if len(forms) > 1:
        yield "expected a 422 for ids and +E.164 numbers mixed, received 202", "R-MIXED"


def _emergency(body: dict[str, Any]) -> Iterator[Finding]:
    if "emergency_enabled" not in body:
        yield "expected a 422 when emergency_enabled is missing, received 202", "R-REQUIRED"
        return
    address = body.get("emergency_address_id")
    if body["emergency_enabled"] is True and address in (None, ""):
        yield ("expected a 422 for emergency_enabled true without an emergency_address_id, "
               "received 202", "R-EMERGENCY-ADDRESS-REQUIRED")  # fmt: skip
    if body["emergency_enabled"] is False and address is not None:
        yield ("expected a 422 for emergency_enabled false with an emergency_address_id, "
               "received 202", "R-EMERGENCY-ADDRESS-FORBIDDEN")  # fmt: skip


def _given(item: str) -> dict[str, str]:
    return {"phone_number": item} if item.startswith("+") else {"id": item}


def _job_matches_request(
    job: dict[str, Any],
    job_type: str,
    body: dict[str, Any],
    items: list[str] | None,
    by_filter: bool,
) -> Iterator[Finding]:
    if job.get("type") != job_type:
        yield f"expected {job_type!r} at /data/type, received {job.get('type')!r}", "R-JOB-SHAPE"
    listed = job.get("phone_numbers")
    if isinstance(items, list) and items and isinstance(listed, list):
        given = [_given(i) for i in dict.fromkeys(items)]
        single_form = len({next(iter(g)) for g in given}) == 1
        if not by_filter and single_form and listed != given:
            yield ("expected /data/phone_numbers to list the request's unique numbers in the "
                   f"order and form given, {given[:3]}..., received {listed[:3]}...",
                   "R-DEDUP")  # fmt: skip
        elif not _subsequence(listed, given):
            yield ("expected /data/phone_numbers to hold only numbers the request gave, once, "
                   "in the order given", "R-DEDUP/R-FILTER-AND-LIST")  # fmt: skip
    params = job.get("parameters")
    if not isinstance(params, dict):
        return
    names: tuple[str, ...] = ()
    if job_type == UPDATE:
        names = UPDATEABLE_FIELDS
    elif job_type == EMERGENCY:
        names = EMERGENCY_FIELDS
    for name in names:
        if name in body and params.get(name, object()) != body[name]:
            yield (f"expected /data/parameters/{name} to be saved as given, {body[name]!r}, "
                   f"received {params.get(name)!r}", "R-PARAMETERS")  # fmt: skip
    if job_type == DELETE and set(params) - {"phone_numbers"}:
        yield (f"expected a delete job's parameters to hold only phone_numbers, received "
               f"{sorted(params)}", "R-PARAMETERS")  # fmt: skip


def _subsequence(listed: list[Any], given: list[dict[str, str]]) -> bool:
    position = {tuple(g.items()): n for n, g in enumerate(given)}
    last = -1
    for entry in listed:
        n = position.get(tuple(entry.items())) if isinstance(entry, dict) else None
        if n is None or n <= last:
            return False
        last = n
    return True


# -- reads --------------------------------------------------------------------------------------
def _read(ex: Exchange) -> Iterator[Finding]:
    data = _data(ex.payload)
    ident = ex.path.rsplit("/", 1)[-1]
    single = ex.endpoint in (
        "GET /phone_numbers/jobs/{id}",
        "GET /phone_numbers/{id}",
        "GET /phone_numbers/{id}/voice",
    )
    if single and ex.endpoint == "GET /phone_numbers/{id}/voice":
        ident = ex.path.rsplit("/", 2)[-2]
    if single and isinstance(data, dict) and data.get("id") != ident:
        yield (
            f"expected {ident!r} at /data/id (the id asked for), received {data.get('id')!r}",
            (None),
        )
    if not isinstance(data, list):
        return
    query = dict(ex.query)
    size = query.get("page[size]", "")
    if size.isdigit() and len(data) > int(size):
        yield f"expected at most page[size]={size} items at /data, received {len(data)}", "Q-PAGE"
    wanted = query.get("filter[type]")
    if ex.endpoint == "GET /phone_numbers/jobs" and wanted:
        for n, job in enumerate(data):
            if isinstance(job, dict) and job.get("type") != wanted:
                yield (f"expected only {wanted!r} jobs (filter[type]) at /data/{n}/type, "
                       f"received {job.get('type')!r}", "Q-JOB-FILTERS")  # fmt: skip


# -- every job in a response --------------------------------------------------------------------
def _jobs(ex: Exchange) -> list[dict[str, Any]]:
    if (
        not (200 <= ex.status < 300)
        or ex.endpoint is None
        or "/phone_numbers/jobs" not in (ex.endpoint)
    ):
        return []
    data = _data(ex.payload)
    found = data if isinstance(data, list) else [data]
    return [j for j in found if isinstance(j, dict) and j.get("record_type") == "phone_numbers_job"]


def _ops(job: dict[str, Any], key: str) -> list[Any]:
    ops = job.get(key)
    return [o.get("id") for o in ops if isinstance(o, dict)] if isinstance(ops, list) else []


def _partition(job: dict[str, Any]) -> Iterator[Finding]:
    pending = _ops(job, "pending_operations")
    done = _ops(job, "successful_operations")
    failed = _ops(job, "failed_operations")
    listed = job.get("phone_numbers")
    every = pending + done + failed
    where = f"job {job.get('id')}"
    if len(set(every)) != len(every) or (isinstance(listed, list) and len(every) != len(listed)):
        yield (f"expected the pending, successful and failed operations of {where} to partition "
               f"its {len(listed) if isinstance(listed, list) else '?'} numbers, received "
               f"{len(pending)} + {len(done)} + {len(failed)}", "L-PARTITION")  # fmt: skip
    status = job.get("status")
    finished = isinstance(status, str) and status in FINAL
    if finished and pending:
        yield (f"expected no pending operations in {status} {where}, received {len(pending)}",
               "L-PARTITION")  # fmt: skip
    if finished and not pending and every:
        if status == "completed" and not done:
            yield (
                f"expected at least one successful operation in completed {where}",
                ("L-COMPLETED"),
            )
        if status == "failed" and done:
            yield (f"expected no successful operation in failed {where}, received {len(done)}",
                   "L-FAILED")  # fmt: skip
