"""Where a character of a prompt file is: line and column from an offset, and the way back from
a template held in a YAML value (its indent and quotes stripped) to the file it came from."""

from __future__ import annotations

from bisect import bisect_right
from copy import copy

# How far from its estimated place a placeholder's text is looked for in the file: escapes
# (`\n`, `\"`) on one line of a quoted scalar shift it by a few characters each.
_NEAR = 64


class LineIndex:
    """Offsets of a text's line starts, to turn a character offset into line and column."""

    def __init__(self, text: str) -> None:
        starts = [0]
        at = text.find("\n")
        while at != -1:
            starts.append(at + 1)
            at = text.find("\n", at + 1)
        self._starts = starts

    def line(self, offset: int) -> int:
        """The 1-based line holding `offset`."""
        return bisect_right(self._starts, max(offset, 0))

    def column(self, offset: int) -> int:
        """The 1-based column of `offset` on its line."""
        return max(offset, 0) - self._starts[self.line(offset) - 1] + 1

    def line_start(self, line: int) -> int:
        """The offset a 1-based line starts at (the last line's for a line past the end)."""
        return self._starts[min(max(line, 1), len(self._starts)) - 1]


class TextMap:
    """Maps offsets in a value read out of a file (a YAML scalar, a message's content) back to
    offsets in the file.

    The value's lines are found, in order, in the file between where the value starts and
    ends: exact for a literal block (`|`) or a one-line scalar, whose lines the file holds
    verbatim after an indent. A line the file does not hold verbatim (a folded or escaped
    scalar) is placed after the line found before it, so its offsets are near, not exact.
    """

    def __init__(self, value: str, source: str, start: int, end: int) -> None:
        self._anchors: list[tuple[int, int]] = []  # (offset in value, offset in file)
        self._shift = 0  # where in the value a slice of it starts
        self._source = source
        self._start = start
        self._end = max(end, start)
        cursor = start
        value_offset = 0
        for line in value.split("\n"):
            found = source.find(line, cursor, self._end) if line else -1
            if found != -1:
                self._anchors.append((value_offset, found))
                cursor = found + len(line)
            value_offset += len(line) + 1
        if not self._anchors:
            self._anchors.append((0, start))

    @classmethod
    def identity(cls, start: int, end: int) -> TextMap:
        """The map of a value that is the file's own text from `start` on."""
        mapped = cls.__new__(cls)
        mapped._anchors = [(0, start)]
        mapped._shift = 0
        mapped._source = ""
        mapped._start = start
        mapped._end = end
        return mapped

    def sliced(self, start: int) -> TextMap:
        """The map of the value's text from `start` on."""
        mapped = copy(self)
        mapped._shift = self._shift + start
        return mapped

    def to_file(self, value_offset: int) -> int:
        """The file offset of a character of the value."""
        value_offset += self._shift
        index = bisect_right(self._anchors, (value_offset, float("inf"))) - 1
        value_at, file_at = self._anchors[max(index, 0)]
        return min(file_at + max(value_offset - value_at, 0), max(self._end - 1, self._start))

    def place(self, value_offset: int, expected: str) -> int:
        """The file offset of text `expected` found at `value_offset` in the value: where
        the value's line was not found verbatim (an escape before it), the nearest place in
        the file that holds `expected`, if one is close."""
        offset = self.to_file(value_offset)
        if not self._source or not expected or self._source.startswith(expected, offset):
            return offset
        window = _NEAR + len(expected)
        before = self._source.rfind(expected, max(self._start, offset - window), offset)
        after = self._source.find(expected, offset, min(self._end, offset + window))
        candidates = [found for found in (before, after) if found != -1]
        return min(candidates, key=lambda found: abs(found - offset)) if candidates else offset
