"""mockserver.journal and the middleware that fills it: every data-plane request, per tenant."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mockserver.app import create_app
from mockserver.cli import JsonLines
from mockserver.clock import ManualClock
from mockserver.config import Settings
from mockserver.journal import Journal, decode_body, describe, fingerprint, path_matcher
from mockserver.plugin import MockHandle
from tests.conftest import API_KEY, advance, make_client

JOB_PATH = "/v2/phone_numbers/jobs/update_phone_numbers"
BODY = {"phone_numbers": ["+13127367254"], "tags": ["journal"]}


def journal(client: httpx.Client, **params: str) -> dict[str, Any]:
    r = client.get("/_mock/journal", params=params)
    assert r.status_code == 200, r.text
    payload: dict[str, Any] = r.json()
    return payload


def test_a_request_and_its_response_are_journaled(api: httpx.Client) -> None:
    created = api.post(JOB_PATH, json=BODY)
    assert created.status_code == 202
    api.get("/v2/phone_numbers", params={"page[size]": 1})
    entry, listed = journal(api)["data"]
    assert (entry["seq"], listed["seq"]) == (1, 2)
    assert entry["method"] == "POST"
    assert entry["path"] == JOB_PATH
    assert entry["query"] == ""
    assert listed["query"] == "page%5Bsize%5D=1"
    assert entry["request"] == BODY
    assert entry["request_bytes"] == len(created.request.content)
    assert entry["status"] == 202
    assert entry["response"] == created.json()
    assert entry["at"] == "2026-01-01T00:00:00.000Z"
    assert entry["key"] == fingerprint(API_KEY)
    assert entry["fault"] is None
    assert entry["headers"]["content-type"] == "application/json"


def test_the_api_key_is_never_stored(api: httpx.Client) -> None:
    api.get("/v2/phone_numbers/jobs")
    payload = journal(api)
    assert "authorization" not in payload["data"][0]["headers"]
    assert API_KEY not in json.dumps(payload)


def test_entries_carry_the_tenant_clock(api: httpx.Client) -> None:
    advance(api, 90)
    api.get("/v2/phone_numbers/jobs")
    assert journal(api)["data"][0]["at"] == "2026-01-01T00:01:30.000Z"


def test_controls_are_not_journaled(api: httpx.Client) -> None:
    advance(api, 1)
    api.post("/_mock/jobs/run")
    assert journal(api) == {"data": [], "meta": {"total": 0, "dropped": 0}}


def test_each_tenant_has_its_own_journal(api: httpx.Client, other_api: httpx.Client) -> None:
    api.get("/v2/phone_numbers/jobs")
    other_api.get("/v2/phone_numbers")
    assert [e["path"] for e in journal(api)["data"]] == ["/v2/phone_numbers/jobs"]
    assert [e["path"] for e in journal(other_api)["data"]] == ["/v2/phone_numbers"]


def test_requests_without_a_valid_key_go_to_the_anonymous_journal(app: Starlette) -> None:
    with make_client(app, api_key=None) as anonymous, make_client(app) as api:
        assert anonymous.get("/v2/phone_numbers").status_code == 401
        bad = anonymous.get("/v2/phone_numbers", headers={"Authorization": "Basic x"})
        assert bad.status_code == 401
        [first, second] = journal(anonymous)["data"]
        assert (first["status"], first["key"]) == (401, None)
        assert second["key"] is None
        assert journal(api)["data"] == []


def test_a_key_outside_the_allowlist_is_anonymous() -> None:
    app = create_app(Settings(manual_clock=True, api_keys=frozenset({"good"})), clock=ManualClock())
    with make_client(app, "good") as good, make_client(app, "intruder") as intruder:
        assert intruder.get("/v2/phone_numbers").status_code == 401
        assert intruder.get("/_mock/journal").status_code == 401  # not a tenant: no journal
        with make_client(app, api_key=None) as anonymous:
            [entry] = journal(anonymous)["data"]
        assert entry["key"] == fingerprint("intruder")
        assert journal(good)["data"] == []


def test_the_journal_is_bounded() -> None:
    app = create_app(Settings(manual_clock=True, journal_size=3), clock=ManualClock())
    with make_client(app) as api:
        for size in range(1, 6):
            api.get("/v2/phone_numbers", params={"page[size]": size})
        payload = journal(api)
    assert [e["seq"] for e in payload["data"]] == [3, 4, 5]
    assert payload["meta"] == {"total": 5, "dropped": 2}


def test_filters_by_method_and_path(api: httpx.Client) -> None:
    job = api.post(JOB_PATH, json=BODY).json()["data"]
    api.get(f"/v2/phone_numbers/jobs/{job['id']}")
    api.get("/phone_numbers/jobs")  # the same routes answer without /v2
    assert len(journal(api, method="get")["data"]) == 2
    by_id = journal(api, method="GET", path="/phone_numbers/jobs/{id}")["data"]
    assert [e["path"] for e in by_id] == [f"/v2/phone_numbers/jobs/{job['id']}"]
    listed = journal(api, method="GET", path="/v2/phone_numbers/jobs")["data"]
    assert [e["path"] for e in listed] == ["/phone_numbers/jobs"]
    assert journal(api, path="/phone_numbers")["data"] == []  # whole paths, not prefixes


def test_delete_clears_the_journal(api: httpx.Client, other_api: httpx.Client) -> None:
    api.get("/v2/phone_numbers")
    other_api.get("/v2/phone_numbers")
    r = api.delete("/_mock/journal")
    assert r.json() == {"data": {"cleared": 1}}
    assert journal(api) == {"data": [], "meta": {"total": 0, "dropped": 0}}
    assert len(journal(other_api)["data"]) == 1


def test_a_body_that_is_not_json_is_kept_as_text(api: httpx.Client) -> None:
    r = api.post(JOB_PATH, content=b"tags=x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    [entry] = journal(api)["data"]
    assert entry["request"] == "tags=x"
    assert entry["response"]["errors"][0]["title"] == "Unsupported media type"


def test_large_bodies_are_truncated_but_their_size_is_kept() -> None:
    app = create_app(Settings(manual_clock=True, journal_body_bytes=64), clock=ManualClock())
    with make_client(app) as api:
        r = api.post(JOB_PATH, json={"phone_numbers": ["+13127367254"] * 20, "tags": ["t"]})
        [entry] = journal(api)["data"]
    assert entry["request_bytes"] == len(r.request.content) > 64
    assert isinstance(entry["request"], str)
    assert len(entry["request"]) == 64
    assert entry["response_bytes"] == len(r.content)


def test_journal_unit_behaviour() -> None:
    log = Journal(2)
    for i in range(3):
        log.record(
            at_ms=i, key=None, method="GET", path=f"/v2/x/{i}", query="",
            headers=[("authorization", "Bearer s"), ("accept", "*/*")],
            request=b"", request_size=0, status=200, response=b"{}", response_size=2, fault=None,
        )  # fmt: skip
    assert (len(log), log.total, log.dropped) == (2, 3, 1)
    assert log.entries()[0].headers == (("accept", "*/*"),)
    assert [e.seq for e in log.entries(path="/x/{n}")] == [2, 3]
    assert log.clear() == 2
    assert (len(log), log.total, log.dropped) == (0, 0, 0)


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/phone_numbers", "/phone_numbers", True),
        ("/v2/phone_numbers", "/phone_numbers", True),
        ("/phone_numbers/{id}/voice", "/phone_numbers/123/voice", True),
        ("/phone_numbers/{id}", "/phone_numbers/1/voice", False),
        ("/phone_numbers.json", "/phone_numbersXjson", False),  # no regex leaks through
    ],
)
def test_path_matcher(pattern: str, path: str, matches: bool) -> None:
    assert path_matcher(pattern).matches(path) is matches


def test_decode_body() -> None:
    assert decode_body(b"", 0) is None
    assert decode_body(b'{"a": 1}', 8) == {"a": 1}
    assert decode_body(b'{"a": 1', 7) == '{"a": 1'
    assert decode_body(b'{"a"', 8) == '{"a"'  # truncated: never parsed
    assert decode_body(b"\xff", 1) == "\ufffd"


def test_describe() -> None:
    entry: dict[str, Any] = {
        "method": "GET", "path": "/v2/x", "query": "a=1", "status": None, "request": None
    }  # fmt: skip
    assert describe(entry) == "GET /v2/x?a=1 -> dropped"
    entry.update(method="POST", query="", status=202, request={"tags": []})
    assert describe(entry) == 'POST /v2/x -> 202 json={"tags": []}'


# --- the fixture handle --------------------------------------------------------------------------


def test_assert_called_returns_the_matching_entry(telnyx_mock: MockHandle) -> None:
    telnyx_mock.client.post("/phone_numbers/jobs/update_phone_numbers", json=BODY)
    entry = telnyx_mock.assert_called("POST", "/phone_numbers/jobs/update_phone_numbers", BODY)
    assert entry["status"] == 202
    telnyx_mock.assert_called("post", "/v2/phone_numbers/jobs/update_phone_numbers", times=1)
    telnyx_mock.assert_not_called("GET", "/phone_numbers/jobs")


def test_assert_called_explains_what_it_saw(telnyx_mock: MockHandle) -> None:
    telnyx_mock.client.post("/phone_numbers/jobs/update_phone_numbers", json=BODY)
    telnyx_mock.client.get("/phone_numbers", params={"page[size]": 1})
    with pytest.raises(AssertionError) as caught:
        telnyx_mock.assert_called("POST", "/phone_numbers/jobs/update_phone_numbers", {"tags": []})
    message = str(caught.value)
    assert message.startswith(
        'expected: POST /phone_numbers/jobs/update_phone_numbers with json={"tags": []} at least'
    )
    assert "received 2 call(s):" in message
    assert '  1. POST /v2/phone_numbers/jobs/update_phone_numbers -> 202 json={"phone_numbers"' in (
        message
    )
    assert "  2. GET /v2/phone_numbers?page%5Bsize%5D=1 -> 200" in message
    with pytest.raises(AssertionError, match=r"2 time\(s\), found 1"):
        telnyx_mock.assert_called("POST", "/phone_numbers/jobs/update_phone_numbers", times=2)
    with pytest.raises(AssertionError, match="expected no GET /phone_numbers, received:"):
        telnyx_mock.assert_not_called("GET", "/phone_numbers")


def test_assert_called_on_an_empty_journal(telnyx_mock: MockHandle) -> None:
    with pytest.raises(AssertionError, match=r"received 0 call\(s\):\n  \(no calls\)"):
        telnyx_mock.assert_called("GET", "/phone_numbers")


def test_handle_journal_and_clear(telnyx_mock: MockHandle) -> None:
    telnyx_mock.client.get("/phone_numbers/jobs")
    assert [e["path"] for e in telnyx_mock.journal("GET")] == ["/v2/phone_numbers/jobs"]
    telnyx_mock.clear_journal()
    assert telnyx_mock.journal() == []


# --- the access log ------------------------------------------------------------------------------


def test_one_access_log_line_per_request(
    api: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mockserver.access")
    api.post(JOB_PATH, json=BODY)
    api.post("/_mock/clock/advance", json={"seconds": 1})
    first, second = (r for r in caplog.records if r.name == "mockserver.access")
    key = fingerprint(API_KEY)
    assert first.getMessage().startswith(f"POST {JOB_PATH} 202 ")
    assert first.getMessage().endswith(f"ms key={key}")
    assert second.getMessage().startswith("POST /_mock/clock/advance 200 ")
    line = json.loads(JsonLines().format(first))
    assert line["event"] == "request"
    assert {k: line[k] for k in ("method", "path", "status", "key", "fault")} == {
        "method": "POST", "path": JOB_PATH, "status": 202, "key": key, "fault": None,
    }  # fmt: skip
    assert API_KEY not in caplog.text


def test_the_internal_mark_needs_the_controls() -> None:
    app = create_app(Settings(manual_clock=True, control=False), clock=ManualClock())
    with make_client(app) as api:
        api.get("/v2/phone_numbers/jobs", headers={"x-telnyx-mock-internal": "1"})
    assert len(app.state.journals.of(API_KEY)) == 1


# --- C-JOURNAL-ANONYMOUS: anyone may read the anonymous journal, so it holds no secret ----------
PIN_BODIES = [
    b'{"phone_numbers": ["+13127367254"], "external_pin": "8642"}',
    b'{"external\\u005fpin": "8642", "tags": ["x"]}',  # the key spelled with an escape
    b'{"voice": {"external_pin": "8642"}, "list": [{"external_pin": "8642"}]}',
    b'{"external_pin": "8642", "external_pin": null}',  # a duplicate cannot hide it
    b'{"external_pin": "8642", "tags": ["cut short',  # not JSON: read by its tokens
    b'{"external\\u005fpin"  :  "8642" ,, broken',
]


def record(journal: Journal, raw: bytes, size: int | None = None) -> None:
    journal.record(
        at_ms=0, key=None, method="POST", path=JOB_PATH, query="", headers=[],
        request=raw, request_size=len(raw) if size is None else size, status=401,
        response=raw, response_size=len(raw) if size is None else size, fault=None,
    )  # fmt: skip


@pytest.mark.rule("C-JOURNAL-ANONYMOUS")
@pytest.mark.parametrize("raw", PIN_BODIES)
def test_the_anonymous_journal_redacts_every_pin(app: Starlette, raw: bytes) -> None:
    # today's handlers authenticate before they read a body, so a 401 journals none: the
    # anonymous journal is filled directly here, as any later code path reading a body would
    journals = app.state.journals
    record(journals.of(None), raw)
    record(journals.of(API_KEY), raw)
    with make_client(app, api_key=None) as anonymous, make_client(app) as api:
        r = anonymous.get("/_mock/journal")  # no key needed
        assert r.status_code == 200
        assert b"8642" not in r.content
        [entry] = r.json()["data"]
        assert "REDACTED" in json.dumps([entry["request"], entry["response"]])
        assert len(journal(api)["data"]) == 1
    [own] = journals.of(API_KEY).entries()
    assert own.request == raw  # a tenant's own journal keeps what it sent


@pytest.mark.rule("C-JOURNAL-ANONYMOUS")
def test_an_anonymous_body_keeps_its_shape_and_size(app: Starlette) -> None:
    body = {"phone_numbers": ["+13127367254"], "external_pin": "8642", "tags": ["a"]}
    record(app.state.journals.of(None), json.dumps(body).encode())
    with make_client(app, api_key=None) as anonymous:
        [entry] = journal(anonymous)["data"]
    assert entry["request"] == {**body, "external_pin": "REDACTED"}
    assert entry["request_bytes"] == len(json.dumps(entry["request"], separators=(",", ":")))


@pytest.mark.rule("C-JOURNAL-ANONYMOUS")
def test_a_body_cut_short_by_the_journal_limit_is_redacted_as_far_as_it_goes() -> None:
    anonymous = Journal(10, redact=True)
    raw = b'{"external_pin": "8642", "tags": ["' + b"x" * 10
    record(anonymous, raw, size=200)
    [entry] = anonymous.entries()
    assert entry.request_json() == '{"external_pin": "REDACTED", "tags": ["xxxxxxxxxx'
    assert entry.request_size == 200  # what was sent, not what is kept


@pytest.mark.rule("C-JOURNAL-ANONYMOUS")
def test_a_401_journals_no_body_at_all(app: Starlette) -> None:
    body = {"phone_numbers": ["+13127367254"], "external_pin": "8642"}
    with make_client(app, api_key=None) as anonymous:
        assert anonymous.post(JOB_PATH, json=body).status_code == 401
        [entry] = journal(anonymous)["data"]
    assert (entry["request"], entry["status"]) == (None, 401)


@pytest.mark.rule("C-JOURNAL-ANONYMOUS")
def test_a_tenants_own_journal_keeps_its_bodies(api: httpx.Client) -> None:
    body = {"phone_numbers": ["+13127367254"], "external_pin": "8642"}
    api.post(JOB_PATH, json=body)
    [entry] = journal(api)["data"]
    assert entry["request"] == body  # its own data: read only with its own key


@pytest.mark.rule("C-JOURNAL-ANONYMOUS")
@pytest.mark.parametrize(
    "name", ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"]
)
def test_no_journal_stores_a_secret_header(app: Starlette, name: str) -> None:
    with make_client(app) as api, make_client(app, api_key=None) as anonymous:
        api.get("/v2/phone_numbers", headers={name: "Bearer hush-hush-0001"})
        anonymous.get("/v2/phone_numbers", headers={"X-Api-Key": "hush-hush-0002"})
        seen = json.dumps([journal(api), journal(anonymous)])
    assert "hush-hush" not in seen
