"""What every handler shares: JSON responses, the body reader, and the tenant lookup."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from mockserver import errors as E
from mockserver.config import Settings
from mockserver.query import parse
from mockserver.store import Tenant
from mockserver.tenants import Tenants


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


def error_response(exc: E.ApiError) -> Response:
    return json_response(exc.to_json(), exc.status, exc.headers or None)


def method_not_allowed(request: Request, allow: str) -> E.ApiError:
    err = E.error(
        405, E.BAD_REQUEST, E.T_METHOD_NOT_ALLOWED, E.D_METHOD.format(method=request.method)
    )
    err.headers = {"Allow": allow}
    return err


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


def tenant(request: Request) -> Tenant:
    return tenants_of(request).authenticate(request.headers.get("authorization"))


def query(request: Request) -> dict[str, Any]:
    return parse(request.query_params.multi_items())


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return True  # lenient: a body without a content type is read as JSON (R-CONTENT-TYPE)
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _depth_ok(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return False
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return True


def _unicode_ok(value: Any) -> bool:
    """False when any string (or key) holds a lone surrogate, which no response could encode."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return True


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")  # NaN, Infinity, -Infinity


async def read_json(request: Request) -> Any:
    """The request body as JSON, or a Telnyx-shaped 4xx: never an exception out of a parser."""
    settings = settings_of(request)
    limit = settings.max_body_bytes
    declared = request.headers.get("content-length")
    if (
        declared is not None
        and declared.isascii()
        and declared.isdigit()
        and (len(declared) > 18 or int(declared) > limit)
    ):
        raise E.error(413, E.BAD_REQUEST, E.T_TOO_LARGE, E.D_TOO_LARGE.format(limit=limit))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise E.error(413, E.BAD_REQUEST, E.T_TOO_LARGE, E.D_TOO_LARGE.format(limit=limit))
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not _is_json(request.headers.get("content-type")):
        raise E.error(415, E.BAD_REQUEST, E.T_UNSUPPORTED_MEDIA, E.D_CONTENT_TYPE)
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except RecursionError:
        raise E.error(400, E.INVALID_JSON, E.T_INVALID_JSON, E.D_TOO_DEEP) from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        raise E.error(400, E.INVALID_JSON, E.T_INVALID_JSON, E.D_INVALID_JSON) from None
    # nesting needs brackets: a body with few of them cannot be too deep (skips the walk)
    brackets = raw.count(b"[") + raw.count(b"{")
    if brackets > settings.max_json_depth and not _depth_ok(body, settings.max_json_depth):
        raise E.error(400, E.INVALID_JSON, E.T_INVALID_JSON, E.D_TOO_DEEP)
    if b"\\u" in raw and not _unicode_ok(body):  # only escapes can make lone surrogates
        raise E.error(400, E.INVALID_JSON, E.T_INVALID_JSON, E.D_SURROGATE)
    return body
