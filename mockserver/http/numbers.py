"""Data-plane handlers for ``/phone_numbers`` and ``/phone_numbers/{id}/voice``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mockserver import number_ops
from mockserver.http.common import json_response, method_not_allowed, query, read_json, tenant

#: the second path segments that name a collection, and the methods each answers
COLLECTIONS = {
    "jobs": "GET",
    "slim": "GET",
    "voice": "GET",
    "messaging": "GET",
    "csv_downloads": "GET, POST",
}


def r_collection_methods(request: Request, ident: str) -> None:
    """R-COLLECTION-METHODS: ``/phone_numbers/jobs``, ``/slim``, ``/voice``, ``/messaging`` and
    ``/csv_downloads`` are collections, not numbers: another method is a 405 with ``Allow``."""
    allow = COLLECTIONS.get(ident)
    if allow is not None:
        raise method_not_allowed(request, allow)


async def list_numbers(request: Request) -> Response:
    world = tenant(request)
    data, meta = number_ops.list_numbers(world, query(request))
    return json_response({"data": data, "meta": meta})


async def number_resource(request: Request) -> Response:
    world = tenant(request)
    ident = request.path_params["id"]
    r_collection_methods(request, ident)
    if request.method == "GET":
        return json_response({"data": number_ops.retrieve_number(world, ident)})
    if request.method == "DELETE":
        return json_response({"data": number_ops.delete_number(world, ident)})
    body = await read_json(request)
    return json_response({"data": number_ops.update_number(world, ident, body)})


async def voice_resource(request: Request) -> Response:
    world = tenant(request)
    ident = request.path_params["id"]
    if request.method == "GET":
        return json_response({"data": number_ops.retrieve_voice(world, ident)})
    body = await read_json(request)
    return json_response({"data": number_ops.update_voice(world, ident, body)})
