"""The rules of the CSV downloads (``/phone_numbers/csv_downloads``): the creation's query
(R-CSV-QUERY, R-CSV-MANAGED-ACCOUNTS), the unknown download (Q-CSV-404) and the file of a
download that is not complete (R-CSV-FILE)."""

from __future__ import annotations

from typing import Any

from mockserver import errors
from mockserver.downloads import COMPLETE, FORMATS, Download, Downloads, l_csv_download
from mockserver.inventory import Inventory, NumberFilter
from mockserver.rules.filters import r_filter_unknown
from mockserver.rules.phone_numbers import LIST_FILTER_KEYS, boolean_flag, parse_list_filter

#: [SPEC] CreateCsvDownload filter: the list's filters, plus has_bundle, minus a few
FILTER_KEYS = (
    *(k for k in LIST_FILTER_KEYS
      if k not in ("country_iso_alpha2", "number_type", "source", "without_tags")),
    "has_bundle",
)  # fmt: skip


def r_csv_managed_accounts(query: dict[str, Any]) -> None:
    """R-CSV-MANAGED-ACCOUNTS: ``include_managed_accounts=true`` is a 403, as for an account
    without managed accounts (no tenant has any); ``false`` is accepted."""
    if boolean_flag(query, "include_managed_accounts"):
        raise errors.error(
            403, errors.AUTHZ_FAILED, errors.T_AUTHZ_FAILED, errors.D_MANAGED_ACCOUNTS,
            parameter="include_managed_accounts",
        )  # fmt: skip


def r_csv_query(inv: Inventory, query: dict[str, Any]) -> tuple[str, NumberFilter]:
    """R-CSV-QUERY: ``csv_format`` is V1 (default) or V2; the filter takes the spec's keys (the
    list's parser: same values, same errors) plus ``has_bundle`` ('true' / 'false');
    ``include_managed_accounts`` is ``true`` or ``false``. Returns the format and the filter."""
    fmt = query.get("csv_format", "V1")
    if fmt not in FORMATS:
        detail = errors.D_ONE_OF.format(values=", ".join(FORMATS))
        raise errors.bad_request(detail, parameter="csv_format")
    r_csv_managed_accounts(query)
    raw = query.get("filter")
    rest = raw
    bundle: bool | None = None
    if isinstance(raw, dict):
        r_filter_unknown(raw, FILTER_KEYS)
        if "has_bundle" in raw:
            rest = {k: v for k, v in raw.items() if k != "has_bundle"}
            bundle = boolean_flag({"filter[has_bundle]": raw["has_bundle"]}, "filter[has_bundle]")
    f = parse_list_filter(inv, rest, FILTER_KEYS)
    f.has_bundle = bundle
    return fmt, f


def q_csv_404(downloads: Downloads, ident: str) -> Download:
    """Q-CSV-404: an id this tenant never created is a 404 at ``/id``."""
    download = downloads.by_id.get(ident)
    if download is None:
        raise errors.not_found(pointer="/id")
    return download


def r_csv_file(downloads: Downloads, ident: str, now: int) -> Download:
    """R-CSV-FILE: the file of a ``complete`` download; any other status is a 404 ("Only
    complete CSV download requests will be able to be retrieved")."""
    download = q_csv_404(downloads, ident)
    if l_csv_download(download, now) != COMPLETE:
        raise errors.error(
            404, errors.NOT_FOUND, errors.T_NOT_FOUND, errors.D_CSV_NOT_READY, pointer="/id"
        )
    return download
