"""The unified diff `--diff` prints: built in time linear in the texts, applied by patch and git.

difflib's SequenceMatcher looks for the longest matching block in every unmatched region: on a
long file of similar lines (generated code, a module of near-identical handlers) that is
quadratic or worse, 383 s for a 44,000-line file whose fixes touch 3,000 places. Here the
lines common to both ends are set aside first, then lines that occur once on each side anchor
the match (patience diff: the longest run of such lines in the same order on both sides), and
the gaps between anchors are matched the same way; difflib is asked only about gaps too small
to cost anything. A large gap holding no line unique on both sides (a run of repeated lines)
is matched by Myers' algorithm if a few lines changed in it, and is otherwise shown replaced
whole: a longer diff, never a wrong one.

Lines are what patch and git apply count as lines: text up to and including a \n. Python also
ends a line at a lone \r, but a diff cut there is one these tools cannot apply. A last line
without a \n is followed by GNU diff's "\\ No newline at end of file", so the diff says
exactly which text it leads to (difflib printed it glued to the line after).
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Iterator, Sequence

# A line as patch reads it: up to and including a \n, or the text after the last \n.
_DIFF_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
_NO_NEWLINE = "\\ No newline at end of file\n"
# Gaps no larger than this many pairs of lines are matched by difflib, which finds the best
# alignment of a few lines and whose cost, at most about this product, stays small.
_SMALL_GAP = 4096
# A gap where no line is unique on both sides is matched line by line only if this many lines
# removed or added do it: the work is the gap's length times the lines changed.
_MAX_EDITS = 64
# How many times a gap is searched again for lines unique within it before it is matched as
# one with no such line: each search walks every line of the gaps left, so the bound keeps
# the work linear even on inputs built to need many rounds.
_MAX_ROUNDS = 8

# (tag, old_start, old_end, new_start, new_end), as difflib.SequenceMatcher.get_opcodes.
Opcode = tuple[str, int, int, int, int]


def unified_diff(old: str, new: str, path: str, context: int = 3) -> str:
    """The diff from `old` to `new` with `context` lines around each change, headed by `path`
    on both sides, as difflib.unified_diff heads it; "" when the texts are equal."""
    old_lines = _DIFF_LINE.findall(old)
    new_lines = _DIFF_LINE.findall(new)
    parts: list[str] = []
    for group in grouped_opcodes(line_opcodes(old_lines, new_lines), context):
        if not parts:
            parts.append(f"--- {path}\n+++ {path}\n")
        first, last = group[0], group[-1]
        old_range = _unified_range(first[1], last[2])
        new_range = _unified_range(first[3], last[4])
        parts.append(f"@@ -{old_range} +{new_range} @@\n")
        for tag, old_start, old_end, new_start, new_end in group:
            if tag == "equal":
                parts.extend(_marked(" ", old_lines[old_start:old_end]))
                continue
            parts.extend(_marked("-", old_lines[old_start:old_end]))
            parts.extend(_marked("+", new_lines[new_start:new_end]))
    return "".join(parts)


def _marked(mark: str, lines: Sequence[str]) -> Iterator[str]:
    for line in lines:
        yield mark + line
        if not line.endswith("\n"):
            # Only a text's last line can lack its \n.
            yield "\n" + _NO_NEWLINE


def _unified_range(start: int, stop: int) -> str:
    """A hunk's range as difflib writes it: 1-based, the length left out when it is 1."""
    length = stop - start
    beginning = start + 1 if length else start
    return f"{beginning}" if length == 1 else f"{beginning},{length}"


