"""``telnyx-mock check-cassette``: the shipped cassettes keep the contract, and drift introduced by
hand (a missing field, a wrong enum, a new status, a wrong error code, title or pointer, a
request -> response rule broken) is caught with its interaction number."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mockserver.cassette import format as cformat
from mockserver.cassette.drift import (
    Divergence,
    check_paths,
    pointer_matches,
    route_of,
    schema_defines,
)
from mockserver.cli import main

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "fixtures" / "cassettes"
LIFECYCLE = SHIPPED / "job_lifecycle.yaml"
ERRORS = SHIPPED / "validation_errors.yaml"
OTHER_JOBS = SHIPPED / "emergency_and_delete_jobs.yaml"

Mutation = Callable[[dict[str, Any]], None]


def find(cassette: cformat.Cassette, test: Callable[[cformat.Interaction], bool]) -> int:
    """The 1-based number of the first interaction passing ``test``."""
    return next(n for n, i in enumerate(cassette.interactions, 1) if test(i))


def with_body(interaction: cformat.Interaction, change: Mutation) -> cformat.Interaction:
    payload = json.loads(interaction.response.body)
    change(payload)
    return replace(interaction, response=replace(interaction.response, body=json.dumps(payload)))


def drifted(
    tmp_path: Path,
    source: Path,
    test: Callable[[cformat.Interaction], bool],
    change: Callable[[cformat.Interaction], cformat.Interaction],
) -> tuple[Path, int]:
    """A copy of ``source`` with the first interaction passing ``test`` changed."""
    cassette = cformat.load(source)
    number = find(cassette, test)
    cassette.interactions[number - 1] = change(cassette.interactions[number - 1])
    path = tmp_path / f"drift-{source.name}"
    cformat.dump(cassette, path)
    return path, number


def only(found: list[Divergence]) -> Divergence:
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def is_status(status: int, fragment: str = "") -> Callable[[cformat.Interaction], bool]:
    def test(i: cformat.Interaction) -> bool:
        return i.response.status == status and fragment in i.response.body

    return test


# -- the shipped cassettes ----------------------------------------------------------------------
def test_shipped_cassettes_pass_with_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert sorted(p.name for p in SHIPPED.glob("*.yaml")) == [
        "emergency_and_delete_jobs.yaml",
        "job_lifecycle.yaml",
        "phone_numbers_family.yaml",
        "validation_errors.yaml",
    ]
    assert check_paths([SHIPPED]) == []
    assert main(["check-cassette", str(SHIPPED)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "0 divergence(s) in 4 cassette(s)" in err


def test_every_error_of_the_shipped_cassettes_is_in_the_manifest() -> None:
    """The check is not vacuous: the shipped errors reach the manifest comparison."""
    cassette = cformat.load(ERRORS)
    codes = {(i.response.status, json.loads(i.response.body)["errors"][0]["code"])
             for i in cassette.interactions}  # fmt: skip
    assert codes >= {(401, "10009"), (400, "10023"), (422, "10015"), (422, "10016"),
                     (403, "10010"), (404, "10005")}  # fmt: skip


# -- (a) the response schemas -------------------------------------------------------------------
def test_missing_field_is_caught_with_its_interaction_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def drop_status(job: dict[str, Any]) -> None:
        del job["data"]["status"]

    path, number = drifted(tmp_path, LIFECYCLE, is_status(202),
                           lambda i: with_body(i, drop_status))  # fmt: skip
    found = only(check_paths([path]))
    assert found.number == number == 1
    assert "'status' is a required property" in found.message
    assert main(["check-cassette", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{path} #1 POST /v2/phone_numbers/jobs/update_phone_numbers -> 202: ")


def test_wrong_enum_is_caught(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def finished(job: dict[str, Any]) -> None:
        job["data"]["status"] = "finished"

    path, number = drifted(tmp_path, LIFECYCLE, is_status(200, '"status":"completed"'),
                           lambda i: with_body(i, finished))  # fmt: skip
    found = only(check_paths([path]))
    assert (found.number, found.status) == (number, 200)
    assert found.message.startswith("expected job_envelope.schema.json at /data/status: ")
    assert "'finished' is not one of" in found.message
    assert main(["check-cassette", str(path)]) == 1
    assert f" #{number} GET /v2/phone_numbers/jobs/" in capsys.readouterr().out


def status_201(i: cformat.Interaction) -> cformat.Interaction:
    return replace(i, response=replace(i.response, status=201))


def test_new_status_code_is_caught(tmp_path: Path) -> None:
    path, number = drifted(tmp_path, LIFECYCLE, is_status(202), status_201)
    found = only(check_paths([path]))
    assert found.number == number
    assert found.message == "expected a documented status for this route, received 201"


# -- (b) the manifest's errors ------------------------------------------------------------------
def _first_error(change: Callable[[dict[str, Any]], None]) -> Mutation:
    def mutate(payload: dict[str, Any]) -> None:
        change(payload["errors"][0])

    return mutate


@pytest.mark.parametrize(
    ("fragment", "change", "expected", "rule"),
    [
        ('"10015"', lambda e: e.update(code="10099"),
         "received status 422 with code 10099 (no rule gives that pair)", None),
        ('"10009"', lambda e: e.update(code="10015"),
         "received status 401 with code 10015 (no rule gives that pair)", None),
        ("maximum allowed", lambda e: e.update(title="Bad request"),
         "expected title 'Bad Request' at /errors/0/title (verbatim, mockserver/errors.py), "
         "received 'Bad request'", None),
        ("Invalid sorting", lambda e: e.update(title="Bad Request"),
         "expected title 'Invalid sorting value' at /errors/0/title", "Q-SORT"),
        ('"10016","title":"Phone number must be in +E.164 format","detail":"must be',
         lambda e: e["source"].update(pointer="/phone_numbers"),
         "expected source.pointer '/phone_numbers/<index>', '/voice/call_forwarding/forwards_to' "
         "at /errors/0/source/pointer for 422 10016 on POST "
         "/phone_numbers/jobs/update_phone_numbers, received '/phone_numbers'",
         "R-FORWARDS-TO/R-ITEM-FORMAT"),
        ("must be an array", lambda e: e["source"].update(pointer="/tagz"),
         "received '/tagz'", None),
        ("00000000", lambda e: e["source"].update(pointer="/phone_numbers"),
         "expected source.pointer '/base', '/id' at /errors/0/source/pointer for 404 10005 on "
         "GET /phone_numbers/jobs/{id}, received '/phone_numbers'", "N-RESOURCES/Q-JOB-404"),
        ('"10010"', lambda e: e.pop("source"),
         "expected a source.pointer at /errors/0/source for 403 10010", "R-BILLING-GROUP"),
        ('"10023"', lambda e: e["meta"].update(url="https://example.com/10023"),
         "expected 'https://developers.telnyx.com/docs/overview/errors/10023' at /errors/0/meta"
         "/url, received 'https://example.com/10023'", "R-ERROR-ENVELOPE"),
    ],
    ids=["unknown-code", "wrong-code-for-status", "title", "title-per-rule", "pointer-10016",
         "pointer-not-a-field", "pointer-404", "pointer-missing", "meta-url"],
)  # fmt: skip
def test_wrong_error_code_title_pointer_is_caught(
    tmp_path: Path,
    fragment: str,
    change: Callable[[dict[str, Any]], None],
    expected: str,
    rule: str | None,
) -> None:
    path, number = drifted(
        tmp_path, ERRORS, lambda i: fragment in i.request.uri + i.response.body,
        lambda i: with_body(i, _first_error(change)),
    )  # fmt: skip
    found = check_paths([path])
    assert found, "the drift went unnoticed"
    assert {d.number for d in found} == {number}
    assert any(expected in d.message for d in found), "\n".join(map(str, found))
    if rule is not None:
        assert rule in {d.rule for d in found}


def test_an_error_the_manifest_restricts_to_other_endpoints_is_caught(tmp_path: Path) -> None:
    """R-UPDATEABLE names only update_phone_numbers: the same error on a GET is drift."""
    cassette = cformat.load(ERRORS)
    updateable = cassette.interactions[find(cassette, is_status(422, "updateable_fields")) - 1]
    moved = replace(updateable, request=replace(
        updateable.request, method="GET", uri="https://api.telnyx.com/v2/phone_numbers", body=None
    ))  # fmt: skip
    path = tmp_path / "moved.yaml"
    cformat.dump(cformat.Cassette([moved]), path)
    messages = [d.message for d in check_paths([path])]
    assert any(
        "expected source.pointer '/base', '/sort', 'page', 'page/<key>'" in m
        and "received '/updateable_fields'" in m
        for m in messages
    ), messages


# -- (c) request -> response rules --------------------------------------------------------------
def _accepted_job() -> cformat.RecordedResponse:
    return cformat.load(LIFECYCLE).interactions[0].response


def test_a_202_for_more_than_1000_numbers_is_caught(tmp_path: Path) -> None:
    path, number = drifted(tmp_path, ERRORS, is_status(422, "maximum allowed"),
                           lambda i: replace(i, response=_accepted_job()))  # fmt: skip
    found = check_paths([path])
    assert {d.number for d in found} == {number}
    cap = [d for d in found if d.rule == "R-CAP"]
    assert len(cap) == 1
    assert cap[0].message == "expected a 422 for 1001 phone_numbers (more than 1000), received 202"


@pytest.mark.parametrize(
    ("fragment", "rule"),
    [
        ('{"tags":["x"]}', "R-PRESENT"),
        ('"phone_numbers":[],', "R-EMPTY"),
        ('"voice":{}', "R-UPDATEABLE"),
        ("312-555-0100", "R-ITEM-FORMAT"),
        ("1039230345859921995", "R-MIXED"),
        ('"emergency_enabled":true}', "R-EMERGENCY-ADDRESS-REQUIRED"),
        ('"tags": [', "R-BAD-JSON/R-NOT-OBJECT"),
    ],
)
def test_a_202_the_request_rules_out_is_caught(tmp_path: Path, fragment: str, rule: str) -> None:
    path, number = drifted(tmp_path, ERRORS, lambda i: fragment in (i.request.body or ""),
                           lambda i: replace(i, response=_accepted_job()))  # fmt: skip
    found = check_paths([path])
    assert rule in {d.rule for d in found}, "\n".join(map(str, found))
    assert {d.number for d in found} == {number}


@pytest.mark.parametrize(
    ("source", "test", "change", "rule", "expected"),
    [
        (LIFECYCLE, is_status(202), lambda j: j["data"]["phone_numbers"].pop(),
         "R-DEDUP", "expected /data/phone_numbers to list the request's unique numbers"),
        (LIFECYCLE, is_status(202), lambda j: j["data"].update(type="delete_phone_numbers"),
         "R-JOB-SHAPE", "expected 'update_phone_numbers' at /data/type"),
        (LIFECYCLE, is_status(202), lambda j: j["data"]["parameters"].update(tags=["other"]),
         "R-PARAMETERS", "expected /data/parameters/tags to be saved as given"),
        (LIFECYCLE, is_status(200, '"completed"'),
         lambda j: j["data"]["pending_operations"].append(j["data"]["successful_operations"][0]),
         "L-PARTITION", "to partition its 4 numbers, received 1 + 3 + 1"),
        (LIFECYCLE, is_status(200, '"completed"'),
         lambda j: j["data"].update(status="failed"), "L-FAILED",
         "expected no successful operation in failed job"),
        (LIFECYCLE, is_status(200, '"completed"'), lambda j: j["data"].update(id="x"),
         None, "(the id asked for), received 'x'"),
        (OTHER_JOBS, is_status(200, '"page_size":20'),
         lambda j: j["data"][0].update(type="update_phone_numbers"), "Q-JOB-FILTERS",
         "expected only 'delete_phone_numbers' jobs (filter[type]) at /data/0/type"),
        (OTHER_JOBS, is_status(200, '"page_size":1'),
         lambda j: j["data"].append(j["data"][0]), "Q-PAGE",
         "expected at most page[size]=1 items at /data, received 2"),
    ],
    ids=["dedup", "type", "parameters", "partition", "failed", "id", "filter-type", "page-size"],
)  # fmt: skip
def test_a_response_inconsistent_with_its_request_is_caught(
    tmp_path: Path,
    source: Path,
    test: Callable[[cformat.Interaction], bool],
    change: Mutation,
    rule: str | None,
    expected: str,
) -> None:
    path, number = drifted(tmp_path, source, test, lambda i: with_body(i, change))
    found = check_paths([path])
    hits = [d for d in found if expected in d.message]
    assert hits, "\n".join(map(str, found))
    assert {(d.number, d.rule) for d in hits} == {(number, rule)}


def test_test_controls_are_skipped(tmp_path: Path) -> None:
    request = cformat.RecordedRequest("POST", "https://api.telnyx.com/_mock/clock/advance")
    cassette = cformat.Cassette([cformat.Interaction(request, cformat.RecordedResponse(299))])
    path = tmp_path / "controls.yaml"
    cformat.dump(cassette, path)
    assert check_paths([path]) == []


# -- files that are not cassettes ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("interactions: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "a cassette is a mapping"),
        ("interactions:\n- request: {method: GET}\n  response: {status: {code: 200}}\n",
         "interaction 1: request needs a method and a uri"),
        ("interactions: []\nversion: 2\n", "unsupported cassette version 2"),
    ],
)  # fmt: skip
def test_garbage_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    garbage = tmp_path / "garbage.yaml"
    garbage.write_text(text, encoding="utf-8")
    assert main(["check-cassette", "-q", str(garbage)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith(f"telnyx-mock check-cassette: {garbage}: ")
    assert expected in err
    assert "Traceback" not in err


def test_unreadable_files_exit_2_and_the_rest_is_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drift, _ = drifted(tmp_path, LIFECYCLE, is_status(202), status_201)
    empty = tmp_path / "empty"
    empty.mkdir()
    code = main(["check-cassette", str(drift), str(tmp_path / "missing.yaml"), str(empty)])
    assert code == 2
    out, err = capsys.readouterr()
    assert "received 201" in out
    assert "missing.yaml: no such file or folder" in err
    assert "no cassettes (*.yaml, *.yml) in this folder" in err


# -- pieces -------------------------------------------------------------------------------------
def test_routes_and_pointer_templates() -> None:
    assert route_of("/v2/phone_numbers/jobs") == "/phone_numbers/jobs"
    assert route_of("/phone_numbers/jobs/abc") == "/phone_numbers/jobs/{id}"
    assert route_of("/v2/phone_numbers/123/voice") == "/phone_numbers/{id}/voice"
    assert route_of("/v2/nope") is None
    assert pointer_matches("/phone_numbers/<index>", "/phone_numbers/12")
    assert not pointer_matches("/phone_numbers/<index>", "/phone_numbers/x")
    assert pointer_matches("/voice/...", "/voice/call_recording/inbound_call_recording_format")
    assert not pointer_matches("/voice/...", "/voice")
    schema = "update_phone_numbers_request.schema.json"
    assert schema_defines(schema, "/voice/call_forwarding/forwarding_type")
    assert schema_defines(schema, "/phone_numbers/3")
    assert not schema_defines(schema, "/voice/call_forwarding/nope")
    assert not schema_defines(schema, "/tags/x")
    assert pointer_matches("/<field>", "/anything")
    assert not pointer_matches("/<field>", "/tagz", schema)
    voice = "voice_settings_request.schema.json"  # PATCH /phone_numbers/{id}/voice: no /voice
    assert pointer_matches("/<field>", "/call_forwarding/forwarding_type", voice)
    assert not pointer_matches("/<field>", "/voice/call_forwarding/forwarding_type", voice)
