"""Bad input at the HTTP level: bodies, content types, sizes, depth, routes, methods, queries.

None of it may produce a 5xx; every rejection is a Telnyx error envelope (checked by the client's
response hook) and creates no job.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockserver.config import Settings
from tests.helpers import (
    BODY_ENDPOINTS,
    BODY_IDS,
    DELETE,
    EMERGENCY,
    ID_A,
    JOB_ENDPOINTS,
    NUMBER,
    UPDATE,
    VOICE,
    assert_error,
)

LIMIT = 1024 * 1024
JSON_HEADERS = {"Content-Type": "application/json"}

D_INVALID_JSON = "The request body is not valid JSON."
D_TOO_DEEP = "The request body is nested too deeply."


def valid_body(path: str) -> dict[str, Any]:
    bodies: dict[str, dict[str, Any]] = {
        UPDATE: {"phone_numbers": [ID_A], "tags": ["bad-input"]},
        EMERGENCY: {"phone_numbers": [ID_A], "emergency_enabled": False},
        DELETE: {"phone_numbers": [ID_A]},
        NUMBER: {"tags": ["bad-input"]},
        VOICE: {"tech_prefix_enabled": True},
    }
    return bodies[path]


def send(client: httpx.Client, path: str, **kwargs: Any) -> httpx.Response:
    method = "POST" if path in JOB_ENDPOINTS else "PATCH"
    return client.request(method, path, **kwargs)


def ok_status(path: str) -> int:
    return 202 if path in JOB_ENDPOINTS else 200


def job_total(client: httpx.Client) -> int:
    r = client.get("/v2/phone_numbers/jobs", params={"page[size]": "1"})
    assert r.status_code == 200, r.text
    total: int = r.json()["meta"]["total_results"]
    return total


def number_now(client: httpx.Client) -> tuple[Any, Any]:
    return client.get(NUMBER).json()["data"], client.get(VOICE).json()["data"]


def nest(levels: int, leaf: Any = None) -> Any:
    """``levels`` nested arrays around ``leaf`` (``nest(1) == [None]``)."""
    value: Any = leaf
    for _ in range(levels):
        value = [value]
    return value


def padded(body: dict[str, Any], size: int) -> bytes:
    """``body`` as JSON padded with whitespace to exactly ``size`` bytes."""
    raw = json.dumps(body).encode()
    assert len(raw) < size
    return raw[:-1] + b" " * (size - len(raw)) + raw[-1:]


# ================================================================================================
# R-BAD-JSON
# ================================================================================================
BAD_JSON = {
    "truncated": b'{"phone_numbers": ["' + ID_A.encode() + b'"',
    "empty": b"",
    "whitespace": b"   \n",
    "trailing-comma": b'{"phone_numbers": [], }',
    "single-quotes": b"{'phone_numbers': []}",
    "two-documents": b'{"a": 1} {"b": 2}',
    "comment": b'{"a": 1 /* no */}',
    "bare-word": b"phone_numbers",
    "invalid-utf8": b'{"tags": ["\xff\xfe"]}',
    "latin1": '{"tags": ["caf\u00e9"]}'.encode("latin-1"),
    "nan": b'{"phone_numbers": ["' + ID_A.encode() + b'"], "tags": ["x"], "x": NaN}',
    "infinity": b'{"phone_numbers": ["' + ID_A.encode() + b'"], "tags": ["x"], "x": -Infinity}',
    "utf16": json.dumps({"phone_numbers": [ID_A], "tags": ["x"]}).encode("utf-16"),
}


@pytest.mark.rule("R-BAD-JSON")
@pytest.mark.parametrize("path", BODY_ENDPOINTS, ids=BODY_IDS)
@pytest.mark.parametrize("raw", list(BAD_JSON.values()), ids=list(BAD_JSON))
def test_body_that_is_not_json_is_400(api: httpx.Client, path: str, raw: bytes) -> None:
    before = number_now(api)
    r = send(api, path, content=raw, headers=JSON_HEADERS)
    assert_error(r, 400, "10023", "Invalid JSON", D_INVALID_JSON)
    assert job_total(api) == 0
    assert number_now(api) == before


# ================================================================================================
# R-NOT-OBJECT
# ================================================================================================
@pytest.mark.rule("R-NOT-OBJECT")
@pytest.mark.parametrize("path", BODY_ENDPOINTS, ids=BODY_IDS)
@pytest.mark.parametrize(
    "raw",
    [b"[]", b'["' + ID_A.encode() + b'"]', b'"phone_numbers"', b"1", b"-2.5", b"null", b"true",
     b"false"],
    ids=["array", "array-of-ids", "string", "int", "float", "null", "true", "false"],
)  # fmt: skip
def test_json_that_is_not_an_object_is_422(api: httpx.Client, path: str, raw: bytes) -> None:
    r = send(api, path, content=raw, headers=JSON_HEADERS)
    assert_error(
        r, 422, "10015", "Bad Request", "The request body must be a JSON object.", pointer="/base"
    )
    assert job_total(api) == 0


# ================================================================================================
# R-CONTENT-TYPE
# ================================================================================================
@pytest.mark.rule("R-CONTENT-TYPE")
@pytest.mark.parametrize("path", BODY_ENDPOINTS, ids=BODY_IDS)
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
     "application/xml", "text/json", "application/jsonl"],
)  # fmt: skip
def test_non_json_content_type_is_415(api: httpx.Client, path: str, content_type: str) -> None:
    before = number_now(api)
    raw = json.dumps(valid_body(path)).encode()
    r = send(api, path, content=raw, headers={"Content-Type": content_type})
    assert_error(
        r,
        415,
        "10015",
        "Unsupported media type",
        "The request body must be sent with 'Content-Type: application/json'.",
    )
    assert job_total(api) == 0
    assert number_now(api) == before


@pytest.mark.rule("R-CONTENT-TYPE")
@pytest.mark.parametrize("path", BODY_ENDPOINTS, ids=BODY_IDS)
@pytest.mark.parametrize(
    "content_type",
    [None, "application/json", "application/json; charset=utf-8", "Application/JSON",
     "application/json;charset=UTF-8", "application/vnd.api+json"],
    ids=["none", "json", "charset", "upper", "charset-no-space", "plus-json"],
)  # fmt: skip
def test_json_or_missing_content_type_is_read_as_json(
    api: httpx.Client, path: str, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    r = send(api, path, content=json.dumps(valid_body(path)).encode(), headers=headers)
    if content_type is None:
        assert "content-type" not in r.request.headers
    assert r.status_code == ok_status(path), r.text


# ================================================================================================
# R-BODY-SIZE
# ================================================================================================
@pytest.mark.rule("R-BODY-SIZE")
@pytest.mark.parametrize("path", BODY_ENDPOINTS, ids=BODY_IDS)
def test_body_over_one_mib_is_413(api: httpx.Client, path: str) -> None:
    before = number_now(api)
    raw = padded(valid_body(path), LIMIT + 1)
    detail = "The request body exceeds the maximum allowed size of 1048576 bytes."
    r = send(api, path, content=raw, headers=JSON_HEADERS)
    assert r.request.headers["content-length"] == str(LIMIT + 1)
    assert_error(r, 413, "10015", "Request entity too large", detail)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(raw), 64 * 1024):
            yield raw[start : start + 64 * 1024]

    r = send(api, path, content=chunks(), headers=JSON_HEADERS)
    assert "content-length" not in r.request.headers
    assert_error(r, 413, "10015", "Request entity too large", detail)

    # a small body that declares more than the limit is refused from the header alone
    r = send(api, path, content=b"{}", headers={**JSON_HEADERS, "Content-Length": str(LIMIT + 1)})
    assert_error(r, 413, "10015", "Request entity too large", detail)
    assert job_total(api) == 0
    assert number_now(api) == before


@pytest.mark.rule("R-BODY-SIZE")
@pytest.mark.parametrize("path", JOB_ENDPOINTS, ids=BODY_IDS[:3])
def test_body_of_exactly_one_mib_is_accepted(api: httpx.Client, path: str) -> None:
    raw = padded(valid_body(path), LIMIT)
    assert len(raw) == LIMIT
    assert send(api, path, content=raw, headers=JSON_HEADERS).status_code == 202

    def chunks() -> Iterator[bytes]:
        yield raw[: LIMIT // 2]
        yield raw[LIMIT // 2 :]

    assert send(api, path, content=chunks(), headers=JSON_HEADERS).status_code == 202


@pytest.mark.rule("R-BODY-SIZE")
@pytest.mark.parametrize("settings_", [Settings(manual_clock=True, max_body_bytes=100)],
                         ids=["max100"])  # fmt: skip
def test_body_limit_follows_the_setting(api: httpx.Client) -> None:
    body = valid_body(UPDATE)
    assert api.post(UPDATE, content=padded(body, 100), headers=JSON_HEADERS).status_code == 202
    r = api.post(UPDATE, content=padded(body, 101), headers=JSON_HEADERS)
    detail = "The request body exceeds the maximum allowed size of 100 bytes."
    assert_error(r, 413, "10015", "Request entity too large", detail)
    assert job_total(api) == 1


# ================================================================================================
# R-DEPTH
# ================================================================================================
@pytest.mark.rule("R-DEPTH")
@pytest.mark.parametrize("path", BODY_ENDPOINTS, ids=BODY_IDS)
def test_json_deeper_than_32_levels_is_400(api: httpx.Client, path: str) -> None:
    cases = [
        nest(33),
        {**valid_body(path), "extra": nest(32)},
        {**valid_body(path), "extra": {"a": nest(31, {})}},
    ]
    for body in cases:
        r = send(api, path, content=json.dumps(body).encode(), headers=JSON_HEADERS)
        assert_error(r, 400, "10023", "Invalid JSON", D_TOO_DEEP)
    assert job_total(api) == 0


@pytest.mark.rule("R-DEPTH")
@pytest.mark.parametrize("path", BODY_ENDPOINTS, ids=BODY_IDS)
def test_nesting_within_the_limit_is_not_a_depth_error(api: httpx.Client, path: str) -> None:
    for levels in (30, 31):  # 1 (the body) + levels <= 32
        body = {**valid_body(path), "extra": nest(levels)}
        r = send(api, path, content=json.dumps(body).encode(), headers=JSON_HEADERS)
        assert r.status_code == ok_status(path), r.text


@pytest.mark.rule("R-DEPTH")
def test_deep_nesting_inside_a_known_field_is_a_shape_error(api: httpx.Client) -> None:
    body = {"phone_numbers": [ID_A], "tags": nest(30, "x")}
    r = api.post(UPDATE, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["source"]["pointer"] == "/tags/0"


@pytest.mark.rule("R-DEPTH")
@pytest.mark.rule("R-NO-500")
@pytest.mark.parametrize(
    "raw",
    [b"[" * 100_000 + b"]" * 100_000, b"[" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000],
    ids=["arrays", "unclosed", "objects"],
)
def test_pathologically_deep_json_is_400(api: httpx.Client, raw: bytes) -> None:
    r = api.post(UPDATE, content=raw, headers=JSON_HEADERS)
    assert r.status_code == 400, r.text
    assert r.json()["errors"][0]["code"] == "10023"
    assert job_total(api) == 0


@pytest.mark.rule("R-DEPTH")
@pytest.mark.parametrize("settings_", [Settings(manual_clock=True, max_json_depth=3)],
                         ids=["depth3"])  # fmt: skip
def test_depth_limit_follows_the_setting(api: httpx.Client) -> None:
    ok = {"phone_numbers": [ID_A], "tags": ["x"], "voice": {"call_forwarding": {}}}
    assert api.post(UPDATE, json=ok).status_code == 202
    deep = {"phone_numbers": [ID_A], "tags": ["x"], "voice": {"call_forwarding": {"x": {}}}}
    assert_error(api.post(UPDATE, json=deep), 400, "10023", "Invalid JSON", D_TOO_DEEP)


# ================================================================================================
# R-UNKNOWN-ROUTE, R-METHOD
# ================================================================================================
@pytest.mark.rule("R-UNKNOWN-ROUTE")
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v2/nothing-here"),
        ("GET", "/v2/phone_number"),
        ("GET", "/v3/phone_numbers"),
        ("GET", "/"),
        ("GET", f"/v2/phone_numbers/{ID_A}/voice/extra"),
        ("GET", "/v2/phone_numbers/jobs/a/b"),
        ("POST", "/v2/phone_numbers/jobs/update_phone_numbers/now"),
        ("POST", "/v2/jobs/update_phone_numbers"),
        ("PATCH", "/nothing"),
        ("GET", "/v2/phone_numbers/"),
        ("POST", "/v2/phone_numbers/jobs/update_phone_numbers/"),
    ],
)
def test_unknown_path_is_404(api: httpx.Client, method: str, path: str) -> None:
    kwargs: dict[str, Any] = {"json": valid_body(UPDATE)} if method != "GET" else {}
    r = api.request(method, path, **kwargs)
    assert_error(
        r, 404, "10005", "Resource not found", "The requested resource or URL could not be found."
    )
    assert job_total(api) == 0


METHOD_CASES = [
    ("DELETE", UPDATE, {"POST"}),
    ("PUT", EMERGENCY, {"POST"}),
    ("PATCH", DELETE, {"POST"}),
    ("PUT", NUMBER, {"GET", "PATCH", "DELETE"}),
    ("POST", NUMBER, {"GET", "PATCH", "DELETE"}),
    ("DELETE", "/v2/phone_numbers/jobs", {"GET"}),
    ("PATCH", "/v2/phone_numbers/jobs", {"GET"}),
    ("POST", "/v2/phone_numbers", {"GET"}),
    ("DELETE", "/v2/phone_numbers/jobs/7e864d72-26e0-4487-968c-ca088453c47b", {"GET"}),
    ("POST", VOICE, {"GET", "PATCH"}),
    ("DELETE", "/phone_numbers/jobs/update_phone_numbers", {"POST"}),
]


@pytest.mark.rule("R-METHOD")
@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    METHOD_CASES,
    ids=[f"{m}-{p.removeprefix('/v2')}" for m, p, _ in METHOD_CASES],
)
def test_wrong_method_is_405_with_allow(
    api: httpx.Client, method: str, path: str, allowed: set[str]
) -> None:
    before = number_now(api)
    r = api.request(method, path, json=valid_body(UPDATE))
    assert_error(
        r,
        405,
        "10015",
        "Method not allowed",
        f"The {method} method is not allowed on this resource.",
    )
    allow = {m.strip() for m in r.headers["allow"].split(",")}
    assert allow - {"HEAD"} == allowed
    assert method not in allow
    assert job_total(api) == 0
    assert number_now(api) == before


# ================================================================================================
# Odd query strings, odd bytes: 4xx envelopes, never 5xx (R-NO-500)
# ================================================================================================
QUERY_TARGETS = [("POST", UPDATE), ("GET", "/v2/phone_numbers"), ("GET", "/v2/phone_numbers/jobs")]


@pytest.mark.rule("R-NO-500")
@pytest.mark.rule("R-FILTER-UNKNOWN")
@pytest.mark.parametrize(("method", "path"), QUERY_TARGETS, ids=["update", "numbers", "jobs"])
@pytest.mark.parametrize(
    ("query", "parameter", "detail"),
    [
        ("filter[=x", "filter[", "is not a valid query parameter name"),
        ("filter[a][b][c]=1", "filter[a]", "is not a supported filter"),
        ("filter=plain", "filter", "must be an object (filter[key]=value)"),
        ("filter[]=x", "filter", "must be an object (filter[key]=value)"),
    ],
    ids=["open-bracket", "deep-unknown", "plain", "list"],
)
def test_malformed_filter_queries_are_422(
    api: httpx.Client, method: str, path: str, query: str, parameter: str, detail: str
) -> None:
    kwargs: dict[str, Any] = {"json": {"tags": ["x"]}} if method == "POST" else {}
    r = api.request(method, f"{path}?{query}", **kwargs)
    assert_error(r, 422, "10015", "Bad Request", detail, parameter=parameter)
    assert job_total(api) == 0


ODD_QUERIES = [
    "=1", "[x]=1", "filter]=1", "filter[a]]=1", "filter[[a]]=1", "filter[tag]=a&filter[tag][x]=b",
    "filter[tag][]=a&filter[tag]=b", "filter[tag][x]=b&filter[tag]=a", "filter[status][]=bogus",
    "filter[status][]=active&filter[status]=active", "page=1", "page[number]=0",
    "page[number]=-1", "page[size]=251", "page[size]=0", "page[size]=%C2%B2",
    "page[number]=%D9%A1", "page[size]=1e2", "page[x]=1", "page[size][x]=1", "sort=bogus",
    "sort[]=x", "filter[phone_number]=%00%00%00", "filter[tag]=%ED%A0%80",
    "filter[voice.connection_name][contains]=%F0%9F%98%80%F0%9F%98%80",
    "filter%5Btag%5D=sales&filter[tag]=sales", "filter[tag]=" + "a" * 5000,
    "filter" + "[a]" * 200 + "=1", "%ZZ=1&filter[%ZZ]=1", "filter[customer_reference]=%00",
    "filter[phone_number]=" + "1" * 300, "filter[phone_number]=,,,",
]  # fmt: skip


@pytest.mark.rule("R-NO-500")
@pytest.mark.parametrize(("method", "path"), QUERY_TARGETS, ids=["update", "numbers", "jobs"])
@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_query_strings_never_5xx(api: httpx.Client, method: str, path: str, query: str) -> None:
    kwargs: dict[str, Any] = {"json": {"tags": ["x"]}} if method == "POST" else {}
    r = api.request(method, f"{path}?{query}", **kwargs)
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert 400 <= r.status_code < 500
        assert r.json()["errors"]
        assert job_total(api) == 0


@pytest.mark.rule("R-NO-500")
@pytest.mark.parametrize("path", ["/v2/phone_numbers", "/v2/phone_numbers/jobs"])
@pytest.mark.parametrize(
    ("query", "pointer"),
    [("page[size]=%C2%B2", "page/size"), ("page[number]=%C2%B2", "page/number"),
     ("page[size]=%EF%BC%92", "page/size")],
    ids=["superscript-size", "superscript-number", "fullwidth-size"],
)  # fmt: skip
def test_non_ascii_digits_in_page_params_are_invalid_pagination(
    api: httpx.Client, path: str, query: str, pointer: str
) -> None:
    r = api.get(f"{path}?{query}")
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert (error["code"], error["title"], error["source"]) == (
        "10015",
        "Invalid pagination",
        {"pointer": pointer},
    )


LONE_SURROGATE = b'"\\ud800x"'


@pytest.mark.rule("R-NO-500")
@pytest.mark.rule("R-ATOMIC")
@pytest.mark.parametrize(
    ("path", "raw"),
    [
        (UPDATE, b'{"phone_numbers": ["' + ID_A.encode() + b'"], "tags": [' + LONE_SURROGATE
         + b"]}"),
        (UPDATE, b'{"phone_numbers": ["' + ID_A.encode() + b'"], "customer_reference": '
         + LONE_SURROGATE + b"}"),
        (UPDATE, b'{"phone_numbers": ["' + ID_A.encode() + b'"], "voice": {"translated_number": '
         + LONE_SURROGATE + b"}}"),
        (UPDATE, b'{"phone_numbers": [' + LONE_SURROGATE + b'], "tags": ["x"]}'),
        (EMERGENCY, b'{"phone_numbers": ["' + ID_A.encode() + b'"], "emergency_enabled": true, '
         b'"emergency_address_id": ' + LONE_SURROGATE + b"}"),
        (NUMBER, b'{"tags": [' + LONE_SURROGATE + b"]}"),
        (NUMBER, b'{"external_pin": ' + LONE_SURROGATE + b"}"),
        (VOICE, b'{"translated_number": ' + LONE_SURROGATE + b"}"),
    ],
    ids=["update-tags", "update-reference", "update-voice", "update-item", "emergency-address",
         "patch-tags", "patch-pin", "patch-voice"],
)  # fmt: skip
def test_lone_surrogate_strings_never_5xx(api: httpx.Client, path: str, raw: bytes) -> None:
    """``"\\ud800"`` is valid JSON syntax but no Unicode text: refuse it or store it safely."""
    r = send(api, path, content=raw, headers=JSON_HEADERS)
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert job_total(api) == 0
    # whatever happened, the tenant's data must still be readable
    assert api.get(NUMBER).status_code == 200
    assert api.get(VOICE).status_code == 200
    assert api.get("/v2/phone_numbers/jobs").status_code == 200
    assert api.post("/_mock/jobs/run").status_code == 200
    assert api.get(NUMBER).status_code == 200


@pytest.mark.rule("R-NO-500")
@pytest.mark.parametrize(
    "raw",
    [b'{"phone_numbers": ["' + ID_A.encode() + b'"], "tags": ["x"], "n": 1' + b"0" * 5000 + b"}",
     b'{"phone_numbers": ["' + ID_A.encode() + b'"], "tags": ["x"], "n": 1e999}',
     b'{"phone_numbers": ["' + ID_A.encode() + b'"], "tags": ["x"], "\\u0000": "\\u0000"}',
     b'{"phone_numbers": ["' + ID_A.encode() + b'"], "tags": ["\\u0000"]}',
     b'{"phone_numbers": ["' + ID_A.encode() + b'"], "phone_numbers": 5, "tags": ["x"]}',
     b'\xef\xbb\xbf{"phone_numbers": ["' + ID_A.encode() + b'"], "tags": ["x"]}'],
    ids=["huge-int", "huge-float", "nul-key", "nul-tag", "duplicate-key", "bom"],
)  # fmt: skip
def test_odd_but_parseable_bodies_never_5xx(api: httpx.Client, raw: bytes) -> None:
    r = api.post(UPDATE, content=raw, headers=JSON_HEADERS)
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert job_total(api) == 0
    else:
        assert job_total(api) == 1


# ================================================================================================
# R-CONTENT-ENCODING
# ================================================================================================
D_CONTENT_ENCODING = (
    "The request body must be sent without a Content-Encoding (only 'identity' is accepted)."
)


@pytest.mark.rule("R-CONTENT-ENCODING")
@pytest.mark.parametrize("path", BODY_ENDPOINTS, ids=BODY_IDS)
@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "GZIP", "identity, gzip", "x-zip"])
def test_a_content_coded_body_is_415(api: httpx.Client, path: str, coding: str) -> None:
    before = number_now(api)
    raw = json.dumps(valid_body(path)).encode()
    content = gzip.compress(raw) if coding.lower().endswith("gzip") else raw
    headers = {**JSON_HEADERS, "Content-Encoding": coding}
    r = send(api, path, content=content, headers=headers)
    assert_error(r, 415, "10015", "Unsupported media type", D_CONTENT_ENCODING)
    assert r.headers["accept-encoding"] == "identity"
    assert job_total(api) == 0
    assert number_now(api) == before


@pytest.mark.rule("R-CONTENT-ENCODING")
def test_the_controls_refuse_a_content_coded_body_too(api: httpx.Client) -> None:
    raw = gzip.compress(json.dumps({"kind": "status", "status": 500}).encode())
    headers = {**JSON_HEADERS, "Content-Encoding": "gzip"}
    r = api.post("/_mock/faults", content=raw, headers=headers)
    assert_error(r, 415, "10015", "Unsupported media type", D_CONTENT_ENCODING)
    assert api.get("/_mock/faults").json()["data"] == []


@pytest.mark.rule("R-CONTENT-ENCODING")
@pytest.mark.parametrize("coding", ["identity", "Identity", ""])
def test_identity_is_no_content_coding(api: httpx.Client, coding: str) -> None:
    headers = {**JSON_HEADERS, "Content-Encoding": coding}
    r = send(api, UPDATE, content=json.dumps(valid_body(UPDATE)).encode(), headers=headers)
    assert r.status_code == 202, r.text
