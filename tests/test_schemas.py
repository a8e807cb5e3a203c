"""schemas/: valid 2020-12 documents whose refs resolve, the world fixture and its generator, the
route table of response_check, and the spec's own examples against our schemas."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable

from mockserver import schemas
from mockserver.response_check import api_path, problems, schema_for
from tests.reference import reference_dir

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
WORLD = ROOT / "fixtures" / "world.json"
GENERATOR = ROOT / "fixtures" / "generate_world.py"
REFERENCE = reference_dir()
OPENAPI = REFERENCE / "telnyx-phone-number-jobs.openapi.json"
SCHEMA_FILES = sorted(p.name for p in SCHEMAS.glob("*.schema.json"))
ERROR_SCHEMA = "error.schema.json#/$defs/emulator_envelope"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def world() -> dict[str, Any]:
    data: dict[str, Any] = load(WORLD)
    return data


@cache
def openapi() -> dict[str, Any]:
    assert OPENAPI.is_file(), f"the spec excerpt is missing: expected {OPENAPI}"
    data: dict[str, Any] = load(OPENAPI)
    return data


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def validation_errors(ref: str, instance: Any) -> list[str]:
    name, _, pointer = ref.partition("#")
    return [
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in schemas.validator(name, pointer).iter_errors(instance)
    ]


# --- the schema documents ----------------------------------------------------------------------


def test_schema_files_exist_and_are_all_loaded() -> None:
    assert len(SCHEMA_FILES) >= 15
    assert schemas.names() == SCHEMA_FILES


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_schema_is_valid_2020_12(name: str) -> None:
    doc = load(SCHEMAS / name)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"] == name, "responses.json and $refs name schemas by file name"
    Draft202012Validator.check_schema(doc)


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_every_ref_resolves(name: str) -> None:
    doc = load(SCHEMAS / name)
    resolver = schemas.registry().resolver(base_uri=doc["$id"])
    unresolved = []
    for ref in refs(doc):
        try:
            resolver.lookup(ref)
        except Unresolvable as exc:
            unresolved.append(f"{ref}: {exc}")
    assert not unresolved, f"{name}: " + "; ".join(unresolved)


def test_a_broken_ref_would_be_noticed() -> None:
    """The resolver check above can fail."""
    resolver = schemas.registry().resolver(base_uri="job.schema.json")
    with pytest.raises(Unresolvable):
        resolver.lookup("#/$defs/no_such_definition")
    with pytest.raises(Unresolvable):
        resolver.lookup("no_such_file.schema.json")


# --- the world fixture -------------------------------------------------------------------------


def test_world_validates_against_its_schema() -> None:
    errors = validation_errors("world.schema.json", world())
    assert not errors, "\n".join(errors[:20])


def test_generator_reproduces_world_json_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "world.json"
    done = subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == WORLD.read_bytes(), (
        "fixtures/world.json is not what fixtures/generate_world.py produces; run `make world`"
    )


def test_world_guarantees() -> None:
    w = world()
    numbers = w["numbers"]
    assert len(numbers) >= 2500
    ids = [r["id"] for r in numbers]
    e164s = [r["phone_number"] for r in numbers]
    assert len(set(ids)) == len(ids)
    assert len(set(e164s)) == len(e164s)
    assert ids == sorted(ids, key=lambda i: (len(i), i)), "numbers are sorted by id ascending"
    by_id = {r["id"]: r for r in numbers}
    by_e164 = {r["phone_number"]: r for r in numbers}

    statuses = schemas.document("phone_number.schema.json")["properties"]["status"]["enum"]
    assert len(statuses) == 13
    assert {r["status"] for r in numbers} == set(statuses)

    # the ids and numbers of Telnyx's documentation
    assert "1583466971586889004" in by_id
    assert "+13127367254" in by_e164
    assert by_id["2637816387126861836"]["phone_number"] == "+19705555098"
    assert "1521916448077776306" in {c["id"] for c in w["connections"]}
    assert "62e4bf2e-c278-4282-b524-488d9c9c43b2" in {b["id"] for b in w["billing_groups"]}
    addresses = {a["id"] for a in w["emergency_addresses"]}
    assert {"9102160989215728032", "53829456729313"} <= addresses

    tags = Counter(t for r in numbers for t in r["tags"])
    assert tags["sales"] > 1000
    assert tags["sandbox"] >= 30


def test_world_references_are_consistent() -> None:
    w = world()
    connections = {c["id"] for c in w["connections"]}
    groups = {b["id"] for b in w["billing_groups"]}
    addresses = {a["id"] for a in w["emergency_addresses"]}
    for r in w["numbers"]:
        assert r["connection_id"] is None or r["connection_id"] in connections, r["id"]
        assert r["billing_group_id"] is None or r["billing_group_id"] in groups, r["id"]
        assert r["emergency_address_id"] is None or r["emergency_address_id"] in addresses, r["id"]


# --- response_check ----------------------------------------------------------------------------

ROUTES: list[dict[str, Any]] = load(SCHEMAS / "responses.json")["routes"]
SAMPLE_PATHS = [
    "/phone_numbers/jobs/update_phone_numbers",
    "/phone_numbers/jobs/update_emergency_settings",
    "/phone_numbers/jobs/delete_phone_numbers",
    "/phone_numbers/jobs",
    "/phone_numbers/jobs/0c8aa9a8-5e7a-4d3b-8a0e-0b9d2f2c5e11",
    "/phone_numbers",
    "/phone_numbers/1583466971586889004",
    "/phone_numbers/1583466971586889004/voice",
    "/phone_numbers/slim",
    "/phone_numbers/voice",
    "/phone_numbers/messaging",
    "/phone_numbers/1583466971586889004/messaging",
    "/phone_numbers/1583466971586889004/voicemail",
    "/phone_numbers/csv_downloads",
    "/phone_numbers/csv_downloads/0c8aa9a8-5e7a-4d3b-8a0e-0b9d2f2c5e11",
    "/phone_numbers/csv_downloads/0c8aa9a8-5e7a-4d3b-8a0e-0b9d2f2c5e11/file",
    "/phone_numbers/1583466971586889004/actions/enable_emergency",
    "/phone_numbers/1583466971586889004/actions/bundle_status_change",
    "/phone_numbers/actions/verify_ownership",
]


def sample_path(route: dict[str, Any]) -> str:
    """A path this route matches and no earlier route of its method and status (first wins)."""
    earlier = ROUTES[: ROUTES.index(route)]
    others = [
        re.compile(r["path"])
        for r in earlier
        if (r["method"], r["status"]) == (route["method"], route["status"])
    ]
    pattern = re.compile(route["path"])
    for path in SAMPLE_PATHS:
        if pattern.match(path) and not any(o.match(path) for o in others):
            return path
    raise AssertionError(f"no sample path for {route['path']}")


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r['method']} {r['path']} {r['status']}")
@pytest.mark.parametrize("prefix", ["/v2", ""])
def test_schema_for_maps_every_route(route: dict[str, Any], prefix: str) -> None:
    path = prefix + sample_path(route)
    assert schema_for(route["method"], path, route["status"]) == route["schema"]
    assert schema_for(route["method"].lower(), path, route["status"]) == route["schema"]
    # every status >= 400 of every route is the error envelope
    assert schema_for(route["method"], path, 422) == ERROR_SCHEMA
    assert schema_for(route["method"], path, 404) == ERROR_SCHEMA
    # a success status the table does not list is unmapped
    assert schema_for(route["method"], path, 204) is None
    # the schema named is loadable (the CSV file's "text/csv" is checked as CSV, not a schema)
    if route["schema"] == "text/csv":
        return
    name, _, pointer = route["schema"].partition("#")
    assert name in SCHEMA_FILES
    schemas.validator(name, pointer)


@pytest.mark.parametrize(
    ("method", "path", "status", "expected"),
    [
        ("GET", "/v2/phone_numbers/jobs", 200, "job_list.schema.json"),
        ("GET", "/v2/phone_numbers/jobs/abc", 200, "job_envelope.schema.json"),
        ("GET", "/v2/phone_numbers/123", 200, "phone_number_envelope.schema.json"),
        ("POST", "/v2/phone_numbers/jobs/update_phone_numbers", 200, None),
        ("POST", "/v2/phone_numbers/jobs/unknown_job", 202, None),
        ("PUT", "/v2/phone_numbers/123", 200, None),
        ("GET", "/v2/phone_numbers/123/voice/extra", 200, None),
        ("GET", "/v3/phone_numbers", 200, None),
        ("GET", "/_mock/health", 200, None),
        ("POST", "/_mock/clock/advance", 422, None),
        ("GET", "/anything", 404, ERROR_SCHEMA),
    ],
)
def test_schema_for_edges(method: str, path: str, status: int, expected: str | None) -> None:
    assert schema_for(method, path, status) == expected


def test_api_path_strips_only_the_v2_prefix() -> None:
    assert api_path("/v2") == ""
    assert api_path("/v2/phone_numbers") == "/phone_numbers"
    assert api_path("/phone_numbers") == "/phone_numbers"
    assert api_path("/v20/phone_numbers") == "/v20/phone_numbers"


JOB_PATH = "/v2/phone_numbers/jobs/update_phone_numbers"


@pytest.fixture
def job_body(api: httpx.Client) -> dict[str, Any]:
    r = api.post(JOB_PATH, json={"phone_numbers": ["+13127367254"], "tags": ["demo"]})
    assert r.status_code == 202, r.text
    body: dict[str, Any] = r.json()
    return body


def as_bytes(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def test_problems_accepts_a_real_response(job_body: dict[str, Any]) -> None:
    assert problems("POST", JOB_PATH, 202, as_bytes(job_body)) == []
    job_id = job_body["data"]["id"]
    assert problems("GET", f"/v2/phone_numbers/jobs/{job_id}", 200, as_bytes(job_body)) == []
    assert problems("GET", "/_mock/health", 200, b"not json") == []


def test_problems_reports_a_missing_field(job_body: dict[str, Any]) -> None:
    del job_body["data"]["status"]
    found = problems("POST", JOB_PATH, 202, as_bytes(job_body))
    assert found == [
        f"POST {JOB_PATH} -> 202: expected job_envelope.schema.json at /data: "
        "'status' is a required property"
    ]


def test_problems_reports_a_wrong_enum(job_body: dict[str, Any]) -> None:
    job_body["data"]["status"] = "done"
    found = problems("POST", JOB_PATH, 202, as_bytes(job_body))
    assert len(found) == 1
    assert found[0].startswith(
        f"POST {JOB_PATH} -> 202: expected job_envelope.schema.json at /data/status: "
    )
    assert "'done' is not one of" in found[0]
    assert "'pending'" in found[0]


def test_problems_reports_several_drifts_at_once(job_body: dict[str, Any]) -> None:
    job_body["data"]["record_type"] = "job"
    job_body["data"]["type"] = "update_everything"
    found = problems("POST", JOB_PATH, 202, as_bytes(job_body))
    assert len(found) == 2
    assert any("at /data/record_type: " in f for f in found)
    assert any("at /data/type: 'update_everything' is not one of" in f for f in found)


def test_problems_reports_an_undocumented_status(job_body: dict[str, Any]) -> None:
    assert problems("POST", JOB_PATH, 200, as_bytes(job_body)) == [
        f"POST {JOB_PATH} -> 200: expected a documented status for this route, received 200"
    ]
    assert problems("delete", "/v2/phone_numbers/jobs/x", 200, b"{}") == [
        "DELETE /v2/phone_numbers/jobs/x -> 200: expected a documented status for this route, "
        "received 200"
    ]


def test_problems_reports_a_non_json_body() -> None:
    found = problems("GET", "/v2/phone_numbers", 200, b"<html>oops</html>")
    assert found == [
        "GET /v2/phone_numbers -> 200: expected a JSON body, received b'<html>oops</html>'"
    ]


def test_problems_checks_error_envelopes() -> None:
    good = {
        "errors": [
            {
                "code": "10005",
                "title": "Resource not found",
                "detail": "The requested resource or URL could not be found.",
                "source": {"pointer": "/base"},
                "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10005"},
            }
        ]
    }
    assert problems("GET", "/v2/nope", 404, as_bytes(good)) == []
    bad = {"errors": [{"title": "Resource not found"}]}
    found = problems("GET", "/v2/nope", 404, as_bytes(bad))
    assert found
    assert all(f.startswith(f"GET /v2/nope -> 404: expected {ERROR_SCHEMA} at ") for f in found)
    assert problems("GET", "/v2/nope", 404, as_bytes({"error": "nope"})) != []


# --- the spec's own examples against our schemas -----------------------------------------------

REQUEST_SCHEMAS = {
    "/phone_numbers/jobs/update_phone_numbers": "update_phone_numbers_request.schema.json",
    "/phone_numbers/jobs/update_emergency_settings": (
        "update_emergency_settings_request.schema.json"
    ),
    "/phone_numbers/jobs/delete_phone_numbers": "delete_phone_numbers_request.schema.json",
}


def spec_request_example(path: str) -> Any:
    spec = openapi()
    body = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    schema = body["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    assert "example" in schema, f"the spec has no request example for {path}"
    return schema["example"]


def test_reference_folder_is_present() -> None:
    assert REFERENCE.is_dir(), f"expected the contract reference at {REFERENCE}"
    assert OPENAPI.is_file()
    assert (REFERENCE / "CONTRACT.md").is_file()


@pytest.mark.parametrize("path", sorted(REQUEST_SCHEMAS))
def test_spec_request_examples_validate(path: str) -> None:
    example = spec_request_example(path)
    assert isinstance(example, dict)
    assert example.get("phone_numbers")
    errors = validation_errors(REQUEST_SCHEMAS[path], example)
    assert not errors, errors


@pytest.mark.parametrize("path", sorted(REQUEST_SCHEMAS))
def test_our_request_schemas_reject_a_non_object(path: str) -> None:
    """The example check above can fail: the schemas do reject wrong shapes."""
    assert validation_errors(REQUEST_SCHEMAS[path], ["+13127367254"])
    assert validation_errors(REQUEST_SCHEMAS[path], {"phone_numbers": "+13127367254"})


def test_spec_error_examples_validate_against_our_error_envelope() -> None:
    examples = openapi()["components"]["examples"]
    assert len(examples) >= 7
    for name, example in sorted(examples.items()):
        errors = validation_errors(ERROR_SCHEMA, example["value"])
        assert not errors, (name, errors)
