"""A cassette exchange in httpx's terms: the conversions between httpx and recorded forms, and
the error for a request no recording answers. Shared by the session (recording) and the replay
paths, so neither needs the other.
"""

from __future__ import annotations

import httpx

from mockserver.cassette.format import RecordedRequest, RecordedResponse, headers_from


class CassetteMiss(AssertionError):
    """A request the cassette does not hold and the record mode does not let us record."""


def request_from_httpx(request: httpx.Request) -> RecordedRequest:
    """``request.read()`` must have run (httpx does for non-streaming requests)."""
    body = request.content.decode("utf-8", errors="replace") if request.content else None
    return RecordedRequest(
        method=request.method,
        uri=str(request.url),
        headers=headers_from(request.headers.multi_items()),
        body=body,
    )


def response_from_httpx(response: httpx.Response) -> RecordedResponse:
    """``response.read()`` must have run. Encoding headers are dropped: the body is decoded."""
    pairs = [
        (k, v)
        for k, v in response.headers.multi_items()
        if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")
    ]
    return RecordedResponse(
        status=response.status_code,
        message=response.reason_phrase,
        headers=headers_from(pairs),
        body=response.content.decode("utf-8", errors="replace"),
    )


_FRAMING = ("content-length", "content-encoding", "transfer-encoding")


def response_to_httpx(recorded: RecordedResponse, request: httpx.Request) -> httpx.Response:
    """The body is stored decoded, so headers about its framing on the wire are dropped."""
    headers = [
        (k, v) for k, values in recorded.headers.items() for v in values
        if k.lower() not in _FRAMING
    ]  # fmt: skip
    return httpx.Response(
        recorded.status, headers=headers, content=recorded.body.encode("utf-8"), request=request
    )
