"""The million-number figures, each run in a fresh subprocess (``python -m bench.million PATH``):

- load: ``create_app(Settings(world_path=PATH))`` plus the first request, which materialises
  the tenant (seconds);
- peak RSS of that process (``VmHWM``, MiB), read after the filter jobs;
- one filter-based update-job creation per filter kind (tag, status, connection name contains),
  ``--reps`` times each, median in ms. The clock is manual and jobs are not instant, so a creation
  is validation, target selection (the first 1,000 matches in id order) and the job record; the
  jobs stay pending (3 kinds x reps stays under the cap of 20 open jobs).

The world file is generated once by ``fixtures/generate_world.py`` and cached under
``bench/.cache/`` (named by count, seed and a hash of the generator, so a changed generator
makes a new file).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.inprocess import run_json
from bench.wrk import HarnessError

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "fixtures" / "generate_world.py"
CACHE = Path(__file__).resolve().parent / ".cache"
SEED = 20201023
#: common values, so each filter matches far more than the 1,000 numbers a job takes
FILTERS: dict[str, dict[str, str]] = {
    "tag": {"filter[tag]": "sales"},
    "status": {"filter[status]": "active"},
    "connection_name_contains": {"filter[voice.connection_name][contains]": "prod"},
}
MAX_OPEN_JOBS = 20


def world_file(count: int, seed: int = SEED) -> Path:
    """The cached world of ``count`` numbers, generated on first use."""
    digest = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:10]
    path = CACHE / f"world-{count}-{seed}-{digest}.json"
    if path.is_file():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    print(f"bench: generating a {count:,}-number world into {path} (once)", file=sys.stderr)
    command = [sys.executable, str(GENERATOR), "--seed", str(seed), "--count", str(count),
               "--out", str(partial)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise HarnessError(f"generating the {count:,}-number world failed: {tail}")
    os.replace(partial, path)
    for stale in CACHE.glob(f"world-{count}-{seed}-*.json"):  # made by an older generator
        if stale != path:
            stale.unlink()
    return path


def _peak_mib() -> tuple[float, float]:
    from bench.servers import memory_mib

    return memory_mib(os.getpid())


def probe(path: Path, reps: int) -> dict[str, Any]:
    from mockserver.app import create_app
    from mockserver.config import Settings
    from mockserver.transport import client

    if reps * len(FILTERS) > MAX_OPEN_JOBS:
        raise HarnessError(f"--reps {reps}: {reps * len(FILTERS)} open jobs exceed the cap")
    started = time.perf_counter()
    app = create_app(Settings(world_path=path, manual_clock=True))
    # this process is the benchmark's entry point: the million rows, built once and never
    # garbage, leave the collector's view (or a full collection walks them mid-request); the
    # emulator itself never touches the collector (``telnyx-mock serve`` tunes it in the CLI)
    gc.freeze()
    http = client(app, api_key="bench-million", base_url="https://api.telnyx.com/v2")
    first = http.get("/phone_numbers/jobs")
    load_s = time.perf_counter() - started
    if first.status_code != 200:
        raise HarnessError(f"first request on the big world got {first.status_code}")
    samples: dict[str, list[float]] = {}
    targets: dict[str, int] = {}
    for kind, params in FILTERS.items():
        for _ in range(reps):
            started = time.perf_counter()
            response = http.post(
                "/phone_numbers/jobs/update_phone_numbers", params=params, json={"tags": ["bench"]}
            )
            samples.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            if response.status_code != 202:
                raise HarnessError(f"filter job {kind} got {response.status_code}: "
                                   f"{response.text[:200]}")  # fmt: skip
            targets[kind] = len(response.json()["data"]["phone_numbers"])
    http.close()
    rss, peak = _peak_mib()
    return {
        "load_s": round(load_s, 3),
        "rss_mb": round(peak, 1),
        "rss_now_mb": round(rss, 1),
        "filter_job_ms": {k: round(statistics.median(v), 3) for k, v in samples.items()},
        "filter_job_samples_ms": {k: [round(x, 3) for x in v] for k, v in samples.items()},
        "filter_job_targets": targets,
    }


def measure(count: int, reps: int) -> dict[str, Any]:
    path = world_file(count)
    command = [sys.executable, "-m", "bench.million", str(path), "--reps", str(reps)]
    result = run_json(command, timeout_s=1800)
    filters = {k: "&".join(f"{p}={v}" for p, v in q.items()) for k, q in FILTERS.items()}
    return {"count": count, "world_file": str(path), "filters": filters, **result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="million-number figures (prints JSON)")
    parser.add_argument("world", type=Path)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    print(json.dumps(probe(args.world, args.reps)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
