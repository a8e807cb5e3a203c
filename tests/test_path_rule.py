"""One path rule for every server mode: ``serve``, ``replay`` and ``record`` answer an API path
with or without the ``/v2`` prefix (``mockserver.api_paths``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest

from mockserver import api_paths
from mockserver.app import create_app
from mockserver.cassette import format as cformat
from mockserver.cassette.proxy import create_proxy_app
from mockserver.cassette.replay_app import create_replay_app
from mockserver.cassette.session import CassetteSession
from mockserver.clock import ManualClock
from mockserver.config import Settings
from mockserver.transport import ASGIBridge

KEY = "path-rule-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
NUMBER = "/phone_numbers/1583466971586889004"


@pytest.mark.parametrize(
    ("path", "other"),
    [
        ("/v2/phone_numbers", "/phone_numbers"),
        ("/phone_numbers/jobs", "/v2/phone_numbers/jobs"),
        ("/v2", "/"),
        ("/_mock/health", None),
        ("/", None),
    ],
)
def test_alternate_spelling(path: str, other: str | None) -> None:
    assert api_paths.alternate(path) == other


@pytest.mark.parametrize(
    ("base", "path", "sent"),
    [
        ("", "/phone_numbers", "/v2/phone_numbers"),
        ("", "/v2/phone_numbers", "/v2/phone_numbers"),
        ("/v2", "/phone_numbers", "/v2/phone_numbers"),
        ("/v2/", "/v2/phone_numbers", "/v2/phone_numbers"),
        ("/base", "/v2/x", "/base/v2/x"),
        ("/v2", "/_mock/health", "/v2/_mock/health"),
        ("", "/_mock/reset", "/_mock/reset"),
    ],
)
def test_upstream_path_sends_one_spelling(base: str, path: str, sent: str) -> None:
    assert api_paths.upstream_path(base, path) == sent


def proxy(path: Path, upstream: str, mode: str) -> httpx.Client:
    emulator = create_app(Settings(manual_clock=True), clock=ManualClock())
    session = CassetteSession(path, mode)
    app = create_proxy_app(upstream, session, transport=ASGIBridge(emulator))
    return httpx.Client(transport=ASGIBridge(app), base_url="http://127.0.0.1:4010", headers=AUTH)


@pytest.mark.parametrize("upstream", ["https://api.telnyx.com/v2", "https://api.telnyx.com"])
@pytest.mark.parametrize("prefix", ["", "/v2"])
def test_record_accepts_both_spellings_and_records_the_v2_one(
    tmp_path: Path, upstream: str, prefix: str
) -> None:
    """The issue's story: record through ``--upstream https://api.telnyx.com/v2`` with a client
    whose base URL is the recorder's root (or with /v2): the upstream gets the path once."""
    cassette = tmp_path / "c.yaml"
    with proxy(cassette, upstream, "all") as client:
        answer = client.get(prefix + NUMBER)
    assert answer.status_code == 200
    [recorded] = cformat.load(cassette).interactions
    assert recorded.request.uri == "https://api.telnyx.com/v2" + NUMBER
    # and the recorder, replaying (mode none), answers both spellings from that recording
    with proxy(cassette, upstream, "none") as client:
        for spelling in ("", "/v2"):
            again = client.get(spelling + NUMBER)
            assert again.status_code == 200
            assert again.json()["data"]["id"] == answer.json()["data"]["id"]


@pytest.mark.parametrize("recorded_prefix", ["", "/v2"])
def test_replay_answers_with_and_without_v2(tmp_path: Path, recorded_prefix: str) -> None:
    cassette = tmp_path / "c.yaml"
    with proxy(cassette, "http://127.0.0.1:9" + recorded_prefix, "all") as client:
        client.get(NUMBER)
    # a cassette written by hand (or by another tool) may hold either spelling
    loaded = cformat.load(cassette)
    if not recorded_prefix:
        loaded = dataclasses.replace(loaded, interactions=[
            dataclasses.replace(i, request=dataclasses.replace(
                i.request, uri=i.request.uri.replace("/v2/", "/")))
            for i in loaded.interactions
        ])  # fmt: skip
        assert "/v2/" not in loaded.interactions[0].request.uri
    app = create_replay_app(loaded)
    with httpx.Client(transport=ASGIBridge(app), base_url="http://127.0.0.1:4011") as client:
        for spelling in ("", "/v2"):
            assert client.get(spelling + NUMBER, headers=AUTH).status_code == 200, spelling
        miss = client.get("/v2/phone_numbers/1")
        assert miss.status_code == 404
        assert client.get("/_mock/health").json()["data"]["interactions"] == 1
