"""Data-plane handlers for ``/phone_numbers/messaging`` and ``/phone_numbers/{id}/messaging``:
parse, call one operation, render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mockserver.http.common import json_response, query, read_json, tenant_of
from mockserver.operations.messaging import MessagingBackend


async def list_messaging_settings(request: Request) -> Response:
    data, meta = MessagingBackend(tenant_of(request)).list_messaging_settings(query(request))
    return json_response({"data": data, "meta": meta})


async def retrieve_messaging_settings(request: Request) -> Response:
    messaging = MessagingBackend(tenant_of(request))
    ident = request.path_params["id"]
    return json_response({"data": messaging.retrieve_messaging_settings(ident)})


async def update_messaging_settings(request: Request) -> Response:
    messaging, body = MessagingBackend(tenant_of(request)), await read_json(request)
    ident = request.path_params["id"]
    return json_response({"data": messaging.update_messaging_settings(ident, body)})
