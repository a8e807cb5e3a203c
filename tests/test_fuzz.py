"""R-NO-500: property tests throwing arbitrary bodies, bytes and query strings at the API.

Properties: no status >= 500 (and no exception out of the app); every 4xx is a Telnyx error
envelope (checked by the client's response hook in ``tests/conftest.py``); a rejected request
creates no job and changes no number (R-ATOMIC). Some random inputs are valid (202/200): that is
fine, the properties only constrain rejections.

Each test builds one app (the ``api`` fixture, or one built in the test body) and keeps it across
examples: the state carried over (jobs, changed numbers) is harmless, because every example
measures "before" itself. Hence the suppressed function-scoped-fixture health check.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.app import create_app
from mockserver.config import Settings
from tests.conftest import make_client
from tests.helpers import (
    BODY_ENDPOINTS,
    BODY_IDS,
    DELETE,
    EMERGENCY,
    ID_A,
    JOB_ENDPOINTS,
    JOBS,
    NUMBER,
    NUMBERS,
    UPDATE,
    VOICE,
)

E164_B = "+13127367254"

KEEP_APP = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# -- strategies -----------------------------------------------------------------------------------
#: any text, lone surrogates included (they are valid JSON escapes: "\ud800")
any_text = st.text(st.characters(exclude_categories=()), max_size=20)
json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    any_text,
)
json_values = st.recursive(
    json_leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(any_text, children, max_size=5)
    ),
    max_leaves=20,
)


def maybe(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a plausible value, sometimes anything at all."""
    return st.one_of(*[good] * 9, json_values)


def optional_fields(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    return maybe(st.fixed_dictionaries({}, optional=fields))


OWNED_IDS = [ID_A, "1293384261075731499", "2637816387126861836", "2637816387126861839"]
OWNED_E164 = [E164_B, "+13125550100", "+19705555098", "+19705551234"]
OTHER_ITEMS = ["1", "+15555550000", "", "x", "+1 312"]
phone_numbers = maybe(
    st.one_of(
        st.lists(st.sampled_from(OWNED_IDS), min_size=1, max_size=4),
        st.lists(st.sampled_from(OWNED_E164), min_size=1, max_size=4),
        st.lists(st.one_of(st.sampled_from(OWNED_IDS + OTHER_ITEMS), any_text), max_size=4),
    )
)
tag_list = maybe(st.lists(any_text, max_size=3))
flag = maybe(st.booleans())
some_text = maybe(st.one_of(any_text, st.sampled_from(["", "+13035559123", "Acme Corp"])))
voice_fields = {
    "call_forwarding": optional_fields(
        {
            "call_forwarding_enabled": flag,
            "forwarding_type": maybe(st.sampled_from(["always", "on-failure", "never"])),
            "forwards_to": some_text,
        }
    ),
    "call_recording": optional_fields(
        {
            "inbound_call_recording_enabled": flag,
            "inbound_call_recording_format": maybe(st.sampled_from(["wav", "mp3", "ogg"])),
            "inbound_call_recording_channels": maybe(st.sampled_from(["single", "dual"])),
        }
    ),
    "cnam_listing": optional_fields(
        {"cnam_listing_enabled": flag, "cnam_listing_details": some_text}
    ),
    "media_features": optional_fields(
        {
            "rtp_auto_adjust_enabled": flag,
            "accept_any_rtp_packets_enabled": flag,
            "t38_fax_gateway_enabled": flag,
        }
    ),
    "caller_id_name_enabled": flag,
    "inbound_call_screening": maybe(st.sampled_from(["disabled", "reject_calls", "flag"])),
    "tech_prefix_enabled": flag,
    "translated_number": some_text,
    "usage_payment_method": maybe(st.sampled_from(["pay-per-minute", "channel", "free"])),
}
number_fields = {
    "tags": tag_list,
    "external_pin": some_text,
    "customer_reference": some_text,
    "connection_id": maybe(st.sampled_from(["1521916448077776306", "1", ""])),
    "billing_group_id": maybe(st.sampled_from(["62e4bf2e-c278-4282-b524-488d9c9c43b2", "nope"])),
    "hd_voice_enabled": flag,
    "address_id": some_text,
}
update_fields = {
    **number_fields,
    "add_tags": tag_list,
    "remove_tags": tag_list,
    "deletion_lock_enabled": flag,
    "voice": optional_fields(voice_fields),
}
emergency_address = maybe(st.sampled_from(["9102160989215728032", "53829456729313", "1", "", None]))
#: bodies built from the real field names of each endpoint, mostly with plausible values
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    UPDATE: st.fixed_dictionaries({"phone_numbers": phone_numbers}, optional=update_fields),
    EMERGENCY: st.fixed_dictionaries(
        {"phone_numbers": phone_numbers, "emergency_enabled": flag},
        optional={"emergency_address_id": emergency_address},
    ),
    DELETE: st.fixed_dictionaries({"phone_numbers": phone_numbers}),
    NUMBER: st.fixed_dictionaries({}, optional=number_fields),
    VOICE: st.fixed_dictionaries({}, optional=voice_fields),
}
#: any field name of any endpoint, with any value
any_fields = st.fixed_dictionaries(
    {}, optional=dict.fromkeys({**update_fields, **voice_fields, "phone_numbers": 0}, json_values)
)


def bodies(path: str) -> st.SearchStrategy[Any]:
    plausible = PLAUSIBLE[path]
    return st.one_of(plausible, plausible, plausible, any_fields, json_values)


FILTER_KEYS = [
    "has_bundle", "tag", "connection_id", "phone_number", "status", "voice.connection_name",
    "voice.usage_payment_method", "billing_group_id", "emergency_address_id",
    "customer_reference", "type", "country_iso_alpha2", "number_type", "source", "without_tags",
]  # fmt: skip
OPERATORS = ["eq", "contains", "starts_with", "ends_with", "", "like"]
VALUES = [
    "active", "sales", "sandbox", "null", "true", "false", "+1312", "12", "12a45", "channel",
    "pay-per-minute", "PBX", "office", "ab", "1521916448077776306", "local", "US,CA", "pending",
    "update_phone_numbers", "1", "0", "250", "-created_at", "created_at", "", "[", "]",
]  # fmt: skip
bracket_keys = st.builds(
    lambda base, parts: base + "".join(f"[{p}]" for p in parts),
    st.one_of(st.sampled_from(["filter", "page", "sort"]), st.text(max_size=6)),
    st.lists(
        st.one_of(
            st.sampled_from(FILTER_KEYS + OPERATORS + ["number", "size"]), st.text(max_size=6)
        ),
        max_size=3,
    ),
)
queries = st.lists(
    st.tuples(
        st.one_of(bracket_keys, bracket_keys, st.text(max_size=12)),
        st.one_of(st.sampled_from(VALUES), st.text(max_size=12)),
    ),
    max_size=4,
)


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
    path = f"{NUMBERS}/{quote(ident, safe='')}" + ("/voice" if voice_suffix else "")
    kwargs: dict[str, Any] = {"json": {"tags": ["fuzz"]}} if method == "PATCH" else {}
    r = call(api, method, path, **kwargs)
    if r.status_code >= 400:
        assert r.json()["errors"], r.text
