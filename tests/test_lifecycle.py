"""The job lifecycle: the pure engine (``mockserver.jobs``) and the lifecycle over HTTP.

Rules: L-STATES, L-TIMING, L-COMPLETED, L-FAILED, L-EXPIRED, L-READ-NO-MOVE, L-PARTITION.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.config import Settings
from mockserver.errors import ErrorItem
from mockserver.jobs import (
    COMPLETED,
    EXPIRED,
    FAILED,
    FINAL,
    IN_PROGRESS,
    OPEN,
    PENDING,
    STATUSES,
    TRANSITIONS,
    UPDATE,
    Job,
    Outcome,
    Target,
    l_states,
    l_timing,
    progress,
)
from tests.conftest import advance

T0 = 1_767_225_600_000  # where the manual clock starts: 2026-01-01T00:00:00.000Z
WORLD = Path(__file__).resolve().parent.parent / "fixtures" / "world.json"
JOBS = "/v2/phone_numbers/jobs"


# -- helpers ------------------------------------------------------------------------------------
@cache
def world() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORLD.read_text(encoding="utf-8"))
    return data


def pick(n: int, *, status: str = "active", locked: bool = False, kind: str = "local") -> list[str]:
    """The first ``n`` ids (world order) of numbers with this status / lock / type."""
    found = [
        r["id"]
        for r in world()["numbers"]
        if r["status"] == status
        and r["deletion_lock_enabled"] is locked
        and r["phone_number_type"] == kind
    ]
    assert len(found) >= n
    return found[:n]


def iso(ms: int) -> str:
    dt = datetime.fromtimestamp(ms // 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def create(api: httpx.Client, body: dict[str, Any], kind: str = "update_phone_numbers") -> Any:
    r = api.post(f"{JOBS}/{kind}", json=body)
    assert r.status_code == 202, r.text
    return r.json()["data"]


def get_job(api: httpx.Client, job_id: str) -> Any:
    r = api.get(f"{JOBS}/{job_id}")
    assert r.status_code == 200, r.text
    return r.json()["data"]


def now_ms(api: httpx.Client) -> int:
    r = api.get("/_mock/clock")
    assert r.status_code == 200
    value: int = r.json()["data"]["now_ms"]
    return value


def move_to(api: httpx.Client, target_ms: int) -> None:
    delta = target_ms - now_ms(api)
    assert delta >= 0
    if delta:
        advance(api, delta / 1000)
    assert now_ms(api) == target_ms


def given_key(item: dict[str, str]) -> tuple[str, str]:
    return ("id", item["id"]) if "id" in item else ("phone_number", item["phone_number"])


def assert_partition(job: dict[str, Any]) -> None:
    """L-PARTITION: the three lists split the targets exactly; failures carry errors."""
    given = [given_key(p) for p in job["phone_numbers"]]
    assert len(set(given)) == len(given)
    form = given[0][0]
    lists = [job["pending_operations"], job["successful_operations"], job["failed_operations"]]
    seen: list[tuple[str, str]] = []
    for ops in lists:
        for op in ops:
            assert set(op) >= {"id", "phone_number"}
            seen.append((form, op[form]))
    assert sorted(seen) == sorted(given)
    for op in job["failed_operations"]:
        assert op["errors"], op
    if job["status"] in FINAL:
        assert job["pending_operations"] == []


# -- the pure engine ----------------------------------------------------------------------------
ALLOWED = {
    (PENDING, IN_PROGRESS),
    (PENDING, COMPLETED),
    (PENDING, FAILED),
    (PENDING, EXPIRED),
    (IN_PROGRESS, COMPLETED),
    (IN_PROGRESS, FAILED),
}


@pytest.mark.rule("L-STATES")
@pytest.mark.parametrize("src", STATUSES)
@pytest.mark.parametrize("dst", STATUSES)
def test_can_move_table(src: str, dst: str) -> None:
    expected = src == dst or (src, dst) in ALLOWED
    assert l_states(src, dst) is expected
    assert (dst in TRANSITIONS[src]) is ((src, dst) in ALLOWED)


@pytest.mark.rule("L-STATES")
def test_transition_table_shape() -> None:
    assert set(TRANSITIONS) == set(STATUSES)
    assert set(STATUSES) == OPEN | FINAL
    assert not OPEN & FINAL
    for state in FINAL:
        assert TRANSITIONS[state] == frozenset()
    # nothing moves back to pending, and nothing comes out of an end state
    assert all(PENDING not in dsts for dsts in TRANSITIONS.values())


def make_job(
    n: int = 3,
    *,
    created: int = 0,
    start: int = 1000,
    step: int = 50,
    expire: int | None = None,
    ok: list[bool] | None = None,
) -> Job:
    targets = [Target(str(1000 + i), f"+1312555{i:04d}", "id") for i in range(n)]
    bad = ErrorItem("10015", "Bad Request", "x", "/phone_numbers")
    outcomes = [Outcome([] if good else [bad]) for good in (ok or [])]
    return Job(
        id="job",
        type=UPDATE,
        seq=0,
        created_ms=created,
        start_ms=start,
        step_ms=step,
        targets=targets,
        parameters={},
        expire_ms=expire,
        outcomes=outcomes,
    )


@pytest.mark.rule("L-TIMING")
@pytest.mark.parametrize(
    ("now", "expected"),
    [(0, 0), (999, 0), (1000, 0), (1049, 0), (1050, 1), (1099, 1), (1100, 2), (1150, 3),
     (1151, 3), (10**9, 3)],
)  # fmt: skip
def test_processed_at_table(now: int, expected: int) -> None:
    assert l_timing(make_job(), now) == expected


@pytest.mark.rule("L-TIMING")
def test_processed_at_special_cases() -> None:
    instant = make_job(start=0, step=0)
    assert l_timing(instant, 0) == 3
    assert l_timing(make_job(start=500, step=0), 499) == 0
    never = make_job(expire=400)  # expires before it starts: never processes anything
    assert l_timing(never, 10**9) == 0


@pytest.mark.rule("L-TIMING")
@pytest.mark.rule("L-STATES")
@pytest.mark.parametrize(
    ("now", "ok", "status", "processed", "updated", "etc"),
    [
        (0, [], PENDING, 0, 0, 1150),
        (999, [], PENDING, 0, 0, 1150),
        (1000, [], IN_PROGRESS, 0, 1000, 1150),
        (1050, [True], IN_PROGRESS, 1, 1050, 1150),
        (1149, [True, False], IN_PROGRESS, 2, 1100, 1150),
        (1150, [True, False, False], COMPLETED, 3, 1150, 1150),
        (1150, [False, False, False], FAILED, 3, 1150, 1150),
        (99_999, [False, True, False], COMPLETED, 3, 1150, 1150),
    ],
)
def test_progress_table(
    now: int, ok: list[bool], status: str, processed: int, updated: int, etc: int
) -> None:
    job = make_job(ok=ok)
    prog = progress(job, now)
    assert (prog.status, prog.processed, prog.updated_ms, prog.etc_ms) == (
        status,
        processed,
        updated,
        etc,
    )
    assert progress(job, now) == prog  # pure: same input, same answer, no mutation
    assert len(job.outcomes) == len(ok)


@pytest.mark.rule("L-EXPIRED")
@pytest.mark.parametrize(
    ("now", "status", "updated", "etc"),
    [(0, PENDING, 0, 400), (399, PENDING, 0, 400), (400, EXPIRED, 400, 400),
     (10**9, EXPIRED, 400, 400)],
)  # fmt: skip
def test_progress_expiring_job(now: int, status: str, updated: int, etc: int) -> None:
    prog = progress(make_job(expire=400), now)
    assert (prog.status, prog.processed, prog.updated_ms, prog.etc_ms) == (
        status,
        0,
        updated,
        etc,
    )


@pytest.mark.rule("L-EXPIRED")
def test_expire_after_start_does_not_expire() -> None:
    job = make_job(expire=5000, ok=[True, True, True])  # would expire after it started
    assert progress(job, 6000).status == COMPLETED


@pytest.mark.rule("L-STATES")
def test_progress_statuses_move_forward_along_transitions() -> None:
    job = make_job(n=5, ok=[True, False, True, False, False])
    seen = [progress(job, t).status for t in range(0, 1400, 7)]
    for a, b in pairwise(seen):
        assert l_states(a, b), (a, b)
    assert seen[0] == PENDING
    assert seen[-1] == COMPLETED
    assert IN_PROGRESS in seen


# -- over HTTP: states and timing ---------------------------------------------------------------
@pytest.mark.rule("L-STATES")
@pytest.mark.rule("L-TIMING")
@pytest.mark.rule("L-PARTITION")
def test_default_timing_at_many_instants(api: httpx.Client) -> None:
    ids = pick(4)
    created = create(api, {"phone_numbers": ids, "tags": ["lifecycle"]})
    assert created["status"] == PENDING
    assert created["created_at"] == iso(T0)
    assert created["updated_at"] == iso(T0)
    assert created["etc"] == iso(T0 + 1000 + 4 * 50)
    assert [op["id"] for op in created["pending_operations"]] == ids
    last = PENDING
    for offset in (0, 500, 999, 1000, 1001, 1049, 1050, 1099, 1100, 1149, 1150, 1199, 1200, 9000):
        move_to(api, T0 + offset)
        job = get_job(api, created["id"])
        done = 0 if offset < 1000 else min(4, (offset - 1000) // 50)
        if offset < 1000:
            status, updated = PENDING, T0
        elif done < 4:
            status, updated = IN_PROGRESS, T0 + 1000 + done * 50
        else:
            status, updated = COMPLETED, T0 + 1200
        assert job["status"] == status, offset
        assert job["updated_at"] == iso(updated), offset
        assert job["etc"] == iso(T0 + 1200), offset
        assert job["created_at"] == iso(T0)
        assert [op["id"] for op in job["successful_operations"]] == ids[:done]
        assert [op["id"] for op in job["pending_operations"]] == ids[done:]
        assert job["failed_operations"] == []
        assert_partition(job)
        assert l_states(last, job["status"]), (last, job["status"])
        last = job["status"]
    # each number was changed at its own processing time
    for index, ident in enumerate(ids):
        number = api.get(f"/v2/phone_numbers/{ident}").json()["data"]
        assert number["tags"] == ["lifecycle"]
        assert number["updated_at"] == iso(T0 + 1000 + (index + 1) * 50)


@pytest.mark.rule("L-TIMING")
def test_targets_not_applied_before_their_time(api: httpx.Client) -> None:
    ids = pick(2)
    before = api.get(f"/v2/phone_numbers/{ids[1]}").json()["data"]
    job = create(api, {"phone_numbers": ids, "customer_reference": "timing-ref"})
    advance(api, 1.05)  # first target processed, second not yet
    first = api.get(f"/v2/phone_numbers/{ids[0]}").json()["data"]
    second = api.get(f"/v2/phone_numbers/{ids[1]}").json()["data"]
    assert first["customer_reference"] == "timing-ref"
    assert second == before
    advance(api, 0.05)
    assert api.get(f"/v2/phone_numbers/{ids[1]}").json()["data"]["customer_reference"] == (
        "timing-ref"
    )
    assert get_job(api, job["id"])["status"] == COMPLETED


@pytest.mark.rule("L-TIMING")
@pytest.mark.parametrize(
    "settings_",
    [Settings(manual_clock=True, pending_delay_ms=250, numbers_per_second=4)],
    ids=["delay250-rate4"],
)
def test_timing_settings_override(api: httpx.Client) -> None:
    ids = pick(3)
    created = create(api, {"phone_numbers": ids, "tags": ["t"]})
    step, start = 250, T0 + 250
    assert created["etc"] == iso(start + 3 * step)
    table = [
        (249, PENDING, 0, T0),
        (250, IN_PROGRESS, 0, start),
        (499, IN_PROGRESS, 0, start),
        (500, IN_PROGRESS, 1, start + step),
        (750, IN_PROGRESS, 2, start + 2 * step),
        (999, IN_PROGRESS, 2, start + 2 * step),
        (1000, COMPLETED, 3, start + 3 * step),
    ]
    for offset, status, done, updated in table:
        move_to(api, T0 + offset)
        job = get_job(api, created["id"])
        assert (job["status"], len(job["successful_operations"])) == (status, done), offset
        assert job["updated_at"] == iso(updated), offset
        assert job["etc"] == iso(start + 3 * step)
        assert_partition(job)


@pytest.mark.rule("L-TIMING")
@pytest.mark.rule("L-STATES")
@pytest.mark.parametrize(
    "settings_", [Settings(manual_clock=True, instant_jobs=True)], ids=["instant"]
)
def test_instant_jobs_finish_at_creation(api: httpx.Client) -> None:
    ids = pick(3)
    created = create(api, {"phone_numbers": ids, "tags": ["instant"]})
    # the creation response renders the job as accepted ...
    assert created["status"] == PENDING
    assert created["etc"] == iso(T0)
    assert len(created["pending_operations"]) == 3
    # ... and without the clock moving it is already done (pending -> completed)
    job = get_job(api, created["id"])
    assert job["status"] == COMPLETED
    assert job["updated_at"] == iso(T0)
    assert job["etc"] == iso(T0)
    assert [op["id"] for op in job["successful_operations"]] == ids
    assert_partition(job)
    for ident in ids:
        number = api.get(f"/v2/phone_numbers/{ident}").json()["data"]
        assert number["tags"] == ["instant"]
        assert number["updated_at"] == iso(T0)
    assert now_ms(api) == T0


@pytest.mark.rule("L-TIMING")
@pytest.mark.parametrize(
    "settings_", [Settings(manual_clock=True, instant_jobs=True)], ids=["instant"]
)
def test_instant_job_failing_ends_failed(api: httpx.Client) -> None:
    job = create(api, {"phone_numbers": pick(1, status="port-pending"), "tags": ["x"]})
    assert get_job(api, job["id"])["status"] == FAILED


@pytest.mark.rule("L-TIMING")
def test_queued_jobs_do_not_wait_for_each_other(api: httpx.Client) -> None:
    """Timing is per job: a second job created later runs on its own schedule."""
    a = create(api, {"phone_numbers": pick(2), "tags": ["a"]})
    advance(api, 0.3)
    b = create(api, {"phone_numbers": pick(3)[2:], "tags": ["b"]})
    assert b["etc"] == iso(T0 + 300 + 1000 + 50)
    assert a["etc"] == iso(T0 + 1100)
    move_to(api, T0 + 1350)
    assert get_job(api, a["id"])["status"] == COMPLETED
    assert get_job(api, b["id"])["status"] == COMPLETED


# -- end states ---------------------------------------------------------------------------------
@pytest.mark.rule("L-COMPLETED")
@pytest.mark.rule("L-PARTITION")
def test_job_with_some_failures_ends_completed(api: httpx.Client) -> None:
    good = pick(2)
    bad = pick(1, status="port-pending")
    ids = [good[0], bad[0], good[1]]
    created = create(api, {"phone_numbers": ids, "tags": ["mixed"]})
    advance(api, 1.1)
    job = get_job(api, created["id"])
    assert job["status"] == IN_PROGRESS
    assert [op["id"] for op in job["successful_operations"]] == [good[0]]
    assert [op["id"] for op in job["failed_operations"]] == [bad[0]]
    assert_partition(job)
    advance(api, 0.05)
    job = get_job(api, created["id"])
    assert job["status"] == COMPLETED
    assert [op["id"] for op in job["successful_operations"]] == good
    assert [op["id"] for op in job["failed_operations"]] == bad
    assert job["pending_operations"] == []
    assert job["failed_operations"][0]["errors"][0]["code"] == "10015"
    assert_partition(job)


@pytest.mark.rule("L-FAILED")
@pytest.mark.rule("L-PARTITION")
@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("update_phone_numbers", {"tags": ["x"]}),
        ("delete_phone_numbers", {}),
        ("update_emergency_settings", {"emergency_enabled": False}),
    ],
)
def test_job_where_nothing_succeeds_ends_failed(
    api: httpx.Client, kind: str, extra: dict[str, Any]
) -> None:
    ids = pick(3, status="port-pending")
    created = create(api, {"phone_numbers": ids, **extra}, kind)
    advance(api, 1.1)
    job = get_job(api, created["id"])
    assert job["status"] == IN_PROGRESS  # failures alone don't end a job early
    assert len(job["failed_operations"]) == 2
    advance(api, 0.05)
    job = get_job(api, created["id"])
    assert job["status"] == FAILED
    assert job["successful_operations"] == []
    assert job["pending_operations"] == []
    assert [op["id"] for op in job["failed_operations"]] == ids
    assert job["updated_at"] == iso(T0 + 1150)
    assert_partition(job)
    listed = api.get(JOBS, params={"filter[status]": "failed"}).json()
    assert [j["id"] for j in listed["data"]] == [created["id"]]


EXPIRING = Settings(manual_clock=True, pending_delay_ms=1000, expire_after_ms=400)


@pytest.mark.rule("L-EXPIRED")
@pytest.mark.rule("L-PARTITION")
@pytest.mark.parametrize("settings_", [EXPIRING], ids=["expire400"])
def test_job_expires_before_it_starts(api: httpx.Client) -> None:
    ids = pick(3)
    before = [api.get(f"/v2/phone_numbers/{i}").json()["data"] for i in ids]
    created = create(api, {"phone_numbers": ids, "tags": ["never"]})
    assert created["status"] == PENDING
    advance(api, 0.399)
    job = get_job(api, created["id"])
    assert job["status"] == PENDING
    assert job["updated_at"] == iso(T0)
    assert [op["id"] for op in job["pending_operations"]] == ids
    assert_partition(job)
    advance(api, 0.001)
    job = get_job(api, created["id"])
    assert job["status"] == EXPIRED
    assert job["updated_at"] == iso(T0 + 400)
    assert job["pending_operations"] == []
    assert job["successful_operations"] == []
    assert [op["id"] for op in job["failed_operations"]] == ids
    for op in job["failed_operations"]:
        assert len(op["errors"]) == 1
        err = op["errors"][0]
        assert err["code"] == "10007"
        assert err["title"] == "Unexpected error"
        assert err["meta"] == {"url": "https://developers.telnyx.com/docs/overview/errors/10007"}
    assert_partition(job)
    # it never runs: long after its start time nothing changed
    advance(api, 60)
    assert get_job(api, created["id"])["status"] == EXPIRED
    after = [api.get(f"/v2/phone_numbers/{i}").json()["data"] for i in ids]
    assert after == before
    listed = api.get(JOBS, params={"filter[status]": "expired"}).json()
    assert [j["id"] for j in listed["data"]] == [created["id"]]


@pytest.mark.rule("L-EXPIRED")
@pytest.mark.parametrize("settings_", [EXPIRING], ids=["expire400"])
def test_jobs_run_ends_an_expiring_job(api: httpx.Client) -> None:
    """/_mock/jobs/run runs every open job to its end, including one that will expire."""
    created = create(api, {"phone_numbers": pick(1), "tags": ["never"]})
    r = api.post("/_mock/jobs/run")
    assert r.status_code == 200
    assert get_job(api, created["id"])["status"] == EXPIRED


@pytest.mark.rule("L-EXPIRED")
@pytest.mark.rule("R-JOB-CAP")
@pytest.mark.parametrize(
    "settings_",
    [Settings(manual_clock=True, pending_delay_ms=1000, expire_after_ms=400, max_open_jobs=2)],
    ids=["expire400-cap2"],
)
def test_pending_job_that_will_expire_counts_as_open(api: httpx.Client) -> None:
    """Until it expires the job is reported pending, so it counts against the open-jobs cap."""
    ids = pick(3)
    for ident in ids[:2]:
        job = create(api, {"phone_numbers": [ident]}, "delete_phone_numbers")
        assert get_job(api, job["id"])["status"] == PENDING
    r = api.post(f"{JOBS}/delete_phone_numbers", json={"phone_numbers": [ids[2]]})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["detail"] == "You can have at most 2 pending or in progress jobs"
    assert r.json()["errors"][0]["source"] == {"pointer": "/base"}
    advance(api, 0.4)  # both expired: no longer open
    create(api, {"phone_numbers": [ids[2]]}, "delete_phone_numbers")


@pytest.mark.rule("L-EXPIRED")
@pytest.mark.parametrize(
    "settings_",
    [Settings(manual_clock=True, pending_delay_ms=1000, expire_after_ms=1001)],
    ids=["expire-after-start"],
)
def test_expire_after_longer_than_delay_never_expires(api: httpx.Client) -> None:
    created = create(api, {"phone_numbers": pick(2), "tags": ["ok"]})
    advance(api, 5)
    assert get_job(api, created["id"])["status"] == COMPLETED


# -- reads never move time ----------------------------------------------------------------------
@pytest.mark.rule("L-READ-NO-MOVE")
def test_reads_do_not_move_anything(api: httpx.Client) -> None:
    ids = pick(4)
    created = create(api, {"phone_numbers": ids, "tags": ["still"]})
    other = create(api, {"phone_numbers": ids[:1]}, "delete_phone_numbers")
    advance(api, 1.075)  # mid-flight: one target of each job processed

    def snapshot() -> list[bytes]:
        paths = [
            f"{JOBS}/{created['id']}",
            f"{JOBS}/{other['id']}",
            JOBS,
            f"{JOBS}?filter[status]=in_progress",
            "/v2/phone_numbers?filter[tag]=still",
            *[f"/v2/phone_numbers/{i}" for i in ids],
            *[f"/v2/phone_numbers/{i}/voice" for i in ids],
            "/_mock/clock",
        ]
        out = []
        for path in paths:
            r = api.get(path)
            out.append(r.content)
        return out

    first = snapshot()
    for _ in range(15):
        assert snapshot() == first
    job = get_job(api, created["id"])
    assert job["status"] == IN_PROGRESS
    assert len(job["successful_operations"]) == 1
    assert now_ms(api) == T0 + 1075
    advance(api, 0)  # a zero advance moves nothing either
    assert snapshot() == first
    advance(api, 0.025)
    assert snapshot() != first


# -- partition at every instant -----------------------------------------------------------------
@pytest.mark.rule("L-PARTITION")
@pytest.mark.parametrize("form", ["id", "phone_number"])
def test_partition_at_every_step(api: httpx.Client, form: str) -> None:
    records = {r["id"]: r for r in world()["numbers"]}
    ids = [*pick(3), *pick(2, status="ported-out")]
    ids = [ids[0], ids[3], ids[1], ids[4], ids[2]]
    items = ids if form == "id" else [records[i]["phone_number"] for i in ids]
    created = create(api, {"phone_numbers": items + items[:1], "external_pin": "1234"})
    assert [given_key(p) for p in created["phone_numbers"]] == [(form, v) for v in items]
    assert_partition(created)
    statuses = []
    for _ in range(30):
        job = get_job(api, created["id"])
        assert_partition(job)
        statuses.append(job["status"])
        advance(api, 0.045)
    assert statuses[-1] == COMPLETED
    for a, b in pairwise(statuses):
        assert l_states(a, b)
    final = get_job(api, created["id"])
    assert [op["id"] for op in final["failed_operations"]] == [ids[1], ids[3]]
