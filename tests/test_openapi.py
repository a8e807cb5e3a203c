"""``GET /_mock/openapi.json``: a valid OpenAPI 3.1 document of what the emulator serves, built
from ``schemas/`` and the route table; every served route appears in it (walked from the app, so
routes added later are caught), every ``$ref`` resolves, and real responses validate against
its schemas."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.routing import BaseRoute, Mount, Route

from mockserver import schemas
from mockserver.app import create_app
from mockserver.config import Settings
from mockserver.transport import client as bridge_client

NUMBER = "+13127367254"


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app(Settings(manual_clock=True))


@pytest.fixture(scope="module")
def document(app: Any) -> dict[str, Any]:
    with bridge_client(app, api_key=None, base_url="http://emulator") as client:
        r = client.get("/_mock/openapi.json")  # no key needed
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    doc: dict[str, Any] = r.json()
    return doc


def routes_of(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every (method, full path as Starlette serves it) of the app, walked independently."""
    for route in routes:
        if isinstance(route, Mount):
            yield from routes_of(list(route.routes), prefix + route.path)
        elif isinstance(route, Route):
            for method in route.methods or ():
                yield method, prefix + route.path


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert [s["url"] for s in document["servers"]] == ["/v2", "/"]


def test_every_served_route_appears(app: Any, document: dict[str, Any]) -> None:
    served = sorted(set(routes_of(list(app.routes))))
    assert len(served) >= 20
    missing = []
    for method, full in served:
        if method == "HEAD":  # Starlette answers HEAD wherever it answers GET
            assert ("GET", full) in served
            continue
        path = full if full.startswith("/_mock") else full.removeprefix("/v2")
        path = path.replace("{id:telnyx_job_id}", "{id}")
        if method.lower() not in document["paths"].get(path, {}):
            missing.append(f"{method} {full}")
    assert missing == [], f"served but not in /_mock/openapi.json: {missing}"


def test_every_data_operation_has_a_documented_success_and_the_error_envelope(
    document: dict[str, Any],
) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("parameters", "servers"):
                continue
            responses = operation["responses"]
            error = responses["default"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/error/$defs/emulator_envelope"}
            if path.startswith("/_mock"):
                assert item["servers"] == [{"url": "/", "description": "the emulator's root"}]
                continue
            statuses = [s for s in responses if s != "default"]
            assert statuses, (method, path)
            assert "2XX" not in statuses, f"{method} {path}: no entry in schemas/responses.json"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_every_ref_points_inside_the_document(document: dict[str, Any]) -> None:
    refs = set(_refs(document))
    assert len(refs) > 20
    for ref in refs:
        assert isinstance(_resolve(document, ref), dict), ref
    names = {name.removesuffix(".schema.json") for name in schemas.names()}
    assert set(document["components"]["schemas"]) == names


def test_real_responses_validate_against_the_documents_schemas(
    app: Any, document: dict[str, Any]
) -> None:
    registry: Registry = Registry().with_resource(  # type: ignore[type-arg,unused-ignore]
        "urn:openapi", Resource.from_contents(document, default_specification=DRAFT202012)
    )

    def check(response: httpx.Response, path: str, method: str) -> None:
        content = document["paths"][path][method]["responses"][str(response.status_code)]
        schema = content["content"]["application/json"]["schema"]
        ref = {"$ref": "urn:openapi" + schema["$ref"]}
        errors = list(Draft202012Validator(ref, registry=registry).iter_errors(response.json()))
        assert errors == [], errors[:3]

    with bridge_client(app, api_key="openapi-key", base_url="http://emulator/v2") as client:
        created = client.post(
            "/phone_numbers/jobs/update_phone_numbers",
            json={"phone_numbers": [NUMBER], "tags": ["doc"]},
        )
        check(created, "/phone_numbers/jobs/update_phone_numbers", "post")
        check(client.get("/phone_numbers/jobs"), "/phone_numbers/jobs", "get")
        check(client.get("/phone_numbers", params={"page[size]": "3"}), "/phone_numbers", "get")
        bad = client.post("/phone_numbers/jobs/update_phone_numbers", json={})
        assert bad.status_code == 422
        error = document["paths"]["/phone_numbers/jobs/update_phone_numbers"]["post"]
        schema = error["responses"]["default"]["content"]["application/json"]["schema"]
        validator = Draft202012Validator(
            {"$ref": "urn:openapi" + schema["$ref"]}, registry=registry
        )
        assert list(validator.iter_errors(bad.json())) == []


def test_without_controls_there_is_no_document() -> None:
    app = create_app(Settings(manual_clock=True, control=False))
    with bridge_client(app, api_key="k", base_url="http://emulator") as client:
        assert client.get("/_mock/openapi.json").status_code == 404
