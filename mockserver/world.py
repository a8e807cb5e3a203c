"""Loading a world file (``fixtures/world.json`` format) into a shared, immutable template."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from mockserver.inventory import Inventory

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
    fixture) costs one dict copy, not a rebuild.
    """
    return Inventory.from_world(load_world(path))
