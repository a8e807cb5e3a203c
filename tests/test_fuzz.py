"""R-NO-500: property tests throwing arbitrary bodies, bytes and query strings at the API.

Properties: no status >= 500 (and no exception out of the app); every 4xx is a Telnyx error
envelope (checked by the client's response hook in ``tests/conftest.py``); a rejected request
creates no job and changes no number (R-ATOMIC). Some random inputs are valid (202/200): that is
fine, the properties only constrain rejections.

Each test builds one app (the ``api`` fixture, or one built in the test body) and keeps it across
examples: the state carried over (jobs, changed numbers) is harmless, because every example
measures "before" itself. Hence the suppressed function-scoped-fixture health check. Examples per
test: see ``tests/fuzz_support.py``; every route, header and method: ``test_fuzz_routes.py``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.app import create_app
from mockserver.config import Settings
from tests.conftest import make_client
from tests.fuzz_strategies import bodies, queries
from tests.fuzz_support import fuzz_case_report, fuzz_settings, tick
from tests.helpers import (
    BODY_ENDPOINTS,
    BODY_IDS,
    ID_A,
    JOB_ENDPOINTS,
    JOBS,
    NUMBER,
    NUMBERS,
    UPDATE,
    VOICE,
)

__all__ = ["fuzz_case_report"]  # the session's case counter report (an autouse fixture)

KEEP_APP = fuzz_settings()


# -- helpers --------------------------------------------------------------------------------------
def call(client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    try:
        r = client.request(method, url, **kwargs)
    except AssertionError:
        raise  # the response hook: the response broke its schema
    except Exception as exc:  # the app raised: a 500 with a stack trace
        raise AssertionError(f"{method} {url} raised {exc!r} for {kwargs!r}") from exc
    assert r.status_code < 500, f"{method} {url} -> {r.status_code} for {kwargs!r}: {r.text}"
    return r


def job_total(client: httpx.Client) -> int:
    r = call(client, "GET", JOBS, params={"page[size]": "1"})
    assert r.status_code == 200, r.text
    total: int = r.json()["meta"]["total_results"]
    return total


def number_state(client: httpx.Client) -> tuple[Any, Any]:
    return call(client, "GET", NUMBER).json(), call(client, "GET", VOICE).json()


def send_body(client: httpx.Client, path: str, raw: bytes, content_type: str | None) -> None:
    """Send ``raw`` to ``path`` and check the properties of the answer."""
    is_job = path in JOB_ENDPOINTS
    jobs_before = job_total(client)
    number_before = None if is_job else number_state(client)
    headers = {} if content_type is None else {"Content-Type": content_type}
    r = call(client, "POST" if is_job else "PATCH", path, content=raw, headers=headers)
    if r.status_code >= 400:
        assert r.json()["errors"], r.text
        assert job_total(client) == jobs_before, f"a rejected request created a job: {raw!r}"
        if not is_job:
            assert number_state(client) == number_before, f"a rejected PATCH changed: {raw!r}"
    else:
        assert r.status_code == (202 if is_job else 200), r.text
        assert job_total(client) == jobs_before + (1 if is_job else 0)


# -- (a) arbitrary JSON values and field-shaped bodies -------------------------------------------
@pytest.mark.rule("R-NO-500")
@pytest.mark.rule("R-ATOMIC")
@pytest.mark.parametrize("path", BODY_ENDPOINTS, ids=BODY_IDS)
@KEEP_APP
@given(data=st.data())
def test_arbitrary_json_bodies(api: httpx.Client, path: str, data: st.DataObject) -> None:
    tick()
    body = data.draw(bodies(path), label="body")
    send_body(api, path, json.dumps(body).encode("utf-8"), "application/json")


# -- (b) arbitrary bytes -------------------------------------------------------------------------
@pytest.mark.rule("R-NO-500")
@pytest.mark.rule("R-ATOMIC")
@pytest.mark.parametrize("path", BODY_ENDPOINTS, ids=BODY_IDS)
@KEEP_APP
@given(
    data=st.data(),
    content_type=st.sampled_from([None, "application/json", "text/plain", "application/x+json"]),
)
def test_arbitrary_bytes(
    api: httpx.Client, path: str, data: st.DataObject, content_type: str | None
) -> None:
    tick()
    truncated_json = (
        bodies(path)
        .map(lambda b: json.dumps(b).encode("utf-8"))
        .flatmap(lambda raw: st.integers(0, max(len(raw) - 1, 0)).map(lambda cut: raw[:cut]))
    )
    mangled_json = st.tuples(
        bodies(path).map(lambda b: json.dumps(b).encode("utf-8")), st.binary(min_size=1, max_size=3)
    ).map(lambda pair: pair[0][:-1] + pair[1] + pair[0][-1:])
    raw = data.draw(st.one_of(st.binary(max_size=300), truncated_json, mangled_json), label="raw")
    send_body(api, path, raw, content_type)


# -- (c) arbitrary query strings -----------------------------------------------------------------
FILTER_BODIES = [
    {"tags": ["fuzz"]},
    {"phone_numbers": [], "tags": ["fuzz"]},
    {"phone_numbers": [ID_A, "2637816387126861839"], "tags": ["fuzz"]},
    {"phone_numbers": []},
]


@pytest.mark.rule("R-NO-500")
@pytest.mark.rule("R-ATOMIC")
def test_arbitrary_update_filters() -> None:
    # one app for every example: max_numbers is lowered so that broad random filters create small
    # jobs (fast to render), the job cap raised so that valid filters keep creating jobs
    app = create_app(Settings(manual_clock=True, max_numbers=10, max_open_jobs=100_000))
    with make_client(app) as client:

        @KEEP_APP
        @given(query=queries, body=st.sampled_from(FILTER_BODIES))
        def check(query: list[tuple[str, str]], body: dict[str, Any]) -> None:
            tick()
            before = job_total(client)
            r = call(client, "POST", UPDATE, params=query, json=body)
            if r.status_code >= 400:
                assert r.json()["errors"], r.text
                assert job_total(client) == before, f"a rejected request created a job: {query!r}"
            else:
                assert r.status_code == 202, r.text
                assert job_total(client) == before + 1
                assert len(r.json()["data"]["phone_numbers"]) <= 10

        check()


@pytest.mark.rule("R-NO-500")
@pytest.mark.parametrize("path", [NUMBERS, JOBS], ids=["numbers", "jobs"])
@KEEP_APP
@given(query=queries)
def test_arbitrary_list_queries(api: httpx.Client, path: str, query: list[tuple[str, str]]) -> None:
    tick()
    before = job_total(api)
    r = call(api, "GET", path, params=query)
    if r.status_code >= 400:
        assert r.json()["errors"], r.text
    else:
        assert r.status_code == 200, r.text
    assert job_total(api) == before


# -- (d) arbitrary path ids ----------------------------------------------------------------------
@pytest.mark.rule("R-NO-500")
@KEEP_APP
@given(
    ident=st.one_of(st.sampled_from([ID_A, "jobs", "0", "-1", "1" * 30]), st.text(min_size=1)),
    method=st.sampled_from(["GET", "PATCH", "DELETE"]),
    voice_suffix=st.booleans(),
)
def test_arbitrary_number_ids(
    api: httpx.Client, ident: str, method: str, voice_suffix: bool
) -> None:
    tick()
    path = f"{NUMBERS}/{quote(ident, safe='')}" + ("/voice" if voice_suffix else "")
    kwargs: dict[str, Any] = {"json": {"tags": ["fuzz"]}} if method == "PATCH" else {}
    r = call(api, method, path, **kwargs)
    if r.status_code >= 400:
        assert r.json()["errors"], r.text
