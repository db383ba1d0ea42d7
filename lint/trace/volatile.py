"""Whether two texts differ only in spans that look volatile: timestamps and dates in common
formats, epoch numbers, UUIDs, hex and prefixed random ids, counters."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from ctxlint.redact import span_evidence

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
    # Character offset of the first change in the new text, and how many spans changed.
    offset: int
    changes: int
    # The first changed span, as (start, end) in each whole text: a quote of the span alone
    # would not know that it is the token after `Bearer `.
    before_span: tuple[int, int] = (0, 0)
    after_span: tuple[int, int] = (0, 0)
    before_text: str = field(default="", repr=False, compare=False)
    after_text: str = field(default="", repr=False, compare=False)

    @property
    def before(self) -> str:
        """The span that changed, as it was, quoted as evidence from its text."""
        return span_evidence(self.before_text, *self.before_span)

    @property
    def after(self) -> str:
        """The span that changed, as it is now, quoted as evidence from its text."""
        return span_evidence(self.after_text, *self.after_span)


def volatile_change(before: str, after: str) -> VolatileChange | None:
    """The first changed span when every change between the texts is volatile; else None."""
    if before == after:
        return None
    # Tokens as short strings cost some 60 bytes a character of text: only the part between
    # the texts' common start and common end is split into tokens, at token boundaries of
    # both, so that the result is the one the whole token lists give.
    start = _token_start(before, _common_start(before, after))
    end_before, end_after = _common_end(before, after, start)
    old, new = _TOKEN.findall(before, start, end_before), _TOKEN.findall(after, start, end_after)
    head = _common_head(old, new)
    if head == min(len(old), len(new)) and end_before < len(before):
        # The shared end is where the whole lists' common head would go on: split it too.
        old, new = _TOKEN.findall(before, start), _TOKEN.findall(after, start)
        head = _common_head(old, new)
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_middle, new_middle = old[head : len(old) - tail], new[head : len(new) - tail]
    offset_old = start + sum(map(len, old[:head]))
    offset_new = start + sum(map(len, new[:head]))
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
        if not (_is_volatile(before[slice(*span_old)]) and _is_volatile(after[slice(*span_new)])):
            return None
        if first is None:
            first = VolatileChange(start_new, 0, span_old, span_new, before, after)
    if first is None:
        return None
    return VolatileChange(first.offset, changes, first.before_span, first.after_span, before, after)


def _common_head(old: list[str], new: list[str]) -> int:
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    return head


# Characters compared at a time when finding where two texts start and end alike.
_STRETCH = 1 << 16
# Where a token starts or ends: between a word and a non-word character, whitespace and a
# non-whitespace character, or beside a character that is neither (a token of its own).
_BOUNDARY = re.compile(
    r"(?<=\w)(?!\w)|(?<=\s)(?!\s)|(?<=[^\w\s])|(?=[^\w\s])|(?<!\w)(?=\w)|(?<!\s)(?=\s)"
)


def _common_start(before: str, after: str) -> int:
    """How many leading characters the texts share, compared a stretch at a time in C."""
    limit = min(len(before), len(after))
    position = 0
    while position < limit:
        stretch = min(_STRETCH, limit - position)
        if before[position : position + stretch] != after[position : position + stretch]:
            low, high = position, position + stretch - 1
            while low < high:
                middle = (low + high + 1) // 2
                if before[position:middle] == after[position:middle]:
                    low = middle
                else:
                    high = middle - 1
            return low
        position += stretch
    return limit


def _token_start(text: str, position: int) -> int:
    """The start of the token holding the character before `position` (0 at the start)."""
    if position == 0:
        return 0
    character = text[position - 1]
    run = _WORD if _WORD.match(character) else _SPACE if _SPACE.match(character) else None
    if run is None:
        return position - 1
    start = position - 1
    while start > 0 and run.match(text[start - 1]):
        start -= 1
    return start


_WORD = re.compile(r"\w")
_SPACE = re.compile(r"\s")


def _common_end(before: str, after: str, start: int) -> tuple[int, int]:
    """Where, in each text, the tokens they end alike with begin: after `start`, at the first
    token boundary inside the characters both end with (the same in both)."""
    limit = min(len(before), len(after)) - start
    shared = 0
    while shared < limit:
        stretch = min(_STRETCH, limit - shared)
        old = before[len(before) - shared - stretch : len(before) - shared]
        new = after[len(after) - shared - stretch : len(after) - shared]
        if old != new:
            low, high = 0, stretch - 1
            while low < high:
                middle = (low + high + 1) // 2
                if old[stretch - middle :] == new[stretch - middle :]:
                    low = middle
                else:
                    high = middle - 1
            shared += low
            break
        shared += stretch
    boundary = _BOUNDARY.search(before, len(before) - shared + 1)
    cut = len(before) if boundary is None else boundary.start()
    return cut, len(after) - (len(before) - cut)


def _value_around(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the value holding text[start:end] lies: widened to the whole value, less the
    space, brackets, quotes and trailing `.`/`:` around it."""
    while start > 0 and _VALUE_CHARACTER.match(text[start - 1]):
        start -= 1
    while end < len(text) and _VALUE_CHARACTER.match(text[end]):
        end += 1
    raw = text[start:end]
    stripped = raw.strip()
    value = stripped.strip(_TRIM).rstrip(".:")
    if not value:
        return start, start
    first = start + (len(raw) - len(raw.lstrip())) + (len(stripped) - len(stripped.lstrip(_TRIM)))
    return first, first + len(value)


def _is_volatile(span: str) -> bool:
    if not span:
        return False
    # A date and a time written apart ("2026-02-11 21:18") arrive as one span or two.
    return all(_VOLATILE.fullmatch(part) for part in span.split())
