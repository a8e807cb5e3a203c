"""Loading a world file (``fixtures/world.json`` format) into a shared, immutable template."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from mockserver.inventory import Inventory
from mockserver.number_table import stream_world

_PACKAGE_DIR = Path(__file__).resolve().parent


def default_world_path() -> Path:
    """The bundled default world: inside the wheel, else the checkout's ``fixtures/``."""
    bundled = _PACKAGE_DIR / "_data" / "fixtures" / "world.json"
    if bundled.is_file():
        return bundled
    return _PACKAGE_DIR.parent / "fixtures" / "world.json"


def load_world(path: Path | None = None) -> dict[str, Any]:
    target = path if path is not None else default_world_path()
    if target.is_dir():
        target = target / "world.json"
    data: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return data


@cache
def template(path: Path | None = None) -> Inventory:
    """The template inventory for a world file, built once per process and never written.

    Tenants :meth:`~mockserver.inventory.Inventory.fork` it, so a new tenant (and a new test
    fixture) costs a few small dict copies, not a rebuild. A file in the generator's layout is
    read a number at a time into compact rows (a million numbers never exist as dicts at once);
    any other JSON layout is parsed whole.
    """
    target = path if path is not None else default_world_path()
    if target.is_dir():
        target = target / "world.json"
    streamed = stream_world(target)  # generate_world.py's layout: a number at a time
    if streamed is not None:
        header, numbers = streamed
        return Inventory.from_records(header, numbers)
    return Inventory.from_world(load_world(target))
