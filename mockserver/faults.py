"""Fault injection and the optional per-key rate limit (pure Python, no Starlette).

A tenant's faults are rules checked in order against each data-plane request: ``latency`` delays
it, ``status`` answers it with a Telnyx error envelope instead of the handler, ``drop`` closes the
connection without a response. A rule can be scoped to a method, a route (a path prefix, a glob
or an anchored literal, matched in linear time: ``mockserver/path_patterns.py``), the next
``times`` matching requests, or a probability drawn from the tenant's own seeded random source
(never the global one). A tenant holds at most ``MAX_FAULTS`` request faults at once.
"""

from __future__ import annotations

import builtins
import logging
import math
from dataclasses import dataclass, field
from typing import Any

from mockserver import errors
from mockserver.api_paths import api_path
from mockserver.ids import IdSource
from mockserver.path_patterns import Matcher, RouteError, fault_route

REQUEST_KINDS = ("status", "latency", "drop")
JOB_KINDS = ("expire_jobs", "fail_jobs")
KINDS = REQUEST_KINDS + JOB_KINDS
STATUSES = (429, 500, 503)
FIELDS = frozenset(
    {"kind", "status", "ms", "route", "method", "times", "probability", "retry_after", "limit"}
)
MAX_LATENCY_MS = 60_000
DEFAULT_LIMIT = 100  # x-ratelimit-limit of an injected 429 (the live limits are not documented)
#: request faults one tenant may hold at once (C-FAULT-LIMIT): every request checks them all
MAX_FAULTS = 20


class ConnectionDropped(Exception):
    """Raised by the middleware to close a connection without a response (the ``drop`` fault)."""


