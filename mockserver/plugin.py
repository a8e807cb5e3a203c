"""The pytest plugin (entry point ``pytest11``): the emulator inside your own test suite.

Fixtures, each giving a :class:`MockHandle`:

- ``telnyx_mock``: a fresh in-process emulator per test on a manual clock (no socket, no port);
- ``telnyx_mock_router``: the same emulator, plus a respx router that sends every request for
  ``api.telnyx.com`` to it (httpx and the official SDK with its default base URL need no change);
  every other host passes through untouched;
- ``telnyx_mock_server``: the emulator on ``127.0.0.1`` on an ephemeral port, started once per
  session (so once per pytest-xdist worker), every tenant, fault and journal reset before each test.

Configure with ``@pytest.mark.telnyx_mock(seed=..., api_key=..., fixtures=..., **settings)``
(any :class:`~mockserver.config.Settings` field), or the options ``--telnyx-mock-seed``,
``--telnyx-mock-fixtures``, ``--telnyx-mock-api-key`` (ini: ``telnyx_mock_seed``, ...). Heavy
imports wait until a fixture is used, so the plugin costs nothing in suites that do not use it.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import httpx
import pytest

from mockserver.cassette import pytest_support
from mockserver.cassette.pytest_support import telnyx_cassette as telnyx_cassette

if TYPE_CHECKING:
    import uvicorn
    from starlette.applications import Starlette

    from mockserver.clock import ManualClock
    from mockserver.config import Settings

JSON = dict[str, Any]
DEFAULT_API_KEY = "test-key"
OPTIONS = {  # name: help
    "seed": "seed of the emulator's ids and outcomes (default 0)",
    "fixtures": "world file or folder for the emulator (default: the bundled world)",
    "api_key": f"API key the fixture handle uses (default {DEFAULT_API_KEY!r})",
}
_ANY: Any = object()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("telnyx-mock", "Telnyx phone-number jobs emulator")
    for name, help_text in OPTIONS.items():
        flag = "--telnyx-mock-" + name.replace("_", "-")
        group.addoption(flag, dest=f"telnyx_mock_{name}", default=None, help=help_text)
        parser.addini(f"telnyx_mock_{name}", help_text, default=None)
    pytest_support.addoption(group)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "telnyx_mock(seed=0, api_key='test-key', fixtures=None, **settings): configure the "
        "telnyx_mock fixtures for a test (settings: any mockserver.config.Settings field)",
    )
    config.addinivalue_line("markers", pytest_support.MARKER)


class MockHandle:
    """A test's view of one emulator, acting as one tenant (``api_key``) over HTTP.

    ``advance`` moves the emulator's own clock, so time passes for every tenant; everything else
    (reads, faults, journal, ``run_jobs``) acts on the handle's tenant.
    """

    def __init__(
        self, app: Starlette, clock: ManualClock, client: httpx.Client, origin: str, api_key: str
    ) -> None:
        self.app = app
        self.clock = clock
        self.client = client
        self.origin = origin
        self.api_key = api_key
        self.base_url = f"{origin}/v2"

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The ``data`` of a successful response; an AssertionError for anything else.

        Marked internal: the handle's own reads are never journaled, faulted or rate limited.
        """
        from mockserver.http.middleware import INTERNAL

        headers = {INTERNAL: "1"}
        response = self.client.request(method, f"{self.origin}{path}", headers=headers, **kwargs)
        if response.status_code >= 400:
            raise AssertionError(
                f"{method} {path}: expected success, received {response.status_code} "
                f"{response.text[:500]}"
            )
        return response.json()["data"]

    # -- time and jobs ----------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Move the emulator's clock forward (jobs of every tenant progress)."""
        self.clock.advance(round(seconds * 1000))

    def run_jobs(self) -> None:
        """Run every open job and CSV download of the handle's tenant to its end."""
        self._call("POST", "/_mock/jobs/run")

    def reset(self) -> None:
        """Forget the handle's tenant, its faults and its journal (``/_mock/reset`` does all)."""
        self._call("POST", "/_mock/reset")

    # -- the world --------------------------------------------------------------------------------
    def numbers(self, params: Mapping[str, str] | None = None) -> list[JSON]:
        """One page of ``GET /v2/phone_numbers`` (``params``: its query, e.g. ``filter[tag]``)."""
        return cast("list[JSON]", self._call("GET", "/v2/phone_numbers", params=params))

    def number(self, ident: str) -> JSON:
        return cast("JSON", self._call("GET", f"/v2/phone_numbers/{ident}"))

    def jobs(self, params: Mapping[str, str] | None = None) -> list[JSON]:
        """One page of ``GET /v2/phone_numbers/jobs``."""
        return cast("list[JSON]", self._call("GET", "/v2/phone_numbers/jobs", params=params))

    def job(self, ident: str) -> JSON:
        return cast("JSON", self._call("GET", f"/v2/phone_numbers/jobs/{ident}"))

    # -- the rest of the /phone_numbers family ---------------------------------------------------
    def messaging(self, ident: str) -> JSON:
        """``GET /v2/phone_numbers/{id}/messaging``."""
        return cast("JSON", self._call("GET", f"/v2/phone_numbers/{ident}/messaging"))

    def voicemail(self, ident: str) -> JSON | None:
        """The number's voicemail settings, ``None`` before any were created."""
        from mockserver.http.middleware import INTERNAL

        path = f"{self.origin}/v2/phone_numbers/{ident}/voicemail"
        response = self.client.get(path, headers={INTERNAL: "1"})
        if response.status_code == 404:
            return None
        return cast("JSON", self._call("GET", f"/v2/phone_numbers/{ident}/voicemail"))

    def csv_downloads(self, params: Mapping[str, str] | None = None) -> list[JSON]:
        """One page of ``GET /v2/phone_numbers/csv_downloads`` (newest first)."""
        path = "/v2/phone_numbers/csv_downloads"
        return cast("list[JSON]", self._call("GET", path, params=params))

    def csv_file(self, ident: str) -> str:
        """The CSV text of a complete download (run it first: ``run_jobs()``)."""
        from mockserver.http.middleware import INTERNAL

        path = f"{self.origin}/v2/phone_numbers/csv_downloads/{ident}/file"
        response = self.client.get(path, headers={INTERNAL: "1"})
        if response.status_code != 200:
            raise AssertionError(
                f"GET {path}: expected 200, received {response.status_code} {response.text[:300]}"
            )
        return response.text

    # -- faults -----------------------------------------------------------------------------------
    def fault(self, **spec: Any) -> JSON:
        """Inject a fault, e.g. ``fault(kind="status", status=429, times=1)``."""
        return cast("JSON", self._call("POST", "/_mock/faults", json=spec))

    def clear_faults(self) -> None:
        self._call("DELETE", "/_mock/faults")

    # -- journal ----------------------------------------------------------------------------------
    def journal(self, method: str | None = None, path: str | None = None) -> list[JSON]:
        """The tenant's journal, oldest first (``path``: ``/v2`` optional, ``{id}`` wildcards)."""
        params = {k: v for k, v in (("method", method), ("path", path)) if v}
        return cast("list[JSON]", self._call("GET", "/_mock/journal", params=params))

    def clear_journal(self) -> None:
        self._call("DELETE", "/_mock/journal")

    def assert_called(
        self, method: str, path: str, json: Any = _ANY, *, times: int | None = None
    ) -> JSON:
        """Assert ``method path`` was called (with this exact JSON body; exactly ``times`` times);
        returns the last matching journal entry."""
        from mockserver.journal import describe

        found = [e for e in self.journal(method, path) if json is _ANY or e["request"] == json]
        if found and (times is None or len(found) == times):
            return found[-1]
        import json as jsonlib

        wanted = f"{method.upper()} {path}" + (
            "" if json is _ANY else f" with json={jsonlib.dumps(json)[:300]}"
        )
        count = "at least once" if times is None else f"{times} time(s), found {len(found)}"
        seen = self.journal()
        lines = [f"  {i}. {describe(e)}" for i, e in enumerate(seen, 1)] or ["  (no calls)"]
        raise AssertionError(
            f"expected: {wanted} {count}\nreceived {len(seen)} call(s):\n" + "\n".join(lines)
        )

    def assert_not_called(self, method: str, path: str) -> None:
        from mockserver.journal import describe

        found = self.journal(method, path)
        if found:
            lines = "\n".join(f"  {describe(e)}" for e in found)
            raise AssertionError(f"expected no {method.upper()} {path}, received:\n{lines}")


