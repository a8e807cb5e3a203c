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

from contract_tests.checks import check_schema, check_status
from contract_tests.guard import E164, EMERGENCY_JOB, UPDATE_JOB, LiveGuard
from mockserver import schemas
from mockserver.app import create_app
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
    has_controls: bool
    #: delete jobs may be sent (never on live)
    can_delete: bool
    #: a key the server never issued is a 401 (an allowlist exists)
    rejects_unknown_keys: bool
    #: the tag filter-based requests pin (the sandbox tag on live)
    sandbox_tag: str | None
    #: emergency jobs may switch E911 on or off (live: only no-op disables)
    changes_emergency: bool

    def client(self) -> httpx.Client: ...

    def inventory(self, page: int = 1) -> list[dict[str, Any]]: ...

    def wait_for(
        self,
        job_id: str,
        *,
        until: Iterable[str] = FINAL_STATUSES,
        timeout_s: float | None = None,
        observe: Observer | None = None,
    ) -> Job: ...

    def reset(self) -> None: ...

    def close(self) -> list[str]: ...


def _origin(url: httpx.URL) -> str:
    return str(url.copy_with(path="/", query=None, fragment=None)).rstrip("/")


class HttpTarget:
    """The shared machinery: client, inventory, wait_for, reset. Subclasses pick a transport."""

    name = "http"
    can_delete = True
    changes_emergency = True
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
        deadline = time.monotonic() + timeout
        delay = self.poll_first_s
        pause = threading.Event()
        for _ in range(self.max_polls):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            pause.wait(min(delay, remaining))
            job = self.job(job_id)
            if observe is not None:
                observe(job)
            if job["status"] in wanted:
                return job
            delay = min(delay * self.poll_factor, self.poll_max_s)
        raise AssertionError(
            f"expected job {job_id} to reach {sorted(wanted)} within {timeout:g}s / "
            f"received status {job['status']!r} at the last poll"
        )


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


class RateLimited(httpx.BaseTransport):
    """At most ``per_second`` requests per second through ``inner`` (waits, never drops); a 429
    is retried (at most ``retries`` times) after its Retry-After (capped) or a backoff."""

    def __init__(self, inner: httpx.BaseTransport, per_second: float, retries: int = 3) -> None:
        self.inner = inner
        self.interval = 1.0 / per_second
        self.retries = retries
        self._next = 0.0
        self._lock = threading.Lock()
        self._pause = threading.Event()

    def _slot(self) -> None:
        with self._lock:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + self.interval
        if wait > 0:
            self._pause.wait(wait)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for attempt in range(self.retries + 1):
            self._slot()
            response = self.inner.handle_request(request)
            if response.status_code != 429 or attempt == self.retries:
                return response
            try:
                delay = float(response.headers.get("retry-after", ""))
            except ValueError:
                delay = 2.0**attempt
            response.close()
            self._pause.wait(min(max(delay, 0.0), 30.0))
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self.inner.close()


class LiveConfigError(Exception):
    """The live target is not configured; the message says what is missing."""


#: number fields restored through PATCH /phone_numbers/{id}; voice fields through .../voice
_NUMBER_FIELDS = tuple(schemas.document("update_phone_number_request.schema.json")["properties"])
_VOICE_FIELDS = tuple(schemas.document("voice_settings_request.schema.json")["properties"])


