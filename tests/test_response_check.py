"""mockserver.response_check.problems on bodies the JSON parser cannot read: a problem to report,
never an exception (the drift check and the test suite's response hook rely on that)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.cassette import drift
from mockserver.cassette import format as cformat
from mockserver.response_check import problems

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_UNCLOSED = b'{"errors":' + b"[" * 100_000
TOO_DEEP = "expected a JSON body, received a body nested too deeply"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v2/phone_numbers", 200),
        ("POST", "/v2/phone_numbers/jobs/update_phone_numbers", 422),
        ("GET", "/phone_numbers/jobs/x", 404),
    ],
)
@pytest.mark.parametrize("body", [DEEP, DEEP_UNCLOSED], ids=["balanced", "unclosed"])
def test_a_body_nested_too_deeply_is_a_problem(
    method: str, path: str, status: int, body: bytes
) -> None:
    assert problems(method, path, status, body) == [f"{method} {path} -> {status}: {TOO_DEEP}"]


def test_other_unreadable_bodies_keep_their_message() -> None:
    assert problems("GET", "/v2/phone_numbers", 200, b"nope") == [
        "GET /v2/phone_numbers -> 200: expected a JSON body, received b'nope'"
    ]
    assert problems("GET", "/v2/phone_numbers", 200, b"\xff") == [
        "GET /v2/phone_numbers -> 200: expected a JSON body, received b'\\xff'"
    ]


def test_moderately_nested_json_is_still_checked() -> None:
    body = b'{"data":' + b"[" * 200 + b"]" * 200 + b"}"
    found = problems("GET", "/v2/phone_numbers", 200, body)
    assert found
    assert all(TOO_DEEP not in p for p in found)


def test_the_drift_check_reports_a_deep_recorded_body_once(tmp_path: Path) -> None:
    request = cformat.RecordedRequest("GET", "https://api.telnyx.com/v2/phone_numbers")
    response = cformat.RecordedResponse(200, "OK", {}, DEEP.decode())
    path = tmp_path / "deep.yaml"
    cformat.dump(cformat.Cassette([cformat.Interaction(request, response)]), path)
    found = drift.check_paths([path])
    assert [(d.number, d.message) for d in found] == [(1, TOO_DEEP)]
