"""Data-plane handlers for ``/phone_numbers/csv_downloads`` (and the file a download's ``url``
names): parse, call one operation, render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mockserver.http.common import json_response, query, tenant_of
from mockserver.operations.csv_downloads import CsvDownloadsBackend

CSV_MEDIA_TYPE = "text/csv"


def base_url(request: Request) -> str:
    """The emulator's own URL as this request reached it (``/v2`` kept when it was used)."""
    prefix = "/v2" if request.url.path.startswith("/v2/") else ""
    return str(request.base_url).rstrip("/") + prefix


async def create_csv_download(request: Request) -> Response:
    downloads = CsvDownloadsBackend(tenant_of(request))
    record = downloads.create_csv_download(query(request), base_url(request))
    return json_response({"data": [record]})


async def list_csv_downloads(request: Request) -> Response:
    data, meta = CsvDownloadsBackend(tenant_of(request)).list_csv_downloads(query(request))
    return json_response({"data": data, "meta": meta})


async def retrieve_csv_download(request: Request) -> Response:
    downloads = CsvDownloadsBackend(tenant_of(request))
    return json_response({"data": [downloads.retrieve_csv_download(request.path_params["id"])]})


async def csv_file(request: Request) -> Response:
    text = CsvDownloadsBackend(tenant_of(request)).csv_file(request.path_params["id"])
    return Response(text.encode("utf-8"), media_type=CSV_MEDIA_TYPE)
