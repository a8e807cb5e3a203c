"""``serve --state FILE``: every tenant saved to one file, read back on start.

The file is one JSON document (``mockserver.snapshot``'s header, a SHA-256 of the tenants part,
then the tenants, least recently used first). It is written atomically: into a temporary file
beside it, flushed to disk, then renamed over the old one, so a crash (even ``kill -9``) leaves
the previous complete snapshot, never a partial one. Reading checks the format, the version,
the world, the checksum and then every tenant before anything replaces the server's state: a
truncated, corrupt or foreign file is refused with one clear line, and nothing is half-loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from mockserver import errors, snapshot
from mockserver.number_table import paused_gc
from mockserver.snapshot_check import SnapshotError

log = logging.getLogger("mockserver")
_TENANTS = b',"tenants":'


def dump(state: Any) -> bytes:
    """The state of every tenant of an app (``app.state``) as the file's bytes."""
    tenants, faults = state.tenants, state.faults
    body = orjson.dumps(
        [
            snapshot.tenant_json(tenant, faults.peek(key))
            for key in tenants
            if (tenant := tenants.peek(key)) is not None
        ]
    )
    head = snapshot.header(tenants.template, state.settings.seed)
    head["tenant_count"] = len(tenants)
    head["sha256"] = hashlib_hex(body)
    return orjson.dumps(head)[:-1] + _TENANTS + body + b"}\n"


def hashlib_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse(data: bytes, state: Any) -> list[tuple[str, Any, Any]]:
    """Every tenant of a file, checked and built, not yet in place: ``(key, tenant, faults)``."""
    cut = data.find(_TENANTS)
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SnapshotError("/", errors.D_STATE_JSON.format(reason=exc)) from None
    tenants = state.tenants
    snapshot.check_header(doc, tenants.template, state.settings.seed)
    body = data[cut + len(_TENANTS) : data.rstrip().rfind(b"}")]
    if cut < 0 or doc.get("sha256") != hashlib_hex(body):
        raise SnapshotError("/sha256", errors.D_STATE_CHECKSUM)
    listed = doc.get("tenants")
    if not isinstance(listed, list) or doc.get("tenant_count") != len(listed):
        raise SnapshotError("/tenants", errors.D_STATE_TENANTS)
    built = []
    for index, item in enumerate(listed):
        where = f"/tenants/{index}"
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str) or not key:
            raise SnapshotError(where + "/key", errors.D_STATE_KEY)
        tenant, faults = snapshot.read_tenant(
            item, where, tenants.fresh(key), partial(state.faults.fresh, key)
        )
        built.append((key, tenant, faults))
    return built


def install(state: Any, built: list[tuple[str, Any, Any]]) -> None:
    """Replace every tenant (and its faults) with ``built``: nothing can fail from here."""
    state.tenants.reset()
    state.faults.clear_all()
    state.journals.clear_all()
    for key, tenant, faults in built:
        state.tenants.put(key, tenant)
        state.faults.put(key, faults)


def read(path: Path, state: Any) -> int:
    """Load a state file into an app's state; how many tenants it held."""
    with paused_gc():  # millions of fresh acyclic containers: no collection walks them
        built = parse(path.read_bytes(), state)
    install(state, built)
    return len(built)


def write(path: Path, data: bytes) -> None:
    """Atomically: a temporary file beside ``path``, flushed to disk, renamed over it."""
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # the rename itself on disk (where the OS allows it)
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def save(path: Path, state: Any) -> float:
    """Write the snapshot now; seconds it took."""
    started = time.perf_counter()
    write(path, dump(state))
    spent = time.perf_counter() - started
    log.info(
        "state: %d tenant(s) saved to %s in %.3f s", len(state.tenants), path, spent,
        extra={"fields": {"event": "state_saved", "path": str(path),
                          "tenants": len(state.tenants), "seconds": round(spent, 3)}},
    )  # fmt: skip
    return spent


async def save_every(path: Path, state: Any, interval_s: float) -> None:
    """Save on the event loop (so no request is half-applied in a snapshot) every interval."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            save(path, state)
        except OSError as exc:
            log.error("state: cannot write %s: %s (the previous snapshot is kept)", path, exc)