def grouped_opcodes(opcodes: list[Opcode], context: int) -> Iterator[list[Opcode]]:
    """The opcodes cut into hunks, each with at most `context` equal lines around its changes,
    as difflib.SequenceMatcher.get_grouped_opcodes cuts them."""
    if not any(tag != "equal" for tag, *_ in opcodes):
        return
    codes = list(opcodes)
    tag, old_start, old_end, new_start, new_end = codes[0]
    if tag == "equal":
        codes[0] = (
            tag,
            max(old_start, old_end - context),
            old_end,
            max(new_start, new_end - context),
            new_end,
        )
    tag, old_start, old_end, new_start, new_end = codes[-1]
    if tag == "equal":
        codes[-1] = (
            tag,
            old_start,
            min(old_end, old_start + context),
            new_start,
            min(new_end, new_start + context),
        )
    group: list[Opcode] = []
    for tag, old_start, old_end, new_start, new_end in codes:
        if tag == "equal" and old_end - old_start > 2 * context:
            group.append((tag, old_start, old_start + context, new_start, new_start + context))
            yield group
            group = []
            old_start, new_start = old_end - context, new_end - context
        group.append((tag, old_start, old_end, new_start, new_end))
    if not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def line_opcodes(old: Sequence[str], new: Sequence[str]) -> list[Opcode]:
    """How to turn `old` into `new`, in difflib's opcodes, in time linear in their length."""
    opcodes: list[Opcode] = []
    old_at = new_at = 0
    for old_start, new_start, size in _matching_blocks(old, new):
        if old_at < old_start and new_at < new_start:
            opcodes.append(("replace", old_at, old_start, new_at, new_start))
        elif old_at < old_start:
            opcodes.append(("delete", old_at, old_start, new_at, new_start))
        elif new_at < new_start:
            opcodes.append(("insert", old_at, old_start, new_at, new_start))
        if size:
            opcodes.append(("equal", old_start, old_start + size, new_start, new_start + size))
        old_at, new_at = old_start + size, new_start + size
    return opcodes


def _matching_blocks(old: Sequence[str], new: Sequence[str]) -> list[tuple[int, int, int]]:
    """Runs of equal lines, in order and merged where they touch, ending with (len, len, 0)."""
    matched: list[tuple[int, int, int]] = []
    gaps = [(0, len(old), 0, len(new), 0)]
    while gaps:
        old_start, old_end, new_start, new_end, rounds = gaps.pop()
        # The common start and end: most of a file a fix leaves alone.
        start = 0
        while (
            old_start + start < old_end
            and new_start + start < new_end
            and old[old_start + start] == new[new_start + start]
        ):
            start += 1
        if start:
            matched.append((old_start, new_start, start))
            old_start += start
            new_start += start
        end = 0
        while (
            old_start < old_end - end
            and new_start < new_end - end
            and old[old_end - end - 1] == new[new_end - end - 1]
        ):
            end += 1
        if end:
            matched.append((old_end - end, new_end - end, end))
            old_end -= end
            new_end -= end
        if old_start == old_end or new_start == new_end:
            continue
        if (old_end - old_start) * (new_end - new_start) <= _SMALL_GAP:
            matcher = difflib.SequenceMatcher(
                None, old[old_start:old_end], new[new_start:new_end], autojunk=False
            )
            matched.extend(
                (old_start + i, new_start + j, size)
                for i, j, size in matcher.get_matching_blocks()
                if size
            )
            continue
        anchors = []
        if rounds < _MAX_ROUNDS:
            anchors = _unique_anchors(old, old_start, old_end, new, new_start, new_end)
        if not anchors:
            # Lines that all repeat (a run of `pass`, of blank lines, of one table row).
            matched.extend(_few_edits(old, old_start, old_end, new, new_start, new_end) or ())
            continue
        # Between anchors (and before the first, after the last) are the gaps left to match.
        previous_old, previous_new = old_start, new_start
        for old_index, new_index in anchors:
            matched.append((old_index, new_index, 1))
            gaps.append((previous_old, old_index, previous_new, new_index, rounds + 1))
            previous_old, previous_new = old_index + 1, new_index + 1
        gaps.append((previous_old, old_end, previous_new, new_end, rounds + 1))
    return _merged(sorted(matched), len(old), len(new))


