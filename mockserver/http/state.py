"""``/_mock/state``: one tenant's state as a document (``mockserver.snapshot``).

``GET`` exports the bearer key's tenant; ``PUT`` (or ``POST``) imports such a document into the
bearer key's tenant, replacing its numbers, jobs, clock, ids and faults, so a test can start
from a saved world (C-STATE). The document must come from this emulator version and world; a
document that cannot be read is a 422 naming the JSON pointer, and changes nothing.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mockserver import errors, snapshot
from mockserver.http.common import json_response, read_json, tenant_of, tenants_of
from mockserver.snapshot_check import SnapshotError


async def state(request: Request) -> Response:
    """``GET``/``PUT``/``POST /_mock/state``: export or import the key's tenant."""
    own = tenant_of(request)
    app_state = request.app.state
    tenants = tenants_of(request)
    if request.method == "GET":
        own.settle()
        doc = snapshot.header(tenants.template, app_state.settings.seed)
        doc["tenant"] = snapshot.tenant_json(own, app_state.faults.peek(own.key))
        return json_response({"data": doc})
    body = await read_json(request)
    try:
        c_state(body, tenants.template, app_state.settings.seed)
        fresh, faults = snapshot.read_tenant(
            body["tenant"], "/tenant", tenants.fresh(own.key),
            lambda: app_state.faults.fresh(own.key),
        )  # fmt: skip
    except SnapshotError as exc:
        raise errors.bad_request(
            errors.D_BAD_STATE.format(reason=exc.reason), pointer=exc.pointer
        ) from None
    tenants.put(own.key, fresh)
    app_state.faults.put(own.key, faults)
    summary = {"imported": True, "jobs": len(fresh.job_list), "now": fresh.now()}
    return json_response({"data": summary})


def c_state(body: object, template: object, seed: int) -> None:
    """C-STATE: the document is this emulator's format and version, for this world and seed,
    with a ``tenant`` object (the rest is checked as it is read)."""
    snapshot.check_header(body, template, seed)  # type: ignore[arg-type]
    if not isinstance(body, dict) or not isinstance(body.get("tenant"), dict):
        raise SnapshotError("/tenant", errors.D_STATE_TENANT)
