"""Start-up cost of the in-process ``telnyx_mock`` fixture (not a test).

Measures what the fixture does for every test: build the app on a manual clock from the cached
world template, open the handle's client and serve the first request (which forks the tenant from
the template). Prints the median of ``--runs`` set-ups and merges ``fixture_setup_ms`` into
``bench/results/latest.json``. ``make bench`` (``bench/run.py``) calls :func:`measure`.

    python bench/bench_fixture.py [--runs 100]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from mockserver.config import Settings
from mockserver.plugin import _in_process
from mockserver.world import template

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def setup_once(settings: Settings) -> float:
    """Milliseconds from nothing to the first answered request."""
    started = time.perf_counter()
    handle = _in_process(settings, "bench-key", explicit=True)
    with handle.client:
        response = handle.client.get("/phone_numbers/jobs")
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.text
    return elapsed


def measure(runs: int = 100) -> tuple[float, float]:
    """(median set-up ms over ``runs``, the first set-up ms including the world template)."""
    settings = Settings(manual_clock=True)
    started = time.perf_counter()
    template(settings.world_path)  # built once per process: the first test of a session pays it
    first = (time.perf_counter() - started) * 1000 + setup_once(settings)
    samples = [setup_once(settings) for _ in range(runs)]
    return statistics.median(samples), first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=100, help="set-ups to time (default 100)")
    args = parser.parse_args(argv)
    median, first = measure(args.runs)
    print(
        f"fixture set-up: median {median:.2f} ms over {args.runs} runs; the first one, "
        f"building the world template: {first:.1f} ms"
    )
    results: dict[str, Any] = {}
    if RESULTS.is_file():
        results = json.loads(RESULTS.read_text(encoding="utf-8"))
    results["fixture_setup_ms"] = round(median, 3)
    results["fixture_first_setup_ms"] = round(first, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
