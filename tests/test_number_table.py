"""mockserver.number_table: compact rows (Base), per-tenant overlays (NumberTable), stream_world;
and Inventory built from a streamed world against one built from the parsed world."""

from __future__ import annotations

import copy
import gc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver import world
from mockserver.number_table import Base, NumberTable, Record, id_key
from tests.number_table_support import (
    JSON_VALUES,
    canon,
    rec,
    records_of,
    small_world,
)


# -- Base.from_records ----------------------------------------------------------------------------
@pytest.mark.parametrize("source", ["default", "generated"])
def test_records_round_trip_every_field(source: str) -> None:
    data = world.load_world() if source == "default" else small_world()
    before = canon(data["numbers"])
    expected = sorted(copy.deepcopy(data["numbers"]), key=lambda r: id_key(r["id"]))
    base = Base.from_records(data["numbers"])
    got = records_of(base)
    assert base.ids == [r["id"] for r in expected]
    assert all(type(r) is dict and type(r["tags"]) is list for r in got)
    assert got == expected
    assert [canon(r) for r in got] == [canon(r) for r in expected]
    assert canon(data["numbers"]) == before  # the input is left alone


def test_any_input_order_comes_out_in_id_order() -> None:
    ids = ["10", "9", "100", "2", "1000", "11", "1"]
    base = Base.from_records(rec(i) for i in ids)  # a generator, as streaming gives
    assert base.ids == ["1", "2", "9", "10", "11", "100", "1000"]
    assert [base.record(i)["phone_number"] for i in range(7)] == [f"+1555{i}" for i in base.ids]
    assert base.pos == {ident: i for i, ident in enumerate(base.ids)}


def test_empty_input() -> None:
    table = NumberTable(Base.from_records([]))
    assert len(table) == 0
    assert list(table) == []
    assert table.get("1") is None
    assert "1" not in table


@pytest.mark.parametrize(
    "second",
    [
        {k: v for k, v in rec("2").items() if k != "has_bundle"},  # a field missing
        rec("2", extra=None),  # a field more
        {("has_bundle2" if k == "has_bundle" else k): v for k, v in rec("2").items()},  # renamed
    ],
    ids=["missing", "extra", "renamed"],
)
def test_differing_fields_are_refused(second: Record) -> None:
    with pytest.raises(ValueError, match="same fields"):
        Base.from_records([rec("1"), second])


def test_same_fields_in_another_order_are_accepted() -> None:
    second = dict(reversed(list(rec("2", status="deleted").items())))
    base = Base.from_records([rec("1"), second])
    assert base.record(1) == rec("2", status="deleted")
    assert base.record(0) == rec("1")


def test_gc_state_is_restored() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError, match="same fields"):
        Base.from_records([rec("1"), {"id": "2"}])
    assert gc.isenabled()
    gc.disable()
    try:
        Base.from_records([rec("1")])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_repeated_values_are_shared() -> None:
    status_a, status_b = "".join(["act", "ive"]), "".join(["acti", "ve"])
    assert status_a is not status_b
    voice = {"x": {"y": [1, 2]}, "z": "w"}
    first = rec("1", status=status_a, voice=voice, tags=["p", "q"])
    second = rec("2", status=status_b, voice=copy.deepcopy(voice), tags=["p", "q"])
    other = rec("3", voice={"x": {"y": [1, 3]}, "z": "w"}, tags=["p"])
    base = Base.from_records([first, second, other])
    col = {name: base.fields.index(name) for name in ("status", "voice", "tags")}
    row1, row2, row3 = base.rows
    for name in col:
        assert row1[col[name]] is row2[col[name]], name
    assert row3[col["voice"]] is not row1[col["voice"]]
    assert row3[col["tags"]] == ("p",)
    # records built from the base share their voice (documented), never their tags list
    one, two = base.record(0), base.record(1)
    assert one["voice"] is two["voice"]
    assert one["tags"] is not two["tags"]
    assert one["tags"] == two["tags"] == ["p", "q"]


def test_generated_world_shares_voices_and_tags() -> None:
    base = Base.from_records(small_world()["numbers"])
    v, t = base.fields.index("voice"), base.fields.index("tags")
    voices = {id(row[v]) for row in base.rows}
    distinct = {canon(row[v]) for row in base.rows}
    assert len(voices) == len(distinct) < len(base.rows)  # one object per distinct voice
    assert len({id(row[t]) for row in base.rows}) == len({row[t] for row in base.rows})


def test_bool_and_int_are_never_conflated() -> None:
    base = Base.from_records([
        rec("1", has_bundle=True, customer_reference=1, voice={"a": True}),
        rec("2", has_bundle=1, customer_reference=True, voice={"a": 1}),
        rec("3", has_bundle=1.0, customer_reference=False, voice={"a": 1.0}),
        rec("4", has_bundle=0, customer_reference=0, voice={"a": False}),
    ])  # fmt: skip
    got = [(r["has_bundle"], r["customer_reference"], r["voice"]["a"]) for r in records_of(base)]
    assert canon(got) == canon([(True, 1, True), (1, True, 1), (1.0, False, 1.0), (0, 0, False)])


SMALL = st.sampled_from([None, True, False, 0, 1, 1.0, "", "a", "1"])


@st.composite
def record_lists(draw: st.DrawFn) -> list[Record]:
    ids = draw(st.lists(st.integers(1, 10**12), min_size=1, max_size=12, unique=True))
    return [
        {
            "id": str(ident),
            "phone_number": f"+{ident}",
            "status": draw(SMALL),
            "tags": draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=3)),
            "voice": draw(st.sampled_from([{"a": True}, {"a": 1}, {"a": 1.0}]) | JSON_VALUES),
            "extra": draw(JSON_VALUES),
        }
        for ident in ids
    ]


