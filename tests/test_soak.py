"""Load without loss: many concurrent clients against the emulator under uvicorn on 127.0.0.1.

``SOAK_CLIENTS`` clients (default 32) each loop for ``SOAK_SECONDS`` (default 3; ``make soak``
uses 20) over random operations across 8 tenants: update jobs (ids, E.164, filter), emergency and
delete jobs, invalid creates, GET job, list jobs, list/get numbers, and clock advances through
``/_mock/clock/advance`` (the real job lifecycle on a manual clock: jobs move only when a client
moves its tenant's clock). The interleaving varies from run to run; the invariants checked
afterwards do not:

- no 5xx, no transport error, every answer the one its operation allows;
- the journal of each tenant holds exactly the data-plane requests the clients sent to it
  (method, path, query and status), none dropped;
- every 202 job is retrievable with the same id, type and targets; once the clock is far enough
  ahead it is finished and its operations partition its targets (no number lost or doubled);
- each tenant's job list holds exactly its 202 jobs (``meta.total_results`` and the ids).
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.soak_support import (
    JOBS,
    TENANTS,
    Exchange,
    LiveServer,
    Pools,
    SoakClient,
    Tally,
    env_number,
    partition_problems,
)

SECONDS = env_number("SOAK_SECONDS", 3.0)
CLIENTS = int(env_number("SOAK_CLIENTS", 32))
#: longer than any job can take: 1 s pending + max_numbers (1,000) targets at 20 per second
FAR_ENOUGH_S = 3600
AUTH = {t: {"Authorization": f"Bearer {t}"} for t in TENANTS}


#: the journal must keep every request of the run; bodies are cut short to bound its memory
SETTINGS = {"journal_size": 10_000_000, "journal_body_bytes": 64}


async def load(base_url: str) -> tuple[list[Tally], float]:
    """Run the clients until the deadline; returns their tallies and the load phase's length."""
    pools = Pools.build(CLIENTS)
    limits = httpx.Limits(max_connections=1)
    clients = [
        httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) for _ in range(CLIENTS)
    ]
    # one request that waits (in the socket's backlog) until the server is up: the clock of the
    # run starts when the server answers, not while it starts
    ready = await clients[0].get("/_mock/health")
    assert ready.status_code == 200, ready.text
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = started + SECONDS
    try:
        tallies = list(
            await asyncio.gather(
                *(SoakClient(i, c, pools).run(deadline) for i, c in enumerate(clients))
            )
        )
        return tallies, loop.time() - started
    finally:
        for c in clients:
            await c.aclose()


async def journal_of(http: httpx.AsyncClient, tenant: str) -> tuple[Counter[Exchange], int]:
    r = await http.get("/_mock/journal", headers=AUTH[tenant])
    assert r.status_code == 200, r.text
    body = r.json()
    seen: Counter[Exchange] = Counter(
        (tenant, e["method"], e["path"], e["query"], e["status"]) for e in body["data"]
    )
    return seen, body["meta"]["dropped"]


async def all_job_ids(http: httpx.AsyncClient, tenant: str) -> tuple[list[str], int]:
    ids: list[str] = []
    page, total, pages = 1, -1, 1
    while page <= pages:
        params = {"page[size]": "250", "page[number]": str(page)}
        r = await http.get(JOBS, params=params, headers=AUTH[tenant])
        assert r.status_code == 200, r.text
        meta = r.json()["meta"]
        total, pages = meta["total_results"], meta["total_pages"]
        ids += [job["id"] for job in r.json()["data"]]
        page += 1
    return ids, total


