"""The dashboard at ``/_mock/ui`` (static files shipped in ``mockserver/ui/``) and the one
control it needs besides the others: ``GET /_mock/tenants``, the tenants the server has seen,
named by fingerprint only (never a key).

Part of the test plane: ``--no-control`` removes it with the rest of ``/_mock``. The page reads
only ``/_mock`` and ``/v2`` of its own origin; its headers forbid loading anything from anywhere
else (``Content-Security-Policy``) and sending its address on (``Referrer-Policy``), since a
link may carry a key (``/_mock/ui?key=...``, kept out of the access log by the middleware).
"""

from __future__ import annotations

from importlib import resources

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from mockserver.http.common import json_response, tenant_of, tenants_of
from mockserver.journal import fingerprint

#: the files of the page, by name, and their media types (nothing else is ever served)
ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
    "app.js": "text/javascript; charset=utf-8",
    "core.js": "text/javascript; charset=utf-8",
    "jobs.js": "text/javascript; charset=utf-8",
    "numbers.js": "text/javascript; charset=utf-8",
    "journal.js": "text/javascript; charset=utf-8",
    "controls.js": "text/javascript; charset=utf-8",
}
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _read(name: str) -> bytes:
    return resources.files("mockserver").joinpath("ui", name).read_bytes()


async def page(request: Request) -> Response:
    return Response(_read("index.html"), media_type=ASSETS["index.html"], headers=HEADERS)


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ASSETS:
        raise HTTPException(404)
    return Response(_read(name), media_type=ASSETS[name], headers=HEADERS)


async def tenants(request: Request) -> Response:
    """Every tenant the server holds, by fingerprint, oldest first; ``meta.you`` is the caller's
    own (with an ``Authorization`` header, which must then be an accepted key)."""
    you = fingerprint(tenant_of(request).key) if "authorization" in request.headers else None
    names = [fingerprint(key) for key in tenants_of(request).known_keys()]
    return json_response({"data": [{"tenant": name} for name in names], "meta": {"you": you}})
