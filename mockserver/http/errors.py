"""Exception handlers: every failure leaves as a Telnyx error envelope, never a stack trace."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from mockserver import errors as E
from mockserver.http.common import error_response, method_not_allowed

log = logging.getLogger("mockserver")


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, E.ApiError)
    return error_response(exc)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return error_response(method_not_allowed(request, (exc.headers or {}).get("Allow", "")))
    if exc.status_code == 404:
        return error_response(E.error(404, E.NOT_FOUND, E.T_NOT_FOUND, E.D_NOT_FOUND))
    return error_response(E.error(exc.status_code, E.BAD_REQUEST, E.T_BAD_REQUEST, str(exc.detail)))


async def unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(E.error(500, E.UNEXPECTED, E.T_UNEXPECTED, E.D_UNEXPECTED))
