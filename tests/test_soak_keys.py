"""Soak of the tenant bound: ``SOAK_KEYS`` fresh keys (default 1,500 in CI; ``make soak``:
20,000) through a ``--max-tenants 500`` server under uvicorn on 127.0.0.1, 16 clients at once,
each key making one job and reading it back. Afterwards: no 5xx, no transport error, at most
500 tenants, and the server's RSS bounded (at the end no more than a quarter above what it was
after the first 1,000 keys; without the bound it would grow by ~13 KB per key)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.helpers import JOBS, UPDATE
from tests.soak_support import LiveServer, env_number

KEYS = int(env_number("SOAK_KEYS", 1_500))
CLIENTS = 16
BOUND = 500
JOB = {"phone_numbers": ["+13127367254"], "tags": ["soak"]}


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


async def run_keys(base_url: str, first: int, count: int, statuses: Counter[int]) -> None:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(first, first + count):
        queue.put_nowait(n)

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            while not queue.empty():
                n = queue.get_nowait()
                auth = {"Authorization": f"Bearer soak-key-{n}"}
                created = await http.post(UPDATE, json=JOB, headers=auth)
                statuses[created.status_code] += 1
                if created.status_code == 202:
                    job = created.json()["data"]["id"]
                    statuses[(await http.get(f"{JOBS}/{job}", headers=auth)).status_code] += 1
                statuses[(await http.get(JOBS, headers=auth)).status_code] += 1

    await asyncio.gather(*(worker() for _ in range(CLIENTS)))


@pytest.mark.slow
@pytest.mark.rule("R-NO-500")
def test_many_keys_through_a_bounded_server(tmp_path: Path) -> None:
    settings = {"max_tenants": BOUND, "instant_jobs": True}
    statuses: Counter[int] = Counter()
    with LiveServer(settings, tmp_path / "server.log") as server:
        pid = server.proc.pid
        warm = min(1_000, KEYS // 2)
        asyncio.run(run_keys(server.base_url, 0, warm, statuses))
        after_warm = rss_kb(pid)
        asyncio.run(run_keys(server.base_url, warm, KEYS - warm, statuses))
        at_end = rss_kb(pid)
        health = httpx.get(f"{server.base_url}/_mock/health").json()
        logged = server.close()
    assert statuses == Counter({200: 2 * KEYS, 202: KEYS}), statuses  # no 5xx, nothing lost
    assert health["tenants"] <= BOUND
    assert at_end <= after_warm * 1.25, (after_warm, at_end)
    assert "Traceback" not in logged
