"""``telnyx-mock record``: the recording proxy forwards, records (redacted, in every mode, also
when the upstream fails half-way), replays when the mode says, and fails loudly on bad options."""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mockserver.app import create_app
from mockserver.cassette import format as cformat
from mockserver.cassette.cli_record import build_app
from mockserver.cassette.proxy import MISS_HEADER, create_proxy_app
from mockserver.cassette.redact import Redactor
from mockserver.cassette.session import CassetteSession, RecordMode
from mockserver.cli import build_parser, main
from mockserver.clock import ManualClock
from mockserver.config import Settings
from mockserver.transport import ASGIBridge
from tests.conftest import make_client
from tests.helpers import JOBS, UPDATE

KEY = "sk-live-7f0c1e2d3b4a"
UPSTREAM = "https://api.telnyx.com"
JOB = {"phone_numbers": ["+13127367254"], "tags": ["vip"]}

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def emulator(clock: ManualClock) -> Starlette:
    return create_app(Settings(manual_clock=True), clock=clock)


def proxy_client(
    path: Path,
    upstream: httpx.AsyncBaseTransport | Starlette,
    mode: str = "all",
    *,
    redactor: Redactor | None = None,
    url: str = UPSTREAM,
) -> httpx.Client:
    transport = upstream if isinstance(upstream, httpx.AsyncBaseTransport) else ASGIBridge(upstream)
    session = CassetteSession(path, mode, redactor)
    app = create_proxy_app(url, session, transport=transport)
    return httpx.Client(transport=ASGIBridge(app), base_url="http://127.0.0.1:4010",
                        headers={"Authorization": f"Bearer {KEY}"})  # fmt: skip


def echo(request: httpx.Request) -> httpx.Response:
    """An upstream that hands the caller's credentials back everywhere it can."""
    auth = request.headers.get("authorization", "")
    body = {"data": {"echo": auth, "url": str(request.url), "body": request.content.decode()}}
    return httpx.Response(200, json=body, headers={"X-Echo": auth, "Set-Cookie": f"s={auth}"})


def never(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"the upstream was called: {request.method} {request.url}")


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# -- forwarding and recording -------------------------------------------------------------------
def test_forwards_to_the_emulator_and_records_the_exchange(
    tmp_path: Path, emulator: Starlette
) -> None:
    path = tmp_path / "c.yaml"
    with proxy_client(path, emulator) as client:
        proxied = client.post(UPDATE, json=JOB)
    direct = make_client(create_app(Settings(manual_clock=True), clock=ManualClock()), KEY)
    expected = direct.post(UPDATE, json=JOB)
    assert (proxied.status_code, proxied.content) == (202, expected.content)
    [recorded] = cformat.load(path).interactions
    assert recorded.request.method == "POST"
    assert recorded.request.uri == UPSTREAM + UPDATE
    assert json.loads(recorded.request.body or "") == JOB
    assert recorded.request.header("Authorization") == "REDACTED"
    assert (recorded.response.status, recorded.response.body) == (202, proxied.text)


def test_forwards_method_path_query_body_and_end_to_end_headers(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            207, content=b"ok", headers=[("X-Ratelimit-Remaining", "5"), ("Set-Cookie", "a=1"),
                                         ("Set-Cookie", "b=2"), ("Connection", "close")],
        )  # fmt: skip

    path = tmp_path / "c.yaml"
    with proxy_client(path, httpx.MockTransport(upstream), url="https://up.example/base") as c:
        response = c.patch(
            "/v2/x/y%2Fz?b=2&a=1&a=3", content=b"raw body",
            headers={"X-Custom": "1", "TE": "trailers", "Proxy-Authorization": "p",
                     "Upgrade": "h2c", "Keep-Alive": "5"},
        )  # fmt: skip
    [request] = seen
    assert request.method == "PATCH"
    assert str(request.url) == "https://up.example/base/v2/x/y%2Fz?b=2&a=1&a=3"
    assert request.content == b"raw body"
    assert request.headers["host"] == "up.example"
    assert request.headers["x-custom"] == "1"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    for hop in ("te", "proxy-authorization", "upgrade", "keep-alive", "connection"):
        assert hop not in request.headers
    assert (response.status_code, response.content) == (207, b"ok")
    assert response.headers["x-ratelimit-remaining"] == "5"
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert "connection" not in response.headers
    [recorded] = cformat.load(path).interactions
    assert recorded.request.uri == "https://up.example/base/v2/x/y%2Fz?b=2&a=1&a=3"
    assert (recorded.request.body, recorded.response.status) == ("raw body", 207)


def test_a_compressed_upstream_answer_reaches_client_and_cassette_decoded(tmp_path: Path) -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=gzip.compress(b'{"data":[]}'),
                              headers={"Content-Encoding": "gzip"})  # fmt: skip

    path = tmp_path / "c.yaml"
    with proxy_client(path, httpx.MockTransport(upstream)) as client:
        response = client.get("/v2/phone_numbers")
    assert response.json() == {"data": []}
    assert "content-encoding" not in response.headers
    [recorded] = cformat.load(path).interactions
    assert recorded.response.body == '{"data":[]}'
    assert "Content-Encoding" not in recorded.response.headers


