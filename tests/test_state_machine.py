"""A stateful model test of the job engine: random jobs, clock moves and reads against a model.

The model is an independent re-statement of the manifest's lifecycle and outcome rules (L-*, O-*,
E-*): every job's status, operation lists and errors, and every pool number's fields, must match
it after every step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from mockserver.app import create_app
from mockserver.config import Settings
from mockserver.jobs import FINAL, l_states
from tests.conftest import advance, make_client

T0 = 1_767_225_600_000
DELAY_MS = 200
RATE = 10  # numbers per second -> one target every 100 ms
STEP_MS = 1000 // RATE
WORLD = Path(__file__).resolve().parent.parent / "fixtures" / "world.json"
JOBS = "/v2/phone_numbers/jobs"
LOCKED_STATUSES = {"port-pending", "deleted", "ported-out", "port-out-pending"}


@cache
def world() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORLD.read_text(encoding="utf-8"))
    return data


@cache
def pool() -> tuple[dict[str, Any], ...]:
    """Six plain active numbers, one port-pending and one deletion-locked active number."""
    numbers = world()["numbers"]
    plain = [
        r
        for r in numbers
        if r["status"] == "active"
        and not r["deletion_lock_enabled"]
        and r["phone_number_type"] == "local"
    ][:6]
    port_pending = next(r for r in numbers if r["status"] == "port-pending")
    locked = next(
        r
        for r in numbers
        if r["status"] == "active"
        and r["deletion_lock_enabled"]
        and r["phone_number_type"] == "local"
    )
    return (*plain, port_pending, locked)


ADDRESSES = tuple(a["id"] for a in world()["emergency_addresses"][:2])
UNKNOWN_ADDRESS = "1"


@dataclass
class NumberModel:
    id: str
    phone_number: str
    status: str
    tags: list[str]
    customer_reference: str | None
    deletion_lock_enabled: bool
    emergency_enabled: bool
    emergency_address_id: str | None
    exists: bool = True


@dataclass
class JobModel:
    id: str
    type: str
    seq: int
    created: int
    targets: list[str]  # number ids, de-duplicated, in given order
    params: dict[str, Any]
    #: per processed target: None = success, else (code, pointer)
    outcomes: list[tuple[str, str] | None] = field(default_factory=list)
    last_status: str = "pending"

    def time_of(self, index: int) -> int:
        return self.created + DELAY_MS + (index + 1) * STEP_MS

    def processed(self, now: int) -> int:
        if now < self.created + DELAY_MS:
            return 0
        return min(len(self.targets), (now - self.created - DELAY_MS) // STEP_MS)

    def status(self, now: int) -> str:
        if now < self.created + DELAY_MS:
            return "pending"
        if self.processed(now) < len(self.targets):
            return "in_progress"
        return "completed" if any(o is None for o in self.outcomes) else "failed"


tags_st = st.lists(st.sampled_from(["a", "b", "c"]), max_size=3)


class JobsMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.app = create_app(
            Settings(
                manual_clock=True,
                pending_delay_ms=DELAY_MS,
                numbers_per_second=RATE,
                max_open_jobs=1000,
            )
        )
        self.client = make_client(self.app)
        self.now = T0
        self.numbers = {
            r["id"]: NumberModel(
                r["id"],
                r["phone_number"],
                r["status"],
                list(r["tags"]),
                r["customer_reference"],
                r["deletion_lock_enabled"],
                r["emergency_enabled"],
                r["emergency_address_id"],
            )
            for r in pool()
        }
        self.jobs: list[JobModel] = []
        self.dirty = True  # numbers changed in the model since they were last compared

    def teardown(self) -> None:
        self.client.close()

    # -- the model's engine ---------------------------------------------------------------------
    def settle(self) -> None:
        events = sorted(
            (job.time_of(i), job.seq, i)
            for job in self.jobs
            for i in range(len(job.outcomes), job.processed(self.now))
        )
        for _, seq, index in events:
            job = self.jobs[seq]
            assert len(job.outcomes) == index
            job.outcomes.append(self.process(job, job.targets[index]))
            self.dirty = True

    def process(self, job: JobModel, ident: str) -> tuple[str, str] | None:
        num = self.numbers[ident]
        if not num.exists:
            return ("10005", "/phone_numbers")
        if num.status in LOCKED_STATUSES:
            return ("10015", "/phone_numbers")
        p = job.params
        if job.type == "delete_phone_numbers":
            if num.deletion_lock_enabled:
                return ("10015", "/deletion_lock_enabled")
            num.exists = False
            return None
        if job.type == "update_emergency_settings":
            if p["emergency_enabled"] and p["emergency_address_id"] not in ADDRESSES:
                return ("10015", "/emergency_address_id")
            num.emergency_enabled = p["emergency_enabled"]
            num.emergency_address_id = p["emergency_address_id"] if p["emergency_enabled"] else None
            return None
        if "customer_reference" in p:
            num.customer_reference = p["customer_reference"]
        if "deletion_lock_enabled" in p:
            num.deletion_lock_enabled = p["deletion_lock_enabled"]
        if "tags" in p:
            num.tags = list(dict.fromkeys(p["tags"]))
        if p.get("add_tags"):
            num.tags = list(dict.fromkeys([*num.tags, *p["add_tags"]]))
        if p.get("remove_tags"):
            num.tags = [t for t in num.tags if t not in p["remove_tags"]]
        return None

    # -- rules ----------------------------------------------------------------------------------
    def _create(self, kind: str, picks: list[int], by_e164: bool, body: dict[str, Any]) -> None:
        self.settle()
        chosen = [pool()[i] for i in picks]
        items = [r["phone_number"] if by_e164 else r["id"] for r in chosen]
        r = self.client.post(f"{JOBS}/{kind}", json={"phone_numbers": items, **body})
        targets = list(dict.fromkeys(rec["id"] for rec in chosen))
        if not all(self.numbers[t].exists for t in targets):
            assert r.status_code == 422, r.text
            err = r.json()["errors"][0]
            assert err["detail"] == "You must own every number in the bulk request"
            assert err["source"] == {"pointer": "/phone_numbers"}
            return
        assert r.status_code == 202, r.text
        data = r.json()["data"]
        assert data["status"] == "pending"
        assert [op["id"] for op in data["pending_operations"]] == targets
        params = dict(body)
        self.jobs.append(JobModel(data["id"], kind, len(self.jobs), self.now, targets, params))

    picks_st = st.lists(st.integers(0, len(pool()) - 1), min_size=1, max_size=4)

    @rule(
        picks=picks_st,
        by_e164=st.booleans(),
        tags=st.none() | tags_st,
        add_tags=st.none() | tags_st,
        remove_tags=st.none() | tags_st,
        reference=st.none() | st.sampled_from(["ref-1", "ref-2"]),
        lock=st.none() | st.booleans(),
    )
    def create_update(
        self,
        picks: list[int],
        by_e164: bool,
        tags: list[str] | None,
        add_tags: list[str] | None,
        remove_tags: list[str] | None,
        reference: str | None,
        lock: bool | None,
    ) -> None:
        body: dict[str, Any] = {}
        for key, value in (
            ("tags", tags),
            ("add_tags", add_tags),
            ("remove_tags", remove_tags),
            ("customer_reference", reference),
            ("deletion_lock_enabled", lock),
        ):
            if value is not None:
                body[key] = value
        if not body:
            body["tags"] = ["a"]
        self._create("update_phone_numbers", picks, by_e164, body)

    @rule(
        picks=picks_st,
        by_e164=st.booleans(),
        address=st.none() | st.sampled_from([*ADDRESSES, UNKNOWN_ADDRESS]),
    )
    def create_emergency(self, picks: list[int], by_e164: bool, address: str | None) -> None:
        body = {"emergency_enabled": address is not None, "emergency_address_id": address}
        self._create("update_emergency_settings", picks, by_e164, body)

    @rule(picks=st.lists(st.integers(0, len(pool()) - 1), min_size=1, max_size=2))
    def create_delete(self, picks: list[int]) -> None:
        self._create("delete_phone_numbers", picks, False, {})

    @rule(ms=st.integers(0, 700))
    def advance_clock(self, ms: int) -> None:
        data = advance(self.client, ms / 1000)
        self.now += ms
        assert data["now_ms"] == self.now

    @precondition(lambda self: bool(self.jobs))
    @rule(index=st.integers(0, 50))
    def retrieve_job(self, index: int) -> None:
        model = self.jobs[index % len(self.jobs)]
        r = self.client.get(f"{JOBS}/{model.id}")
        assert r.status_code == 200, r.text
        self.settle()
        self.check_job(r.json()["data"], model)

    @rule()
    def read_numbers(self) -> None:
        self.settle()
        self.compare_numbers()

    def compare_numbers(self) -> None:
        self.dirty = False
        for ident, num in self.numbers.items():
            r = self.client.get(f"/v2/phone_numbers/{ident}")
            if not num.exists:
                assert r.status_code == 404, r.text
                assert r.json()["errors"][0]["source"] == {"pointer": "/id"}
                continue
            assert r.status_code == 200, r.text
            got = r.json()["data"]
            assert got["tags"] == num.tags
            assert got["customer_reference"] == num.customer_reference
            assert got["deletion_lock_enabled"] is num.deletion_lock_enabled
            assert got["emergency_enabled"] is num.emergency_enabled
            assert got["emergency_address_id"] == num.emergency_address_id
            assert got["emergency_status"] == ("active" if num.emergency_enabled else "disabled")

    # -- invariants -----------------------------------------------------------------------------
    def check_job(self, job: dict[str, Any], model: JobModel) -> None:
        status = model.status(self.now)
        assert job["id"] == model.id
        assert job["type"] == model.type
        assert job["status"] == status, (job, model)
        assert l_states(model.last_status, status), (model.last_status, status)
        model.last_status = status
        # the three lists partition the targets
        ops = [*job["pending_operations"], *job["successful_operations"]]
        ops += job["failed_operations"]
        assert sorted(op["id"] for op in ops) == sorted(model.targets)
        if status in FINAL:
            assert job["pending_operations"] == []
        done = model.processed(self.now)
        assert [op["id"] for op in job["pending_operations"]] == model.targets[done:]
        ok = [t for t, o in zip(model.targets, model.outcomes, strict=False) if o is None]
        assert [op["id"] for op in job["successful_operations"]] == ok
        failed = [
            (t, o) for t, o in zip(model.targets, model.outcomes, strict=False) if o is not None
        ]
        assert [op["id"] for op in job["failed_operations"]] == [t for t, _ in failed]
        for op, (_, (code, pointer)) in zip(job["failed_operations"], failed, strict=True):
            assert len(op["errors"]) >= 1
            assert op["errors"][0]["code"] == code
            assert op["errors"][0]["source"]["pointer"] == pointer

    @invariant()
    def jobs_match_model(self) -> None:
        r = self.client.get(JOBS, params={"page[size]": "250", "sort": "created_at"})
        assert r.status_code == 200, r.text
        body = r.json()
        self.settle()
        assert body["meta"]["total_results"] == len(self.jobs)
        assert [j["id"] for j in body["data"]] == [m.id for m in self.jobs]
        for job, model in zip(body["data"], self.jobs, strict=True):
            self.check_job(job, model)

    @invariant()
    def numbers_match_model(self) -> None:
        """Every effect of a processed target is visible (checked whenever the model moved)."""
        self.settle()
        if self.dirty:
            self.compare_numbers()


@pytest.mark.rule("L-STATES")
@pytest.mark.rule("L-PARTITION")
@pytest.mark.rule("E-UPDATE")
class TestJobsMachine(JobsMachine.TestCase):  # type: ignore[valid-type,misc]
    settings = settings(max_examples=25, stateful_step_count=20)
