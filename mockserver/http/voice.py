"""Data-plane handlers for ``/phone_numbers/{id}/voice``: parse, call one operation, render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mockserver.http.common import json_response, read_json, tenant_of
from mockserver.operations.voice import VoiceBackend


async def retrieve_voice_settings(request: Request) -> Response:
    voice = VoiceBackend(tenant_of(request))
    return json_response({"data": voice.retrieve_voice_settings(request.path_params["id"])})


async def update_voice_settings(request: Request) -> Response:
    voice, body = VoiceBackend(tenant_of(request)), await read_json(request)
    return json_response({"data": voice.update_voice_settings(request.path_params["id"], body)})
