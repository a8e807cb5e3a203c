"""Hypothesis strategies built from ``schemas/`` and the target's own inventory.

Field names, types and enums come from ``update_phone_numbers_request.schema.json`` and
``voice_settings_request.schema.json`` (through :func:`mockserver.schemas.document`); only the
cross-field rules the schemas cannot say (CNAM details need ``cnam_listing_enabled``, at least one
updateable field, emergency address iff enabled) and the ids that must exist on the account
(connections, billing groups, addresses: drawn from the inventory) are written here.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from mockserver import schemas

UPDATE_SCHEMA = "update_phone_numbers_request.schema.json"
VOICE_SCHEMA = "voice_settings_request.schema.json"
#: update fields the valid-body strategy leaves out: add_tags/remove_tags are not in the spec's
#: request (fidelity rule R-ADD-REMOVE-TAGS, "assumed"); their own test pins them
NOT_GENERATED = frozenset({"phone_numbers", "add_tags", "remove_tags"})
#: ids that must exist on the account: drawn from the inventory, never invented
ACCOUNT_IDS = ("connection_id", "billing_group_id")
#: forwards_to values safe to set on a real number: blank, and the spec's fictional example
FORWARDS_TO = ("", "+13035559123")

Json = dict[str, Any]
Strategy = st.SearchStrategy[Any]


class Inventory:
    """Numbers a target lets the suite use (read through ``GET /phone_numbers``).

    Not a dataclass on purpose: hypothesis pretty-prints dataclass arguments of a failing example
    field by field (hundreds of records), which its own size check turns into an error.
    """

    def __init__(
        self, numbers: tuple[Json, ...], tag: str | None = None, *, enable_emergency: bool = True
    ) -> None:
        self.numbers = numbers
        #: the tag filter-based requests pin (the sandbox tag on live)
        self.tag = tag
        #: valid emergency bodies may switch emergency services on (never on live)
        self.enable_emergency = enable_emergency

    def __repr__(self) -> str:
        return f"Inventory(<{len(self.numbers)} numbers>, tag={self.tag!r})"

    def _values(self, key: str) -> list[str]:
        return sorted({n[key] for n in self.numbers if isinstance(n.get(key), str) and n[key]})

    @property
    def connection_ids(self) -> list[str]:
        return self._values("connection_id")

    @property
    def billing_group_ids(self) -> list[str]:
        return self._values("billing_group_id")

    @property
    def emergency_address_ids(self) -> list[str]:
        return self._values("emergency_address_id")

    def record(self, item: str) -> Json:
        for n in self.numbers:
            if item in (n["id"], n["phone_number"]):
                return n
        raise KeyError(item)


class Spare:
    """Numbers a test may delete, handed out once each."""

    def __init__(self, numbers: list[dict[str, Any]]) -> None:
        self._numbers = numbers

    def take(self, count: int) -> list[dict[str, Any]]:
        if len(self._numbers) < count:
            raise AssertionError(f"expected {count} spare numbers to delete / received none left")
        taken, self._numbers = self._numbers[:count], self._numbers[count:]
        return taken


# -- schema walking ------------------------------------------------------------------------------
def _resolve(node: Json, root: Json) -> Json:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        return _resolve(target, root)
    return node


def _text(max_size: int = 12) -> st.SearchStrategy[str]:
    return st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1,
                   max_size=max_size)  # fmt: skip


def from_schema(
    node: Json,
    root: Json,
    path: tuple[str, ...] = (),
    overrides: dict[tuple[str, ...], Strategy] | None = None,
) -> Strategy:
    """A strategy for valid instances of a (simple) schema node: objects as partial objects."""
    overrides = overrides or {}
    if path in overrides:
        return overrides[path]
    node = _resolve(node, root)
    if "enum" in node:
        return st.sampled_from(node["enum"])
    kind = node.get("type")
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            return st.from_regex(pattern, fullmatch=True).filter(
                lambda s: len(s) <= node.get("maxLength", 64)
            )
        return _text(min(12, node.get("maxLength", 12)))
    if kind == "array":
        return st.lists(from_schema(node["items"], root, (*path, "[]"), overrides), max_size=3)
    if kind == "object":
        props: Json = node.get("properties", {})
        return st.fixed_dictionaries(
            {},
            optional={k: from_schema(v, root, (*path, k), overrides) for k, v in props.items()},
        )
    raise NotImplementedError(f"no strategy for schema node at {'/'.join(path)}: {node}")


def _cnam(root: Json) -> Strategy:
    """CNAM listing: details (pattern and maxLength from the schema) only with enabled=true."""
    details = _resolve(root["$defs"]["cnam_listing"], root)["properties"]["cnam_listing_details"]
    pattern = re.compile(details["pattern"])
    text = st.text(
        alphabet=string.ascii_letters + string.digits + " ", max_size=details["maxLength"]
    ).filter(lambda s: bool(pattern.fullmatch(s)))
    return st.one_of(
        st.fixed_dictionaries({}, optional={"cnam_listing_enabled": st.booleans()}),
        st.fixed_dictionaries(
            {"cnam_listing_enabled": st.just(True), "cnam_listing_details": text}
        ),
    )


def voice_settings() -> Strategy:
    """Partial voice settings, valid by ``voice_settings_request.schema.json`` and its rules."""
    root = schemas.document(VOICE_SCHEMA)
    overrides: dict[tuple[str, ...], Strategy] = {
        ("call_forwarding", "forwards_to"): st.sampled_from(FORWARDS_TO),
        ("cnam_listing",): _cnam(root),
        ("translated_number",): _text(10),
    }
    return from_schema(root, root, (), overrides)


def _has_leaf(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_leaf(v) for v in value.values())
    return True


def has_updateable_field(body: Json) -> bool:
    """At least one updateable field that sets something (an empty ``voice`` does not count)."""
    return any(k in body and _has_leaf(body[k]) for k in updateable_fields())


def updateable_fields() -> list[str]:
    props = schemas.document(UPDATE_SCHEMA)["properties"]
    return [k for k in props if k != "phone_numbers"]


# -- targets -------------------------------------------------------------------------------------
def targets(numbers: Sequence[Json], max_size: int = 4) -> st.SearchStrategy[list[str]]:
    """1..max_size numbers of the inventory (repeats allowed), all as E.164 or all as ids.

    Draws indices, not records: constant-size choices and short reprs for hypothesis.
    """
    if not numbers:
        raise ValueError("the target has no numbers to use")
    pairs = [(n["id"], n["phone_number"]) for n in numbers]
    return target_shapes(len(pairs), max_size).map(
        lambda shape: [pairs[i][shape[1]] for i in shape[0]]
    )


def target_shapes(pool: int, max_size: int = 4) -> st.SearchStrategy[tuple[list[int], int]]:
    """Indices into a pool of ``pool`` numbers (repeats allowed) and a form: 0 = id, 1 = E.164."""
    picks = st.lists(st.integers(0, pool - 1), min_size=1, max_size=max_size)
    return st.tuples(picks, st.sampled_from((0, 1)))


# -- bodies --------------------------------------------------------------------------------------
def update_fields(inventory: Inventory) -> st.SearchStrategy[Json]:
    """The updateable part of a valid update body (possibly empty)."""
    root = schemas.document(UPDATE_SCHEMA)
    tag = st.from_regex(r"[a-z][a-z0-9-]{0,11}", fullmatch=True)
    overrides: dict[tuple[str, ...], Strategy] = {
        ("tags",): st.lists(tag, max_size=3),
        ("external_pin",): st.from_regex(r"[0-9]{4,6}", fullmatch=True),
        ("voice",): voice_settings(),
    }
    choices = {"connection_id": inventory.connection_ids,
               "billing_group_id": inventory.billing_group_ids}  # fmt: skip
    optional: dict[str, Strategy] = {}
    for name, node in root["properties"].items():
        if name in NOT_GENERATED:
            continue
        if name in ACCOUNT_IDS:
            if choices[name]:
                optional[name] = st.sampled_from(choices[name])
            continue
        optional[name] = from_schema(node, root, (name,), overrides)
    return st.fixed_dictionaries({}, optional=optional)


def update_bodies(inventory: Inventory, max_targets: int = 4) -> st.SearchStrategy[Json]:
    """Valid ``update_phone_numbers`` bodies: inventory targets plus at least one field."""
    return (
        st.tuples(targets(inventory.numbers, max_targets), update_fields(inventory))
        .map(lambda t: {"phone_numbers": t[0], **t[1]})
        .filter(has_updateable_field)
    )


def emergency_bodies(inventory: Inventory, max_targets: int = 4) -> st.SearchStrategy[Json]:
    """Valid ``update_emergency_settings`` bodies: enabled with a known address, or disabled."""
    schema = schemas.document("update_emergency_settings_request.schema.json")
    assert schema["properties"]["emergency_enabled"]["type"] == "boolean"
    disabled = st.fixed_dictionaries(
        {"emergency_enabled": st.just(False)}, optional={"emergency_address_id": st.none()}
    )
    options = [disabled]
    if inventory.enable_emergency and inventory.emergency_address_ids:
        options.append(
            st.fixed_dictionaries(
                {
                    "emergency_enabled": st.just(True),
                    "emergency_address_id": st.sampled_from(inventory.emergency_address_ids),
                }
            )
        )
    return st.tuples(targets(inventory.numbers, max_targets), st.one_of(options)).map(
        lambda t: {"phone_numbers": t[0], **t[1]}
    )


def delete_body(shape: tuple[list[int], int], numbers: Sequence[Json]) -> Json:
    """A valid ``delete_phone_numbers`` body from a :func:`target_shapes` draw over ``numbers``
    (never sent to the live API). Deleting tests draw the shape and take fresh numbers."""
    key = ("id", "phone_number")[shape[1]]
    return {"phone_numbers": [numbers[i][key] for i in shape[0]]}
