"""Reading world files a number at a time (``number_table.stream_world``), and inventories
built from streamed worlds compared with parsed ones (split from test_number_table.py)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures.generate_world import generate_world
from mockserver import world
from mockserver.inventory import ALL_INDEXES, Inventory
from mockserver.number_table import Record, id_key, stream_world
from tests.number_table_support import JSON_VALUES, canon, write

# -- Base.from_records ----------------------------------------------------------------------------


# -- stream_world ---------------------------------------------------------------------------------
def header_of(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "numbers"}


def streamed(path: Path) -> tuple[dict[str, Any], list[Record]]:
    result = stream_world(path)
    assert result is not None
    header, numbers = result
    return header, list(numbers)


@pytest.mark.parametrize("count", [200, 1, 0])
def test_stream_matches_the_world(tmp_path: Path, count: int) -> None:
    data = generate_world(5, count)
    header, numbers = streamed(write(tmp_path / "w.json", data))
    assert canon(header) == canon(header_of(data))
    assert list(header) == list(header_of(data))
    assert canon(numbers) == canon(data["numbers"])


def test_inventory_of_an_empty_world(tmp_path: Path) -> None:
    inv = world.template(write(tmp_path / "empty.json", generate_world(5, 0)))
    assert len(inv) == 0
    assert inv.order == []


@given(
    st.dictionaries(st.text(max_size=5).filter(lambda k: k != "numbers"), JSON_VALUES,
                    max_size=4),
    st.lists(st.dictionaries(st.text(max_size=4), JSON_VALUES, max_size=4), max_size=6),
)  # fmt: skip
def test_stream_round_trips_any_json(
    tmp_path_factory: pytest.TempPathFactory, header: dict[str, Any], numbers: list[Record]
) -> None:
    path = write(tmp_path_factory.mktemp("any") / "w.json", {**header, "numbers": numbers})
    got_header, got_numbers = streamed(path)
    assert canon(got_header) == canon(header)
    assert canon(got_numbers) == canon(numbers)


@pytest.mark.parametrize("layout", ["indent", "one_line"])
def test_other_layouts_are_parsed_whole(tmp_path: Path, layout: str) -> None:
    data = generate_world(5, 200)
    other = tmp_path / f"{layout}.json"
    with other.open("w", encoding="utf-8") as out:
        json.dump(data, out, indent=2 if layout == "indent" else None)
    assert stream_world(other) is None
    inv = world.template(other)
    reference = world.template(write(tmp_path / "streamed.json", data))
    assert inv is not reference
    assert dict(inv.numbers) == dict(reference.numbers)
    assert canon(list(inv.numbers.values())) == canon(
        sorted(data["numbers"], key=lambda r: id_key(r["id"]))
    )
    assert inv.order == reference.order
    assert inv.account == reference.account == header_of(data)


def dumped_lines(tmp_path: Path) -> tuple[list[str], int]:
    """A 50-number world file's lines, and the index of its ``"numbers":[`` line."""
    text = write(tmp_path / "source.json", generate_world(5, 50)).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    return lines, lines.index('"numbers":[\n')


def replaced(lines: list[str], at: int, line: str) -> list[str]:
    return [*lines[:at], line, *lines[at + 1 :]]


