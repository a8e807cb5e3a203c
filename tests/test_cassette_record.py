"""mockserver.cassette.record: the recording transport, every record mode, and redaction before
anything touches disk (in every mode, and when an exchange fails half-way)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockserver.cassette import format as cformat
from mockserver.cassette.format import Cassette, Interaction, RecordedRequest, RecordedResponse
from mockserver.cassette.record import RecordingTransport
from mockserver.cassette.redact import Redactor
from mockserver.cassette.session import CassetteMiss, CassetteSession, RecordMode

SECRET = "sk-live-0123456789abcdef"
PIN = "97531"
URL = "https://api.telnyx.com/v2/phone_numbers/1"
SECRETS = (SECRET, PIN, "hdr-secret-42", "qry-secret-42", "json-secret-42")
REDACTOR = Redactor().extended(headers=["X-Api-Token"], query=["token"], json_fields=["password"])


class Upstream:
    """The far side: counts calls, echoes secrets back, fails the calls it is told to."""

    def __init__(self, fail: frozenset[int] = frozenset(), broken_body: bool = False) -> None:
        self.calls = 0
        self.fail = fail
        self.broken_body = broken_body

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.calls in self.fail:
            raise httpx.ConnectError("connection reset mid-recording", request=request)
        body = {
            "n": self.calls,
            "path": request.url.path,
            "seen": request.headers.get("authorization"),  # the key, echoed back
            "data": {"external_pin": PIN, "password": "json-secret-42"},
        }
        headers = {"X-Api-Token": "hdr-secret-42", "content-type": "application/json"}
        if self.broken_body:
            return httpx.Response(200, headers=headers, stream=Broken())
        return httpx.Response(200, headers=headers, json=body)


class Broken(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield b'{"partial": '
        raise httpx.ReadError("the body broke off")


def client(transport: RecordingTransport) -> httpx.Client:
    return httpx.Client(transport=transport, headers={"Authorization": f"Bearer {SECRET}"})


def send(http: httpx.Client, n: int) -> httpx.Response:
    return http.patch(f"{URL}?token=qry-secret-42&n={n}",
                      json={"external_pin": PIN, "password": "json-secret-42", "n": n},
                      headers={"X-Api-Token": "hdr-secret-42"})  # fmt: skip


def assert_clean(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} reached {path}"
    assert "REDACTED" in text


def existing(path: Path) -> None:
    cformat.dump(
        Cassette(
            [
                Interaction(
                    RecordedRequest("GET", "https://api.telnyx.com/v2/phone_numbers/old"),
                    RecordedResponse(200, "OK", {}, '{"old": true}'),
                )
            ]
        ),
        path,
    )


# -- record modes ---------------------------------------------------------------------------------


def test_mode_none_replays_and_refuses_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with pytest.raises(FileNotFoundError, match="record mode 'none' needs a cassette"):
        RecordingTransport(path, "none")
    existing(path)
    before = path.read_bytes()
    upstream = Upstream()
    transport = RecordingTransport(path, "none", inner=httpx.MockTransport(upstream))
    with httpx.Client(transport=transport) as http:
        assert http.get("https://elsewhere/v2/phone_numbers/old").json() == {"old": True}
        with pytest.raises(CassetteMiss, match=r"(?s)record mode 'none'.*closest recorded request"):
            http.get("https://api.telnyx.com/v2/phone_numbers/new")
    assert upstream.calls == 0
    assert path.read_bytes() == before


def test_mode_once_records_a_new_cassette_then_only_replays(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    upstream = Upstream()
    with client(RecordingTransport(path, "once", inner=httpx.MockTransport(upstream))) as http:
        first = [send(http, 1).json()["n"], send(http, 1).json()["n"]]  # each exchange recorded
    assert (first, upstream.calls, len(cformat.load(path))) == ([1, 2], 2, 2)
    with client(RecordingTransport(path, "once", inner=httpx.MockTransport(upstream))) as http:
        assert [send(http, 1).json()["n"] for _ in range(3)] == [1, 2, 2]  # replayed, last repeats
        with pytest.raises(CassetteMiss, match="record mode 'once'"):
            send(http, 2)
    assert upstream.calls == 2
    assert len(cformat.load(path)) == 2


def test_mode_new_episodes_replays_and_records_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    existing(path)
    upstream = Upstream()
    transport = RecordingTransport(path, "new_episodes", redactor=REDACTOR,
                                   inner=httpx.MockTransport(upstream))  # fmt: skip
    with client(transport) as http:
        assert http.get(URL.replace("/1", "/old")).json() == {"old": True}
        assert send(http, 7).json()["n"] == 1
    assert upstream.calls == 1
    assert transport.session.recorded == 1
    uris = [i.request.uri for i in cformat.load(path).interactions]
    assert uris == ["https://api.telnyx.com/v2/phone_numbers/old",
                    f"{URL}?token=REDACTED&n=7"]  # fmt: skip


def test_mode_all_records_everything_and_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    existing(path)
    upstream = Upstream()
    with client(RecordingTransport(path, "all", inner=httpx.MockTransport(upstream))) as http:
        assert http.get(URL.replace("/1", "/old")).json()["n"] == 1  # not replayed
        send(http, 1)
    assert upstream.calls == 2
    bodies = [json.loads(i.response.body)["n"] for i in cformat.load(path).interactions]
    assert bodies == [1, 2]


@pytest.mark.parametrize("mode", ["sometimes", "", "ONCE", "new-episodes"])
def test_an_invalid_mode_is_a_loud_error(tmp_path: Path, mode: str) -> None:
    message = f"unknown record mode {mode!r}: expected one of none, once, new_episodes, all"
    with pytest.raises(ValueError, match=message):
        RecordingTransport(tmp_path / "c.yaml", mode)
    assert not (tmp_path / "c.yaml").exists()


def test_modes_accept_the_enum_and_a_ready_session(tmp_path: Path) -> None:
    session = CassetteSession(tmp_path / "c.yaml", RecordMode.NEW_EPISODES, REDACTOR)
    transport = RecordingTransport(session, inner=httpx.MockTransport(Upstream()))
    assert (transport.mode, transport.session is session) == (RecordMode.NEW_EPISODES, True)


# -- the transport --------------------------------------------------------------------------------


def test_the_client_sees_the_real_response_the_file_the_redacted_one(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    transport = RecordingTransport(path, "once", redactor=REDACTOR,
                                   inner=httpx.MockTransport(Upstream()))  # fmt: skip
    with client(transport) as http:
        live = send(http, 1)
    assert live.json()["seen"] == f"Bearer {SECRET}"
    assert live.headers["x-api-token"] == "hdr-secret-42"
    [kept] = cformat.load(path).interactions
    assert kept.request.headers["authorization"] == ["REDACTED"]
    assert kept.request.headers["x-api-token"] == ["REDACTED"]
    assert json.loads(kept.request.body or "") == {"external_pin": "REDACTED",
                                                   "password": "REDACTED", "n": 1}  # fmt: skip
    assert json.loads(kept.response.body)["seen"] == "REDACTED"
    assert json.loads(kept.response.body)["data"] == {"external_pin": "REDACTED",
                                                      "password": "REDACTED"}  # fmt: skip
    assert "content-length" not in {k.lower() for k in kept.response.headers}
    # and the redacted recording still replays for the same (unredacted) request
    transport = RecordingTransport(path, "none", redactor=REDACTOR)
    with client(transport) as http:
        assert send(http, 1).json()["n"] == 1


def test_async_clients_record_and_replay(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    upstream = Upstream()

    async def go(mode: str) -> list[int]:
        transport = RecordingTransport(path, mode, inner=httpx.MockTransport(upstream))
        async with httpx.AsyncClient(transport=transport) as http:
            return [(await http.get(f"{URL}?n={n}")).json()["n"] for n in (1, 2, 1)]

    assert asyncio.run(go("once")) == [1, 2, 3]
    assert asyncio.run(go("none")) == [1, 2, 3]
    assert upstream.calls == 3


def test_inner_transport_must_fit_the_client(tmp_path: Path) -> None:
    class AsyncOnly(httpx.AsyncBaseTransport):
        pass

    transport = RecordingTransport(tmp_path / "c.yaml", "once", inner=AsyncOnly())
    with httpx.Client(transport=transport) as http, pytest.raises(TypeError, match="async-only"):
        http.get(URL)

    class SyncOnly(httpx.BaseTransport):
        pass

    async def go() -> None:
        transport = RecordingTransport(tmp_path / "c.yaml", "once", inner=SyncOnly())
        async with httpx.AsyncClient(transport=transport) as http:
            await http.get(URL)

    with pytest.raises(TypeError, match="sync-only"):
        asyncio.run(go())


# -- redaction in every mode ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["once", "new_episodes", "all"])
@pytest.mark.parametrize("kind", ["ok", "connection", "body"])
def test_no_secret_reaches_disk_in_any_mode(tmp_path: Path, mode: str, kind: str) -> None:
    path = tmp_path / "c.yaml"
    if mode != "once":
        existing(path)
    upstream = Upstream(fail=frozenset({3}) if kind == "connection" else frozenset())
    transport = RecordingTransport(path, mode, redactor=REDACTOR,
                                   inner=httpx.MockTransport(upstream))  # fmt: skip
    with client(transport) as http:
        send(http, 1)
        send(http, 2)
        if kind == "connection":
            with pytest.raises(httpx.ConnectError, match="mid-recording"):
                send(http, 3)
        elif kind == "body":
            upstream.broken_body = True
            with pytest.raises(httpx.ReadError, match="broke off"):
                send(http, 3)
    assert_clean(path)
    kept = cformat.load(path).interactions
    assert [i.request.uri.endswith(f"n={n}") for i, n in zip(kept[-2:], (1, 2), strict=True)] == [
        True, True,
    ]  # fmt: skip
    assert len(kept) == (3 if mode == "new_episodes" else 2)  # the failed exchange: not written
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]  # no temp file left behind


def test_failing_first_exchange_writes_no_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    transport = RecordingTransport(
        path, "once", inner=httpx.MockTransport(Upstream(frozenset({1})))
    )
    with client(transport) as http, pytest.raises(httpx.ConnectError):
        send(http, 1)
    assert not path.exists()


def test_no_secret_reaches_disk_async_failure(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    upstream = Upstream(fail=frozenset({2}))

    async def go() -> None:
        transport = RecordingTransport(path, "all", redactor=REDACTOR,
                                       inner=httpx.MockTransport(upstream))  # fmt: skip
        headers = {"Authorization": f"Bearer {SECRET}"}
        async with httpx.AsyncClient(transport=transport, headers=headers) as http:
            await http.post(URL, json={"external_pin": PIN})
            with pytest.raises(httpx.ConnectError):
                await http.post(URL, json={"external_pin": PIN, "n": 2})

    asyncio.run(go())
    assert_clean(path)
    assert len(cformat.load(path)) == 1


def test_mode_none_writes_nothing_even_on_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    existing(path)
    before = path.read_bytes()
    with client(RecordingTransport(path, "none")) as http, pytest.raises(CassetteMiss):
        send(http, 1)
    assert path.read_bytes() == before
    assert SECRET not in path.read_text()
