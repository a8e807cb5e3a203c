"""The live target: the real API behind the guard and a client-side rate limit, confined to
the sandbox numbers it was given (``TELNYX_CONTRACT_NUMBERS``), restored after the run."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from typing import Any

import httpx

from contract_tests.checks import check_status
from contract_tests.guard import E164, EMERGENCY_JOB, UPDATE_JOB, LiveGuard
from contract_tests.targets import LIVE_URL, HttpTarget
from mockserver import schemas


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
    #: restore() puts numbers and voice settings back, not messaging, voicemail or bundles
    changes_family = False
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