def _options(request: pytest.FixtureRequest) -> tuple[Settings, str]:
    """Settings and api key for a test: options/ini, then markers (the closest wins)."""
    from mockserver.config import Settings

    config = request.config
    given: dict[str, Any] = {}
    for name in OPTIONS:
        value = config.getoption(f"telnyx_mock_{name}") or config.getini(f"telnyx_mock_{name}")
        if value:
            given[name] = value
    for marker in reversed(list(request.node.iter_markers("telnyx_mock"))):
        if marker.args:
            pytest.fail("telnyx_mock marker: give settings as keywords", pytrace=False)
        given.update(marker.kwargs)
    api_key = str(given.pop("api_key", DEFAULT_API_KEY))
    if "seed" in given:
        try:
            given["seed"] = int(given["seed"])
        except (TypeError, ValueError):
            pytest.fail(f"telnyx_mock: the seed must be an integer, not {given['seed']!r}", False)
    if given.get("fixtures") is not None:
        path = Path(given["fixtures"])
        given["world_path"] = path if path.is_absolute() else config.rootpath / path
    given.pop("fixtures", None)
    known = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(given) - known)
    if unknown:
        message = f"telnyx_mock: unknown setting(s) {unknown}; known: {sorted(known)}"
        pytest.fail(message, pytrace=False)
    return Settings(**{"manual_clock": True, **given}), api_key


