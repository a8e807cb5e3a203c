"""What the /phone_numbers family tests share: the default world's numbers by kind, and routes."""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx

WORLD = Path(__file__).resolve().parent.parent / "fixtures" / "world.json"
N = "/v2/phone_numbers"
SLIM = f"{N}/slim"
VOICE_LIST = f"{N}/voice"
MESSAGING_LIST = f"{N}/messaging"
CSV = f"{N}/csv_downloads"
VERIFY = f"{N}/actions/verify_ownership"
ADDRESS = "9102160989215728032"
#: the SDK tests' key: the SDK's own test setup uses it (a space in a key is a tenant key)
SDK_KEY = "My API Key"
SDK_BASE_URL = "https://api.telnyx.com/v2"
LOCKED = ("port-pending", "deleted", "ported-out", "port-out-pending")

Record = dict[str, Any]


@cache
def world() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORLD.read_text(encoding="utf-8"))
    return data


def numbers() -> list[Record]:
    records: list[Record] = world()["numbers"]
    return records


def plain() -> list[Record]:
    """Active local US numbers without deletion lock: every change may touch them."""
    return [
        r for r in numbers()
        if r["status"] == "active" and not r["deletion_lock_enabled"]
        and r["phone_number_type"] == "local" and r["country_iso_alpha2"] == "US"
    ]  # fmt: skip


def first(**fields: Any) -> Record:
    """The first plain number whose fields have the given values."""
    return next(r for r in plain() if all(r[k] == v for k, v in fields.items()))


def locked() -> Record:
    return next(r for r in numbers() if r["status"] in LOCKED)


def without_voicemail() -> Record:
    return next(r for r in plain() if r["id"] not in world()["voicemail"])


def with_voicemail() -> tuple[Record, dict[str, Any]]:
    ident = next(i for i in world()["voicemail"] if any(r["id"] == i for r in plain()))
    return next(r for r in numbers() if r["id"] == ident), world()["voicemail"][ident]


def profile(n: int = 0) -> dict[str, Any]:
    found: dict[str, Any] = world()["messaging_profiles"][n]
    return found


def bundle(n: int = 0) -> str:
    found: str = world()["bundles"][n]["id"]
    return found


def every_page(api: httpx.Client, path: str, params: dict[str, Any] | None = None) -> list[Any]:
    """Every item of a list route, page by page (250 a page)."""
    out: list[Any] = []
    page = 1
    while True:
        r = api.get(path, params={**(params or {}), "page[size]": 250, "page[number]": page})
        assert r.status_code == 200, r.text
        body = r.json()
        out.extend(body["data"])
        if page >= body["meta"]["total_pages"]:
            return out
        page += 1


def run_jobs(api: httpx.Client) -> None:
    r = api.post("/_mock/jobs/run")
    assert r.status_code == 200, r.text


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))
