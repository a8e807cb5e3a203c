"""Data-plane handlers for the number actions (``/phone_numbers/{id}/actions/...`` and
``/phone_numbers/actions/verify_ownership``): parse, call one operation, render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mockserver.http.common import json_response, read_json, tenant_of
from mockserver.operations.actions import ActionsBackend


async def enable_emergency(request: Request) -> Response:
    actions, body = ActionsBackend(tenant_of(request)), await read_json(request)
    return json_response({"data": actions.enable_emergency(request.path_params["id"], body)})


async def change_bundle_status(request: Request) -> Response:
    actions, body = ActionsBackend(tenant_of(request)), await read_json(request)
    return json_response({"data": actions.change_bundle_status(request.path_params["id"], body)})


async def verify_ownership(request: Request) -> Response:
    actions, body = ActionsBackend(tenant_of(request)), await read_json(request)
    return json_response({"data": actions.verify_ownership(body)})
