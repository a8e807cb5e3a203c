"""Tenants: every bearer key gets its own world, seeded from the template on first use."""

from __future__ import annotations

from mockserver import errors as E
from mockserver.clock import Clock
from mockserver.config import Settings
from mockserver.inventory import Inventory
from mockserver.store import Tenant


def bearer_key(header: str | None) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header, else ``None``."""
    if not header:
        return None
    scheme, _, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key or " " in key:
        return None
    return key


class Tenants:
    def __init__(self, settings: Settings, template: Inventory, clock: Clock) -> None:
        self.settings = settings
        self.template = template
        self.clock = clock
        self._tenants: dict[str, Tenant] = {}

    def accepted_key(self, header: str | None) -> str | None:
        """The key of an ``Authorization`` header if it is usable and allowed, else ``None``."""
        key = bearer_key(header)
        if key is None or (self.settings.api_keys and key not in self.settings.api_keys):
            return None
        return key

    def authenticate(self, header: str | None) -> Tenant:
        """The tenant of a request; 401 (10009) without a usable key or outside the allowlist."""
        key = self.accepted_key(header)
        if key is None:
            raise E.unauthorized()
        return self.get(key)

    def get(self, key: str) -> Tenant:
        tenant = self._tenants.get(key)
        if tenant is None:
            tenant = self._tenants[key] = Tenant(key, self.settings, self.template, self.clock)
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
