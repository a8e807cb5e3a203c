"""The pure half of the harness: targets, ratio maths, result shaping and the printed tables.

Nothing here measures, spawns or reads the clock, so ``tests/test_bench_harness.py`` can pin it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: the million-number targets only apply to a world of this size (``--quick`` uses a smaller one)
MILLION = 1_000_000
#: a scenario measures what it claims only when this share of its responses has its status
MIN_EXPECTED_SHARE = 0.99


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    path: tuple[str, ...]  # where the figure sits in the results
    op: str  # ">=", "<=" or "<"
    value: float
    unit: str = ""

    def text(self) -> str:
        return f"{self.op} {self.value:g}{self.unit}"

    def met_by(self, figure: float) -> bool:
        if self.op == ">=":
            return figure >= self.value
        if self.op == "<=":
            return figure <= self.value
        if self.op == "<":
            return figure < self.value
        raise ValueError(f"unknown operator {self.op!r}")


FILTER_KINDS = ("tag", "status", "connection_name_contains")

#: issue 7's targets (ratios are to the bare route of the same run, 1 worker)
TARGETS: tuple[Target, ...] = (
    Target("update_2_ratio", "2-number job / bare", ("scenarios", "update_2", "ratio_to_bare"),
           ">=", 0.25, "x"),
    Target("update_1000_ratio", "1,000-number job / bare",
           ("scenarios", "update_1000", "ratio_to_bare"), ">=", 0.05, "x"),
    Target("inprocess_creates", "in-process 2-number creates/s", ("inprocess_creates_per_s",),
           ">=", 2000),
    Target("startup", "dev-server start to first response", ("startup_s",), "<=", 0.3, " s"),
    Target("fixture_setup", "in-process fixture set-up (median)", ("fixture_setup_ms",),
           "<=", 20, " ms"),
    Target("million_load", "1M-number tenant load", ("million", "load_s"), "<=", 10, " s"),
    Target("million_rss", "1M-number peak RSS (VmHWM)", ("million", "rss_mb"), "<", 1536,
           " MiB"),
    *(
        Target(f"million_filter_{kind}", f"1M filter job: {kind.replace('_', ' ')}",
               ("million", "filter_job_ms", kind), "<=", 100, " ms")
        for kind in FILTER_KINDS
    ),
)  # fmt: skip
#: issue 14's targets (a server a team can leave running; bench.running)
RUNNING_TARGETS: tuple[Target, ...] = (
    Target("tenant_rss", "RSS per fresh tenant with one job",
           ("running", "tenant_rss", "per_tenant_kb"), "<=", 20, " KB"),
    Target("lru_rss", "RSS 20,000 keys / 1,000 keys (--max-tenants 1000)",
           ("running", "lru_rss", "ratio"), "<=", 1.1, "x"),
    *(
        Target(f"list_jobs_{kind}", f"list jobs 100,000 / 20 finished: {kind}",
               ("running", "list_jobs", kind, "ratio"), "<=", 2, "x")
        for kind in ("unfiltered", "status", "type")
    ),
    *(
        Target(f"number_list_{kind}", f"GET /phone_numbers 1M / 2,500: {kind}",
               ("running", "million", "number_lists", kind, "ratio"), "<=", 2, "x")
        for kind in ("unfiltered", "filtered", "sorted")
    ),
    Target("snapshot_write", "1M snapshot write (1,000 jobs)",
           ("running", "million", "snapshot", "write_s"), "<=", 10, " s"),
    Target("snapshot_restore", "1M snapshot restore (1,000 jobs)",
           ("running", "million", "snapshot", "restore_s"), "<=", 10, " s"),
)  # fmt: skip
TARGETS = (*TARGETS, *RUNNING_TARGETS)
SCENARIO_TARGETS = {"update_2": "update_2_ratio", "update_1000": "update_1000_ratio"}


def ratio(rps: float, bare_rps: float) -> float | None:
    """``rps`` as a fraction of the bare route's; ``None`` without a usable baseline."""
    if bare_rps <= 0:
        return None
    return rps / bare_rps


