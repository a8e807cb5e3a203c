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
    from mockserver.journal import Journals

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
    """A test's view of one emulator: its helpers act on the tenant of the keys the test used.

    Which tenant (bearer key) the helpers read and change:

    - the key given by ``@pytest.mark.telnyx_mock(api_key=...)``/``--telnyx-mock-api-key``, or
      by :meth:`for_key`;
    - otherwise the one key the test's own requests have used so far (any client: the official
      SDK with ``api_key="k"``, ``.client``, urllib on the server fixture, ...);
    - before any request, the handle's own key (``.api_key``, that of ``.client``).

    A mismatch never passes quietly: when the helpers act on one key and the test's requests
    use only others, the next helper call (and the end of the test) fails naming both; when
    the test used several keys and none was given, a helper fails asking which
    (:meth:`for_key`). ``advance`` moves the emulator's own clock, so every key of the test at
    once (the emulator is the test's own); ``run_jobs`` runs the jobs of every key it used.
    """

    def __init__(
        self,
        app: Starlette,
        clock: ManualClock,
        client: httpx.Client,
        origin: str,
        api_key: str,
        *,
        explicit: bool = False,
        checked: bool = True,
    ) -> None:
        self.app = app
        self.clock = clock
        self.client = client
        self.origin = origin
        self.api_key = api_key
        self.base_url = f"{origin}/v2"
        self._bound: str | None = api_key if explicit else None
        self._checked = checked
        self._seen: dict[str, None] = {}  # keys the test's requests used, in first-use order
        self._acted = False

    # -- which tenant -----------------------------------------------------------------------------
    @property
    def keys(self) -> list[str]:
        """The keys the test's requests have used (the handle's own reads are not requests)."""
        journals: Journals = self.app.state.journals
        self._seen.update(dict.fromkeys(journals.keys()))
        return list(self._seen)

    @property
    def tenant_key(self) -> str:
        """The key the helpers act on (see the class); an AssertionError on a mismatch."""
        used = self.keys
        if self._bound is None:
            if len(used) > 1:
                raise AssertionError(
                    f"telnyx_mock: this test's requests used {len(used)} keys "
                    f"({', '.join(map(repr, used))}); say which tenant the helper should act "
                    "on: telnyx_mock.for_key(KEY) or @pytest.mark.telnyx_mock(api_key=KEY)"
                )
            self._bound = used[0] if used else self.api_key
        self._check(used)
        self._acted = True
        return self._bound

    def for_key(self, key: str) -> MockHandle:
        """The same emulator, with the helpers acting on ``key``'s tenant."""
        return MockHandle(
            self.app, self.clock, self.client, self.origin, key, explicit=True, checked=False
        )

    def _check(self, used: list[str]) -> None:
        key = self._bound
        if not self._checked or key is None or not used or key in used:
            return
        raise AssertionError(
            f"telnyx_mock: the handle acts on tenant {key!r}, but this test's requests used "
            f"{', '.join(map(repr, used))}: the helpers would see an empty tenant. Give the "
            f"client api_key={key!r} (telnyx_mock.api_key), or act on theirs with "
            f"@pytest.mark.telnyx_mock(api_key={used[0]!r}) or telnyx_mock.for_key({used[0]!r})"
        )

    def verify(self) -> None:
        """At the end of the test: the mismatch check, if a helper acted on a tenant."""
        if self._acted:
            self._check(self.keys)

    def _call(self, method: str, path: str, *, key: str | None = None, **kwargs: Any) -> Any:
        """The ``data`` of a successful response; an AssertionError for anything else.

        Marked internal: the handle's own reads are never journaled, faulted or rate limited.
        """
        from mockserver.http.middleware import INTERNAL

        tenant = self.tenant_key if key is None else key
        headers = {INTERNAL: "1", "Authorization": f"Bearer {tenant}"}
        response = self.client.request(method, f"{self.origin}{path}", headers=headers, **kwargs)
        if response.status_code >= 400:
            raise AssertionError(
                f"{method} {path}: expected success, received {response.status_code} "
                f"{response.text[:500]}"
            )
        return response.json()["data"]

    # -- time and jobs ----------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Move the emulator's clock forward: the jobs of every key the test used progress."""
        self.clock.advance(round(seconds * 1000))

    def run_jobs(self) -> list[JSON]:
        """Run every open job of every key the test used (or of the handle's tenant) to its end;
        returns the jobs it ran."""
        used = self.keys
        if self._bound is None and len(used) > 1:
            keys = used
        else:
            first = self.tenant_key  # binds the handle (and checks it)
            keys = [first, *(k for k in used if k != first)]
        ran: list[JSON] = []
        for key in keys:
            ran.extend(cast("list[JSON]", self._call("POST", "/_mock/jobs/run", key=key)))
        return ran

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


def _options(request: pytest.FixtureRequest) -> tuple[Settings, str, bool]:
    """Settings and api key for a test: options/ini, then markers (the closest wins); and
    whether the key was given (else the handle follows the keys the test uses)."""
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
    explicit = "api_key" in given
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
    return Settings(**{"manual_clock": True, **given}), api_key, explicit


def _in_process(settings: Settings, api_key: str, explicit: bool) -> MockHandle:
    from mockserver.app import create_app
    from mockserver.clock import ManualClock
    from mockserver.transport import client

    clock = ManualClock()
    app = create_app(settings, clock=clock)
    origin = "https://api.telnyx.com"
    return MockHandle(
        app, clock, client(app, api_key=api_key, base_url=f"{origin}/v2"), origin, api_key,
        explicit=explicit,
    )  # fmt: skip


def _verify(handle: MockHandle) -> None:
    try:
        handle.verify()
    except AssertionError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def telnyx_mock(request: pytest.FixtureRequest) -> Iterator[MockHandle]:
    """A fresh in-process emulator (manual clock) for this test."""
    handle = _in_process(*_options(request))
    with handle.client:
        yield handle
    _verify(handle)


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
    settings, api_key, explicit = _options(request)
    server = _telnyx_mock_servers.get(repr(settings))
    if server is None:
        server = _telnyx_mock_servers[repr(settings)] = _Server(settings)
    server.reset()
    headers = {"Authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=f"{server.origin}/v2", headers=headers) as client:
        handle = MockHandle(
            server.app, server.clock, client, server.origin, api_key, explicit=explicit
        )
        yield handle
    _verify(handle)
