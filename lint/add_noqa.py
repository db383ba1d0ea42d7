"""`ctxlint check --add-noqa`: a `# noqa: CODE` comment on the line of every finding in a
Python file, as ruff's `--add-noqa` writes them, so that a codebase can adopt ctxlint and fix
its findings later. Running it again adds nothing. Traces and prompt files are left alone."""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field

from ctxlint.diagnostics import Diagnostic, Edit
from ctxlint.discovery import input_kind
from ctxlint.files import FileChanged, NotRead, read_source, write_atomically
from ctxlint.fix import apply_edits
from ctxlint.registry import rule_declaring
from ctxlint.results import Report
from ctxlint.rule import InputKind
from ctxlint.source import SourceText, UnreadableSource
from ctxlint.suppression import ALL_CODES, Directives, read_directives
from ctxlint.unreadable import is_unreadable


@dataclass(slots=True)
class AddedNoqa:
    # Lines given a noqa comment, or codes added to the one they had.
    added: int = 0
    # Findings in traces: a trace holds no comments.
    in_traces: int = 0
    # Findings in prompt files: left for the author, since a comment written into a Markdown
    # or text template, or into a YAML block, is sent to the model as part of the prompt.
    in_prompts: int = 0
    # Findings in TypeScript or JavaScript: a hash starts no comment there, and writing a
    # `//` noqa comment is not done yet.
    in_scripts: int = 0
    # What could not be marked (a file that does not parse), one line each.
    skipped: list[str] = field(default_factory=list)
    # Files that could not be written.
    errors: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"Added {self.added} noqa directive{'s' if self.added != 1 else ''}."


def add_noqa_comments(report: Report) -> AddedNoqa:
    """Write the comments that suppress every finding of the report in Python files."""
    outcome = AddedNoqa()
    unused_noqa_code = rule_declaring("reports_unused_noqa").code
    wanted: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    prompts = set(report.prompts)
    for diagnostic in report.diagnostics:
        if diagnostic.path in prompts or input_kind(diagnostic.path) is InputKind.PROMPT:
            outcome.in_prompts += 1
        elif input_kind(diagnostic.path) is InputKind.TYPESCRIPT:
            outcome.in_scripts += 1
        elif not _in_python(diagnostic):
            outcome.in_traces += 1
        elif is_unreadable(diagnostic):
            # Raised before any comment is read: a noqa cannot suppress it.
            outcome.skipped.append(f"{_place(diagnostic)}: {diagnostic.message}")
        elif diagnostic.code == unused_noqa_code:
            # An unused noqa is mended by removing it (--fix), not kept alive by naming its
            # own code in it, as ruff's --add-noqa leaves RUF100 out.
            continue
        else:
            wanted[diagnostic.path][diagnostic.start.line].add(diagnostic.code)
    for path in sorted(wanted):
        _mark_file(path, wanted[path], outcome)
    return outcome


def _in_python(diagnostic: Diagnostic) -> bool:
    return (
        diagnostic.session is None
        and diagnostic.pointer is None
        and input_kind(diagnostic.path) is not InputKind.TRACE
    )


def _place(diagnostic: Diagnostic) -> str:
    return f"{diagnostic.path}:{diagnostic.start.line}:{diagnostic.start.column}"


def _mark_file(path: str, lines: dict[int, set[str]], outcome: AddedNoqa) -> None:
    try:
        data = read_source(path)
        source = SourceText.decode_python(data)
    except (OSError, NotRead, UnreadableSource) as error:
        outcome.errors.append(f"{path}: cannot read: {getattr(error, 'reason', error)}")
        return
    directives = read_directives(source.text, layout=True)
    # A finding inside a string that spans lines is marked where the string ends.
    targets: dict[int, set[str]] = defaultdict(set)
    for line, codes in lines.items():
        targets[directives.noqa_line(line)] |= codes
    edits = [
        edit
        for line, codes in sorted(targets.items())
        if (edit := _edit(source, directives, line, codes))
    ]
    if not edits:
        return
    text = apply_edits(source.text, edits)
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        outcome.skipped.append(
            f"{path}: the file would not parse with the comments; left unchanged"
        )
        return
    try:
        write_atomically(path, source.encode(text), expected=data)
    except (FileChanged, OSError) as error:
        reason = str(error) if isinstance(error, FileChanged) else error.strerror or str(error)
        outcome.errors.append(f"{path}: not changed: {reason}")
        return
    outcome.added += len(edits)


def _edit(source: SourceText, directives: Directives, line: int, codes: set[str]) -> Edit | None:
    """The edit that makes the line's comment suppress `codes` too, or None when it does."""
    existing = directives.lines.get(line)
    if existing is ALL_CODES:
        return None  # A bare noqa suppresses everything already.
    comment = directives.comments.get(line)
    if existing is not None and comment is None:
        return None  # Read without tokens (the file does not tokenize): not rewritten.
    if comment is not None:
        merged = sorted({code.upper() for code in comment.codes} | codes)
        start = source.offset(line, comment.column + comment.codes_start)
        end = source.offset(line, comment.column + comment.directive_end)
        content = ", ".join(merged)
    else:
        # After the code and any comment the line has: `# type: ignore` must stay first.
        text = source.line_text(line)
        kept = text.rstrip(" \t")
        start = source.offset(line, len(kept))
        end = source.offset(line, len(text))
        content = (
            f"  # noqa: {', '.join(sorted(codes))}"
            if kept
            else f"# noqa: {', '.join(sorted(codes))}"
        )
    if source.text[start:end] == content:
        return None
    return Edit(start, end, content, source.location(start), source.location(end))
