"""Invalid requests made by targeted mutation of a valid body, each tagged with the fidelity rule
it exercises. The expected status and code come from ``schemas/fidelity.json`` (the pointer too,
where the manifest gives a literal one); a mutation only adds what the manifest leaves as a
template (``/<field>``, ``filter[<key>]``).

Every mutation is safe to send to the live API: its targets are the (sandbox) inventory, or it
cannot change anything (over the cap, not a JSON object, no field to change, a filter pinned to
the sandbox tag); the live guard refuses the rest before sending and the test is skipped.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from contract_tests.report import rule
from contract_tests.strategies import (
    NOT_GENERATED,
    UPDATE_SCHEMA,
    VOICE_SCHEMA,
    Inventory,
    Json,
)
from mockserver import schemas

UPDATE = "/phone_numbers/jobs/update_phone_numbers"
EMERGENCY = "/phone_numbers/jobs/update_emergency_settings"
#: a reserved NANP test number: well-formed, never on any account
UNOWNED = "+15005550000"
MALFORMED_ITEM = "not-a-number"
UNKNOWN_BILLING_GROUP = "00000000-0000-4000-8000-000000000000"
MAX_NUMBERS = 1000


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


#: ``Mutation.authorization``: keep the target's header
KEEP: Any = _Keep()


@dataclass(frozen=True)
class Mutated:
    """A request to send: a JSON body (or raw bytes), a query, and an index-dependent pointer."""

    body: Any
    query: dict[str, str] = field(default_factory=dict)
    pointer: str | None = None


Build = Callable[[Json, Inventory], Mutated]


@dataclass(frozen=True)
class Mutation:
    rule_id: str
    name: str
    description: str
    build: Build
    expected_pointer: str | None = None
    expected_parameter: str | None = None
    expected_status: int = 0
    expected_code: str = ""
    path: str = UPDATE
    #: KEEP the target's Authorization header, ``None`` to drop it, or a replacement
    authorization: Any = KEEP

    def __post_init__(self) -> None:
        manifest = rule(self.rule_id)
        if not self.expected_status:
            object.__setattr__(self, "expected_status", int(manifest["status"]))
        if not self.expected_code:
            object.__setattr__(self, "expected_code", str(manifest["code"]))
        pointer = manifest.get("pointer")
        if (
            self.expected_pointer is None
            and pointer
            and "<" not in pointer
            and "..." not in pointer
        ):
            object.__setattr__(self, "expected_pointer", pointer)

    @property
    def id(self) -> str:
        return f"{self.rule_id}:{self.name}"


# -- helpers -------------------------------------------------------------------------------------
def _e164(body: Json, inv: Inventory) -> list[str]:
    return [inv.record(i)["phone_number"] for i in body["phone_numbers"]]


def _ids(body: Json, inv: Inventory) -> list[str]:
    return [inv.record(i)["id"] for i in body["phone_numbers"]]


def _without_targets(body: Json) -> Json:
    return {k: v for k, v in body.items() if k != "phone_numbers"}


def _set(body: Json, path: tuple[str, ...], value: Any) -> Json:
    out = copy.deepcopy(body)
    node = out
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[path[-1]] = value
    return out


def _pinned(inv: Inventory, **extra: str) -> dict[str, str]:
    """A filter query pinned to the sandbox tag (the only filter the live guard sends)."""
    query = {"filter[tag]": inv.tag} if inv.tag else {}
    return {**query, **extra}


def _setting(path: tuple[str, ...], value: Any) -> Build:
    """Build: the valid body with ``value`` set at ``path``."""

    def build(body: Json, inv: Inventory) -> Mutated:
        return Mutated(_set(body, path, value))

    return build


def _filtering(key: str, value: str) -> Build:
    """Build: the valid body as a filter job (no list) with the pinned tag plus ``key=value``."""

    def build(body: Json, inv: Inventory) -> Mutated:
        return Mutated(_without_targets(body), _pinned(inv, **{key: value}))

    return build


def _enum_paths(node: Json, root: Json, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        node = root["$defs"][ref.split("/")[-1]]
    if "enum" in node:
        yield path
    for name, child in node.get("properties", {}).items():
        yield from _enum_paths(child, root, (*path, name))


_WRONG = {"boolean": "yes", "string": 12345, "array": "not-an-array", "object": "not-an-object"}


def _type_of(node: Json) -> str:
    if "$ref" in node:
        return "object"
    kind = node["type"]
    return str(kind if isinstance(kind, str) else kind[0])


# -- the list ------------------------------------------------------------------------------------
def _targets_mutations() -> list[Mutation]:
    return [
        Mutation("R-PRESENT", "no-phone-numbers", "no phone_numbers and no filter",
                 lambda b, inv: Mutated({})),
        Mutation("R-EMPTY", "empty-list", "phone_numbers is [] and there is no filter",
                 lambda b, inv: Mutated({"phone_numbers": []})),
        Mutation("R-CAP", "over-the-cap", f"{MAX_NUMBERS + 1} owned items (repeats count)",
                 lambda b, inv: Mutated({**b, "phone_numbers": list(
                     itertools.islice(itertools.cycle(_e164(b, inv)), MAX_NUMBERS + 1))})),
        Mutation("R-ITEM-FORMAT", "malformed-item", "an item neither an id nor +E.164",
                 lambda b, inv: Mutated(
                     {**b, "phone_numbers": [*b["phone_numbers"], MALFORMED_ITEM]},
                     pointer=f"/phone_numbers/{len(b['phone_numbers'])}")),
        Mutation("R-MIXED", "ids-and-e164", "owned numbers given as ids and as +E.164",
                 lambda b, inv: Mutated(
                     {**b, "phone_numbers": [*_ids(b, inv), _e164(b, inv)[0]]})),
        Mutation("R-OWNERSHIP", "not-owned", f"owned numbers plus {UNOWNED}",
                 lambda b, inv: Mutated({**b, "phone_numbers": [*_e164(b, inv), UNOWNED]})),
    ]  # fmt: skip


def _field_mutations() -> list[Mutation]:
    update = schemas.document(UPDATE_SCHEMA)
    voice = schemas.document(VOICE_SCHEMA)
    out = [
        Mutation("R-UPDATEABLE", "no-field", "owned targets and no updateable field",
                 lambda b, inv: Mutated({"phone_numbers": b["phone_numbers"]})),
        Mutation("R-UPDATEABLE", "empty-voice", "only an empty voice object",
                 lambda b, inv: Mutated({"phone_numbers": b["phone_numbers"],
                                         "voice": {"call_forwarding": {}}})),
        Mutation("R-FORWARDS-TO", "forwards-to-not-e164", "forwards_to without the +",
                 lambda b, inv: Mutated(_set(b, ("voice", "call_forwarding", "forwards_to"),
                                             "13035559123"))),
        Mutation("R-CNAM-FORMAT", "cnam-punctuation", "CNAM details with punctuation",
                 lambda b, inv: Mutated(_set(b, ("voice", "cnam_listing"),
                                             {"cnam_listing_enabled": True,
                                              "cnam_listing_details": "Bad-Name!"}))),
        Mutation("R-CNAM-FORMAT", "cnam-too-long", "CNAM details of 16 characters",
                 lambda b, inv: Mutated(_set(b, ("voice", "cnam_listing"),
                                             {"cnam_listing_enabled": True,
                                              "cnam_listing_details": "A" * 16}))),
        Mutation("R-CNAM-NEEDS-ENABLED", "cnam-details-alone",
                 "CNAM details without cnam_listing_enabled",
                 lambda b, inv: Mutated(_set(b, ("voice", "cnam_listing"),
                                             {"cnam_listing_details": "Acme Support"}))),
        Mutation("R-BILLING-GROUP", "unknown-billing-group", "a billing group not on the account",
                 lambda b, inv: Mutated({**b, "billing_group_id": UNKNOWN_BILLING_GROUP})),
        Mutation("R-NOT-OBJECT", "array-body", "the valid body wrapped in an array",
                 lambda b, inv: Mutated([b])),
        Mutation("R-BAD-JSON", "truncated-json", "a body that is not JSON",
                 lambda b, inv: Mutated(b'{"phone_numbers": [')),
    ]  # fmt: skip
    for path in _enum_paths(voice, voice):
        pointer = "/voice/" + "/".join(path)
        out.append(
            Mutation(
                "R-ENUMS",
                "voice." + ".".join(path),
                f"{pointer} outside its enum",
                _setting(("voice", *path), "not-a-valid-value"),
                expected_pointer=pointer,
            )
        )
    for name, node in update["properties"].items():
        if name in NOT_GENERATED:
            continue
        wrong = _WRONG[_type_of(node)]
        out.append(
            Mutation(
                "R-TYPES",
                name,
                f"{name} given as {type(wrong).__name__}",
                _setting((name,), wrong),
                expected_pointer=f"/{name}",
            )
        )
    return out


def _filter_mutations() -> list[Mutation]:
    out = [
        Mutation("R-FILTER-UNKNOWN", "filter-tags", "an unknown filter key (tags for tag)",
                 lambda b, inv: Mutated(_without_targets(b), _pinned(inv, **{"filter[tags]": "x"})),
                 expected_parameter="filter[tags]"),
        Mutation("R-FILTER-PHONE-DIGITS", "two-digits", "filter[phone_number] with 2 digits",
                 lambda b, inv: Mutated(_without_targets(b),
                                        _pinned(inv, **{"filter[phone_number]": "12"})),
                 expected_parameter="filter[phone_number]"),
        Mutation("R-FILTER-BAD-VALUE", "status", "filter[status] outside its enum",
                 lambda b, inv: Mutated(_without_targets(b),
                                        _pinned(inv, **{"filter[status]": "not-a-status"})),
                 expected_parameter="filter[status]"),
    ]  # fmt: skip
    for op in ("contains", "starts_with", "ends_with"):
        key = f"filter[voice.connection_name][{op}]"
        out.append(
            Mutation(
                "R-FILTER-MIN-CHARS",
                f"connection-name-{op}",
                f"{key} of 2 characters",
                _filtering(key, "ab"),
                expected_parameter=key,
            )
        )
    return out


def _emergency_mutations() -> list[Mutation]:
    return [
        Mutation("R-EMERGENCY-ADDRESS-REQUIRED", "enabled-without-address",
                 "emergency_enabled true and no emergency_address_id",
                 lambda b, inv: Mutated({"phone_numbers": b["phone_numbers"],
                                         "emergency_enabled": True}),
                 path=EMERGENCY),
        Mutation("R-EMERGENCY-ADDRESS-FORBIDDEN", "disabled-with-address",
                 "emergency_enabled false with an emergency_address_id",
                 lambda b, inv: Mutated({"phone_numbers": b["phone_numbers"],
                                         "emergency_enabled": False,
                                         "emergency_address_id": "1"}),
                 path=EMERGENCY),
        Mutation("R-REQUIRED", "no-emergency-enabled", "an emergency job without emergency_enabled",
                 lambda b, inv: Mutated({"phone_numbers": b["phone_numbers"]}),
                 expected_pointer="/emergency_enabled", path=EMERGENCY),
    ]  # fmt: skip


def _auth_mutations() -> list[Mutation]:
    return [
        Mutation("R-AUTH", "no-authorization", "no Authorization header",
                 lambda b, inv: Mutated(b), authorization=None),
        Mutation("R-AUTH", "basic-scheme", "a Basic instead of a Bearer credential",
                 lambda b, inv: Mutated(b), authorization="Basic Y29udHJhY3Q6a2V5"),
        Mutation("R-AUTH", "bearer-without-key", "the Bearer scheme with no key",
                 lambda b, inv: Mutated(b), authorization="Bearer"),
    ]  # fmt: skip


MUTATIONS: tuple[Mutation, ...] = (
    *_targets_mutations(),
    *_field_mutations(),
    *_filter_mutations(),
    *_emergency_mutations(),
    *_auth_mutations(),
)
