"""Tenant lifecycle (``mockserver.tenants``): idle expiry on an injected wall clock, the
least-recently-used bound, what an evicted key finds, and forks that cost O(changes)."""

from __future__ import annotations

import logging

import pytest
from starlette.applications import Starlette

from mockserver.app import create_app
from mockserver.clock import ManualClock
from mockserver.config import Settings
from mockserver.journal import fingerprint
from mockserver.tenants import IDLE, LRU, Tenants
from mockserver.world import template
from tests.conftest import make_client
from tests.helpers import JOBS, NUMBERS, UPDATE

JOB = {"phone_numbers": ["+13127367254"], "tags": ["lifecycle"]}


class Wall:
    """An injected wall clock (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def tenants(wall: Wall, **settings: float) -> Tenants:
    return Tenants(Settings(**settings), template(), ManualClock(), wall=wall)  # type: ignore[arg-type]


def test_the_least_recently_used_tenant_leaves_first() -> None:
    wall = Wall()
    pool = tenants(wall, max_tenants=3)
    for key in ("a", "b", "c"):
        pool.get(key)
        wall.now += 1
    pool.get("a")  # a is now the most recently used: b is the oldest
    pool.get("d")
    assert pool.known_keys() == ["c", "a", "d"]
    pool.get("e")
    assert pool.known_keys() == ["a", "d", "e"]
    assert pool.evicted == {IDLE: 0, LRU: 2}


def test_a_tenant_idle_longer_than_the_limit_is_evicted() -> None:
    wall = Wall()
    pool = tenants(wall, tenant_idle_s=60, max_tenants=0)
    first = pool.get("a")
    pool.get("b")
    wall.now += 30
    assert pool.get("a") is first  # used again: its idle time starts over
    wall.now += 45  # b idle 75 s, a idle 45 s
    pool.get("c")
    assert pool.known_keys() == ["a", "c"]
    wall.now += 60  # a idle 105 s (evicted), c idle exactly 60 s: not longer than the limit
    assert pool.expire() == 1
    assert pool.known_keys() == ["c"]
    assert pool.get("a") is not first  # a fresh tenant
    assert pool.evicted == {IDLE: 2, LRU: 0}


def test_zero_turns_both_bounds_off() -> None:
    wall = Wall()
    pool = tenants(wall, tenant_idle_s=0, max_tenants=0)
    for n in range(50):
        pool.get(f"k{n}")
        wall.now += 10_000
    assert len(pool) == 50


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest.fixture
def app(wall: Wall) -> Starlette:
    settings = Settings(manual_clock=True, tenant_idle_s=600, max_tenants=2)
    return create_app(settings, clock=ManualClock(), wall_clock=wall)


def test_an_evicted_key_starts_again_from_the_default_world(
    app: Starlette, wall: Wall, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(app, "team-key")
    job = client.post(UPDATE, json=JOB).json()["data"]
    client.post("/_mock/jobs/run")
    assert client.get(f"{NUMBERS}?filter[tag]=lifecycle").json()["data"]
    client.post(
        "/_mock/faults", json={"kind": "status", "status": 503, "times": 5, "route": "^/never"}
    )
    assert client.get("/_mock/journal").json()["data"]
    wall.now += 601
    with caplog.at_level(logging.INFO, logger="mockserver"):
        other = make_client(app, "other-key")
        assert other.get(JOBS).status_code == 200  # this request evicts the idle tenant
    [line] = [r for r in caplog.records if "evicted" in r.getMessage()]
    assert line.getMessage().startswith(
        f"tenant key={fingerprint('team-key')} evicted (idle, idle 601 s)"
    )
    assert "team-key" not in line.getMessage()
    # as after /_mock/reset: no job, the numbers of the default world, no faults, no journal
    assert client.get(f"{JOBS}/{job['id']}").status_code == 404
    assert client.get(JOBS).json()["meta"]["total_results"] == 0
    assert client.get(f"{NUMBERS}?filter[tag]=lifecycle").json()["data"] == []
    assert client.get("/_mock/faults").json()["data"] == []
    journal = client.get("/_mock/journal").json()["data"]
    assert [e["path"] for e in journal] == [f"{JOBS}/{job['id']}", JOBS, NUMBERS]


def test_max_tenants_evicts_the_least_recently_used_key(app: Starlette) -> None:
    clients = {key: make_client(app, key) for key in ("a", "b", "c")}
    ids = {}
    for key in ("a", "b"):
        ids[key] = clients[key].post(UPDATE, json=JOB).json()["data"]["id"]
    assert clients["a"].get(f"{JOBS}/{ids['a']}").status_code == 200  # a used after b
    clients["c"].get(JOBS)  # a third key: b (least recently used) leaves
    assert clients["a"].get(f"{JOBS}/{ids['a']}").status_code == 200
    assert clients["b"].get(f"{JOBS}/{ids['b']}").status_code == 404
    assert len(app.state.tenants) == 2


def test_a_fresh_tenant_copies_nothing_of_the_world() -> None:
    """O(changes): a fork holds no index dict and no overlay until it writes, and then only
    what it changed, whatever the world's size."""
    fork = template().fork()
    assert all(index._added == {} and index._merged == {} for index in fork.indexes.values())
    assert (fork.numbers._over, fork.numbers._gone) == ({}, set())
    ident = fork.order[0]
    record = dict(fork.numbers[ident], tags=["brand-new"], status="port-pending")
    fork.replace(record)
    changed = {
        name: (dict(index._added), dict(index._removed))
        for name, index in fork.indexes.items() if index._added or index._removed
    }  # fmt: skip
    assert all(ident in ids for added, removed in changed.values()
               for ids in [*added.values(), *removed.values()])  # fmt: skip
    assert sum(len(ids) for a, r in changed.values() for ids in [*a.values(), *r.values()]) <= 8
    assert ident in fork.indexes["tags"].get("brand-new")
    assert ident not in template().indexes["tags"].get("brand-new")


def test_cli_options_set_the_lifecycle() -> None:
    from mockserver.cli import build_parser, settings_from

    args = build_parser().parse_args(["serve", "--tenant-idle", "90", "--max-tenants", "5"])
    settings = settings_from(args)
    assert (settings.tenant_idle_s, settings.max_tenants) == (90.0, 5)
    defaults = settings_from(build_parser().parse_args(["serve"]))
    assert (defaults.tenant_idle_s, defaults.max_tenants) == (3600.0, 1000)


def test_bad_lifecycle_options_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    from mockserver.cli import build_parser

    for argv in (["--tenant-idle", "-1"], ["--max-tenants", "x"], ["--max-tenants", "-3"]):
        with pytest.raises(SystemExit) as exited:
            build_parser().parse_args(["serve", *argv])
        assert exited.value.code == 2
    assert "--max-tenants" in capsys.readouterr().err
