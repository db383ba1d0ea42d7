"""Applying fixes: pick non-overlapping edits, re-check and re-fix until stable, keep the file
untouched if the result does not parse. Writing (ctxlint.files) is importable from here too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from ctxlint.diagnostics import Diagnostic, Edit
from ctxlint.files import write_atomically as write_atomically
from ctxlint.source import LINE_BREAK

if TYPE_CHECKING:
    from ctxlint.results import FileResult, FixMode

MAX_PASSES = 10


@dataclass(frozen=True, slots=True)
class FixOutcome:
    text: str
    # Fixes applied over all passes.
    applied: int
    # What is still found in `text`.
    remaining: list[Diagnostic]
    # Why the fixes were not kept, or a warning about them; None when all went well.
    problem: str | None = None


def select_edits(diagnostics: list[Diagnostic], unsafe_fixes: bool) -> tuple[list[Edit], int]:
    """Edits of the applicable fixes, skipping any fix that overlaps one taken before it."""
    taken: list[Edit] = []
    count = 0
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        fix = diagnostic.fix
        if fix is None or not fix.is_applicable(unsafe_fixes):
            continue
        if any(_overlaps(edit, other) for edit in fix.edits for other in taken):
            continue
        taken.extend(fix.edits)
        count += 1
    return sorted(taken), count


def _overlaps(first: Edit, second: Edit) -> bool:
    if first.start_offset == first.end_offset == second.start_offset == second.end_offset:
        return True  # Two insertions at one place: their order would be arbitrary.
    return first.start_offset < second.end_offset and second.start_offset < first.end_offset


def apply_edits(text: str, edits: list[Edit]) -> str:
    pieces: list[str] = []
    position = 0
    for edit in sorted(edits):
        pieces.append(text[position : edit.start_offset])
        pieces.append(_with_line_endings(text, edit))
        position = edit.end_offset
    pieces.append(text[position:])
    return "".join(pieces)


def _with_line_endings(text: str, edit: Edit) -> str:
    """The edit's content with its line breaks written as the file writes them there: a line
    the edit keeps from the text it replaces keeps its own ending, a new line takes the
    ending of the line the edit starts on. (Python reads the three line breaks alike, in
    strings too, so which one a line ends with changes nothing but the bytes.)"""
    content = edit.content
    if "\n" not in content and "\r" not in content:
        return content
    new_lines = LINE_BREAK.split(content)
    replaced = text[edit.start_offset : edit.end_offset]
    old_lines = LINE_BREAK.split(replaced)
    old_endings = [match.group() for match in LINE_BREAK.finditer(replaced)]
    endings = [_ending_of_line_at(text, edit.start_offset)] * (len(new_lines) - 1)
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        # Lines kept, or rewritten one for one (an argument added at a line's end).
        if tag == "equal" or (tag == "replace" and old_end - old_start == new_end - new_start):
            for old, new in zip(range(old_start, old_end), range(new_start, new_end), strict=True):
                if old < len(old_endings) and new < len(endings):
                    endings[new] = old_endings[old]
    return "".join(line + ending for line, ending in zip(new_lines, [*endings, ""], strict=True))


def _ending_of_line_at(text: str, offset: int) -> str:
    """The line break that ends the line holding `offset`; on a last line without one, the
    break before it; a newline in text without any."""
    following = LINE_BREAK.search(text, offset)
    if following is not None:
        return following.group()
    last = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset))
    if last == -1:
        return "\n"
    if text[last] == "\r":
        return "\r"
    return "\r\n" if text[last - 1 : last] == "\r" else "\n"


def fix_until_stable(
    text: str,
    check: Callable[[str], list[Diagnostic]],
    parses: Callable[[str], bool],
    unsafe_fixes: bool,
    diagnostics: list[Diagnostic] | None = None,
) -> FixOutcome:
    """`diagnostics`, when given, are what `check(text)` returns (already computed)."""
    current = text
    applied = 0
    if diagnostics is None:
        diagnostics = check(current)
    first_diagnostics = diagnostics
    for _ in range(MAX_PASSES):
        edits, count = select_edits(diagnostics, unsafe_fixes)
        if not edits:
            return FixOutcome(current, applied, diagnostics)
        candidate = apply_edits(current, edits)
        if candidate == current:
            # Edits that write back what is there change nothing: counted as fixes, they would
            # be found again on every pass and reported as never settling.
            return FixOutcome(current, applied, diagnostics)
        if not parses(candidate):
            return FixOutcome(
                text,
                0,
                first_diagnostics,
                "the fixed code does not parse; the file was left unchanged",
            )
        current = candidate
        applied += count
        diagnostics = check(current)
    # Fixes that keep finding their own result wrong are a bug in a rule: what their passes
    # piled up is not kept.
    return FixOutcome(
        text,
        0,
        first_diagnostics,
        f"fixes did not settle after {MAX_PASSES} passes; the file was left unchanged",
    )


def record_outcome(
    result: FileResult,
    outcome: FixOutcome,
    text: str,
    mode: FixMode,
    encode: Callable[[str], bytes],
) -> bool:
    """Put what `outcome` did to `text` into `result` (Python, prompt and TS files alike): its
    problem, the fixes applied and the fixed text, then the bytes to write (`--fix`) or the
    diff (`--diff`). Whether what the file holds is now the fixed text: False for a diff,
    where nothing is written and the findings reported are the original ones."""
    from ctxlint.results import FixMode
    from ctxlint.unified_diff import unified_diff

    if outcome.problem:
        result.problems.append(outcome.problem)
    if outcome.text == text:
        return True
    result.fixes_applied = outcome.applied
    result.fixed_text = outcome.text
    if mode is FixMode.FIX:
        result.new_data = encode(outcome.text)
        return True
    result.diff = unified_diff(text, outcome.text, result.path)
    return False
