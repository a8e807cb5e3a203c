"""``telnyx-mock``: the command line: ``serve``, ``world`` (``mockserver/world_cli.py``), and the
cassette commands ``record``, ``replay``, ``check-cassette`` (each in
``mockserver/cassette/cli_*.py``). Listening commands start through ``mockserver.launch``."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import math
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from mockserver import __version__, environment, launch, startup, world_cli
from mockserver.cassette import cli_check, cli_record, cli_replay
from mockserver.config import Settings
from mockserver.faults import DropLogFilter
from mockserver.listen import DEFAULT_HOST, DEFAULT_PORT, RECORD_PORT, REPLAY_PORT, add_address

__all__ = [
    "DEFAULT_HOST", "DEFAULT_PORT", "RECORD_PORT", "REPLAY_PORT", "build_parser", "main",
    "settings_from", "tune_gc",
]  # fmt: skip

# each module: HELP, configure(parser) (cheap: heavy imports wait for run), run(args) -> exit code
_CASSETTE_COMMANDS = {
    "record": cli_record,
    "replay": cli_replay,
    "check-cassette": cli_check,
}


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number: {text!r}")
    return value


def _positive_float(text: str) -> float:
    value = _finite(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0: {text!r}")
    return value


def _non_negative_float(text: str) -> float:
    value = _finite(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"not a whole number of 0 or more: {text!r}")
    return int(text)


def _world(text: str) -> Path:
    path = Path(text)
    target = path / "world.json" if path.is_dir() else path
    if not target.is_file():
        raise argparse.ArgumentTypeError(f"no world file at {target}")
    return path


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def build_parser(environ: Mapping[str, str] | None = None) -> argparse.ArgumentParser:
    """The command line; ``environ`` (``main`` passes ``os.environ``) gives ``serve`` defaults
    from ``TELNYX_MOCK_*`` variables (the command line wins)."""
    parser = argparse.ArgumentParser(
        prog="telnyx-mock",
        description="A faithful, stateful emulator of Telnyx's phone-number batch-jobs API.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser("serve", help="run the emulator over HTTP", epilog=environment.EPILOG)
    add_address(serve)
    serve.add_argument("--seed", type=int, default=0, help="seed of ids and outcomes (default 0)")
    serve.add_argument(
        "--fixtures", type=_world, default=None, help="world file or folder holding world.json"
    )
    serve.add_argument(
        "--api-key", action="append", default=[], metavar="KEY",
        help="allow only this key (repeatable); without it every bearer key is a tenant",
    )  # fmt: skip
    clock = serve.add_argument_group("time and jobs")
    clock.add_argument(
        "--manual-clock", action="store_true", help="freeze time until /_mock/clock moves it"
    )
    clock.add_argument(
        "--pending-delay", type=_non_negative_float, default=1.0, metavar="SECONDS",
        help="time a job waits in pending (default %(default)s)",
    )  # fmt: skip
    clock.add_argument(
        "--numbers-per-second", type=_positive_float, default=20.0, metavar="N",
        help="how fast a job processes its numbers (default %(default)s)",
    )  # fmt: skip
    clock.add_argument(
        "--instant", action="store_true", help="jobs finish the moment they are created"
    )
    rules = serve.add_argument_group("rules")
    rules.add_argument(
        "--allow-mixed", action="store_true", help="accept ids and E.164 numbers in one request"
    )
    rules.add_argument(
        "--max-numbers", type=_count, default=1000, help="numbers per batch (default %(default)s)"
    )
    rules.add_argument(
        "--rate-limit", type=_positive_float, default=None, metavar="N",
        help="allow N requests per second per key: beyond, a 429 (code 10011) with Retry-After; "
        "every response gets x-ratelimit-* headers (default: no limit)",
    )  # fmt: skip
    lifecycle = serve.add_argument_group("tenants (one per bearer key)")
    lifecycle.add_argument(
        "--tenant-idle", type=_non_negative_float, default=3600.0, metavar="SECONDS",
        help="evict a tenant idle this long (wall clock since its last request; 0: never; "
        "default %(default)s); its key starts again from the default world",
    )  # fmt: skip
    lifecycle.add_argument(
        "--max-tenants", type=_non_negative_int, default=1000, metavar="N",
        help="keep at most N tenants, evicting the least recently used (0: no bound; "
        "default %(default)s)",
    )  # fmt: skip
    lifecycle.add_argument(
        "--max-jobs", type=_non_negative_int, default=10_000, metavar="N",
        help="finished jobs (and, apart, CSV downloads) kept per tenant, the oldest finished "
        "first out; an open one is never dropped (0: keep all; default %(default)s)",
    )  # fmt: skip
    saved = serve.add_argument_group("state that survives a restart")
    saved.add_argument(
        "--state", type=Path, default=None, metavar="FILE",
        help="read every tenant from FILE on start (if it exists); write them to it on "
        "SIGINT/SIGTERM and every --state-interval (atomically)",
    )  # fmt: skip
    saved.add_argument(
        "--state-interval", type=_non_negative_float, default=60.0, metavar="SECONDS",
        help="seconds between two snapshots with --state (0: only on shutdown; "
        "default %(default)s)",
    )  # fmt: skip
    serve.add_argument(
        "--no-control", action="store_true", help="remove the /_mock/ test controls entirely"
    )
    serve.add_argument(
        "--access-log", action=argparse.BooleanOptionalAction, default=True,
        help="one line per request (default on; --no-access-log for benchmarks)",
    )  # fmt: skip
    serve.add_argument(
        "--log-format", choices=("text", "json"), default="text",
        help="one log line per request, as text or JSON (default %(default)s)",
    )  # fmt: skip
    for name, module in _CASSETTE_COMMANDS.items():
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(command)
    world = sub.add_parser("world", help=world_cli.HELP, description=world_cli.HELP)
    world_cli.configure(world)
    if environ is not None:
        environment.apply(serve, environ)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(
        seed=args.seed,
        world_path=args.fixtures,
        api_keys=frozenset(
            args.api_key or getattr(args, environment.ENV_LIST_PREFIX + "api_key", ())
        ),
        manual_clock=args.manual_clock,
        pending_delay_ms=round(args.pending_delay * 1000),
        numbers_per_second=args.numbers_per_second,
        instant_jobs=args.instant,
        allow_mixed_forms=args.allow_mixed,
        max_numbers=args.max_numbers,
        control=not args.no_control,
        rate_limit_per_second=args.rate_limit,
        tenant_idle_s=args.tenant_idle,
        max_tenants=args.max_tenants,
        max_jobs=args.max_jobs,
    )


class JsonLines(logging.Formatter):
    """One JSON object per line: a record's ``fields`` (request lines, ready) or its message."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None)
        if not isinstance(fields, dict):
            fields = {
                "event": "log",
                "level": record.levelname.lower(),
                "message": record.getMessage(),
            }
        return json.dumps({"ts": round(record.created, 3), **fields}, separators=(",", ":"))


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """Request lines (``mockserver.access``) and the emulator's own, as text or JSON lines."""
    handler = launch.StderrHandler()
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter("%(message)s"))
    for name in ("mockserver", "uvicorn.error"):
        log = logging.getLogger(name)
        log.handlers[:] = [handler]
        log.propagate = False
    logging.getLogger("mockserver").setLevel(level)
    logging.getLogger("uvicorn.error").addFilter(DropLogFilter())


