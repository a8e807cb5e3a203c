"""Exception handlers: every failure leaves as a Telnyx error envelope, never a stack trace.

R-UNKNOWN-ROUTE, R-METHOD and R-NO-500 are here, in the manifest's order.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from mockserver import errors
from mockserver.http.common import error_response

log = logging.getLogger("mockserver")


def r_unknown_route() -> errors.ApiError:
    """R-UNKNOWN-ROUTE: an unknown path is a 404 10005 without a source."""
    return errors.error(404, errors.NOT_FOUND, errors.T_NOT_FOUND, errors.D_NOT_FOUND)


def r_method(request: Request, allow: str) -> errors.ApiError:
    """R-METHOD: a known path with a wrong method is a 405 with an ``Allow`` header."""
    detail = errors.D_METHOD.format(method=request.method)
    err = errors.error(405, errors.BAD_REQUEST, errors.T_METHOD_NOT_ALLOWED, detail)
    err.headers = {"Allow": allow}
    return err


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.ApiError)
    return error_response(exc)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return error_response(r_method(request, (exc.headers or {}).get("Allow", "")))
    if exc.status_code == 404:
        return error_response(r_unknown_route())
    detail = str(exc.detail)
    return error_response(
        errors.error(exc.status_code, errors.BAD_REQUEST, errors.T_BAD_REQUEST, detail)
    )


async def r_no_500(request: Request, exc: Exception) -> Response:
    """R-NO-500: the last resort. Every input has its own 4xx; what still escapes is logged and
    answered as the catalogue's 500 (never a stack trace)."""
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(
        errors.error(500, errors.UNEXPECTED, errors.T_UNEXPECTED, errors.D_UNEXPECTED)
    )
