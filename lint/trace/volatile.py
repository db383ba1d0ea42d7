"""Whether two texts differ only in spans that look volatile: timestamps and dates in common
formats, epoch numbers, UUIDs, hex and prefixed random ids, counters."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_VOLATILE = re.compile(
    r"""(?x)
    \d{4}-\d{2}-\d{2}(?:[T\x20_]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2}|\x20?UTC)?
    | \d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\x20?[AaPp]\.?[Mm]\.?)?(?:Z|[+-]\d{2}:?\d{2})?
    | \d{1,4}[/.]\d{1,2}[/.]\d{2,4}
    | \d{8}(?:T?\d{6})?Z?
    | \d{10}(?:\.\d+)? | \d{13} | \d{16} | \d{19}
    | [0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}
    | (?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,} | (?=[0-9A-F]*\d)(?=[0-9A-F]*[A-F])[0-9A-F]{8,}
    | [A-Za-z]{1,12}[_-](?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8,}
    | \d{1,7}(?:\.\d+)?
    | (?i:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?
    | (?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?
    """
)
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
# The characters that join a value into one span ("2026-02-11T21:18:41.543Z", "req_01abc").
_VALUE_CHARACTER = re.compile(r"[\w:.+\-/]")
_MAX_CHANGES = 8
_TRIM = "\"'`()[]{}<>,;!?"


@dataclass(frozen=True, slots=True)
class VolatileChange:
    before: str
    after: str
    # Character offset of the first change in the new text, and how many spans changed.
    offset: int
    changes: int


def volatile_change(before: str, after: str) -> VolatileChange | None:
    """The first changed span when every change between the texts is volatile; else None."""
    if before == after:
        return None
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_middle, new_middle = old[head : len(old) - tail], new[head : len(new) - tail]
    offset_old = sum(map(len, old[:head]))
    offset_new = sum(map(len, new[:head]))
    matcher = difflib.SequenceMatcher(None, old_middle, new_middle, autojunk=False)
    first: VolatileChange | None = None
    changes = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        changes += 1
        if changes > _MAX_CHANGES:
            return None
        start_old = offset_old + sum(map(len, old_middle[:i1]))
        end_old = start_old + sum(map(len, old_middle[i1:i2]))
        start_new = offset_new + sum(map(len, new_middle[:j1]))
        end_new = start_new + sum(map(len, new_middle[j1:j2]))
        span_old = _value_around(before, start_old, end_old)
        span_new = _value_around(after, start_new, end_new)
        if not (_is_volatile(span_old) and _is_volatile(span_new)):
            return None
        if first is None:
            first = VolatileChange(span_old, span_new, start_new, 0)
    if first is None:
        return None
    return VolatileChange(first.before, first.after, first.offset, changes)


def _value_around(text: str, start: int, end: int) -> str:
    while start > 0 and _VALUE_CHARACTER.match(text[start - 1]):
        start -= 1
    while end < len(text) and _VALUE_CHARACTER.match(text[end]):
        end += 1
    return text[start:end].strip().strip(_TRIM).rstrip(".:")


def _is_volatile(span: str) -> bool:
    if not span:
        return False
    # A date and a time written apart ("2026-02-11 21:18") arrive as one span or two.
    return all(_VOLATILE.fullmatch(part) for part in span.split())
