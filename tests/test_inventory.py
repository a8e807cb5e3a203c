"""mockserver.inventory: building from a world, copy-on-write forks, indexes and select()."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.inventory import ALL_INDEXES, Inventory, NumberFilter, Record

ROOT = Path(__file__).resolve().parents[1]
WORLD_PATH = ROOT / "fixtures" / "world.json"

Snapshot = dict[str, dict[Any, frozenset[str]]]


@cache
def world() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORLD_PATH.read_text(encoding="utf-8"))
    return data


@cache
def template() -> Inventory:
    """Built once; tests only ever fork it (and check that it never changes)."""
    return Inventory.from_world(copy.deepcopy(world()))


@cache
def template_fingerprint() -> tuple[str, Snapshot]:
    """The template's state right after construction, to compare against later."""
    return json.dumps(dict(template().numbers), sort_keys=True), brute_indexes(template())


def records() -> list[Record]:
    return list(world()["numbers"])


def values_of(name: str) -> list[Any]:
    """Every value a field takes in world.json, in a stable order."""
    seen: dict[Any, None] = {}
    for r in records():
        value = r["voice"]["usage_payment_method"] if name == "usage_payment_method" else r[name]
        seen[json.dumps(value)] = None
    return [json.loads(v) for v in seen]


def index_values(record: Record, name: str) -> list[Any]:
    """What an index must hold for a record, written independently of the module."""
    if name == "tags":
        return list(record["tags"]) or [None]
    if name == "usage_payment_method":
        return [record["voice"]["usage_payment_method"]]
    return [record[name]]


def brute_indexes(inv: Inventory) -> Snapshot:
    """The expected index contents of ``inv``, from its records alone (no empty sets)."""
    out: Snapshot = {}
    for name in ALL_INDEXES:
        sets: dict[Any, set[str]] = {}
        for ident, record in inv.numbers.items():
            for value in index_values(record, name):
                sets.setdefault(value, set()).add(ident)
        out[name] = {k: frozenset(v) for k, v in sets.items()}
    return out


def actual_indexes(inv: Inventory) -> Snapshot:
    """The index contents of ``inv`` as stored (empty sets dropped: they mean 'none')."""
    return {
        name: {k: frozenset(v) for k, v in inv.indexes[name].sets.items() if v}
        for name in ALL_INDEXES
    }


def assert_template_untouched() -> None:
    numbers_json, indexes = template_fingerprint()
    assert json.dumps(dict(template().numbers), sort_keys=True) == numbers_json
    assert actual_indexes(template()) == indexes
    assert len(template()) == len(world()["numbers"])


def id_key(ident: str) -> tuple[int, str]:
    return (len(ident), ident)


def changed(record: Record, **fields: Any) -> Record:
    """A new version of ``record`` (records are immutable: an update replaces them)."""
    new = copy.deepcopy(record)
    payment = fields.pop("usage_payment_method", None)
    new.update(fields)
    if payment is not None:
        new["voice"]["usage_payment_method"] = payment
    return new


def first(pred: Callable[[Record], bool]) -> Record:
    for r in sorted(records(), key=lambda r: id_key(r["id"])):
        if pred(r):
            return r
    raise AssertionError("world.json has no such record")


# --- construction ------------------------------------------------------------------------------


def test_from_world_holds_every_number_by_id_and_e164() -> None:
    inv = template()
    assert len(inv) == len(world()["numbers"]) >= 2500
    for r in records():
        assert inv.get(r["id"]) == r
        assert inv.get_by_e164(r["phone_number"]) == r
    assert inv.get("0") is None
    assert inv.get_by_e164("+10000000000") is None
    assert inv.get("1583466971586889004") is not None
    assert inv.get_by_e164("+13127367254") is not None


