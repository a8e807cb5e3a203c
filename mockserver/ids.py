"""The one seedable source of ids and randomness (same seed, same ids, same outcomes)."""

from __future__ import annotations

import hashlib
import random
import uuid
from typing import Any


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

    def state(self) -> list[Any]:
        """The random source's state as JSON values (saved in snapshots)."""
        version, internal, gauss = self._rng.getstate()
        return [version, list(internal), gauss]

    def restore(self, state: list[Any]) -> None:
        """Continue from a saved state (``TypeError``/``ValueError`` if it is not one)."""
        if len(state) != 3 or not isinstance(state[1], list):
            raise ValueError("expected [version, [625 integers], gauss]")
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in state[1]):
            raise ValueError("expected integers")
        if state[2] is not None and not isinstance(state[2], float):
            raise ValueError("expected a float or null")
        self._rng.setstate((state[0], tuple(state[1]), state[2]))


def c_determinism(seed: int, key: str) -> IdSource:
    """C-DETERMINISM: a tenant's ids come from its own source, seeded by the server's seed and
    the tenant's key: same seed, same requests, same ids."""
    return IdSource(seed, key)