def tune_gc() -> None:
    """For the server process only (never the in-process plugin, which shares the user's
    interpreter): what exists at start-up (modules, schemas) leaves the collector's view, and
    young collections run every 50,000 allocations instead of 700. A 1,000-number job allocates
    thousands of containers; with the defaults, collections cost ~40% of its creation."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def _serve(args: argparse.Namespace) -> int:
    from mockserver import serving, state_file
    from mockserver.app import create_app
    from mockserver.snapshot_check import SnapshotError
    from mockserver.world import build_template
    from mockserver.world_check import WorldError

    started = time.perf_counter()
    settings = settings_from(args)
    level = launch.level_of(args)
    progress = startup.ProgressLine(enabled=level <= logging.INFO)
    try:
        template = build_template(settings.world_path, progress)
    except (WorldError, OSError) as exc:
        progress.done()
        shown = settings.world_path or "the default world"
        what = "is not a valid world file" if isinstance(exc, WorldError) else "cannot be read"
        return startup.fail("serve", f"{shown} {what}: {exc}")
    progress.done()
    app = create_app(settings, template=template)
    configure_logging(args.log_format, level)
    if args.state is not None and args.state.exists():
        try:
            loaded = state_file.read(args.state, app.state)
        except (SnapshotError, OSError) as exc:
            return startup.fail("serve", f"{args.state} cannot be restored: {exc}")
        logging.getLogger("mockserver").info("state: %d tenant(s) restored from %s", loaded,
                                             args.state)  # fmt: skip
    tune_gc()
    if not args.access_log:
        logging.getLogger("mockserver.access").setLevel(logging.WARNING)
    log = logging.getLogger("mockserver")
    ready = time.perf_counter() - started

    def banner(url: str, port: int) -> None:  # after the bind: the real port
        fields = {"event": "ready", "version": __version__, "host": args.host, "port": port,
                  "url": url, "build_s": round(ready, 3)}  # fmt: skip
        log.info("telnyx-mock %s on %s (built in %.3fs)", __version__, url, ready,
                 extra={"fields": fields})  # fmt: skip

    saving = (
        None if args.state is None
        else serving.StateSaving(args.state, args.state_interval, app.state)
    )  # fmt: skip
    return launch.serve(
        app, command="serve", host=args.host, port=args.port, banner=banner, level=level,
        own_logging=True, saving=saving,
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser(os.environ).parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command in _CASSETTE_COMMANDS:
        code: int = _CASSETTE_COMMANDS[args.command].run(args)
        return code
    if args.command == "world":
        return world_cli.run(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
