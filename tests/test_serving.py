"""mockserver.serving: every command that listens has a keep-alive timeout and a deadline for
receiving each request, so half-sent requests cannot hold connections for ever.

A real uvicorn server in a thread, on a socket the test binds itself (clients may connect at
once: no start-up polling), with a deadline of ``TIMEOUT`` seconds. Waiting is done by socket
timeouts and ``select``, never by sleeping.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from mockserver import serving
from mockserver.app import create_app
from mockserver.cassette import format as cformat
from mockserver.cassette.format import Cassette, Interaction, RecordedRequest, RecordedResponse
from mockserver.cli import main
from mockserver.clock import ManualClock
from mockserver.config import Settings

TIMEOUT = 0.3
#: how long a test waits for the server to close a connection before it fails
BOUND = 5.0
AUTH = b"Authorization: Bearer serving-key\r\n"


class Served:
    def __init__(self, port: int, server: uvicorn.Server, thread: threading.Thread) -> None:
        self.port = port
        self.server = server
        self.thread = thread

    def connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=BOUND)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


@pytest.fixture
def served() -> Iterator[Served]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    app = create_app(Settings(manual_clock=True), clock=ManualClock())
    config = uvicorn.Config(
        app, lifespan="off", ws="none", **serving.options(request_timeout=TIMEOUT)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield Served(sock.getsockname()[1], server, thread)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def closed_after(sock: socket.socket) -> float:
    """Seconds until the server closes ``sock`` (reads and drops any answer); fails past BOUND."""
    started = time.monotonic()
    with sock:
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            except TimeoutError:
                pytest.fail(f"the server kept the connection open for {BOUND} s")
            if not chunk:
                break
    return time.monotonic() - started


def response_of(sock: socket.socket) -> bytes:
    """One whole response (headers and a Content-Length body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )  # fmt: skip
    while len(body) < length:
        body += sock.recv(65536)
    return head


@pytest.mark.parametrize(
    "sent",
    [
        b"",  # a connection that never says anything
        b"GET /v2/phone_numbers HT",  # half a request line
        b"GET /v2/phone_numbers HTTP/1.1\r\nHost: x\r\n" + AUTH,  # no blank line
        b"POST /v2/phone_numbers/jobs/update_phone_numbers HTTP/1.1\r\nHost: x\r\n" + AUTH
        + b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"tags\"",  # short body
    ],
    ids=["silent", "request-line", "headers", "body"],
)  # fmt: skip
def test_a_half_sent_request_is_closed(served: Served, sent: bytes) -> None:
    sock = served.connect()
    sock.sendall(sent)
    assert TIMEOUT * 0.5 <= closed_after(sock) < BOUND


def test_trickling_bytes_does_not_renew_the_deadline(served: Served) -> None:
    sock = served.connect()
    request = b"GET /v2/phone_numbers HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: y\r\n" * 1000
    started = time.monotonic()
    for byte in request:  # one byte every 20 ms: each well inside the deadline
        try:
            sock.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            break
        readable, _, _ = select.select([sock], [], [], 0.02)
        if readable:
            break  # the server closed it
        assert time.monotonic() - started < BOUND, "the trickle kept the connection open"
    assert closed_after(sock) < BOUND
    assert time.monotonic() - started < TIMEOUT + BOUND


def test_a_request_received_in_time_may_take_longer_to_answer(served: Served) -> None:
    with served.connect() as sock:
        body = b'{"kind": "latency", "ms": 700}'  # the app holds the answer past the deadline
        sock.sendall(
            b"POST /_mock/faults HTTP/1.1\r\nHost: x\r\n" + AUTH
            + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        )  # fmt: skip
        assert response_of(sock).startswith(b"HTTP/1.1 201")
        started = time.monotonic()
        sock.sendall(b"GET /v2/phone_numbers?page[size]=1 HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n")
        assert response_of(sock).startswith(b"HTTP/1.1 200")
        assert time.monotonic() - started >= 0.7
        # the connection is kept alive, and a second, half-sent request gets the deadline too
        sock.sendall(b"GET /v2/phone_numbers HTTP/1.1\r\n")
        assert closed_after(sock) < BOUND


# -- every command that listens uses these options ------------------------------------------------
@pytest.fixture
def uvicorn_run(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    served: dict[str, Any] = {}

    def run(sock: Any, app: Any, **options: Any) -> None:  # bound, but never serving
        served.update(options, bound=sock.getsockname()[1])

    monkeypatch.setattr("mockserver.launch.run_on", run)
    # serve's process-wide set-up (logging handlers, a frozen GC) must not reach this process
    monkeypatch.setattr("mockserver.cli.tune_gc", lambda: None)
    monkeypatch.setattr("mockserver.cli.configure_logging", lambda *args: None)
    return served


def cassette(path: Path) -> Path:
    request = RecordedRequest("GET", "https://api.telnyx.com/v2/phone_numbers", {}, None)
    cformat.dump(Cassette([Interaction(request, RecordedResponse(200, body="{}"))]), path)
    return path


@pytest.mark.parametrize("command", ["serve", "record", "replay"])
def test_every_command_serves_with_the_timeouts(
    command: str, tmp_path: Path, uvicorn_run: dict[str, Any]
) -> None:
    argv = {
        "serve": ["serve", "--port", "0"],
        "record": ["record", "--upstream", "http://127.0.0.1:9", "--cassette",
                   str(tmp_path / "new.yaml"), "--port", "0"],
        "replay": ["replay", "--cassette", str(cassette(tmp_path / "c.yaml")), "--port", "0"],
    }[command]  # fmt: skip
    assert main(argv) == 0
    assert uvicorn_run["timeout_keep_alive"] == serving.KEEP_ALIVE_TIMEOUT == 5
    protocol = uvicorn_run["http"]
    assert issubclass(protocol, serving.DeadlineH11Protocol)
    assert protocol.request_timeout == serving.REQUEST_TIMEOUT == 10.0
    assert uvicorn_run["host"] == "127.0.0.1"
    assert uvicorn_run["port"] == uvicorn_run["bound"] != 0  # --port 0: the port the OS chose
