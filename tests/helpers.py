"""Assertions shared by test modules: the exact Telnyx error envelope."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

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


def stop_process(proc: subprocess.Popen[str]) -> None:
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