class DropLogFilter(logging.Filter):
    """Keeps the server's "Exception in ASGI application" traceback out of the log for drops."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


@dataclass
class Fault:
    """One injected request fault. ``times`` is what is left (``None`` = unlimited)."""

    id: str
    kind: str
    status: int | None = None
    ms: int = 0
    route: str | None = None
    method: str | None = None
    times: int | None = None
    probability: float | None = None
    retry_after: float | None = None
    limit: int = DEFAULT_LIMIT
    fired: int = 0
    matcher: Matcher | None = field(default=None, repr=False, compare=False)

    def matches(self, method: str, bare_path: str) -> bool:
        """Whether a request is in scope (``bare_path``: the path without ``/v2``)."""
        if self.method is not None and self.method != method:
            return False
        return self.matcher is None or self.matcher.matches(bare_path)

    @property
    def label(self) -> str:
        return f"status:{self.status}" if self.kind == "status" else self.kind

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind}
        if self.kind == "status":
            out["status"] = self.status
            out["retry_after"] = self.retry_after
        if self.kind == "latency":
            out["ms"] = self.ms
        out.update(
            route=self.route, method=self.method, times=self.times,
            probability=self.probability, fired=self.fired,
        )  # fmt: skip
        return out

    def error(self) -> errors.ApiError:
        """The Telnyx error envelope a ``status`` fault answers with."""
        if self.status == 429:
            wait = self.retry_after
            return r_rate_limit(self.limit, 0, math.ceil(wait if wait else 1), wait)
        if self.status == 503:
            return f_fault_503(self.retry_after)
        return f_fault_500(self.retry_after)


def f_fault_500(retry_after: float | None) -> errors.ApiError:
    """F-FAULT-500: an injected 500, 10007 as the catalogue has it; Retry-After only if set."""
    err = errors.error(500, errors.UNEXPECTED, errors.T_UNEXPECTED, errors.D_UNEXPECTED)
    if retry_after is not None:
        err.headers["Retry-After"] = _seconds(retry_after)
    return err


def f_fault_503(retry_after: float | None) -> errors.ApiError:
    """F-FAULT-503: an injected 503 'Service unavailable'; Retry-After only if set."""
    err = errors.error(503, errors.UNEXPECTED, errors.T_UNAVAILABLE, errors.D_UNAVAILABLE)
    if retry_after is not None:
        err.headers["Retry-After"] = _seconds(retry_after)
    return err


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def r_rate_limit(
    limit: float, remaining: int, reset: int, retry_after: float | None
) -> errors.ApiError:
    """R-RATE-LIMIT: the documented 429 (code 10011) with ``x-ratelimit-*`` and ``Retry-After``
    headers (the rate limiter's answer, and an injected 429's)."""
    err = errors.error(429, errors.TOO_MANY_REQUESTS, errors.T_TOO_MANY, errors.D_TOO_MANY)
    err.headers = rate_headers(limit, remaining, reset)
    err.headers["Retry-After"] = _seconds(retry_after if retry_after is not None else 1)
    return err


def rate_headers(limit: float, remaining: int, reset: int) -> dict[str, str]:
    return {
        "x-ratelimit-limit": f"{limit:g}",
        "x-ratelimit-remaining": str(max(0, remaining)),
        "x-ratelimit-reset": str(max(0, reset)),
    }


def _number(body: dict[str, Any], name: str) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise errors.bad_request(errors.D_NUMBER, pointer=f"/{name}")
    try:
        number = float(value)  # an integer beyond the float range overflows here
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise errors.bad_request(errors.D_NUMBER, pointer=f"/{name}")
    return number


def _integer(body: dict[str, Any], name: str, low: int, high: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        detail = errors.D_INTEGER_RANGE.format(low=low, high=high)
        raise errors.bad_request(detail, pointer=f"/{name}")
    return value


def parse_spec(body: Any, fault_id: str) -> Fault:
    """Validate a ``POST /_mock/faults`` body; every mistake is a 422 naming the field."""
    if not isinstance(body, dict):
        raise errors.error(400, errors.INVALID_JSON, errors.T_INVALID_JSON, errors.D_NOT_AN_OBJECT)
    for name in body:
        if name not in FIELDS:
            raise errors.bad_request(errors.D_FAULT_FIELD, pointer=f"/{name}")
    kind = body.get("kind")
    if kind not in KINDS:
        raise errors.bad_request(errors.D_ONE_OF.format(values=", ".join(KINDS)), pointer="/kind")
    fault = Fault(fault_id, kind, times=_integer(body, "times", 1, 1_000_000))
    if kind in JOB_KINDS:
        fault.times = fault.times or 1
        return fault
    if kind == "status":
        status = body.get("status")
        if status not in STATUSES:
            detail = errors.D_ONE_OF.format(values=", ".join(map(str, STATUSES)))
            raise errors.bad_request(detail, pointer="/status")
        fault.status = status
        retry_after = _number(body, "retry_after")
        if retry_after is not None and not 0 <= retry_after <= 3600:
            raise errors.bad_request(errors.D_RETRY_AFTER, pointer="/retry_after")
        fault.retry_after = 1.0 if retry_after is None and status == 429 else retry_after
        fault.limit = _integer(body, "limit", 1, 1_000_000) or DEFAULT_LIMIT
    elif kind == "latency":
        ms = _integer(body, "ms", 0, MAX_LATENCY_MS)
        if ms is None:
            detail = errors.D_INTEGER_RANGE.format(low=0, high=MAX_LATENCY_MS)
            raise errors.bad_request(detail, pointer="/ms")
        fault.ms = ms
    route = body.get("route")
    if route is not None:
        fault.route, fault.matcher = route, c_fault_route(route)
    method = body.get("method")
    if method is not None:
        if not isinstance(method, str) or not method.isalpha():
            raise errors.bad_request(errors.D_HTTP_METHOD, pointer="/method")
        fault.method = method.upper()
    probability = _number(body, "probability")
    if probability is not None and not 0 < probability <= 1:
        raise errors.bad_request(errors.D_PROBABILITY, pointer="/probability")
    fault.probability = probability
    return fault


def c_fault_route(route: Any) -> Matcher:
    """C-FAULT-ROUTE: a route is a path prefix, a glob or an anchored literal (never a regex
    run on the event loop); anything else is a 422 naming ``/route``."""
    if not isinstance(route, str):
        raise errors.bad_request(errors.D_FAULT_ROUTE, pointer="/route")
    try:
        return fault_route(route)
    except RouteError:
        raise errors.bad_request(errors.D_FAULT_ROUTE, pointer="/route") from None


def c_fault_limit(held: int) -> None:
    """C-FAULT-LIMIT: at most ``MAX_FAULTS`` request faults per tenant at once."""
    if held >= MAX_FAULTS:
        raise errors.bad_request(errors.D_FAULT_LIMIT.format(limit=MAX_FAULTS))


class FaultSet:
    """One tenant's request faults and its seeded random source."""

    def __init__(self, seed: int, key: str) -> None:
        self._rng = IdSource(seed, f"faults:{key}")
        self._faults: list[Fault] = []
        self._next = 0

    def add(self, body: Any) -> Fault:
        fault = parse_spec(body, f"fault_{self._next + 1}")
        c_fault_limit(len(self._faults))
        self._next += 1
        self._faults.append(fault)
        return fault

    def list(self) -> list[Fault]:
        return list(self._faults)

    def match(self, method: str, path: str) -> tuple[int, Fault | None]:
        """Fire the faults a request meets: (total latency in ms, the status/drop fault or None).

        Every matching latency fault adds its delay; the first matching status or drop fault
        answers the request. A probability is drawn only for a fault whose scope matches.
        """
        delay = 0
        answer: Fault | None = None
        bare = api_path(path)
        for fault in list(self._faults):
            if (answer is not None and fault.kind != "latency") or not fault.matches(method, bare):
                continue
            if fault.probability is not None and self._rng.random() >= fault.probability:
                continue
            fault.fired += 1
            if fault.times is not None:
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
            if fault.kind == "latency":
                delay += fault.ms
            else:
                answer = fault
        return delay, answer

    def __len__(self) -> int:
        return len(self._faults)

    @property
    def next_number(self) -> int:
        """How many faults were ever added (the next one is ``fault_<next_number + 1>``)."""
        return self._next

    def random_state(self) -> builtins.list[Any]:
        return self._rng.state()

    def restore(
        self, next_number: int, random_state: builtins.list[Any], faults: builtins.list[Fault]
    ) -> None:
        """Take saved state (a snapshot being read)."""
        self._rng.restore(random_state)
        self._next = next_number
        self._faults = list(faults)