BROKEN: dict[str, tuple[Callable[[list[str], int], list[str]], str | None]] = {
    "cut_after_a_line": (lambda ls, n: ls[: n + 20], "truncated"),
    "cut_mid_line": (lambda ls, n: [*ls[: n + 20], ls[n + 20][:40]], None),  # orjson's error
    "cut_after_the_bracket": (lambda ls, n: ls[: n + 1], "truncated"),
    "no_closing_brace": (lambda ls, n: ls[:-1], "truncated"),
    "no_closing_bracket": (lambda ls, n: [*ls[:-2], "}\n"], "not closed"),
    "object_after_brace": (lambda ls, n: [*ls, '{"seed":1}\n'], "after the numbers"),
    "brace_after_brace": (lambda ls, n: [*ls, "}\n"], "after the numbers"),
    "text_after_brace": (lambda ls, n: [*ls, "x"], "after the numbers"),
    "list_end_after_brace": (lambda ls, n: [*ls, "]\n}\n"], "after the numbers"),
    "list_line": (lambda ls, n: replaced(ls, n + 20, "[1,2],\n"), "must be an object"),
    "string_line": (lambda ls, n: replaced(ls, n + 20, '"text",\n'), "must be an object"),
    "int_line": (lambda ls, n: replaced(ls, n + 20, "42,\n"), "must be an object"),
    "null_line": (lambda ls, n: replaced(ls, n + 20, "null,\n"), "must be an object"),
    "bad_json_line": (lambda ls, n: replaced(ls, n + 20, "{,\n"), None),
}


@pytest.mark.parametrize("case", BROKEN)
def test_malformed_numbers_raise_when_read(tmp_path: Path, case: str) -> None:
    """Truncated, trailing content, a number that is not an object: the header still streams
    (the damage is further down); reading the numbers raises ValueError (orjson's included)."""
    edit, message = BROKEN[case]
    path = tmp_path / "broken.json"
    path.write_text("".join(edit(*dumped_lines(tmp_path))), encoding="utf-8")
    result = stream_world(path)
    assert result is not None
    with pytest.raises(ValueError, match=message):
        list(result[1])


def test_trailing_whitespace_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "spaced.json"
    path.write_text("".join([*dumped_lines(tmp_path)[0], "\n", "  \n"]), encoding="utf-8")
    assert canon(streamed(path)[1]) == canon(json.loads(path.read_text())["numbers"])


@pytest.mark.parametrize(
    "text",
    ["", "[]\n", '{"numbers":[]}\n', '{\n"seed":1\n}\n', '{\n"seed":\n1,\n"numbers":[\n]\n}\n'],
)
def test_not_the_generator_layout(tmp_path: Path, text: str) -> None:
    path = tmp_path / "other.json"
    path.write_text(text, encoding="utf-8")
    assert stream_world(path) is None


# -- Inventory: streamed vs parsed ----------------------------------------------------------------
def brute_indexes(numbers: list[Record]) -> dict[str, dict[Any, set[str]]]:
    """What every index must hold, computed from the records (independently of the module)."""
    out: dict[str, dict[Any, set[str]]] = {name: {} for name in ALL_INDEXES}
    for r, name in itertools.product(numbers, ALL_INDEXES):
        if name == "tags":
            values = r["tags"] or [None]
        else:
            values = [r["voice"][name] if name == "usage_payment_method" else r[name]]
        for value in values:
            out[name].setdefault(value, set()).add(r["id"])
    return out


def same_inventory(a: Inventory, b: Inventory) -> None:
    assert dict(a.numbers) == dict(b.numbers)
    assert canon(list(a.numbers.values())) == canon(list(b.numbers.values()))
    assert {n: i.sets for n, i in a.indexes.items()} == {n: i.sets for n, i in b.indexes.items()}
    assert a.order == b.order
    assert a.by_e164 == b.by_e164
    assert a.account == b.account


@pytest.mark.parametrize("source", ["default", "generated"])
def test_streamed_inventory_equals_parsed(tmp_path: Path, source: str) -> None:
    if source == "default":
        path, data = world.default_world_path(), world.load_world()
    else:
        data = generate_world(9, 200)
        path = write(tmp_path / "w.json", data)
    header, numbers = streamed(path)
    assert canon(header) == canon(header_of(data))
    assert canon(numbers) == canon(data["numbers"])
    from_stream = Inventory.from_records(header, iter(numbers))
    parsed = Inventory.from_world(data)
    same_inventory(from_stream, parsed)
    assert {n: i.sets for n, i in parsed.indexes.items()} == brute_indexes(data["numbers"])
    assert len(parsed.order) == len(data["numbers"])
    same_inventory(world.template(path), parsed)
