"""The live guard: an httpx transport that refuses, BEFORE sending, any request that could change
a phone number outside the sandbox.

The sandbox is an explicit list of E.164 numbers (``TELNYX_CONTRACT_NUMBERS``), the ids the guard
learns for them from the ``GET /phone_numbers`` responses it sees (or is given), and optionally a
tag (``TELNYX_CONTRACT_TAG``) that filter-based updates must pin.

Refused, always: delete jobs; ``DELETE /phone_numbers/{id}``; any method other than GET on a path
the guard does not know. Sent always: ``POST /phone_numbers/actions/verify_ownership`` and
``POST /phone_numbers/csv_downloads`` (they change no number). Refused unless every target is in
the sandbox: update and emergency jobs, ``PATCH /phone_numbers/{id}``, ``PATCH
/phone_numbers/{id}/voice`` and the family's per-number changes (``PATCH .../messaging``,
``POST``/``PATCH .../voicemail``, ``POST .../actions/enable_emergency``, ``PATCH
.../actions/bundle_status_change``). Filter-based updates are sent only when the query pins
``filter[tag]=<sandbox tag>`` and ``phone_numbers`` is empty or absent.

Sent despite targets outside the sandbox, because the request cannot change anything:
more than 1,000 items (the documented cap); a body that is not a JSON object (array, string,
malformed JSON sent as JSON); a job body with no field but ``phone_numbers`` (nothing to change);
items that cannot name a number (no digit at all, or a reserved ``+1 500 555 xxxx`` test number
no account can own).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import httpx

UPDATE_JOB = "/phone_numbers/jobs/update_phone_numbers"
EMERGENCY_JOB = "/phone_numbers/jobs/update_emergency_settings"
DELETE_JOB = "/phone_numbers/jobs/delete_phone_numbers"
MAX_ITEMS = 1000
#: NANP 500-555-xxxx: reserved test numbers (Telnyx/Twilio "magic" numbers); never on an account
UNOWNABLE = re.compile(r"^\+1500555[0-9]{4}$")
E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")

_NUMBER = re.compile(r"^/phone_numbers/([^/]+)$")
_VOICE = re.compile(r"^/phone_numbers/([^/]+)/voice$")
#: the /phone_numbers family's per-number changes, and the methods each takes: sent only for a
#: sandbox number (like PATCH /phone_numbers/{id})
_FAMILY = re.compile(
    r"^/phone_numbers/([^/]+)/(messaging|voicemail|actions/enable_emergency"
    r"|actions/bundle_status_change)$"
)
_FAMILY_METHODS = {
    "messaging": {"PATCH"},
    "voicemail": {"POST", "PATCH"},
    "actions/enable_emergency": {"POST"},
    "actions/bundle_status_change": {"PATCH"},
}
#: POSTs that change no number: an ownership check, and a CSV export of the account's numbers
READ_ONLY_POSTS = frozenset({"/phone_numbers/actions/verify_ownership",
                             "/phone_numbers/csv_downloads"})  # fmt: skip
_MISSING = object()


class _DuplicateKey(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(repr(key))
        out[key] = value
    return out


class GuardRefused(Exception):
    """The live guard refused to send a request; nothing was sent."""

    def __init__(self, request: httpx.Request, reason: str) -> None:
        self.request = request
        self.reason = reason
        super().__init__(
            f"live guard refused {request.method} {request.url.path}: {reason} "
            "(nothing was sent; see contract_tests/guard.py)"
        )


class LiveGuard(httpx.BaseTransport):
    """Wraps the transport that really sends; inspects every request first."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        sandbox_numbers: Iterable[str],
        sandbox_ids: Iterable[str] = (),
        sandbox_tag: str | None = None,
        base_path: str = "/v2",
    ) -> None:
        self.inner = inner
        self.sandbox_numbers = frozenset(sandbox_numbers)
        bad = sorted(n for n in self.sandbox_numbers if not E164.match(n))
        if bad:
            raise ValueError(f"sandbox numbers must be +E.164: {bad}")
        self.sandbox_ids: set[str] = set(sandbox_ids)
        self.sandbox_tag = sandbox_tag or None
        self.base_path = base_path.rstrip("/")

    # -- transport ------------------------------------------------------------------------------
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.check(request)
        response = self.inner.handle_request(request)
        if request.method == "GET" and response.status_code == 200:
            self._learn(request, response)
        return response

    def close(self) -> None:
        self.inner.close()

    # -- the rules ------------------------------------------------------------------------------
    def api_path(self, request: httpx.Request) -> str:
        path = request.url.path
        if self.base_path and (path == self.base_path or path.startswith(self.base_path + "/")):
            return path[len(self.base_path) :] or "/"
        return path

    def check(self, request: httpx.Request) -> None:
        """Raise :class:`GuardRefused` unless ``request`` is safe to send."""
        method = request.method.upper()
        path = self.api_path(request)
        if method == "GET":
            return
        if path == DELETE_JOB:
            raise GuardRefused(request, "delete jobs are never sent to the live API")
        if method == "POST" and path in (UPDATE_JOB, EMERGENCY_JOB):
            self._check_job(request)
            return
        if method == "POST" and path in READ_ONLY_POSTS:
            return
        family = _FAMILY.match(path)
        if family is not None and method in _FAMILY_METHODS[family.group(2)]:
            ident = family.group(1)
            if self._body(request) is _MISSING or self._is_sandbox(ident):
                return
            raise GuardRefused(request, f"{ident!r} is not a sandbox number or id")
        number = _NUMBER.match(path) or _VOICE.match(path)
        if number is not None and method == "DELETE" and _NUMBER.match(path):
            raise GuardRefused(request, "deleting a phone number is never sent to the live API")
        if number is not None and method == "PATCH":
            ident = number.group(1)  # httpx gives the path percent-decoded
            if self._body(request) is _MISSING or self._is_sandbox(ident):
                return
            raise GuardRefused(request, f"{ident!r} is not a sandbox number or id")
        raise GuardRefused(request, f"only GET is allowed on {path} against the live API")

    def _body(self, request: httpx.Request) -> Any:
        """The JSON object body, or ``_MISSING`` when the body cannot be a JSON object."""
        raw = request.read()
        if not raw.strip():
            return {}
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type and not (
            content_type == "application/json" or content_type.endswith("+json")
        ):
            raise GuardRefused(request, f"a body sent as {content_type!r} might be read as a form")
        try:
            body = json.loads(raw, object_pairs_hook=_no_duplicates)
        except _DuplicateKey as exc:  # parsers disagree on which copy wins: never guess
            raise GuardRefused(request, f"the body repeats the key {exc}") from None
        except ValueError:
            return _MISSING
        return body if isinstance(body, dict) else _MISSING

    def _is_sandbox(self, item: str) -> bool:
        return item in self.sandbox_numbers or item in self.sandbox_ids

    def _cannot_name_a_number(self, item: object) -> bool:
        if item is None or isinstance(item, (bool, dict, list)):
            return True
        text = str(item)
        return not any(ch.isdigit() for ch in text) or bool(UNOWNABLE.match(text))

    def _check_job(self, request: httpx.Request) -> None:
        body = self._body(request)
        if body is _MISSING:
            return  # not a JSON object: the request fails
        items = body.get("phone_numbers", _MISSING)
        if isinstance(items, list) and len(items) > MAX_ITEMS:
            return  # over the documented cap: the request fails
        if set(body) <= {"phone_numbers"}:
            return  # no field to change: nothing can happen to any number
        filters = [
            (k, v)
            for k, v in request.url.params.multi_items()
            if k == "filter" or k.startswith("filter[")
        ]
        if filters:
            pins = [(k, v) for k, v in filters if k.startswith("filter[tag]")]
            if self.sandbox_tag is None:
                raise GuardRefused(request, "filter-based jobs need TELNYX_CONTRACT_TAG")
            if pins != [("filter[tag]", self.sandbox_tag)]:
                raise GuardRefused(
                    request, f"a filter-based job must pin filter[tag]={self.sandbox_tag}"
                )
            if items not in (_MISSING, [], None):
                raise GuardRefused(
                    request, "phone_numbers together with a filter: semantics not documented"
                )
            return
        if not isinstance(items, list) or not items:
            raise GuardRefused(request, "the job's targets are not an explicit, non-empty list")
        outside = [
            str(item)
            for item in items
            if not (isinstance(item, str) and self._is_sandbox(item))
            and not self._cannot_name_a_number(item)
        ]
        if outside:
            shown = ", ".join(outside[:5]) + (" ..." if len(outside) > 5 else "")
            raise GuardRefused(request, f"targets outside the sandbox: {shown}")

    # -- learning sandbox ids -------------------------------------------------------------------
    def _learn(self, request: httpx.Request, response: httpx.Response) -> None:
        path = self.api_path(request)
        if path != "/phone_numbers" and not _NUMBER.match(path):
            return
        try:
            payload = json.loads(response.read())
        except ValueError:
            return
        data = payload.get("data") if isinstance(payload, dict) else None
        records = data if isinstance(data, list) else [data]
        for record in records:
            if (
                isinstance(record, dict)
                and record.get("phone_number") in self.sandbox_numbers
                and isinstance(record.get("id"), str)
            ):
                self.sandbox_ids.add(record["id"])