class Faults:
    """Every tenant's request faults. Clearing a tenant's faults restarts its random source."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._sets: dict[str, FaultSet] = {}

    def of(self, key: str) -> FaultSet:
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = FaultSet(self.seed, key)
        return found

    def peek(self, key: str) -> FaultSet | None:
        """The tenant's faults if it has any (the request hot path creates nothing)."""
        found = self._sets.get(key)
        return found if found else None

    def clear(self, key: str) -> int:
        found = self._sets.pop(key, None)
        return 0 if found is None else len(found)

    def clear_all(self) -> None:
        self._sets.clear()

    def fresh(self, key: str) -> FaultSet:
        """A new, empty set for ``key`` (not stored: see :meth:`put`)."""
        return FaultSet(self.seed, key)

    def put(self, key: str, faults: FaultSet | None) -> None:
        """Replace ``key``'s faults (a snapshot being read)."""
        if faults is None:
            self._sets.pop(key, None)
        else:
            self._sets[key] = faults


@dataclass(frozen=True)
class Allowance:
    """The rate limiter's answer for one request."""

    allowed: bool
    limit: float
    remaining: int
    reset: int
    wait: int

    def headers(self) -> dict[str, str]:
        return rate_headers(self.limit, self.remaining, self.reset)

    def error(self) -> errors.ApiError:
        return r_rate_limit(self.limit, self.remaining, self.reset, self.wait)


class RateLimiter:
    """A token bucket per key on the tenant's clock: ``rate`` requests per second, bursts of
    ``max(1, rate)``. On a manual clock the bucket refills only when the clock moves."""

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("a rate limit must be greater than 0")
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._buckets: dict[str, tuple[float, int]] = {}

    def take(self, key: str, now_ms: int) -> Allowance:
        """Spend one token if there is one."""
        tokens, last = self._buckets.get(key, (self.capacity, now_ms))
        if now_ms > last:
            tokens = min(self.capacity, tokens + (now_ms - last) / 1000 * self.rate)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        self._buckets[key] = (tokens, now_ms)
        return Allowance(
            allowed,
            self.capacity,
            math.floor(tokens),
            reset=math.ceil((self.capacity - tokens) / self.rate),
            wait=0 if allowed else math.ceil((1 - tokens) / self.rate),
        )

    def forget(self, key: str | None = None) -> None:
        """Refill one key's bucket (every key's without one)."""
        if key is None:
            self._buckets.clear()
        else:
            self._buckets.pop(key, None)
