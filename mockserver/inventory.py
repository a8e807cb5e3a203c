"""One tenant's phone numbers, with copy-on-write indexes: filters use indexes, not scans.

Number records are plain dicts in the world-file shape (``schemas/world.schema.json``). They are
treated as immutable: an update replaces the record. A tenant's inventory is a :meth:`fork` of a
shared template; forking copies one dict and shares every index set until it is written.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import compress, islice
from typing import Any

from mockserver.number_table import Base, NumberTable, RowCheck, id_key, paused_gc

Record = dict[str, Any]

#: single-valued fields indexed value -> ids (``None`` is a value: "has none")
INDEXED_FIELDS: tuple[str, ...] = (
    "status",
    "connection_id",
    "billing_group_id",
    "emergency_address_id",
    "customer_reference",
    "has_bundle",
    "phone_number_type",
    "country_iso_alpha2",
    "source_type",
)
TAG_INDEX = "tags"
PAYMENT_INDEX = "usage_payment_method"
#: the messaging products of a world file that names none (the default world's two)
DEFAULT_MESSAGING_PRODUCTS: tuple[dict[str, Any], ...] = (
    {"id": "P2P", "traffic_type": "P2P", "number_types": ["longcode"]},
    {"id": "A2P", "traffic_type": "A2P", "number_types": ["longcode", "tollfree"]},
)


def _index_values(record: Record, name: str) -> Iterable[Any]:
    if name == TAG_INDEX:
        tags: list[str] = record["tags"]
        return tags if tags else (None,)
    if name == PAYMENT_INDEX:
        return (record["voice"]["usage_payment_method"],)
    return (record[name],)


ALL_INDEXES: tuple[str, ...] = (*INDEXED_FIELDS, TAG_INDEX, PAYMENT_INDEX)
#: a handful of values each: built on first use (quick: one C-speed pass per value), so a big
#: world loads without them; the selective indexes above are built with the world
LAZY_INDEXES = frozenset(
    {"has_bundle", "phone_number_type", "country_iso_alpha2", "source_type", PAYMENT_INDEX}
)


def _column_sets(base: Base, name: str) -> dict[Any, set[str]]:
    """value -> ids for one index, from the compact rows (no record is built)."""
    ids, rows = base.ids, base.rows
    if not ids:
        return {}  # an empty world's rows have no fields to index
    if name == TAG_INDEX:
        col = base.fields.index("tags")
        by_tuple = _group(ids, [row[col] for row in rows])  # tag tuples are shared: few
        sets: dict[Any, set[str]] = {}
        for tags, members in by_tuple.items():
            for tag in tags or (None,):
                sets.setdefault(tag, set()).update(members)
        return sets
    if name == PAYMENT_INDEX:
        col = base.fields.index("voice")
        values = [row[col]["usage_payment_method"] for row in rows]
    else:
        col = base.fields.index(name)
        values = [row[col] for row in rows]
    return {value: set(members) for value, members in _group(ids, values).items()}


def _group(ids: list[str], values: list[Any]) -> dict[Any, list[str]]:
    """ids by value (lists first: cheaper than a set insertion per id). With very few distinct
    values, one C-speed ``compress`` pass per value over integer codes beats a Python loop."""
    distinct = set(values)
    if len(distinct) <= 4:
        code = {value: n for n, value in enumerate(distinct)}
        keys = list(map(code.__getitem__, values))
        return {v: list(compress(ids, map(n.__eq__, keys))) for v, n in code.items()}
    groups: dict[Any, list[str]] = {}
    for ident, value in zip(ids, values, strict=True):
        groups.setdefault(value, []).append(ident)
    return groups


class _Index:
    """value -> set of ids: the template's sets, shared and never written, plus this fork's own
    changes (ids added to and removed from each value), so a fork costs O(its changes)."""

    __slots__ = ("_added", "_base", "_merged", "_removed", "_source")

    def __init__(
        self,
        sets: dict[Any, set[str]] | None,
        source: Callable[[], dict[Any, set[str]]] | None = None,
    ) -> None:
        self._base = sets
        #: builds the template's sets on first use (``sets is None``): shared, never written
        self._source = source
        #: this fork's changes (empty until it writes: a fresh fork holds no dict at all)
        self._added: dict[Any, set[str]] = _NONE
        self._removed: dict[Any, set[str]] = _NONE
        #: merged sets of changed values, built when read, dropped when the value is written
        self._merged: dict[Any, set[str]] = _NONE

    @classmethod
    def lazy(cls, build: Callable[[], dict[Any, set[str]]]) -> _Index:
        """An index built on first use (by any fork), once per template."""
        cache: list[dict[Any, set[str]]] = []

        def source() -> dict[Any, set[str]]:
            if not cache:
                cache.append(build())
            return cache[0]

        return cls(None, source=source)

    @property
    def base(self) -> dict[Any, set[str]]:
        if self._base is None:
            assert self._source is not None
            self._base = self._source()
        return self._base

    @property
    def sets(self) -> dict[Any, set[str]]:
        """Every value's set (a full copy's worth of work: for tests and checks)."""
        values = [*self.base, *(v for v in self._added if v not in self.base)]
        return {value: self.get(value) for value in values}

    def fork(self) -> _Index:
        index = _Index(self._base, self._source)
        if self._added is not _NONE:
            index._added = {value: set(ids) for value, ids in self._added.items()}
            index._removed = {value: set(ids) for value, ids in self._removed.items()}
            index._merged = {}
        return index

    def _written(self, value: Any) -> None:
        if self._added is _NONE:  # the first write: the dicts of this fork's own
            self._added, self._removed, self._merged = {}, {}, {}
        else:
            self._merged.pop(value, None)

    def add(self, value: Any, ident: str) -> None:
        self._written(value)
        removed = self._removed.get(value)
        if removed is not None and ident in removed:
            removed.discard(ident)
            if not removed:
                del self._removed[value]
            return
        if ident not in self.base.get(value, ()):
            self._added.setdefault(value, set()).add(ident)

    def discard(self, value: Any, ident: str) -> None:
        self._written(value)
        added = self._added.get(value)
        if added is not None and ident in added:
            added.discard(ident)
            if not added:
                del self._added[value]
            return
        if ident in self.base.get(value, ()):
            self._removed.setdefault(value, set()).add(ident)

    def get(self, value: Any) -> set[str]:
        """The ids with ``value`` (read-only: the template's own set when this fork changed
        none of them)."""
        if value not in self._added and value not in self._removed:
            return self.base.get(value, _EMPTY)
        merged = self._merged.get(value)
        if merged is None:
            merged = set(self.base.get(value, ()))
            merged -= self._removed.get(value, _EMPTY)
            merged |= self._added.get(value, _EMPTY)
            self._merged[value] = merged
        return merged


_EMPTY: set[str] = set()  # never written: the answer for a value no number has
_NONE: dict[Any, set[str]] = {}  # never written: "no changes" (replaced by a dict on a write)


@dataclass
class NumberFilter:
    """A parsed number filter; every set criterion must hold (AND)."""

    tag: str | None = None
    status: frozenset[str] | None = None
    connection_ids: frozenset[str | None] | None = None  # from connection_id / connection name
    phone_number_digits: str | None = None  # "" = matches nothing
    usage_payment_method: str | None = None
    billing_group_id: tuple[str | None] | None = None  # (None,) = "has none"
    emergency_address_id: tuple[str | None] | None = None
    customer_reference: str | None = None
    has_bundle: bool | None = None
    country_iso_alpha2: frozenset[str] | None = None
    number_type: str | None = None
    source_type: str | None = None
    without_tags: bool = False
    extra: list[Callable[[Record], bool]] = field(default_factory=list)

    def is_empty(self) -> bool:
        return self == NumberFilter()


class Inventory:
    """Numbers by id and by E.164, the stable id order, and the indexes."""

    def __init__(
        self,
        numbers: NumberTable,
        indexes: dict[str, _Index],
        account: dict[str, Any],
    ) -> None:
        self.numbers = numbers
        self.indexes = indexes
        #: the account's other resources, from the world file: connections, billing groups,
        #: emergency addresses, messaging profiles
        self.account = account
        self.connections: dict[str, str] = {c["id"]: c["name"] for c in account["connections"]}
        self.billing_groups = {b["id"] for b in account["billing_groups"]}
        self.emergency_addresses = {a["id"] for a in account["emergency_addresses"]}
        #: the /phone_numbers family's parts of the account (optional in older world files)
        self.messaging_profiles: dict[str, dict[str, Any]] = {
            p["id"]: p for p in account.get("messaging_profiles", [])
        }
        self.messaging_products: dict[str, dict[str, Any]] = {
            p["id"]: p for p in account.get("messaging_products", DEFAULT_MESSAGING_PRODUCTS)
        }
        self.bundles = {b["id"] for b in account.get("bundles", [])}
        #: the list's sort orders over the shared rows (``number_order``): built on first use,
        #: shared by every fork (it never depends on a tenant's changes)
        self.sort_orders: dict[Any, Any] = {}

    @property
    def by_e164(self) -> dict[str, str]:
        """E.164 -> id of every number of the world (removed ones included: check ``numbers``);
        built on first use, shared by every fork."""
        return self.numbers.base.by_e164()

    @property
    def order(self) -> list[str]:
        """Every id of the world, in id order (removed ones included: check ``numbers``)."""
        return self.numbers.base.ids

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def from_world(cls, world: dict[str, Any]) -> Inventory:
        rest = {k: v for k, v in world.items() if k != "numbers"}
        return cls.from_records(rest, world["numbers"])

    @classmethod
    def from_records(
        cls, header: dict[str, Any], records: Iterable[Record], check: RowCheck | None = None
    ) -> Inventory:
        """Compact the numbers (see ``number_table``; ``check`` sees the rows before they are
        sorted) and index them, column by column."""
        base = Base.from_records(records, check)
        with paused_gc():
            indexes = {
                name: _Index.lazy(partial(_column_sets, base, name))
                if name in LAZY_INDEXES
                else _Index(_column_sets(base, name))
                for name in ALL_INDEXES
            }
        return cls(NumberTable(base), indexes, header)

    def fork(self) -> Inventory:
        """A tenant's own copy: O(its changes), whatever the world's size; the rows, the index
        sets and the world's other parts are the template's, shared and never written."""
        fork = copy.copy(self)  # the derived maps (connections, billing groups) shared too
        fork.numbers = self.numbers.fork()
        fork.indexes = {name: index.fork() for name, index in self.indexes.items()}
        return fork

    # -- reads ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.numbers)

    def get(self, ident: str) -> Record | None:
        record: Record | None = self.numbers.get(ident)
        return record

    def get_by_e164(self, e164: str) -> Record | None:
        ident = self.by_e164.get(e164)
        return self.get(ident) if ident is not None else None

    def connection_name(self, connection_id: str | None) -> str | None:
        return self.connections.get(connection_id) if connection_id is not None else None

    def campaign_id(self, profile_id: str | None) -> str | None:
        """The messaging campaign of a messaging profile (SDK ``messaging_campaign_id``)."""
        profile = self.messaging_profiles.get(profile_id) if profile_id is not None else None
        return profile.get("campaign_id") if profile is not None else None

    def connections_matching(self, op: str, value: str) -> frozenset[str]:
        """Connection ids whose name matches (``eq`` exact; the others case-insensitive)."""
        needle = value.casefold()
        tests: dict[str, Callable[[str], bool]] = {
            "eq": lambda name: name == value,
            "contains": lambda name: needle in name.casefold(),
            "starts_with": lambda name: name.casefold().startswith(needle),
            "ends_with": lambda name: name.casefold().endswith(needle),
        }
        test = tests[op]
        return frozenset(cid for cid, name in self.connections.items() if test(name))

    # -- writes ---------------------------------------------------------------------------------
    def replace(self, record: Record) -> None:
        """Store a new version of a number, keeping every index in step."""
        ident = record["id"]
        old = self.numbers[ident]
        indexes = self.indexes
        for name in INDEXED_FIELDS:  # single values: compare directly, touch only what changed
            before, after = old[name], record[name]
            if before is not after and (before != after or type(before) is not type(after)):
                indexes[name].discard(before, ident)
                indexes[name].add(after, ident)
        for name in (TAG_INDEX, PAYMENT_INDEX):
            was, now = set(_index_values(old, name)), set(_index_values(record, name))
            if was != now:
                for value in was - now:
                    indexes[name].discard(value, ident)
                for value in now - was:
                    indexes[name].add(value, ident)
        self.numbers[ident] = record

    def remove(self, ident: str) -> Record:
        old = self.numbers.pop(ident)
        for name, index in self.indexes.items():
            for value in _index_values(old, name):
                index.discard(value, ident)
        return old

    # -- filtering ------------------------------------------------------------------------------
    def candidates(self, f: NumberFilter) -> set[str] | None:
        """The ids of present numbers matching every indexed criterion (read-only; ``None``
        when the filter uses no index)."""
        return self._candidates(f)

    def _candidates(self, f: NumberFilter) -> set[str] | None:
        """The intersection of every index a filter can use; ``None`` if it can use none."""
        sets: list[set[str]] = []
        if f.tag is not None:
            sets.append(self.indexes[TAG_INDEX].get(f.tag))
        if f.without_tags:
            sets.append(self.indexes[TAG_INDEX].get(None))
        for name, values in (
            ("status", f.status),
            ("connection_id", f.connection_ids),
            ("billing_group_id", f.billing_group_id),
            ("emergency_address_id", f.emergency_address_id),
            ("country_iso_alpha2", f.country_iso_alpha2),
        ):
            if values is not None:
                parts = [self.indexes[name].get(v) for v in values]
                sets.append(parts[0] if len(parts) == 1 else set().union(*parts))
        for name, scalar in (
            ("customer_reference", f.customer_reference),
            ("has_bundle", f.has_bundle),
            ("phone_number_type", f.number_type),
            ("source_type", f.source_type),
            (PAYMENT_INDEX, f.usage_payment_method),
        ):
            if scalar is not None:
                sets.append(self.indexes[name].get(scalar))
        if not sets:
            return None
        sets.sort(key=len)  # read-only use: one set is returned as it is, never copied
        return sets[0] if len(sets) == 1 else sets[0].intersection(*sets[1:])

    def select(self, f: NumberFilter, among: Iterable[str] | None = None) -> Iterator[Record]:
        """Every number matching ``f`` (and, if given, whose id is ``among``), in id order."""
        for ident in self.select_ids(f, among):
            record = self.get(ident)
            if record is None:
                continue
            if f.extra and not all(test(record) for test in f.extra):
                continue
            yield record

    def first_targets(self, f: NumberFilter, limit: int) -> list[tuple[str, str]]:
        """``(id, phone_number)`` of the first ``limit`` matches, in id order. Without
        record-level tests no record is built (a filter job on a huge world stays cheap)."""
        if f.extra:
            return [(r["id"], r["phone_number"]) for r in islice(self.select(f), limit)]
        phone = self.numbers.phone_number
        return [(i, phone(i)) for i in islice(self.select_ids(f), limit)]

    def select_ids(self, f: NumberFilter, among: Iterable[str] | None = None) -> Iterator[str]:
        """Ids of present numbers matching every criterion but ``extra``, in id order."""
        if f.phone_number_digits == "":
            return
        candidates = self._candidates(f)
        if among is not None:
            candidates = set(among) if candidates is None else candidates & set(among)
        digits = f.phone_number_digits
        if candidates is None:
            ids: Iterable[str] = (i for i in self.order if i in self.numbers)
        elif len(candidates) * 16 < len(self.order):
            ids = sorted(candidates, key=id_key)
        else:
            ids = (i for i in self.order if i in candidates)
        numbers = self.numbers
        phone = numbers.phone_number
        for ident in ids:
            if ident not in numbers:
                continue
            if digits is not None and digits not in phone(ident):
                continue
            yield ident

    def count(self, f: NumberFilter) -> int:
        return sum(1 for _ in self.select(f))
