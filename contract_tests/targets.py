"""Where the contract suite sends its requests: the emulator in-process, any URL, the live API.

Every target yields one authenticated ``httpx.Client`` whose every response is checked against
``schemas/``, and moves time through one :meth:`Target.wait_for`: the emulator's test controls
where the target has them, bounded polling with exponential backoff where it does not.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import httpx
import pytest

from contract_tests.checks import check_schema, check_status
from mockserver.app import create_app
from mockserver.cassette.record import RecordingTransport
from mockserver.config import Settings
from mockserver.transport import ASGIBridge

FINAL_STATUSES = frozenset({"completed", "failed", "expired"})
LIVE_URL = "https://api.telnyx.com/v2"
DEFAULT_API_KEY = "contract-key"
#: where a target finds its inventory: numbers the suite may use as targets
ACTIVE_NUMBERS = {"filter[status]": "active", "page[size]": "250"}

Job = dict[str, Any]
Observer = Callable[[Job], None]


class Target(Protocol):
    """What every test sees of the system under test."""

    name: str
    base_url: str
    #: ``{origin}/_mock``: where the test controls are (when ``has_controls``)
    control_root: str
    has_controls: bool
    #: delete jobs may be sent (never on live)
    can_delete: bool
    #: a key the server never issued is a 401 (an allowlist exists)
    rejects_unknown_keys: bool
    #: the tag filter-based requests pin (the sandbox tag on live)
    sandbox_tag: str | None
    #: emergency jobs may switch E911 on or off (live: only no-op disables)
    changes_emergency: bool
    #: messaging, voicemail, bundle and enable_emergency changes may be sent (live: no restore)
    changes_family: bool

    def client(self) -> httpx.Client: ...

    def control(self, name: str, payload: Mapping[str, Any] | None = None) -> httpx.Response: ...

    def inventory(self, page: int = 1) -> list[dict[str, Any]]: ...

    def wait_for(
        self,
        job_id: str,
        *,
        until: Iterable[str] = FINAL_STATUSES,
        timeout_s: float | None = None,
        observe: Observer | None = None,
    ) -> Job: ...

    def poll(
        self,
        fetch: Callable[[], dict[str, Any]],
        done: Callable[[dict[str, Any]], bool],
        last: dict[str, Any],
        timeout_s: float | None = None,
    ) -> dict[str, Any]: ...

    def reset(self) -> None: ...

    def close(self) -> list[str]: ...


def needs_controls(target: Target) -> None:
    """Skip a test of the ``/_mock`` controls themselves on a target without them (live, or an
    emulator started with ``--no-control``); the in-process run checks each such rule."""
    if not target.has_controls:
        pytest.skip(f"{target.name}: needs the /_mock test controls")


def _origin(url: httpx.URL) -> str:
    return str(url.copy_with(path="/", query=None, fragment=None)).rstrip("/")


class HttpTarget:
    """The shared machinery: client, inventory, wait_for, reset. Subclasses pick a transport."""

    name = "http"
    can_delete = True
    changes_emergency = True
    changes_family = True
    rejects_unknown_keys = False
    sandbox_tag: str | None = "sandbox"
    #: polling without controls: first delay, growth, largest delay, default timeout, max polls
    poll_first_s = 0.05
    poll_factor = 1.6
    poll_max_s = 1.0
    timeout_s = 30.0
    max_polls = 500

    def __init__(
        self,
        base_url: str,
        api_key: str,
        transport: httpx.BaseTransport,
        *,
        has_controls: bool,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        url = httpx.URL(self.base_url)
        self.base_path = url.path.rstrip("/")
        self.control_root = _origin(url) + "/_mock"
        self.api_key = api_key
        self.has_controls = has_controls
        self._transport = transport
        self._client: httpx.Client | None = None

    # -- client ---------------------------------------------------------------------------------
    def client(self) -> httpx.Client:
        if self._client is None:
            base_path = self.base_path

            def schema_hook(response: httpx.Response) -> None:
                check_schema(response, base_path=base_path)

            self._client = httpx.Client(
                transport=self._transport,
                base_url=self.base_url + "/",
                headers={"Authorization": f"Bearer {self.api_key}"},
                event_hooks={"response": [schema_hook]},
                timeout=httpx.Timeout(30.0),
            )
        return self._client

    def control(self, name: str, payload: Mapping[str, Any] | None = None) -> httpx.Response:
        """POST a test control (``/_mock/<name>``) for this tenant."""
        assert self.has_controls, f"target {self.name} has no test controls"
        response = self.client().post(f"{self.control_root}/{name}", json=dict(payload or {}))
        check_status(response, 200)
        return response

    def record_into(self, path: str | os.PathLike[str]) -> RecordingTransport:
        """From now on every exchange goes through ``RecordingTransport(path, mode="all",
        inner=<this target's transport>)``: redacted, written to ``path`` one at a time. The
        recorder sits outside the live guard, so a refused request (raised before anything is
        sent) is never recorded. Call before the first request."""
        if self._client is not None:
            raise RuntimeError(f"{self.name}: record_into() must come before the first request")
        recorder = RecordingTransport(path, mode="all", inner=self._transport)
        self._transport = recorder
        return recorder

    def close(self) -> list[str]:
        """Release the client; returns problems worth reporting (none here)."""
        if self._client is not None:
            self._client.close()
        return []

    # -- state ----------------------------------------------------------------------------------
    def reset(self) -> None:
        if self.has_controls:
            self.control("reset")

    def inventory(self, page: int = 1) -> list[dict[str, Any]]:
        response = self.client().get(
            "phone_numbers", params={**ACTIVE_NUMBERS, "page[number]": str(page)}
        )
        check_status(response, 200)
        data: list[dict[str, Any]] = response.json()["data"]
        return data

    def job(self, job_id: str) -> Job:
        response = self.client().get(f"phone_numbers/jobs/{job_id}")
        check_status(response, 200)
        job: Job = response.json()["data"]
        return job

    # -- time -----------------------------------------------------------------------------------
    def wait_for(
        self,
        job_id: str,
        *,
        until: Iterable[str] = FINAL_STATUSES,
        timeout_s: float | None = None,
        observe: Observer | None = None,
    ) -> Job:
        """The job once its status is in ``until``; AssertionError naming it on timeout.

        With controls, time moves by growing clock steps (so intermediate statuses are seen, as
        when polling) and finally ``/_mock/jobs/run``. Without, bounded polling with exponential
        backoff on a real clock.
        """
        wanted = frozenset(until)
        timeout = self.timeout_s if timeout_s is None else timeout_s
        job = self.job(job_id)
        if observe is not None:
            observe(job)
        if job["status"] in wanted:
            return job
        if self.has_controls:
            step = 0.25
            for _ in range(6):
                self.control("clock/advance", {"seconds": step})
                job = self.job(job_id)
                if observe is not None:
                    observe(job)
                if job["status"] in wanted:
                    return job
                step *= 2
            self.control("jobs/run")
            job = self.job(job_id)
            if observe is not None:
                observe(job)
            if job["status"] in wanted:
                return job
            raise AssertionError(
                f"expected job {job_id} to reach {sorted(wanted)} after /_mock/jobs/run / "
                f"received status {job['status']!r}"
            )

        def fetch() -> Job:
            polled = self.job(job_id)
            if observe is not None:
                observe(polled)
            return polled

        job = self.poll(fetch, lambda polled: polled["status"] in wanted, job, timeout)
        if job["status"] in wanted:
            return job
        raise AssertionError(
            f"expected job {job_id} to reach {sorted(wanted)} within {timeout:g}s / "
            f"received status {job['status']!r} at the last poll"
        )

    def poll(
        self,
        fetch: Callable[[], dict[str, Any]],
        done: Callable[[dict[str, Any]], bool],
        last: dict[str, Any],
        timeout_s: float | None = None,
    ) -> dict[str, Any]:
        """After ``last`` (fetched already), ``fetch()`` again on the real clock with exponential
        backoff until ``done`` of what it returns or the timeout (``timeout_s``, else the
        target's); the last thing fetched."""
        timeout = self.timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + timeout
        delay = self.poll_first_s
        pause = threading.Event()
        fetched = last
        for _ in range(self.max_polls):
            remaining = deadline - time.monotonic()
            if done(fetched) or remaining <= 0:
                break
            pause.wait(min(delay, remaining))
            fetched = fetch()
            delay = min(delay * self.poll_factor, self.poll_max_s)
        return fetched


class InProcessTarget(HttpTarget):
    """The emulator app through an ASGI transport: no socket, no port, a manual clock."""

    name = "inprocess"

    def __init__(
        self, api_key: str = DEFAULT_API_KEY, overrides: Mapping[str, Any] | None = None
    ) -> None:
        # like the live API, only the issued key works (unless the overrides say otherwise)
        self.settings = settings_with({"api_keys": [api_key], **(overrides or {})})
        self.rejects_unknown_keys = bool(self.settings.api_keys)
        app = create_app(self.settings)
        super().__init__(
            "https://api.telnyx.com/v2",
            api_key,
            ASGIBridge(app),
            has_controls=self.settings.control,
        )


def settings_with(overrides: Mapping[str, Any]) -> Settings:
    """``Settings(manual_clock=True, **overrides)``; JSON lists become frozensets where needed.

    Overrides let a test build a deliberately broken emulator (``{"max_numbers": 1001}``).
    """
    known = set(Settings.__dataclass_fields__)
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(f"unknown emulator settings {unknown}; known: {sorted(known)}")
    values = dict(overrides)
    if isinstance(values.get("api_keys"), list):
        values["api_keys"] = frozenset(values["api_keys"])
    values.setdefault("manual_clock", True)
    return Settings(**values)


class UrlTarget(HttpTarget):
    """Any base URL: an emulator started elsewhere, or anything claiming to be the API."""

    name = "url"

    def __init__(self, base_url: str, api_key: str = DEFAULT_API_KEY) -> None:
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        super().__init__(
            base_url, api_key, httpx.HTTPTransport(), has_controls=probe_controls(base_url)
        )
        self.rejects_unknown_keys = probe_allowlist(base_url)


def probe_allowlist(base_url: str) -> bool:
    """True when a key the server never issued gets a 401 (a harmless GET)."""
    headers = {"Authorization": f"Bearer never-issued-{os.getpid()}-{time.monotonic_ns()}"}
    try:
        response = httpx.get(f"{base_url.rstrip('/')}/phone_numbers/jobs", headers=headers,
                             timeout=5.0)  # fmt: skip
    except httpx.HTTPError as exc:
        raise ConnectionError(f"cannot reach {base_url}: {exc}") from exc
    return response.status_code == 401


def probe_controls(base_url: str) -> bool:
    """True when ``{root}/_mock/health`` answers like the emulator's test controls."""
    root = _origin(httpx.URL(base_url))
    try:
        response = httpx.get(f"{root}/_mock/health", timeout=5.0)
    except httpx.HTTPError as exc:
        raise ConnectionError(f"cannot reach {root}: {exc}") from exc
    if response.status_code != 200:
        return False
    try:
        payload = response.json()
    except ValueError:
        return False
    return isinstance(payload, dict) and payload.get("status") == "ok"


def parse_overrides(text: str | None) -> dict[str, Any]:
    """``--inprocess-overrides '{"max_numbers": 1001}'`` as a dict."""
    if not text:
        return {}
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("--inprocess-overrides must be a JSON object")
    return value


def describe(target: Target) -> str:
    controls = "test controls" if target.has_controls else "no controls (real polling)"
    return f"{target.name} at {target.base_url} ({controls})"


_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def report_name(target_name: str) -> str:
    return "conformance-" + _SAFE.sub("-", target_name) + ".json"
