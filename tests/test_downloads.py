"""The CSV download store: its retention bound (finished downloads beyond it are dropped, oldest
first; a pending one never is: a tenant's bound is ``--max-jobs``, the jobs' own) and the
pending ends ``/_mock/jobs/run`` runs to; an evicted tenant's downloads go with it."""

from __future__ import annotations

import pytest

from mockserver.app import create_app
from mockserver.clock import ManualClock
from mockserver.config import Settings
from mockserver.downloads import COMPLETE, FAILED, Download, Downloads, l_csv_download
from tests.conftest import make_client


def download(ident: str, ready_ms: int, fate: str = COMPLETE) -> Download:
    return Download(ident, 0, ready_ms, fate, "V1", "phone_number\r\n", f"/file/{ident}")


def test_without_a_bound_every_download_is_kept() -> None:
    store = Downloads()
    for n in range(50):
        store.add(download(f"d{n}", n), now=100)
    assert len(store) == 50
    assert [d.id for d in store.order][:2] == ["d0", "d1"]


def test_finished_downloads_beyond_the_bound_are_dropped_oldest_first() -> None:
    store = Downloads(max_finished=2)
    store.add(download("a", 10), now=20)
    store.add(download("b", 15, FAILED), now=20)
    store.add(download("pending", 500), now=20)  # not finished at 20: never dropped
    store.add(download("c", 18), now=20)
    assert [d.id for d in store.order] == ["b", "pending", "c"]
    assert "a" not in store.by_id
    assert store.open_ends(20) == [500]
    store.add(download("d", 30), now=600)  # "pending" has finished by now: the oldest goes
    assert [d.id for d in store.order] == ["c", "d"]
    assert set(store.by_id) == {"c", "d"}


def test_the_lifecycle_is_pending_until_ready() -> None:
    item = download("x", 100, FAILED)
    assert [l_csv_download(item, t) for t in (0, 99, 100, 10**9)] == [
        "pending", "pending", "failed", "failed",
    ]  # fmt: skip


# -- on a tenant: retention by max_jobs, and eviction ---------------------------------------------
CSV = "/v2/phone_numbers/csv_downloads"


@pytest.mark.rule("L-CSV-DOWNLOAD")
def test_a_tenant_keeps_at_most_max_jobs_finished_downloads() -> None:
    app = create_app(Settings(manual_clock=True, max_jobs=2), clock=ManualClock())
    api = make_client(app, "keeper")
    made = []
    for _ in range(3):
        made.append(api.post(CSV).json()["data"][0]["id"])
        api.post("/_mock/clock/advance", json={"seconds": 5})  # complete it
    pending = api.post(CSV).json()["data"][0]["id"]  # the 4th: the oldest finished one goes
    listed = [d["id"] for d in api.get(CSV).json()["data"]]
    assert listed == [pending, made[2], made[1]]  # newest first; pending is never dropped
    gone = api.get(f"{CSV}/{made[0]}")
    assert gone.status_code == 404
    assert gone.json()["errors"][0]["source"]["pointer"] == "/id"


def test_an_evicted_tenant_starts_without_downloads() -> None:
    app = create_app(Settings(manual_clock=True, max_tenants=1), clock=ManualClock())
    first, second = make_client(app, "first"), make_client(app, "second")
    ident = first.post(CSV).json()["data"][0]["id"]
    assert second.get(CSV).status_code == 200  # a second tenant: the first is evicted (LRU)
    assert first.get(CSV).json()["data"] == []
    assert first.get(f"{CSV}/{ident}").status_code == 404
