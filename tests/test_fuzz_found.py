"""R-NO-500 regressions: the smallest forms of the crashes the fuzz tests found.

Each was a 500 with a stack trace in the server log (the first two on a real uvicorn server as
well; the third wherever the ASGI server does not check ``Content-Length`` itself, as the
in-process transport and the pytest plugin's router do not).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mockserver.app import create_app
from mockserver.config import Settings
from tests.fuzz_support import KEY, Probe
from tests.helpers import NUMBER

AUTH: list[tuple[str, str | bytes]] = [("Authorization", f"Bearer {KEY}")]
JSON: list[tuple[str, str | bytes]] = [*AUTH, ("Content-Type", "application/json")]
#: one digit more than Python converts from text by default (sys.get_int_max_str_digits)
DIGITS_4301 = "1" * 4301


@pytest.fixture
def probe() -> Iterator[Probe]:
    p = Probe(create_app(Settings(manual_clock=True)))
    yield p
    p.close()


# 1. rules/queries.py: int(text) raises ValueError for more than 4,300 digits
@pytest.mark.rule("R-NO-500")
@pytest.mark.parametrize("path", ["/v2/phone_numbers", "/v2/phone_numbers/jobs"])
def test_page_size_of_4301_digits_is_invalid_pagination(probe: Probe, path: str) -> None:
    r = probe.send("GET", path, headers=AUTH, params=[("page[size]", DIGITS_4301)])
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["source"] == {"pointer": "page/size"}


@pytest.mark.rule("R-NO-500")
@pytest.mark.parametrize("path", ["/v2/phone_numbers", "/v2/phone_numbers/jobs"])
def test_page_number_of_4301_digits_is_not_a_500(probe: Probe, path: str) -> None:
    r = probe.send("GET", path, headers=AUTH, params=[("page[number]", DIGITS_4301)])
    assert r.status_code in (200, 422), r.text


# 2. faults.py _number: math.isfinite(int) raises OverflowError past the float range
@pytest.mark.rule("R-NO-500")
@pytest.mark.parametrize(
    ("field", "spec"),
    [("probability", '"status":500'), ("retry_after", '"status":429')],
)
def test_fault_number_past_the_float_range_is_422(probe: Probe, field: str, spec: str) -> None:
    body = f'{{"kind":"status",{spec},"{field}":1{"0" * 309}}}'.encode()
    r = probe.send("POST", "/_mock/faults", content=body, headers=JSON)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["source"] == {"pointer": f"/{field}"}


# 3. http/common.py read_json: str.isdigit() accepts what int() refuses (4,301 digits, "²")
@pytest.mark.rule("R-NO-500")
@pytest.mark.rule("R-BODY-SIZE")
def test_declared_length_of_4301_digits_is_413(probe: Probe) -> None:
    headers = [*JSON, ("Content-Length", DIGITS_4301)]
    r = probe.send("PATCH", NUMBER, content=b'{"tags": ["x"]}', headers=headers)
    assert r.status_code == 413, r.text


@pytest.mark.rule("R-NO-500")
def test_declared_length_with_a_superscript_digit_is_not_a_500(probe: Probe) -> None:
    headers = [*JSON, ("Content-Length", b"\xb2")]  # latin-1 "²": isdigit() but not int()
    r = probe.send("PATCH", NUMBER, content=b'{"tags": ["x"]}', headers=headers)
    assert r.status_code in (200, 400), r.text
