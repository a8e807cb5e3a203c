"""Shared fixtures: an in-process emulator on a manual clock, and a client whose every response
is checked against ``schemas/`` (a response that breaks its schema fails the test that got it)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from starlette.applications import Starlette

from mockserver.app import create_app
from mockserver.clock import ManualClock
from mockserver.config import Settings
from mockserver.response_check import problems
from mockserver.transport import ASGIBridge
from tests.helpers import ROOT, free_port, stop_process

settings.register_profile(
    "ci", max_examples=60, derandomize=True, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
settings.register_profile("dev", max_examples=200, deadline=None)
# `make fuzz` (pytest tests/test_fuzz*.py --hypothesis-profile fuzz): each of the 65 fuzz tests
# runs max_examples examples (under "ci" only 12: tests/fuzz_support.py), the 11 of
# tests/test_fuzz_family.py twice that: 54 x 350 + 11 x 700 = 26,600 cases >= the 10,000 target,
# counted and checked at the end of the run by tests/fuzz_support.py
settings.register_profile("fuzz", max_examples=350, deadline=None, print_blob=True)
settings.load_profile("ci")

API_KEY = "test-key"


def _check_schema(response: httpx.Response) -> None:
    response.read()
    found = problems(response.request.method, response.request.url.path, response.status_code,
                     response.content)  # fmt: skip
    assert not found, "\n".join(found)


def make_client(app: Starlette, api_key: str | None = API_KEY) -> httpx.Client:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return httpx.Client(
        transport=ASGIBridge(app),
        base_url="https://api.telnyx.com",
        headers=headers,
        event_hooks={"response": [_check_schema]},
    )


@pytest.fixture
def settings_() -> Settings:
    """Override in a test module to change the emulator's settings."""
    return Settings(manual_clock=True)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def app(settings_: Settings, clock: ManualClock) -> Starlette:
    return create_app(settings_, clock=clock)


@pytest.fixture
def api(app: Starlette) -> Iterator[httpx.Client]:
    with make_client(app) as client:
        yield client


@pytest.fixture
def other_api(app: Starlette) -> Iterator[httpx.Client]:
    """A second tenant on the same server."""
    with make_client(app, "other-key") as client:
        yield client


def advance(client: httpx.Client, seconds: float) -> dict[str, Any]:
    r = client.post("/_mock/clock/advance", json={"seconds": seconds})
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """Start ``python -m mockserver serve --port <free> <flags>``; stop it afterwards."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(*flags: str) -> tuple[str, subprocess.Popen[bytes], Path]:
        port = free_port()
        log = tmp_path / f"server-{port}.log"
        with log.open("wb") as sink:
            proc = subprocess.Popen(
                [sys.executable, "-m", "mockserver", "serve", "--port", str(port), *flags],
                cwd=ROOT,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        procs.append(proc)
        return f"http://127.0.0.1:{port}", proc, log

    yield start
    for proc in procs:
        stop_process(proc)
