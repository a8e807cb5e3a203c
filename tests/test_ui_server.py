"""The dashboard's server side: its files, its headers, ``GET /_mock/tenants``, ``--no-control``,
and the access log, which never prints the key a dashboard link carries."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from importlib import resources

import httpx
import pytest
from starlette.applications import Starlette

from mockserver.app import create_app
from mockserver.clock import ManualClock
from mockserver.config import Settings
from mockserver.http import ui
from mockserver.http.middleware import without_key
from mockserver.journal import fingerprint
from mockserver.transport import ASGIBridge
from tests.conftest import make_client
from tests.helpers import captured_log

SECRET = "sk-ui-secret-4711"


def plain_client(app: Starlette, headers: dict[str, str] | None = None) -> httpx.Client:
    """No schema check: the page's files are not API responses."""
    return httpx.Client(
        transport=ASGIBridge(app), base_url="http://127.0.0.1:4010", headers=headers or {}
    )


def test_every_shipped_file_is_served_and_nothing_else(app: Starlette) -> None:
    shipped = {p.name for p in resources.files("mockserver").joinpath("ui").iterdir()}
    assert shipped == set(ui.ASSETS)  # a file added to the folder must be listed, and back
    with plain_client(app) as client:
        page = client.get("/_mock/ui")
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert '<script type="module" src="/_mock/ui/app.js">' in page.text
        for name, media in ui.ASSETS.items():
            r = client.get(f"/_mock/ui/{name}")
            assert (r.status_code, r.headers["content-type"]) == (200, media), name
            assert r.content == resources.files("mockserver").joinpath("ui", name).read_bytes()
        for bad in ("nope.js", "..%2Fapp.py", "%2e%2e", "index.htm"):
            r = client.get(f"/_mock/ui/{bad}")
            assert r.status_code == 404, bad
            assert r.json()["errors"][0]["code"] == "10005"


def test_the_page_may_load_nothing_from_elsewhere(app: Starlette) -> None:
    with plain_client(app) as client:
        headers = client.get("/_mock/ui").headers
    parts = headers["content-security-policy"].split(";")
    policy = dict(part.strip().split(" ", 1) for part in parts)
    assert policy["default-src"] == "'none'"
    for directive in ("script-src", "style-src", "img-src", "connect-src"):
        assert policy[directive] == "'self'"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"


def test_the_page_references_only_its_own_files() -> None:
    folder = resources.files("mockserver").joinpath("ui")
    for name in ui.ASSETS:
        text = folder.joinpath(name).read_text("utf-8")
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", ""), name
        assert "https://" not in text, name
        assert "//cdn" not in text, name


def test_no_control_removes_the_dashboard() -> None:
    app = create_app(Settings(manual_clock=True, control=False), clock=ManualClock())
    with plain_client(app, {"Authorization": "Bearer k"}) as client:
        for path in ("/_mock/ui", "/_mock/ui/app.js", "/_mock/tenants"):
            r = client.get(path)
            assert r.status_code == 404, path


def test_tenants_lists_fingerprints_never_keys(app: Starlette) -> None:
    with plain_client(app) as anonymous:
        assert anonymous.get("/_mock/tenants").json() == {"data": [], "meta": {"you": None}}
        with make_client(app, SECRET) as first, make_client(app, "second-key") as second:
            assert first.get("/v2/phone_numbers/jobs").status_code == 200
            mine = second.get("/_mock/tenants")
            assert mine.status_code == 200
            assert mine.json() == {
                "data": [{"tenant": fingerprint(SECRET)}, {"tenant": fingerprint("second-key")}],
                "meta": {"you": fingerprint("second-key")},
            }
            listed = anonymous.get("/_mock/tenants")
            assert SECRET not in listed.text
            assert listed.json()["meta"]["you"] is None
            assert first.post("/_mock/reset").status_code == 200
            assert anonymous.get("/_mock/tenants").json()["data"] == [
                {"tenant": fingerprint("second-key")}
            ]


def test_tenants_with_a_refused_key_is_the_401() -> None:
    app = create_app(Settings(manual_clock=True, api_keys=frozenset({"ok"})), clock=ManualClock())
    with plain_client(app, {"Authorization": "Bearer not-allowed"}) as client:
        r = client.get("/_mock/tenants")
    assert r.status_code == 401
    assert r.json()["errors"][0]["code"] == "10009"


@pytest.fixture
def access_log() -> Iterator[list[logging.LogRecord]]:
    """Every record of the access log (its own handler: the CLI may have set propagate off)."""
    with captured_log("mockserver.access") as records:
        yield records


def test_the_access_log_never_prints_a_key_from_the_address(
    app: Starlette, access_log: list[logging.LogRecord]
) -> None:
    with plain_client(app) as client:
        assert client.get("/_mock/ui", params={"key": SECRET}).status_code == 200
        assert client.get(f"/_mock/ui?KEY={SECRET}&x=1").status_code == 200
        assert client.get(f"/_mock/ui?%6Bey={SECRET}").status_code == 200
        assert client.get(f"/v2/phone_numbers?key={SECRET}").status_code == 401
    assert len(access_log) == 4
    for record in access_log:
        assert SECRET not in record.getMessage()
        assert SECRET not in str(record.__dict__["fields"])
        assert "[redacted]" in record.getMessage()
    assert access_log[0].getMessage().startswith("GET /_mock/ui?key=[redacted] 200")
    assert access_log[1].__dict__["fields"]["query"] == "KEY=[redacted]&x=1"


@pytest.mark.parametrize(
    ("query", "logged"),
    [
        ("", ""),
        ("key=abc", "key=[redacted]"),
        ("a=1&key=abc&b=2", "a=1&key=[redacted]&b=2"),
        ("key", "key"),
        ("monkey=1&key_id=2&filter[key]=3", "monkey=1&key_id=2&filter[key]=3"),
        ("k%65y=abc&key+=x", "k%65y=[redacted]&key+=[redacted]"),
    ],
)
def test_without_key(query: str, logged: str) -> None:
    assert without_key(query) == logged
