"""``GET /_mock/openapi.json``: an OpenAPI 3.1 document of what this emulator serves.

Built, never written by hand: the paths and methods come from the app's own routes (so a route
added later appears by itself), the shapes from ``schemas/`` (every JSON Schema document becomes
a component, its ``$ref`` rewritten to point inside the document), the success status and
response schema of each operation from ``schemas/responses.json``, and the errors from the error
envelope every 4xx/5xx uses. The data plane is served under both servers, ``/v2`` and ``/`` (the
live API's layout, and the official SDK's mock-server default); the ``/_mock`` test controls
(absent with ``--no-control``) are described too, under ``/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from mockserver import __version__, schemas
from mockserver.http.common import json_response

JSON = dict[str, Any]
CONTROL_PREFIX = "/_mock"
#: the document's info.title (a name, not an error text)
DOCUMENT_NAME = "telnyx-mockserver"
#: request bodies of the data plane: (method, path) -> schema file
REQUEST_BODIES = {
    ("POST", "/phone_numbers/jobs/update_phone_numbers"): "update_phone_numbers_request",
    ("POST", "/phone_numbers/jobs/update_emergency_settings"): "update_emergency_settings_request",
    ("POST", "/phone_numbers/jobs/delete_phone_numbers"): "delete_phone_numbers_request",
    ("PATCH", "/phone_numbers/{id}"): "update_phone_number_request",
    ("PATCH", "/phone_numbers/{id}/voice"): "voice_settings_request",
    ("PATCH", "/phone_numbers/{id}/messaging"): "messaging_settings_request",
    ("POST", "/phone_numbers/{phone_number_id}/voicemail"): "voicemail_request",
    ("PATCH", "/phone_numbers/{phone_number_id}/voicemail"): "voicemail_request",
    ("POST", "/phone_numbers/{id}/actions/enable_emergency"): "enable_emergency_request",
    ("PATCH", "/phone_numbers/{id}/actions/bundle_status_change"): "bundle_status_change_request",
    ("POST", "/phone_numbers/actions/verify_ownership"): "verify_ownership_request",
}
#: the "schema" of a response that is a CSV file (response_check.CSV)
CSV_BODY = "text/csv"
#: the /_mock controls: (method, path) -> (summary, request body schema or None)
CONTROLS: dict[tuple[str, str], tuple[str, JSON | None]] = {
    ("GET", "/_mock/health"): ("liveness, version, seed (no auth)", None),
    ("GET", "/_mock/openapi.json"): ("this document (no auth)", None),
    ("POST", "/_mock/reset"): ("forget this tenant: its next request starts afresh", None),
    ("GET", "/_mock/clock"): ("the tenant's now", None),
    ("POST", "/_mock/clock/advance"): (
        "move the tenant's clock forward",
        {
            "type": "object",
            "required": ["seconds"],
            "properties": {"seconds": {"type": "number", "minimum": 0}},
        },
    ),
    ("POST", "/_mock/clock/set"): (
        "jump the tenant's clock to a later time (never backwards)",
        {
            "type": "object",
            "required": ["now"],
            "properties": {"now": {"type": "string", "format": "date-time"}},
        },
    ),
    ("POST", "/_mock/jobs/run"): (
        "run every open job and CSV download of the tenant to its end: the jobs it ran (data), "
        "the new now (meta)",
        None,
    ),
    ("GET", "/_mock/faults"): ("the tenant's injected faults", None),
    ("POST", "/_mock/faults"): (
        "inject a fault (status, latency, drop, expire_jobs, fail_jobs: jobs and CSV downloads)",
        {
            "type": "object",
            "required": ["kind"],
            "properties": {
                "kind": {"enum": ["status", "latency", "drop", "expire_jobs", "fail_jobs"]}
            },
        },
    ),
    ("DELETE", "/_mock/faults"): ("clear the tenant's faults", None),
    ("GET", "/_mock/journal"): ("the tenant's requests and responses, oldest first", None),
    ("DELETE", "/_mock/journal"): ("clear the tenant's journal", None),
    ("GET", "/_mock/state"): (
        "the tenant's state as a document (numbers it changed, jobs, clock, ids, faults)",
        None,
    ),
    ("PUT", "/_mock/state"): (
        "replace the tenant's state with a document from GET (same version, world and seed)",
        {"type": "object", "required": ["format", "version", "tenant"]},
    ),
    ("POST", "/_mock/state"): (
        "replace the tenant's state with a document from GET (as PUT)",
        {"type": "object", "required": ["format", "version", "tenant"]},
    ),
}
_NO_AUTH = frozenset({"/_mock/health", "/_mock/openapi.json"})
_CONVERTOR = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")
_REF = re.compile(r"^(?P<file>[A-Za-z0-9_.-]+\.schema\.json)?(?:#(?P<pointer>.*))?$")


def served(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every (method, OpenAPI path) the routes answer (``HEAD`` goes with ``GET``)."""
    for route in routes:
        if isinstance(route, Mount):
            yield from served(list(route.routes), prefix + route.path)
        elif isinstance(route, Route):
            path = _CONVERTOR.sub(r"{\1}", prefix + route.path)
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    yield method, path


def component(name: str) -> str:
    return name.removesuffix(".schema.json")


