"""The CSV downloads surface: the operations of ``/phone_numbers/csv_downloads`` and the file a
download's ``url`` names (``/phone_numbers/csv_downloads/{id}/file``, the emulator's own).

``CsvDownloadsBackend(tenant)`` answers one tenant's requests. A download's rows are the numbers
``GET /phone_numbers`` lists with the same filter at the instant of creation (the file is written
then), in that list's default order
(:meth:`~mockserver.operations.phone_numbers.PhoneNumbersBackend.ordered`). The record and its
lifecycle are :mod:`mockserver.downloads`; the checks :mod:`mockserver.rules.csv_downloads`.
"""

from __future__ import annotations

from typing import Any

from mockserver.downloads import v_csv_columns, v_nulls_csv
from mockserver.operations.phone_numbers import PhoneNumbersBackend
from mockserver.rules.csv_downloads import q_csv_404, r_csv_file, r_csv_query
from mockserver.rules.queries import parse_page
from mockserver.tenant import Tenant


def file_url(base_url: str, ident: str) -> str:
    """Where a download's CSV file is served: the emulator itself, as the request reached it."""
    return f"{base_url}/phone_numbers/csv_downloads/{ident}/file"


class CsvDownloadsBackend:
    """CSV downloads: create, list, retrieve, and the file of a complete one."""

    __slots__ = ("tenant",)

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant

    def create_csv_download(self, query: dict[str, Any], base_url: str) -> dict[str, Any]:
        """``POST /phone_numbers/csv_downloads``: a new ``pending`` download."""
        tenant = self.tenant
        now = tenant.settle()
        inv = tenant.inventory
        fmt, f = r_csv_query(inv, query)
        text = v_csv_columns(fmt, PhoneNumbersBackend(tenant).ordered(f, None), inv)
        download = tenant.add_download(fmt, text, lambda ident: file_url(base_url, ident), now)
        return v_nulls_csv(download, now, as_created=True)

    def list_csv_downloads(
        self, query: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """``GET /phone_numbers/csv_downloads``: newest first, one page."""
        now = self.tenant.l_read_no_move()
        page = parse_page(query)
        shown, meta = page.slice(list(reversed(self.tenant.downloads.order)))
        return [v_nulls_csv(d, now) for d in shown], meta

    def retrieve_csv_download(self, ident: str) -> dict[str, Any]:
        """``GET /phone_numbers/csv_downloads/{id}``."""
        now = self.tenant.l_read_no_move()
        return v_nulls_csv(q_csv_404(self.tenant.downloads, ident), now)

    def csv_file(self, ident: str) -> str:
        """``GET /phone_numbers/csv_downloads/{id}/file``: the CSV text."""
        now = self.tenant.l_read_no_move()
        return r_csv_file(self.tenant.downloads, ident, now).text
