"""The HTTP scenarios: what each sends, the status it must get, and the state it needs first.

Each emulator scenario has its own bearer key, so its tenant holds only its own jobs (the list
scenario pages over exactly the jobs it made). Job creation is measured as job creation: the
creation scenarios change their bearer key every 15 requests (``rotate_keys``: a new tenant, a
fork of the shared world), so the cap of 20 open jobs never turns a run into 422s (the status
check of every run proves it), and jobs are real (pending, on the real clock), not processed
at creation as ``--instant`` would.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.wrk import HarnessError

UPDATE = "/v2/phone_numbers/jobs/update_phone_numbers"
JOBS = "/v2/phone_numbers/jobs"
#: the documented example ids of fixtures/world.json (both active US local numbers)
TWO_IDS = ["1583466971586889004", "1293384261075731499"]
#: a tag of the default world with a few hundred numbers (253); kept on them by the update
FILTER_TAG = "sandbox"
EMULATOR_ARGS = ["--no-access-log"]  # the bare app logs nothing either
LIST_JOBS = 20  # the cap of open jobs per tenant (jobs here stay open: real clock)

#: request(method, path, body, api_key) -> (status, body)
Send = Callable[[str, str, bytes | None, str | None], tuple[int, bytes]]


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Scenario:
    name: str  # key in latest.json
    label: str  # row of the table
    method: str
    path: str
    expected_status: int
    body: bytes | None = None
    api_key: str | None = None
    #: a new bearer key (tenant) every 15 requests: ``api_key`` + a counter
    rotate_keys: bool = False
    #: creates the state the scenario reads; returns the path to load (default: ``path``)
    prepare: Callable[[Send], str] | None = field(default=None, compare=False)

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"} if self.body is not None else {}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def ready(self, send: Send) -> str:
        """Prepare, then send the request once: it must get the expected status."""
        path = self.prepare(send) if self.prepare else self.path
        status, body = send(self.method, path, self.body, self.api_key)
        if status != self.expected_status:
            raise HarnessError(
                f"scenario {self.name}: probe got {status}, not {self.expected_status}: "
                f"{body[:200]!r}"
            )
        return path


def _create(send: Send, api_key: str) -> str:
    status, body = send("POST", UPDATE, _json({"phone_numbers": TWO_IDS, "tags": ["b"]}), api_key)
    if status != 202:
        raise HarnessError(f"preparing {api_key}: job creation got {status}: {body[:200]!r}")
    job_id: str = json.loads(body)["data"]["id"]
    return job_id


def _prepare_get(send: Send) -> str:
    return f"{JOBS}/{_create(send, 'bench-get')}"


def _prepare_list(send: Send) -> str:
    for _ in range(LIST_JOBS):
        _create(send, "bench-list")
    return f"{JOBS}?page%5Bsize%5D=20"


BARE = Scenario("bare", "bare constant JSON", "GET", "/", 200)


def emulator_scenarios(thousand_ids: list[str]) -> list[Scenario]:
    if len(thousand_ids) != 1000:
        raise HarnessError(f"the 1,000-number scenario needs 1,000 ids, got {len(thousand_ids)}")
    return [
        Scenario("update_2", "2-number update job", "POST", UPDATE, 202,
                 _json({"phone_numbers": TWO_IDS, "tags": ["bench"]}), "bench-update-2",
                 rotate_keys=True),
        Scenario("update_1000", "1,000-number update job", "POST", UPDATE, 202,
                 _json({"phone_numbers": thousand_ids, "tags": ["bench"]}), "bench-update-1000",
                 rotate_keys=True),
        Scenario("invalid_422", "invalid body (422)", "POST", UPDATE, 422,
                 _json({"phone_numbers": TWO_IDS, "tags": "bench"}), "bench-invalid"),
        Scenario("get_job", "GET job", "GET", JOBS, 200, None, "bench-get",
                 prepare=_prepare_get),
        Scenario("list_jobs", f"list jobs (page of 20 of {LIST_JOBS})", "GET", JOBS, 200,
                 None, "bench-list", prepare=_prepare_list),
        Scenario("filter_job", f"filter job (tag={FILTER_TAG}, 253 numbers)", "POST",
                 f"{UPDATE}?filter%5Btag%5D={FILTER_TAG}", 202,
                 _json({"tags": [FILTER_TAG, "bench"]}), "bench-filter", rotate_keys=True),
    ]  # fmt: skip


def updatable_ids(world: dict[str, Any], count: int = 1000) -> list[str]:
    """The first ``count`` active numbers of a world, by id: every one of them updates."""
    ids = sorted(n["id"] for n in world["numbers"] if n["status"] == "active")
    return ids[:count]


def labels(scenarios: list[Scenario]) -> dict[str, str]:
    return {s.name: s.label for s in scenarios}
