"""mockserver.cassette.format: the VCR.py-compatible YAML cassette (round trip, bad files, the
shapes VCR.py itself writes)."""

from __future__ import annotations

import base64
import gzip
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.cassette import format as cformat
from mockserver.cassette.format import (
    Cassette,
    CassetteError,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    headers_from,
)

JOB = '{"data":{"id":"7e86","status":"pending","tags":["caf\\u00e9"]}}'


def sample() -> Cassette:
    return Cassette(
        [
            Interaction(
                RecordedRequest(
                    "POST",
                    "https://api.telnyx.com/v2/phone_numbers/jobs/update_phone_numbers?a=1&a=2",
                    {"Authorization": ["REDACTED"], "Content-Type": ["application/json"]},
                    '{"phone_numbers":["+13127367254"],"tags":["café"]}',
                ),
                RecordedResponse(
                    202, "Accepted", {"content-type": ["application/json"], "x-m": ["1", "2"]}, JOB
                ),
            ),
            Interaction(
                RecordedRequest("GET", "https://api.telnyx.com/v2/phone_numbers/jobs"),
                RecordedResponse(200, "OK", {}, "line one\nline two\n  indented: yes\n"),
            ),
        ]
    )


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "c.yaml"
    cformat.dump(sample(), path)
    assert cformat.load(path) == sample()
    assert [p.name for p in path.parent.iterdir()] == ["c.yaml"]  # no temp file left


def test_written_shape_is_vcrs() -> None:
    doc = cformat.to_dict(sample())
    assert doc["version"] == 1
    first = doc["interactions"][0]
    assert set(first["request"]) == {"body", "headers", "method", "uri"}
    assert first["response"]["status"] == {"code": 202, "message": "Accepted"}
    assert first["response"]["body"] == {"string": JOB}
    assert first["response"]["headers"]["x-m"] == ["1", "2"]
    assert doc["interactions"][1]["request"]["body"] is None


@given(
    body=st.text(st.characters(exclude_categories=["Cs"]), max_size=300),
    header=st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=40),
)
def test_any_text_survives_a_round_trip(body: str, header: str) -> None:
    cassette = Cassette(
        [
            Interaction(
                RecordedRequest("PATCH", "https://x/y", {"X-H": [header]}, body or None),
                RecordedResponse(200, "OK", {"X-H": [header]}, body),
            )
        ]
    )
    assert cformat.loads(cformat.dumps(cassette)) == cassette


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    cformat.dump(sample(), path)
    before = path.read_bytes()
    broken = Cassette([Interaction(RecordedRequest("GET", "https://x/"), RecordedResponse(200))])
    broken.interactions[0].request.headers["X"] = [object()]  # type: ignore[list-item]
    with pytest.raises(Exception, match="cannot represent"):
        cformat.dump(broken, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]


def test_empty_file_is_an_empty_cassette() -> None:
    assert len(cformat.loads("")) == 0
    assert len(cformat.loads("interactions: []\nversion: 1\n")) == 0


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        cformat.load(tmp_path / "none.yaml")


GOOD_REQUEST = "request: {method: GET, uri: 'https://x/'}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("interactions: [\n", "not valid YAML"),
        ("- a\n- b\n", "a cassette is a mapping"),
        ("interactions: []\nversion: 2\n", "unsupported cassette version 2"),
        ("interactions: {a: 1}\n", "'interactions' must be a list"),
        ("interactions: [3]\n", "interaction 1: expected a mapping with request and response"),
        (f"interactions:\n- {{{GOOD_REQUEST}}}\n", "interaction 1: expected a response mapping"),
        (
            f"interactions:\n- {{{GOOD_REQUEST}, response: {{status: {{code: '200'}}}}}}\n",
            "status code must be an integer",
        ),
        (
            f"interactions:\n- {{{GOOD_REQUEST}, response: {{status: {{code: true}}}}}}\n",
            "status code must be an integer",
        ),
        (
            "interactions:\n- {request: {method: GET}, response: {status: {code: 200}}}\n",
            "request needs a method and a uri",
        ),
        (
            f"interactions:\n- {{{GOOD_REQUEST}, response: {{status: {{code: 200}}, "
            "body: {string: [1, 2]}}}\n",
            "expected a string body, found list",
        ),
        (
            f"interactions:\n- {{{GOOD_REQUEST}, response: {{status: {{code: 200}}, "
            "headers: [a]}}\n",
            "headers must be a mapping",
        ),
        (
            f"interactions:\n- {{{GOOD_REQUEST}, response: {{status: {{code: 200}}, "
            "body: {string: !!binary /w==}}}\n",
            "body is not UTF-8",
        ),
        ("!!python/object/apply:os.system ['true']\n", "not valid YAML"),  # safe loading only
    ],
)
def test_bad_cassettes_are_cassette_errors(text: str, message: str) -> None:
    with pytest.raises(CassetteError, match=message.replace("[", r"\[").replace("(", r"\(")):
        cformat.loads(text)