def _few_edits(
    old: Sequence[str],
    old_start: int,
    old_end: int,
    new: Sequence[str],
    new_start: int,
    new_end: int,
) -> list[tuple[int, int, int]] | None:
    """The matching runs of a shortest way from one range to the other, found by Myers'
    algorithm in time proportional to the ranges' length times the lines changed; None when
    that takes more than _MAX_EDITS lines removed or added."""
    old_length, new_length = old_end - old_start, new_end - new_start
    # furthest[diagonal]: how far into old the path with that many edits reaches on the
    # diagonal (old index - new index); one copy is kept per edit count to trace the path back.
    furthest = {1: 0}
    history: list[dict[int, int]] = []
    for edits in range(_MAX_EDITS + 1):
        history.append(dict(furthest))
        for diagonal in range(-edits, edits + 1, 2):
            if diagonal == -edits or (
                diagonal != edits and furthest[diagonal - 1] < furthest[diagonal + 1]
            ):
                old_at = furthest[diagonal + 1]
            else:
                old_at = furthest[diagonal - 1] + 1
            new_at = old_at - diagonal
            while (
                old_at < old_length
                and new_at < new_length
                and old[old_start + old_at] == new[new_start + new_at]
            ):
                old_at += 1
                new_at += 1
            furthest[diagonal] = old_at
            if old_at >= old_length and new_at >= new_length:
                return _traced_back(history, old_length, new_length, old_start, new_start)
    return None


def _traced_back(
    history: list[dict[int, int]], old_at: int, new_at: int, old_start: int, new_start: int
) -> list[tuple[int, int, int]]:
    """The diagonal runs of the path _few_edits found, from its end back to its start."""
    runs: list[tuple[int, int, int]] = []
    for edits in range(len(history) - 1, -1, -1):
        furthest = history[edits]
        diagonal = old_at - new_at
        if diagonal == -edits or (
            diagonal != edits and furthest[diagonal - 1] < furthest[diagonal + 1]
        ):
            previous_diagonal = diagonal + 1
        else:
            previous_diagonal = diagonal - 1
        previous_old = furthest[previous_diagonal]
        previous_new = previous_old - previous_diagonal
        run = min(old_at - previous_old, new_at - previous_new)
        if run:
            runs.append((old_start + old_at - run, new_start + new_at - run, run))
        old_at, new_at = previous_old, previous_new
    return runs


def _unique_anchors(
    old: Sequence[str],
    old_start: int,
    old_end: int,
    new: Sequence[str],
    new_start: int,
    new_end: int,
) -> list[tuple[int, int]]:
    """Lines that occur once in each side's range, paired, the longest run of pairs in the
    same order on both sides (patience sorting)."""
    # A line seen once in old's range maps to its index; seen again, to None.
    once_in_old: dict[str, int | None] = {}
    for index in range(old_start, old_end):
        line = old[index]
        once_in_old[line] = None if line in once_in_old else index
    once_in_new: dict[str, int | None] = {}
    for index in range(new_start, new_end):
        line = new[index]
        if line in once_in_old:
            once_in_new[line] = None if line in once_in_new else index
    pairs = [
        (old_index, new_index)
        for line, new_index in once_in_new.items()
        if new_index is not None and (old_index := once_in_old[line]) is not None
    ]
    pairs.sort()
    # Patience sorting: pile_tops[k] is the smallest new index that ends an increasing run of
    # k + 1 pairs so far, pile_pairs[k] the pair that does; before[p] is the pair before p.
    pile_tops: list[int] = []
    pile_pairs: list[int] = []
    before: list[int] = []
    for position, (_, new_index) in enumerate(pairs):
        pile = bisect.bisect_left(pile_tops, new_index)
        before.append(pile_pairs[pile - 1] if pile else -1)
        if pile == len(pile_tops):
            pile_tops.append(new_index)
            pile_pairs.append(position)
        else:
            pile_tops[pile] = new_index
            pile_pairs[pile] = position
    run: list[tuple[int, int]] = []
    position = pile_pairs[-1] if pile_pairs else -1
    while position != -1:
        run.append(pairs[position])
        position = before[position]
    run.reverse()
    return run


def _merged(
    blocks: list[tuple[int, int, int]], old_length: int, new_length: int
) -> list[tuple[int, int, int]]:
    merged: list[tuple[int, int, int]] = []
    for old_start, new_start, size in blocks:
        if merged:
            last_old, last_new, last_size = merged[-1]
            if last_old + last_size == old_start and last_new + last_size == new_start:
                merged[-1] = (last_old, last_new, last_size + size)
                continue
        merged.append((old_start, new_start, size))
    merged.append((old_length, new_length, 0))
    return merged
