"""mockserver.cassette.replay and replay_app: matching, ordered polls, the closest-request error,
the respx router and ``telnyx-mock replay``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import cli
from mockserver.cassette import format as cformat
from mockserver.cassette.format import Cassette, Interaction, RecordedRequest, RecordedResponse
from mockserver.cassette.replay import Player, router
from mockserver.cassette.replay_app import MISS_HEADER, create_replay_app
from mockserver.cassette.session import CassetteMiss
from mockserver.transport import ASGIBridge

ORIGIN = "https://api.telnyx.com"
API = f"{ORIGIN}/v2"
JOB = f"{API}/phone_numbers/jobs/job-1"
CREATE = f"{API}/phone_numbers/jobs/update_phone_numbers"
JSON_HEADERS = {"content-type": ["application/json"]}
BODY = '{"phone_numbers": ["+13127367254"], "tags": ["a"]}'
PAGE = "page[size]=2&page[number]=1"


def status(value: str) -> str:
    return json.dumps({"data": {"id": "job-1", "status": value}}, separators=(",", ":"))


def exchange(method: str, uri: str, body: str | None, code: int, answer: str) -> Interaction:
    return Interaction(
        RecordedRequest(method, uri, {"Authorization": ["REDACTED"]}, body),
        RecordedResponse(code, "", dict(JSON_HEADERS), answer),
    )


def jobs_cassette() -> Cassette:
    return Cassette(
        [
            exchange("POST", CREATE, BODY, 202, status("pending")),
            exchange("GET", JOB, None, 200, status("pending")),
            exchange("GET", f"{API}/phone_numbers/jobs?{PAGE}", None, 200, '{"data":[]}'),
            exchange("GET", JOB, None, 200, status("in_progress")),
            exchange("GET", JOB, None, 200, status("completed")),
            exchange("POST", CREATE, '{"phone_numbers": []}', 422, '{"errors":[{"code":"10015"}]}'),
            exchange("POST", f"{API}/echo", "plain text", 200, "text"),
        ]
    )


def req(method: str, uri: str, body: str | None = None) -> RecordedRequest:
    return RecordedRequest(method, uri, {}, body)


def played(player: Player, method: str, uri: str, body: str | None = None) -> str | None:
    found = player.lookup(req(method, uri, body))
    return None if found is None else found.body


# -- matching -------------------------------------------------------------------------------------


def test_json_bodies_match_parsed_in_any_key_order_and_spacing() -> None:
    player = Player(jobs_cassette())
    body = '{"tags":["a"],\n "phone_numbers":["+13127367254"]}'
    assert played(player, "POST", CREATE, body) == status("pending")
    assert played(player, "post", CREATE, '{"phone_numbers":[]}') is not None  # method: any case
    assert played(player, "POST", CREATE, '{"phone_numbers":["+13127367254"],"tags":["b"]}') is None
    assert played(player, "POST", CREATE, '{"phone_numbers":["+13127367254"]}') is None
    assert played(player, "POST", CREATE, None) is None


def test_text_bodies_match_as_text() -> None:
    player = Player(jobs_cassette())
    assert played(player, "POST", f"{API}/echo", "plain text") == "text"
    assert played(player, "POST", f"{API}/echo", "plain  text") is None


def test_no_body_and_empty_body_are_the_same() -> None:
    player = Player(jobs_cassette())
    assert played(player, "GET", JOB, "") == status("pending")


def test_query_is_a_multiset_in_any_order_and_host_is_ignored() -> None:
    player = Player(jobs_cassette())
    uri = "http://127.0.0.1:4010/v2/phone_numbers/jobs?page%5Bnumber%5D=1&page%5Bsize%5D=2"
    assert played(player, "GET", uri) == '{"data":[]}'
    assert played(player, "GET", f"{API}/phone_numbers/jobs?page[size]=2") is None
    extra = f"{API}/phone_numbers/jobs?page[size]=2&page[number]=1&page[number]=1"
    assert played(player, "GET", extra) is None
    assert played(player, "DELETE", JOB) is None
    assert played(player, "GET", f"{API}/phone_numbers/jobs/job-2") is None


def test_polls_replay_in_recorded_order_then_the_last_repeats() -> None:
    player = Player(jobs_cassette())
    seen = [played(player, "GET", JOB) for _ in range(5)]
    assert seen == [status(s) for s in ("pending", "in_progress", "completed", "completed",
                                        "completed")]  # fmt: skip
    # each distinct request keeps its own place
    assert played(player, "POST", CREATE, '{"phone_numbers":[]}') is not None
    assert player.unplayed() == [1, 3, 7]
    player.rewind()
    assert played(player, "GET", JOB) == status("pending")
    assert player.unplayed() == [1, 3, 4, 5, 6, 7]


def test_explain_names_the_request_and_the_closest_recording() -> None:
    player = Player(jobs_cassette())
    body = '{"phone_numbers": ["+13127367254"], "tags": ["b"], "extra": 1}'
    text = player.explain(req("POST", CREATE, body))
    lines = text.splitlines()
    assert lines[0] == f"no recorded interaction matches POST {CREATE.removeprefix(ORIGIN)}"
    assert lines[1].startswith('  body: {"extra":1,')
    assert lines[2] == (
        "closest recorded request (interaction 1 of 7): "
        "POST /v2/phone_numbers/jobs/update_phone_numbers"
    )
    assert '  body /tags/0: recorded "a", received "b"' in lines
    assert "  body /extra: not recorded, received 1" in lines


def test_explain_shows_method_path_and_query_differences() -> None:
    player = Player(jobs_cassette())
    text = player.explain(req("GET", f"{API}/phone_numbers/jobs?page[size]=5&page[number]=1"))
    assert "closest recorded request (interaction 3 of 7): GET /v2/phone_numbers/jobs?" in text
    assert "query: only recorded: page[size]=2; only received: page[size]=5" in text
    text = player.explain(req("DELETE", JOB))
    assert "(interaction 2 of 7): GET /v2/phone_numbers/jobs/job-1" in text
    assert "method: recorded GET, received DELETE" in text
    text = player.explain(req("GET", f"{API}/phone_numbers/jobs/job-9"))
    assert "path: recorded /v2/phone_numbers/jobs/job-1, received /v2/phone_numbers/jobs/job-9" in (
        text
    )


def test_explain_with_an_empty_cassette() -> None:
    text = Player(Cassette()).explain(req("GET", JOB))
    assert text.endswith("the cassette holds no interactions")


# -- the respx router ----------------------------------------------------------------------------


def test_router_replays_for_httpx_and_names_the_closest_on_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    cformat.dump(jobs_cassette(), path)
    with router(path) as mock, httpx.Client(headers={"Authorization": "Bearer sk"}) as client:
        r = client.post(CREATE, json={"tags": ["a"], "phone_numbers": ["+13127367254"]})
        assert (r.status_code, r.json()["data"]["status"]) == (202, "pending")
        assert r.headers["content-type"] == "application/json"
        assert [client.get(JOB).json()["data"]["status"] for _ in range(4)] == [
            "pending", "in_progress", "completed", "completed",
        ]  # fmt: skip
        with pytest.raises(AssertionError) as caught:
            client.get(f"{API}/phone_numbers/jobs/job-2")
    assert isinstance(caught.value, CassetteMiss)
    message = str(caught.value)
    assert message.startswith(f"{path}: no recorded interaction matches GET /v2/phone_numbers/")
    assert "closest recorded request (interaction 2 of 7): GET /v2/phone_numbers/jobs/job-1" in (
        message
    )
    assert "RESPX" not in message
    assert mock.player.unplayed() == [3, 6, 7]


def test_router_redacts_incoming_requests_before_matching() -> None:
    number = f"{API}/phone_numbers/1"
    cassette = Cassette(
        [exchange("PATCH", f"{number}?token=REDACTED", '{"external_pin":"REDACTED"}', 200, "{}")]
    )
    from mockserver.cassette.redact import Redactor

    redactor = Redactor().extended(query=["token"])
    with router(cassette, redactor=redactor), httpx.Client() as client:
        r = client.patch(f"{number}?token=t0ps3cret", json={"external_pin": "2468"})
    assert r.status_code == 200


def test_router_narrowed_to_a_host(tmp_path: Path) -> None:
    with router(jobs_cassette(), host="api.telnyx.com"), httpx.Client() as client:
        assert client.get(JOB).status_code == 200
        with pytest.raises(CassetteMiss, match=r"http://127\.0\.0\.1:9/v2/x is outside .*api"):
            client.get("http://127.0.0.1:9/v2/x")
    with router(jobs_cassette(), base_url=API, pass_through=True), httpx.Client() as client:
        assert client.get(JOB).status_code == 200
        with pytest.raises(httpx.ConnectError):  # not ours: to the network (nothing listens)
            client.get("http://127.0.0.1:9/v2/x", timeout=5)


def test_router_for_async_clients() -> None:
    async def go() -> list[int]:
        async with httpx.AsyncClient() as client:
            first = await client.get(JOB)
            second = await client.post(CREATE, content=b'{"phone_numbers":[]}')
            return [first.status_code, second.status_code]

    with router(jobs_cassette()):
        assert asyncio.run(go()) == [200, 422]


def test_framing_headers_of_a_recording_are_not_replayed() -> None:
    framing = {"Content-Encoding": ["gzip"], "Transfer-Encoding": ["chunked"],
               "Content-Length": ["999"], "X-Kept": ["1"]}  # fmt: skip
    cassette = Cassette([Interaction(req("GET", JOB), RecordedResponse(200, "", framing, "{}"))])
    with router(cassette), httpx.Client() as client:
        via_router = client.get(JOB)
    app = create_replay_app(cassette)
    with httpx.Client(transport=ASGIBridge(app)) as client:
        via_server = client.get(JOB)
    for r in (via_router, via_server):
        assert (r.json(), r.headers["x-kept"], r.headers["content-length"]) == ({}, "1", "2")
        assert "content-encoding" not in r.headers
        assert "transfer-encoding" not in r.headers


# -- telnyx-mock replay (the app, in-process) -----------------------------------------------------


@pytest.fixture
def served() -> httpx.Client:
    app = create_replay_app(jobs_cassette(), source="jobs.yaml")
    return httpx.Client(transport=ASGIBridge(app), base_url="http://127.0.0.1:4010")


def test_replay_server_answers_recorded_requests(served: httpx.Client) -> None:
    r = served.post("/v2/phone_numbers/jobs/update_phone_numbers",
                    json={"phone_numbers": ["+13127367254"], "tags": ["a"]},
                    headers={"Authorization": "Bearer any"})  # fmt: skip
    assert (r.status_code, r.text) == (202, status("pending"))
    assert r.headers["content-type"] == "application/json"
    assert r.headers["content-length"] == str(len(status("pending")))
    polls = [served.get("/v2/phone_numbers/jobs/job-1").json()["data"]["status"] for _ in range(4)]
    assert polls == ["pending", "in_progress", "completed", "completed"]
    assert served.post("/_mock/reset").json() == {"data": {"rewound": True}}
    assert served.get("/v2/phone_numbers/jobs/job-1").json()["data"]["status"] == "pending"
    health = served.get("/_mock/health").json()["data"]
    assert health == {"status": "ok", "mode": "replay", "cassette": "jobs.yaml", "interactions": 7}


@pytest.mark.parametrize(
    ("method", "path", "content", "closest"),
    [
        ("GET", "/v2/phone_numbers/jobs/job-2", None, "interaction 2 of 7"),
        ("PUT", "/v2/phone_numbers/jobs/update_phone_numbers", b"\xff\xfe not utf-8",
         "interaction 1 of 7"),
        ("BREW", "/", b"", "interaction"),
    ],
)  # fmt: skip
def test_replay_server_misses_are_telnyx_errors(
    served: httpx.Client, method: str, path: str, content: bytes | None, closest: str
) -> None:
    r = served.request(method, path, content=content)
    assert r.status_code == 404
    assert r.headers[MISS_HEADER] == "miss"
    [error] = r.json()["errors"]
    assert (error["code"], error["title"]) == ("10005", "Not recorded")
    assert error["detail"].startswith(f"telnyx-mock replay (jobs.yaml): no recorded interaction "
                                      f"matches {method} {path}")  # fmt: skip
    assert f"closest recorded request ({closest}" in error["detail"]
    assert error["meta"]["url"].endswith("/10005")


def _main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(argv)
    return code, capsys.readouterr().err


def test_replay_command_serves_the_cassette(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mockserver import launch

    path = tmp_path / "c.yaml"
    cformat.dump(jobs_cassette(), path)
    served: dict[str, Any] = {}

    def fake_serve(app: Any, **options: Any) -> int:  # what would listen, without a socket
        served.update(options, app=app)
        options["banner"](f"http://{options['host']}:{options['port']}", options["port"])
        return 0

    monkeypatch.setattr(launch, "serve", fake_serve)
    code, err = _main(["replay", "--cassette", str(path), "--host", "0.0.0.0", "--port", "4999",
                       "--redact-query", "token"], capsys)  # fmt: skip
    assert code == 0
    assert err == f"telnyx-mock replay: 7 interaction(s) from {path} on http://0.0.0.0:4999\n"
    assert (served["host"], served["port"]) == ("0.0.0.0", 4999)
    with httpx.Client(transport=ASGIBridge(served["app"]), base_url="http://x") as client:
        assert client.get("/v2/phone_numbers/jobs/job-1?token=abc").status_code == 404
        assert client.get("/v2/phone_numbers/jobs/job-1").text == status("pending")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no cassette at {path}"),
        ("interactions: [\n", "{path} is not a valid cassette: not valid YAML"),
        ("interactions: []\nversion: 3\n", "{path} is not a valid cassette: unsupported"),
        ("interactions: []\n", "{path} holds no interactions: nothing to replay"),
        (b"\xff\xfe", "cannot read {path}"),
    ],
)
def test_replay_command_refuses_bad_cassettes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes | None, message: str
) -> None:
    path = tmp_path / "c.yaml"
    if isinstance(content, str):
        path.write_text(content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    code, err = _main(["replay", "--cassette", str(path)], capsys)
    assert code == 2
    assert err.startswith("telnyx-mock replay: " + message.format(path=path))
    assert err.count("\n") == 1  # one line, no traceback


def test_replay_command_needs_a_cassette(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["replay"])
    assert exited.value.code == 2
    assert "--cassette" in capsys.readouterr().err
