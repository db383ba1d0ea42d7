"""Applying fixes: pick non-overlapping edits, re-check and re-fix until stable, keep the file
untouched if the result does not parse, and write atomically."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from ctxlint.diagnostics import Diagnostic, Edit

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
    newline = "\r\n" if "\r\n" in text else "\n"
    pieces: list[str] = []
    position = 0
    for edit in sorted(edits):
        pieces.append(text[position : edit.start_offset])
        content = edit.content
        if newline != "\n":
            content = content.replace("\r\n", "\n").replace("\n", newline)
        pieces.append(content)
        position = edit.end_offset
    pieces.append(text[position:])
    return "".join(pieces)


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
    for _ in range(MAX_PASSES):
        edits, count = select_edits(diagnostics, unsafe_fixes)
        if not edits:
            return FixOutcome(current, applied, diagnostics)
        candidate = apply_edits(current, edits)
        if not parses(candidate):
            return FixOutcome(
                text, 0, check(text), "the fixed code does not parse; the file was left unchanged"
            )
        current = candidate
        applied += count
        diagnostics = check(current)
    return FixOutcome(
        current, applied, diagnostics, f"fixes did not settle after {MAX_PASSES} passes"
    )


def write_atomically(path: str, data: bytes) -> None:
    """Write the file's content in one step: a reader sees the old file or the new one,
    never half of it. Permission bits are kept; a symlink stays a symlink."""
    target = os.path.realpath(path)
    folder = os.path.dirname(target) or "."
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        # A new file gets what open() would give it.
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, temporary = tempfile.mkstemp(prefix=".ctxlint-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
