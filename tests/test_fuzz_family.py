"""R-NO-500 on the 14 operations the /phone_numbers family added, with requests that get past
authentication: every example carries the tenant's key and a JSON content type, a plausible (or
broken) body for the route, and a query built from the family's own parameters (``include_*``,
``csv_format``, ``filter[has_bundle]``, ``sort[phone_number]``, ``filter[connection_name]``, the
messaging filters, ...) with good and bad values. The checks are :meth:`Probe.send`'s (no 5xx, a
Telnyx envelope on every 4xx, the documented shape on every 2xx, nothing changed by a rejected
request). Twice the profile's examples per route: with ``tests/test_fuzz_routes.py``'s share of
these routes, ``make fuzz`` sends the family's routes more than 10,000 cases.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.world import template
from tests.fuzz_strategies import raw_bodies
from tests.fuzz_support import KEY, Probe, budget, fuzz_case_report, fuzz_settings, tick
from tests.test_fuzz_routes import PLAUSIBLE_BY_ROUTE, ROUTES, download_ids, fuzz_app, path_piece

__all__ = ["fuzz_case_report"]

FAMILY = (
    "slim", "voice-list", "messaging-list", "messaging", "voicemail", "csv-downloads",
    "csv-download", "csv-file", "enable-emergency", "bundle-status", "verify-ownership",
)  # fmt: skip
FAMILY_FUZZ = settings(fuzz_settings(), max_examples=budget() * 2)
ACCOUNT = template(None).account
VOICEMAIL_IDS = sorted(ACCOUNT.get("voicemail", {}))[:20]
IDS = template(None).order[::50] + VOICEMAIL_IDS
PARAMETERS = [
    "include_tags", "include_connection", "csv_format", "include_managed_accounts",
    "handle_messaging_profile_error", "filter[has_bundle]", "filter[tag]", "filter[status]",
    "filter[phone_number]", "filter[phone_number][contains]", "filter[phone_number][eq]",
    "filter[connection_name][contains]", "filter[connection_name][eq]",
    "filter[voice.connection_name][contains]", "filter[voice.usage_payment_method]",
    "filter[messaging_profile_id]", "filter[type]", "filter[customer_reference]",
    "filter[without_tags]", "filter[country_iso_alpha2]", "filter[number_type][eq]",
    "filter[source]", "filter[billing_group_id]", "filter", "sort", "sort[phone_number]",
    "sort[created_at]", "page[number]", "page[size]", "page",
]  # fmt: skip
VALUES = [
    "true", "false", "yes", "1", "V1", "V2", "V3", "v1", "asc", "desc", "-purchased_at",
    "phone_number", "connection_name", "port_pending", "port-pending", "active", "deleted",
    "tollfree", "longcode", "shortcode", "toll_free", "+1312", "312", "13127367254", "ab", "abc",
    "office", "sales", "null", "0", "250", "251", "", "US", "ported", "channel",
    "\u0661\u0662\u0663", "not-a-uuid", *(p["id"] for p in ACCOUNT.get("messaging_profiles", [])),
]  # fmt: skip
family_queries = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=8)),
        st.one_of(st.sampled_from(VALUES), st.text(max_size=10)),
    ),
    max_size=5,
)
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "text/plain"]


@pytest.fixture
def probe() -> Iterator[Probe]:
    p = fuzz_app()
    yield p
    p.close()


@pytest.mark.rule("R-NO-500")
@pytest.mark.rule("R-ATOMIC")
@pytest.mark.parametrize("route", FAMILY)
@FAMILY_FUZZ
@given(data=st.data())
def test_the_family_survives_authenticated_requests(
    probe: Probe, route: str, data: st.DataObject
) -> None:
    tick()
    prefixes, path, verbs = ROUTES[route]
    if "{id}" in path or "{phone_number_id}" in path:
        choices = download_ids(probe) if route in ("csv-download", "csv-file") else IDS
        piece = path_piece(data, choices)
        path = path.replace("{id}", piece).replace("{phone_number_id}", piece)
    method = data.draw(st.sampled_from(verbs), label="method")
    plausible = PLAUSIBLE_BY_ROUTE.get(route)
    bodies = [raw_bodies, st.none()]
    if plausible is not None:
        bodies[:0] = [plausible.map(lambda b: json.dumps(b).encode())] * 3
    content = data.draw(st.one_of(*bodies), label="body")
    headers: list[tuple[str, str | bytes]] = [("Authorization", f"Bearer {KEY}")]
    if content is not None:
        headers.append(("Content-Type", data.draw(st.sampled_from(CONTENT_TYPES), label="ct")))
    params = data.draw(family_queries, label="query")
    prefix = data.draw(st.sampled_from(prefixes), label="prefix")
    probe.send(method, prefix + path, content=content, headers=headers, params=params)
