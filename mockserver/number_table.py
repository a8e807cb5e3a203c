"""Number records stored compactly: a shared, immutable base of rows plus a per-tenant overlay.

A world's numbers are kept as one tuple per number (fields in a fixed order, repeated values
shared: the same status string, tag tuple, voice settings object), in id order. A record dict is
built only when asked for. Each tenant's :class:`NumberTable` is that base plus its own overlay
of replaced and removed records, so forking a tenant is O(1) whatever the world's size, and a
million-number world fits in a fraction of the memory its dicts would take.

Records are immutable by convention (an update replaces the record; nested objects may be
shared), so records built from the base share their ``voice`` object.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any

import orjson

Record = dict[str, Any]
RowCheck = Callable[[tuple[str, ...], list[tuple[Any, ...]]], None]


class RecordError(ValueError):
    """A number record that cannot be stored; ``index``: its place among the records."""

    def __init__(self, index: int, record: Any, message: str) -> None:
        super().__init__(f"number {index}: {message}")
        self.index = index
        self.record = record


def id_key(ident: str) -> tuple[int, str]:
    """Numeric order of decimal ids without converting them."""
    return len(ident), ident


class Base:
    """Immutable rows in id order: ``ids[i]`` has ``rows[i]``; fields as ``fields`` says."""

    __slots__ = ("_e164", "_tags", "fields", "ids", "phone_col", "pos", "rows")

    def __init__(self, fields: tuple[str, ...], ids: list[str], rows: list[tuple[Any, ...]]):
        self.fields = fields
        self.ids = ids
        self.rows = rows
        self.pos: dict[str, int] = {ident: i for i, ident in enumerate(ids)}
        self._tags = fields.index("tags")
        self.phone_col = fields.index("phone_number")
        self._e164: dict[str, str] | None = None

    def by_e164(self) -> dict[str, str]:
        """E.164 -> id, built on first use (a big world loads without it)."""
        if self._e164 is None:
            col = self.phone_col
            self._e164 = dict(zip((r[col] for r in self.rows), self.ids, strict=True))
        return self._e164

    @classmethod
    def from_records(cls, records: Iterable[Record], check: RowCheck | None = None) -> Base:
        """Compact records (any order); repeated values are shared, not copied. ``check`` sees
        the fields and the rows in the records' order before they are sorted (and may raise)."""
        with paused_gc():
            return cls._build(iter(records), check)

    @classmethod
    def _build(cls, records: Iterator[Record], check: RowCheck | None) -> Base:
        first = next(records, None)
        if first is None:
            return cls(_DEFAULT_FIELDS, [], [])
        fields = tuple(first)
        id_col, voice_col, tags_col = (
            fields.index("id"),
            fields.index("voice"),
            fields.index("tags"),
        )
        shared = [
            i for i, name in enumerate(fields)
            if name not in _UNIQUE and name not in ("voice", "tags")
        ]  # fmt: skip
        memo: dict[Any, Any] = {}  # str values only: equal strings become one object
        voices: dict[bytes, Any] = {}
        canonical: dict[int, Any] = {}
        tag_tuples: dict[tuple[str, ...], tuple[str, ...]] = {}
        ids: list[str] = []
        rows: list[tuple[Any, ...]] = []
        dumps, sort_keys = orjson.dumps, orjson.OPT_SORT_KEYS
        for record in chain([first], records):
            if tuple(record) != fields:
                if record.keys() != set(fields):
                    raise RecordError(len(ids), record, "every number must have the same fields")
                record = {f: record[f] for f in fields}
            values = list(record.values())
            for col in shared:
                value = values[col]
                if value.__class__ is str:
                    values[col] = memo.setdefault(value, value)
            voice = values[voice_col]
            known = canonical.get(id(voice))  # the reader already shares voices: skip dumps
            if known is None:
                known = voices.setdefault(dumps(voice, option=sort_keys), voice)
                if known is voice:  # kept alive by ``voices``: its id stays its own
                    canonical[id(voice)] = voice
            values[voice_col] = known
            if values[tags_col].__class__ not in (list, tuple):
                raise RecordError(len(ids), record, "tags must be a list")
            tags = tuple(values[tags_col])
            try:
                values[tags_col] = tag_tuples.setdefault(tags, tags)
            except TypeError:  # an unhashable tag: the check reports it
                values[tags_col] = tags
            ids.append(values[id_col])
            rows.append(tuple(values))
        if check is not None:
            check(fields, rows)
        # ids are unique, so the sort never compares rows
        ordered = sorted(zip(map(len, ids), ids, rows, strict=True))
        return cls(fields, [i for _, i, _ in ordered], [r for _, _, r in ordered])

    def record(self, index: int) -> Record:
        record = dict(zip(self.fields, self.rows[index], strict=True))
        record["tags"] = list(self.rows[index][self._tags])
        return record


