"""What every handler shares: JSON responses, the body reader, and the request's tenant."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from mockserver import errors
from mockserver.config import Settings
from mockserver.query import parse
from mockserver.rules.requests import r_bad_json, r_body_size, r_content_encoding, r_content_type
from mockserver.tenant import Tenant
from mockserver.tenants import Tenants

#: where the middleware leaves a request's accepted key (``None``: no usable key) and, once
#: resolved, its tenant, in the ASGI scope's ``state`` (Starlette's ``request.state``)
STATE_KEY = "telnyx_mock_key"
STATE_TENANT = "telnyx_mock_tenant"


def dumps(payload: Any) -> bytes:
    """Compact UTF-8 JSON: orjson (fast; a 1,000-number job is ~110 KB), else the stdlib,
    byte-for-byte the same output (``tests/test_http_common.py`` pins that)."""
    try:
        return orjson.dumps(payload)
    except TypeError:  # what orjson refuses (integers beyond 64 bits): the stdlib copes
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        dumps(payload), status_code=status, headers=headers, media_type="application/json"
    )


def error_response(exc: errors.ApiError) -> Response:
    return json_response(exc.to_json(), exc.status, exc.headers or None)


def forget(state: Any, key: str | None = None) -> None:
    """Everything the emulator remembers of a key (of every key when ``None``): its tenant,
    journal, faults and rate-limit bucket. ``/_mock/reset`` and the plugin's reset use it."""
    state.tenants.reset(key)
    forget_extras(state, key)


def forget_extras(state: Any, key: str | None = None) -> None:
    """What the emulator keeps of a key beside its tenant: journal, faults, rate-limit bucket
    (forgotten with an evicted tenant too)."""
    if key is None:
        state.journals.clear_all()
        state.faults.clear_all()
    else:
        state.journals.clear(key)
        state.faults.clear(key)
    if state.limiter is not None:
        state.limiter.forget(key)


def tenants_of(request: Request) -> Tenants:
    tenants: Tenants = request.app.state.tenants
    return tenants


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def tenant_of(request: Request) -> Tenant:
    """The request's tenant: resolved once, by the middleware (the data plane) or here on first
    use (the controls); a 401 without an accepted key."""
    state: dict[str, Any] = request.scope["state"]
    tenant: Tenant | None = state.get(STATE_TENANT)
    if tenant is None:
        tenant = state[STATE_TENANT] = tenants_of(request).authenticate(state[STATE_KEY])
    return tenant


def query(request: Request) -> dict[str, Any]:
    return parse(request.query_params.multi_items())


async def read_json(request: Request) -> Any:
    """The request body as JSON, or a Telnyx-shaped 4xx: never an exception out of a parser."""
    settings = settings_of(request)
    limit = settings.max_body_bytes
    r_body_size(0, limit, request.headers.get("content-length"))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        r_body_size(size, limit)
        chunks.append(chunk)
    raw = b"".join(chunks)
    r_content_encoding(request.headers.get("content-encoding"))
    r_content_type(request.headers.get("content-type"))
    return r_bad_json(raw, settings.max_json_depth)