class LiveTarget(HttpTarget):
    """``https://api.telnyx.com/v2``: opt-in, guarded, rate-limited, restored afterwards."""

    name = "live"
    can_delete = False
    changes_emergency = False
    rejects_unknown_keys = True
    poll_first_s = 1.0
    poll_max_s = 10.0
    timeout_s = 600.0

    def __init__(
        self,
        api_key: str,
        numbers: list[str],
        *,
        tag: str | None = None,
        base_url: str = LIVE_URL,
        per_second: float = 2.0,
        inner: httpx.BaseTransport | None = None,
    ) -> None:
        base_path = httpx.URL(base_url).path.rstrip("/")
        self.guard = LiveGuard(
            RateLimited(inner or httpx.HTTPTransport(retries=1), per_second),
            sandbox_numbers=numbers,
            sandbox_tag=tag,
            base_path=base_path,
        )
        self.sandbox_numbers = list(dict.fromkeys(numbers))
        self.sandbox_tag = tag
        self._snapshot: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        super().__init__(base_url, api_key, self.guard, has_controls=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> LiveTarget:
        key = env.get("TELNYX_API_KEY", "").strip()
        raw = env.get("TELNYX_CONTRACT_NUMBERS", "").strip()
        if not key:
            raise LiveConfigError("TELNYX_API_KEY is not set")
        if not raw:
            raise LiveConfigError(
                "TELNYX_CONTRACT_NUMBERS is not set (comma-separated +E.164 numbers the suite "
                "may change; they are restored afterwards)"
            )
        numbers = [n.strip() for n in raw.split(",") if n.strip()]
        bad = [n for n in numbers if not E164.match(n)]
        if bad:
            raise LiveConfigError(f"TELNYX_CONTRACT_NUMBERS has non-E.164 entries: {bad}")
        rate = float(env.get("CONTRACT_RATE", "2"))
        return cls(
            key,
            numbers,
            tag=env.get("TELNYX_CONTRACT_TAG", "").strip() or None,
            base_url=env.get("CONTRACT_LIVE_URL", LIVE_URL),
            per_second=rate,
        )

    def _lookup(self, number: str) -> dict[str, Any]:
        response = self.client().get(
            "phone_numbers", params={"filter[phone_number]": number.lstrip("+")}
        )
        check_status(response, 200)
        for record in response.json()["data"]:
            if record.get("phone_number") == number:
                found: dict[str, Any] = record
                return found
        raise LiveConfigError(f"sandbox number {number} is not on this account")

    def inventory(self, page: int = 1) -> list[dict[str, Any]]:
        """Only the sandbox numbers (the guard learns their ids from these reads)."""
        return [self._lookup(n) for n in self.sandbox_numbers] if page == 1 else []

    def start(self) -> None:
        """Record the original settings of every sandbox number (GET before any change)."""
        for record in self.inventory():
            voice = self.client().get(f"phone_numbers/{record['id']}/voice")
            check_status(voice, 200)
            self._snapshot[record["id"]] = (record, voice.json()["data"])

    def close(self) -> list[str]:
        problems: list[str] = []
        try:
            problems = self.restore()
        except (AssertionError, httpx.HTTPError, LiveConfigError) as exc:
            problems.append(f"restore stopped: {exc}")
        finally:
            super().close()
        return problems

    def restore(self) -> list[str]:
        """PATCH every sandbox number back to its recorded settings; returns what failed."""
        problems: list[str] = []
        api = self.client()
        locks: dict[bool, list[str]] = {}
        emergency: dict[tuple[bool, str | None], list[str]] = {}
        for ident, (before, voice_before) in self._snapshot.items():
            now = api.get(f"phone_numbers/{ident}")
            check_status(now, 200)
            after = now.json()["data"]
            patch = {
                k: before.get(k)
                for k in _NUMBER_FIELDS
                if k in before and before.get(k) != after.get(k)
            }
            problems += _patch_back(api, f"phone_numbers/{ident}", patch, before["phone_number"])
            voice_now = api.get(f"phone_numbers/{ident}/voice").json()["data"]
            voice_patch = {
                k: voice_before[k]
                for k in _VOICE_FIELDS
                if k in voice_before and voice_before[k] != voice_now.get(k)
            }
            problems += _patch_back(
                api, f"phone_numbers/{ident}/voice", voice_patch, before["phone_number"] + " voice"
            )
            if before.get("deletion_lock_enabled") != after.get("deletion_lock_enabled"):
                locks.setdefault(bool(before.get("deletion_lock_enabled")), []).append(ident)
            if before.get("emergency_enabled") != after.get("emergency_enabled") or before.get(
                "emergency_address_id"
            ) != after.get("emergency_address_id"):
                enabled = bool(before.get("emergency_enabled"))
                address = before.get("emergency_address_id") if enabled else None
                emergency.setdefault((enabled, address), []).append(ident)
        jobs: list[tuple[str, dict[str, Any]]] = [
            (UPDATE_JOB, {"phone_numbers": ids, "deletion_lock_enabled": lock})
            for lock, ids in locks.items()
        ]
        for (enabled, address), ids in emergency.items():
            body: dict[str, Any] = {"phone_numbers": ids, "emergency_enabled": enabled}
            if enabled:
                body["emergency_address_id"] = address
            jobs.append((EMERGENCY_JOB, body))
        for path, body in jobs:
            response = api.post(path.lstrip("/"), json=body)
            if response.status_code != 202:
                problems.append(f"restore job {path} {body}: {response.status_code}")
                continue
            job = self.wait_for(response.json()["data"]["id"])
            if job["failed_operations"]:
                problems.append(f"restore job {path}: failed for {job['failed_operations']}")
        return problems


def _patch_back(api: httpx.Client, path: str, fields: dict[str, Any], label: str) -> list[str]:
    """PATCH ``fields`` back; field by field if the whole PATCH is refused. A field that was null
    is tried as null, then as "" (the spec types these as strings); what fails is reported."""
    if not fields or api.patch(path, json=fields).status_code == 200:
        return []
    problems: list[str] = []
    for key, value in fields.items():
        tries = [value] if value is not None else [None, ""]
        for attempt in tries:
            if api.patch(path, json={key: attempt}).status_code == 200:
                if attempt != value:
                    problems.append(f"{label}: {key} restored as {attempt!r} (null refused)")
                break
        else:
            problems.append(f"{label}: could not restore {key} to {value!r}")
    return problems


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
