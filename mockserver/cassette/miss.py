"""A cassette miss as an HTTP answer: a Telnyx-shaped 404 whose ``detail`` names the closest
recorded request.

Both replay servers answer a request the cassette does not hold this way: ``telnyx-mock replay``
and the ``telnyx_cassette`` fixture. The official SDK surfaces it at once as
``telnyx.NotFoundError``: it retries only 408, 409, 429 and 5xx (``_should_retry`` in
``telnyx/_base_client.py``), and ``x-should-retry: false`` says so to any Stainless-made client.
An exception instead (what httpx transports raise) would be retried and then reported as
``APIConnectionError: Connection error.``, the reason buried in a chained traceback.
"""

from __future__ import annotations

import httpx

from mockserver import errors

MISS_HEADER = "x-telnyx-mock-replay"
MISS_STATUS = 404
NO_RETRY = {"x-should-retry": "false"}


def miss_error(detail: str) -> errors.ApiError:
    """The error a miss answers with (``detail``: the request and the closest recording)."""
    err = errors.error(
        MISS_STATUS, errors.NOT_FOUND, errors.T_NOT_RECORDED, detail, pointer="/base"
    )
    err.headers = {MISS_HEADER: "miss", **NO_RETRY}
    return err


def miss_response(detail: str, request: httpx.Request) -> httpx.Response:
    """:func:`miss_error` as an httpx response to ``request`` (for transports and respx)."""
    err = miss_error(detail)
    return httpx.Response(err.status, headers=err.headers, json=err.to_json(), request=request)