def test_from_world_indexes_equal_a_scan_of_the_records() -> None:
    inv = template()
    assert set(inv.indexes) == set(ALL_INDEXES)
    assert actual_indexes(inv) == brute_indexes(inv)
    # spot checks of the shapes the filters rely on
    assert len(inv.indexes["tags"].get("sales")) > 1000
    untagged = {r["id"] for r in records() if not r["tags"]}
    assert untagged
    assert inv.indexes["tags"].get(None) == untagged
    assert inv.indexes["has_bundle"].get(True) == {r["id"] for r in records() if r["has_bundle"]}
    assert inv.indexes["tags"].get("no-such-tag") == set()


def test_from_world_keeps_the_rest_of_the_world() -> None:
    inv = template()
    w = world()
    assert "numbers" not in inv.account
    assert set(inv.account) == set(w) - {"numbers"}
    assert inv.connections == {c["id"]: c["name"] for c in w["connections"]}
    assert inv.billing_groups == {b["id"] for b in w["billing_groups"]}
    assert inv.emergency_addresses == {a["id"] for a in w["emergency_addresses"]}
    assert inv.connection_name("1521916448077776306") == "test-connection-main"
    assert inv.connection_name(None) is None
    assert inv.connection_name("0") is None
    assert "62e4bf2e-c278-4282-b524-488d9c9c43b2" in inv.billing_groups
    assert {"9102160989215728032", "53829456729313"} <= inv.emergency_addresses


def test_stable_order_is_id_length_then_id() -> None:
    """Ids are numeric strings: the order is numeric, whatever the order of the file."""
    base = records()[0]
    ids = ["100", "9", "10", "1000", "11", "2", "99"]
    numbers = [changed(base, id=ident, phone_number=f"+1312555{int(ident):04d}") for ident in ids]
    small = {**copy.deepcopy(world()), "numbers": numbers}
    inv = Inventory.from_world(small)
    expected = ["2", "9", "10", "11", "99", "100", "1000"]
    assert inv.order == expected
    assert [r["id"] for r in inv.select(NumberFilter())] == expected
    # index-driven selects yield the same order, both via the sorted and the scanned path
    f = NumberFilter(status=frozenset({base["status"]}))
    assert [r["id"] for r in inv.select(f)] == expected


def test_template_order_is_sorted_and_complete() -> None:
    inv = template()
    assert inv.order == sorted((r["id"] for r in records()), key=id_key)
    assert [r["id"] for r in inv.select(NumberFilter())] == inv.order


