"""What an operator sees while the server starts: a progress line while a big world loads, and
one clear line (never a traceback) when a file it was given cannot be used."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

#: seconds between two redraws of the progress line
REDRAW_S = 0.25


class ProgressLine:
    """``loading world: 250,000 numbers (61,234/s)`` redrawn in place on a terminal.

    It writes only when ``stream`` is a terminal (a log file or a pipe gets no carriage
    returns); :meth:`done` ends the line. ``clock`` is injectable (seconds, monotonic).
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        label: str = "loading world",
        min_count: int = 25_000,
        enabled: bool = True,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.label = label
        self.enabled = enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = clock()
        self._drawn_at: float | None = None
        self.count = 0
        #: a world smaller than this loads too fast to need a line
        self.min_count = min_count

    def __call__(self, count: int) -> None:
        self.count = count
        if not self.enabled or count < self.min_count:
            return
        now = self.clock()
        if self._drawn_at is not None and now - self._drawn_at < REDRAW_S:
            return
        self._drawn_at = now
        self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.count / elapsed
        self.stream.write(f"\r{self.label}: {self.count:,} numbers ({rate:,.0f}/s)")
        self.stream.flush()

    def done(self) -> None:
        """The final figures, and the end of the line (only if a line was started)."""
        if self.enabled and self._drawn_at is not None:
            self._draw(self.clock())
            self.stream.write("\n")
            self.stream.flush()


def fail(command: str, message: str, stream: TextIO | None = None) -> int:
    """One line on stderr, exit status 2 (what argparse gives a usage error)."""
    print(f"telnyx-mock {command}: {message}", file=stream if stream is not None else sys.stderr)
    return 2
