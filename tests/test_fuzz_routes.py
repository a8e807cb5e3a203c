"""R-NO-500 on every route: malformed requests of every kind, in-process (``ASGIBridge``).

Each example sends one request built from hypothesis strategies (``tests/fuzz_strategies.py``):
the route's own methods or any other, ``/v2`` or bare paths, ids of the world or of the wrong
shape, percent-encoding, random query strings, content types, ``Authorization`` values (non-ASCII
bytes included), extra headers, and bodies: plausible JSON for the route, random JSON, random
bytes, deep nesting, huge strings and huge numbers. :meth:`Probe.send` checks every answer: no
5xx, no stack trace, every 4xx a Telnyx error envelope (schema-checked, ``/_mock`` included),
every 2xx its documented shape, and the tenant's state (clock, jobs, numbers, faults) unchanged
by a rejected request. One app per test, kept across its examples.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.routing import Mount, Route

from mockserver.app import create_app
from mockserver.config import Settings
from mockserver.world import template
from tests.fuzz_strategies import (
    AUTHORIZATIONS,
    CONTROL_BODIES,
    PLAUSIBLE,
    content_types,
    extra_headers,
    methods,
    queries,
    raw_bodies,
    segments,
)
from tests.fuzz_support import KEY, Probe, fuzz_case_report, fuzz_settings, tick
from tests.helpers import DELETE, EMERGENCY, ID_A, NUMBER, UPDATE, VOICE

__all__ = ["fuzz_case_report"]  # the session's case counter report (an autouse fixture)

FUZZ = fuzz_settings()
JOBS = "/phone_numbers/jobs"
CSV = "/phone_numbers/csv_downloads"
#: every route of the app: (prefixes, path, methods); ``{id}`` is filled per example
ROUTES: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "update": (("/v2", ""), f"{JOBS}/update_phone_numbers", ("POST",)),
    "emergency": (("/v2", ""), f"{JOBS}/update_emergency_settings", ("POST",)),
    "delete": (("/v2", ""), f"{JOBS}/delete_phone_numbers", ("POST",)),
    "list-jobs": (("/v2", ""), JOBS, ("GET",)),
    "job": (("/v2", ""), f"{JOBS}/{{id}}", ("GET",)),
    "list-numbers": (("/v2", ""), "/phone_numbers", ("GET",)),
    "number": (("/v2", ""), "/phone_numbers/{id}", ("GET", "PATCH", "DELETE")),
    "voice": (("/v2", ""), "/phone_numbers/{id}/voice", ("GET", "PATCH")),
    "slim": (("/v2", ""), "/phone_numbers/slim", ("GET",)),
    "voice-list": (("/v2", ""), "/phone_numbers/voice", ("GET",)),
    "messaging-list": (("/v2", ""), "/phone_numbers/messaging", ("GET",)),
    "messaging": (("/v2", ""), "/phone_numbers/{id}/messaging", ("GET", "PATCH")),
    "voicemail": (
        ("/v2", ""),
        "/phone_numbers/{phone_number_id}/voicemail",
        ("GET", "POST", "PATCH"),
    ),
    "csv-downloads": (("/v2", ""), "/phone_numbers/csv_downloads", ("GET", "POST")),
    "csv-download": (("/v2", ""), "/phone_numbers/csv_downloads/{id}", ("GET",)),
    "csv-file": (("/v2", ""), "/phone_numbers/csv_downloads/{id}/file", ("GET",)),
    "enable-emergency": (("/v2", ""), "/phone_numbers/{id}/actions/enable_emergency", ("POST",)),
    "bundle-status": (("/v2", ""), "/phone_numbers/{id}/actions/bundle_status_change", ("PATCH",)),
    "verify-ownership": (("/v2", ""), "/phone_numbers/actions/verify_ownership", ("POST",)),
    "health": (("/_mock",), "/health", ("GET",)),
    "reset": (("/_mock",), "/reset", ("POST",)),
    "clock": (("/_mock",), "/clock", ("GET",)),
    "clock-advance": (("/_mock",), "/clock/advance", ("POST",)),
    "clock-set": (("/_mock",), "/clock/set", ("POST",)),
    "jobs-run": (("/_mock",), "/jobs/run", ("POST",)),
    "faults": (("/_mock",), "/faults", ("GET", "POST", "DELETE")),
    "journal": (("/_mock",), "/journal", ("GET", "DELETE")),
    "tenants": (("/_mock",), "/tenants", ("GET",)),
    "ui": (("/_mock",), "/ui", ("GET",)),
    "ui-file": (("/_mock",), "/ui/{name}", ("GET",)),
    "openapi": (("/_mock",), "/openapi.json", ("GET",)),
    "state": (("/_mock",), "/state", ("GET", "PUT", "POST")),
}
PLAUSIBLE_BY_ROUTE: dict[str, st.SearchStrategy[Any]] = {
    "update": PLAUSIBLE[UPDATE],
    "emergency": PLAUSIBLE[EMERGENCY],
    "delete": PLAUSIBLE[DELETE],
    "number": PLAUSIBLE[NUMBER],
    "voice": PLAUSIBLE[VOICE],
    **{
        name: PLAUSIBLE[name]
        for name in (
            "messaging",
            "voicemail",
            "enable-emergency",
            "bundle-status",
            "verify-ownership",
        )
    },
    "clock-advance": CONTROL_BODIES["/clock/advance"],
    "clock-set": CONTROL_BODIES["/clock/set"],
    "faults": CONTROL_BODIES["/faults"],
}
WORLD_IDS = template(None).order[::25]  # 100 real ids, spread over the world


def fuzz_app(**settings: Any) -> Probe:
    app = create_app(
        Settings(manual_clock=True, journal_size=50, journal_body_bytes=1024, **settings)
    )
    probe = Probe(app)
    auth = {"Authorization": f"Bearer {KEY}"}
    for tags in (["a"], ["b"]):  # jobs to find by id
        body = {"phone_numbers": [ID_A], "tags": tags}
        r = probe.client.post(f"/v2{JOBS}/update_phone_numbers", json=body, headers=auth)
        assert r.status_code == 202, r.text
    for fmt in ("V1", "V2"):  # CSV downloads to find by id: one complete, one pending
        r = probe.client.post(f"/v2{CSV}", params={"csv_format": fmt}, headers=auth)
        assert r.status_code == 200, r.text
        probe.client.post("/_mock/clock/advance", json={"seconds": 5}, headers=auth)
    tenant = app.state.tenants.get(KEY)
    probe.ids = {
        "jobs": [job.id for job in tenant.job_list[:4]],
        "downloads": [d.id for d in tenant.downloads.order[:4]],
    }
    return probe


@pytest.fixture
def probe() -> Iterator[Probe]:
    p = fuzz_app()
    yield p
    p.close()


@pytest.fixture
def uncapped() -> Iterator[Probe]:
    """No job cap: every valid create is a 202, however many examples ran before."""
    p = fuzz_app(max_open_jobs=10**9)
    yield p
    p.close()


def download_ids(probe: Probe) -> list[str]:
    """The CSV downloads the probe was set up with (one complete, one pending)."""
    return probe.ids["downloads"]


def job_ids(probe: Probe) -> list[str]:
    """The jobs the probe was set up with."""
    return probe.ids["jobs"]


def path_piece(data: st.DataObject, choices: list[str]) -> str:
    """One path segment: a real id, one of the wrong shape, or anything (percent-encoded, or
    with its own ``%xx`` sequences left as they are)."""
    raw = data.draw(st.one_of(st.sampled_from(choices), segments), label="segment")
    return quote(raw, safe="%" if data.draw(st.booleans(), label="keep-%") else "")


def headers_for(data: st.DataObject) -> list[tuple[str, str | bytes]]:
    headers: list[tuple[str, str | bytes]] = []
    auth = data.draw(AUTHORIZATIONS, label="authorization")
    if auth is not None:
        if isinstance(auth, str):
            auth = auth.replace("{key}", KEY)
        headers.append(("Authorization", auth))
    content_type = data.draw(content_types, label="content-type")
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    return headers + data.draw(extra_headers, label="extra headers")


# -- the route table is the app's -----------------------------------------------------------------
def test_the_route_table_lists_every_route_of_the_app() -> None:
    app = create_app(Settings(manual_clock=True))
    found: set[tuple[str, str, frozenset[str]]] = set()
    for top in app.routes:
        inner = top.routes if isinstance(top, Mount) else [top]
        prefix = top.path if isinstance(top, Mount) else ""
        for route in inner:
            assert isinstance(route, Route)
            methods_ = frozenset(route.methods or ()) - {"HEAD"}
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)  # {id:telnyx_job_id} -> {id}
            found.add((prefix, path, methods_))
    listed = {
        (prefix, path, frozenset(verbs))
        for prefixes, path, verbs in ROUTES.values()
        for prefix in prefixes
    }
    assert found == listed


# -- (a) every route, anything in the request -----------------------------------------------------
@pytest.mark.rule("R-NO-500")
@pytest.mark.rule("R-ATOMIC")
@pytest.mark.rule("R-ERROR-ENVELOPE")
@pytest.mark.parametrize("route", list(ROUTES))
@FUZZ
@given(data=st.data())
def test_every_route_survives_malformed_requests(
    probe: Probe, route: str, data: st.DataObject
) -> None:
    tick()
    prefixes, path, verbs = ROUTES[route]
    prefix = data.draw(st.sampled_from(prefixes), label="prefix")
    if "{name}" in path:  # a file of the dashboard, or any other name
        path = path.replace("{name}", path_piece(data, ["app.js", "index.html", "style.css"]))
    if "{id}" in path or "{phone_number_id}" in path:
        choices = {"job": job_ids(probe), "csv-download": download_ids(probe),
                   "csv-file": download_ids(probe)}.get(route, WORLD_IDS)  # fmt: skip
        piece = path_piece(data, choices)
        path = path.replace("{id}", piece).replace("{phone_number_id}", piece)
    method = data.draw(st.one_of(st.sampled_from(verbs), methods), label="method")
    plausible = PLAUSIBLE_BY_ROUTE.get(route)
    json_body = (
        plausible.map(lambda b: json.dumps(b).encode()) if plausible is not None else raw_bodies
    )
    content = data.draw(st.one_of(st.none(), json_body, json_body, raw_bodies), label="body")
    params = data.draw(queries, label="query")
    probe.send(method, prefix + path, content=content, headers=headers_for(data), params=params)


# -- (b) any path, any method ---------------------------------------------------------------------
PREFIXES = [
    "", "/", "//", "/v2", "/v2/", "/v3", "/V2", "/_mock", "/_mock/", "/_mock/clock",
    "/v2/phone_numbers", "/phone_numbers", "/v2/phone_numbers/jobs", "/v2/phone_numbers/" + ID_A,
    "/v2/phone_numbers/jobs/update_phone_numbers", "/_mock/faults", "/v2/_mock",
]  # fmt: skip


@pytest.mark.rule("R-NO-500")
@pytest.mark.rule("R-UNKNOWN-ROUTE")
@FUZZ
@given(data=st.data())
def test_any_path_and_method(probe: Probe, data: st.DataObject) -> None:
    tick()
    prefix = data.draw(st.sampled_from(PREFIXES), label="prefix")
    count = data.draw(st.integers(0, 4), label="segments")
    pieces = [path_piece(data, WORLD_IDS + job_ids(probe)) for _ in range(count)]
    trailing = data.draw(st.sampled_from(["", "", "/", "//"]), label="trailing")
    path = "/".join([prefix.rstrip("/"), *pieces]) + trailing or "/"
    method = data.draw(methods, label="method")
    content = data.draw(st.one_of(st.none(), raw_bodies), label="body")
    probe.send(method, path, content=content, headers=headers_for(data))


# -- (c) valid requests, fuzzed headers: the answer follows the headers exactly -------------------
NEW_JOB = {"phone_numbers": [ID_A], "tags": ["h"]}
VALID = {  # name: (method, path, body, status)
    "list-numbers": ("GET", "/v2/phone_numbers", None, 200),
    "update": ("POST", f"/v2{JOBS}/update_phone_numbers", NEW_JOB, 202),
    "patch-number": ("PATCH", f"/v2/phone_numbers/{ID_A}", {"tags": ["h"]}, 200),
    "clock": ("GET", "/_mock/clock", None, 200),
    "clock-advance": ("POST", "/_mock/clock/advance", {"seconds": 0}, 200),
}  # fmt: skip


def is_json(content_type: str | bytes | None) -> bool:
    """The emulator's rule (R-CONTENT-TYPE): none, ``application/json``, ``application/*+json``."""
    if not content_type:  # none (or empty): read as JSON
        return True
    text = content_type.decode("latin-1") if isinstance(content_type, bytes) else content_type
    media = text.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def content_coded(value: str | bytes | None) -> bool:
    """The emulator's rule (R-CONTENT-ENCODING): a coding other than ``identity``."""
    text = value.decode("latin-1") if isinstance(value, bytes) else value or ""
    return any(c.strip().lower() not in ("", "identity") for c in text.split(","))


