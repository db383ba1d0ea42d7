"""What keeps a bad value or a fault of ctxlint's own from escaping a simulation: reported
counts out of bounds are set aside at their request's line, and a fault is raised naming the
file and line it happened at."""

from __future__ import annotations

import dataclasses

from ctxlint.simulate.calibrate import usable_count
from ctxlint.trace.model import Request
from ctxlint.trace.reading import Problem
from ctxlint.trace.typed import MAX_PROMPT_TOKENS

# The counts of a Usage the simulator computes with.
_COUNTS = ("prompt_tokens", "cached_tokens", "cache_write_tokens", "output_tokens")


class SimulationFailed(Exception):
    """An error of ctxlint's own (not of the trace) while simulating, and where it happened."""

    def __init__(self, path: str, line: int, error: Exception) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.path = path
        self.line = line
        self.error = error

    @property
    def place(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


def within_bounds(request: Request) -> tuple[Request, list[Problem]]:
    """The request with only the reported counts it is safe to compute with: a count out of
    bounds (see usable_count) is treated as not reported, and said so, at the request's line,
    rather than simulated or allowed to overflow."""
    usage = request.usage
    if usage is None:
        return request, []
    counts = {name: getattr(usage, name) for name in _COUNTS}
    unusable = [
        name for name, value in counts.items() if value is not None and usable_count(value) is None
    ]
    if not unusable:
        return request, []
    problems = [
        Problem(
            request.origin.line,
            f"reported usage {name} = {_shown(counts[name])} is not a token count from 0 "
            f"to {MAX_PROMPT_TOKENS:,}; simulated as if not reported",
        )
        for name in unusable
    ]
    bounded = dataclasses.replace(usage, **{name: None for name in unusable})
    return dataclasses.replace(request, usage=bounded), problems


def _shown(value: object) -> str:
    """A reported value as a warning quotes it: short, whatever its size."""
    text = repr(value)
    if len(text) <= 24:
        return text
    if isinstance(value, int):
        return f"{text[:12]}... ({len(text.lstrip('-'))} digits)"
    return text[:21] + "..."
