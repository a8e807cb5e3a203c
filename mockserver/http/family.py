"""Data-plane handlers of the rest of the ``/phone_numbers`` family: parse, call, serialize.

Slim and voice lists, messaging settings, voicemail, CSV downloads (and their files), and the
number actions. Every rule lives in the operations modules; these are shims.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mockserver import csv_downloads, list_views, messaging, number_actions, voicemail
from mockserver.http.common import json_response, query, read_json, tenant


def _base_url(request: Request) -> str:
    """The emulator's own URL as this request reached it (``/v2`` kept when it was used)."""
    prefix = "/v2" if request.url.path.startswith("/v2/") else ""
    return str(request.base_url).rstrip("/") + prefix


# -- list views --------------------------------------------------------------------------------
async def slim_list(request: Request) -> Response:
    data, meta = list_views.v_slim_list(tenant(request), query(request))
    return json_response({"data": data, "meta": meta})


async def voice_list(request: Request) -> Response:
    data, meta = list_views.v_voice_list(tenant(request), query(request))
    return json_response({"data": data, "meta": meta})


# -- messaging ---------------------------------------------------------------------------------
async def messaging_list(request: Request) -> Response:
    data, meta = messaging.v_messaging_list(tenant(request), query(request))
    return json_response({"data": data, "meta": meta})


async def messaging_resource(request: Request) -> Response:
    world, ident = tenant(request), request.path_params["id"]
    if request.method == "GET":
        return json_response({"data": messaging.retrieve_messaging(world, ident)})
    body = await read_json(request)
    return json_response({"data": messaging.update_messaging(world, ident, body)})


# -- voicemail ---------------------------------------------------------------------------------
async def voicemail_resource(request: Request) -> Response:
    world, ident = tenant(request), request.path_params["phone_number_id"]
    if request.method == "GET":
        return json_response({"data": voicemail.retrieve_voicemail(world, ident)})
    body = await read_json(request)
    if request.method == "POST":
        return json_response({"data": voicemail.create_voicemail(world, ident, body)})
    return json_response({"data": voicemail.update_voicemail(world, ident, body)})


# -- CSV downloads -----------------------------------------------------------------------------
async def csv_downloads_collection(request: Request) -> Response:
    world = tenant(request)
    if request.method == "POST":
        record = csv_downloads.create_download(world, query(request), _base_url(request))
        return json_response({"data": [record]})
    data, meta = csv_downloads.list_downloads(world, query(request))
    return json_response({"data": data, "meta": meta})


async def csv_download(request: Request) -> Response:
    record = csv_downloads.retrieve_download(tenant(request), request.path_params["id"])
    return json_response({"data": [record]})


async def csv_download_file(request: Request) -> Response:
    text = csv_downloads.r_csv_file(tenant(request), request.path_params["id"])
    return Response(text.encode("utf-8"), media_type="text/csv")


# -- actions -----------------------------------------------------------------------------------
async def enable_emergency(request: Request) -> Response:
    world, body = tenant(request), await read_json(request)
    data = number_actions.enable_emergency(world, request.path_params["id"], body)
    return json_response({"data": data})


async def bundle_status_change(request: Request) -> Response:
    world, body = tenant(request), await read_json(request)
    data = number_actions.bundle_status_change(world, request.path_params["id"], body)
    return json_response({"data": data})


async def verify_ownership(request: Request) -> Response:
    world, body = tenant(request), await read_json(request)
    return json_response({"data": number_actions.verify_ownership(world, body)})