@pytest.mark.rule("R-NO-500")
@pytest.mark.rule("R-AUTH")
@pytest.mark.parametrize("case", list(VALID))
@FUZZ
@given(data=st.data())
def test_headers_alone_decide_the_answer(uncapped: Probe, case: str, data: st.DataObject) -> None:
    tick()
    probe = uncapped
    method, path, body, ok = VALID[case]
    headers = headers_for(data)
    content = None if body is None else json.dumps(body).encode()
    r = probe.send(method, path, content=content, headers=headers)
    given_ = {name.lower(): value for name, value in reversed(headers)}  # the first one wins
    auth = given_.get("authorization")
    key = probe.app.state.tenants.accepted_key(
        auth.decode("latin-1") if isinstance(auth, bytes) else auth
    )
    declared = given_.get("content-length")
    length = declared.decode("latin-1") if isinstance(declared, bytes) else declared
    if key is None:
        expected = 401
    elif (
        content is not None
        and length
        and length.isascii()
        and length.isdigit()
        and (len(length.lstrip("0")) > 7 or int(length) > 1024 * 1024)
    ):
        expected = 413  # the declared size alone is enough (ASCII digits only)
    elif content is not None and content_coded(given_.get("content-encoding")):
        expected = 415  # R-CONTENT-ENCODING: any coding but identity
    elif content is not None and not is_json(given_.get("content-type")):
        expected = 415
    else:
        expected = ok
    assert r.status_code == expected, (headers, r.text)
