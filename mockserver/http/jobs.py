"""Data-plane handlers for ``/phone_numbers/jobs``: parse, call the store, serialize."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mockserver.http.common import json_response, query, read_json, tenant
from mockserver.jobs import DELETE, EMERGENCY, UPDATE


async def _create(request: Request, job_type: str) -> Response:
    world = tenant(request)
    body = await read_json(request)
    q = query(request)
    return json_response({"data": world.create_job(job_type, body, q)}, 202)


async def update_phone_numbers(request: Request) -> Response:
    return await _create(request, UPDATE)


async def update_emergency_settings(request: Request) -> Response:
    return await _create(request, EMERGENCY)


async def delete_phone_numbers(request: Request) -> Response:
    return await _create(request, DELETE)


CREATION_PATHS = frozenset({UPDATE, EMERGENCY, DELETE})


async def retrieve_job(request: Request) -> Response:
    world = tenant(request)
    return json_response({"data": world.retrieve_job(request.path_params["id"])})


async def list_jobs(request: Request) -> Response:
    world = tenant(request)
    data, meta = world.list_jobs(query(request))
    return json_response({"data": data, "meta": meta})
