"""Every manifest rule of the /phone_numbers family, pinned over HTTP: exact envelopes for the
errors, the decisions the issue asked for, and that a rejected request changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mockserver import errors
from tests.conftest import make_client
from tests.family_support import (
    ADDRESS,
    CSV,
    MESSAGING_LIST,
    SLIM,
    VERIFY,
    VOICE_LIST,
    N,
    bundle,
    every_page,
    first,
    locked,
    numbers,
    plain,
    profile,
    run_jobs,
    with_voicemail,
    without_voicemail,
)
from tests.helpers import assert_error

BAD = ("10015", "Bad Request")


def assert_422(r: httpx.Response, detail: str, **source: str) -> None:
    assert_error(r, 422, *BAD, detail, **source)


def assert_404(r: httpx.Response, pointer: str, detail: str = errors.D_NOT_FOUND) -> None:
    assert_error(r, 404, "10005", "Resource not found", detail, pointer=pointer)


def number(api: httpx.Client, ident: str) -> dict[str, Any]:
    r = api.get(f"{N}/{ident}")
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


# ================================================================================================
# R-AUTH-SPACES
# ================================================================================================
@pytest.mark.rule("R-AUTH-SPACES")
@pytest.mark.parametrize("key", ["My API Key", "a b", "key\twith tab", "  padded key  "])
def test_a_key_with_spaces_is_a_tenant(app: Starlette, key: str) -> None:
    with make_client(app, key) as spaced, make_client(app, "other") as other:
        ident = plain()[0]["id"]
        r = spaced.patch(f"{N}/{ident}", json={"customer_reference": "spaced"})
        assert r.status_code == 200, r.text
        assert spaced.get(f"{N}/{ident}").json()["data"]["customer_reference"] == "spaced"
        assert other.get(f"{N}/{ident}").json()["data"]["customer_reference"] != "spaced"


@pytest.mark.rule("R-AUTH-SPACES")
@pytest.mark.parametrize("header", ["Bearer ", "Bearer    ", "Bearer"])
def test_an_empty_key_is_still_a_401(app: Starlette, header: str) -> None:
    with make_client(app, None) as anonymous:
        r = anonymous.get(SLIM, headers={"Authorization": header})
    assert_error(r, 401, "10009", "Authentication failed", errors.D_AUTH_FAILED)


# ================================================================================================
# V-SLIM-LIST, R-SLIM-INCLUDE, V-NULLS-SLIM
# ================================================================================================
@pytest.mark.rule("V-SLIM-LIST")
@pytest.mark.rule("V-NULLS-SLIM")
def test_slim_items_are_the_detailed_values(api: httpx.Client) -> None:
    params: dict[str, str | int] = {
        "page[size]": 250, "include_tags": "true", "include_connection": "true"
    }  # fmt: skip
    slim = api.get(SLIM, params=params).json()["data"]
    full = {n["id"]: n for n in api.get(N, params={"page[size]": 250}).json()["data"]}
    assert [s["id"] for s in slim] == list(full)
    for item in slim:
        detailed = full[item["id"]]
        assert item["record_type"] == "phone_number_slim"
        for key, value in item.items():
            if key != "record_type":
                assert value == detailed[key], key
        for key in ("external_pin", "customer_reference", "billing_group_id",
                    "emergency_address_id", "connection_id"):  # fmt: skip
            assert (key in item) == (detailed[key] is not None), key
        assert "activated_at" in item  # the one nullable field: sent as null
        assert "messaging_profile_id" not in item
    assert any(i["activated_at"] is None for i in slim)


@pytest.mark.rule("R-SLIM-INCLUDE")
def test_slim_includes(api: httpx.Client) -> None:
    bare = api.get(SLIM).json()["data"]
    assert all("tags" not in i and "connection_id" not in i for i in bare)
    tagged = api.get(SLIM, params={"include_tags": "true"}).json()["data"]
    assert all(isinstance(i["tags"], list) and "connection_id" not in i for i in tagged)
    linked = api.get(SLIM, params={"include_connection": "true"}).json()["data"]
    assert any("connection_name" in i for i in linked)


@pytest.mark.rule("R-SLIM-INCLUDE")
@pytest.mark.parametrize(
    ("params", "detail", "parameter"),
    [
        ({"include_tags": "yes"}, errors.D_TRUE_OR_FALSE, "include_tags"),
        ({"include_connection": "1"}, errors.D_TRUE_OR_FALSE, "include_connection"),
        ({"filter[tag]": "sales"}, errors.D_REQUIRES_INCLUDE_TAGS, "filter[tag]"),
        ({"filter[tag]": "sales", "include_tags": "false"}, errors.D_REQUIRES_INCLUDE_TAGS,
         "filter[tag]"),
        ({"filter[voice.connection_name][contains]": "sip"},
         errors.D_REQUIRES_INCLUDE_CONNECTION, "filter[voice.connection_name]"),
        ({"filter[without_tags]": "true"}, errors.D_UNKNOWN_FILTER, "filter[without_tags]"),
    ],
)  # fmt: skip
def test_slim_query_errors(
    api: httpx.Client, params: dict[str, str], detail: str, parameter: str
) -> None:
    assert_422(api.get(SLIM, params=params), detail, parameter=parameter)


@pytest.mark.rule("V-SLIM-LIST")
def test_slim_filters_match_the_detailed_list(api: httpx.Client) -> None:
    cases = [
        ({"filter[tag]": "sales", "include_tags": "true"}, {"filter[tag]": "sales"}),
        ({"filter[status]": "port_pending"}, {"filter[status]": "port-pending"}),
        ({"filter[status]": "port-pending"}, {"filter[status]": "port-pending"}),
        ({"filter[country_iso_alpha2]": "CA", "sort": "phone_number"},
         {"filter[country_iso_alpha2]": "CA", "sort": "phone_number"}),
        ({"filter[phone_number]": "312"}, {"filter[phone_number]": "312"}),
    ]  # fmt: skip
    for slim_params, full_params in cases:
        slim = api.get(SLIM, params={**slim_params, "page[size]": 250}).json()
        full = api.get(N, params={**full_params, "page[size]": 250}).json()
        assert [i["id"] for i in slim["data"]] == [i["id"] for i in full["data"]], slim_params
        assert slim["meta"] == full["meta"]
        assert slim["data"]


# ================================================================================================
# V-VOICE-LIST, V-NULLS-VOICE
# ================================================================================================
@pytest.mark.rule("V-VOICE-LIST")
@pytest.mark.rule("V-NULLS-VOICE")
def test_voice_list_items_are_the_voice_resource(api: httpx.Client) -> None:
    listed = api.get(VOICE_LIST, params={"page[size]": 30, "sort": "-phone_number"}).json()
    for item in listed["data"]:
        assert item == api.get(f"{N}/{item['id']}/voice").json()["data"]
        for key in ("connection_id", "customer_reference"):
            assert item.get(key, "absent") is not None
        assert item["emergency"].get("emergency_address_id", "absent") is not None
    phones = [i["phone_number"] for i in listed["data"]]
    assert phones == sorted(phones, reverse=True)
    assert any("customer_reference" not in i for i in listed["data"])


@pytest.mark.rule("V-VOICE-LIST")
def test_voice_list_filters(api: httpx.Client) -> None:
    by_name = api.get(VOICE_LIST, params={"filter[connection_name][contains]": "SIP",
                                          "page[size]": 250}).json()  # fmt: skip
    full = api.get(N, params={"filter[voice.connection_name][contains]": "sip",
                              "page[size]": 250}).json()  # fmt: skip
    assert [i["id"] for i in by_name["data"]] == [i["id"] for i in full["data"]]
    assert by_name["data"]
    by_method = api.get(VOICE_LIST, params={"filter[voice.usage_payment_method]": "channel"})
    assert all(i["usage_payment_method"] == "channel" for i in by_method.json()["data"])
    param = "filter[connection_name][contains]"
    assert_422(api.get(VOICE_LIST, params={param: "ab"}), errors.D_FILTER_MIN_CHARS,
               parameter=param)  # fmt: skip
    param = "filter[connection_name][eq]"
    assert_422(api.get(VOICE_LIST, params={param: "abc"}), errors.D_UNKNOWN_FILTER,
               parameter=param)  # fmt: skip
    assert_422(api.get(VOICE_LIST, params={"filter[tag]": "x"}), errors.D_UNKNOWN_FILTER,
               parameter="filter[tag]")  # fmt: skip


# ================================================================================================
# V-NULLS-DETAILED, V-NULLS-DELETED, V-MESSAGING-CAMPAIGN
# ================================================================================================
@pytest.mark.rule("V-NULLS-DETAILED")
def test_detailed_sends_every_field_null_when_empty(api: httpx.Client) -> None:
    items = api.get(N, params={"page[size]": 100}).json()["data"]
    keys = set(items[0])
    assert all(set(i) == keys for i in items)
    assert {"messaging_campaign_id", "external_pin", "customer_reference"} <= keys
    assert any(i["customer_reference"] is None for i in items)


@pytest.mark.rule("V-NULLS-DELETED")
def test_deleted_leaves_empty_fields_out(api: httpx.Client) -> None:
    record = first(customer_reference=None)
    gone = api.delete(f"{N}/{record['id']}").json()["data"]
    assert "customer_reference" not in gone
    assert None not in gone.values()


@pytest.mark.rule("V-MESSAGING-CAMPAIGN")
def test_messaging_campaign_follows_the_profile(api: httpx.Client) -> None:
    with_campaign, without = profile(0), profile(2)
    assert with_campaign["campaign_id"]
    assert without["campaign_id"] is None
    ident = first(messaging_profile_id=None)["id"]
    assert number(api, ident)["messaging_campaign_id"] is None
    api.patch(f"{N}/{ident}/messaging", json={"messaging_profile_id": with_campaign["id"]})
    assert number(api, ident)["messaging_campaign_id"] == with_campaign["campaign_id"]
    api.patch(f"{N}/{ident}/messaging", json={"messaging_profile_id": without["id"]})
    assert number(api, ident)["messaging_campaign_id"] is None
    campaigns = {p["id"]: p["campaign_id"] for p in [profile(0), profile(1), profile(2)]}
    listed = api.get(N, params={"page[size]": 250}).json()["data"]
    for item in listed:
        assert item["messaging_campaign_id"] == campaigns.get(item["messaging_profile_id"])
    assert any(i["messaging_campaign_id"] for i in listed)


# ================================================================================================
# V-MESSAGING-LIST, R-MESSAGING-LIST-QUERY, V-NULLS-MESSAGING
# ================================================================================================
@pytest.mark.rule("V-NULLS-MESSAGING")
def test_messaging_view_shape(api: httpx.Client) -> None:
    items = api.get(MESSAGING_LIST, params={"page[size]": 250}).json()["data"]
    for item in items:
        assert "messaging_profile_id" in item
        assert ("health" in item) == (item["messaging_profile_id"] is not None)
        assert "organization_id" not in item
    toll_free = next(r for r in numbers() if r["phone_number_type"] == "toll_free")
    view = api.get(f"{N}/{toll_free['id']}/messaging").json()["data"]
    assert (view["type"], view["eligible_messaging_products"]) == ("tollfree", ["A2P"])
    gb = next(r for r in numbers() if r["country_iso_alpha2"] == "GB")
    assert api.get(f"{N}/{gb['id']}/messaging").json()["data"]["features"]["mms"] is None


@pytest.mark.rule("V-MESSAGING-LIST")
@pytest.mark.rule("R-MESSAGING-LIST-QUERY")
def test_messaging_list_filters_and_sort(api: httpx.Client) -> None:
    prof = profile(1)["id"]
    listed = every_page(api, MESSAGING_LIST, {"filter[messaging_profile_id]": prof})
    expected = [r["id"] for r in numbers() if r["messaging_profile_id"] == prof]
    assert sorted(i["id"] for i in listed) == sorted(expected)
    assert len(expected) > 250  # more than one page
    a, b = plain()[:2]
    exact = api.get(
        MESSAGING_LIST, params={"filter[phone_number]": f"{a['phone_number']},{b['phone_number']}"}
    ).json()["data"]
    assert {i["id"] for i in exact} == {a["id"], b["id"]}
    part = a["phone_number"][2:8]
    contains = api.get(MESSAGING_LIST, params={"filter[phone_number][contains]": part,
                                               "page[size]": 250}).json()["data"]  # fmt: skip
    assert a["id"] in {i["id"] for i in contains}
    assert all(part in i["phone_number"] for i in contains)
    toll = api.get(MESSAGING_LIST, params={"filter[type]": "tollfree"}).json()
    assert toll["meta"]["total_results"] == sum(
        r["phone_number_type"] == "toll_free" for r in numbers()
    )
    assert api.get(MESSAGING_LIST, params={"filter[type]": "shortcode"}).json()["data"] == []
    asc = api.get(MESSAGING_LIST, params={"sort[phone_number]": "asc"}).json()["data"]
    assert [i["phone_number"] for i in asc] == sorted(r["phone_number"] for r in numbers())[:20]


@pytest.mark.rule("R-MESSAGING-LIST-QUERY")
@pytest.mark.parametrize(
    ("params", "detail", "parameter"),
    [
        ({"filter[messaging_profile_id]": "nope"}, errors.D_MUST_BE_UUID,
         "filter[messaging_profile_id]"),
        ({"filter[type]": "mobile"}, "must be one of: tollfree, longcode, shortcode",
         "filter[type]"),
        ({"filter[tag]": "x"}, errors.D_UNKNOWN_FILTER, "filter[tag]"),
        ({"filter[phone_number][starts_with]": "+1"}, errors.D_UNKNOWN_FILTER,
         "filter[phone_number][starts_with]"),
    ],
)  # fmt: skip
def test_messaging_list_errors(
    api: httpx.Client, params: dict[str, str], detail: str, parameter: str
) -> None:
    assert_422(api.get(MESSAGING_LIST, params=params), detail, parameter=parameter)


@pytest.mark.rule("R-MESSAGING-LIST-QUERY")
@pytest.mark.parametrize("params", [{"sort[phone_number]": "up"}, {"sort[tag]": "asc"},
                                    {"sort": "phone_number"}])  # fmt: skip
def test_messaging_list_sort_errors(api: httpx.Client, params: dict[str, str]) -> None:
    r = api.get(MESSAGING_LIST, params=params)
    assert_error(r, 422, "10015", errors.T_INVALID_SORT, errors.D_INVALID_SORT, pointer="/sort")


# ================================================================================================
# R-MESSAGING-UPDATE
# ================================================================================================
@pytest.mark.rule("R-MESSAGING-UPDATE")
def test_messaging_update_shows_everywhere(api: httpx.Client) -> None:
    record = first(messaging_profile_id=None)
    path = f"{N}/{record['id']}/messaging"
    prof = profile(0)
    r = api.patch(path, json={"messaging_profile_id": prof["id"], "messaging_product": "A2P",
                              "tags": ["m1", "m1", "m2"]})  # fmt: skip
    assert r.status_code == 200, r.text
    view = r.json()["data"]
    assert (view["messaging_product"], view["traffic_type"], view["tags"]) == (
        "A2P", "A2P", ["m1", "m2"])  # fmt: skip
    detailed = number(api, record["id"])
    assert detailed["messaging_profile_name"] == prof["name"]
    assert detailed["tags"] == ["m1", "m2"]
    assert detailed["updated_at"] == view["updated_at"] != record["updated_at"]
    kept = api.patch(path, json={"messaging_profile_id": None, "messaging_product": None})
    assert kept.json()["data"]["messaging_profile_id"] == prof["id"]
    cleared = api.patch(path, json={"messaging_profile_id": ""}).json()["data"]
    assert cleared["messaging_profile_id"] is None
    assert number(api, record["id"])["messaging_profile_name"] is None


@pytest.mark.rule("R-MESSAGING-UPDATE")
def test_messaging_update_errors_change_nothing(api: httpx.Client) -> None:
    record = first(messaging_profile_id=None)
    path = f"{N}/{record['id']}/messaging"
    before = number(api, record["id"])
    unknown = {"messaging_profile_id": "0e5c2f2c-0000-4000-8000-000000000000"}
    assert_422(api.patch(path, json=unknown), errors.D_MESSAGING_PROFILE_UNKNOWN,
               pointer="/messaging_profile_id")  # fmt: skip
    assert_422(api.patch(path, json={"messaging_product": "SHORT"}),
               errors.D_MESSAGING_PRODUCT_UNKNOWN, pointer="/messaging_product")  # fmt: skip
    assert_422(api.patch(path, json={"tags": "x"}), "must be an array or null", pointer="/tags")
    toll_free = (
        next(r for r in plain() if r["phone_number_type"] == "toll_free")
        if any(r["phone_number_type"] == "toll_free" for r in plain())
        else next(
            r
            for r in numbers()
            if r["phone_number_type"] == "toll_free" and r["status"] == "active"
        )
    )
    assert_422(api.patch(f"{N}/{toll_free['id']}/messaging", json={"messaging_product": "P2P"}),
               errors.D_MESSAGING_PRODUCT_INELIGIBLE.format(type="tollfree"),
               pointer="/messaging_product")  # fmt: skip
    frozen = locked()
    r = api.patch(f"{N}/{frozen['id']}/messaging", json={"tags": ["x"]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["source"] == {"pointer": "/phone_numbers"}
    assert_404(api.patch(f"{N}/999/messaging", json={}), "/id")
    assert_404(api.get(f"{N}/999/messaging"), "/id")
    assert number(api, record["id"]) == before


# ================================================================================================
# voicemail: R-VOICEMAIL-FIELDS, R-VOICEMAIL-CREATE-TWICE, R-VOICEMAIL-MISSING, V-NULLS-VOICEMAIL
# ================================================================================================
@pytest.mark.rule("R-VOICEMAIL-MISSING")
@pytest.mark.rule("V-NULLS-VOICEMAIL")
def test_voicemail_lifecycle(api: httpx.Client) -> None:
    path = f"{N}/{without_voicemail()['id']}/voicemail"
    assert_404(api.get(path), "/phone_number_id")
    assert_404(api.patch(path, json={"enabled": True}), "/phone_number_id")
    created = api.post(path, json={})
    assert created.status_code == 200, created.text
    assert created.json() == {"data": {"enabled": True}}  # no pin yet: left out, never null
    assert api.get(path).json() == {"data": {"enabled": True}}
    changed = api.patch(path, json={"pin": "0042", "enabled": False}).json()["data"]
    assert changed == {"enabled": False, "pin": "0042"}
    greeting = {"mode": "custom_greeting", "media_name": "intro.wav"}
    assert api.patch(path, json={"greeting": greeting}).json()["data"]["greeting"] == greeting
    back = api.patch(path, json={"greeting": {"mode": "default"}}).json()["data"]
    assert back["greeting"] == {"mode": "default"}


@pytest.mark.rule("R-VOICEMAIL-MISSING")
def test_voicemail_of_unknown_or_deleted_numbers(api: httpx.Client) -> None:
    assert_404(api.get(f"{N}/999/voicemail"), "/phone_number_id")
    assert_404(api.post(f"{N}/999/voicemail", json={}), "/phone_number_id")
    seeded, _ = with_voicemail()
    if seeded["deletion_lock_enabled"]:  # pragma: no cover - the default world's pick is unlocked
        pytest.fail("pick an unlocked number")
    assert api.delete(f"{N}/{seeded['id']}").status_code == 200
    assert_404(api.get(f"{N}/{seeded['id']}/voicemail"), "/phone_number_id")


@pytest.mark.rule("R-VOICEMAIL-CREATE-TWICE")
def test_second_create_is_a_422_and_changes_nothing(api: httpx.Client) -> None:
    path = f"{N}/{without_voicemail()['id']}/voicemail"
    assert api.post(path, json={"pin": "1234"}).status_code == 200
    assert_422(api.post(path, json={"pin": "9999"}), errors.D_VOICEMAIL_EXISTS, pointer="/base")
    assert api.get(path).json()["data"]["pin"] == "1234"
    seeded, settings = with_voicemail()
    assert_422(api.post(f"{N}/{seeded['id']}/voicemail", json={}), errors.D_VOICEMAIL_EXISTS,
               pointer="/base")  # fmt: skip
    assert api.get(f"{N}/{seeded['id']}/voicemail").json()["data"]["pin"] == settings["pin"]


@pytest.mark.rule("R-VOICEMAIL-FIELDS")
@pytest.mark.parametrize(
    ("body", "detail", "pointer"),
    [
        ({"pin": "12"}, errors.D_VOICEMAIL_PIN, "/pin"),
        ({"pin": "123456789"}, errors.D_VOICEMAIL_PIN, "/pin"),
        ({"pin": "12a4"}, errors.D_VOICEMAIL_PIN, "/pin"),
        ({"pin": 1234}, "must be a string", "/pin"),
        ({"enabled": "yes"}, "must be a boolean", "/enabled"),
        ({"greeting": {"mode": "loud"}}, "must be one of: default, custom_greeting",
         "/greeting/mode"),
        ({"greeting": {"mode": "custom_greeting"}}, errors.D_VOICEMAIL_MEDIA_NAME,
         "/greeting/media_name"),
    ],
)  # fmt: skip
def test_voicemail_field_errors(
    api: httpx.Client, body: dict[str, Any], detail: str, pointer: str
) -> None:
    path = f"{N}/{without_voicemail()['id']}/voicemail"
    assert_422(api.post(path, json=body), detail, pointer=pointer)
    assert_404(api.get(path), "/phone_number_id")  # nothing was created


# ================================================================================================
# CSV downloads: R-CSV-QUERY, L-CSV-DOWNLOAD, R-CSV-FILE, V-CSV-COLUMNS, Q-CSV-404, V-NULLS-CSV
# ================================================================================================
@pytest.mark.rule("R-CSV-QUERY")
@pytest.mark.parametrize(
    ("params", "detail", "parameter"),
    [
        ({"csv_format": "V3"}, errors.D_ONE_OF.format(values="V1, V2"), "csv_format"),
        ({"filter[has_bundle]": "yes"}, errors.D_TRUE_OR_FALSE, "filter[has_bundle]"),
        ({"filter[number_type][eq]": "local"}, errors.D_UNKNOWN_FILTER, "filter[number_type]"),
        ({"filter[status]": "lost"}, "must be one of: purchase-pending, purchase-failed, "
         "port-pending, active, deleted, port-failed, emergency-only, ported-out, "
         "port-out-pending", "filter[status]"),
        ({"filter[phone_number]": "12"}, errors.D_FILTER_MIN_DIGITS, "filter[phone_number]"),
        ({"include_managed_accounts": "maybe"}, errors.D_TRUE_OR_FALSE,
         "include_managed_accounts"),
    ],
)  # fmt: skip
def test_csv_query_errors(
    api: httpx.Client, params: dict[str, str], detail: str, parameter: str
) -> None:
    assert_422(api.post(CSV, params=params), detail, parameter=parameter)
    assert api.get(CSV).json()["data"] == []


@pytest.mark.rule("R-CSV-MANAGED-ACCOUNTS")
def test_managed_accounts_are_a_403(api: httpx.Client) -> None:
    r = api.post(CSV, params={"include_managed_accounts": "true"})
    assert_error(r, 403, "10010", "Authorization Failed", errors.D_MANAGED_ACCOUNTS,
                 parameter="include_managed_accounts")  # fmt: skip
    assert api.post(CSV, params={"include_managed_accounts": "false"}).status_code == 200


@pytest.mark.rule("L-CSV-DOWNLOAD")
@pytest.mark.rule("V-NULLS-CSV")
def test_csv_download_lifecycle(api: httpx.Client) -> None:
    from tests.conftest import advance

    record = api.post(CSV).json()["data"][0]
    assert set(record) == {"id", "record_type", "status", "url"}
    assert record["status"] == "pending"
    path = f"{CSV}/{record['id']}"
    advance(api, 0.5)
    assert api.get(path).json()["data"][0]["status"] == "pending"
    assert api.get(path).json()["data"][0]["status"] == "pending"  # reading never moves it
    advance(api, 0.6)
    assert api.get(path).json() == {"data": [{**record, "status": "complete"}]}


@pytest.mark.rule("L-CSV-DOWNLOAD")
@pytest.mark.parametrize(("kind", "status"), [("fail_jobs", "failed"), ("expire_jobs", "expired")])
def test_csv_download_faults(api: httpx.Client, kind: str, status: str) -> None:
    assert api.post("/_mock/faults", json={"kind": kind, "times": 1}).status_code in (200, 201)
    doomed = api.post(CSV).json()["data"][0]
    fine = api.post(CSV).json()["data"][0]
    run_jobs(api)
    assert api.get(f"{CSV}/{doomed['id']}").json()["data"][0]["status"] == status
    assert api.get(f"{CSV}/{fine['id']}").json()["data"][0]["status"] == "complete"
    r = api.get(f"{CSV}/{doomed['id']}/file")
    assert_404(r, "/id", errors.D_CSV_NOT_READY)


@pytest.mark.rule("R-CSV-FILE")
@pytest.mark.rule("V-CSV-COLUMNS")
def test_csv_file_is_a_snapshot_of_the_list(api: httpx.Client) -> None:
    import csv as csv_module
    import io

    params = {"filter[tag]": "sales", "filter[status]": "active"}
    listed = []
    page = 1
    while True:
        body = api.get(N, params={**params, "page[size]": 250, "page[number]": page}).json()
        listed += body["data"]
        if page >= body["meta"]["total_pages"]:
            break
        page += 1
    v1 = api.post(CSV, params=params).json()["data"][0]
    v2 = api.post(CSV, params={**params, "csv_format": "V2"}).json()["data"][0]
    assert_404(api.get(f"{CSV}/{v1['id']}/file"), "/id", errors.D_CSV_NOT_READY)
    # a change after creation does not show in the file
    changed = listed[0]["id"]
    api.patch(f"{N}/{changed}", json={"customer_reference": "after-the-snapshot"})
    run_jobs(api)
    r1, r2 = api.get(v1["url"]), api.get(v2["url"])
    assert r1.headers["content-type"].startswith("text/csv")
    rows1 = list(csv_module.reader(io.StringIO(r1.text, newline="")))
    rows2 = list(csv_module.DictReader(io.StringIO(r2.text, newline="")))
    assert rows1[0] == ["phone_number", "status", "connection_name", "tags",
                        "customer_reference", "emergency_enabled", "created_at"]  # fmt: skip
    assert r1.text.endswith("\r\n")
    assert [row[0] for row in rows1[1:]] == [n["phone_number"] for n in listed]
    assert [row["id"] for row in rows2] == [n["id"] for n in listed]
    for row, item in zip(rows2, listed, strict=True):
        assert row["tags"] == ";".join(item["tags"])
        assert row["customer_reference"] == (item["customer_reference"] or "")
        assert row["emergency_enabled"] == str(item["emergency_enabled"]).lower()
        assert row["connection_name"] == (item["connection_name"] or "")
    assert "after-the-snapshot" not in r2.text


@pytest.mark.rule("R-CSV-FILE")
def test_csv_has_bundle_filter_sees_bundle_changes(api: httpx.Client) -> None:
    record = first(has_bundle=False)
    api.patch(f"{N}/{record['id']}/actions/bundle_status_change", json={"bundle_id": bundle()})
    made = api.post(CSV, params={"filter[has_bundle]": "true", "csv_format": "V2"}).json()
    run_jobs(api)
    text = api.get(made["data"][0]["url"]).text
    ids = {line.split(",")[0] for line in text.splitlines()[1:]}
    assert record["id"] in ids
    assert len(ids) == sum(r["has_bundle"] for r in numbers()) + 1


@pytest.mark.rule("Q-CSV-404")
def test_unknown_download(api: httpx.Client, other_api: httpx.Client) -> None:
    assert_404(api.get(f"{CSV}/nope"), "/id")
    assert_404(api.get(f"{CSV}/nope/file"), "/id")
    mine = api.post(CSV).json()["data"][0]
    assert_404(other_api.get(f"{CSV}/{mine['id']}"), "/id")  # another tenant's


# ================================================================================================
# actions: R-ENABLE-EMERGENCY, R-BUNDLE-STATUS-CHANGE, R-VERIFY-OWNERSHIP
# ================================================================================================
@pytest.mark.rule("R-ENABLE-EMERGENCY")
def test_enable_emergency_sets_what_the_job_sets(api: httpx.Client) -> None:
    record = first(emergency_enabled=False)
    path = f"{N}/{record['id']}/actions/enable_emergency"
    r = api.post(path, json={"emergency_enabled": True, "emergency_address_id": ADDRESS})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["emergency"] == {
        "emergency_enabled": True,
        "emergency_status": "active",
        "emergency_address_id": ADDRESS,
    }
    detailed = number(api, record["id"])
    assert (detailed["emergency_enabled"], detailed["emergency_address_id"]) == (True, ADDRESS)
    by_address = api.get(N, params={"filter[emergency_address_id]": ADDRESS, "page[size]": 250})
    assert record["id"] in {i["id"] for i in by_address.json()["data"]}


@pytest.mark.rule("R-ENABLE-EMERGENCY")
@pytest.mark.parametrize(
    ("body", "detail", "pointer"),
    [
        ({"emergency_enabled": True}, errors.D_MUST_BE_PRESENT, "/emergency_address_id"),
        ({"emergency_address_id": ADDRESS}, errors.D_MUST_BE_PRESENT, "/emergency_enabled"),
        ({"emergency_enabled": False, "emergency_address_id": ADDRESS}, errors.D_MUST_BE_TRUE,
         "/emergency_enabled"),
        ({"emergency_enabled": True, "emergency_address_id": ""},
         errors.D_EMERGENCY_ADDRESS_REQUIRED, "/emergency_address_id"),
        ({"emergency_enabled": True, "emergency_address_id": "424242"}, "The field is invalid.",
         "/emergency_address_id"),
        ({"emergency_enabled": "on", "emergency_address_id": ADDRESS}, "must be a boolean",
         "/emergency_enabled"),
    ],
)  # fmt: skip
def test_enable_emergency_errors(
    api: httpx.Client, body: dict[str, Any], detail: str, pointer: str
) -> None:
    record = first(emergency_enabled=False)
    r = api.post(f"{N}/{record['id']}/actions/enable_emergency", json=body)
    assert_422(r, detail, pointer=pointer)
    assert number(api, record["id"])["emergency_enabled"] is False


@pytest.mark.rule("R-ENABLE-EMERGENCY")
def test_enable_emergency_on_a_locked_or_unknown_number(api: httpx.Client) -> None:
    body = {"emergency_enabled": True, "emergency_address_id": ADDRESS}
    r = api.post(f"{N}/{locked()['id']}/actions/enable_emergency", json=body)
    assert r.status_code == 422
    assert "cannot be modified" in r.json()["errors"][0]["detail"]
    assert_404(api.post(f"{N}/999/actions/enable_emergency", json=body), "/id")


@pytest.mark.rule("R-BUNDLE-STATUS-CHANGE")
def test_bundle_status_change(api: httpx.Client) -> None:
    record = first(has_bundle=False)
    path = f"{N}/{record['id']}/actions/bundle_status_change"
    assert api.patch(path, json={"bundle_id": bundle(0)}).status_code == 200
    assert api.patch(path, json={"bundle_id": bundle(0)}).status_code == 200  # same: no-op
    assert_422(api.patch(path, json={"bundle_id": bundle(1)}), errors.D_BUNDLE_MOVE,
               pointer="/bundle_id")  # fmt: skip
    assert api.patch(path, json={"bundle_id": None}).status_code == 200
    assert api.patch(path, json={"bundle_id": bundle(1)}).status_code == 200
    assert_422(api.patch(path, json={}), errors.D_MUST_BE_PRESENT, pointer="/bundle_id")
    assert_422(api.patch(path, json={"bundle_id": 7}), "must be a string or null",
               pointer="/bundle_id")  # fmt: skip
    assert_422(api.patch(path, json={"bundle_id": "9f6a6f1e-0000-4000-8000-000000000000"}),
               errors.D_BUNDLE_UNKNOWN, pointer="/bundle_id")  # fmt: skip
    assert_404(api.patch(f"{N}/999/actions/bundle_status_change", json={"bundle_id": None}),
               "/id")  # fmt: skip


@pytest.mark.rule("R-VERIFY-OWNERSHIP")
def test_verify_ownership(api: httpx.Client) -> None:
    a, b = plain()[:2]
    frozen = locked()
    given = [b["phone_number"], "+15550001111", a["phone_number"], b["phone_number"],
             frozen["phone_number"]]  # fmt: skip
    r = api.post(VERIFY, json={"phone_numbers": given})
    assert r.status_code == 200, r.text
    assert r.json() == {"data": {
        "record_type": "number_ownership_verification",
        "found": [{"id": b["id"], "number_val_e164": b["phone_number"]},
                  {"id": a["id"], "number_val_e164": a["phone_number"]}],
        "not_found": ["+15550001111", frozen["phone_number"]],
    }}  # fmt: skip


@pytest.mark.rule("R-VERIFY-OWNERSHIP")
@pytest.mark.parametrize(
    ("body", "status", "code", "title", "detail", "pointer"),
    [
        ({}, 422, *BAD, errors.D_MUST_BE_PRESENT, "/phone_numbers"),
        ({"phone_numbers": []}, 422, *BAD, errors.D_MIN_NUMBERS, "/phone_numbers"),
        ({"phone_numbers": ["+1312"] * 1001}, 422, *BAD,
         errors.D_MAX_NUMBERS.format(limit=1000), "/phone_numbers"),
        ({"phone_numbers": ["+13127367254", "1583466971586889004"]}, 422, errors.NOT_E164,
         errors.T_NOT_E164, errors.D_NOT_E164_ITEM, "/phone_numbers/1"),
        ({"phone_numbers": "+13127367254"}, 422, *BAD, "must be an array", "/phone_numbers"),
    ],
)  # fmt: skip
def test_verify_ownership_errors(
    api: httpx.Client, body: Any, status: int, code: str, title: str, detail: str, pointer: str
) -> None:
    assert_error(api.post(VERIFY, json=body), status, code, title, detail, pointer=pointer)


# ================================================================================================
# R-COLLECTION-METHODS, S-PIN-REDACTED
# ================================================================================================
@pytest.mark.rule("R-COLLECTION-METHODS")
@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("PATCH", SLIM, "GET"), ("DELETE", VOICE_LIST, "GET"), ("PATCH", MESSAGING_LIST, "GET"),
     ("DELETE", CSV, "GET, POST"), ("DELETE", f"{N}/jobs", "GET")],
)  # fmt: skip
def test_collections_are_not_numbers(api: httpx.Client, method: str, path: str, allow: str) -> None:
    r = api.request(method, path, json={})
    assert r.status_code == 405
    assert r.headers["allow"] == allow
    assert r.json()["errors"][0]["title"] == errors.T_METHOD_NOT_ALLOWED


@pytest.mark.rule("S-PIN-REDACTED")
def test_the_pin_never_reaches_the_journal(api: httpx.Client) -> None:
    path = f"{N}/{without_voicemail()['id']}/voicemail"
    api.post(path, json={"pin": "73519", "enabled": True})
    api.patch(path, json={"pin": "86420"})
    api.get(path)
    journal = api.get("/_mock/journal", params={"path": "/phone_numbers/{id}/voicemail"})
    assert journal.status_code == 200
    text = journal.text
    assert "73519" not in text
    assert "86420" not in text
    entries = journal.json()["data"]
    assert len(entries) == 3
    assert entries[0]["request"] == {"pin": "REDACTED", "enabled": True}
    assert all(e["response"]["data"]["pin"] == "REDACTED" for e in entries)


@pytest.mark.rule("S-PIN-REDACTED")
def test_the_pin_is_a_default_cassette_redaction() -> None:
    from mockserver.cassette.redact import DEFAULT_JSON_FIELDS
    from mockserver.journal import s_pin_redacted

    assert {"pin", "external_pin"} <= DEFAULT_JSON_FIELDS
    raw = b'{"data":{"enabled":true,"pin":"1234"}}'
    clean, size = s_pin_redacted(raw, len(raw))
    assert clean == b'{"data":{"enabled":true,"pin":"REDACTED"}}'
    assert size == len(clean)
    cut, cut_size = s_pin_redacted(raw[:34], len(raw))  # cut short: redacted as far as it goes
    assert b"123" not in cut
    assert b"REDACTED" in cut
    assert cut_size == len(raw)
    assert s_pin_redacted(raw[:20], len(raw)) == (raw[:20], len(raw))  # cut before any pin
    assert s_pin_redacted(b'{"a":1}', 7) == (b'{"a":1}', 7)