def _rewrite(node: Any, home: str) -> Any:
    """A schema document's node with every ``$ref`` pointing inside the OpenAPI document."""
    if isinstance(node, list):
        return [_rewrite(item, home) for item in node]
    if not isinstance(node, dict):
        return node
    out: JSON = {}
    for key, value in node.items():
        if key in ("$schema", "$id"):
            continue
        if key == "$ref" and isinstance(value, str) and (found := _REF.match(value)):
            target = component(found.group("file") or home)
            out[key] = f"#/components/schemas/{target}{found.group('pointer') or ''}"
        else:
            out[key] = _rewrite(value, home)
    return out


def _components() -> JSON:
    return {component(name): _rewrite(schemas.document(name), name) for name in schemas.names()}


def _ref(name: str) -> JSON:
    file, _, pointer = name.partition("#")
    return {"$ref": f"#/components/schemas/{component(file)}{pointer}"}


def _responses_table() -> tuple[list[tuple[str, re.Pattern[str], int, str]], str]:
    table = json.loads((schemas.schemas_dir() / "responses.json").read_text(encoding="utf-8"))
    rows = [
        (row["method"], re.compile(row["path"]), int(row["status"]), row["schema"])
        for row in table["routes"]
    ]
    return rows, str(table["error_schema"])


def _sample(path: str) -> str:
    """A concrete path for a template (``{id}`` -> a segment) to match responses.json against."""
    return _CONVERTOR.sub("1293384261075731499", path)


def _json_body(schema: JSON) -> JSON:
    return {"content": {"application/json": {"schema": schema}}}


def _data_operation(method: str, path: str, rows: Any, error: JSON) -> JSON:
    operation: JSON = {"operationId": _operation_id(method, path), "tags": ["data plane"]}
    success = [(status, name) for m, rx, status, name in rows if m == method and rx.match(
        _sample(path))]  # fmt: skip
    responses: JSON = {}
    for status, name in success:  # the first row that matches wins, as in response_check
        content = (
            {"content": {CSV_BODY: {"schema": {"type": "string"}}}}
            if name == CSV_BODY
            else _json_body(_ref(name))
        )
        responses.setdefault(str(status), {"description": "success", **content})
    if not responses:
        responses["2XX"] = {"description": "success (no response schema in schemas/ yet)"}
    responses["default"] = {"description": "a Telnyx error envelope", **_json_body(error)}
    operation["responses"] = responses
    body = REQUEST_BODIES.get((method, path))
    if body is not None:
        operation["requestBody"] = {"required": True, **_json_body(_ref(body))}
    if method == "POST" and path == "/phone_numbers/jobs/update_phone_numbers":
        operation["parameters"] = [{
            "name": "filter", "in": "query", "style": "deepObject", "explode": True,
            "schema": _ref("update_filter.schema.json"),
            "description": "select numbers by filter instead of (or to narrow) phone_numbers",
        }]  # fmt: skip
    return operation


def _control_operation(method: str, path: str, error: JSON) -> JSON:
    summary, body = CONTROLS.get((method, path), ("a test control", None))
    operation: JSON = {
        "operationId": _operation_id(method, path),
        "tags": ["test controls"],
        "summary": summary,
        "responses": {
            "2XX": {"description": "done", **_json_body({"type": "object"})},
            "default": {"description": "a Telnyx error envelope", **_json_body(error)},
        },
    }
    if body is not None:
        operation["requestBody"] = {"required": True, **_json_body(body)}
    if path in _NO_AUTH:
        operation["security"] = []
    return operation


def _operation_id(method: str, path: str) -> str:
    words = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")
    return f"{method.lower()}_{words}"


def build(routes: list[BaseRoute]) -> JSON:
    """The OpenAPI 3.1 document for an app's routes."""
    rows, error_name = _responses_table()
    error = _ref(error_name)
    paths: JSON = {}
    for method, full in sorted(set(served(routes))):
        control = full == CONTROL_PREFIX or full.startswith(CONTROL_PREFIX + "/")
        path = full if control else full.removeprefix("/v2")
        if not path.startswith("/"):
            path = "/" + path
        item = paths.setdefault(path, {})
        if control:
            item.setdefault("servers", [{"url": "/", "description": "the emulator's root"}])
            item[method.lower()] = _control_operation(method, path, error)
        else:
            item[method.lower()] = _data_operation(method, path, rows, error)
        for name in _CONVERTOR.findall(path):
            item.setdefault("parameters", [])
            if not any(p["name"] == name for p in item["parameters"]):
                item["parameters"].append(
                    {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                )
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": DOCUMENT_NAME,
            "version": __version__,
            "description": "What this Telnyx phone-number emulator implements: the data plane "
            "(every path answers under /v2, as the live API, and without it) and its /_mock "
            "test controls. Shapes are the project's schemas/ (JSON Schema 2020-12).",
        },
        "servers": [
            {"url": "/v2", "description": "as the live API (https://api.telnyx.com/v2)"},
            {"url": "/", "description": "the same routes without /v2"},
        ],
        "security": [{"bearer": []}],
        "tags": [{"name": "data plane"}, {"name": "test controls"}],
        "paths": paths,
        "components": {
            "schemas": _components(),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "any key: each key is its own tenant (unless --api-key)",
                }
            },
        },
    }


async def openapi_json(request: Request) -> Response:
    """The document, built once per app."""
    state = request.app.state
    document: JSON | None = getattr(state, "openapi", None)
    if document is None:
        document = state.openapi = build(list(request.app.routes))
    return json_response(document)
