"""The load generator: ``wrk`` (Debian package ``wrk``), installed when missing, else explained.

Every run uses a Lua script (written to a temp dir) that sets the method, headers and body of one
fixed request and counts the responses per status code, printed by ``done()`` as
``wrk-status <code> <count>`` lines after wrk's own ``--latency`` summary; :func:`parse_output`
reads both.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class HarnessError(RuntimeError):
    """The harness itself failed (the message is one line, for the user)."""


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = re.compile(r"^([\d.]+)(us|ms|s|m|h)$")
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)\s*$", re.M)
_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+\w+)", re.M)
_PERCENTILE = re.compile(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", re.M)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_STATUS = re.compile(r"^wrk-status (\d+) (\d+)\s*$", re.M)
_VERSION = re.compile(r"^wrk (\S+)")

_LUA_COUNTER = """\
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
counts = {}
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      io.write(string.format("wrk-status %d %d\\n", status, n))
    end
  end
end
"""


def to_ms(token: str) -> float:
    """A wrk duration (``412.00us``, ``3.86ms``, ``1.02s``, ``1.50m``) in milliseconds."""
    match = _DURATION.match(token.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {token!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_output(text: str) -> dict[str, Any]:
    """rps, p50/p99 (ms), totals, non-2xx, socket errors and status counts of one wrk run."""
    rps = _RPS.search(text)
    percentiles = {int(p): to_ms(v) for p, v in _PERCENTILE.findall(text)}
    if rps is None or 50 not in percentiles or 99 not in percentiles:
        raise ValueError("wrk output without Requests/sec or the --latency distribution")
    total = _TOTAL.search(text)
    socket = _SOCKET.search(text)
    non_2xx = _NON_2XX.search(text)
    return {
        "rps": float(rps.group(1)),
        "p50_ms": percentiles[50],
        "p99_ms": percentiles[99],
        "requests": int(total.group(1)) if total else 0,
        "seconds": to_ms(total.group(2)) / 1000 if total else 0.0,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": dict(
            zip(
                ("connect", "read", "write", "timeout"),
                (int(n) for n in socket.groups()) if socket else (0, 0, 0, 0),
                strict=True,
            )
        ),
        "statuses": {int(code): int(n) for code, n in _STATUS.findall(text)},
    }


def lua_string(text: str) -> str:
    """A Lua string literal for ``text`` (decimal escapes for quotes, backslashes, non-ASCII)."""
    out = []
    for byte in text.encode("utf-8"):
        printable = 0x20 <= byte < 0x7F and byte not in (0x22, 0x5C)
        out.append(chr(byte) if printable else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def lua_script(
    method: str,
    headers: Mapping[str, str],
    body_file: Path | None,
    key_prefix: str | None = None,
    per_key: int = 15,
) -> str:
    """The script of one scenario: a fixed request plus the counter. With ``key_prefix``, the
    bearer key changes every ``per_key`` requests (a new tenant: job creation never meets the
    cap of 20 open jobs, and no tenant's pending jobs are ever processed on the clock)."""
    lines = [f"wrk.method = {lua_string(method)}"]
    for name, value in headers.items():
        lines.append(f"wrk.headers[{lua_string(name)}] = {lua_string(value)}")
    if body_file is not None:
        lines += [
            f'local file = assert(io.open({lua_string(str(body_file))}, "rb"))',
            'wrk.body = file:read("*a")',
            "file:close()",
        ]
    if key_prefix is not None:
        lines += [
            "local sent = 0",
            "request = function()",
            "  sent = sent + 1",
            f'  wrk.headers["Authorization"] = "Bearer " .. {lua_string(key_prefix)} '
            f".. math.floor(sent / {per_key})",
            "  return wrk.format()",
            "end",
        ]
    return "\n".join(lines) + "\n" + _LUA_COUNTER


def _install_command() -> list[str] | None:
    if shutil.which("apt-get") is None:
        return None
    prefix: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            return None
        prefix = ["sudo", "-n"]
    return [*prefix, "apt-get", "install", "-y", "-q", "wrk"]


def ensure_wrk(install: bool = True) -> str:
    """The path of ``wrk``; installs it with apt-get when missing (and allowed)."""
    found = shutil.which("wrk")
    if found:
        return found
    if not install:
        raise HarnessError("wrk is not installed (--no-install): install wrk (Debian/Ubuntu "
                           "package 'wrk') and rerun")  # fmt: skip
    command = _install_command()
    if command is None:
        raise HarnessError(
            "wrk is not installed and cannot be installed here (needs apt-get as root or "
            "passwordless sudo); install wrk (Debian/Ubuntu package 'wrk') and rerun"
        )
    print(f"bench: wrk not found; running {' '.join(command)}", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    update = [*command[: command.index("apt-get")], "apt-get", "update", "-q"]
    last = ""
    for attempt in ([command], [update, command]):
        for step in attempt:
            done = subprocess.run(step, capture_output=True, text=True, env=env, check=False)
            last = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        found = shutil.which("wrk")
        if found:
            return found
    raise HarnessError(f"wrk is not installed and `{' '.join(command)}` failed ({last})")


def version(wrk: str) -> str:
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    match = _VERSION.search(done.stdout + done.stderr)
    return f"wrk {match.group(1)}" if match else "wrk (unknown version)"


def run(
    wrk: str,
    url: str,
    script: Path,
    *,
    duration_s: float,
    connections: int,
    threads: int,
    timeout_s: float = 10.0,
) -> dict[str, Any]:
    """One bounded wrk run against ``url`` (127.0.0.1 only), parsed."""
    if not url.startswith("http://127.0.0.1:"):
        raise HarnessError(f"refusing to load anything but 127.0.0.1: {url}")
    command = [
        wrk, f"-t{threads}", f"-c{connections}", f"-d{duration_s:g}s", f"--timeout={timeout_s:g}s",
        "--latency", "-s", str(script), url,
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=duration_s + timeout_s + 30,
            check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise HarnessError(f"wrk did not finish: {' '.join(command)}") from exc
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise HarnessError(f"wrk failed ({tail}): {' '.join(command)}")
    try:
        return parse_output(done.stdout)
    except ValueError as exc:
        raise HarnessError(f"{exc}: {' '.join(command)}") from exc
