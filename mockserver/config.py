"""Settings: every knob of the emulator in one frozen value, passed down explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: R-CAP: the live API's numbers per batch request
MAX_NUMBERS = 1000


@dataclass(frozen=True)
class Settings:
    """Behaviour switches. Defaults follow the live API where it is documented.

    Each field that changes a contract rule names the fidelity-manifest rule it affects.
    """

    seed: int = 0
    #: world file (``fixtures/world.json`` format); ``None`` = the bundled default world
    world_path: Path | None = None
    #: allowlist of API keys; empty = every bearer key is a tenant
    api_keys: frozenset[str] = frozenset()
    #: R-CAP: numbers per batch request
    max_numbers: int = MAX_NUMBERS
    #: R-MIXED: accept ids and E.164 numbers in one request
    allow_mixed_forms: bool = False
    #: R-JOB-CAP: pending or in-progress jobs per job type
    max_open_jobs: int = 20
    max_open_emergency_jobs: int = 500
    #: job engine: time a job waits in ``pending``; numbers processed per second
    pending_delay_ms: int = 1000
    numbers_per_second: float = 20.0
    #: jobs finish at creation time (no pending, no in_progress phase)
    instant_jobs: bool = False
    #: a job still pending this long after creation ends ``expired`` (0 = never)
    expire_after_ms: int = 0
    #: freeze the clock until /_mock/clock moves it
    manual_clock: bool = False
    #: serve the /_mock/ test controls
    control: bool = True
    #: request limits (bad input)
    max_body_bytes: int = 1024 * 1024
    max_json_depth: int = 32
    #: per-tenant request journal size (entries) and bytes kept of each request/response body
    journal_size: int = 1000
    journal_body_bytes: int = 64 * 1024
    #: per-key rate limit (requests per second, token bucket on the tenant clock); None = off
    rate_limit_per_second: float | None = None
    #: tenant lifecycle: evict a tenant idle this long (wall-clock seconds since its last
    #: request; 0 = never), and beyond this many the least recently used (0 = no bound)
    tenant_idle_s: float = 3600.0
    max_tenants: int = 1000
    #: job retention: finished jobs kept per tenant, the oldest finished first out; an open job
    #: is never dropped (0 = keep all)
    max_jobs: int = 10_000
