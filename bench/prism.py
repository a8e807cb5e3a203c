"""``make bench ARGS=--with-prism``: Prism, Stoplight's OpenAPI mock server, as a second reference.

Prism (Node) serves the official spec excerpt in static-examples mode: it validates each request
against the spec and answers the spec's example, so it enforces none of the business rules (ids
that exist, the cap of open jobs, ownership, 1,000 numbers at most...). It is installed with npm
into ``bench/.cache/prism/`` at a pinned version and started as ``prism mock <spec> -h 127.0.0.1
-p <port> --verboseLevel warn`` (no per-request log lines: the emulator runs with
``--no-access-log``). The excerpt loads unchanged; Prism ignores the path of the spec's server
URL, so its requests go to the operation paths without the ``/v2`` prefix.

Its phase comes after the emulator's: a bare-route server and Prism up, and each of the two
update-job scenarios measured right after a bare run, with the same wrk settings. The
emulator/Prism figure is the quotient of their ratios to the bare route (each against the bare
run just before it), so drift of the machine between the two phases cancels out.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench import report, servers
from bench import wrk as wrk_
from bench.scenarios import UPDATE, Scenario
from bench.wrk import HarnessError

PACKAGE = "@stoplight/prism-cli"
#: the newest release whose ``engines`` admit Node 20 (5.15 and later need Node >= 24.14)
VERSION = "5.14.2"
CACHE = servers.ROOT / "bench" / ".cache" / "prism"
#: the verbatim excerpt of Telnyx's spec, vendored in the repository (``--prism-spec`` overrides)
DEFAULT_SPEC = servers.ROOT / "schemas" / "reference" / "telnyx-phone-number-jobs.openapi.json"
#: no per-request log lines (the emulator runs with --no-access-log); Prism's default is "info",
#: logs four lines per request and cuts its throughput by about half (2 numbers) to 70 % (1,000)
LOG_LEVEL = "warn"
LOG_LEVELS = ("trace", "debug", "info", "warn", "error", "fatal", "silent")
#: the emulator scenarios Prism runs too (the rest need state Prism does not keep)
SCENARIOS = ("update_2", "update_1000")
#: readiness: any answer to an authorized GET of the job list is Prism's first response
READY_PATH = "/phone_numbers/jobs"
READY_KEY = "bench-prism"
NOTE = (
    "Prism enforces none of the business rules: it validates the request against the spec and "
    "answers the spec's example"
)

Run = Callable[..., "subprocess.CompletedProcess[str]"]


# --- installation ---------------------------------------------------------------------------


def cli_path(prefix: Path) -> Path:
    """The JavaScript entry point ``prism`` runs (started with ``node`` so its pid is Node's)."""
    return prefix / "node_modules" / "@stoplight" / "prism-cli" / "dist" / "index.js"


def installed_version(prefix: Path) -> str | None:
    """The version of the prism-cli package under ``prefix``; ``None`` when absent or broken."""
    manifest = prefix / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
    try:
        version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(version, str) or not cli_path(prefix).is_file():
        return None
    return version


def install_command(npm: str, prefix: Path, version: str = VERSION) -> list[str]:
    return [
        npm, "install", "--prefix", str(prefix), f"{PACKAGE}@{version}",
        "--save-exact", "--no-audit", "--no-fund", "--loglevel=error",
    ]  # fmt: skip


def _last_line(text: str, fallback: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else fallback


def ensure_prism(
    prefix: Path = CACHE,
    version: str = VERSION,
    *,
    install: bool = True,
    which: Callable[[str], str | None] = shutil.which,
    run: Run = subprocess.run,
) -> tuple[str, Path]:
    """``(node, cli)`` of the pinned Prism; installs it with npm under ``prefix`` when missing."""
    node = which("node")
    if node is None:
        raise HarnessError("--with-prism needs Node.js (node is not on PATH); install Node >= "
                           "18.20.1 with npm, or run without --with-prism")  # fmt: skip
    if installed_version(prefix) == version:
        return node, cli_path(prefix)
    if not install:
        raise HarnessError(f"{PACKAGE}@{version} is not installed in {prefix} (--no-install)")
    npm = which("npm")
    if npm is None:
        raise HarnessError(f"--with-prism needs npm to install {PACKAGE}@{version} (npm is not "
                           "on PATH); install npm, or run without --with-prism")  # fmt: skip
    prefix.mkdir(parents=True, exist_ok=True)
    command = install_command(npm, prefix, version)
    print(f"bench: installing {PACKAGE}@{version} into {prefix} (npm)", file=sys.stderr)
    try:
        done = run(command, capture_output=True, text=True, check=False, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HarnessError(f"`{' '.join(command)}` failed ({exc})") from exc
    found = installed_version(prefix)
    if done.returncode != 0 or found != version:
        why = _last_line(done.stderr or done.stdout or "", f"exit {done.returncode}")
        raise HarnessError(f"`{' '.join(command)}` failed ({why})")
    return node, cli_path(prefix)


def node_version(node: str, run: Run = subprocess.run) -> str:
    done = run([node, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


# --- the spec ---------------------------------------------------------------------------------


def load_spec(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HarnessError(f"--with-prism needs the OpenAPI excerpt: cannot read {path} "
                           f"({exc.strerror}); pass --prism-spec PATH") from exc  # fmt: skip
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise HarnessError(f"{path} is not JSON ({exc}); pass --prism-spec PATH") from exc
    if not isinstance(doc, dict):
        raise HarnessError(f"{path} is not an OpenAPI document")
    return doc


def base_path(doc: Mapping[str, Any]) -> str:
    """The path of the first server URL (``/v2``); Prism matches paths without it."""
    found = doc.get("servers") or [{}]
    url = found[0].get("url", "") if isinstance(found[0], Mapping) else ""
    return urlsplit(url).path.rstrip("/")


def check_spec(doc: Mapping[str, Any], emulator_paths: Sequence[str]) -> str:
    """What Prism needs of the document: OpenAPI 3 with a POST on each of the emulator's paths
    (less the server's base path); returns that base path."""
    if not str(doc.get("openapi", "")).startswith("3."):
        raise HarnessError("the Prism spec is not an OpenAPI 3 document")
    base, paths = base_path(doc), doc.get("paths")
    for path in emulator_paths:
        served = urlsplit(prism_path(path, base)).path
        operation = paths.get(served, {}).get("post") if isinstance(paths, Mapping) else None
        if not isinstance(operation, Mapping):
            raise HarnessError(f"the Prism spec has no POST {served}")
    return base


def prism_path(path: str, base: str) -> str:
    """An emulator URL path as Prism serves it: the server's base path removed."""
    if base and (path == base or path.startswith((base + "/", base + "?"))):
        return path[len(base) :] or "/"
    return path


def spec_facts(path: Path) -> dict[str, Any]:
    return {
        "path": str(path),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "changes": "none: Prism loads the excerpt as it is",
    }


def setup(spec_path: Path, *, install: bool = True) -> tuple[str, Path]:
    """Before any measuring: Prism installed (or installable) and the spec usable."""
    installed = ensure_prism(install=install)
    check_spec(load_spec(spec_path), [UPDATE])
    return installed


# --- commands, scenarios, results ---------------------------------------------------------------


def mock_command(
    node: str, cli: Path, spec: Path, port: int, log_level: str = LOG_LEVEL
) -> list[str]:
    return [
        node, str(cli), "mock", str(spec), "-h", servers.HOST, "-p", str(port),
        "--verboseLevel", log_level,
    ]  # fmt: skip


def display_command(spec: Path, log_level: str = LOG_LEVEL) -> str:
    return f"prism mock {spec} -h {servers.HOST} -p <port> --verboseLevel {log_level}"


def prism_scenarios(emulator: Sequence[Scenario], base: str) -> list[Scenario]:
    """The update-job scenarios, same bodies and keys, on Prism's paths."""
    by_name = {s.name: s for s in emulator}
    missing = [n for n in SCENARIOS if n not in by_name]
    if missing:
        raise HarnessError(f"no emulator scenario {', '.join(missing)} to run against Prism")
    return [replace(by_name[n], path=prism_path(by_name[n].path, base)) for n in SCENARIOS]


def emulator_over_prism(
    emulator: Mapping[str, Any] | None, prism: Mapping[str, Any]
) -> float | None:
    """How many times the emulator's throughput Prism's is, both as ratios to the bare route."""
    if not emulator:
        return None
    mine, theirs = emulator.get("ratio_to_bare"), prism.get("ratio_to_bare")
    if not isinstance(mine, int | float) or not isinstance(theirs, int | float) or theirs <= 0:
        return None
    return round(mine / theirs, 3)


def prism_entry(
    measured: Mapping[str, Any],
    probe: tuple[int, bytes],
    emulator_status: int,
    bare_rps: float,
) -> dict[str, Any]:
    """A Prism row: the harness's scenario entry, its expected status the one Prism's probe got
    (a different status is recorded, not a failure), and the size of that probe's body."""
    probe_status, body = probe
    entry = report.scenario_entry(measured, probe_status, bare_rps)
    entry["bare_rps"] = round(bare_rps, 1)
    entry["response_bytes"] = len(body)
    entry["emulator_status"] = emulator_status
    entry["same_status_as_emulator"] = probe_status == emulator_status
    return entry


def shape(
    version: str,
    node: str,
    spec: Mapping[str, Any],
    base: str,
    rows: Mapping[str, dict[str, Any]],
    emulator_rows: Mapping[str, Any],
    startup_samples: Sequence[float],
    memory: tuple[float, float],
    log_level: str = LOG_LEVEL,
) -> dict[str, Any]:
    """The ``prism`` key of ``latest.json``."""
    scenarios = {
        name: {**row, "emulator_over_prism": emulator_over_prism(emulator_rows.get(name), row)}
        for name, row in rows.items()
    }
    return {
        "version": version,
        "node": node,
        "command": display_command(Path(spec["path"]), log_level),
        "log_level": log_level,
        "spec": dict(spec),
        "path_prefix_removed": base,
        "note": NOTE,
        "scenarios": scenarios,
        "startup_s": round(servers.median(list(startup_samples)), 3),
        "startup_samples_s": [round(s, 3) for s in startup_samples],
        "rss_mb": round(memory[1], 1),
        "rss_now_mb": round(memory[0], 1),
    }


# --- the measuring half ---------------------------------------------------------------------------


class PrismServer(servers.Server):
    """Prism is ready when it answers anything (it listens only once the spec is loaded)."""

    def answering(self) -> bool:
        try:
            servers.request(self.port, "GET", self.ready_path, None, READY_KEY)
        except OSError:
            return False
        return True


def _server(command: Callable[[int], list[str]], log: Path) -> PrismServer:
    port = servers.free_port()
    return PrismServer("prism", command(port), port, READY_PATH, log)


def _script(scenario: Scenario, tmp: Path) -> Path:
    body_file = None
    if scenario.body is not None:
        body_file = tmp / f"prism-{scenario.name}.json"
        body_file.write_bytes(scenario.body)
    script = tmp / f"prism-{scenario.name}.lua"
    key_prefix = f"{scenario.api_key}-" if scenario.rotate_keys else None
    script.write_text(wrk_.lua_script(scenario.method, scenario.headers(), body_file, key_prefix))
    return script


def startup_seconds(command: Callable[[int], list[str]], runs: int, log: Path) -> list[float]:
    samples = []
    for _ in range(runs):
        server = _server(command, log)
        try:
            samples.append(server.start(timeout_s=120))
        finally:
            server.stop()
    return samples


def measure(
    wrk_path: str,
    tmp: Path,
    settings: Mapping[str, Any],
    installed: tuple[str, Path],
    spec_path: Path,
    emulator: Sequence[Scenario],
    emulator_rows: Mapping[str, Any],
) -> dict[str, Any]:
    """Prism's start-up, memory and update-job figures; ``settings``: duration, warmup,
    connections, threads, startup_runs (those of the emulator's phase), prism_log_level."""
    node, cli = installed
    level = settings.get("prism_log_level", LOG_LEVEL)

    def command(port: int) -> list[str]:
        return mock_command(node, cli, spec_path, port, level)

    base = check_spec(load_spec(spec_path), [s.path for s in emulator if s.name in SCENARIOS])
    chosen = prism_scenarios(emulator, base)
    options = {"connections": settings["connections"], "threads": settings["threads"]}

    def run(url: str, script: Path, seconds: float) -> dict[str, Any]:
        return wrk_.run(wrk_path, url, script, duration_s=seconds, **options)

    samples = startup_seconds(command, settings["startup_runs"], tmp / "prism.log")
    port = servers.free_port()
    bare = servers.Server("bare app", servers.bare_command(port), port, "/", tmp / "bare-p.log")
    prism = _server(command, tmp / "prism.log")
    rows: dict[str, dict[str, Any]] = {}
    with bare, prism:
        bare_script = _script(Scenario("bare", "bare", "GET", "/", 200), tmp)
        if settings["warmup"] > 0:
            run(bare.url + "/", bare_script, settings["warmup"])
        for scenario in chosen:
            probe = servers.request(prism.port, scenario.method, scenario.path,
                                        scenario.body, scenario.api_key)  # fmt: skip
            script, url = _script(scenario, tmp), prism.url + scenario.path
            if settings["warmup"] > 0:
                run(url, script, settings["warmup"])
            bare_rps = run(bare.url + "/", bare_script, settings["duration"])["rps"]
            measured = run(url, script, settings["duration"])
            rows[scenario.name] = prism_entry(measured, probe, scenario.expected_status, bare_rps)
            print(f"bench: prism {scenario.label}: {measured['rps']:,.1f} req/s ({probe[0]})",
                  file=sys.stderr, flush=True)  # fmt: skip
        memory = prism.memory_mib()
    facts = spec_facts(spec_path)
    return shape(VERSION, node_version(node), facts, base, rows, emulator_rows, samples, memory,
                 level)  # fmt: skip
