"""From positions in our tokens to positions in the provider's tokens.

Our tokenizer finds where two prompts diverge; the sizes the provider reported say how many of
its own tokens lie before that point. A request's map is a monotone piecewise-linear function
through anchors: the prefix it shares with the request it continues maps exactly as it did
there (the same text has the same provider tokens), and what follows stretches to reach the
reported prompt size. Without reported sizes, our counts stand, times the model's scale."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from typing import Any

from ctxlint.trace.typed import MAX_PROMPT_TOKENS


def usable_count(value: Any) -> int | None:
    """A reported token count as a number to compute with: a whole number from 0 to
    MAX_PROMPT_TOKENS. Anything else (negative, not finite, beyond any context, not a number
    at all) is None: not reported. Readers refuse such counts already (a Usage cannot hold
    them); the simulator checks again, since one that got through would overflow its floats,
    make costs of trillions, or stand in an unrecorded prompt that long."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = int(value)
    return value if 0 <= value <= MAX_PROMPT_TOKENS else None


class PositionMap:
    __slots__ = ("ours", "theirs")

    def __init__(self, ours: list[int], theirs: list[float]) -> None:
        # Strictly increasing in ours, non-decreasing in theirs; starts at (0, 0).
        self.ours = ours
        self.theirs = theirs

    @classmethod
    def linear(cls, length: int, provider_length: float) -> PositionMap:
        if length <= 0:
            return cls([0], [0.0])
        return cls([0, length], [0.0, float(provider_length)])

    def at(self, position: int) -> float:
        """Provider tokens before our token `position`."""
        ours, theirs = self.ours, self.theirs
        index = bisect_right(ours, position) - 1
        if index < 0:
            return 0.0
        if index >= len(ours) - 1:
            if len(ours) == 1:
                return theirs[0] + (position - ours[0])
            # Past the last anchor: the slope of the last piece.
            slope = _slope(ours[-2], theirs[-2], ours[-1], theirs[-1])
            return theirs[-1] + (position - ours[-1]) * slope
        return theirs[index] + (position - ours[index]) * _slope(
            ours[index], theirs[index], ours[index + 1], theirs[index + 1]
        )

    def position_of(self, provider_position: float) -> int:
        """Our token position with at most `provider_position` provider tokens before it."""
        ours, theirs = self.ours, self.theirs
        index = bisect_right(theirs, provider_position) - 1
        if index < 0:
            return 0
        if index >= len(ours) - 1:
            if len(ours) == 1:
                return int(ours[0] + provider_position - theirs[0])
            slope = _slope(ours[-2], theirs[-2], ours[-1], theirs[-1]) or 1.0
            return int(ours[-1] + (provider_position - theirs[-1]) / slope)
        slope = _slope(ours[index], theirs[index], ours[index + 1], theirs[index + 1])
        if slope == 0:
            return ours[index]
        return int(ours[index] + (provider_position - theirs[index]) / slope)

    def continued(self, shared: int, length: int, provider_length: float | None, scale: float):
        """The map of a prompt of `length` tokens whose first `shared` tokens are this map's,
        reported (when known) to hold `provider_length` provider tokens."""
        base = self.at(shared)
        if provider_length is not None and provider_length < base:
            return self._squeezed(length, provider_length)
        if provider_length is None:
            provider_length = base + (length - shared) * scale
        index = bisect_right(self.ours, shared)
        ours = self.ours[:index]
        theirs = self.theirs[:index]
        if ours[-1] != shared:
            ours.append(shared)
            theirs.append(base)
        if length > shared:
            ours.append(length)
            theirs.append(float(provider_length))
        return PositionMap(ours, theirs)

    def _squeezed(self, length: int, provider_length: float) -> PositionMap:
        """The map of a prompt of `length` tokens the provider counts as fewer tokens than
        this map gives the part it shares with this one (a shrinking count: items the
        provider drops, media it counts differently). The report is trusted; the anchors
        that fit below it keep their place, the earliest measured first (a stand-in for an
        unrecorded system prompt stays its measured size), and only what lies past the last
        of them is squeezed. Scaling the whole prompt instead moved every anchor, and a
        stand-in sized from the first request swelled or shrank with each report."""
        fitting = max(1, bisect_left(self.theirs, provider_length))
        ours = [position for position in self.ours[:fitting] if position < length]
        theirs = self.theirs[: len(ours)]
        if length > ours[-1]:
            ours.append(length)
            theirs.append(float(provider_length))
        return PositionMap(ours, theirs)

    def with_anchor(self, position: int, provider_position: float) -> PositionMap:
        """The same map made to pass through one more known point (a reported cache write
        boundary), when that point keeps it monotone."""
        index = bisect_right(self.ours, position)
        if index > 0 and self.ours[index - 1] == position:
            return self
        before = self.theirs[index - 1] if index > 0 else 0.0
        after = self.theirs[index] if index < len(self.theirs) else float("inf")
        if not before <= provider_position <= after:
            return self
        ours = [*self.ours[:index], position, *self.ours[index:]]
        theirs = [*self.theirs[:index], float(provider_position), *self.theirs[index:]]
        return PositionMap(ours, theirs)


def _slope(x0: int, y0: float, x1: int, y1: float) -> float:
    return (y1 - y0) / (x1 - x0) if x1 != x0 else 0.0
