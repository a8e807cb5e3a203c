"""Issue 14's figures: a server a team can leave running. Each is a count or a ratio measured
in the same run:

- ``tenant_rss``: RSS per fresh tenant that made one job (a real ``telnyx-mock serve
  --instant`` process, keys over one keep-alive connection; the growth of its VmRSS over
  ``keys`` new keys, after a warm-up of its own keys);
- ``lru_rss``: RSS after 20,000 keys under ``--max-tenants 1000`` against RSS after the first
  1,000 (the same process);
- ``list_jobs`` (``python -m bench.running jobs``, in-process): ``GET /phone_numbers/jobs``
  latency in a tenant with 100,000 finished jobs against one with 20 (median of many requests),
  unfiltered and filtered;
- ``number_lists`` and ``snapshot`` (``python -m bench.running million PATH``, in-process):
  ``GET /phone_numbers?page[size]=20`` unfiltered, filtered and sorted on the big world against
  the default 2,500-number world; and ``--state`` snapshot write and restore of a tenant with
  1,000 jobs on the big world.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from bench import servers
from bench.inprocess import run_json
from bench.wrk import HarnessError

UPDATE = "/v2/phone_numbers/jobs/update_phone_numbers"
JOBS = "/v2/phone_numbers/jobs"
NUMBERS = "/v2/phone_numbers"
ONE_JOB = json.dumps({"phone_numbers": ["+13127367254"], "tags": ["bench"]}).encode()
LIST_QUERIES = {
    "unfiltered": "page[size]=20",
    "filtered": "page[size]=20&filter[tag]=sales",
    "sorted": "page[size]=20&sort=phone_number",
}
JOB_QUERIES = {
    "unfiltered": "page[size]=20",
    "status": "page[size]=20&filter[status]=completed",
    "type": "page[size]=20&filter[type]=update_phone_numbers",
}


# -- server-process figures ------------------------------------------------------------------------
class Keys:
    """Fresh keys, each making one job, over one keep-alive connection to a server."""

    def __init__(self, port: int, prefix: str) -> None:
        self.conn = http.client.HTTPConnection(servers.HOST, port, timeout=60)
        self.prefix = prefix
        self.count = 0
        self.statuses: dict[int, int] = {}

    def make(self, n: int) -> None:
        for _ in range(n):
            self.count += 1
            headers = {
                "Authorization": f"Bearer {self.prefix}-{self.count}",
                "Content-Type": "application/json",
            }
            self.conn.request("POST", UPDATE, body=ONE_JOB, headers=headers)
            response = self.conn.getresponse()
            response.read()
            self.statuses[response.status] = self.statuses.get(response.status, 0) + 1

    def close(self) -> None:
        self.conn.close()


def _server(tmp: Path, name: str, *flags: str) -> servers.Server:
    port = servers.free_port()
    command = servers.emulator_command(port, ["--instant", "--no-access-log", *flags])
    return servers.Server(name, command, port, "/_mock/health", tmp / f"{name}.log")


def tenant_rss(tmp: Path, keys: int = 5_000, warm: int = 2_000) -> dict[str, Any]:
    with _server(tmp, "tenant-rss", "--max-tenants", "0", "--tenant-idle", "0") as server:
        client = Keys(server.port, "fresh")
        client.make(warm)
        before, _ = server.memory_mib()
        client.make(keys)
        after, _ = server.memory_mib()
        client.close()
    per_tenant_kb = (after - before) * 1024 / keys
    if set(client.statuses) != {202}:
        raise HarnessError(f"tenant RSS: statuses {client.statuses}")
    return {
        "keys": keys, "warm_keys": warm, "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1), "per_tenant_kb": round(per_tenant_kb, 2),
    }  # fmt: skip


def lru_rss(tmp: Path, keys: int = 20_000, bound: int = 1_000) -> dict[str, Any]:
    with _server(tmp, "lru-rss", "--max-tenants", str(bound)) as server:
        client = Keys(server.port, "lru")
        client.make(bound)
        at_bound, _ = server.memory_mib()
        client.make(keys - bound)
        at_end, _ = server.memory_mib()
        health = servers.request(server.port, "GET", "/_mock/health")[1]
        client.close()
    tenants = json.loads(health)["tenants"]
    if set(client.statuses) != {202}:
        raise HarnessError(f"LRU RSS: statuses {client.statuses}")
    return {
        "keys": keys, "max_tenants": bound, "tenants_at_end": tenants,
        "rss_at_bound_mb": round(at_bound, 1), "rss_at_end_mb": round(at_end, 1),
        "ratio": round(at_end / at_bound, 4),
    }  # fmt: skip


# -- in-process figures ----------------------------------------------------------------------------
def _median_ms(http: Any, path: str, reps: int) -> float:
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        response = http.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise HarnessError(f"{path}: {response.status_code} {response.text[:200]}")
    return statistics.median(samples)


def _creator(tenant: Any) -> Any:
    """The update-job creation of one tenant, called directly."""
    from mockserver.operations.jobs import JobsBackend

    return partial(JobsBackend(tenant).create_update_job, query={})


def list_jobs(big: int = 100_000, small: int = 20, reps: int = 200) -> dict[str, Any]:
    from mockserver.app import create_app
    from mockserver.config import Settings
    from mockserver.transport import client

    app = create_app(Settings(manual_clock=True, instant_jobs=True, max_jobs=0))
    tenants = {"small": small, "big": big}
    started = time.perf_counter()
    clients = {}
    body = json.loads(ONE_JOB)
    for name, count in tenants.items():
        key = f"jobs-{name}"
        clients[name] = client(app, api_key=key, base_url="http://bench")
        create = _creator(app.state.tenants.get(key))
        for _ in range(count):  # the job operation itself (HTTP adds nothing to the state)
            create(body)
    made_s = time.perf_counter() - started
    out: dict[str, Any] = {"jobs": tenants, "create_s": round(made_s, 1), "reps": reps}
    for kind, query in JOB_QUERIES.items():
        path = f"{JOBS}?{query}"
        ms = {name: _median_ms(http, path, reps) for name, http in clients.items()}
        out[kind] = {
            "small_ms": round(ms["small"], 3), "big_ms": round(ms["big"], 3),
            "ratio": round(ms["big"] / ms["small"], 3),
        }  # fmt: skip
    total = clients["big"].get(JOBS).json()["meta"]["total_results"]
    if total != big:
        raise HarnessError(f"list jobs: {total} jobs listed, {big} made")
    return out


def million(path: Path, reps: int = 50, jobs: int = 1_000, per_job: int = 100) -> dict[str, Any]:
    from mockserver import state_file
    from mockserver.app import create_app
    from mockserver.clock import ManualClock
    from mockserver.config import Settings
    from mockserver.transport import client
    from mockserver.world import build_template

    out: dict[str, Any] = {"reps": reps}
    apps = {}
    for name, world in (("small", None), ("big", path)):
        started = time.perf_counter()
        template = build_template(world)
        out[f"{name}_numbers"] = len(template)
        out[f"{name}_load_s"] = round(time.perf_counter() - started, 3)
        settings = Settings(world_path=world, manual_clock=True, instant_jobs=True)
        apps[name] = (create_app(settings, clock=ManualClock(), template=template), template)
    lists: dict[str, Any] = {}
    for kind, query in LIST_QUERIES.items():
        target = f"{NUMBERS}?{query}"
        ms = {}
        first = {}
        for name, (app, _) in apps.items():
            http = client(app, api_key="lists", base_url="http://bench")
            started = time.perf_counter()
            http.get(target)  # builds the sort order of the world, once
            first[name] = (time.perf_counter() - started) * 1000
            ms[name] = _median_ms(http, target, reps)
        lists[kind] = {
            "small_ms": round(ms["small"], 3), "big_ms": round(ms["big"], 3),
            "ratio": round(ms["big"] / ms["small"], 3),
            "first_big_ms": round(first["big"], 1), "query": query,
        }  # fmt: skip
    out["number_lists"] = lists
    app, template = apps["big"]
    http = client(app, api_key="snapshot", base_url="http://bench")
    ids = template.order
    for n in range(jobs):
        chosen = ids[n * per_job : (n + 1) * per_job]
        body = json.dumps({"phone_numbers": chosen, "tags": [f"job-{n}"]}).encode()
        if http.post(UPDATE, content=body).status_code != 202:
            raise HarnessError("snapshot: a job creation failed")
    with tempfile.TemporaryDirectory(prefix="telnyx-state-") as tmp:
        file = Path(tmp) / "state.json"
        started = time.perf_counter()
        state_file.save(file, app.state)
        write_s = time.perf_counter() - started
        size = file.stat().st_size
        fresh = create_app(app.state.settings, clock=ManualClock(), template=template)
        started = time.perf_counter()
        restored = state_file.read(file, fresh.state)
        read_s = time.perf_counter() - started
    check = client(fresh, api_key="snapshot", base_url="http://bench")
    if restored != len(app.state.tenants):  # the list figures' tenant too
        raise HarnessError(f"snapshot: {restored} tenants restored of {len(app.state.tenants)}")
    for route in (JOBS, f"{NUMBERS}?page[size]=250&filter[tag]=job-7"):
        if check.get(route).content != http.get(route).content:
            raise HarnessError(f"snapshot: the restored tenant answers {route} differently")
    out["snapshot"] = {
        "jobs": jobs, "numbers_per_job": per_job, "bytes": size,
        "write_s": round(write_s, 3), "restore_s": round(read_s, 3),
    }  # fmt: skip
    return out


def measure(tmp: Path, million_path: Path | None, quick: bool) -> dict[str, Any]:
    """Every figure of issue 14 (``million_path``: the big world, ``None`` to skip it)."""
    out: dict[str, Any] = {}
    out["tenant_rss"] = tenant_rss(tmp, keys=1_000 if quick else 5_000)
    out["lru_rss"] = lru_rss(tmp, keys=5_000 if quick else 20_000)
    big = 10_000 if quick else 100_000
    command = [sys.executable, "-m", "bench.running", "jobs", "--big", str(big)]
    out["list_jobs"] = run_json(command, timeout_s=1800)
    if million_path is not None:
        command = [sys.executable, "-m", "bench.running", "million", str(million_path)]
        out["million"] = run_json(command, timeout_s=1800)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="issue 14's in-process figures (prints JSON)")
    sub = parser.add_subparsers(dest="what", required=True)
    jobs = sub.add_parser("jobs")
    jobs.add_argument("--big", type=int, default=100_000)
    big = sub.add_parser("million")
    big.add_argument("world", type=Path)
    args = parser.parse_args(argv)
    if args.what == "jobs":
        print(json.dumps(list_jobs(big=args.big)))
    else:
        print(json.dumps(million(args.world)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
