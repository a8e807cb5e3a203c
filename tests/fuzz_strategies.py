"""Hypothesis strategies for the fuzz tests: JSON values, plausible and malformed bodies, query
strings, headers, methods and path pieces. Plausible inputs (real field names, real ids) are
mixed with arbitrary ones so that the fuzzing reaches past the first validation layer."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from tests.helpers import DELETE, EMERGENCY, ID_A, NUMBER, UPDATE, VOICE

E164_B = "+13127367254"

#: any text, lone surrogates included (they are valid JSON escapes: "\ud800")
any_text = st.text(st.characters(exclude_categories=()), max_size=20)
#: integers past every float and past Python's 4,300-digit str->int limit
huge_ints = st.sampled_from([10**308, 10**309, -(10**400), 10**4300 - 1])
json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    any_text,
)
json_values = st.recursive(
    json_leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(any_text, children, max_size=5)
    ),
    max_leaves=20,
)


def maybe(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a plausible value, sometimes anything at all."""
    return st.one_of(*[good] * 9, json_values)


def optional_fields(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    return maybe(st.fixed_dictionaries({}, optional=fields))


OWNED_IDS = [ID_A, "1293384261075731499", "2637816387126861836", "2637816387126861839"]
OWNED_E164 = [E164_B, "+13125550100", "+19705555098", "+19705551234"]
OTHER_ITEMS = ["1", "+15555550000", "", "x", "+1 312"]
phone_numbers = maybe(
    st.one_of(
        st.lists(st.sampled_from(OWNED_IDS), min_size=1, max_size=4),
        st.lists(st.sampled_from(OWNED_E164), min_size=1, max_size=4),
        st.lists(st.one_of(st.sampled_from(OWNED_IDS + OTHER_ITEMS), any_text), max_size=4),
    )
)
tag_list = maybe(st.lists(any_text, max_size=3))
flag = maybe(st.booleans())
some_text = maybe(st.one_of(any_text, st.sampled_from(["", "+13035559123", "Acme Corp"])))
voice_fields = {
    "call_forwarding": optional_fields(
        {
            "call_forwarding_enabled": flag,
            "forwarding_type": maybe(st.sampled_from(["always", "on-failure", "never"])),
            "forwards_to": some_text,
        }
    ),
    "call_recording": optional_fields(
        {
            "inbound_call_recording_enabled": flag,
            "inbound_call_recording_format": maybe(st.sampled_from(["wav", "mp3", "ogg"])),
            "inbound_call_recording_channels": maybe(st.sampled_from(["single", "dual"])),
        }
    ),
    "cnam_listing": optional_fields(
        {"cnam_listing_enabled": flag, "cnam_listing_details": some_text}
    ),
    "media_features": optional_fields(
        {
            "rtp_auto_adjust_enabled": flag,
            "accept_any_rtp_packets_enabled": flag,
            "t38_fax_gateway_enabled": flag,
        }
    ),
    "caller_id_name_enabled": flag,
    "inbound_call_screening": maybe(st.sampled_from(["disabled", "reject_calls", "flag"])),
    "tech_prefix_enabled": flag,
    "translated_number": some_text,
    "usage_payment_method": maybe(st.sampled_from(["pay-per-minute", "channel", "free"])),
}
number_fields = {
    "tags": tag_list,
    "external_pin": some_text,
    "customer_reference": some_text,
    "connection_id": maybe(st.sampled_from(["1521916448077776306", "1", ""])),
    "billing_group_id": maybe(st.sampled_from(["62e4bf2e-c278-4282-b524-488d9c9c43b2", "nope"])),
    "hd_voice_enabled": flag,
    "address_id": some_text,
}
update_fields = {
    **number_fields,
    "add_tags": tag_list,
    "remove_tags": tag_list,
    "deletion_lock_enabled": flag,
    "voice": optional_fields(voice_fields),
}
emergency_address = maybe(st.sampled_from(["9102160989215728032", "53829456729313", "1", "", None]))
#: bodies built from the real field names of each endpoint, mostly with plausible values
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    UPDATE: st.fixed_dictionaries({"phone_numbers": phone_numbers}, optional=update_fields),
    EMERGENCY: st.fixed_dictionaries(
        {"phone_numbers": phone_numbers, "emergency_enabled": flag},
        optional={"emergency_address_id": emergency_address},
    ),
    DELETE: st.fixed_dictionaries({"phone_numbers": phone_numbers}),
    NUMBER: st.fixed_dictionaries({}, optional=number_fields),
    VOICE: st.fixed_dictionaries({}, optional=voice_fields),
}
#: any field name of any endpoint, with any value
any_fields = st.fixed_dictionaries(
    {}, optional=dict.fromkeys({**update_fields, **voice_fields, "phone_numbers": 0}, json_values)
)


