"""R-NO-500 and C-FAULT-ROUTE under fuzzing: fault specs with hostile routes, and journal filters.

Each example posts a whole ``/_mock/faults`` spec whose ``route`` is drawn from catastrophic
regexes, globs, anchored literals, text of the route syntax's own characters, strings around the
length limit and anything at all (``tests/fuzz_strategies.py``). Properties: never a 5xx; a
refused route is the C-FAULT-ROUTE 422 naming ``/route``; an accepted one faults exactly the
requests a reference matcher built on ``re`` says it matches (``tests/route_reference.py``).
The journal's ``path`` filter gets the same treatment. Examples per test: see
``tests/fuzz_support.py`` (``make fuzz`` counts these with the others).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.api_paths import api_path as strip_v2
from mockserver.app import create_app
from mockserver.config import Settings
from tests.conftest import make_client
from tests.fuzz_strategies import fault_paths, fault_routes, json_values
from tests.fuzz_support import fuzz_case_report, fuzz_settings, tick
from tests.route_reference import expected_fault, reference_placeholders

__all__ = ["fuzz_case_report"]  # the session's case counter report (an autouse fixture)

FUZZ = fuzz_settings()
D_FAULT_ROUTE_START = "must be a path prefix (/phone_numbers/jobs), a glob"


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    app = create_app(Settings(manual_clock=True, journal_size=50))
    with make_client(app) as api:
        yield api


def post_fault(client: httpx.Client, spec: dict[str, Any]) -> httpx.Response:
    r = client.post("/_mock/faults", json=spec)
    assert r.status_code < 500, r.text
    return r


@pytest.mark.rule("R-NO-500")
@pytest.mark.rule("C-FAULT-ROUTE")
@FUZZ
@given(
    route=fault_routes,
    path=fault_paths,
    method=st.sampled_from([None, "GET", "POST"]),
    extra=st.fixed_dictionaries({}, optional={"times": st.integers(1, 3), "ms": json_values}),
)
def test_fault_specs_with_hostile_routes(
    client: httpx.Client, route: Any, path: str, method: str | None, extra: dict[str, Any]
) -> None:
    tick()
    spec = {"kind": "status", "status": 503, "route": route, "method": method, **extra}
    if "ms" in extra:
        spec = {**spec, "kind": "latency", "ms": 0}
    r = post_fault(client, {k: v for k, v in spec.items() if v is not None})
    if r.status_code != 201:
        [item] = r.json()["errors"]
        assert r.status_code == 422, r.text
        if item["source"]["pointer"] == "/route":
            assert item["detail"].startswith(D_FAULT_ROUTE_START)
        return
    try:
        url = "https://api.telnyx.com" + quote(path, safe="/!")  # absolute: "//x" is a path too
        answer = client.request(method or "GET", url)
        assert answer.status_code < 500 or answer.status_code == 503, answer.text
        expected = expected_fault(route, answer.request.url.path)  # as the server saw it
        if spec["kind"] == "status" and expected is not None:
            assert (answer.status_code == 503) is expected, (route, path, answer.text)
    finally:
        client.delete("/_mock/faults")


journal_filters = st.one_of(
    fault_routes,
    st.lists(
        st.lists(st.sampled_from(["a", "b", "!", "{x}", "{", "}", "*"]), max_size=6).map("".join),
        min_size=1,
        max_size=5,
    ).map(lambda segments: "/" + "/".join(segments)),
).filter(lambda text: not any("\ud800" <= c <= "\udfff" for c in text))  # no query can say it
JOURNALED = ["/a/b", "/v2/a/bb", "/ab!", "/a/b/a", "/" + "a" * 40 + "/", "/b"]


@pytest.mark.rule("R-NO-500")
@FUZZ
@given(pattern=journal_filters)
def test_journal_filters(client: httpx.Client, pattern: str) -> None:
    tick()
    if not client.get("/_mock/journal").json()["data"]:
        for path in JOURNALED:
            client.get(path)
    r = client.get("/_mock/journal", params={"path": pattern})
    assert r.status_code == 200, r.text
    found = [entry["path"] for entry in r.json()["data"]]
    reference = reference_placeholders(pattern)
    expected = [p for p in JOURNALED if not pattern or reference.fullmatch(strip_v2(p))]
    assert found == expected, pattern  # an empty filter is no filter
