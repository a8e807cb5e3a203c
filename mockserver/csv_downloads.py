"""CSV downloads: background exports of the account's numbers (operations surface of the CSV
downloads resource: ``POST``/``GET /phone_numbers/csv_downloads``, ``GET .../{id}``, and the
file its ``url`` names).

A download is data plus a pure :func:`l_csv_download` of the tenant's clock, like a job: ``pending``
for the tenant's pending delay plus one processing step, then ``complete`` (or ``failed`` /
``expired`` when a ``fail_jobs`` / ``expire_jobs`` fault claimed it). Its rows are the numbers
``GET /phone_numbers`` would have listed, with the same filter, at the instant of creation (in
that list's default order); records are immutable, so keeping them keeps that snapshot.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockserver import errors
from mockserver.inventory import Inventory, Record
from mockserver.number_ops import LIST_FILTER_KEYS, parse_list_filter, v_one_world
from mockserver.paging import parse_page

if TYPE_CHECKING:
    from mockserver.store import Tenant

PENDING, COMPLETE, FAILED, EXPIRED = "pending", "complete", "failed", "expired"
FORMATS = ("V1", "V2")
#: [SPEC] CreateCsvDownload filter: the list's filters, plus has_bundle, minus a few
FILTER_KEYS = (
    *(k for k in LIST_FILTER_KEYS
      if k not in ("country_iso_alpha2", "number_type", "source", "without_tags")),
    "has_bundle",
)  # fmt: skip


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
    rows: list[Record]
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


def v_csv_columns(download: Download, inv: Inventory) -> str:
    """V-CSV-COLUMNS: the CSV file, a header row of the format's columns (V1: seven, V2: the
    V1 columns and eleven more), then one row per number, RFC 4180 quoting, CRLF line ends."""
    columns = COLUMNS[download.csv_format]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _ in columns])
    for record in download.rows:
        writer.writerow([cell(record, inv) for _, cell in columns])
    return out.getvalue()


def _flag(query: dict[str, Any], name: str) -> bool:
    raw = query.get(name)
    if raw is None:
        return False
    if raw not in ("true", "false"):
        raise errors.bad_request(errors.D_MUST_BE_BOOLEAN, parameter=name)
    return bool(raw == "true")


def r_csv_managed_accounts(query: dict[str, Any]) -> None:
    """R-CSV-MANAGED-ACCOUNTS: ``include_managed_accounts=true`` is a 403, as for an account
    without managed accounts (no tenant has any); ``false`` is accepted."""
    if _flag(query, "include_managed_accounts"):
        raise errors.error(
            403, errors.AUTHZ_FAILED, errors.T_AUTHZ_FAILED, errors.D_MANAGED_ACCOUNTS,
            parameter="include_managed_accounts",
        )  # fmt: skip


def r_csv_query(tenant: Tenant, query: dict[str, Any]) -> tuple[str, list[Record]]:
    """R-CSV-QUERY: ``csv_format`` is V1 (default) or V2; the filter takes the spec's keys (the
    list's parser: same values, same errors) plus ``has_bundle`` ('true' / 'false');
    ``include_managed_accounts`` is ``true`` or ``false``.
    Returns the format and the rows, as ``GET /phone_numbers`` lists them now."""
    fmt = query.get("csv_format", "V1")
    if fmt not in FORMATS:
        raise errors.bad_request(errors.D_CSV_FORMAT, parameter="csv_format")
    r_csv_managed_accounts(query)
    raw = query.get("filter")
    rest = raw
    bundle: bool | None = None
    if isinstance(raw, dict) and "has_bundle" in raw:
        rest = {k: v for k, v in raw.items() if k != "has_bundle"}
        bundle = _flag({"filter[has_bundle]": raw["has_bundle"]}, "filter[has_bundle]")
    if isinstance(raw, dict):
        for key in sorted(raw):
            if key not in FILTER_KEYS:
                raise errors.bad_request(errors.D_UNKNOWN_FILTER, parameter=f"filter[{key}]")
    f = parse_list_filter(tenant, rest, FILTER_KEYS)
    f.has_bundle = bundle
    return fmt, v_one_world(tenant, f, None)


class Downloads:
    """One tenant's CSV downloads, oldest first."""

    def __init__(self) -> None:
        self.by_id: dict[str, Download] = {}
        self.order: list[Download] = []

    def add(self, download: Download) -> None:
        self.by_id[download.id] = download
        self.order.append(download)

    def open_ends(self, now: int) -> list[int]:
        """When each still-pending download ends (for ``/_mock/jobs/run``)."""
        return [d.ready_ms for d in self.order if d.ready_ms > now]


def create_download(tenant: Tenant, query: dict[str, Any], base_url: str) -> dict[str, Any]:
    now = tenant.settle()
    fmt, rows = r_csv_query(tenant, query)
    settings = tenant.settings
    delay = 0 if settings.instant_jobs else settings.pending_delay_ms
    step = 0 if settings.instant_jobs else max(1, round(1000 / settings.numbers_per_second))
    fate, ready = COMPLETE, now + delay + step
    if tenant.expire_next > 0:
        tenant.expire_next -= 1
        fate, ready = EXPIRED, now + max(delay, 1)
    elif tenant.fail_next > 0:
        tenant.fail_next -= 1
        fate = FAILED
    elif settings.expire_after_ms and delay >= settings.expire_after_ms:
        fate, ready = EXPIRED, now + settings.expire_after_ms
    ident = tenant.ids.uuid()
    download = Download(
        ident, now, ready, fate, fmt, rows, f"{base_url}/phone_numbers/csv_downloads/{ident}/file"
    )
    tenant.downloads.add(download)
    return v_nulls_csv(download, now, as_created=True)


def q_csv_404(tenant: Tenant, ident: str) -> Download:
    """Q-CSV-404: an id this tenant never created is a 404 at ``/id``."""
    download = tenant.downloads.by_id.get(ident)
    if download is None:
        raise errors.not_found(pointer="/id")
    return download


def retrieve_download(tenant: Tenant, ident: str) -> dict[str, Any]:
    now = tenant.settle()
    return v_nulls_csv(q_csv_404(tenant, ident), now)


def list_downloads(
    tenant: Tenant, query: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    now = tenant.settle()
    page = parse_page(query)
    shown, meta = page.slice(list(reversed(tenant.downloads.order)))  # newest first
    return [v_nulls_csv(d, now) for d in shown], meta


def r_csv_file(tenant: Tenant, ident: str) -> str:
    """R-CSV-FILE: the file of a ``complete`` download, as text/csv; any other status is a 404
    ("Only complete CSV download requests will be able to be retrieved")."""
    now = tenant.settle()
    download = q_csv_404(tenant, ident)
    if l_csv_download(download, now) != COMPLETE:
        raise errors.error(
            404, errors.NOT_FOUND, errors.T_NOT_FOUND, errors.D_CSV_NOT_READY, pointer="/id"
        )
    return v_csv_columns(download, tenant.inventory)
