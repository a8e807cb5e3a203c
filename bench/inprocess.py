"""In-process figures, measured in a fresh subprocess (``python -m bench.inprocess``) so that
the first fixture set-up really builds the world template:

- the ``telnyx_mock`` fixture's set-up, median of ``--fixture-runs`` (``bench/bench_fixture.py``);
- 2-number update-job creations per second, sequentially through the ASGI transport
  (``mockserver.transport.client``) with instant jobs, ``--creates`` of them or
  ``--max-seconds``, whichever comes first.

Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

from bench.scenarios import TWO_IDS
from bench.servers import ROOT
from bench.wrk import HarnessError


def creates_per_second(count: int, max_seconds: float) -> dict[str, Any]:
    from mockserver.app import create_app
    from mockserver.config import Settings
    from mockserver.transport import client

    app = create_app(Settings(instant_jobs=True))
    body = {"phone_numbers": TWO_IDS, "tags": ["bench"]}
    path = "/phone_numbers/jobs/update_phone_numbers"
    with client(app, api_key="bench-inprocess", base_url="https://api.telnyx.com/v2") as http:
        for _ in range(20):  # warm-up: the tenant's fork, first-call caches
            http.post(path, json=body)
        done = 0
        started = time.perf_counter()
        deadline = started + max_seconds
        while done < count and time.perf_counter() < deadline:
            response = http.post(path, json=body)
            if response.status_code != 202:
                raise HarnessError(f"in-process create got {response.status_code}: "
                                   f"{response.text[:200]}")  # fmt: skip
            done += 1
        elapsed = time.perf_counter() - started
    return {"creates": done, "seconds": round(elapsed, 3), "per_s": done / elapsed}


def main(argv: list[str] | None = None) -> int:
    from bench.bench_fixture import measure

    parser = argparse.ArgumentParser(description="in-process figures (prints JSON)")
    parser.add_argument("--fixture-runs", type=int, default=100)
    parser.add_argument("--creates", type=int, default=2000)
    parser.add_argument("--max-seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    median, first = measure(args.fixture_runs)  # first: nothing else built the template yet
    creates = creates_per_second(args.creates, args.max_seconds)
    print(json.dumps({"fixture_setup_ms": median, "fixture_first_setup_ms": first,
                      "fixture_runs": args.fixture_runs, "creates": creates}))  # fmt: skip
    return 0


def measure_in_subprocess(fixture_runs: int, creates: int, max_seconds: float) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.inprocess", "--fixture-runs", str(fixture_runs),
               "--creates", str(creates), "--max-seconds", f"{max_seconds:g}"]  # fmt: skip
    return run_json(command, timeout_s=600)


def run_json(command: list[str], timeout_s: float) -> dict[str, Any]:
    """Run a measuring subprocess; its last stdout line is a JSON object."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s,
                              check=False, cwd=ROOT)  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise HarnessError(f"timed out after {timeout_s:g} s: {' '.join(command)}") from exc
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise HarnessError(f"{' '.join(command[1:4])} failed: {tail}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


if __name__ == "__main__":
    raise SystemExit(main())
