"""The soak's machinery: the emulator under uvicorn on 127.0.0.1, and the load clients.

``LiveServer`` binds the listening socket itself and hands it to a child process running uvicorn
(``python -m tests.soak_support FD SETTINGS``), so clients may connect at once: connections wait
in the backlog until uvicorn accepts them, no start-up polling.
Each :class:`SoakClient` is one sequential HTTP client (one connection) that keeps choosing an
operation with its own seeded RNG until the deadline, and records every exchange it makes; the
test compares those records with what the server kept (journal, job list, jobs).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from mockserver.app import create_app
from mockserver.clock import ManualClock
from mockserver.config import Settings
from mockserver.world import template

V2 = "/v2/phone_numbers"
JOBS = f"{V2}/jobs"
CREATE = {
    "update": f"{JOBS}/update_phone_numbers",
    "emergency": f"{JOBS}/update_emergency_settings",
    "delete": f"{JOBS}/delete_phone_numbers",
}
TENANTS = tuple(f"soak-tenant-{i}" for i in range(8))
FINAL = frozenset({"completed", "failed", "expired"})
#: data-plane exchange as both sides see it: (tenant, method, path, query, status)
Exchange = tuple[str, str, str, str, int]


def env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


class LiveServer:
    """The emulator under uvicorn (h11) in a child process, listening on 127.0.0.1 on a port the
    OS picks. The parent binds the socket and hands it down, so clients may connect at once.

    The server gets its own process (and its own GIL), as in real use. Its stderr goes to a file:
    anything the server logs there (a traceback, an error) is returned by :meth:`close`.
    """

    def __init__(self, settings: dict[str, Any], log: Path) -> None:
        # IPPROTO_TCP given explicitly: asyncio sets TCP_NODELAY on accepted connections only
        # when the listening socket says so (proto 0 leaves Nagle on: ~40 ms per request)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        sock.listen(512)
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.log = log
        root = Path(__file__).resolve().parents[1]
        argv = [
            sys.executable,
            "-m",
            "tests.soak_support",
            str(sock.fileno()),
            json.dumps(settings),
        ]
        with sock, log.open("wb") as err:
            self.proc = subprocess.Popen(argv, cwd=root, pass_fds=[sock.fileno()], stderr=err)

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> str:
        """Stop the server (SIGTERM: uvicorn's graceful shutdown); returns what it logged."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.log.read_text(encoding="utf-8", errors="replace")


def serve(fd: int, settings: dict[str, Any]) -> None:
    """The child's side: the emulator on a manual clock, on the inherited listening socket."""
    sock = socket.socket(fileno=fd)
    app = create_app(Settings(manual_clock=True, **settings), clock=ManualClock())
    config = uvicorn.Config(
        app, http="h11", ws="none", lifespan="off", log_config=None, log_level="warning",
        access_log=False, backlog=512,
    )  # fmt: skip
    uvicorn.Server(config).run(sockets=[sock])


@dataclass(frozen=True)
class Pools:
    """Numbers the clients may target. Updates and emergency jobs use numbers no job deletes;
    each client deletes only numbers of its own slice, each once, so a valid create can only be
    refused by the open-job cap (which the clients check)."""

    ids: tuple[str, ...]
    e164: dict[str, str]  # id -> E.164
    delete_slices: tuple[tuple[str, ...], ...]
    addresses: tuple[str, ...]

    @classmethod
    def build(cls, clients: int) -> Pools:
        world = template(None)
        order = [i for i in world.order if world.get(i) is not None]
        per_client = max(1, min(15, 800 // clients))
        cut = len(order) - per_client * clients
        deletable = order[cut:]
        slices = tuple(
            tuple(deletable[c * per_client : (c + 1) * per_client]) for c in range(clients)
        )
        ids = tuple(order[:cut])
        e164 = {i: rec["phone_number"] for i in ids if (rec := world.get(i)) is not None}
        return cls(ids, e164, slices, tuple(sorted(world.emergency_addresses)))


def partition_problems(job: dict[str, Any], *, final: bool) -> list[str]:
    """Why ``job``'s operations do not partition its targets (``[]`` when they do)."""
    targets = job["phone_numbers"]
    keys = [("id", t["id"]) if "id" in t else ("e164", t["phone_number"]) for t in targets]
    wanted = Counter(keys)
    ops = [*job["successful_operations"], *job["failed_operations"], *job["pending_operations"]]
    got = Counter(
        ("id", op["id"]) if ("id", op["id"]) in wanted else ("e164", op["phone_number"])
        for op in ops
    )
    problems = []
    if got != wanted or len(ops) != len(targets):
        problems.append(f"job {job['id']}: operations {dict(got)} != targets {dict(wanted)}")
    if len({op["id"] for op in ops}) != len(ops):
        problems.append(f"job {job['id']}: a number appears in two operations")
    if final and (job["status"] not in FINAL or job["pending_operations"]):
        problems.append(f"job {job['id']}: not finished ({job['status']})")
    return problems


@dataclass
class Tally:
    """What one client saw. ``created``: tenant -> job id -> the 202 body's ``data``."""

    sent: Counter[Exchange] = field(default_factory=Counter)
    control: int = 0
    created: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    ops: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    capped: int = 0
    failures: list[str] = field(default_factory=list)


OPERATIONS = {  # name: weight
    "update_ids": 3, "update_e164": 2, "update_filter": 1, "emergency": 2, "delete": 1,
    "invalid": 1, "get_job": 3, "list_jobs": 2, "list_numbers": 1, "get_number": 2, "advance": 2,
}  # fmt: skip
INVALID = [  # (path, body or raw bytes, query, expected status)
    (CREATE["update"], {"phone_numbers": [], "tags": ["x"]}, {}, 422),
    (CREATE["update"], {"phone_numbers": ["abc"], "tags": ["x"]}, {}, 422),
    (CREATE["update"], {"phone_numbers": ["1583466971586889004"]}, {}, 422),
    (CREATE["update"], {"phone_numbers": [], "tags": ["x"]}, {"filter[nope]": "1"}, 422),
    (CREATE["delete"], b'{"phone_numbers": [', {}, 400),
    (CREATE["emergency"], {"phone_numbers": ["+13127367254"], "emergency_enabled": True}, {}, 422),
]


class SoakClient:
    """One sequential client; ``run`` loops over random operations until ``deadline``."""

    def __init__(self, index: int, http: httpx.AsyncClient, pools: Pools) -> None:
        self.index = index
        self.http = http
        self.pools = pools
        self.rng = random.Random(index)
        self.tally = Tally()
        self.deletable = {t: deque(pools.delete_slices[index]) for t in TENANTS}
        self.last_now: dict[str, int] = {}
        self.names = list(OPERATIONS)
        self.weights = list(OPERATIONS.values())

    async def run(self, deadline: float) -> Tally:
        loop = asyncio.get_running_loop()
        while loop.time() < deadline:
            tenant = self.rng.choice(TENANTS)
            name = self.rng.choices(self.names, self.weights)[0]
            self.tally.ops[name] += 1
            await getattr(self, f"op_{name}")(tenant)
        return self.tally

    # -- plumbing ---------------------------------------------------------------------------------
    async def call(
        self, tenant: str, method: str, path: str, expect: set[int], **kwargs: Any
    ) -> httpx.Response | None:
        headers = {"Authorization": f"Bearer {tenant}", **kwargs.pop("headers", {})}
        try:
            r = await self.http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            self.tally.failures.append(f"transport error: {method} {path}: {exc!r}")
            return None
        self.tally.statuses[r.status_code] += 1
        if path.startswith("/_mock/"):
            self.tally.control += 1
        else:
            query = r.request.url.query.decode("ascii")
            self.tally.sent[(tenant, method, r.request.url.path, query, r.status_code)] += 1
        if r.status_code not in expect:
            self.tally.failures.append(
                f"{method} {path} {kwargs!r} -> {r.status_code} (expected {sorted(expect)}): "
                f"{r.text[:300]}"
            )
            return None
        return r

    def sample(self, k: int) -> list[str]:
        return self.rng.sample(self.pools.ids, k)

    async def create(
        self, tenant: str, kind: str, body: dict[str, Any], params: dict[str, str] | None = None
    ) -> bool:
        r = await self.call(tenant, "POST", CREATE[kind], {202, 422}, json=body, params=params)
        if r is None:
            return False
        if r.status_code == 422:  # the only refusal a valid create may get: the open-job cap
            source = r.json()["errors"][0].get("source", {})
            if source.get("pointer") != "/base":
                self.tally.failures.append(f"valid create refused: {body!r} {params}: {r.text}")
            self.tally.capped += 1
            return False
        job = r.json()["data"]
        given = job["phone_numbers"]
        if job["status"] != "pending" or len(job["pending_operations"]) != len(given):
            self.tally.failures.append(f"a new job is not pending on every target: {job}")
        self.tally.created.setdefault(tenant, {})[job["id"]] = job
        return True

    # -- operations -------------------------------------------------------------------------------
    async def op_update_ids(self, tenant: str) -> None:
        body = {"phone_numbers": self.sample(self.rng.randint(1, 3)), "add_tags": ["soak"]}
        await self.create(tenant, "update", body)

    async def op_update_e164(self, tenant: str) -> None:
        numbers = [self.pools.e164[i] for i in self.sample(self.rng.randint(1, 3))]
        reference = f"soak-{self.index}"
        await self.create(
            tenant, "update", {"phone_numbers": numbers, "customer_reference": reference}
        )

    async def op_update_filter(self, tenant: str) -> None:
        digits = self.pools.e164[self.sample(1)[0]].lstrip("+")  # every digit: one number
        params = {"filter[phone_number]": digits}
        await self.create(tenant, "update", {"phone_numbers": [], "add_tags": ["soak-f"]}, params)

    async def op_emergency(self, tenant: str) -> None:
        body: dict[str, Any] = {"phone_numbers": self.sample(self.rng.randint(1, 2))}
        if self.rng.random() < 0.5:
            body |= {"emergency_enabled": True, "emergency_address_id": self.pools.addresses[0]}
        else:
            body["emergency_enabled"] = False
        await self.create(tenant, "emergency", body)

    async def op_delete(self, tenant: str) -> None:
        queue = self.deletable[tenant]
        if not queue:
            await self.op_get_number(tenant)
            return
        chosen = [queue.popleft() for _ in range(min(len(queue), self.rng.randint(1, 2)))]
        if not await self.create(tenant, "delete", {"phone_numbers": chosen}):
            queue.extendleft(reversed(chosen))  # refused: still owned, try them again later

    async def op_invalid(self, tenant: str) -> None:
        path, body, params, status = self.rng.choice(INVALID)
        if isinstance(body, bytes):
            kwargs: dict[str, Any] = {
                "content": body,
                "headers": {"Content-Type": "application/json"},
            }
        else:
            kwargs = {"json": body}
        await self.call(tenant, "POST", path, {status}, params=params, **kwargs)

    async def op_get_job(self, tenant: str) -> None:
        mine = self.tally.created.get(tenant)
        if not mine:
            await self.op_list_jobs(tenant)
            return
        ident = self.rng.choice(list(mine))
        r = await self.call(tenant, "GET", f"{JOBS}/{ident}", {200})
        if r is not None:
            job = r.json()["data"]
            if job["id"] != ident or job["phone_numbers"] != mine[ident]["phone_numbers"]:
                self.tally.failures.append(f"GET job {ident} returned {job}")
            self.tally.failures.extend(partition_problems(job, final=False))

    async def op_list_jobs(self, tenant: str) -> None:
        params = {"page[size]": str(self.rng.randint(1, 25))}
        if self.rng.random() < 0.3:
            params["filter[status]"] = "pending,in_progress"
        r = await self.call(tenant, "GET", JOBS, {200}, params=params)
        mine = len(self.tally.created.get(tenant, {}))
        if r is not None and "filter[status]" not in params:
            total = r.json()["meta"]["total_results"]
            if total < mine:  # my own creates happened before this list
                self.tally.failures.append(f"{tenant}: list shows {total} jobs, I created {mine}")

    async def op_list_numbers(self, tenant: str) -> None:
        params = {"page[size]": str(self.rng.randint(1, 25)), "filter[tag]": "sales"}
        await self.call(tenant, "GET", V2, {200}, params=params)

    async def op_get_number(self, tenant: str) -> None:
        suffix = "/voice" if self.rng.random() < 0.3 else ""
        await self.call(tenant, "GET", f"{V2}/{self.sample(1)[0]}{suffix}", {200})

    async def op_advance(self, tenant: str) -> None:
        seconds = self.rng.choice([0.05, 0.2, 0.5, 1, 2, 3])
        r = await self.call(
            tenant, "POST", "/_mock/clock/advance", {200}, json={"seconds": seconds}
        )
        if r is not None:
            now = r.json()["data"]["now_ms"]
            if now < self.last_now.get(tenant, 0):
                self.tally.failures.append(f"{tenant}: clock went back to {now}")
            self.last_now[tenant] = now


if __name__ == "__main__":
    serve(int(sys.argv[1]), json.loads(sys.argv[2]))
