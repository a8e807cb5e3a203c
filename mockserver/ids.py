"""The one seedable source of ids and randomness (same seed, same ids, same outcomes)."""

from __future__ import annotations

import hashlib
import random
import uuid


class IdSource:
    """Deterministic uuids and random draws from a seed and a namespace (e.g. a tenant key)."""

    def __init__(self, seed: int, namespace: str = "") -> None:
        digest = hashlib.sha256(f"{seed}:{namespace}".encode()).digest()
        self._rng = random.Random(int.from_bytes(digest[:16], "big"))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def random(self) -> float:
        return self._rng.random()

    def digits(self, n: int) -> str:
        first = str(self._rng.randint(1, 9))
        return first + "".join(str(self._rng.randint(0, 9)) for _ in range(n - 1))


def c_determinism(seed: int, key: str) -> IdSource:
    """C-DETERMINISM: a tenant's ids come from its own source, seeded by the server's seed and
    the tenant's key: same seed, same requests, same ids."""
    return IdSource(seed, key)
