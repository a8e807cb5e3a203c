"""Issue 17's redaction: fields found in the parsed document (any spelling of the key), the
default secret headers (cookies, ``X-Api-Key``, ``Proxy-Authorization``) and the user
information of a URL, each through the recording transport and the recording proxy; plus
``mockserver.scrub`` itself (the tokenizer for text that is not JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import scrub
from mockserver.cassette import format as cformat
from mockserver.cassette.format import Interaction, RecordedRequest, RecordedResponse
from mockserver.cassette.proxy import create_proxy_app
from mockserver.cassette.record import RecordingTransport
from mockserver.cassette.redact import Redactor
from mockserver.cassette.session import CassetteSession
from mockserver.cli import main
from mockserver.transport import ASGIBridge

PIN = "86420"
COOKIE = "c00kie-0123456789abcdef"
API_KEY = "xak-0123456789abcdef"
PROXY_AUTH = "Basic cHJveHk6c2VjcmV0LXByb3h5"
USER, PASSWORD = "acct-user", "pa55-w0rd-secret"
UPSTREAM = "https://api.telnyx.com"
PATH = "/v2/phone_numbers/1583466971586889004"
SECRETS = (PIN, COOKIE, API_KEY, PROXY_AUTH, "cHJveHk6c2VjcmV0LXByb3h5", USER, PASSWORD)
HEADERS = {
    "Cookie": f"session={COOKIE}; lang=en",
    "X-Api-Key": API_KEY,
    "Proxy-Authorization": PROXY_AUTH,
}
#: request bodies that all name the pin; the escaped key is the issue's own example
BODIES = [
    '{"external_pin": "86420"}',
    '{"external\\u005fpin": "86420"}',
    '{"\\u0065xternal_pin": "86420", "tags": []}',
    '{"voice": {"external_pin": "86420"}, "external_pin": null}',
    '{"external_pin": "86420", "external_pin": null}',
]


def upstream(request: httpx.Request) -> httpx.Response:
    """Answers with the secrets a server may send: a session cookie and the pin."""
    body = {"data": {"external\u005fpin": PIN, "id": "1"}}
    return httpx.Response(
        200, json=body, headers={"Set-Cookie": f"session={COOKIE}; Path=/; HttpOnly"}
    )


def assert_clean(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} reached the cassette:\n{text}"
    [interaction] = cformat.load(path).interactions
    request = interaction.request
    assert request.uri == UPSTREAM + PATH
    for name in ("Cookie", "X-Api-Key"):
        assert request.headers[name.lower()] == ["REDACTED"], request.headers
    assert interaction.response.headers["set-cookie"] == ["REDACTED"]
    assert json.loads(interaction.response.body)["data"]["external_pin"] == "REDACTED"
    return json.loads(request.body or "null")  # type: ignore[no-any-return]


# -- the recording transport ----------------------------------------------------------------------
@pytest.mark.parametrize("body", BODIES)
def test_the_transport_redacts_by_default(tmp_path: Path, body: str) -> None:
    path = tmp_path / "c.yaml"
    transport = RecordingTransport(path, "all", inner=httpx.MockTransport(upstream))
    base = f"https://{USER}:{PASSWORD}@api.telnyx.com"  # user information in the URL
    with httpx.Client(transport=transport, base_url=base) as client:
        headers = {**HEADERS, "Content-Type": "application/json"}
        r = client.patch(PATH, content=body, headers=headers)
    assert r.status_code == 200
    sent = assert_clean(path)
    assert "REDACTED" in json.dumps(sent)
    [interaction] = cformat.load(path).interactions
    assert interaction.request.headers["authorization"] == ["REDACTED"]  # httpx's Basic auth


# -- the recording proxy --------------------------------------------------------------------------
@pytest.mark.parametrize("body", BODIES)
def test_the_proxy_redacts_by_default(tmp_path: Path, body: str) -> None:
    path = tmp_path / "c.yaml"
    seen: list[httpx.Request] = []

    def far(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return upstream(request)

    url = f"https://{USER}:{PASSWORD}@api.telnyx.com"
    session = CassetteSession(path, "all")
    app = create_proxy_app(url, session, transport=httpx.MockTransport(far))
    with httpx.Client(transport=ASGIBridge(app), base_url="http://127.0.0.1:4010") as client:
        headers = {**HEADERS, "Content-Type": "application/json"}
        r = client.patch(PATH, content=body, headers=headers)
    assert r.status_code == 200, r.text
    assert_clean(path)
    [forwarded] = seen
    assert forwarded.headers["x-api-key"] == API_KEY  # redaction is for the cassette only
    assert "proxy-authorization" not in forwarded.headers  # hop-by-hop: never forwarded


def test_the_record_banner_and_errors_show_no_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("mockserver.launch.run_on", lambda sock, app, **options: None)
    url = f"https://{USER}:{PASSWORD}@api.telnyx.com/base"
    argv = ["record", "--upstream", url, "--cassette", str(tmp_path / "c.yaml"), "--port", "0"]
    assert main(argv) == 0
    banner = capsys.readouterr().err
    assert "-> https://api.telnyx.com/base," in banner
    with pytest.raises(SystemExit):
        main(["record", "--upstream", f"ftp://{USER}:{PASSWORD}@x", "--cassette", "c.yaml"])
    refused = capsys.readouterr().err
    assert "ftp://x" in refused
    for text in (banner, refused):
        assert USER not in text
        assert PASSWORD not in text


def test_the_proxy_502_names_the_upstream_without_credentials(tmp_path: Path) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    url = f"https://{USER}:{PASSWORD}@api.telnyx.com"
    session = CassetteSession(tmp_path / "c.yaml", "all")
    app = create_proxy_app(url, session, transport=httpx.MockTransport(down))
    with httpx.Client(transport=ASGIBridge(app), base_url="http://127.0.0.1:4010") as client:
        r = client.get(PATH)
    assert r.status_code == 502
    assert "https://api.telnyx.com" in r.text
    assert USER not in r.text
    assert PASSWORD not in r.text


# -- the redactor and scrub -----------------------------------------------------------------------
def interaction(body: str, content_type: str = "application/json") -> Interaction:
    return Interaction(
        RecordedRequest("POST", UPSTREAM + PATH, {"Content-Type": [content_type]}, body),
        RecordedResponse(200, headers={"Content-Type": [content_type]}, body=body),
    )


def test_a_form_body_is_redacted_by_field() -> None:
    kept = Redactor().interaction(
        interaction(f"external_pin={PIN}&tags=a", "application/x-www-form-urlencoded")
    )
    assert kept.request.body == "external_pin=REDACTED&tags=a"


def test_text_that_is_not_json_is_kept() -> None:
    kept = Redactor().interaction(interaction("plain words, external_pin nowhere", "text/plain"))
    assert kept.request.body == "plain words, external_pin nowhere"


def test_a_body_without_secrets_keeps_its_spelling() -> None:
    body = '{ "tags" : [ "a" ],  "n": 1 }'
    assert Redactor().interaction(interaction(body)).request.body == body


def test_a_short_cookie_value_is_not_scrubbed_elsewhere() -> None:
    recorded = Interaction(
        RecordedRequest("GET", UPSTREAM + PATH, {"Cookie": ["consent=true"]}, None),
        RecordedResponse(200, body='{"data": {"enabled": true}}'),
    )
    kept = Redactor().interaction(recorded)
    assert kept.request.headers["Cookie"] == ["REDACTED"]
    assert kept.response.body == '{"data": {"enabled": true}}'  # "true" is no secret


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"external_pin": "1234", "a": ["cut', '{"external_pin": "REDACTED", "a": ["cut'),
        ('{"external\\u005fpin":"1\\"2", x', '{"external\\u005fpin":"REDACTED", x'),
        ('{"a": {"external_pin": 1234}, "b": [', '{"a": {"external_pin": "REDACTED"}, "b": ['),
        ('{"external_pin": {"x": [1, "}"]}, "n"', '{"external_pin": "REDACTED", "n"'),
        ('{"external_pin": null, "x": ', None),
        ('{"external_pin": "12', '{"external_pin": "REDACTED"'),
        ('["external_pin", "1234"', None),  # a value, not a key
        ("no quotes at all", None),
    ],
)
def test_the_tokenizer_redacts_text_that_is_not_json(text: str, expected: str | None) -> None:
    assert scrub.json_text(text, {"external_pin"}) == expected


def test_scrub_handles_deep_nesting_and_lone_surrogates() -> None:
    deep = '{"external_pin": "1", "a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    found = scrub.json_text(deep, {"external_pin"})
    assert found is not None
    assert found.startswith('{"external_pin": "REDACTED"')
    surrogate = scrub.json_text('{"external_pin": "1", "s": "\\ud800"}', {"external_pin"})
    assert surrogate == '{"external_pin":"REDACTED","s":"\\ud800"}'


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://u:p@host/x?q=1", "https://host/x?q=1"),
        ("https://u@host:8443", "https://host:8443"),
        ("https://host/a@b", "https://host/a@b"),  # an @ in the path is no user information
        ("http://[::1]:80/", "http://[::1]:80/"),
    ],
)
def test_without_userinfo(url: str, shown: str) -> None:
    assert scrub.without_userinfo(url) == shown
