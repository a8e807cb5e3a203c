"""Tenants: every bearer key gets its own tenant, forked from the template on first use.

Authentication is here too (R-AUTH, R-AUTH-ALLOWLIST, R-TENANTS, in the manifest's order): the
middleware resolves a request's key once and hands the tenant on in the request's state.

A server left running sees keys come and go (a CI farm uses a key per run), so tenants leave
too: a tenant idle for ``Settings.tenant_idle_s`` (wall-clock time since its last request) is
evicted, and beyond ``Settings.max_tenants`` the least recently used one is. An evicted key
starts again from the default world, exactly as after ``POST /_mock/reset``; each eviction is
logged (with a digest of the key, never the key itself).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator

from mockserver import errors
from mockserver.clock import Clock
from mockserver.config import Settings
from mockserver.inventory import Inventory
from mockserver.journal import fingerprint
from mockserver.tenant import Tenant

log = logging.getLogger("mockserver")

WallClock = Callable[[], float]  # seconds, only differences matter (monotonic)
IDLE = "idle"
LRU = "max-tenants"


def r_auth(header: str | None) -> str | None:
    """R-AUTH: the key of an ``Authorization: Bearer <key>`` header; ``None`` (the 401) without
    a header, for another scheme or an empty key."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return r_auth_spaces(token)


def r_auth_spaces(token: str) -> str | None:
    """R-AUTH-SPACES: any non-empty bearer token is a key, spaces inside it included (the SDK's
    own tests use ``My API Key``); only an empty one (or all spaces) is none."""
    key = token.strip()
    return key or None


def r_auth_allowlist(key: str | None, allowed: frozenset[str]) -> str | None:
    """R-AUTH-ALLOWLIST: with an allowlist (``--api-key``), any other key is the same 401."""
    if key is None or (allowed and key not in allowed):
        return None
    return key


def r_tenants(key: str, settings: Settings, template: Inventory, clock: Clock) -> Tenant:
    """R-TENANTS: a key's own tenant (numbers, jobs, ids, clock), forked from the template."""
    return Tenant(key, settings, template, clock)


class Tenants:
    """Every live tenant, least recently used first."""

    def __init__(
        self,
        settings: Settings,
        template: Inventory,
        clock: Clock,
        *,
        wall: WallClock = time.monotonic,
        on_evict: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.template = template
        self.clock = clock
        self.wall = wall
        #: told the key of every evicted tenant (the app forgets its journal, faults, bucket)
        self.on_evict = on_evict
        self._tenants: OrderedDict[str, Tenant] = OrderedDict()
        self._seen: dict[str, float] = {}
        self.evicted = {IDLE: 0, LRU: 0}

    def accepted_key(self, header: str | None) -> str | None:
        """The key of an ``Authorization`` header if it is usable and allowed, else ``None``."""
        return r_auth_allowlist(r_auth(header), self.settings.api_keys)

    def authenticate(self, key: str | None) -> Tenant:
        """The tenant of an accepted key; 401 (10009) for ``None`` (no usable or allowed key)."""
        if key is None:
            raise errors.unauthorized()
        return self.get(key)

    def get(self, key: str) -> Tenant:
        """The key's tenant (a new one from the template if it has none), now its most recently
        used; idle tenants leave first."""
        now = self.wall()
        self.expire(now)
        tenant = self._tenants.get(key)
        if tenant is None:
            limit = self.settings.max_tenants
            while limit and len(self._tenants) >= limit:
                self._evict(next(iter(self._tenants)), LRU)
            tenant = self._tenants[key] = r_tenants(key, self.settings, self.template, self.clock)
        else:
            self._tenants.move_to_end(key)
        self._seen[key] = now
        return tenant

    def expire(self, now: float | None = None) -> int:
        """Evict every tenant idle for longer than ``tenant_idle_s``; how many were."""
        idle = self.settings.tenant_idle_s
        if not idle:
            return 0
        now = self.wall() if now is None else now
        count = 0
        while self._tenants:
            oldest = next(iter(self._tenants))
            if now - self._seen[oldest] <= idle:
                break
            self._evict(oldest, IDLE)
            count += 1
        return count

    def _evict(self, key: str, reason: str) -> None:
        idle_s = self.wall() - self._seen[key]
        del self._tenants[key]
        del self._seen[key]
        self.evicted[reason] += 1
        log.info(
            "tenant key=%s evicted (%s, idle %.0f s): its next request starts from the "
            "default world",
            fingerprint(key), reason, idle_s,
            extra={"fields": {"event": "tenant_evicted", "key": fingerprint(key),
                              "reason": reason, "idle_s": round(idle_s, 3)}},
        )  # fmt: skip
        if self.on_evict is not None:
            self.on_evict(key)

    def reset(self, key: str | None = None) -> None:
        """Forget one tenant (or all): its next request starts from the template again."""
        if key is None:
            self._tenants.clear()
            self._seen.clear()
        else:
            self._tenants.pop(key, None)
            self._seen.pop(key, None)

    def fresh(self, key: str) -> Tenant:
        """A new tenant for ``key`` from the template, not stored (see :meth:`put`)."""
        return r_tenants(key, self.settings, self.template, self.clock)

    def put(self, key: str, tenant: Tenant) -> None:
        """Store ``tenant`` as ``key``'s (a snapshot being read), as its most recent use."""
        self._tenants[key] = tenant
        self._tenants.move_to_end(key)
        self._seen[key] = self.wall()

    def known_keys(self) -> list[str]:
        """The keys of the tenants the server holds, least recently used first (never shown:
        fingerprint)."""
        return list(self._tenants)

    def peek(self, key: str) -> Tenant | None:
        """The key's tenant if it has one (not counted as a use)."""
        return self._tenants.get(key)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._tenants))

    def __len__(self) -> int:
        return len(self._tenants)
