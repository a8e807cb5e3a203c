"""Loading a world file (``fixtures/world.json`` format) into a shared, immutable template."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from mockserver import world_check
from mockserver.inventory import Inventory
from mockserver.number_table import LineError, Record, RecordError, stream_world
from mockserver.world_check import WorldError

#: numbers between two progress reports
PROGRESS_EVERY = 25_000
Progress = Callable[[int], None]

_PACKAGE_DIR = Path(__file__).resolve().parent


def default_world_path() -> Path:
    """The bundled default world: inside the wheel, else the checkout's ``fixtures/``."""
    bundled = _PACKAGE_DIR / "_data" / "fixtures" / "world.json"
    if bundled.is_file():
        return bundled
    return _PACKAGE_DIR.parent / "fixtures" / "world.json"


def load_world(path: Path | None = None) -> dict[str, Any]:
    """A whole world file, parsed and checked against ``schemas/world.schema.json``
    (:class:`WorldError` saying what and where if it is not a world)."""
    target = path if path is not None else default_world_path()
    if target.is_dir():
        target = target / "world.json"
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise WorldError(f"byte {exc.start}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise WorldError(
            f"line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None
    world_check.check_document(data)
    result: dict[str, Any] = data
    return result


def _counted(records: Iterator[Record], progress: Progress) -> Iterator[Record]:
    count = 0
    for count, record in enumerate(records, 1):
        if not count % PROGRESS_EVERY:
            progress(count)
        yield record
    progress(count)


def build_template(path: Path | None = None, progress: Progress | None = None) -> Inventory:
    """The template of a world file, checked against ``schemas/world.schema.json`` as it loads
    (:class:`WorldError`: what is wrong and where); ``progress`` gets the count of numbers read
    every ``PROGRESS_EVERY`` numbers and once at the end."""
    target = path if path is not None else default_world_path()
    if target.is_dir():
        target = target / "world.json"
    streamed = stream_world(target)  # generate_world.py's layout: a number at a time
    if streamed is None:
        return Inventory.from_world(load_world(target))
    header, numbers = streamed
    records: Iterable[Record] = numbers if progress is None else _counted(numbers, progress)
    # the bundled world is checked against the schema by the tests (tests/test_schemas.py), not
    # on every start: its rows' check is a third of a default start-up's build
    check = None if target == default_world_path() else world_check.check_rows
    try:
        world_check.check_header(header)
        return Inventory.from_records(header, records, check)
    except LineError as exc:
        raise WorldError(str(exc)) from None
    except RecordError as exc:
        raise world_check.record_error(exc.index, exc.record) from None
    finally:
        close = getattr(numbers, "close", None)
        if close is not None:
            close()  # the file, at once, whatever happened


@cache
def template(path: Path | None = None) -> Inventory:
    """The template inventory for a world file, built once per process and never written.

    Tenants :meth:`~mockserver.inventory.Inventory.fork` it, so a new tenant (and a new test
    fixture) costs a few small dict copies, not a rebuild. A file in the generator's layout is
    read a number at a time into compact rows (a million numbers never exist as dicts at once);
    any other JSON layout is parsed whole.
    """
    return build_template(path)