def _vcr(response: str) -> str:
    return (
        "interactions:\n- request:\n    body: !!binary eyJhIjogMX0=\n    headers: {}\n"
        f"    method: post\n    uri: https://x/y\n  response:\n{response}version: 1\n"
    )


def test_vcrpy_binary_bodies_are_text() -> None:
    body = base64.b64encode(b'{"ok": true}').decode()
    [interaction] = cformat.loads(
        _vcr(
            f"    body: {{string: !!binary {body}}}\n"
            "    headers: {Content-Type: application/json}\n    status: {code: 200, message: OK}\n"
        )
    ).interactions
    assert interaction.request.method == "POST"
    assert interaction.request.body == '{"a": 1}'
    assert interaction.response.body == '{"ok": true}'
    assert interaction.response.headers == {"Content-Type": ["application/json"]}  # scalar: list


def test_vcrpy_old_content_and_status_code_keys() -> None:
    [interaction] = cformat.loads(
        _vcr("    content: '{\"old\": 1}'\n    headers: {}\n    status_code: 201\n")
    ).interactions
    assert (interaction.response.status, interaction.response.body) == (201, '{"old": 1}')
    [interaction] = cformat.loads(
        _vcr("    content: plain\n    status: {code: 204}\n")
    ).interactions
    assert (interaction.response.status, interaction.response.body) == (204, "plain")


@pytest.mark.parametrize(
    ("encoding", "packed"),
    [
        ("gzip", gzip.compress(b'{"zipped": 1}', mtime=0)),
        ("deflate", zlib.compress(b'{"zipped": 1}')),
        ("deflate", zlib.compress(b'{"zipped": 1}')[2:-4]),  # raw deflate
    ],
    ids=["gzip", "zlib-deflate", "raw-deflate"],
)
def test_vcrpy_compressed_bodies_are_decoded(encoding: str, packed: bytes) -> None:
    body = base64.b64encode(packed).decode()
    [interaction] = cformat.loads(
        _vcr(
            f"    body: {{string: !!binary {body}}}\n    headers: {{Content-Encoding: [{encoding}],"
            " Content-Length: ['9'], X-Kept: ['1']}\n    status: {code: 200}\n"
        )
    ).interactions
    assert interaction.response.body == '{"zipped": 1}'
    assert interaction.response.headers == {"X-Kept": ["1"]}


@pytest.mark.parametrize(
    ("encoding", "body", "message"),
    [("br", "AAAA", "cannot decode a 'br' response body"), ("gzip", "AAAA", "gzip .* corrupt")],
)
def test_undecodable_bodies_are_cassette_errors(encoding: str, body: str, message: str) -> None:
    text = _vcr(
        f"    body: {{string: !!binary {body}}}\n    headers: {{Content-Encoding: [{encoding}]}}\n"
        "    status: {code: 200}\n"
    )
    with pytest.raises(CassetteError, match=message):
        cformat.loads(text)


def test_headers_group_values_and_keep_the_first_spelling() -> None:
    grouped = headers_from([("X-A", "1"), ("x-a", "2"), ("B", "3")])
    assert grouped == {"X-A": ["1", "2"], "B": ["3"]}
    request = RecordedRequest("GET", "https://x/", grouped)
    assert (request.header("x-A"), request.header("b"), request.header("c")) == ("1", "3", None)
    assert RecordedResponse(200, headers={"Content-Type": ["a/b"]}).header("content-type") == "a/b"
