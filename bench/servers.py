"""The servers under load: subprocesses on 127.0.0.1, started, awaited, probed, stopped."""

from __future__ import annotations

import http.client
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from bench.wrk import HarnessError

HOST = "127.0.0.1"
#: the checkout: subprocesses run here, so ``python -m bench.…`` resolves wherever make runs
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def emulator_command(port: int, args: list[str]) -> list[str]:
    """``telnyx-mock serve`` as users start it (the venv's console script)."""
    script = Path(sys.executable).parent / "telnyx-mock"
    found = str(script) if script.is_file() else shutil.which("telnyx-mock")
    prefix = [found] if found else [sys.executable, "-m", "mockserver"]
    return [*prefix, "serve", "--host", HOST, "--port", str(port), *args]


def bare_command(port: int) -> list[str]:
    return [sys.executable, "-m", "bench.bare_app", "--host", HOST, "--port", str(port)]


def request(
    port: int, method: str, path: str, body: bytes | None = None, api_key: str | None = None
) -> tuple[int, bytes]:
    """One request over loopback (setup and probes; never timed)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def answers(port: int, path: str) -> bool:
    try:
        status, _ = request(port, "GET", path)
    except OSError:
        return False
    return status == 200


def parse_proc_status(text: str) -> dict[str, int]:
    """``VmRSS``/``VmHWM`` (and other ``Vm*`` lines) of ``/proc/<pid>/status``, in KiB."""
    found: dict[str, int] = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if name.startswith("Vm") and len(parts) == 2 and parts[1] == "kB":
            found[name] = int(parts[0])
    return found


def memory_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a live process, in MiB."""
    fields = parse_proc_status(Path(f"/proc/{pid}/status").read_text(encoding="ascii"))
    return fields.get("VmRSS", 0) / 1024, fields.get("VmHWM", 0) / 1024


class Server:
    """A server subprocess; ``with Server(...) as s:`` starts it and waits for an answer."""

    def __init__(self, name: str, command: list[str], port: int, ready_path: str, log: Path):
        self.name, self.command, self.port, self.ready_path = name, command, port, ready_path
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout_s: float = 120.0) -> float:
        """Spawn and poll until ``ready_path`` answers 200; seconds from spawn to that answer."""
        with self.log.open("wb") as log:
            started = time.perf_counter()
            self.proc = subprocess.Popen(
                self.command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=ROOT,
            )  # fmt: skip
        deadline = started + timeout_s
        while not self.answering():
            if self.proc.poll() is not None:
                raise HarnessError(f"{self.name} exited early ({self.proc.returncode}): "
                                   f"{self.log_tail()}")  # fmt: skip
            if time.perf_counter() > deadline:
                self.stop()
                raise HarnessError(f"{self.name} did not answer within {timeout_s:g} s")
            time.sleep(0.001)
        return time.perf_counter() - started

    def answering(self) -> bool:
        """The readiness probe: ``ready_path`` answers 200 (``bench.prism`` overrides it)."""
        return answers(self.port, self.ready_path)

    def log_tail(self) -> str:
        lines = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return lines[-1] if lines else "(no output)"

    def memory_mib(self) -> tuple[float, float]:
        assert self.proc is not None
        return memory_mib(self.proc.pid)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def startup_seconds(runs: int, log: Path) -> list[float]:
    """Spawn ``telnyx-mock serve`` ``runs`` times; seconds to the first /_mock/health answer."""
    samples = []
    for _ in range(runs):
        port = free_port()
        server = Server("telnyx-mock", emulator_command(port, []), port, "/_mock/health", log)
        try:
            samples.append(server.start(timeout_s=60))
        finally:
            server.stop()
    return samples


def median(samples: list[float]) -> float:
    return statistics.median(samples)
