"""Pages of ``GET /phone_numbers`` in O(page): precomputed sort orders over the shared rows.

The list sorts every match (default: ``created_at`` newest first, ties by id; or a ``sort``
field, ascending or descending, ties in id order) and returns one page. Sorting a million
numbers per request costs seconds, so each order is computed once per template, on first use,
as positions into the shared rows, and shared by every tenant. A page walks that order from
the top, keeping the numbers the filter matches, until the page is full. A tenant's own changes
stay exact: a number whose sort key it changed is taken out of the walk and merged back in at
its new place (there are only as many as the tenant changed). A filter that matches few
numbers (or that must test records) sorts its matches directly, as before.

Either way the order, the page and the totals are exactly those of sorting every match with
Python's stable sort: the precomputed order is that sort over all numbers, and a stable sort
keeps the relative order of any subset.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Callable, Iterator
from functools import total_ordering
from itertools import islice
from typing import Any, Literal

from mockserver.inventory import Inventory, NumberFilter, Record
from mockserver.number_table import id_key

#: ``None``: the default order (created_at descending, ties by id descending)
Sort = tuple[str, bool] | None
Key = Callable[[Record], Any]


def record_key(inventory: Inventory, name: str | None) -> Key:
    """The sort key of a record, as the list has always sorted (with ``reverse=descending``)."""
    if name is None:
        return lambda r: (r["created_at"], r["id"])
    if name == "connection_name":
        return lambda r: inventory.connection_name(r["connection_id"]) or ""
    if name == "usage_payment_method":
        return lambda r: r["voice"]["usage_payment_method"]
    return lambda r: r[name]


def _row_keys(inventory: Inventory, name: str | None) -> list[Any]:
    """Every base row's sort key, in row (id) order, without building a record."""
    base = inventory.numbers.base
    rows, fields = base.rows, base.fields
    if name is None:
        col = fields.index("created_at")
        return [(row[col], ident) for row, ident in zip(rows, base.ids, strict=True)]
    if name == "connection_name":
        col = fields.index("connection_id")
        names = inventory.connections
        return [names.get(row[col], "") if row[col] is not None else "" for row in rows]
    if name == "usage_payment_method":
        col = fields.index("voice")
        return [row[col]["usage_payment_method"] for row in rows]
    col = fields.index(name)
    return [row[col] for row in rows]


def base_order(inventory: Inventory, sort: Sort) -> array[int]:
    """Row positions in list order, built once per template (shared by every fork)."""
    orders: dict[Sort, array[int]] = inventory.sort_orders
    found = orders.get(sort)
    if found is None:
        name, descending = sort if sort is not None else (None, True)
        keys = _row_keys(inventory, name)
        positions = sorted(range(len(keys)), key=keys.__getitem__, reverse=descending)
        found = orders[sort] = array("L", positions)
    return found


@total_ordering
class _Descending:
    """A key compared the other way round (to merge a descending order)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and bool(self.value == other.value)

    def __lt__(self, other: _Descending) -> bool:
        return bool(self.value > other.value)

    __hash__ = None  # type: ignore[assignment]


def _walk(inventory: Inventory, sort: Sort, keep: Callable[[str], bool]) -> Iterator[Record]:
    """Every present number ``keep`` accepts, in list order."""
    numbers = inventory.numbers
    base = numbers.base
    name, descending = sort if sort is not None else (None, True)
    key = record_key(inventory, name)
    over = numbers.changed()
    moved: dict[str, Record] = {}
    for ident, record in over.items():  # O(changes): numbers whose sort key this tenant moved
        if key(record) != key(base.record(base.pos[ident])):
            moved[ident] = record
    ids = base.ids
    get = numbers.get
    walked = (
        record
        for ident in map(ids.__getitem__, base_order(inventory, sort))
        if ident not in moved and keep(ident) and (record := get(ident)) is not None
    )
    if not moved:
        yield from walked
        return
    extra = [r for r in moved.values() if keep(r["id"])]

    def full(record: Record) -> Any:
        value = key(record)
        return (_Descending(value) if descending else value, id_key(record["id"]))

    extra.sort(key=full)
    yield from heapq.merge(walked, extra, key=full)


def list_page(
    inventory: Inventory, f: NumberFilter, sort: Sort, start: int, size: int
) -> tuple[list[Record], int]:
    """The records ``[start, start + size)`` of the list, and how many match in all."""
    candidates = (
        False if f.extra or f.phone_number_digits is not None else _candidates(inventory, f)
    )
    if candidates is False:  # a filter the indexes cannot answer alone: sort every match
        records = list(inventory.select(f))
        name, descending = sort if sort is not None else (None, True)
        records.sort(key=record_key(inventory, name), reverse=descending)
        return records[start : start + size], len(records)
    if candidates is None:
        total = len(inventory.numbers)
        keep: Callable[[str], bool] = _always
    else:
        total = len(candidates)
        keep = candidates.__contains__
    if start >= total:
        return [], total
    return list(islice(_walk(inventory, sort, keep), start, start + size)), total


def _always(ident: str) -> bool:
    return True


def _candidates(inventory: Inventory, f: NumberFilter) -> set[str] | Literal[False] | None:
    """The matches of an index-only filter (``None``: every number); ``False`` when too few to
    be worth a walk of the whole order (sorting them is cheaper) or when records must be read."""
    if f.is_empty():
        return None
    found = inventory.candidates(f)
    if found is None or len(found) * 16 < len(inventory.numbers.base.ids):
        return False
    return found