async def verify(base_url: str, tallies: list[Tally]) -> dict[str, Any]:
    """The after-run checks; returns figures for the summary line."""
    sent: Counter[Exchange] = sum((t.sent for t in tallies), Counter())
    created: dict[str, dict[str, dict[str, Any]]] = {tenant: {} for tenant in TENANTS}
    for t in tallies:
        for tenant, jobs in t.created.items():
            created[tenant].update(jobs)
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
        # 1. the journal saw every request (before the checks below add their own)
        for tenant in TENANTS:
            seen, dropped = await journal_of(http, tenant)
            mine = Counter({k: n for k, n in sent.items() if k[0] == tenant})
            assert dropped == 0, f"{tenant}: the journal dropped {dropped} entries"
            assert seen == mine, (
                f"{tenant}: journal and clients differ: only in journal {seen - mine}, "
                f"only sent {mine - seen}"
            )
        # 2. far enough ahead, every 202 job is retrievable, finished and partitioned
        for tenant in TENANTS:
            r = await http.post(
                "/_mock/clock/advance", json={"seconds": FAR_ENOUGH_S}, headers=AUTH[tenant]
            )
            assert r.status_code == 200, r.text
        sem = asyncio.Semaphore(CLIENTS)

        async def check(tenant: str, job: dict[str, Any]) -> list[str]:
            async with sem:
                r = await http.get(f"{JOBS}/{job['id']}", headers=AUTH[tenant])
            if r.status_code != 200:
                return [f"{tenant}: GET job {job['id']} -> {r.status_code} {r.text[:200]}"]
            got = r.json()["data"]
            same = [got[k] == job[k] for k in ("id", "type", "phone_numbers", "created_at")]
            problems = [] if all(same) else [f"{tenant}: job {job['id']} came back as {got}"]
            return problems + partition_problems(got, final=True)

        found = await asyncio.gather(
            *(check(tenant, job) for tenant, jobs in created.items() for job in jobs.values())
        )
        problems = [p for group in found for p in group]
        assert not problems, "\n".join(problems[:20])
        # 3. each tenant's job list holds exactly its 202 jobs
        for tenant in TENANTS:
            ids, total = await all_job_ids(http, tenant)
            assert total == len(created[tenant]), f"{tenant}: total_results {total}"
            assert Counter(ids) == Counter(list(created[tenant])), f"{tenant}: job list differs"
    return {
        "requests": sum(sent.values()) + sum(t.control for t in tallies),
        "jobs": sum(len(jobs) for jobs in created.values()),
    }


@pytest.mark.slow
@pytest.mark.rule("R-NO-500")
@pytest.mark.rule("L-PARTITION")
def test_soak_loses_nothing(tmp_path: Path) -> None:
    with LiveServer(SETTINGS, tmp_path / "server.log") as server:
        try:
            tallies, loaded = asyncio.run(load(server.base_url))
            failures = [f for t in tallies for f in t.failures]
            assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:20])
            statuses: Counter[int] = sum((t.statuses for t in tallies), Counter())
            assert not [s for s in statuses if s >= 500], statuses
            assert all(t.ops.total() > 0 for t in tallies), "a client never sent a request"
            checking = time.perf_counter()
            figures = asyncio.run(verify(server.base_url, tallies))
        except BaseException:
            print(f"server log (tail):\n{server.close()[-3000:]}")  # shown with the failure
            raise
        logged = server.close()
    # uvicorn shuts down gracefully on SIGTERM, then re-raises it: -SIGTERM is a clean exit
    assert server.proc.returncode in (0, -signal.SIGTERM), (server.proc.returncode, logged)
    assert not logged.strip(), f"the server logged:\n{logged[-3000:]}"
    capped = sum(t.capped for t in tallies)
    ops: Counter[str] = sum((t.ops for t in tallies), Counter())
    print(
        f"\nsoak: {CLIENTS} clients x {SECONDS:g} s: {figures['requests']} requests in "
        f"{loaded:.1f} s ({figures['requests'] / loaded:.0f}/s), {figures['jobs']} jobs (202), "
        f"{capped} capped (422), statuses {dict(sorted(statuses.items()))}, ops {dict(ops)}; "
        f"checks {time.perf_counter() - checking:.1f} s"
    )


def test_the_partition_check_sees_a_lost_a_doubled_and_an_unfinished_number() -> None:
    one, two = {"id": "1", "phone_number": "+1"}, {"id": "2", "phone_number": "+2"}
    error = [{"code": "10007"}]
    job: dict[str, Any] = {
        "id": "j", "status": "completed", "phone_numbers": [{"id": "1"}, {"phone_number": "+2"}],
        "successful_operations": [one], "failed_operations": [{**two, "errors": error}],
        "pending_operations": [],
    }  # fmt: skip
    assert partition_problems(job, final=True) == []
    assert partition_problems({**job, "failed_operations": []}, final=True)  # lost
    assert partition_problems({**job, "successful_operations": [one, one]}, final=True)  # doubled
    running = {**job, "status": "in_progress", "failed_operations": [], "pending_operations": [two]}
    assert partition_problems(running, final=False) == []
    assert partition_problems(running, final=True)  # not finished
