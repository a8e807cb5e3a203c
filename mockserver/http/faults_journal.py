"""Test controls for fault injection and the request journal: ``/_mock/faults``, ``/_mock/journal``.

Both act on the tenant named by the bearer key. ``GET``/``DELETE /_mock/journal`` without any
``Authorization`` header reach the anonymous journal (requests that had no valid key).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mockserver.faults import JOB_KINDS, Faults, parse_spec
from mockserver.http.common import json_response, read_json, tenant_of
from mockserver.journal import Journals


async def faults(request: Request) -> Response:
    tenant = tenant_of(request)
    registry: Faults = request.app.state.faults
    if request.method == "POST":
        body = await read_json(request)
        if isinstance(body, dict) and body.get("kind") in JOB_KINDS:
            spec = parse_spec(body, "")
            times = spec.times or 1
            if spec.kind == "expire_jobs":
                tenant.expire_next = times
            else:
                tenant.fail_next = times
            return json_response({"data": {"kind": spec.kind, "times": times}}, 201)
        fault = registry.of(tenant.key).add(body)
        return json_response({"data": fault.to_json()}, 201)
    if request.method == "DELETE":
        # the --rate-limit bucket is no fault: clearing faults leaves it as it is (only
        # /_mock/reset, which forgets the whole tenant, refills it)
        cleared = registry.clear(tenant.key)
        tenant.expire_next = tenant.fail_next = 0
        return json_response({"data": {"cleared": cleared}})
    found = registry.peek(tenant.key)
    meta: dict[str, Any] = {"expire_next": tenant.expire_next, "fail_next": tenant.fail_next}
    data = [fault.to_json() for fault in found.list()] if found is not None else []
    return json_response({"data": data, "meta": meta})


async def journal(request: Request) -> Response:
    key = None if "authorization" not in request.headers else tenant_of(request).key
    journals: Journals = request.app.state.journals
    if request.method == "DELETE":
        return json_response({"data": {"cleared": journals.clear(key)}})
    log = journals.of(key)
    params = request.query_params
    entries = log.entries(params.get("method"), params.get("path"))
    return json_response(
        {
            "data": [entry.to_json() for entry in entries],
            "meta": {"total": log.total, "dropped": log.dropped},
        }
    )
