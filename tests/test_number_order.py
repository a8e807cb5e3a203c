"""``mockserver.number_order``: pages of the number list from precomputed orders are exactly
the pages of sorting every match (order, page and totals), with a tenant's own changes."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.inventory import Inventory, NumberFilter, Record
from mockserver.number_order import list_page, record_key
from mockserver.world import template

SORTS: list[tuple[str, bool] | None] = [
    None,
    *[(name, desc) for name in ("purchased_at", "phone_number", "connection_name",
                                "usage_payment_method") for desc in (False, True)],
]  # fmt: skip
BASE = template()
CONNECTIONS = [None, *sorted(BASE.connections)]
TAGS = sorted({t for i in BASE.order[:400] for t in BASE.numbers[i]["tags"]})


def brute(inv: Inventory, f: NumberFilter, sort: tuple[str, bool] | None) -> list[str]:
    """The list as it was always computed: every match, one stable sort."""
    records = list(inv.select(f))
    name, descending = sort if sort is not None else (None, True)
    records.sort(key=record_key(inv, name), reverse=descending)
    return [r["id"] for r in records]


def changed(record: Record, connection: str | None, method: str) -> Record:
    voice = dict(record["voice"], usage_payment_method=method)
    return dict(record, connection_id=connection, voice=voice, tags=[*record["tags"], "moved"])


filters = st.one_of(
    st.just(NumberFilter()),
    st.builds(lambda t: NumberFilter(tag=t), st.sampled_from([*TAGS, "moved"])),
    st.builds(
        lambda s: NumberFilter(status=frozenset({s})), st.sampled_from(["active", "deleted"])
    ),
    st.builds(lambda c: NumberFilter(connection_ids=frozenset({c})), st.sampled_from(CONNECTIONS)),
    st.just(NumberFilter(phone_number_digits="31")),
)
changes = st.lists(
    st.tuples(
        st.integers(0, len(BASE.order) - 1),
        st.sampled_from(["replace", "remove"]),
        st.sampled_from(CONNECTIONS),
        st.sampled_from(["pay-per-minute", "channel"]),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(changes, filters, st.sampled_from(SORTS), st.integers(1, 3), st.sampled_from([1, 7, 250]))
def test_a_page_is_the_page_of_the_full_sort(
    edits: list[tuple[int, str, Any, str]],
    f: NumberFilter,
    sort: tuple[str, bool] | None,
    number: int,
    size: int,
) -> None:
    inv = BASE.fork()
    for position, what, connection, method in edits:
        ident = inv.order[position]
        if ident not in inv.numbers:
            continue
        if what == "remove":
            inv.remove(ident)
        else:
            inv.replace(changed(inv.numbers[ident], connection, method))
    expected = brute(inv, f, sort)
    start = (number - 1) * size
    shown, total = list_page(inv, f, sort, start, size)
    assert total == len(expected)
    assert [r["id"] for r in shown] == expected[start : start + size]
    assert all(r == inv.numbers[r["id"]] for r in shown)  # the tenant's own records


def test_every_order_of_the_whole_list() -> None:
    inv = BASE.fork()
    for sort in SORTS:
        shown, total = list_page(inv, NumberFilter(), sort, 0, len(BASE.order))
        assert [r["id"] for r in shown] == brute(inv, NumberFilter(), sort)
        assert total == len(BASE.order)


def test_orders_are_built_once_and_shared_by_forks() -> None:
    a, b = BASE.fork(), BASE.fork()
    list_page(a, NumberFilter(), ("phone_number", False), 0, 1)
    assert a.sort_orders is b.sort_orders is BASE.sort_orders
    assert ("phone_number", False) in b.sort_orders


def test_a_page_beyond_the_end_is_empty_with_the_totals() -> None:
    shown, total = list_page(BASE.fork(), NumberFilter(), None, 10_000, 20)
    assert (shown, total) == ([], len(BASE.order))
