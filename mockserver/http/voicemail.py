"""Data-plane handlers for ``/phone_numbers/{phone_number_id}/voicemail``: parse, call one
operation, render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mockserver.http.common import json_response, read_json, tenant_of
from mockserver.operations.voicemail import VoicemailBackend


async def create_voicemail(request: Request) -> Response:
    voicemail, body = VoicemailBackend(tenant_of(request)), await read_json(request)
    ident = request.path_params["phone_number_id"]
    return json_response({"data": voicemail.create_voicemail(ident, body)})


async def retrieve_voicemail(request: Request) -> Response:
    voicemail = VoicemailBackend(tenant_of(request))
    return json_response(
        {"data": voicemail.retrieve_voicemail(request.path_params["phone_number_id"])}
    )


async def update_voicemail(request: Request) -> Response:
    voicemail, body = VoicemailBackend(tenant_of(request)), await read_json(request)
    ident = request.path_params["phone_number_id"]
    return json_response({"data": voicemail.update_voicemail(ident, body)})
