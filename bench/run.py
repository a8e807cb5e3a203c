"""``make bench``: the emulator against a bare Starlette route, same stack, same run.

    python -m bench.run [--duration 5] [--connections 32] [--quick] [--skip-million]
                        [--with-prism [--prism-spec PATH] [--prism-log-level LEVEL]]

Loads each server over 127.0.0.1 with wrk (1 thread, 32 connections, a bounded time per
scenario; each scenario's run comes right after a run of the bare route, the base of its ratio,
so a busy neighbour skews both alike), prints requests/s, p50/p99 and the ratio to the bare
route (the bare row: the median of its runs), then the in-process,
start-up, memory and million-number figures, each with its target from issue 7, and writes
everything to ``bench/results/latest.json``. With ``--with-prism``, Prism (Stoplight's mock
server, Node) serving the official spec excerpt runs the two update-job scenarios too
(``bench.prism``; results under ``prism``). On a 2-core box one core runs the server (one
uvicorn worker is one Python thread) and one runs wrk's single thread; 32 connections keep the
server saturated without measuring mostly queueing.

Exit status: 0 when the run completed, even if targets were missed (the report says which);
1 when the harness failed or a scenario did not get the status it exists to measure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import inprocess, million, prism, report, running, scenarios, servers
from bench import wrk as wrk_
from bench.scenarios import Scenario
from bench.wrk import HarnessError

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
#: what ``--only`` selects from: the wrk scenarios, the in-process figures, start-up, the
#: million-number figures, issue 14's (tenants, job lists, number lists, snapshots)
GROUPS = ("http", "inprocess", "startup", "million", "running")


def _groups(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [g for g in chosen if g not in GROUPS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown group(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(GROUPS)}"
        )
    return chosen


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="make bench", description=__doc__.splitlines()[0])
    p.add_argument(
        "--duration",
        type=float,
        default=None,
        help="seconds of load per scenario (default 5; --quick: 1)",
    )
    p.add_argument(
        "--warmup",
        type=float,
        default=None,
        help="seconds of unmeasured load before each (default 1; --quick: 0)",
    )
    p.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    p.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 1 s per scenario, fewer repetitions, a 100,000-number world",
    )
    p.add_argument("--skip-million", action="store_true", help="skip the million-number figures")
    p.add_argument(
        "--million-count",
        type=int,
        default=None,
        help="numbers in the big world (default 1,000,000; --quick: 100,000)",
    )
    p.add_argument(
        "--no-install",
        action="store_true",
        help="fail instead of installing wrk with apt-get (or Prism with npm) when missing",
    )
    p.add_argument(
        "--with-prism",
        action="store_true",
        help=f"also measure Prism {prism.VERSION} (installed with npm into bench/.cache/prism)",
    )
    p.add_argument(
        "--prism-spec",
        type=Path,
        default=prism.DEFAULT_SPEC,
        help="the OpenAPI excerpt Prism serves (default: schemas/reference/…openapi.json)",
    )
    p.add_argument(
        "--prism-log-level",
        choices=prism.LOG_LEVELS,
        default=prism.LOG_LEVEL,
        help=f"Prism's --verboseLevel (default {prism.LOG_LEVEL}: no per-request lines; Prism's "
        "own default, info, logs every request)",
    )
    p.add_argument(
        "--only",
        type=_groups,
        default=GROUPS,
        metavar="GROUP[,GROUP]",
        help=f"measure only these groups ({', '.join(GROUPS)}; default all), e.g. --only running",
    )
    p.add_argument("--output", type=Path, default=RESULTS, help="results file (JSON)")
    args = p.parse_args(argv)
    quick = args.quick
    args.duration = args.duration if args.duration is not None else (1.0 if quick else 5.0)
    args.warmup = args.warmup if args.warmup is not None else (0.0 if quick else 1.0)
    args.million_count = args.million_count or (100_000 if quick else 1_000_000)
    args.fixture_runs = 20 if quick else 100
    args.startup_runs = 3 if quick else 5
    args.creates = 300 if quick else 2000
    args.million_reps = 3 if quick else 5
    return args  # fmt: skip


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine(wrk_path: str) -> dict[str, Any]:
    import importlib.util

    import starlette
    import uvicorn

    has = importlib.util.find_spec
    return {
        "cpu_model": _cpu_model(),
        "cpus": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "uvicorn": uvicorn.__version__,
        "starlette": starlette.__version__,
        "http": "httptools" if has("httptools") else "h11",  # what uvicorn's "auto" picks
        "loop": "uvloop" if has("uvloop") else "asyncio",
        "load_generator": wrk_.version(wrk_path),
        "loadavg_1m": os.getloadavg()[0],
    }


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def prepare(server: servers.Server, scenario: Scenario, tmp: Path) -> tuple[str, Path]:
    """Create the scenario's state and probe it; the URL to load and the wrk script."""

    def send(method: str, path: str, body: bytes | None, key: str | None) -> tuple[int, bytes]:
        return servers.request(server.port, method, path, body, key)

    path = scenario.ready(send)
    body_file = None
    if scenario.body is not None:
        body_file = tmp / f"{scenario.name}.json"
        body_file.write_bytes(scenario.body)
    for run_tag in ("warm", "run"):  # own tenants per wrk run: its counter starts at 0 again
        script = tmp / f"{scenario.name}.{run_tag}.lua"
        script.write_text(
            wrk_.lua_script(
                scenario.method, scenario.headers(), body_file,
                key_prefix=f"{scenario.api_key}-{run_tag}-" if scenario.rotate_keys else None,
            )
        )  # fmt: skip
    return server.url + path, script


def warm(target: tuple[str, Path]) -> tuple[str, Path]:
    """The warm-up twin of a prepared target (same request, its own tenants)."""
    url, script = target
    return url, script.with_name(script.name.replace(".run.lua", ".warm.lua"))