# -- the key never reaches the file -------------------------------------------------------------
@pytest.mark.parametrize(
    ("mode", "existing"),
    [("all", False), ("all", True), ("once", False), ("once", True),
     ("new_episodes", False), ("new_episodes", True), ("none", True)],
)  # fmt: skip
def test_the_api_key_never_appears_in_the_cassette_in_any_mode(
    tmp_path: Path, mode: str, existing: bool
) -> None:
    path = tmp_path / "c.yaml"
    if existing:
        with proxy_client(path, httpx.MockTransport(echo)) as client:
            assert client.get(f"/v2/phone_numbers?token={KEY}").status_code == 200
        assert KEY not in text_of(path)
    with proxy_client(path, httpx.MockTransport(echo), mode) as client:
        replayed = client.get(f"/v2/phone_numbers?token={KEY}")
        fresh = client.post("/v2/phone_numbers/jobs/update_phone_numbers", json={"k": KEY})
    assert replayed.status_code == 200
    records = mode in ("all", "new_episodes") or (mode == "once" and not existing)
    assert fresh.status_code == (200 if records else 404)
    assert KEY not in text_of(path)
    assert "REDACTED" in text_of(path)
    assert len(cformat.load(path)) == (2 if records else 1)
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]  # no temp file left behind


class _BrokenBody(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"data": ['
        raise httpx.ReadError("connection reset by peer")


def _failing(kind: str) -> Handler:
    def upstream(request: httpx.Request) -> httpx.Response:
        if "fail" not in request.url.path:
            return echo(request)
        if kind == "connect":
            raise httpx.ConnectError("connection refused", request=request)
        if kind == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(200, stream=_BrokenBody())

    return upstream


@pytest.mark.parametrize("kind", ["connect", "timeout", "body-breaks-off"])
def test_an_upstream_failing_mid_recording_records_nothing_for_that_exchange(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "c.yaml"
    with proxy_client(path, httpx.MockTransport(_failing(kind))) as client:
        assert client.get("/v2/phone_numbers/before").status_code == 200
        failed = client.post("/v2/fail", json={"secret": KEY})
        assert client.get("/v2/phone_numbers/after").status_code == 200
    assert failed.status_code == 502
    [item] = failed.json()["errors"]
    assert (item["code"], item["title"]) == ("10007", "Bad gateway")
    assert KEY not in failed.text
    cassette = cformat.load(path)
    assert [i.request.uri.rsplit("/", 1)[1] for i in cassette.interactions] == ["before", "after"]
    assert KEY not in text_of(path)


def test_the_emulator_dropping_the_connection_records_nothing(
    tmp_path: Path, emulator: Starlette
) -> None:
    path = tmp_path / "c.yaml"
    direct = make_client(emulator, KEY)  # the same tenant as the proxied requests
    assert direct.post("/_mock/faults", json={"kind": "drop", "route": "^/phone_numbers/jobs/",
                                              "times": 1}).status_code == 201  # fmt: skip
    with proxy_client(path, emulator) as client:
        assert client.post(UPDATE, json=JOB).status_code == 502
        assert client.post(UPDATE, json=JOB).status_code == 202
    [recorded] = cformat.load(path).interactions
    assert recorded.response.status == 202
    assert KEY not in text_of(path)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_an_unreachable_upstream_gets_a_502_envelope_and_no_cassette(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    port = _closed_port()
    session = CassetteSession(path, "all")
    app = create_proxy_app(f"http://user:{KEY}@127.0.0.1:{port}", session)  # the real network
    with httpx.Client(transport=ASGIBridge(app), base_url="http://proxy") as client:
        response = client.get("/v2/phone_numbers", headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 502
    assert response.json() == {"errors": [{
        "code": "10007", "title": "Bad gateway",
        "detail": "The recording proxy could not get a response from the upstream "
                  f"http://127.0.0.1:{port} (ConnectError).",
        "source": {"pointer": "/base"},
        "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10007"},
    }]}  # fmt: skip
    assert not path.exists()


# -- replaying ----------------------------------------------------------------------------------
@pytest.fixture
def recorded_job(tmp_path: Path, emulator: Starlette, clock: ManualClock) -> Path:
    """A cassette: a job created, then polled pending, in_progress, completed."""
    path = tmp_path / "job.yaml"
    with proxy_client(path, emulator) as client:
        job = client.post(UPDATE, json=JOB).json()["data"]
        for step in (0, 1_000, 1_000):
            clock.advance(step)
            client.get(f"{JOBS}/{job['id']}")
    return path


def _statuses(client: httpx.Client, job_id: str, polls: int) -> list[str]:
    return [client.get(f"{JOBS}/{job_id}").json()["data"]["status"] for _ in range(polls)]


def test_once_with_a_cassette_replays_in_order_without_the_upstream(recorded_job: Path) -> None:
    before = recorded_job.read_bytes()
    with proxy_client(recorded_job, httpx.MockTransport(never), "once") as client:
        job = client.post(UPDATE, json=JOB).json()["data"]
        statuses = _statuses(client, job["id"], 4)
        missed = client.post(UPDATE, json={**JOB, "tags": ["other"]})
    assert statuses == ["pending", "in_progress", "completed", "completed"]
    assert missed.status_code == 404
    assert missed.headers[MISS_HEADER] == "miss"
    detail = missed.json()["errors"][0]["detail"]
    assert "may not record it" in detail
    assert "closest recorded request (interaction 1 of 4)" in detail
    assert recorded_job.read_bytes() == before


def test_none_replays_and_refuses_the_rest(recorded_job: Path) -> None:
    with proxy_client(recorded_job, httpx.MockTransport(never), "none") as client:
        assert client.post(UPDATE, json=JOB).status_code == 202
        assert client.get("/v2/phone_numbers").status_code == 404


def test_new_episodes_replays_the_recorded_and_records_the_new(
    recorded_job: Path, emulator: Starlette
) -> None:
    with proxy_client(recorded_job, emulator, "new_episodes") as client:
        job = client.post(UPDATE, json=JOB).json()["data"]
        assert client.get(f"{JOBS}/{job['id']}").json()["data"]["status"] == "pending"
        assert client.get("/v2/phone_numbers/1583466971586889004").status_code == 200
    cassette = cformat.load(recorded_job)
    assert len(cassette) == 5
    assert cassette.interactions[-1].request.uri.endswith("/1583466971586889004")


def test_all_replaces_an_existing_cassette(recorded_job: Path, emulator: Starlette) -> None:
    with proxy_client(recorded_job, emulator, "all") as client:
        assert client.get("/v2/phone_numbers/jobs").status_code == 200
    [only] = cformat.load(recorded_job).interactions
    assert only.request.uri == UPSTREAM + JOBS


# -- the command line ---------------------------------------------------------------------------
def test_redact_options_scrub_headers_query_and_fields(tmp_path: Path, emulator: Starlette) -> None:
    path = tmp_path / "c.yaml"
    args = build_parser().parse_args([
        "record", "--upstream", UPSTREAM, "--cassette", str(path), "--mode", "all",
        "--redact-header", "X-Client-Secret", "--redact-query", "token",
        "--redact-field", "customer_reference",
    ])  # fmt: skip
    app = build_app(args, transport=ASGIBridge(emulator))
    with httpx.Client(transport=ASGIBridge(app), base_url="http://proxy",
                      headers={"Authorization": f"Bearer {KEY}"}) as client:  # fmt: skip
        response = client.post(
            f"{UPDATE}?token=tok-123", headers={"X-Client-Secret": "hush-456"},
            json={**JOB, "customer_reference": "acme-789", "external_pin": "4321"},
        )  # fmt: skip
    assert response.status_code == 202
    assert response.json()["data"]["parameters"]["customer_reference"] == "acme-789"
    text = text_of(path)
    for secret in (KEY, "tok-123", "hush-456", "acme-789", "4321"):
        assert secret not in text
    [recorded] = cformat.load(path).interactions
    assert recorded.request.uri == f"{UPSTREAM}{UPDATE}?token=REDACTED"
    assert recorded.request.header("X-Client-Secret") == "REDACTED"
    params: dict[str, Any] = json.loads(recorded.response.body)["data"]["parameters"]
    assert (params["customer_reference"], params["external_pin"]) == ("REDACTED", "REDACTED")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--mode", "sometimes",
         "argument --mode: unknown record mode 'sometimes': expected one of none, once, "
         "new_episodes, all"),
        ("--upstream", "ftp://example.com", "argument --upstream: expected an http(s) URL"),
        ("--timeout", "0", "argument --timeout: expected a number of seconds above 0"),
    ],
)  # fmt: skip
def test_invalid_options_are_loud(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    argv = ["record", "--upstream", UPSTREAM, "--cassette", str(tmp_path / "c.yaml")]
    with pytest.raises(SystemExit) as exited:
        main([*argv, option, value])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_mode_none_without_a_cassette_exits_2_without_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mockserver.launch.serve", never)
    missing = tmp_path / "missing.yaml"
    code = main(["record", "--upstream", UPSTREAM, "--cassette", str(missing), "--mode", "none"])
    assert code == 2
    err = capsys.readouterr().err
    assert err == f"telnyx-mock record: record mode 'none' needs a cassette to replay: {missing}\n"


def test_record_serves_the_proxy_with_uvicorn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}

    def run(app: Starlette, **options: Any) -> int:
        served.update(options, app=app)
        return 0

    monkeypatch.setattr("mockserver.launch.serve", run)
    argv = ["record", "--upstream", "http://127.0.0.1:4010", "--cassette",
            str(tmp_path / "c.yaml"), "--host", "0.0.0.0", "--port", "4020"]  # fmt: skip
    assert main(argv) == 0
    assert (served["host"], served["port"]) == ("0.0.0.0", 4020)
    assert (served["server_header"], served["date_header"]) == (False, False)
    proxy = served["app"].state.proxy
    assert proxy.upstream == "http://127.0.0.1:4010"
    assert proxy.session.mode is RecordMode.ONCE