#: per-number values (sharing them would only grow the memo)
_UNIQUE = frozenset(
    {"id", "phone_number", "created_at", "updated_at", "purchased_at", "activated_at"}
)
_DEFAULT_FIELDS = ("id", "phone_number", "tags", "voice")


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic collections while building millions of acyclic containers (they would only
    cost time); the collector's previous state afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class NumberTable(Mapping[str, Record]):
    """A tenant's numbers: the shared base, then this tenant's replaced and removed records."""

    __slots__ = ("_gone", "_over", "base")

    def __init__(self, base: Base) -> None:
        self.base = base
        self._over: dict[str, Record] = {}
        self._gone: set[str] = set()

    def fork(self) -> NumberTable:
        table = NumberTable(self.base)
        table._over = dict(self._over)
        table._gone = set(self._gone)
        return table

    # -- reads ----------------------------------------------------------------------------------
    def get(self, ident: str, default: Any = None) -> Any:
        record = self._over.get(ident)
        if record is not None:
            return record
        index = self.base.pos.get(ident)
        if index is None or ident in self._gone:
            return default
        return self.base.record(index)

    def __getitem__(self, ident: str) -> Record:
        record = self.get(ident)
        if record is None:
            raise KeyError(ident)
        result: Record = record
        return result

    def __contains__(self, ident: object) -> bool:
        return ident in self.base.pos and ident not in self._gone

    def __len__(self) -> int:
        return len(self.base.ids) - len(self._gone)

    def __iter__(self) -> Iterator[str]:
        gone = self._gone
        return (i for i in self.base.ids if i not in gone) if gone else iter(self.base.ids)

    def changed(self) -> Mapping[str, Record]:
        """The records this table replaced (by id; read-only)."""
        return self._over

    def removed(self) -> list[str]:
        """The ids this table removed, in id order."""
        return sorted(self._gone, key=id_key)

    def phone_number(self, ident: str) -> str:
        """A number's E.164 (never changed by an update: read from the base row, no record)."""
        base = self.base
        phone: str = base.rows[base.pos[ident]][base.phone_col]
        return phone

    # -- writes (only numbers of the base: the API never adds numbers) --------------------------
    def __setitem__(self, ident: str, record: Record) -> None:
        if ident not in self:
            raise KeyError(ident)
        self._over[ident] = record

    def pop(self, ident: str) -> Record:
        record = self[ident]
        self._over.pop(ident, None)
        self._gone.add(ident)
        return record


# -- reading world files --------------------------------------------------------------------------
def stream_world(path: Path) -> tuple[dict[str, Any], Iterator[Record]] | None:
    """A world file in ``fixtures/generate_world.py``'s layout (one top-level key per line, one
    number per line), read a line at a time: the header, and the numbers as they are read.
    ``None`` when the file is laid out otherwise (then it is parsed whole). A number that is not
    valid JSON, or a file that ends early, raises :class:`LineError` naming the line."""
    handle = path.open("rb")
    try:
        if handle.readline().strip() != b"{":
            handle.close()
            return None
        header: dict[str, Any] = {}
        line_number = 1
        for line in handle:
            line_number += 1
            text = line.rstrip(b"\r\n")
            if text == b'"numbers":[':
                numbers = _numbers(handle, line_number)
                next(numbers)  # inside its ``with handle``: closing the generator closes the file
                return header, numbers
            if not text.endswith(b","):
                break
            header.update(orjson.loads(b"{" + text[:-1] + b"}"))
    except (orjson.JSONDecodeError, ValueError):
        pass
    handle.close()
    return None


class LineError(ValueError):
    """A streamed world file that is broken at a line (``line``, ``column``: 1-based)."""

    def __init__(self, line: int, column: int | None, message: str) -> None:
        where = f"line {line}" + (f", column {column}" if column is not None else "")
        super().__init__(f"{where}: {message}")
        self.line = line
        self.column = column


_VOICE = b',"voice":'


def _record(line: bytes, voices: dict[bytes, Any]) -> Record:
    """One number line. The generator writes keys sorted, so ``voice`` comes last and its text
    repeats across numbers: it is parsed once per distinct text, the rest of the line each time.
    Any line that does not fit that shape is parsed whole."""
    cut = line.rfind(_VOICE)
    if cut > 0 and line.endswith(b"}}"):
        text = line[cut + len(_VOICE) : -1]
        try:
            record = orjson.loads(line[:cut] + b"}")
            voice = voices.get(text)
            if voice is None:
                voice = voices[text] = orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # the cut fell inside a string: parse the whole line
        else:
            if isinstance(record, dict) and "voice" not in record and isinstance(voice, dict):
                record["voice"] = voice
                return record
    whole = orjson.loads(line)
    if not isinstance(whole, dict):
        raise ValueError("a number must be an object")
    result: Record = whole
    return result


def _numbers(handle: Any, line_number: int) -> Iterator[Record]:
    voices: dict[bytes, Any] = {}
    with handle:
        yield {}  # the priming step (see ``stream_world``): never a number
        closed = ended = False
        for line in handle:
            line_number += 1
            text = line.rstrip(b"\r\n")
            if closed:
                stripped = text.strip()
                if stripped not in (b"", b"}") or (stripped == b"}" and ended):
                    raise LineError(line_number, 1, "unexpected content after the numbers")
                ended = ended or stripped == b"}"
                continue
            if text == b"]":
                closed = True
                continue
            if text == b"}":
                raise LineError(line_number, 1, "the numbers list is not closed with ]")
            try:
                record = _record(text[:-1] if text.endswith(b",") else text, voices)
            except orjson.JSONDecodeError as exc:
                raise LineError(line_number, exc.colno, f"not valid JSON ({exc.msg})") from None
            except ValueError as exc:
                raise LineError(line_number, 1, str(exc)) from None
            yield record
        if not ended:
            raise LineError(line_number, None, "the file ends before the world does (truncated?)")