def bodies(path: str) -> st.SearchStrategy[Any]:
    plausible = PLAUSIBLE[path]
    return st.one_of(plausible, plausible, plausible, any_fields, json_values)


# -- fault routes (issue 17: a route used to be a regex run on the event loop) --------------------
#: classic catastrophic-backtracking regexes, the issue's own first
REDOS_ROUTES = [
    "^/(a+)+$", "(a|aa)+$", "^(a|a?)+$", "(.*a){12}", "^/([a-z]+)*!$", "(x+x+)+y",
    "^/phone_numbers/(\\d+)+$", "(?:a|b|ab)*c", "((a*)*)*b",
]  # fmt: skip
#: what the route syntax is made of, regex and glob operators included
ROUTE_ALPHABET = "ab/!*^$\\.+?()[]{}|"
route_segments = st.text("ab*", max_size=5)
glob_routes = st.lists(st.one_of(route_segments, st.just("**")), min_size=1, max_size=5).map(
    lambda segments: "/" + "/".join(segments)
)
fault_routes = st.one_of(
    st.sampled_from(REDOS_ROUTES),
    glob_routes,
    st.sampled_from(["^/", "", "^/v2/phone_numbers/jobs", "/v2", "/phone_numbers/*/voice"]),
    st.builds(
        lambda a, text, z: a + text + z,
        st.sampled_from(["", "^", "/", "^/"]),
        st.text("ab/!\\.", max_size=10),
        st.sampled_from(["", "$"]),
    ),
    st.text(ROUTE_ALPHABET, max_size=24),
    st.integers(250, 300).map(lambda n: "/" + "a" * n),  # around the length limit
    any_text,
)
#: paths to send at a fault's route: segments of the same letters, /v2 or not
fault_paths = st.tuples(
    st.sampled_from(["", "/v2"]),
    st.lists(st.text("ab!", max_size=5), min_size=1, max_size=5),
).map(lambda pair: pair[0] + "/" + "/".join(pair[1]))

# -- bodies of the test controls ------------------------------------------------------------------
numbers_or_anything = maybe(st.one_of(st.integers(-5, 10**9), st.floats(), huge_ints))
#: numbers for the fault fields: in range, out of range, past every float, or anything
fault_numbers = st.one_of(st.integers(0, 5), st.floats(0, 2), huge_ints, json_values)
CONTROL_BODIES: dict[str, st.SearchStrategy[Any]] = {
    "/clock/advance": st.fixed_dictionaries({"seconds": numbers_or_anything}),
    "/clock/set": st.fixed_dictionaries(
        {"now": maybe(st.one_of(st.datetimes().map(lambda d: d.isoformat()), any_text))}
    ),
    "/faults": st.fixed_dictionaries(
        {"kind": maybe(st.sampled_from(["status", "latency", "drop", "expire_jobs", "fail_jobs"]))},
        optional={
            "status": st.sampled_from([429, 500, 503, 500, 200, "500"]),
            "ms": st.one_of(st.integers(0, 70_000), fault_numbers),
            "route": maybe(
                st.one_of(st.sampled_from(["^/nothing-matches$", "(", "["]), fault_routes)
            ),
            "method": maybe(st.sampled_from(["PROPFIND", "G3T", "", "\u00df"])),
            "times": fault_numbers,
            "probability": fault_numbers,
            "retry_after": fault_numbers,
            "limit": fault_numbers,
        },
    ),
}


