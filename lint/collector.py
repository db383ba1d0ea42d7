"""Pausing Python's cycle collector around work that builds large, short-lived object graphs."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """The collector's full collections walk every object still alive: while a syntax tree
    and the facts about it, or a replay's state, are alive, each walk grows with them, and a
    large input pays for being walked over and over. Reference counting still frees what the
    work drops; the rare cycle waits for the collector, which resumes as it was found once the
    work is over, whether it ends or raises."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
