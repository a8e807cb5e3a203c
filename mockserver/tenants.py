"""Tenants: every bearer key gets its own tenant, forked from the template on first use.

Authentication is here too (R-AUTH, R-AUTH-ALLOWLIST, R-TENANTS, in the manifest's order): the
middleware resolves a request's key once and hands the tenant on in the request's state.
"""

from __future__ import annotations

from mockserver import errors
from mockserver.clock import Clock
from mockserver.config import Settings
from mockserver.inventory import Inventory
from mockserver.tenant import Tenant


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
    def __init__(self, settings: Settings, template: Inventory, clock: Clock) -> None:
        self.settings = settings
        self.template = template
        self.clock = clock
        self._tenants: dict[str, Tenant] = {}

    def accepted_key(self, header: str | None) -> str | None:
        """The key of an ``Authorization`` header if it is usable and allowed, else ``None``."""
        return r_auth_allowlist(r_auth(header), self.settings.api_keys)

    def authenticate(self, key: str | None) -> Tenant:
        """The tenant of an accepted key; 401 (10009) for ``None`` (no usable or allowed key)."""
        if key is None:
            raise errors.unauthorized()
        return self.get(key)

    def get(self, key: str) -> Tenant:
        tenant = self._tenants.get(key)
        if tenant is None:
            tenant = self._tenants[key] = r_tenants(key, self.settings, self.template, self.clock)
        return tenant

    def reset(self, key: str | None = None) -> None:
        """Forget one tenant (or all): its next request starts from the template again."""
        if key is None:
            self._tenants.clear()
        else:
            self._tenants.pop(key, None)

    def __len__(self) -> int:
        return len(self._tenants)

    def known_keys(self) -> list[str]:
        """The keys of the tenants the server holds, oldest first (never shown: fingerprint)."""
        return list(self._tenants)