def test_replace_keeps_a_number_in_its_place() -> None:
    inv = template().fork()
    victim = inv.order[len(inv.order) // 2]
    inv.replace(changed(inv.numbers[victim], customer_reference="moved?"))
    assert [r["id"] for r in inv.select(NumberFilter())] == template().order


# --- copy-on-write forks -----------------------------------------------------------------------


def test_fork_shares_index_sets_until_written() -> None:
    base = template()
    fork = base.fork()
    assert fork.numbers == base.numbers
    assert fork.numbers is not base.numbers
    for name in ALL_INDEXES:
        for value, ids in base.indexes[name].sets.items():
            assert fork.indexes[name].sets[value] is ids, (name, value)
    record = first(lambda r: r["status"] == "active")
    fork.replace(changed(record, status="deleted"))
    # written sets are the fork's own now; untouched ones are still shared
    assert fork.indexes["status"].sets["active"] is not base.indexes["status"].sets["active"]
    assert fork.indexes["status"].sets["ported-out"] is base.indexes["status"].sets["ported-out"]
    assert fork.indexes["tags"].sets["sales"] is base.indexes["tags"].sets["sales"]
    assert_template_untouched()


def test_replace_in_a_fork_changes_only_that_fork() -> None:
    record = first(lambda r: r["status"] == "active" and "sales" in r["tags"] and r["has_bundle"])
    a = template().fork()
    b = template().fork()
    new = changed(
        record,
        status="port-pending",
        tags=["brand-new"],
        has_bundle=False,
        connection_id=None,
        billing_group_id="62e4bf2e-c278-4282-b524-488d9c9c43b2",
        emergency_address_id="53829456729313",
        customer_reference="REF-NEW",
        phone_number_type="toll_free",
        country_iso_alpha2="GB",
        source_type="port_request",
        usage_payment_method="channel"
        if record["voice"]["usage_payment_method"] != "channel"
        else "pay-per-minute",
    )
    a.replace(new)
    ident = record["id"]
    assert a.get(ident) == new
    assert ident in a.indexes["status"].get("port-pending")
    assert ident not in a.indexes["status"].get("active")
    assert ident in a.indexes["tags"].get("brand-new")
    assert ident not in a.indexes["tags"].get("sales")
    assert ident in a.indexes["connection_id"].get(None)
    assert actual_indexes(a) == brute_indexes(a)
    # the sibling fork and the template never see it
    assert b.get(ident) == record
    assert template().get(ident) == record
    assert ident in b.indexes["status"].get("active")
    assert b.indexes["tags"].get("brand-new") == set()
    assert actual_indexes(b) == brute_indexes(b) == template_fingerprint()[1]
    assert_template_untouched()


def test_replace_to_untagged_and_back() -> None:
    tagged = first(lambda r: "sales" in r["tags"])
    untagged = first(lambda r: not r["tags"])
    inv = template().fork()
    inv.replace(changed(tagged, tags=[]))
    inv.replace(changed(untagged, tags=["sales", "vip"]))
    assert tagged["id"] in inv.indexes["tags"].get(None)
    assert untagged["id"] not in inv.indexes["tags"].get(None)
    assert untagged["id"] in inv.indexes["tags"].get("vip")
    assert actual_indexes(inv) == brute_indexes(inv)
    inv.replace(tagged)
    inv.replace(untagged)
    assert actual_indexes(inv) == template_fingerprint()[1]
    assert_template_untouched()


def test_remove_in_a_fork_changes_only_that_fork() -> None:
    record = first(lambda r: "sales" in r["tags"])
    a = template().fork()
    b = template().fork()
    assert a.remove(record["id"]) == record
    assert a.get(record["id"]) is None
    assert a.get_by_e164(record["phone_number"]) is None
    assert len(a) == len(template()) - 1
    assert actual_indexes(a) == brute_indexes(a)
    assert all(record["id"] not in ids for idx in a.indexes.values() for ids in idx.sets.values())
    assert record["id"] not in [r["id"] for r in a.select(NumberFilter())]
    assert record["id"] not in [r["id"] for r in a.select(NumberFilter(tag="sales"))]
    assert a.count(NumberFilter()) == len(template()) - 1
    assert b.get(record["id"]) == record
    assert b.get_by_e164(record["phone_number"]) == record
    assert record["id"] in b.indexes["tags"].get("sales")
    assert b.count(NumberFilter()) == len(template())
    assert_template_untouched()


def test_fork_of_a_fork_is_independent_of_its_parent() -> None:
    """Forking is a public operation on any inventory: a child must not see its parent's
    later writes, nor the parent the child's."""
    ids = [r["id"] for r in records() if r["status"] == "active"][:3]
    parent = template().fork()
    parent.replace(changed(parent.numbers[ids[0]], status="deleted"))  # parent owns both sets
    child = parent.fork()
    parent.replace(changed(parent.numbers[ids[1]], status="deleted"))
    child.replace(changed(child.numbers[ids[2]], tags=["child-only"]))
    assert ids[1] in parent.indexes["status"].get("deleted")
    assert ids[1] not in child.indexes["status"].get("deleted"), "parent write leaked into child"
    assert child.indexes["tags"].get("child-only") == {ids[2]}
    assert parent.indexes["tags"].get("child-only") == set()
    assert actual_indexes(child) == brute_indexes(child)
    assert actual_indexes(parent) == brute_indexes(parent)
    assert_template_untouched()


# --- property: random writes keep the indexes exact and the template untouched ------------------

FIELD_CHOICES: dict[str, list[Any]] = {
    name: values_of(name)
    for name in (
        "status",
        "connection_id",
        "billing_group_id",
        "emergency_address_id",
        "customer_reference",
        "has_bundle",
        "phone_number_type",
        "country_iso_alpha2",
        "source_type",
        "usage_payment_method",
    )
}
TAG_CHOICES = sorted({t for r in records() for t in r["tags"]} | {"fresh-tag"})
N = len(world()["numbers"])


@st.composite
def writes(draw: st.DrawFn) -> list[tuple[str, int, dict[str, Any]]]:
    ops: list[tuple[str, int, dict[str, Any]]] = []
    for _ in range(draw(st.integers(1, 12))):
        position = draw(st.integers(0, N - 1))
        if draw(st.integers(0, 4)) == 0:
            ops.append(("remove", position, {}))
            continue
        names = draw(st.lists(st.sampled_from(sorted(FIELD_CHOICES)), max_size=4, unique=True))
        fields = {n: draw(st.sampled_from(FIELD_CHOICES[n])) for n in names}
        if draw(st.booleans()):
            fields["tags"] = draw(st.lists(st.sampled_from(TAG_CHOICES), max_size=3, unique=True))
        ops.append(("replace", position, fields))
    return ops


@given(ops=writes())
def test_random_writes_keep_indexes_exact_and_never_touch_the_template(
    ops: list[tuple[str, int, dict[str, Any]]],
) -> None:
    a = template().fork()
    b = template().fork()
    for op, position, fields in ops:
        ident = template().order[position]
        if a.get(ident) is None:
            continue
        if op == "remove":
            a.remove(ident)
        else:
            a.replace(changed(a.numbers[ident], **fields))
    assert actual_indexes(a) == brute_indexes(a)
    assert actual_indexes(b) == template_fingerprint()[1]
    assert b.numbers == template().numbers
    assert_template_untouched()


# --- property: select() equals a brute-force scan ----------------------------------------------


def digits_of(e164: str) -> str:
    return e164[1:]


@st.composite
def number_filters(draw: st.DrawFn) -> NumberFilter:
    f = NumberFilter()
    pick = st.booleans
    if draw(pick()):
        f.tag = draw(st.sampled_from([*TAG_CHOICES, "no-such-tag"]))
    if draw(pick()):
        f.status = frozenset(draw(st.lists(st.sampled_from(FIELD_CHOICES["status"]), max_size=3)))
    if draw(pick()):
        f.connection_ids = frozenset(
            draw(st.lists(st.sampled_from(FIELD_CHOICES["connection_id"]), max_size=3))
        )
    if draw(pick()):
        source = draw(st.sampled_from(records()))["phone_number"][1:]
        start = draw(st.integers(0, len(source) - 3))
        length = draw(st.integers(3, len(source) - start))
        f.phone_number_digits = draw(
            st.sampled_from([source[start : start + length], "", "555", "000000000000"])
        )
    if draw(pick()):
        f.usage_payment_method = draw(st.sampled_from(FIELD_CHOICES["usage_payment_method"]))
    if draw(pick()):
        f.billing_group_id = (draw(st.sampled_from(FIELD_CHOICES["billing_group_id"])),)
    if draw(pick()):
        f.emergency_address_id = (draw(st.sampled_from(FIELD_CHOICES["emergency_address_id"])),)
    if draw(pick()):
        f.customer_reference = draw(
            st.sampled_from([v for v in FIELD_CHOICES["customer_reference"] if v is not None])
        )
    if draw(pick()):
        f.has_bundle = draw(st.booleans())
    if draw(pick()):
        f.country_iso_alpha2 = frozenset(
            draw(st.lists(st.sampled_from(FIELD_CHOICES["country_iso_alpha2"]), max_size=2))
        )
    if draw(pick()):
        f.number_type = draw(st.sampled_from(FIELD_CHOICES["phone_number_type"]))
    if draw(pick()):
        f.source_type = draw(st.sampled_from(FIELD_CHOICES["source_type"]))
    if draw(st.integers(0, 5)) == 0:
        f.without_tags = True
    if draw(st.integers(0, 4)) == 0:
        f.extra.append(lambda r: r["hd_voice_enabled"] is False)
    return f


def brute_match(f: NumberFilter, r: Record) -> bool:
    checks = [
        f.tag is None or f.tag in r["tags"],
        not f.without_tags or not r["tags"],
        f.status is None or r["status"] in f.status,
        f.connection_ids is None or r["connection_id"] in f.connection_ids,
        f.phone_number_digits is None
        or (f.phone_number_digits != "" and f.phone_number_digits in r["phone_number"]),
        f.usage_payment_method is None
        or r["voice"]["usage_payment_method"] == f.usage_payment_method,
        f.billing_group_id is None or r["billing_group_id"] in f.billing_group_id,
        f.emergency_address_id is None or r["emergency_address_id"] in f.emergency_address_id,
        f.customer_reference is None or r["customer_reference"] == f.customer_reference,
        f.has_bundle is None or r["has_bundle"] is f.has_bundle,
        f.country_iso_alpha2 is None or r["country_iso_alpha2"] in f.country_iso_alpha2,
        f.number_type is None or r["phone_number_type"] == f.number_type,
        f.source_type is None or r["source_type"] == f.source_type,
        all(test(r) for test in f.extra),
    ]
    return all(checks)


def brute_select(inv: Inventory, f: NumberFilter) -> list[str]:
    return sorted((i for i, r in inv.numbers.items() if brute_match(f, r)), key=id_key)


@given(f=number_filters())
def test_select_equals_a_brute_force_scan(f: NumberFilter) -> None:
    inv = template()
    got = [r["id"] for r in inv.select(f)]
    assert got == brute_select(inv, f)
    assert inv.count(f) == len(got)


@given(f=number_filters(), ops=writes())
def test_select_on_a_written_fork_equals_a_brute_force_scan(
    f: NumberFilter, ops: list[tuple[str, int, dict[str, Any]]]
) -> None:
    inv = template().fork()
    for op, position, fields in ops:
        ident = template().order[position]
        if inv.get(ident) is None:
            continue
        if op == "remove":
            inv.remove(ident)
        else:
            inv.replace(changed(inv.numbers[ident], **fields))
    got = [r["id"] for r in inv.select(f)]
    assert got == brute_select(inv, f)
    assert [r["id"] for r in template().select(f)] == brute_select(template(), f)


@pytest.mark.parametrize(
    ("f", "expected_nonempty"),
    [
        (NumberFilter(tag="sales"), True),
        (NumberFilter(without_tags=True), True),
        (NumberFilter(status=frozenset()), False),  # an empty set of statuses matches nothing
        (NumberFilter(connection_ids=frozenset({None})), True),  # "has no connection"
        (NumberFilter(billing_group_id=(None,)), True),
        (NumberFilter(phone_number_digits=""), False),  # "" matches nothing by definition
        (NumberFilter(phone_number_digits="3127367254"), True),
        (NumberFilter(tag="sales", without_tags=True), False),
        (NumberFilter(has_bundle=False, number_type="toll_free"), True),
        (NumberFilter(customer_reference="REF-NONE-SUCH"), False),
    ],
)
def test_select_edge_filters(f: NumberFilter, expected_nonempty: bool) -> None:
    got = [r["id"] for r in template().select(f)]
    assert got == brute_select(template(), f)
    assert bool(got) is expected_nonempty


def test_empty_filter_is_empty_and_others_are_not() -> None:
    assert NumberFilter().is_empty()
    assert not NumberFilter(tag="sales").is_empty()
    assert not NumberFilter(without_tags=True).is_empty()
    assert not NumberFilter(has_bundle=False).is_empty()
    assert not NumberFilter(phone_number_digits="").is_empty()


# --- connections_matching ----------------------------------------------------------------------


@pytest.mark.rule("R-FILTER-KEYS")
@pytest.mark.parametrize(
    ("op", "value", "names"),
    [
        ("eq", "test-connection", {"test-connection"}),
        ("eq", "Test-Connection", set()),  # eq is exact, case included
        ("eq", "test-connection-mai", set()),
        ("eq", "Main Office PBX", {"Main Office PBX"}),
        ("eq", "main office pbx", set()),
        ("contains", "OFFICE", {"Main Office PBX", "Branch Office PBX", "office-fax-gateway"}),
        ("contains", "test-connection", {"test-connection", "test-connection-main"}),
        ("starts_with", "MAIN", {"Main Office PBX"}),
        ("starts_with", "sip-TRUNK", {"sip-trunk-east", "sip-trunk-west"}),
        ("ends_with", "pbx", {"Main Office PBX", "Branch Office PBX"}),
        ("ends_with", "-PROD", {"voice-api-prod"}),
        ("contains", "no such connection", set()),
    ],
)
def test_connections_matching_case_rules(op: str, value: str, names: set[str]) -> None:
    inv = template()
    got = inv.connections_matching(op, value)
    assert isinstance(got, frozenset)
    assert {inv.connections[c] for c in got} == names


NAME_ALPHABET = st.sampled_from(sorted({ch for c in world()["connections"] for ch in c["name"]}))


@pytest.mark.rule("R-FILTER-KEYS")
@given(
    op=st.sampled_from(["eq", "contains", "starts_with", "ends_with"]),
    value=st.one_of(
        st.sampled_from([c["name"] for c in world()["connections"]]),
        st.text(NAME_ALPHABET, min_size=1, max_size=6),
    ),
    swap=st.booleans(),
)
def test_connections_matching_equals_a_brute_force_scan(op: str, value: str, swap: bool) -> None:
    if swap:
        value = value.swapcase()
    inv = template()
    tests: dict[str, Callable[[str], bool]] = {
        "eq": lambda name: name == value,
        "contains": lambda name: value.lower() in name.lower(),
        "starts_with": lambda name: name.lower().startswith(value.lower()),
        "ends_with": lambda name: name.lower().endswith(value.lower()),
    }
    expected = {c["id"] for c in world()["connections"] if tests[op](c["name"])}
    assert inv.connections_matching(op, value) == expected


@pytest.mark.parametrize(
    "f",
    [NumberFilter(), NumberFilter(tag="sales"), NumberFilter(status=frozenset({"active"}))],
    ids=["no-criteria", "indexed", "other-index"],
)
def test_select_among_equals_select_then_keep_the_listed(f: NumberFilter) -> None:
    inv = template()
    listed = [r["id"] for r in records()[::7]] + ["0000000000000000000"]  # plus an unknown id
    expected = [r["id"] for r in inv.select(f) if r["id"] in set(listed)]
    assert [r["id"] for r in inv.select(f, among=listed)] == expected
    assert expected  # the case is not vacuous


def test_lazy_indexes_stay_exact_when_a_fork_writes_before_any_build() -> None:
    """The low-cardinality indexes are built on first use. A fork that changes and removes
    numbers before anything built them still ends with exact indexes, and so does a sibling."""
    from mockserver.inventory import LAZY_INDEXES, PAYMENT_INDEX

    base = Inventory.from_world(world())  # a private template: nothing built yet
    assert all(base.indexes[name]._base is None for name in LAZY_INDEXES)
    fork, sibling = base.fork(), base.fork()
    first, second = fork.order[0], fork.order[1]
    fork.replace(changed(fork.numbers[first], usage_payment_method="channel", has_bundle=True))
    fork.remove(second)
    assert actual_indexes(fork) == brute_indexes(fork)
    assert actual_indexes(sibling) == brute_indexes(sibling)
    assert actual_indexes(base) == brute_indexes(base)
    assert first in fork.indexes[PAYMENT_INDEX].get("channel")
    assert second not in fork.indexes["has_bundle"].get(fork.numbers.base.record(1)["has_bundle"])


def test_e164_map_is_built_on_first_use_and_shared_by_forks() -> None:
    base = Inventory.from_world(world())
    fork = base.fork()
    assert base.numbers.base._e164 is None
    assert fork.get_by_e164("+13127367254") is not None
    assert base.by_e164 is fork.by_e164
