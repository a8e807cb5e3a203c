"""Job retention (``--max-jobs``: the oldest finished job first out, never an open one) and the
job index (``mockserver.job_index``): pages of ``GET /phone_numbers/jobs`` are exactly those of
filtering and sorting every job, as the list always did."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.app import create_app
from mockserver.clock import ManualClock
from mockserver.config import Settings
from mockserver.job_index import JobIndex, JobQuery
from mockserver.jobs import Job, Target, progress
from tests.conftest import make_client
from tests.helpers import JOBS, UPDATE

NUMBER = {"phone_numbers": ["+13127367254"], "tags": ["r"]}


def test_the_oldest_finished_job_goes_first_and_an_open_one_never() -> None:
    app = create_app(Settings(manual_clock=True, max_jobs=3, max_open_jobs=50), clock=ManualClock())
    client = make_client(app, "retention")
    ids = []
    for n in range(6):
        ids.append(client.post(UPDATE, json=NUMBER).json()["data"]["id"])
        if n == 1:
            client.post("/_mock/jobs/run")  # jobs 0 and 1 finished; 2..5 stay open
    kept = [j["id"] for j in client.get(JOBS, params={"page[size]": "250"}).json()["data"]]
    assert kept == list(reversed(ids))  # 2 finished + 4 open: nothing over the bound yet
    client.post("/_mock/jobs/run")  # now 6 finished: the 3 oldest go
    listed = client.get(JOBS, params={"page[size]": "250"}).json()
    assert [j["id"] for j in listed["data"]] == list(reversed(ids[3:]))
    assert listed["meta"]["total_results"] == 3
    for gone in ids[:3]:
        assert client.get(f"{JOBS}/{gone}").status_code == 404
    assert client.get(f"{JOBS}/{ids[3]}").json()["data"]["status"] == "completed"


def test_open_jobs_are_kept_beyond_the_bound() -> None:
    app = create_app(Settings(manual_clock=True, max_jobs=1), clock=ManualClock())
    client = make_client(app, "open")
    ids = [client.post(UPDATE, json=NUMBER).json()["data"]["id"] for _ in range(5)]
    assert client.get(JOBS).json()["meta"]["total_results"] == 5  # all open: none dropped
    assert all(client.get(f"{JOBS}/{i}").status_code == 200 for i in ids)


def test_zero_keeps_every_job() -> None:
    app = create_app(
        Settings(instant_jobs=True, manual_clock=True, max_jobs=0), clock=ManualClock()
    )
    client = make_client(app, "all")
    for _ in range(30):
        client.post(UPDATE, json=NUMBER)
    assert client.get(JOBS).json()["meta"]["total_results"] == 30


def test_the_cli_option_sets_max_jobs() -> None:
    from mockserver.cli import build_parser, settings_from

    assert settings_from(build_parser().parse_args(["serve", "--max-jobs", "7"])).max_jobs == 7
    assert settings_from(build_parser().parse_args(["serve"])).max_jobs == 10_000


# -- the index against the brute force -------------------------------------------------------------
IDS = [f"10000000000000000{n:02d}" for n in range(12)]
TYPES = ["update_phone_numbers", "update_emergency_settings", "delete_phone_numbers"]
jobs_spec = st.lists(
    st.tuples(
        st.sampled_from(TYPES),
        st.lists(st.sampled_from(IDS), min_size=1, max_size=4),
        st.sampled_from([None, "ref-a", "ref-b"]),
        st.integers(0, 5_000),  # ms after the previous job
        st.sampled_from([0, 1_000, 10_000_000]),  # pending delay
        st.booleans(),  # expires before it starts
    ),
    max_size=30,
)
queries = st.builds(
    JobQuery,
    type=st.none() | st.sampled_from(TYPES),
    statuses=st.none() | st.frozensets(st.sampled_from(
        ["pending", "in_progress", "completed", "failed", "expired"]), min_size=1),
    number_ids=st.none() | st.frozensets(st.sampled_from(IDS), min_size=1, max_size=3),
    customer_reference=st.none() | st.sampled_from(["ref-a", "ref-b"]),
    created_from_ms=st.integers(0, 60_000),
)  # fmt: skip


def brute(jobs: list[Job], query: JobQuery, now: int, descending: bool) -> list[str]:
    found = []
    for job in jobs:
        status = progress(job, now).status
        if query.type is not None and job.type != query.type:
            continue
        if query.statuses is not None and status not in query.statuses:
            continue
        if query.number_ids is not None and not any(t.id in query.number_ids for t in job.targets):
            continue
        if query.customer_reference is not None and (
            job.customer_reference != query.customer_reference
            or job.created_ms < query.created_from_ms
        ):
            continue
        found.append(job)
    found.sort(key=lambda j: (j.created_ms, j.seq), reverse=descending)
    return [j.id for j in found]


@settings(max_examples=150, deadline=None)
@given(jobs_spec, queries, st.integers(0, 80_000), st.booleans(),
       st.integers(1, 3), st.sampled_from([1, 2, 5, 250]), st.integers(0, 8))  # fmt: skip
def test_a_page_of_the_index_is_the_page_of_the_full_filter_and_sort(
    spec: list[Any], query: JobQuery, now: int, descending: bool, number: int, size: int,
    keep: int,
) -> None:  # fmt: skip
    index = JobIndex(keep)
    kept: dict[int, Job] = {}
    created = 0
    for seq, (job_type, ids, ref, gap, delay, expires) in enumerate(spec):
        created += gap
        job = Job(
            id=f"job-{seq}", type=job_type, seq=seq, created_ms=created,
            start_ms=created + delay, step_ms=1_000,
            targets=[Target(i, "+1", "id") for i in ids], parameters={},
            customer_reference=ref, expire_ms=created + 500 if expires else None,
        )  # fmt: skip
        index.add(job)
        kept[seq] = job
    # finish the jobs final at ``now`` in creation order, as the tenant settles them
    for _seq, job in sorted(kept.items()):
        status = progress(job, now).status
        if status in ("completed", "failed", "expired"):
            for gone in index.finish(job, status):
                del kept[gone.seq]
    finished = [j for j in kept.values() if progress(j, now).status in ("completed", "expired")]
    assert not keep or len(finished) <= keep
    assert len(index) == len(kept)
    expected = brute(list(kept.values()), query, now, descending)
    start = (number - 1) * size
    shown, total = index.page(query, now, descending, start, size)
    assert total == len(expected)
    assert [job.id for job, _ in shown] == expected[start : start + size]


@pytest.mark.parametrize("descending", [True, False])
def test_an_unfiltered_page_is_a_slice(descending: bool) -> None:
    index = JobIndex()
    for seq in range(10):
        job = Job(f"j{seq}", TYPES[0], seq, seq, seq, 0, [Target(IDS[0], "+1", "id")], {})
        index.add(job)
        index.finish(job, "completed")
    shown, total = index.page(JobQuery(), 100, descending, 3, 4)
    expected = [f"j{n}" for n in ([6, 5, 4, 3] if descending else [3, 4, 5, 6])]
    assert ([job.id for job, _ in shown], total) == (expected, 10)


def test_the_number_index_built_late_follows_later_jobs_and_drops() -> None:
    """The by-number index is built on the first number query, then kept up to date: jobs added
    after it and jobs retention drops show in the next query as in a scan."""
    index = JobIndex(2)

    def add(seq: int, ids: list[str]) -> Job:
        job = Job(f"j{seq}", TYPES[0], seq, seq, seq, 0, [Target(i, "+1", "id") for i in ids], {})
        index.add(job)
        return job

    first = add(0, [IDS[0], IDS[1]])
    query = JobQuery(number_ids=frozenset({IDS[0]}))
    assert [j.id for j, _ in index.page(query, 0, True, 0, 10)[0]] == ["j0"]  # builds it
    add(1, [IDS[0]])
    add(2, [IDS[2]])
    assert [j.id for j, _ in index.page(query, 0, True, 0, 10)[0]] == ["j1", "j0"]
    for job in [first, index.by_seq[1], index.by_seq[2]]:
        index.finish(job, "completed")
    assert len(index) == 2
    # the bound of 2 finished jobs dropped j0: IDS[1] is in no kept job any more
    assert [j.id for j, _ in index.page(query, 10, True, 0, 10)[0]] == ["j1"]
    assert index.page(JobQuery(number_ids=frozenset({IDS[1]})), 10, True, 0, 10)[1] == 0
