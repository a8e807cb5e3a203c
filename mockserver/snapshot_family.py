"""The /phone_numbers family's parts of a tenant's state document (:mod:`mockserver.snapshot`):
its own voicemail settings (those it created or changed, by number id; the world's stay in the
world) and its CSV downloads (each with its lifecycle times and the file written at creation).

Each part has a writer (the part's fields of the tenant's document) and a reader that checks
every field at its JSON pointer and fills a fresh tenant; nothing is installed until the whole
document has been read.
"""

from __future__ import annotations

from typing import Any

from mockserver import errors, schemas
from mockserver.downloads import COMPLETE, EXPIRED, FAILED, FORMATS, Download, Downloads
from mockserver.snapshot_check import Reader, SnapshotError, items
from mockserver.tenant import Tenant

VOICEMAIL_SCHEMA = "voicemail.schema.json"
FATES = (COMPLETE, FAILED, EXPIRED)


def write_voicemail(tenant: Tenant) -> dict[str, Any]:
    return {"voicemail": dict(tenant.voicemail.own())}


def read_voicemail(doc: Reader, tenant: Tenant) -> None:
    """Settings by number id: each id a number of this world, each value voicemail settings."""
    book = doc.child("voicemail")
    known = tenant.inventory.numbers.base.pos
    validator = schemas.validator(VOICEMAIL_SCHEMA)
    for ident, settings in book.doc.items():
        at = book.at(ident)
        if ident not in known:
            raise SnapshotError(at, errors.D_STATE_NUMBER)
        problem = next(iter(validator.iter_errors(settings)), None)
        if problem is not None:
            detail = errors.D_STATE_VOICEMAIL.format(reason=problem.message[:120])
            raise SnapshotError(at, detail)
        tenant.voicemail.put(ident, settings)


def write_downloads(tenant: Tenant) -> dict[str, Any]:
    return {
        "csv_downloads": [
            {
                "id": d.id,
                "created_ms": d.created_ms,
                "ready_ms": d.ready_ms,
                "fate": d.fate,
                "csv_format": d.csv_format,
                "url": d.url,
                "text": d.text,
            }
            for d in tenant.downloads.order
        ]
    }


def _one_of(item: Reader, name: str, allowed: tuple[str, ...]) -> str:
    value: str = item.field(name, str)
    if value not in allowed:
        detail = errors.D_ONE_OF.format(values=", ".join(allowed))
        raise SnapshotError(item.at(name), detail)
    return value


def read_downloads(doc: Reader, tenant: Tenant) -> None:
    """The downloads, oldest first, each with its fate, format, times, url and file."""
    found = Downloads(tenant.downloads.max_finished)
    for value, at in items(doc, "csv_downloads"):
        item = Reader(value, at)
        created = item.integer("created_ms")
        download = Download(
            id=item.field("id", str),
            created_ms=created,
            ready_ms=item.integer("ready_ms", low=created),
            fate=_one_of(item, "fate", FATES),
            csv_format=_one_of(item, "csv_format", FORMATS),
            text=item.field("text", str),
            url=item.field("url", str),
        )
        if download.id in found.by_id:
            raise SnapshotError(at + "/id", errors.D_STATE_DOWNLOAD_IDS)
        found.by_id[download.id] = download
        found.order.append(download)
    tenant.downloads = found