def median_run(runs: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The run with the median rps (the lower middle one of an even count)."""
    if not runs:
        raise ValueError("no runs")
    ordered = sorted(runs, key=lambda r: float(r["rps"]))
    return ordered[(len(ordered) - 1) // 2]


def expected_share(statuses: Mapping[int, int], expected: int) -> float | None:
    """The share of responses that had the ``expected`` status; ``None`` with no responses."""
    total = sum(statuses.values())
    if total == 0:
        return None
    return statuses.get(expected, 0) / total


def scenario_entry(
    measured: Mapping[str, Any], expected_status: int, bare_rps: float
) -> dict[str, Any]:
    """One scenario's record in ``latest.json`` from a parsed wrk run (see ``bench.wrk``)."""
    statuses: dict[int, int] = {int(k): int(v) for k, v in measured["statuses"].items()}
    share = expected_share(statuses, expected_status)
    share_of_expected = None if share is None else round(share, 4)
    found_ratio = ratio(measured["rps"], bare_rps)
    return {
        "rps": round(measured["rps"], 1),
        "p50_ms": round(measured["p50_ms"], 3),
        "p99_ms": round(measured["p99_ms"], 3),
        "ratio_to_bare": None if found_ratio is None else round(found_ratio, 4),
        "non_2xx": measured["non_2xx"],
        "requests": measured["requests"],
        "socket_errors": dict(measured["socket_errors"]),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "expected_status": expected_status,
        "expected_share": share_of_expected,
        "status_ok": share is not None and share >= MIN_EXPECTED_SHARE,
    }


def lookup(results: Mapping[str, Any], path: Sequence[str]) -> float | None:
    node: Any = results
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    if isinstance(node, bool) or not isinstance(node, int | float):
        return None
    return float(node)


def applies(target: Target, results: Mapping[str, Any]) -> bool:
    """Million-number targets apply only to a world of a million numbers."""
    if target.path[:2] == ("running", "million"):
        return lookup(results, ("running", "million", "big_numbers")) == MILLION
    if target.path[0] != "million":
        return True
    return lookup(results, ("million", "count")) == MILLION


def evaluate(results: Mapping[str, Any]) -> dict[str, bool | None]:
    """Each target: met, missed, or ``None`` when not measured (or not applicable) in this run."""
    met: dict[str, bool | None] = {}
    for target in TARGETS:
        figure = lookup(results, target.path)
        met[target.key] = (
            None if figure is None or not applies(target, results) else target.met_by(figure)
        )
    return met


def targets_json() -> dict[str, dict[str, Any]]:
    return {
        t.key: {"label": t.label, "figure": ".".join(t.path), "op": t.op, "value": t.value}
        for t in TARGETS
    }


def _yes(flag: bool | None) -> str:
    return "-" if flag is None else ("yes" if flag else "NO")


def _num(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _statuses(entry: Mapping[str, Any]) -> str:
    share = entry.get("expected_share")
    text = f"{entry['expected_status']}: " + ("-" if share is None else f"{share * 100:.1f}%")
    errors = sum(entry.get("socket_errors", {}).values())
    if errors:
        text += f", {errors} socket errors"
    return text if entry.get("status_ok") else text + " (CHECK FAILED)"


def _rows(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def scenario_table(results: Mapping[str, Any], labels: Mapping[str, str]) -> list[str]:
    by_key = {t.key: t for t in TARGETS}
    met: Mapping[str, bool | None] = results.get("met", {})
    rows = []
    for name, entry in results["scenarios"].items():
        if name == "bare":
            runs = entry.get("bare_runs_rps", [])
            name_note = f" (baseline, median of {len(runs)})" if len(runs) > 1 else " (baseline)"
        else:
            name_note = ""
        target = by_key.get(SCENARIO_TARGETS.get(name, ""))
        rows.append([
            labels.get(name, name) + name_note,
            _num(entry["rps"], 1),
            _num(entry["p50_ms"], 2),
            _num(entry["p99_ms"], 2),
            _num(entry["ratio_to_bare"], 3),
            target.text() if target else "-",
            _yes(met.get(target.key)) if target else "-",
            _statuses(entry),
        ])  # fmt: skip
    header = ["scenario", "req/s", "p50 ms", "p99 ms", "x bare", "target", "met?", "status"]
    return _rows(header, rows, right={1, 2, 3, 4})


def _figure(target: Target, results: Mapping[str, Any]) -> str:
    value = lookup(results, target.path)
    if value is None:
        return "not measured"
    digits = 3 if target.unit in (" s", "x") else (0 if target.op == ">=" else 2)
    if target.key == "tenant_rss":
        digits = 1
    if target.key == "million_rss":
        digits = 0
    return f"{value:,.{digits}f}{target.unit}"


def figures_table(results: Mapping[str, Any]) -> list[str]:
    met: Mapping[str, bool | None] = results.get("met", {})
    rows = []
    for target in TARGETS:
        if target.path[0] == "scenarios":
            continue
        flag = met.get(target.key)
        note = ""
        if flag is None and lookup(results, target.path) is not None:
            where = ("running", "million", "big_numbers") if "running" in target.path else None
            count = lookup(results, where or ("million", "count"))
            note = f" (n/a: {count:,.0f}-number world)" if count is not None else ""
        rows.append([target.label, _figure(target, results), target.text(), _yes(flag) + note])
    return _rows(["figure", "value", "target", "met?"], rows, right={1})


def prism_table(results: Mapping[str, Any], labels: Mapping[str, str]) -> list[str]:
    """The ``--with-prism`` rows: Prism's figures, its ratio to its bare runs, emulator/Prism."""
    found = results["prism"]
    rows = [
        [
            labels.get(name, name),
            _num(entry["rps"], 1),
            _num(entry["p50_ms"], 2),
            _num(entry["p99_ms"], 2),
            _num(entry["ratio_to_bare"], 3),
            _num(entry.get("emulator_over_prism"), 2),
            _num(entry.get("response_bytes"), 0),
            _statuses(entry)
            + ("" if entry.get("same_status_as_emulator", True)
               else f" (emulator: {entry.get('emulator_status')})"),
        ]
        for name, entry in found["scenarios"].items()
    ]  # fmt: skip
    header = ["Prism scenario", "req/s", "p50 ms", "p99 ms", "x bare", "emulator/prism",
              "body B", "status"]  # fmt: skip
    return [
        f"Prism {found['version']} (Node {found['node']}): {found['command']}; "
        f"paths without {found['path_prefix_removed'] or 'a prefix'}",
        f"{found['note']}. x bare: against a bare run right before it; emulator/prism: the "
        "emulator's x bare over Prism's; body B: Prism's response body, bytes",
        *_rows(header, rows, right={1, 2, 3, 4, 5, 6}),
        f"Prism start to first response: {found['startup_s']:.3f} s (median of "
        f"{len(found['startup_samples_s'])}); peak RSS (VmHWM): {found['rss_mb']:,.1f} MiB",
    ]


def summary_lines(results: Mapping[str, Any], labels: Mapping[str, str]) -> list[str]:
    """Everything ``make bench`` prints after the run, ready to paste into the README."""
    m = results["machine"]
    s = results["settings"]
    lines = [
        f"machine: {m['cpu_model']}, {m['cpus']} CPUs; Python {m['python']}; "
        f"uvicorn {m['uvicorn']} ({m['http']}, {m['loop']}, 1 worker); starlette "
        f"{m['starlette']}; load: {m['load_generator']}",
        f"load: {s['threads']} thread, {s['connections']} connections, {s['duration_s']:g} s "
        f"per scenario after {s['warmup_s']:g} s warm-up, each right after a bare-route run "
        f"(its ratio's base), 127.0.0.1; emulator: telnyx-mock serve "
        f"{' '.join(s['emulator_args'])}; load average at start: {m['loadavg_1m']:.2f}",
        "",
        *scenario_table(results, labels),
        "",
        *([*prism_table(results, labels), ""] if "prism" in results else []),
        *figures_table(results),
    ]
    rss = results.get("rss_mb")
    if rss is not None:
        lines.append("")
        lines.append(
            f"emulator RSS after the scenarios: {rss:,.1f} MiB "
            f"(peak {results.get('rss_peak_mb', 0):,.1f} MiB)"
        )
    million = results.get("million")
    if million:
        filters = ", ".join(f"{k}: {v}" for k, v in million["filters"].items())
        lines.append(f"{million['count']:,}-number world; filter jobs ({filters})")
    met = [v for v in results.get("met", {}).values() if v is not None]
    lines.append(f"targets met: {sum(met)} of {len(met)} measured")
    return lines
