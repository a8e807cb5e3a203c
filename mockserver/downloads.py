"""CSV downloads as data: the record, its lifecycle on the tenant's clock, its views and its file.

A download is data plus a pure :func:`l_csv_download` of the tenant's clock, like a job
(:mod:`mockserver.jobs`): ``pending`` until its ``ready_ms``, then its fate, ``complete`` (or
``failed`` / ``expired`` when a ``fail_jobs`` / ``expire_jobs`` fault claimed it). Its file is
written at the instant of creation from the records ``GET /phone_numbers`` lists then, and kept
as text: later changes never reach it, and a download costs its file's size, never the records.
The operations are :mod:`mockserver.operations.csv_downloads`, the one write
:meth:`~mockserver.tenant.Tenant.add_download`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from mockserver.inventory import Inventory, Record

PENDING, COMPLETE, FAILED, EXPIRED = "pending", "complete", "failed", "expired"
FORMATS = ("V1", "V2")


def _yes(value: Any) -> str:
    return "true" if value else "false"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


Column = tuple[str, Callable[[Record, Inventory], str]]
_V1: tuple[Column, ...] = (
    ("phone_number", lambda r, i: r["phone_number"]),
    ("status", lambda r, i: r["status"]),
    ("connection_name", lambda r, i: _text(i.connection_name(r["connection_id"]))),
    ("tags", lambda r, i: ";".join(r["tags"])),
    ("customer_reference", lambda r, i: _text(r["customer_reference"])),
    ("emergency_enabled", lambda r, i: _yes(r["emergency_enabled"])),
    ("created_at", lambda r, i: r["created_at"]),
)
_V2: tuple[Column, ...] = (
    ("id", lambda r, i: r["id"]),
    *_V1[:2],
    ("phone_number_type", lambda r, i: r["phone_number_type"]),
    ("country_iso_alpha2", lambda r, i: r["country_iso_alpha2"]),
    ("connection_id", lambda r, i: _text(r["connection_id"])),
    _V1[2],
    ("messaging_profile_id", lambda r, i: _text(r["messaging_profile_id"])),
    ("billing_group_id", lambda r, i: _text(r["billing_group_id"])),
    *_V1[3:6],
    ("emergency_address_id", lambda r, i: _text(r["emergency_address_id"])),
    ("emergency_status", lambda r, i: r["emergency_status"]),
    ("has_bundle", lambda r, i: _yes(r["has_bundle"])),
    ("purchased_at", lambda r, i: r["purchased_at"]),
    _V1[6],
    ("updated_at", lambda r, i: r["updated_at"]),
)
COLUMNS = {"V1": _V1, "V2": _V2}


@dataclass
class Download:
    id: str
    created_ms: int
    ready_ms: int
    fate: str  # COMPLETE, FAILED or EXPIRED: what it becomes at ready_ms
    csv_format: str
    text: str  # the CSV file, as written at creation
    url: str


def l_csv_download(download: Download, now: int) -> str:
    """L-CSV-DOWNLOAD: ``pending`` until its time, then its fate; reading never moves it."""
    return PENDING if now < download.ready_ms else download.fate


def v_nulls_csv(download: Download, now: int, *, as_created: bool = False) -> dict[str, Any]:
    """V-NULLS-CSV: ``CsvDownload`` has no nullable field and none is ever empty: ``id``,
    ``record_type``, ``status`` and ``url`` are always sent (the url from creation on)."""
    return {
        "id": download.id,
        "record_type": "csv_download",
        "status": PENDING if as_created else l_csv_download(download, now),
        "url": download.url,
    }


def v_csv_columns(csv_format: str, records: Iterable[Record], inv: Inventory) -> str:
    """V-CSV-COLUMNS: the CSV file, a header row of the format's columns (V1: seven, V2: the
    V1 columns and eleven more), then one row per number, RFC 4180 quoting, CRLF line ends."""
    columns = COLUMNS[csv_format]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _ in columns])
    for record in records:
        writer.writerow([cell(record, inv) for _, cell in columns])
    return out.getvalue()


class Downloads:
    """One tenant's CSV downloads, oldest first, and the retention bound: beyond
    ``max_finished`` finished downloads (0: no bound), the oldest finished one is dropped when a
    new one is added; a pending download is never dropped."""

    def __init__(self, max_finished: int = 0) -> None:
        self.max_finished = max_finished
        self.by_id: dict[str, Download] = {}
        self.order: list[Download] = []

    def __len__(self) -> int:
        return len(self.order)

    def add(self, download: Download, now: int) -> None:
        self.by_id[download.id] = download
        self.order.append(download)
        if self.max_finished:
            self._retain(now)

    def _retain(self, now: int) -> None:
        finished = [d for d in self.order if d.ready_ms <= now]
        extra = len(finished) - self.max_finished
        if extra <= 0:
            return
        dropped = {d.id for d in finished[:extra]}
        self.order = [d for d in self.order if d.id not in dropped]
        for ident in dropped:
            del self.by_id[ident]

    def open_ends(self, now: int) -> list[int]:
        """When each still-pending download ends (for ``/_mock/jobs/run``)."""
        return [d.ready_ms for d in self.order if d.ready_ms > now]