def http_figures(wrk_path: str, tmp: Path, args: argparse.Namespace,
                 emulator: list[Scenario]) -> dict[str, Any]:  # fmt: skip
    """Both servers up (an idle one costs nothing); each scenario's measured run right after a
    run of the bare route, so its ratio compares runs seconds apart, not minutes."""
    options = {"connections": args.connections, "threads": args.threads}

    def run(target: tuple[str, Path], seconds: float) -> dict[str, Any]:
        return wrk_.run(wrk_path, target[0], target[1], duration_s=seconds, **options)

    port, emu_port = servers.free_port(), servers.free_port()
    bare = servers.Server("bare app", servers.bare_command(port), port, "/", tmp / "bare.log")
    command = servers.emulator_command(emu_port, scenarios.EMULATOR_ARGS)
    emu = servers.Server("telnyx-mock", command, emu_port, "/_mock/health", tmp / "emu.log")
    table: dict[str, dict[str, Any]] = {}
    bare_runs: list[dict[str, Any]] = []
    with bare, emu:
        baseline = prepare(bare, scenarios.BARE, tmp)
        if args.warmup > 0:
            run(baseline, args.warmup)
        for scenario in emulator:
            target = prepare(emu, scenario, tmp)
            if args.warmup > 0:
                run(warm(target), args.warmup)
            bare_runs.append(run(baseline, args.duration))
            measured = run(target, args.duration)
            bare_rps = bare_runs[-1]["rps"]
            entry = report.scenario_entry(measured, scenario.expected_status, bare_rps)
            table[scenario.name] = {**entry, "bare_rps": round(bare_rps, 1)}
            _log(f"{scenario.label}: {measured['rps']:,.1f} req/s "
                 f"({entry['ratio_to_bare']}x bare at {bare_rps:,.1f})")  # fmt: skip
        rss, peak = emu.memory_mib()
    middle = report.median_run(bare_runs)
    bare_entry = report.scenario_entry(middle, 200, middle["rps"])
    bare_entry["bare_runs_rps"] = [round(r["rps"], 1) for r in bare_runs]
    return {
        "scenarios": {"bare": bare_entry, **table},
        "rss_mb": round(rss, 1),
        "rss_peak_mb": round(peak, 1),
    }


def collect(
    args: argparse.Namespace, wrk_path: str, tmp: Path, with_prism: tuple[str, Path] | None = None
) -> dict[str, Any]:
    from mockserver.world import load_world

    emulator = scenarios.emulator_scenarios(scenarios.updatable_ids(load_world()))
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "machine": machine(wrk_path),
        "settings": {
            "duration_s": args.duration, "warmup_s": args.warmup,
            "connections": args.connections, "threads": args.threads,
            "emulator_args": scenarios.EMULATOR_ARGS, "host": servers.HOST,
        },
        "labels": scenarios.labels([scenarios.BARE, *emulator]),
    }  # fmt: skip
    if results["machine"]["loadavg_1m"] > 0.5:
        _log(f"load average {results['machine']['loadavg_1m']:.2f}: other work on this machine "
             "makes every figure noisy")  # fmt: skip
    only = args.only
    results["groups"] = list(only)
    if "http" in only:
        results.update(http_figures(wrk_path, tmp, args, emulator))
    else:
        results["scenarios"] = {}
    if with_prism is not None and "http" in only:
        _log(f"Prism {prism.VERSION}: start-up, then the update-job scenarios")
        results["prism"] = prism.measure(wrk_path, tmp, vars(args), with_prism, args.prism_spec,
                                         emulator, results["scenarios"])  # fmt: skip
    if "inprocess" in only:
        _log("in-process figures (fixture set-up, creates/s)")
        inproc = inprocess.measure_in_subprocess(args.fixture_runs, args.creates, 30.0)
        results["fixture_setup_ms"] = round(inproc["fixture_setup_ms"], 3)
        results["fixture_first_setup_ms"] = round(inproc["fixture_first_setup_ms"], 1)
        results["inprocess_creates_per_s"] = round(inproc["creates"]["per_s"], 1)
        results["inprocess"] = inproc
    if "startup" in only:
        _log("start-up to first response")
        samples = servers.startup_seconds(args.startup_runs, tmp / "startup.log")
        results["startup_s"] = round(servers.median(samples), 3)
        results["startup_samples_s"] = [round(s, 3) for s in samples]
    if not args.skip_million and "million" in only:
        _log(f"{args.million_count:,}-number world (load, RSS, filter jobs)")
        results["million"] = million.measure(args.million_count, args.million_reps)
    if "running" in only:
        _log("issue 14: tenant RSS, LRU bound, job lists, number lists, snapshots")
        big = None if args.skip_million else million.world_file(args.million_count)
        results["running"] = running.measure(tmp, big, args.quick)
    results["targets"] = report.targets_json()
    results["met"] = report.evaluate(results)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        wrk_path = wrk_.ensure_wrk(install=not args.no_install)
        with_prism = (
            prism.setup(args.prism_spec, install=not args.no_install) if args.with_prism else None
        )
        with tempfile.TemporaryDirectory(prefix="telnyx-bench-") as tmp:
            results = collect(args, wrk_path, Path(tmp), with_prism)
    except HarnessError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    partial = args.output.with_suffix(".tmp")
    partial.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    partial.replace(args.output)
    print("\n".join(report.summary_lines(results, results["labels"])))
    print(f"\nresults: {args.output}")
    broken = [n for n, e in results["scenarios"].items() if not e["status_ok"]]
    if broken:
        print(f"bench: error: scenarios without their expected status: {', '.join(broken)}",
              file=sys.stderr)  # fmt: skip
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
