"""Generate a deterministic "world" (numbers, connections, billing groups, addresses) of any size.

Everything random comes from one ``random.Random(seed)``; nothing reads the clock, the global
``random`` module or ``uuid.uuid4``, so the same ``(seed, count)`` always yields the same world,
byte for byte. ``generate_world(seed, count)`` returns it as a plain dict; ``dump_world`` writes
the diff-friendly file format (top-level keys on their own lines, one number record per line)
that ``telnyx-mock serve --fixtures`` streams. ``telnyx-mock world`` is the command line
(``fixtures/generate_world.py`` a thin wrapper that writes ``fixtures/world.json``).

The record shape is described by ``schemas/world.schema.json``.
"""

from mockserver.worldgen.build import dump_world, generate_world
from mockserver.worldgen.vocabulary import DEFAULT_COUNT, DEFAULT_SEED

__all__ = ["DEFAULT_COUNT", "DEFAULT_SEED", "dump_world", "generate_world"]
