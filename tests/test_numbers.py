"""The phone-number resources (N-RESOURCES): list filters and sorts, retrieve, PATCH, voice, DELETE.

Expected results are computed from ``fixtures/world.json`` directly, independently of the
emulator's indexes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

T0 = 1_767_225_600_000
WORLD = Path(__file__).resolve().parent.parent / "fixtures" / "world.json"
NUMBERS = "/v2/phone_numbers"
CONNECTION = "1521916448077776306"
BILLING_GROUP = "62e4bf2e-c278-4282-b524-488d9c9c43b2"
ADDRESS = "9102160989215728032"
Record = dict[str, Any]


@cache
def world() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORLD.read_text(encoding="utf-8"))
    return data


def in_id_order() -> list[Record]:
    return sorted(world()["numbers"], key=lambda r: (len(r["id"]), r["id"]))


def first(pred: Callable[[Record], bool]) -> Record:
    return next(r for r in in_id_order() if pred(r))


def plain(r: Record) -> bool:
    return (
        r["status"] == "active"
        and not r["deletion_lock_enabled"]
        and r["phone_number_type"] == "local"
    )


def connection_names() -> dict[str, str]:
    return {c["id"]: c["name"] for c in world()["connections"]}


def conn_name(r: Record) -> str | None:
    return connection_names().get(r["connection_id"]) if r["connection_id"] else None


def iso(ms: int) -> str:
    dt = datetime.fromtimestamp(ms // 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def err(code: str, title: str, detail: str, **source: str) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "title": title, "detail": detail}
    if source:
        out["source"] = source
    out["meta"] = {"url": f"https://developers.telnyx.com/docs/overview/errors/{code}"}
    return out


def bad(detail: str, **source: str) -> dict[str, Any]:
    return err("10015", "Bad Request", detail, **source)


def get_number(api: httpx.Client, ident: str) -> Any:
    r = api.get(f"{NUMBERS}/{ident}")
    assert r.status_code == 200, r.text
    return r.json()["data"]


NOT_FOUND_ID = err(
    "10005",
    "Resource not found",
    "The requested resource or URL could not be found.",
    pointer="/id",
)


# -- GET /phone_numbers: filters ----------------------------------------------------------------
def _names(pred: Callable[[str], bool]) -> set[str]:
    return {cid for cid, name in connection_names().items() if pred(name)}


FILTERS: list[tuple[str, Any, Callable[[Record], bool]]] = [
    ("tag", {"filter[tag]": "sandbox"}, lambda r: "sandbox" in r["tags"]),
    ("phone-digits", {"filter[phone_number]": "312"}, lambda r: "312" in r["phone_number"]),
    ("phone-plus", {"filter[phone_number]": "+1312"}, lambda r: "1312" in r["phone_number"]),
    ("phone-non-numeric", {"filter[phone_number]": "31a2"}, lambda r: False),
    ("status", {"filter[status]": "port-pending"}, lambda r: r["status"] == "port-pending"),
    ("status-deleted", {"filter[status]": "deleted"}, lambda r: r["status"] == "deleted"),
    (
        "country-comma",
        {"filter[country_iso_alpha2]": "US,CA"},
        lambda r: r["country_iso_alpha2"] in ("US", "CA"),
    ),
    (
        "country-one",
        {"filter[country_iso_alpha2]": "GB"},
        lambda r: r["country_iso_alpha2"] == "GB",
    ),
    (
        "country-repeated",
        [("filter[country_iso_alpha2][]", "CA"), ("filter[country_iso_alpha2][]", "GB")],
        lambda r: r["country_iso_alpha2"] in ("CA", "GB"),
    ),
    (
        "connection",
        {"filter[connection_id]": CONNECTION},
        lambda r: r["connection_id"] == CONNECTION,
    ),
    (
        "name-eq",
        {"filter[voice.connection_name][eq]": "test-connection"},
        lambda r: r["connection_id"] in _names(lambda n: n == "test-connection"),
    ),
    (
        "name-contains",
        {"filter[voice.connection_name][contains]": "TEST-conn"},
        lambda r: r["connection_id"] in _names(lambda n: "test-conn" in n.casefold()),
    ),
    (
        "name-starts",
        {"filter[voice.connection_name][starts_with]": "sip"},
        lambda r: r["connection_id"] in _names(lambda n: n.casefold().startswith("sip")),
    ),
    (
        "name-ends",
        {"filter[voice.connection_name][ends_with]": "pbx"},
        lambda r: r["connection_id"] in _names(lambda n: n.casefold().endswith("pbx")),
    ),
    (
        "name-and-connection",
        {"filter[voice.connection_name][contains]": "test", "filter[connection_id]": CONNECTION},
        lambda r: r["connection_id"] == CONNECTION,
    ),
    (
        "payment",
        {"filter[voice.usage_payment_method]": "channel"},
        lambda r: r["voice"]["usage_payment_method"] == "channel",
    ),
    ("billing-null", {"filter[billing_group_id]": "null"}, lambda r: r["billing_group_id"] is None),
    (
        "billing",
        {"filter[billing_group_id]": BILLING_GROUP},
        lambda r: r["billing_group_id"] == BILLING_GROUP,
    ),
    (
        "address-null",
        {"filter[emergency_address_id]": "null"},
        lambda r: r["emergency_address_id"] is None,
    ),
    (
        "address",
        {"filter[emergency_address_id]": ADDRESS},
        lambda r: r["emergency_address_id"] == ADDRESS,
    ),
    (
        "number-type",
        {"filter[number_type][eq]": "toll_free"},
        lambda r: r["phone_number_type"] == "toll_free",
    ),
    ("source-ported", {"filter[source]": "ported"}, lambda r: r["source_type"] == "port_request"),
    (
        "source-purchased",
        {"filter[source]": "purchased"},
        lambda r: r["source_type"] == "number_order",
    ),
    ("without-tags", {"filter[without_tags]": "true"}, lambda r: r["tags"] == []),
    ("without-tags-false", {"filter[without_tags]": "false"}, lambda r: True),
    ("without-tags-other", {"filter[without_tags]": "yes"}, lambda r: True),
    (
        "and",
        {
            "filter[tag]": "sales",
            "filter[country_iso_alpha2]": "CA",
            "filter[number_type][eq]": "local",
        },
        lambda r: (
            "sales" in r["tags"]
            and r["country_iso_alpha2"] == "CA"
            and r["phone_number_type"] == "local"
        ),
    ),
]


@pytest.mark.rule("N-RESOURCES")
@pytest.mark.parametrize(("params", "pred"), [f[1:] for f in FILTERS], ids=[f[0] for f in FILTERS])
def test_list_filters(api: httpx.Client, params: Any, pred: Callable[[Record], bool]) -> None:
    expected = [r for r in world()["numbers"] if pred(r)]
    extra = list(params.items()) if isinstance(params, dict) else list(params)
    r = api.get(NUMBERS, params=[*extra, ("page[size]", "100")])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["meta"]["total_results"] == len(expected)
    assert len(body["data"]) == min(100, len(expected))
    by_id = {rec["id"]: rec for rec in world()["numbers"]}
    for item in body["data"]:
        assert pred(by_id[item["id"]]), item["id"]
    if len(expected) <= 100:
        assert {i["id"] for i in body["data"]} == {rec["id"] for rec in expected}


@pytest.mark.rule("N-RESOURCES")
def test_list_filter_reflects_changes(api: httpx.Client) -> None:
    rec = first(plain)
    r = api.patch(f"{NUMBERS}/{rec['id']}", json={"tags": ["very-unique-tag"]})
    assert r.status_code == 200
    body = api.get(NUMBERS, params={"filter[tag]": "very-unique-tag"}).json()
    assert [n["id"] for n in body["data"]] == [rec["id"]]
    assert body["meta"]["total_results"] == 1


LIST_ERRORS = [
    ({"filter[foo]": "x"}, "is not a supported filter", "filter[foo]"),
    ({"filter[type]": "x"}, "is not a supported filter", "filter[type]"),
    (
        {"filter[status]": "requirement-info-pending"},
        "must be one of: purchase-pending, purchase-failed, port-pending, active, deleted, "
        "port-failed, emergency-only, ported-out, port-out-pending",
        "filter[status]",
    ),
    ({"filter[number_type][ne]": "local"}, "supports only [eq]", "filter[number_type]"),
    ({"filter[number_type]": "local"}, "supports only [eq]", "filter[number_type]"),
    (
        {"filter[number_type][eq]": "landline"},
        "must be one of: local, national, toll_free, mobile, shared_cost",
        "filter[number_type][eq]",
    ),
    ({"filter[source]": "bought"}, "must be one of: ported, purchased", "filter[source]"),
    (
        {"filter[voice.connection_name][contains]": "ab"},
        "must contain at least 3 characters",
        "filter[voice.connection_name][contains]",
    ),
    (
        {"filter[voice.connection_name][like]": "abc"},
        "is not a supported filter",
        "filter[voice.connection_name][like]",
    ),
    (
        {"filter[voice.connection_name]": "abc"},
        "must be an object of operators",
        "filter[voice.connection_name]",
    ),
    ({"filter[phone_number]": "12"}, "must contain at least 3 digits", "filter[phone_number]"),
    (
        {"filter[voice.usage_payment_method]": "free"},
        "must be one of: pay-per-minute, channel",
        "filter[voice.usage_payment_method]",
    ),
    (
        {"handle_messaging_profile_error": "maybe"},
        "must be one of: true, false",
        "handle_messaging_profile_error",
    ),
]


@pytest.mark.rule("N-RESOURCES")
@pytest.mark.parametrize(
    ("params", "detail", "parameter"), LIST_ERRORS, ids=[e[2] for e in LIST_ERRORS]
)
def test_list_filter_errors(
    api: httpx.Client, params: dict[str, str], detail: str, parameter: str
) -> None:
    r = api.get(NUMBERS, params=params)
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [bad(detail, parameter=parameter)]


@pytest.mark.rule("N-RESOURCES")
def test_handle_messaging_profile_error_accepted(api: httpx.Client) -> None:
    for value in ("true", "false"):
        r = api.get(NUMBERS, params={"handle_messaging_profile_error": value, "page[size]": "2"})
        assert r.status_code == 200


# -- GET /phone_numbers: sorting ----------------------------------------------------------------
SORT_KEYS: dict[str, Callable[[Record], Any]] = {
    "purchased_at": lambda r: r["purchased_at"],
    "phone_number": lambda r: r["phone_number"],
    "connection_name": lambda r: conn_name(r) or "",
    "usage_payment_method": lambda r: r["voice"]["usage_payment_method"],
}


@pytest.mark.rule("N-RESOURCES")
@pytest.mark.rule("Q-SORT")
@pytest.mark.parametrize("name", list(SORT_KEYS))
@pytest.mark.parametrize("descending", [False, True])
def test_list_sorts(api: httpx.Client, name: str, descending: bool) -> None:
    params = {"filter[country_iso_alpha2]": "GB", "page[size]": "250"}
    params["sort"] = f"-{name}" if descending else name
    got = [n["id"] for n in api.get(NUMBERS, params=params).json()["data"]]
    pool = [r for r in in_id_order() if r["country_iso_alpha2"] == "GB"]
    key = SORT_KEYS[name]
    values = [key(r) for r in pool]
    assert len(set(values)) > 1
    expected = [r["id"] for r in sorted(pool, key=key, reverse=descending)]
    by_id = {r["id"]: r for r in pool}
    got_values = [key(by_id[i]) for i in got]
    assert got_values == sorted(values, reverse=descending)
    assert got == expected


@pytest.mark.rule("N-RESOURCES")
@pytest.mark.rule("Q-SORT")
def test_list_default_sort_newest_created_first(api: httpx.Client) -> None:
    got = [n["id"] for n in api.get(NUMBERS, params={"page[size]": "30"}).json()["data"]]
    expected = sorted(world()["numbers"], key=lambda r: (r["created_at"], r["id"]), reverse=True)
    assert got == [r["id"] for r in expected[:30]]


# -- GET /phone_numbers/{id} --------------------------------------------------------------------
@pytest.mark.rule("N-RESOURCES")
def test_retrieve_number_matches_world(api: httpx.Client) -> None:
    rec = first(lambda r: r["connection_id"] is not None and r["tags"])
    got = get_number(api, rec["id"])
    for key in (
        "id", "phone_number", "status", "tags", "external_pin", "connection_id",
        "customer_reference", "billing_group_id", "emergency_enabled", "emergency_address_id",
        "emergency_status", "hd_voice_enabled", "deletion_lock_enabled", "country_iso_alpha2",
        "phone_number_type", "source_type", "created_at", "updated_at", "purchased_at",
    ):  # fmt: skip
        assert got[key] == rec[key], key
    assert got["record_type"] == "phone_number"
    assert got["connection_name"] == conn_name(rec)
    assert (
        got["call_recording_enabled"]
        is rec["voice"]["call_recording"]["inbound_call_recording_enabled"]
    )
    assert got["caller_id_name_enabled"] is rec["voice"]["caller_id_name_enabled"]


@pytest.mark.rule("N-RESOURCES")
@pytest.mark.parametrize("ident", ["123", "9999999999999999999", "abc", "jobs1"])
@pytest.mark.parametrize("suffix", ["", "/voice"])
def test_unknown_number_is_404(api: httpx.Client, ident: str, suffix: str) -> None:
    r = api.get(f"{NUMBERS}/{ident}{suffix}")
    assert r.status_code == 404
    assert r.json() == {"errors": [NOT_FOUND_ID]}


@pytest.mark.rule("N-RESOURCES")
@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_unknown_number_write_is_404(api: httpx.Client, method: str) -> None:
    r = api.request(method, f"{NUMBERS}/123", json={"tags": ["x"]})
    assert r.status_code == 404
    assert r.json() == {"errors": [NOT_FOUND_ID]}
    r = api.patch(f"{NUMBERS}/123/voice", json={"tech_prefix_enabled": True})
    assert r.status_code == 404
    assert r.json() == {"errors": [NOT_FOUND_ID]}


# -- PATCH /phone_numbers/{id} ------------------------------------------------------------------
@pytest.mark.rule("N-RESOURCES")
def test_patch_applies_fields(api: httpx.Client) -> None:
    rec = first(plain)
    conn = next(c for c in world()["connections"] if c["id"] != rec["connection_id"])
    billing = next(b["id"] for b in world()["billing_groups"] if b["id"] != rec["billing_group_id"])
    body = {
        "tags": ["p1", "p2"],
        "customer_reference": "patched",
        "external_pin": "4321",
        "connection_id": conn["id"],
        "billing_group_id": billing,
        "hd_voice_enabled": True,
    }
    r = api.patch(f"{NUMBERS}/{rec['id']}", json=body)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    for key, value in body.items():
        assert data[key] == value, key
    assert data["connection_name"] == conn["name"]
    assert data["updated_at"] == iso(T0)
    assert data["phone_number"] == rec["phone_number"]
    assert get_number(api, rec["id"]) == data
    # a partial PATCH changes only what it names
    r = api.patch(f"{NUMBERS}/{rec['id']}", json={"external_pin": "1"})
    after = r.json()["data"]
    assert after == {**data, "external_pin": "1"}


@pytest.mark.rule("N-RESOURCES")
def test_patch_deletion_lock_is_ignored(api: httpx.Client) -> None:
    rec = first(plain)
    r = api.patch(f"{NUMBERS}/{rec['id']}", json={"deletion_lock_enabled": True, "tags": ["z"]})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["deletion_lock_enabled"] is False
    assert r.json()["data"]["tags"] == ["z"]
    assert get_number(api, rec["id"])["deletion_lock_enabled"] is False
    r = api.delete(f"{NUMBERS}/{rec['id']}")
    assert r.status_code == 200  # still deletable


@pytest.mark.rule("N-RESOURCES")
@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"tags": "x"}, [bad("must be an array", pointer="/tags")]),
        ({"tags": ["a", 1]}, [bad("must be a string", pointer="/tags/1")]),
        ({"hd_voice_enabled": "yes"}, [bad("must be a boolean", pointer="/hd_voice_enabled")]),
        (
            {"customer_reference": 5, "external_pin": None},
            [
                bad("must be a string", pointer="/customer_reference"),
                bad("must be a string", pointer="/external_pin"),
            ],
        ),
        ([], [bad("The request body must be a JSON object.", pointer="/base")]),
    ],
    ids=["tags", "tag-item", "hd-voice", "two-errors", "not-object"],
)
def test_patch_wrong_types(api: httpx.Client, body: Any, errors: list[dict[str, Any]]) -> None:
    rec = first(plain)
    before = get_number(api, rec["id"])
    r = api.patch(f"{NUMBERS}/{rec['id']}", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == errors
    assert get_number(api, rec["id"]) == before


@pytest.mark.rule("N-RESOURCES")
def test_patch_unknown_billing_group_is_403(api: httpx.Client) -> None:
    rec = first(plain)
    before = get_number(api, rec["id"])
    r = api.patch(
        f"{NUMBERS}/{rec['id']}",
        json={"billing_group_id": "00000000-0000-0000-0000-000000000000", "tags": ["no"]},
    )
    assert r.status_code == 403
    assert r.json()["errors"] == [
        err(
            "10010",
            "Authorization Failed",
            "The specified billing group either does not exist or is not part of your account",
            pointer="/billing_group_id",
        )
    ]
    assert get_number(api, rec["id"]) == before


@pytest.mark.rule("N-RESOURCES")
@pytest.mark.parametrize(
    ("pick", "body", "error"),
    [
        (
            lambda r: r["status"] == "port-pending",
            {"tags": ["x"]},
            bad(
                "The phone number cannot be modified while its status is 'port-pending'.",
                pointer="/phone_numbers",
            ),
        ),
        (
            lambda r: r["status"] == "active" and r["phone_number_type"] == "toll_free",
            {"hd_voice_enabled": True},
            bad("HD Voice is not available for this phone number.", pointer="/hd_voice_enabled"),
        ),
        (plain, {"connection_id": "777"}, bad("The field is invalid.", pointer="/connection_id")),
    ],
    ids=["locked-status", "hd-voice-toll-free", "unknown-connection"],
)
def test_patch_per_number_rules(
    api: httpx.Client, pick: Callable[[Record], bool], body: dict[str, Any], error: Any
) -> None:
    rec = first(pick)
    before = get_number(api, rec["id"])
    r = api.patch(f"{NUMBERS}/{rec['id']}", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [error]
    assert get_number(api, rec["id"]) == before


VOICE_ERROR_IDS = [
    "format", "channels", "screening", "payment", "forwarding-type", "bool", "object",
    "forwards-to", "cnam-pattern", "cnam-length", "cnam-needs-enabled", "cnam-disabled",
]  # fmt: skip


# -- /phone_numbers/{id}/voice ------------------------------------------------------------------
@pytest.mark.rule("N-RESOURCES")
def test_get_voice_matches_world(api: httpx.Client) -> None:
    rec = first(lambda r: plain(r) and r["connection_id"] and r["customer_reference"])
    r = api.get(f"{NUMBERS}/{rec['id']}/voice")
    assert r.status_code == 200
    v = r.json()["data"]
    voice = rec["voice"]
    assert v["id"] == rec["id"]
    assert v["record_type"] == "voice_settings"
    assert v["phone_number"] == rec["phone_number"]
    assert v["connection_id"] == rec["connection_id"]
    assert v["customer_reference"] == rec["customer_reference"]
    for group in ("call_recording", "cnam_listing", "media_features"):
        assert v[group] == voice[group]
    forwarding = {k: x for k, x in voice["call_forwarding"].items() if x is not None}
    assert v["call_forwarding"] == forwarding
    for key in ("inbound_call_screening", "tech_prefix_enabled", "translated_number"):
        assert v[key] == voice[key]
    assert v["usage_payment_method"] == voice["usage_payment_method"]
    assert v["emergency"]["emergency_enabled"] is rec["emergency_enabled"]


@pytest.mark.rule("N-RESOURCES")
def test_patch_voice_partial_merge(api: httpx.Client) -> None:
    rec = first(
        lambda r: plain(r) and not r["voice"]["call_recording"]["inbound_call_recording_enabled"]
    )
    before = api.get(f"{NUMBERS}/{rec['id']}/voice").json()["data"]
    r = api.patch(
        f"{NUMBERS}/{rec['id']}/voice",
        json={
            "call_recording": {"inbound_call_recording_enabled": True},
            "tech_prefix_enabled": True,
        },
    )
    assert r.status_code == 200, r.text
    v = r.json()["data"]
    assert v["call_recording"] == {
        **before["call_recording"],
        "inbound_call_recording_enabled": True,
    }
    assert v["tech_prefix_enabled"] is True
    for key in ("call_forwarding", "cnam_listing", "media_features", "usage_payment_method"):
        assert v[key] == before[key]
    assert api.get(f"{NUMBERS}/{rec['id']}/voice").json()["data"] == v
    number = get_number(api, rec["id"])
    assert number["call_recording_enabled"] is True
    assert number["updated_at"] == iso(T0)
    r = api.patch(
        f"{NUMBERS}/{rec['id']}/voice",
        json={"call_recording": {"inbound_call_recording_format": "mp3"}},
    )
    assert r.json()["data"]["call_recording"] == {
        **before["call_recording"],
        "inbound_call_recording_enabled": True,
        "inbound_call_recording_format": "mp3",
    }


@pytest.mark.rule("N-RESOURCES")
@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"call_recording": {"inbound_call_recording_format": "ogg"}},
            bad(
                "must be one of: wav, mp3", pointer="/call_recording/inbound_call_recording_format"
            ),
        ),
        (
            {"call_recording": {"inbound_call_recording_channels": "stereo"}},
            bad(
                "must be one of: single, dual",
                pointer="/call_recording/inbound_call_recording_channels",
            ),
        ),
        (
            {"inbound_call_screening": "block"},
            bad(
                "must be one of: disabled, reject_calls, flag_calls",
                pointer="/inbound_call_screening",
            ),
        ),
        (
            {"usage_payment_method": "free"},
            bad("must be one of: pay-per-minute, channel", pointer="/usage_payment_method"),
        ),
        (
            {"call_forwarding": {"forwarding_type": "sometimes"}},
            bad("must be one of: always, on-failure", pointer="/call_forwarding/forwarding_type"),
        ),
        ({"tech_prefix_enabled": "yes"}, bad("must be a boolean", pointer="/tech_prefix_enabled")),
        ({"media_features": []}, bad("must be an object", pointer="/media_features")),
        (
            {"call_forwarding": {"forwards_to": "12345"}},
            err(
                "10016",
                "Phone number must be in +E.164 format",
                "The specified phone number parameter must be in +E.164 format.",
                pointer="/call_forwarding/forwards_to",
            ),
        ),
        (
            {"cnam_listing": {"cnam_listing_enabled": True, "cnam_listing_details": "bad!"}},
            bad(
                "must contain only letters, digits and spaces",
                pointer="/cnam_listing/cnam_listing_details",
            ),
        ),
        (
            {"cnam_listing": {"cnam_listing_enabled": True, "cnam_listing_details": "A" * 16}},
            bad("must be at most 15 characters", pointer="/cnam_listing/cnam_listing_details"),
        ),
        (
            {"cnam_listing": {"cnam_listing_details": "ACME"}},
            bad(
                "requires cnam_listing_enabled to be true",
                pointer="/cnam_listing/cnam_listing_details",
            ),
        ),
        (
            {"cnam_listing": {"cnam_listing_enabled": False, "cnam_listing_details": "ACME"}},
            bad(
                "requires cnam_listing_enabled to be true",
                pointer="/cnam_listing/cnam_listing_details",
            ),
        ),
    ],
    ids=VOICE_ERROR_IDS,
)
def test_patch_voice_invalid(api: httpx.Client, body: dict[str, Any], error: Any) -> None:
    rec = first(lambda r: plain(r) and not r["voice"]["cnam_listing"]["cnam_listing_enabled"])
    before = api.get(f"{NUMBERS}/{rec['id']}/voice").json()["data"]
    r = api.patch(f"{NUMBERS}/{rec['id']}/voice", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [error]
    assert api.get(f"{NUMBERS}/{rec['id']}/voice").json()["data"] == before


@pytest.mark.rule("N-RESOURCES")
def test_patch_voice_cnam_with_enabled(api: httpx.Client) -> None:
    rec = first(lambda r: plain(r) and not r["voice"]["cnam_listing"]["cnam_listing_enabled"])
    path = f"{NUMBERS}/{rec['id']}/voice"
    r = api.patch(
        path, json={"cnam_listing": {"cnam_listing_enabled": True, "cnam_listing_details": "ACME"}}
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["cnam_listing"] == {
        "cnam_listing_enabled": True,
        "cnam_listing_details": "ACME",
    }
    # once enabled on the number, details alone are fine
    r = api.patch(path, json={"cnam_listing": {"cnam_listing_details": "ACME 2"}})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["cnam_listing"]["cnam_listing_details"] == "ACME 2"
    assert get_number(api, rec["id"])["cnam_listing_enabled"] is True


@pytest.mark.rule("N-RESOURCES")
def test_patch_voice_on_locked_status_is_422(api: httpx.Client) -> None:
    rec = first(lambda r: r["status"] == "ported-out")
    r = api.patch(f"{NUMBERS}/{rec['id']}/voice", json={"tech_prefix_enabled": True})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        bad(
            "The phone number cannot be modified while its status is 'ported-out'.",
            pointer="/phone_numbers",
        )
    ]


# -- DELETE /phone_numbers/{id} -----------------------------------------------------------------
@pytest.mark.rule("N-RESOURCES")
def test_delete_number(api: httpx.Client) -> None:
    rec = first(lambda r: plain(r) and r["connection_id"] and r["tags"])
    total = api.get(NUMBERS, params={"page[size]": "1"}).json()["meta"]["total_results"]
    r = api.delete(f"{NUMBERS}/{rec['id']}")
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["id"] == rec["id"]
    assert data["phone_number"] == rec["phone_number"]
    assert data["status"] == "deleted"
    assert data["tags"] == rec["tags"]
    assert data["connection_name"] == conn_name(rec)
    for key in ("country_iso_alpha2", "emergency_status", "inbound_call_screening", "source_type"):
        assert key not in data
    assert None not in data.values()
    for path in (f"{NUMBERS}/{rec['id']}", f"{NUMBERS}/{rec['id']}/voice"):
        r = api.get(path)
        assert r.status_code == 404
        assert r.json() == {"errors": [NOT_FOUND_ID]}
    after = api.get(NUMBERS, params={"page[size]": "1"}).json()["meta"]["total_results"]
    assert after == total - 1
    listed = api.get(NUMBERS, params={"filter[phone_number]": rec["phone_number"]}).json()
    assert rec["id"] not in [n["id"] for n in listed["data"]]
    r = api.delete(f"{NUMBERS}/{rec['id']}")
    assert r.status_code == 404
    assert r.json() == {"errors": [NOT_FOUND_ID]}


@pytest.mark.rule("N-RESOURCES")
@pytest.mark.rule("O-DELETION-LOCK")
def test_delete_deletion_locked_number_is_422(api: httpx.Client) -> None:
    rec = first(lambda r: r["status"] == "active" and r["deletion_lock_enabled"])
    r = api.delete(f"{NUMBERS}/{rec['id']}")
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [
        bad(
            "The phone number has deletion lock enabled and cannot be deleted.",
            pointer="/deletion_lock_enabled",
        )
    ]
    assert get_number(api, rec["id"])["deletion_lock_enabled"] is True


@pytest.mark.rule("N-RESOURCES")
def test_delete_locked_status_is_422(api: httpx.Client) -> None:
    rec = first(lambda r: r["status"] == "port-out-pending" and not r["deletion_lock_enabled"])
    r = api.delete(f"{NUMBERS}/{rec['id']}")
    assert r.status_code == 422
    assert r.json()["errors"] == [
        bad(
            "The phone number cannot be modified while its status is 'port-out-pending'.",
            pointer="/phone_numbers",
        )
    ]
    assert get_number(api, rec["id"])["status"] == "port-out-pending"
