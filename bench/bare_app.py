"""The baseline of ``make bench``: a bare Starlette app, one route returning constant JSON.

It runs on exactly the stack ``telnyx-mock serve`` uses (``uvicorn.run`` with one worker, the
same ``http``/``loop`` auto-selection, uvicorn's access log off), so the ratio of an emulator
scenario to it measures the emulator, not the server::

    python -m bench.bare_app --port 4011
"""

from __future__ import annotations

import argparse

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

#: a job-shaped constant, about the size of a small emulator answer
PAYLOAD = {
    "data": {
        "id": "42587e44-3a3e-46de-9255-0c9a7a1d1ec7",
        "record_type": "phone_numbers_job",
        "status": "pending",
        "type": "update_phone_numbers",
        "phone_numbers": [],
    }
}


async def constant(request: Request) -> Response:
    return JSONResponse(PAYLOAD)


def create_app() -> Starlette:
    return Starlette(routes=[Route("/", constant, methods=["GET"])])


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(description="bare Starlette constant-JSON route (baseline)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4011)
    args = parser.parse_args(argv)
    # the same call as mockserver.cli._serve, so both servers share one stack
    uvicorn.run(
        create_app(),
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        log_config=None,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
