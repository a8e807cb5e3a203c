"""Small named checks. Each raises AssertionError with an "expected ... / received ..." message."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

import httpx
import pytest

from mockserver.response_check import problems

E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
#: the job state machine (fidelity rule L-STATES): allowed moves between two observations
MOVES: dict[str, frozenset[str]] = {
    "pending": frozenset({"pending", "in_progress", "completed", "failed", "expired"}),
    "in_progress": frozenset({"in_progress", "completed", "failed"}),
    "completed": frozenset({"completed"}),
    "failed": frozenset({"failed"}),
    "expired": frozenset({"expired"}),
}
FINAL = frozenset({"completed", "failed", "expired"})
#: the target that always serves the default world (fixtures/world.json)
DEFAULT_WORLD_TARGET = "inprocess"


def lacking(target_name: str, what: str) -> NoReturn:
    """A test found none of the data it needs (``what``: "no spare number to delete"). Another
    world (a url emulator's, the live account) may lack it: the test skips with that reason. The
    default world has it all, so there the same absence is a failure, never a quiet skip."""
    if target_name == DEFAULT_WORLD_TARGET:
        pytest.fail(f"{target_name}: {what}, though the default world should have it")
    pytest.skip(f"{target_name}: {what}")


def where(response: httpx.Response) -> str:
    request = response.request
    return f"{request.method} {request.url.path} -> {response.status_code}"


def _text(response: httpx.Response, limit: int = 400) -> str:
    text = response.text
    return text if len(text) <= limit else text[:limit] + "..."


def check_schema(response: httpx.Response, *, base_path: str = "") -> None:
    """The response has the shape ``schemas/`` gives its route and status; never a 5xx."""
    response.read()
    path = response.request.url.path
    if base_path and path.startswith(base_path + "/"):
        path = path[len(base_path) :]
    if response.status_code >= 500:
        raise AssertionError(
            f"{where(response)}: expected no 5xx for any input (R-NO-500) / "
            f"received {response.status_code}: {_text(response)}"
        )
    found = problems(response.request.method, path, response.status_code, response.content)
    if found:
        raise AssertionError("response breaks schemas/:\n" + "\n".join(found))


def check_status(response: httpx.Response, expected: int) -> None:
    if response.status_code != expected:
        raise AssertionError(
            f"{where(response)}: expected status {expected} / received "
            f"{response.status_code}: {_text(response)}"
        )


def _errors(response: httpx.Response) -> list[dict[str, Any]]:
    try:
        payload = response.json()
    except ValueError:
        raise AssertionError(
            f"{where(response)}: expected a JSON error envelope / received {_text(response)}"
        ) from None
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(errors, list) or not errors:
        raise AssertionError(
            f"{where(response)}: expected {{'errors': [...]}} with at least one error / "
            f"received {_text(response)}"
        )
    return [e for e in errors if isinstance(e, dict)]


def check_envelope(response: httpx.Response) -> None:
    """R-ERROR-ENVELOPE: string codes, title, detail, meta.url pointing at the code's page."""
    for error in _errors(response):
        code = error.get("code")
        if not isinstance(code, str) or not code.isdigit():
            raise AssertionError(f"{where(response)}: expected a string code / received {code!r}")
        for key in ("title", "detail"):
            if not isinstance(error.get(key), str):
                raise AssertionError(
                    f"{where(response)}: expected a string {key} / received {error.get(key)!r}"
                )
        url = (error.get("meta") or {}).get("url")
        expected = f"https://developers.telnyx.com/docs/overview/errors/{code}"
        if url != expected:
            raise AssertionError(
                f"{where(response)}: expected meta.url {expected} / received {url!r}"
            )


def check_error(
    response: httpx.Response,
    status: int,
    code: str,
    pointer: str | None = None,
    parameter: str | None = None,
) -> None:
    """The response is ``status`` with an error of ``code`` (at ``pointer`` / ``parameter``)."""
    check_status(response, status)
    errors = _errors(response)
    for error in errors:
        source = error.get("source") or {}
        if (
            error.get("code") == code
            and (pointer is None or source.get("pointer") == pointer)
            and (parameter is None or source.get("parameter") == parameter)
        ):
            return
    wanted = f"code {code}"
    if pointer is not None:
        wanted += f" at pointer {pointer}"
    if parameter is not None:
        wanted += f" naming parameter {parameter}"
    received = "; ".join(
        f"{e.get('code')} {json.dumps(e.get('source'))} {e.get('detail')!r}" for e in errors
    )
    raise AssertionError(
        f"{where(response)}: expected an error with {wanted} / received {received}"
    )


def _given(item: str) -> dict[str, str]:
    return {"phone_number": item} if item.startswith("+") else {"id": item}


def check_job_echoes_targets(
    job: dict[str, Any], items: Sequence[str], numbers: Iterable[dict[str, Any]]
) -> None:
    """The new job lists its unique targets in first-seen order and in the form given, and has a
    pending operation ``{id, phone_number}`` for each (R-JOB-SHAPE, R-DEDUP)."""
    expected = [_given(i) for i in dict.fromkeys(items)]
    if job.get("phone_numbers") != expected:
        raise AssertionError(
            f"job {job.get('id')}: expected phone_numbers {expected} / "
            f"received {job.get('phone_numbers')}"
        )
    by_key: dict[str, dict[str, Any]] = {}
    for record in numbers:
        by_key[record["id"]] = record
        by_key[record["phone_number"]] = record
    operations = [
        {"id": by_key[i]["id"], "phone_number": by_key[i]["phone_number"]}
        for i in dict.fromkeys(items)
        if i in by_key
    ]
    seen = job.get("pending_operations", []) + job.get("successful_operations", [])
    seen += [
        {k: v for k, v in op.items() if k in ("id", "phone_number")}
        for op in job.get("failed_operations", [])
    ]
    if sorted(map(json.dumps, seen)) != sorted(map(json.dumps, operations)):
        raise AssertionError(
            f"job {job.get('id')}: expected operations for {operations} / received {seen}"
        )


def check_created(job: dict[str, Any], job_type: str) -> None:
    """A job as the 202 returns it (R-JOB-SHAPE): its type, pending, nothing processed yet."""
    received = (job.get("type"), job.get("status"), job.get("record_type"))
    expected = (job_type, "pending", "phone_numbers_job")
    if received != expected:
        raise AssertionError(
            f"job {job.get('id')}: expected (type, status, record_type) {expected} / "
            f"received {received}"
        )


def check_partition(job: dict[str, Any]) -> None:
    """L-PARTITION: pending, successful and failed operations partition the targets; a finished
    job has nothing pending; every failed operation carries at least one error."""
    groups = {
        name: [op.get("id") for op in job.get(name, [])]
        for name in ("pending_operations", "successful_operations", "failed_operations")
    }
    ids = [i for group in groups.values() for i in group]
    if len(ids) != len(set(ids)):
        raise AssertionError(
            f"job {job.get('id')}: expected disjoint operation lists / received {groups}"
        )
    targets = job.get("phone_numbers", [])
    if len(ids) != len(targets):
        raise AssertionError(
            f"job {job.get('id')}: expected {len(targets)} operations (one per target) / "
            f"received {len(ids)}: {groups}"
        )
    for given in targets:
        key, value = next(iter(given.items()))
        if not any(op.get(key) == value for name in groups for op in job.get(name, [])):
            raise AssertionError(
                f"job {job.get('id')}: expected an operation for target {given} / received {groups}"
            )
    if job.get("status") in FINAL and groups["pending_operations"]:
        raise AssertionError(
            f"job {job.get('id')}: expected no pending operations once {job.get('status')} / "
            f"received {groups['pending_operations']}"
        )
    for op in job.get("failed_operations", []):
        if not op.get("errors"):
            raise AssertionError(
                f"job {job.get('id')}: expected errors on failed operation {op} / received none"
            )


def check_forward(job_id: str, statuses: Sequence[str]) -> None:
    """L-STATES: successive observations only move forward along the state machine."""
    for before, after in itertools.pairwise(statuses):
        if after not in MOVES.get(before, frozenset()):
            raise AssertionError(
                f"job {job_id}: expected a move allowed from {before!r} "
                f"({sorted(MOVES.get(before, frozenset()))}) / received {after!r} "
                f"in {list(statuses)}"
            )


def check_equal(what: str, expected: object, received: object) -> None:
    if expected != received:
        raise AssertionError(f"{what}: expected {expected!r} / received {received!r}")


def check_pages(
    what: str, pages: Sequence[tuple[dict[str, Any], list[str]]], page_size: int
) -> None:
    """Q-PAGE invariants: meta consistent on every page, pages disjoint, union complete."""
    if not pages:
        raise AssertionError(f"{what}: expected at least one page / received none")
    total = pages[0][0]["total_results"]
    total_pages = -(-total // page_size)
    seen: list[str] = []
    for number, (meta, ids) in enumerate(pages, start=1):
        expected_meta = {
            "page_number": number,
            "page_size": page_size,
            "total_pages": total_pages,
            "total_results": total,
        }
        received = {k: meta.get(k) for k in expected_meta}
        check_equal(f"{what} page {number} meta", expected_meta, received)
        size = min(page_size, max(0, total - (number - 1) * page_size))
        check_equal(f"{what} page {number} size", size, len(ids))
        overlap = set(seen) & set(ids)
        if overlap:
            raise AssertionError(
                f"{what}: expected disjoint pages / received {sorted(overlap)} again on page "
                f"{number}"
            )
        seen.extend(ids)
    if len(pages) >= total_pages:
        check_equal(f"{what}: items across all pages", total, len(seen))
