"""The route table: every route of the data plane and of the test controls, written once.

Each data-plane row is (method, path, handler, success status, response schema). The app's
Starlette routes come from it (:func:`data_routes`), and so does ``schemas/responses.json``, the
response-schema table the tests, the contract suite and the cassette drift check read: run
``python -m mockserver.routes`` to rewrite it after changing a row (a test fails while the file
and the table differ). Adding an operation is one row here, its handler in ``http/`` and its
operation in ``operations/``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, NamedTuple

from starlette.convertors import StringConvertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, Router

from mockserver import schemas
from mockserver.config import Settings
from mockserver.http import (
    actions,
    control,
    csv_downloads,
    faults_journal,
    jobs,
    messaging,
    openapi,
    phone_numbers,
    state,
    ui,
    voice,
    voicemail,
)
from mockserver.jobs import TYPES
from mockserver.response_check import CSV as CSV_BODY

Handler = Callable[[Request], Awaitable[Response]]
ERROR_SCHEMA = "error.schema.json#/$defs/emulator_envelope"
RESPONSES_FILE = "responses.json"


class Endpoint(NamedTuple):
    method: str
    path: str  # Starlette's path syntax, without the /v2 prefix
    handler: Handler
    status: int
    schema: str


class JobIdConvertor(StringConvertor):
    """One path segment that is not one of the three creation paths."""

    regex = "(?!(?:" + "|".join(sorted(TYPES)) + ")(?:/|$))[^/]+"


register_url_convertor("telnyx_job_id", JobIdConvertor())

#: the data plane, exactly as the live API lays it out under ``/v2``, in matching order
DATA_PLANE: tuple[Endpoint, ...] = (
    Endpoint("POST", "/phone_numbers/jobs/update_phone_numbers", jobs.update_phone_numbers, 202, "job_envelope.schema.json"),  # noqa: E501
    Endpoint("POST", "/phone_numbers/jobs/update_emergency_settings", jobs.update_emergency_settings, 202, "job_envelope.schema.json"),  # noqa: E501
    Endpoint("POST", "/phone_numbers/jobs/delete_phone_numbers", jobs.delete_phone_numbers, 202, "job_envelope.schema.json"),  # noqa: E501
    Endpoint("GET", "/phone_numbers/jobs", jobs.list_jobs, 200, "job_list.schema.json"),
    # a job id is never a creation path's last segment: GET on those is Starlette's own 405
    Endpoint("GET", "/phone_numbers/jobs/{id:telnyx_job_id}", jobs.retrieve_job, 200, "job_envelope.schema.json"),  # noqa: E501
    Endpoint("GET", "/phone_numbers", phone_numbers.list_phone_numbers, 200, "phone_number_list.schema.json"),  # noqa: E501
    # the family's collections: before /phone_numbers/{id} (these segments are never ids)
    Endpoint("GET", "/phone_numbers/slim", phone_numbers.slim_list_phone_numbers, 200, "phone_number_slim_list.schema.json"),  # noqa: E501
    Endpoint("GET", "/phone_numbers/voice", voice.list_voice_settings, 200, "voice_settings_list.schema.json"),  # noqa: E501
    Endpoint("GET", "/phone_numbers/messaging", messaging.list_messaging_settings, 200, "messaging_settings_list.schema.json"),  # noqa: E501
    Endpoint("POST", "/phone_numbers/csv_downloads", csv_downloads.create_csv_download, 200, "csv_download_envelope.schema.json"),  # noqa: E501
    Endpoint("GET", "/phone_numbers/csv_downloads", csv_downloads.list_csv_downloads, 200, "csv_download_list.schema.json"),  # noqa: E501
    Endpoint("GET", "/phone_numbers/csv_downloads/{id}", csv_downloads.retrieve_csv_download, 200, "csv_download_envelope.schema.json"),  # noqa: E501
    Endpoint("GET", "/phone_numbers/csv_downloads/{id}/file", csv_downloads.csv_file, 200, CSV_BODY),  # noqa: E501
    Endpoint("POST", "/phone_numbers/actions/verify_ownership", actions.verify_ownership, 200, "verify_ownership.schema.json"),  # noqa: E501
    Endpoint("GET", "/phone_numbers/{id}", phone_numbers.retrieve_phone_number, 200, "phone_number_envelope.schema.json"),  # noqa: E501
    Endpoint("PATCH", "/phone_numbers/{id}", phone_numbers.update_phone_number, 200, "phone_number_envelope.schema.json"),  # noqa: E501
    Endpoint("DELETE", "/phone_numbers/{id}", phone_numbers.delete_phone_number, 200, "phone_number_deleted_envelope.schema.json"),  # noqa: E501
    Endpoint("GET", "/phone_numbers/{id}/voice", voice.retrieve_voice_settings, 200, "voice_settings_envelope.schema.json"),  # noqa: E501
    Endpoint("PATCH", "/phone_numbers/{id}/voice", voice.update_voice_settings, 200, "voice_settings_envelope.schema.json"),  # noqa: E501
    Endpoint("GET", "/phone_numbers/{id}/messaging", messaging.retrieve_messaging_settings, 200, "messaging_settings_envelope.schema.json"),  # noqa: E501
    Endpoint("PATCH", "/phone_numbers/{id}/messaging", messaging.update_messaging_settings, 200, "messaging_settings_envelope.schema.json"),  # noqa: E501
    Endpoint("POST", "/phone_numbers/{phone_number_id}/voicemail", voicemail.create_voicemail, 200, "voicemail_envelope.schema.json"),  # noqa: E501
    Endpoint("GET", "/phone_numbers/{phone_number_id}/voicemail", voicemail.retrieve_voicemail, 200, "voicemail_envelope.schema.json"),  # noqa: E501
    Endpoint("PATCH", "/phone_numbers/{phone_number_id}/voicemail", voicemail.update_voicemail, 200, "voicemail_envelope.schema.json"),  # noqa: E501
    Endpoint("POST", "/phone_numbers/{id}/actions/enable_emergency", actions.enable_emergency, 200, "voice_settings_envelope.schema.json"),  # noqa: E501
    Endpoint("PATCH", "/phone_numbers/{id}/actions/bundle_status_change", actions.change_bundle_status, 200, "voice_settings_envelope.schema.json"),  # noqa: E501
)  # fmt: skip

#: the test controls under ``/_mock`` (one handler per path, answering each of its methods)
CONTROLS: tuple[tuple[str, Handler, tuple[str, ...]], ...] = (
    ("/health", control.health, ("GET",)),
    ("/reset", control.reset, ("POST",)),
    ("/clock", control.clock, ("GET",)),
    ("/clock/advance", control.clock_advance, ("POST",)),
    ("/clock/set", control.clock_set, ("POST",)),
    ("/jobs/run", control.run_jobs, ("POST",)),
    ("/faults", faults_journal.faults, ("GET", "POST", "DELETE")),
    ("/journal", faults_journal.journal, ("GET", "DELETE")),
    ("/tenants", ui.tenants, ("GET",)),
    ("/ui", ui.page, ("GET",)),
    ("/ui/{name}", ui.asset, ("GET",)),
    ("/openapi.json", openapi.openapi_json, ("GET",)),
    ("/state", state.state, ("GET", "PUT", "POST")),
)


def _by_method(handlers: dict[str, Handler]) -> Handler:
    """One endpoint for a path several methods share (one route: one ``Allow`` header)."""
    fallback = handlers.get("GET")

    async def endpoint(request: Request) -> Response:
        handler = handlers.get(request.method, fallback)  # HEAD: the GET handler
        assert handler is not None  # Starlette routes only the route's methods here
        return await handler(request)

    return endpoint


def data_routes() -> list[BaseRoute]:
    """The data plane's Starlette routes: one per path, in the table's order."""
    by_path: dict[str, dict[str, Handler]] = {}
    for row in DATA_PLANE:
        by_path.setdefault(row.path, {})[row.method] = row.handler
    routes: list[BaseRoute] = []
    for path, handlers in by_path.items():
        endpoint = next(iter(handlers.values())) if len(handlers) == 1 else _by_method(handlers)
        routes.append(Route(path, endpoint, methods=list(handlers)))
    return routes


def control_routes() -> list[BaseRoute]:
    return [Route(path, handler, methods=list(methods)) for path, handler, methods in CONTROLS]


def r_v2_prefix(routes: list[BaseRoute]) -> list[BaseRoute]:
    """R-V2-PREFIX: the data plane under ``/v2`` and, the same routes, without it (the SDK's
    generated mock-server base URL)."""
    return [Mount("/v2", app=Router(routes, redirect_slashes=False)), *routes]


def c_controls(settings: Settings) -> list[BaseRoute]:
    """C-CONTROLS: the ``/_mock/`` test controls, absent entirely with ``--no-control``."""
    if not settings.control:
        return []
    return [Mount("/_mock", app=Router(control_routes(), redirect_slashes=False))]


# -- schemas/responses.json -----------------------------------------------------------------------
def _path_regex(path: str) -> str:
    return "^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"


def responses_document() -> dict[str, Any]:
    """``schemas/responses.json`` as the table says it."""
    return {
        "description": "Which schema every response of the API must validate against, by method, "
        "path and status. Paths are regular expressions over the path without the /v2 prefix. "
        "Generated from mockserver/routes.py (python -m mockserver.routes); used by the test "
        'suite, the contract suite and the cassette drift check. A schema of "text/csv" means '
        "a CSV body (the CSV download file), checked as text with a header row.",
        "error_schema": ERROR_SCHEMA,
        "routes": [
            {
                "method": r.method,
                "path": _path_regex(r.path),
                "status": r.status,
                "schema": r.schema,
            }
            for r in DATA_PLANE
        ],
    }


def render_responses() -> str:
    """The file's text: one route per line, as people read it."""
    doc = responses_document()
    rows = ",\n".join("    " + json.dumps(route) for route in doc["routes"])
    return (
        "{\n"
        f'  "description": {json.dumps(doc["description"])},\n'
        f'  "error_schema": {json.dumps(doc["error_schema"])},\n'
        f'  "routes": [\n{rows}\n  ]\n'
        "}\n"
    )


def responses_path() -> Path:
    return schemas.schemas_dir() / RESPONSES_FILE


if __name__ == "__main__":  # pragma: no cover - python -m mockserver.routes
    responses_path().write_text(render_responses(), encoding="utf-8")
    sys.exit(0)
