"""Data-plane handlers for ``/phone_numbers/jobs``: parse, call one operation, render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mockserver.http.common import json_response, query, read_json, tenant_of
from mockserver.operations.jobs import JobsBackend


async def update_phone_numbers(request: Request) -> Response:
    jobs, body = JobsBackend(tenant_of(request)), await read_json(request)
    return json_response({"data": jobs.create_update_job(body, query(request))}, 202)


async def update_emergency_settings(request: Request) -> Response:
    jobs, body = JobsBackend(tenant_of(request)), await read_json(request)
    return json_response({"data": jobs.create_emergency_job(body, query(request))}, 202)


async def delete_phone_numbers(request: Request) -> Response:
    jobs, body = JobsBackend(tenant_of(request)), await read_json(request)
    return json_response({"data": jobs.create_delete_job(body, query(request))}, 202)


async def list_jobs(request: Request) -> Response:
    data, meta = JobsBackend(tenant_of(request)).list_jobs(query(request))
    return json_response({"data": data, "meta": meta})


async def retrieve_job(request: Request) -> Response:
    job = JobsBackend(tenant_of(request)).retrieve_job(request.path_params["id"])
    return json_response({"data": job})