def _in_process(settings: Settings, api_key: str) -> MockHandle:
    from mockserver.app import create_app
    from mockserver.clock import ManualClock
    from mockserver.transport import client

    clock = ManualClock()
    app = create_app(settings, clock=clock)
    origin = "https://api.telnyx.com"
    return MockHandle(
        app, clock, client(app, api_key=api_key, base_url=f"{origin}/v2"), origin, api_key
    )


@pytest.fixture
def telnyx_mock(request: pytest.FixtureRequest) -> Iterator[MockHandle]:
    """A fresh in-process emulator (manual clock) for this test."""
    handle = _in_process(*_options(request))
    with handle.client:
        yield handle


@pytest.fixture
def telnyx_mock_router(telnyx_mock: MockHandle) -> Iterator[MockHandle]:
    """``telnyx_mock`` plus respx routing of every ``api.telnyx.com`` request to it."""
    import respx

    from mockserver.transport import ASGIBridge

    bridge = ASGIBridge(telnyx_mock.app)
    with respx.mock(assert_all_called=False) as router:
        router.route(host="api.telnyx.com").mock(side_effect=bridge.handle_request)
        router.route().pass_through()
        yield telnyx_mock


class _Server:
    """The emulator under uvicorn (h11) in a daemon thread on 127.0.0.1; the OS picks the port."""

    def __init__(self, settings: Settings) -> None:
        import logging

        import uvicorn

        from mockserver.app import create_app
        from mockserver.clock import ManualClock
        from mockserver.faults import DropLogFilter

        errors = logging.getLogger("uvicorn.error")
        if not any(isinstance(f, DropLogFilter) for f in errors.filters):
            errors.addFilter(DropLogFilter())
        self.clock = ManualClock()
        self.app = create_app(settings, clock=self.clock)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=0, http="h11", ws="none", lifespan="off",
            log_config=None, log_level="warning", access_log=False,
        )  # fmt: skip
        self.server: uvicorn.Server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, name="telnyx-mock-server", daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:  # bounded wait for the socket: start-up, not a test sleep
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("telnyx-mock: the emulator server did not start")
            time.sleep(0.005)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.origin = f"http://127.0.0.1:{port}"

    def reset(self) -> None:
        """Forget every tenant, fault, rate-limit bucket and journal (between tests)."""
        from mockserver.http.common import forget

        forget(self.app.state)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def _telnyx_mock_servers() -> Iterator[dict[str, _Server]]:
    servers: dict[str, _Server] = {}
    yield servers
    for server in servers.values():
        server.close()


@pytest.fixture
def telnyx_mock_server(
    request: pytest.FixtureRequest, _telnyx_mock_servers: dict[str, _Server]
) -> Iterator[MockHandle]:
    """The emulator on an ephemeral port (one per session and settings), reset for this test."""
    settings, api_key = _options(request)
    server = _telnyx_mock_servers.get(repr(settings))
    if server is None:
        server = _telnyx_mock_servers[repr(settings)] = _Server(settings)
    server.reset()
    headers = {"Authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=f"{server.origin}/v2", headers=headers) as client:
        yield MockHandle(server.app, server.clock, client, server.origin, api_key)
