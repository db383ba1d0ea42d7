"""A one-line progress count on standard error during a long run ("checked 120/1,152
files"): drawn only on a terminal and only once the run has lasted a second (a quick run
never flickers), redrawn at most ten times a second, and wiped at the end so that what is
printed after it starts on a clean line."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

# A run shorter than this shows nothing.
DELAY_SECONDS = 1.0
# Redrawing more often costs terminal time and is not read anyway.
REDRAW_SECONDS = 0.1


def shows_progress(stream: TextIO, quiet: bool = False) -> bool:
    """Whether a progress line belongs on `stream`: a terminal (never a log or a pipe, where
    carriage returns pile up), and not a quiet run."""
    if quiet:
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # A closed stream.
        return False


class ProgressLine:
    """`update(done, total)` or `step()` as work is done; `close()` when it is over.
    `describe(done, total)` makes the line's text (total None while unknown)."""

    def __init__(
        self,
        stream: TextIO,
        describe: Callable[[int, int | None], str],
        enabled: bool,
        delay: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.describe = describe
        self.enabled = enabled
        self.delay = DELAY_SECONDS if delay is None else delay
        self.clock = clock
        self.started = clock()
        self.done = 0
        self.total: int | None = None
        self._last_drawn: float | None = None
        self._width = 0

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < self.delay:
            return
        if self._last_drawn is not None and now - self._last_drawn < REDRAW_SECONDS:
            return
        self._last_drawn = now
        text = self.describe(self.done, self.total)
        # Spaces over what a longer line before left behind.
        self.stream.write("\r" + text + " " * max(0, self._width - len(text)))
        self.stream.flush()
        self._width = len(text)

    def step(self) -> None:
        self.update(self.done + 1)

    def close(self) -> None:
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