# -- malformed bytes ------------------------------------------------------------------------------
def deep(levels: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * levels + b"]" * levels
    return b'{"a":' * levels + b"1" + b"}" * levels


deep_nesting = st.builds(
    deep, st.sampled_from([31, 32, 33, 200, 5_000, 200_000]), st.sampled_from(["array", "object"])
)
#: strings around the 1 MiB body limit, inside a field the endpoints know
huge_strings = st.builds(
    lambda n, field: json.dumps({field: ["x" * n], "phone_numbers": ["x" * n]}).encode(),
    st.sampled_from([1_000, 70_000, 524_280, 1_048_577]),
    st.sampled_from(["tags", "phone_numbers", "seconds", "kind"]),
)
huge_numbers = st.builds(
    lambda field, n: f'{{"{field}": {n}, "kind": "status", "status": 500}}'.encode(),
    st.sampled_from(["seconds", "probability", "retry_after", "times", "ms", "limit", "tags"]),
    huge_ints,
)
raw_bodies = st.one_of(
    st.just(b""),
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    deep_nesting,
    huge_strings,
    huge_numbers,
)

# -- query strings --------------------------------------------------------------------------------
FILTER_KEYS = [
    "has_bundle", "tag", "connection_id", "phone_number", "status", "voice.connection_name",
    "voice.usage_payment_method", "billing_group_id", "emergency_address_id",
    "customer_reference", "type", "country_iso_alpha2", "number_type", "source", "without_tags",
]  # fmt: skip
OPERATORS = ["eq", "contains", "starts_with", "ends_with", "", "like"]
VALUES = [
    "active", "sales", "sandbox", "null", "true", "false", "+1312", "12", "12a45", "channel",
    "pay-per-minute", "PBX", "office", "ab", "1521916448077776306", "local", "US,CA", "pending",
    "update_phone_numbers", "1", "0", "250", "-created_at", "created_at", "", "[", "]",
    "1" * 4301, "9" * 400, "\u0661\u0662", "\xb2",
]  # fmt: skip
bracket_keys = st.builds(
    lambda base, parts: base + "".join(f"[{p}]" for p in parts),
    st.one_of(st.sampled_from(["filter", "page", "sort"]), st.text(max_size=6)),
    st.lists(
        st.one_of(
            st.sampled_from(FILTER_KEYS + OPERATORS + ["number", "size"]), st.text(max_size=6)
        ),
        max_size=3,
    ),
)
#: the parameters every list takes, with values of every shape (huge numbers included)
known_params = st.tuples(
    st.sampled_from(["page[size]", "page[number]", "sort", "filter[status]", "filter[tag]"]),
    st.one_of(st.sampled_from(VALUES), st.integers().map(str), st.text(max_size=12)),
)
queries = st.lists(
    st.one_of(
        known_params,
        st.tuples(
            st.one_of(bracket_keys, bracket_keys, st.text(max_size=12)),
            st.one_of(st.sampled_from(VALUES), st.text(max_size=12)),
        ),
    ),
    max_size=4,
)

# -- methods, headers, path pieces ----------------------------------------------------------------
ODD_METHODS = ["HEAD", "OPTIONS", "PUT", "TRACE", "CONNECT", "PROPFIND", "PURGE", "M-SEARCH", "X"]
methods = st.sampled_from(["GET", "POST", "PATCH", "DELETE", *ODD_METHODS])
CONTENT_TYPES = [
    None, "application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
    "application/vnd.api+json", "application/x+json", "text/plain", "text/json",
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", ";", "*/*",
    "application/json; charset=latin-1", b"application/json\xff", b"\xe2\x98\x83/json",
]  # fmt: skip
#: mostly a JSON content type (or none), sometimes anything
content_types = st.one_of(
    st.sampled_from([None, "application/json"]),
    st.sampled_from([None, "application/json"]),
    st.sampled_from(CONTENT_TYPES),
)
header_bytes = st.binary(max_size=40).map(
    lambda b: b.replace(b"\r", b"").replace(b"\n", b"").replace(b"\x00", b"")
)
#: Authorization values; ``"{key}"`` stands for the fuzz tenant's own key. Mostly the valid
#: one, so that most requests get past authentication to the layers behind it
AUTHORIZATIONS: st.SearchStrategy[str | bytes | None] = st.one_of(
    st.just("Bearer {key}"),
    st.just("Bearer {key}"),
    st.sampled_from([
        None, "", "Bearer", "Bearer ", "bearer {key}", "BEARER {key}", "Bearer  {key}",
        "Bearer {key} extra", "Basic dXNlcjpwYXNz", "Token {key}", "{key}", "Bearer \t",
        "Bearer " + "k" * 10_000, "Bearer caf\xe9",
    ]),
    header_bytes.map(lambda b: b"Bearer " + b),
    header_bytes,
)  # fmt: skip
EXTRA_HEADER_NAMES = [
    "Accept", "Accept-Encoding", "Content-Length", "Content-Encoding", "Transfer-Encoding",
    "X-Forwarded-For", "X-Telnyx-Mock-Internal", "Cookie", "Host", "X-Fuzz", "Range",
]  # fmt: skip
extra_headers = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(EXTRA_HEADER_NAMES), st.from_regex(r"\AX-[A-Za-z0-9-]{1,20}\Z")),
        st.one_of(
            st.sampled_from(["", "0", "-1", "1" * 4301, "\xb2", "gzip", "chunked", "bytes=0-1"]),
            header_bytes,
        ),
    ),
    max_size=3,
)
#: a path segment: real ids of the world, ids of the wrong shape, and anything at all
WRONG_IDS = [
    "0", "-1", "1" * 30, "1" * 4301, "jobs", "voice", "..", ".", "%2F", "%00", "%ff",
    "+13127367254", "00000000-0000-0000-0000-000000000000", "null", "undefined",
    "update_phone_numbers",
]  # fmt: skip
segments = st.one_of(
    st.sampled_from(OWNED_IDS + WRONG_IDS), st.text(min_size=1, max_size=30), st.uuids().map(str)
)
