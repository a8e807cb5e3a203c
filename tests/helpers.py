"""Assertions shared by test modules: the exact Telnyx error envelope."""

from __future__ import annotations

import argparse
import logging
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

UPDATE = "/v2/phone_numbers/jobs/update_phone_numbers"
EMERGENCY = "/v2/phone_numbers/jobs/update_emergency_settings"
DELETE = "/v2/phone_numbers/jobs/delete_phone_numbers"
JOBS = "/v2/phone_numbers/jobs"
NUMBERS = "/v2/phone_numbers"
ID_A = "1583466971586889004"  # a documented id the default world owns
NUMBER = f"{NUMBERS}/{ID_A}"
VOICE = f"{NUMBER}/voice"
JOB_ENDPOINTS = [UPDATE, EMERGENCY, DELETE]
#: every endpoint that takes a JSON body, and their test ids
BODY_ENDPOINTS = [*JOB_ENDPOINTS, NUMBER, VOICE]
ROOT = Path(__file__).resolve().parents[1]
STARTUP_BUDGET_S = 10.0  # a started server answers within this (bounded waits, never sleeps)

BODY_IDS = ["update", "emergency", "delete", "patch-number", "patch-voice"]


def error_item(
    code: str, title: str, detail: str, pointer: str | None = None, parameter: str | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {"code": code, "title": title, "detail": detail}
    source = {k: v for k, v in (("pointer", pointer), ("parameter", parameter)) if v is not None}
    if source:
        item["source"] = source
    item["meta"] = {"url": f"https://developers.telnyx.com/docs/overview/errors/{code}"}
    return item


def assert_error(
    r: httpx.Response,
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    pointer: str | None = None,
    parameter: str | None = None,
) -> None:
    assert r.status_code == status, r.text
    assert r.json() == {"errors": [error_item(code, title, detail, pointer, parameter)]}


@contextmanager
def captured_log(name: str, level: int = logging.INFO) -> Iterator[list[logging.LogRecord]]:
    """Every record of logger ``name`` while the block runs, through a handler of its own (the
    CLI may have turned propagation off, so ``caplog`` would miss them); the logger's handlers
    and level are restored after."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    log = logging.getLogger(name)
    handler, before = Keep(), log.level
    log.addHandler(handler)
    log.setLevel(level)
    try:
        yield records
    finally:
        log.removeHandler(handler)
        log.setLevel(before)


def stop_process(proc: subprocess.Popen[Any]) -> None:
    """Terminate a test's server process, kill it if it does not stop in 10 s, close its pipes."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_ready(proc: subprocess.Popen[bytes], check: Any, log: Path) -> None:
    """Poll ``check()`` until it is true, the server dies, or the budget runs out.

    The pause between attempts is a bounded wait on the process itself, which also notices an
    early exit at once.
    """
    deadline = time.monotonic() + STARTUP_BUDGET_S
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except httpx.TransportError:
            pass
        try:
            code = proc.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"the server exited with {code}:\n{log.read_text(errors='replace')}")
    pytest.fail(f"the server was not ready in {STARTUP_BUDGET_S}s:\n{log.read_text()}")


def subcommand(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    """The parser of one subcommand (``serve``, ``record``...) of the CLI's parser."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found: argparse.ArgumentParser = action.choices[name]
            return found
    raise AssertionError(f"the parser has no subcommands (wanted {name!r})")
