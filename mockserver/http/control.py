"""Test controls under ``/_mock/``: health, reset, the tenant's clock, running jobs to their end.

Controls act on the tenant named by the same bearer key as the data plane. They are absent
entirely when the app is built with ``control=False`` (``--no-control``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mockserver import __version__, errors
from mockserver.clock import iso_ms, parse_iso
from mockserver.http.common import (
    forget,
    json_response,
    read_json,
    settings_of,
    tenant_of,
    tenants_of,
)


async def health(request: Request) -> Response:
    settings = settings_of(request)
    return json_response(
        {
            "status": "ok",
            "version": __version__,
            "seed": settings.seed,
            "manual_clock": settings.manual_clock,
            "tenants": len(tenants_of(request)),
        }
    )


#: the last instant ISO 8601 can say (9999-12-31T23:59:59.999Z)
MAX_MS = 253_402_300_799_999


def _clock_json(now: int) -> dict[str, Any]:
    return {"data": {"now": iso_ms(now), "now_ms": now}}


async def reset(request: Request) -> Response:
    forget(request.app.state, tenant_of(request).key)
    return json_response({"data": {"reset": True}})


async def clock(request: Request) -> Response:
    return json_response(_clock_json(tenant_of(request).settle()))


async def clock_advance(request: Request) -> Response:
    tenant = tenant_of(request)
    body = await read_json(request)
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise errors.bad_request(errors.D_SECONDS, pointer="/seconds")
    if seconds > 10 * 365 * 86400:
        raise errors.bad_request(errors.D_TEN_YEARS, pointer="/seconds")
    if tenant.settle() + round(seconds * 1000) > MAX_MS:
        raise errors.bad_request(errors.D_PAST_END_OF_TIME, pointer="/seconds")
    tenant.clock.advance(round(seconds * 1000))
    return json_response(_clock_json(tenant.settle()))


async def clock_set(request: Request) -> Response:
    tenant = tenant_of(request)
    body = await read_json(request)
    value = body.get("now") if isinstance(body, dict) else None
    if not isinstance(value, str):
        raise errors.bad_request(errors.D_TIMESTAMP, pointer="/now")
    try:
        target = parse_iso(value)
    except (ValueError, OverflowError):
        raise errors.bad_request(errors.D_TIMESTAMP, pointer="/now") from None
    now = tenant.settle()
    if target > MAX_MS:
        raise errors.bad_request(errors.D_AFTER_END_OF_TIME, pointer="/now")
    if target < now:
        raise errors.bad_request(errors.D_BACKWARDS, pointer="/now")
    tenant.clock.set(target)
    return json_response(_clock_json(tenant.settle()))


async def run_jobs(request: Request) -> Response:
    """Run every open job of the tenant to its end by moving its clock: the jobs it ran (as
    ``GET /phone_numbers/jobs/{id}`` shows them now) in ``data``, the tenant's new now in
    ``meta``."""
    now, ran = tenant_of(request).run_open_jobs()
    return json_response({"data": ran, "meta": _clock_json(now)["data"]})
