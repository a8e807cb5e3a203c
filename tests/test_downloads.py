"""The CSV download store: its retention bound (finished downloads beyond it are dropped, oldest
first; a pending one never is) and the pending ends ``/_mock/jobs/run`` runs to."""

from __future__ import annotations

from mockserver.downloads import COMPLETE, FAILED, Download, Downloads, l_csv_download


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
