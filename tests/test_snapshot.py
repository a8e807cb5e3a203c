"""Snapshots (``mockserver.snapshot``, ``mockserver.state_file``): a restored server answers
byte for byte as before; a truncated, corrupt or foreign snapshot is refused, never half-loaded;
``/_mock/state`` exports and imports one tenant (C-STATE); ``serve --state FILE``."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from mockserver import snapshot, state_file
from mockserver.app import create_app
from mockserver.clock import ManualClock
from mockserver.config import Settings
from mockserver.snapshot_check import SnapshotError
from tests.conftest import make_client
from tests.helpers import JOBS, NUMBER, NUMBERS, UPDATE, VOICE, wait_until_ready

SETTINGS = Settings(manual_clock=True, seed=4)
KEYS = ("alpha", "beta")
Step = Callable[[dict[str, httpx.Client]], httpx.Response]


def build() -> Starlette:
    return create_app(SETTINGS, clock=ManualClock())


def clients(app: Starlette) -> dict[str, httpx.Client]:
    return {key: make_client(app, key) for key in KEYS}


BEFORE: list[Step] = [
    lambda c: c["alpha"].post(UPDATE, json={"phone_numbers": ["+13127367254"], "tags": ["a"]}),
    lambda c: c["alpha"].post("/_mock/clock/advance", json={"seconds": 1.5}),
    lambda c: c["alpha"].post(UPDATE, json={"phone_numbers": [], "tags": ["f"]},
                              params={"filter[tag]": "sandbox"}),
    lambda c: c["alpha"].patch(VOICE, json={"usage_payment_method": "channel"}),
    lambda c: c["alpha"].delete(f"{NUMBERS}/2637816387126861836"),
    lambda c: c["alpha"].post("/_mock/faults", json={"kind": "expire_jobs", "times": 1}),
    lambda c: c["alpha"].post("/_mock/faults", json={"kind": "fail_jobs", "times": 2}),
    lambda c: c["alpha"].post(UPDATE, json={"phone_numbers": ["1583466971586889004"],
                                            "hd_voice_enabled": True}),
    lambda c: c["alpha"].post(UPDATE, json={"phone_numbers": ["1583466971586889004"],
                                            "customer_reference": "r1"}),
    lambda c: c["beta"].post("/_mock/faults", json={
        "kind": "status", "status": 503, "probability": 0.5, "route": "^/phone_numbers$"}),
    lambda c: c["beta"].get(NUMBERS),
    lambda c: c["beta"].get(NUMBERS),
    lambda c: c["beta"].post(UPDATE, json={"phone_numbers": ["+13127367254"], "tags": ["b"]}),
]  # fmt: skip
AFTER: list[Step] = [
    lambda c: c["alpha"].get(JOBS),
    lambda c: c["alpha"].get(f"{NUMBERS}?sort=-usage_payment_method&page[size]=5"),
    lambda c: c["alpha"].post("/_mock/clock/advance", json={"seconds": 30}),
    lambda c: c["alpha"].get(JOBS + "?page[size]=250"),
    lambda c: c["alpha"].get(f"{NUMBERS}?filter[tag]=f&page[size]=250"),
    lambda c: c["alpha"].post(UPDATE, json={"phone_numbers": ["+13127367254"], "tags": ["z"]}),
    lambda c: c["alpha"].get(NUMBER),
    lambda c: c["beta"].get(NUMBERS),
    lambda c: c["beta"].get(NUMBERS),
    lambda c: c["beta"].get(NUMBERS),
    lambda c: c["beta"].get("/_mock/faults"),
    lambda c: c["beta"].post("/_mock/jobs/run"),
    lambda c: c["beta"].get(JOBS),
    lambda c: c["beta"].get("/_mock/clock"),
]


def answers(app: Starlette, steps: list[Step]) -> list[tuple[int, bytes]]:
    pool = clients(app)
    return [(r.status_code, r.content) for r in (step(pool) for step in steps)]


@pytest.fixture(scope="module")
def saved() -> tuple[Starlette, bytes]:
    app = build()
    assert all(code < 500 or code == 503 for code, _ in answers(app, BEFORE))
    return app, state_file.dump(app.state)


def test_a_restored_server_answers_byte_for_byte_as_before(saved: tuple[Starlette, bytes]) -> None:
    original, data = saved
    restored = build()
    state_file.install(restored.state, state_file.parse(data, restored.state))
    assert state_file.dump(restored.state) == data  # the snapshot itself round-trips
    expected = answers(original, AFTER)
    assert answers(restored, AFTER) == expected
    assert any(code == 503 for code, _ in expected)  # the seeded fault source came along
    assert len({body for _, body in expected}) > 5  # the steps are not vacuous


def test_a_snapshot_truncated_at_every_offset_is_refused_cleanly(
    saved: tuple[Starlette, bytes],
) -> None:
    """Every proper prefix of the file (every offset, none skipped) is refused with a
    SnapshotError, and the server it was read into keeps its own state."""
    _, data = saved
    target = build()
    make_client(target, "own").post(UPDATE, json={"phone_numbers": ["+13127367254"], "tags": ["x"]})
    before = state_file.dump(target.state)
    assert len(data) > 10_000
    for offset in range(len(data.rstrip())):
        with pytest.raises(SnapshotError):
            state_file.parse(data[:offset], target.state)
    assert state_file.dump(target.state) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d.replace(
                b'"version":%d' % snapshot.VERSION, b'"version":%d' % (snapshot.VERSION + 1), 1
            ),
            "^/version: written by another",
        ),
        (lambda d: d.replace(b'"emulator":"', b'"emulator":"9', 1), "^/emulator: written by"),
        (lambda d: d.replace(b'"seed":4', b'"seed":5', 1), r"^/seed: saved with --seed 5"),
        (lambda d: d.replace(b'"world":"', b'"world":"0', 1), "^/world: saved with another world"),
        (lambda d: d.replace(b'"format":"telnyx-mock-state"', b'"format":"x"', 1), "^/format"),
        (lambda d: d.replace(b'"tags":["a"]', b'"tags":["q"]', 1), "^/sha256: .*corrupt"),
        (lambda d: b"[]", "^/: a state document must be a JSON object"),
        (lambda d: b"", "^/: not valid JSON"),
    ],
)
def test_a_foreign_or_corrupt_snapshot_is_refused(
    saved: tuple[Starlette, bytes], change: Callable[[bytes], bytes], message: str
) -> None:
    _, data = saved
    changed = change(data)
    assert changed != data
    with pytest.raises(SnapshotError, match=message):
        state_file.parse(changed, build().state)


def test_a_bad_tenant_deep_inside_refuses_the_whole_file(saved: tuple[Starlette, bytes]) -> None:
    """The checksum holds (recomputed), the last tenant is broken: nothing is installed."""
    _, data = saved
    doc = orjson.loads(data)
    doc["tenants"][-1]["jobs"][0]["targets"][0][0] = "1"
    body = orjson.dumps(doc["tenants"])
    doc["sha256"] = state_file.hashlib_hex(body)
    head = {k: v for k, v in doc.items() if k != "tenants"}
    broken = orjson.dumps(head)[:-1] + b',"tenants":' + body + b"}\n"
    with pytest.raises(SnapshotError, match=r"^/tenants/1/jobs/0/targets/0: must be"):
        state_file.parse(broken, build().state)


def test_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state.json"
    state_file.write(path, b"first")
    assert path.read_bytes() == b"first"

    def broken_rename(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_rename)
    with pytest.raises(OSError, match="disk full"):
        state_file.write(path, b"second")
    assert path.read_bytes() == b"first"  # the old snapshot, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]  # no temporary left


# -- /_mock/state (C-STATE) -----------------------------------------------------------------------
@pytest.mark.rule("C-STATE")
def test_state_exports_and_imports_one_tenant() -> None:
    app = build()
    source, copy = make_client(app, "source"), make_client(app, "copy")
    job = source.post(UPDATE, json={"phone_numbers": ["+13127367254"], "tags": ["s"]}).json()
    source.post("/_mock/clock/advance", json={"seconds": 1.2})
    exported = source.get("/_mock/state")
    assert exported.status_code == 200
    doc = exported.json()["data"]
    assert doc["format"] == snapshot.FORMAT
    assert doc["version"] == snapshot.VERSION
    imported = copy.put("/_mock/state", json=doc)
    assert imported.status_code == 200, imported.text
    assert imported.json()["data"]["jobs"] == 1
    for path in (f"{JOBS}/{job['data']['id']}", JOBS, f"{NUMBERS}?filter[tag]=s", "/_mock/clock"):
        assert copy.get(path).content == source.get(path).content
    # from here on both continue alike: same next id, same clock
    again = {"phone_numbers": ["+13127367254"], "tags": ["t"]}
    assert copy.post(UPDATE, json=again).content == source.post(UPDATE, json=again).content
    assert copy.post("/_mock/state", json=doc).status_code == 200  # POST imports too


@pytest.mark.rule("C-STATE")
@pytest.mark.parametrize(
    ("edit", "pointer"),
    [
        (lambda d: d.update(version=99), "/version"),
        (lambda d: d.pop("tenant"), "/tenant"),
        (lambda d: d["tenant"].update(jobs="x"), "/tenant/jobs"),
        (lambda d: d["tenant"]["numbers"]["replaced"].append({"id": 5}),
         "/tenant/numbers/replaced/1"),
        (lambda d: d["tenant"]["numbers"]["removed"].append("0"), "/tenant/numbers/removed/0"),
        (lambda d: d["tenant"]["jobs"][0].update(type="x"), "/tenant/jobs/0/type"),
        (lambda d: d["tenant"]["jobs"][0]["parameters"].update(tags=5),
         "/tenant/jobs/0/parameters"),
        (lambda d: d["tenant"].update(ids=[1, 2]), "/tenant/ids"),
        (lambda d: d["tenant"].update(clock_offset_ms=-1), "/tenant/clock_offset_ms"),
        (lambda d: d["tenant"]["faults"]["list"][0].update(route="("),
         "/tenant/faults/list/0/route"),
        (lambda d: d["tenant"].update(unsettled=[7]), "/tenant/unsettled"),
        # a record with every field, one of them wrong: the column check refuses, and the one
        # by one check names it
        (lambda d: d["tenant"]["numbers"]["replaced"][0].update(status="nope"),
         "/tenant/numbers/replaced/0/status"),
        (lambda d: d["tenant"]["numbers"]["replaced"][0]["voice"].update(bogus=1),
         "/tenant/numbers/replaced/0"),
        (lambda d: d["tenant"]["numbers"]["replaced"][0].update(phone_number="+19995550100"),
         "/tenant/numbers/replaced/0/phone_number"),
        (lambda d: d["tenant"]["jobs"][0]["targets"].append(["1", "+1", "id"]),
         "/tenant/jobs/0/targets/1"),
    ],
)  # fmt: skip
def test_a_bad_state_document_is_a_422_and_changes_nothing(
    edit: Callable[[dict[str, Any]], None], pointer: str
) -> None:
    app = build()
    source, target = make_client(app, "source"), make_client(app, "target")
    source.patch(NUMBER, json={"tags": ["patched"]})
    source.post(UPDATE, json={"phone_numbers": ["+13127367254"], "tags": ["s"]})
    source.post("/_mock/faults", json={"kind": "latency", "ms": 0, "route": "^/never"})
    doc = source.get("/_mock/state").json()["data"]
    target.post(UPDATE, json={"phone_numbers": ["+13127367254"], "tags": ["mine"]})
    before = target.get("/_mock/state").content
    edit(doc)
    answer = target.put("/_mock/state", json=doc)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["code"] == "10015"
    assert error["source"]["pointer"].startswith(pointer), error
    assert error["detail"].startswith("is not a state document this server can load: ")
    assert target.get("/_mock/state").content == before


# -- serve --state FILE ---------------------------------------------------------------------------
@pytest.mark.slow
def test_serve_state_survives_a_restart(serve: Any, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    flags = ("--manual-clock", "--state", str(state), "--state-interval", "0")
    auth = {"Authorization": "Bearer restart-key"}
    base, proc, log = serve(*flags)
    with httpx.Client(base_url=base, timeout=5.0, headers=auth) as client:
        wait_until_ready(proc, lambda: client.get("/_mock/health").status_code == 200, log)
        job = client.post(UPDATE, json={"phone_numbers": ["+13127367254"], "tags": ["r"]})
        client.post("/_mock/clock/advance", json={"seconds": 1.5})
        before = [client.get(p).content for p in (JOBS, f"{JOBS}/{job.json()['data']['id']}")]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal
    assert "state: 1 tenant(s) saved to" in log.read_text()
    assert state.is_file()
    base, proc, log = serve(*flags)
    with httpx.Client(base_url=base, timeout=5.0, headers=auth) as client:
        wait_until_ready(proc, lambda: client.get("/_mock/health").status_code == 200, log)
        after = [client.get(p).content for p in (JOBS, f"{JOBS}/{job.json()['data']['id']}")]
    assert after == before
    assert "state: 1 tenant(s) restored from" in log.read_text()


@pytest.mark.slow
def test_serve_refuses_a_corrupt_state_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mockserver.cli import main

    state = tmp_path / "state.json"
    app = build()
    make_client(app, "k").post(UPDATE, json={"phone_numbers": ["+13127367254"], "tags": ["c"]})
    data = state_file.dump(app.state)
    state.write_bytes(data[: len(data) // 2])
    capsys.readouterr()  # only what serve itself writes
    assert (
        main(["serve", "--manual-clock", "--seed", "4", "--state", str(state), "--port", "0"]) == 2
    )
    err = capsys.readouterr().err
    assert err.startswith(f"telnyx-mock serve: {state} cannot be restored: /: not valid JSON")
    assert err.count("\n") == 1


@pytest.mark.slow
def test_kill_9_leaves_the_last_interval_snapshot_whole(serve: Any, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    base, proc, log = serve("--manual-clock", "--state", str(state), "--state-interval", "0.2")
    auth = {"Authorization": "Bearer kill-key"}
    with httpx.Client(base_url=base, timeout=5.0, headers=auth) as client:
        wait_until_ready(proc, lambda: client.get("/_mock/health").status_code == 200, log)
        client.post(UPDATE, json={"phone_numbers": ["+13127367254"], "tags": ["k"]})

        def saved_with_the_tenant() -> bool:
            return state.is_file() and b'"key":"kill-key"' in state.read_bytes()

        wait_until_ready(proc, saved_with_the_tenant, log)  # a periodic save (bounded wait)
    proc.kill()
    proc.wait(timeout=10)
    restored = create_app(Settings(manual_clock=True), clock=ManualClock())
    assert state_file.read(state, restored.state) == 1
    jobs = make_client(restored, "kill-key").get(JOBS).json()
    assert jobs["meta"]["total_results"] == 1
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