@given(record_lists())
def test_round_trip_is_type_exact(records: list[Record]) -> None:
    expected = sorted(copy.deepcopy(records), key=lambda r: id_key(r["id"]))
    base = Base.from_records(records)
    assert base.ids == [r["id"] for r in expected]
    assert [canon(r) for r in records_of(base)] == [canon(r) for r in expected]


# -- NumberTable ----------------------------------------------------------------------------------
IDS = ["3", "12", "7", "100", "5", "41"]
ORDERED = sorted(IDS, key=id_key)


def make_table() -> NumberTable:
    return NumberTable(Base.from_records(rec(i, customer_reference=f"ref{i}") for i in IDS))


def test_reads() -> None:
    table = make_table()
    assert len(table) == 6
    assert list(table) == ORDERED == ["3", "5", "7", "12", "41", "100"]
    assert [k for k, _ in table.items()] == ORDERED
    assert all(v == rec(k, customer_reference=f"ref{k}") for k, v in table.items())
    assert table["12"] == table.get("12") == rec("12", customer_reference="ref12")
    assert "12" in table
    assert "13" not in table
    assert table.get("13") is None
    assert table.get("13", "none") == "none"
    with pytest.raises(KeyError):
        table["13"]


def test_setitem_replaces_only_existing_ids() -> None:
    table = make_table()
    table["7"] = rec("7", status="deleted")
    assert table["7"] == rec("7", status="deleted")
    assert table.get("7") == rec("7", status="deleted")
    with pytest.raises(KeyError):
        table["8"] = rec("8")
    assert "8" not in table
    assert list(table) == ORDERED
    assert len(table) == 6


def test_pop() -> None:
    table = make_table()
    table["7"] = rec("7", status="deleted")
    assert table.pop("7") == rec("7", status="deleted")  # the replaced version
    assert table.pop("41") == rec("41", customer_reference="ref41")
    assert table.get("7") is None
    assert "7" not in table
    assert len(table) == 4
    assert list(table) == ["3", "5", "12", "100"]
    assert dict(table.items()).keys() == {"3", "5", "12", "100"}
    with pytest.raises(KeyError):
        table.pop("7")
    with pytest.raises(KeyError):
        table["7"] = rec("7")  # removed numbers stay removed
    assert len(table) == 4


def test_fork_isolation() -> None:
    parent = make_table()
    child = parent.fork()
    child["3"] = rec("3", status="child")
    child.pop("5")
    parent["12"] = rec("12", status="parent")
    parent.pop("100")
    assert parent["3"] == rec("3", customer_reference="ref3")
    assert "5" in parent
    assert child["12"] == rec("12", customer_reference="ref12")
    assert "100" in child
    grandchild = child.fork()
    grandchild["12"] = rec("12", status="grandchild")
    grandchild.pop("3")
    assert child["3"] == rec("3", status="child")
    assert child["12"] == rec("12", customer_reference="ref12")
    assert grandchild.get("5") is None  # inherited removal
    assert (len(parent), len(child), len(grandchild)) == (5, 5, 4)
    assert list(grandchild) == ["7", "12", "41", "100"]


def test_base_is_never_written() -> None:
    table = make_table()
    base = table.base
    rows, ids, pos = base.rows, base.ids, base.pos
    row_objects, snapshot = list(rows), canon([list(r) for r in rows])
    copies = (list(ids), dict(pos))
    fork = table.fork()
    for t in (table, fork):
        t["3"] = rec("3", status="x")
        t.pop("100")
        t.get("7")["status"] = "mutated"
    assert fork.base is table.base is base
    assert base.rows is rows
    assert base.ids is ids
    assert base.pos is pos
    assert all(a is b for a, b in zip(base.rows, row_objects, strict=True))
    assert canon([list(r) for r in base.rows]) == snapshot
    assert (base.ids, base.pos) == copies


def test_base_records_are_fresh_dicts() -> None:
    table = make_table()
    got = table["7"]
    got["status"] = "changed"
    got["tags"].append("z")
    del got["phone_number"]
    assert table["7"] == rec("7", customer_reference="ref7")
    assert table["7"] is not table["7"]


OPS = st.lists(
    st.tuples(st.sampled_from(["fork", "set", "pop"]), st.integers(0, 7),
              st.sampled_from([*IDS, "8", "1000"]), st.text(max_size=3)),
    max_size=30,
)  # fmt: skip


@given(OPS)
def test_tables_follow_a_dict_model(ops: list[tuple[str, int, str, str]]) -> None:
    tables = [make_table()]
    models = [{k: rec(k, customer_reference=f"ref{k}") for k in IDS}]
    snapshot = canon([list(r) for r in tables[0].base.rows])
    for op, which, ident, value in ops:
        table, model = tables[which % len(tables)], models[which % len(tables)]
        if op == "fork":
            tables.append(table.fork())
            models.append(dict(model))
        elif op == "set" and ident in model:
            model[ident] = table[ident] = rec(ident, status=value)
        elif op == "set":
            with pytest.raises(KeyError):
                table[ident] = rec(ident, status=value)
        elif ident in model:
            assert table.pop(ident) == model.pop(ident)
        else:
            with pytest.raises(KeyError):
                table.pop(ident)
        for t, m in zip(tables, models, strict=True):
            assert list(t) == sorted(m, key=id_key)
            assert len(t) == len(m)
            assert dict(t.items()) == m
            assert all((i in t) == (i in m) and t.get(i) == m.get(i) for i in [*IDS, "8"])
    assert canon([list(r) for r in tables[0].base.rows]) == snapshot
