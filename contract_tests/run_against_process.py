"""Run the contract suite against a separately started emulator PROCESS over HTTP.

Real time, no test controls (``--no-control``): the exact code path of the live target (real
polling, no ``/_mock/``). Picks a free port, starts ``telnyx-mock serve``, waits (bounded) until
it answers an authenticated ``GET /v2/phone_numbers/jobs``, runs pytest with ``--target url``,
stops the server, and exits with pytest's code. Extra arguments go to pytest.

    python contract_tests/run_against_process.py -p no:cacheprovider
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from contract_tests.targets import DEFAULT_API_KEY

ROOT = Path(__file__).resolve().parent.parent
#: the key is the only one the server accepts (an allowlist, as on the live API)
SERVER_ARGS = (
    "--no-control", "--pending-delay", "0.2", "--numbers-per-second", "200",
    "--api-key", DEFAULT_API_KEY,
)  # fmt: skip
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("telnyx-mock")
    prefix = [str(script)] if script.exists() else [sys.executable, "-m", "mockserver"]
    return [*prefix, "serve", "--host", "127.0.0.1", "--port", str(port), *SERVER_ARGS]


def wait_until_ready(process: subprocess.Popen[bytes], base_url: str) -> bool:
    """True once the server answers; False if it exits or the deadline passes."""
    deadline = time.monotonic() + START_TIMEOUT_S
    pause = threading.Event()
    headers = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if (
                httpx.get(
                    f"{base_url}/phone_numbers/jobs", headers=headers, timeout=1.0
                ).status_code
                == 200
            ):
                return True
        except httpx.HTTPError:
            pass
        pause.wait(0.05)
    return False


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)


def main(argv: list[str]) -> int:
    with tempfile.TemporaryFile() as log:
        for _attempt in range(3):  # a port picked free may be taken before the server binds it
            port = free_port()
            base_url = f"http://127.0.0.1:{port}/v2"
            process = subprocess.Popen(server_command(port), cwd=ROOT, stdout=log, stderr=log)
            try:
                if not wait_until_ready(process, base_url):
                    continue
                print(f"emulator process {process.pid} on {base_url} ({' '.join(SERVER_ARGS)})",
                      flush=True)  # fmt: skip
                command = [sys.executable, "-m", "pytest", "contract_tests",
                           "--target", "url", "--url", base_url, *argv]  # fmt: skip
                return subprocess.run(command, cwd=ROOT, check=False).returncode
            finally:
                stop(process)
        log.seek(0)
        sys.stderr.write(log.read().decode(errors="replace"))
    print("the emulator process did not start", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
