"""Checks one prompt file with the selected rules: read it (a template error is a CTX900 at its
line), run each rule's `check_prompt`, drop what noqa comments and per-file ignores turn off,
and with --fix / --diff apply the fixes, keeping the file unchanged when a fix would leave the
template unreadable."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ctxlint.config import Settings
from ctxlint.diagnostics import Diagnostic
from ctxlint.files import FileChanged, NotRead, read_source, write_atomically
from ctxlint.redact import bounded
from ctxlint.results import FileResult, FixMode
from ctxlint.rule import InputKind, Rule
from ctxlint.suppression import is_suppressed, read_prompt_directives, without_ignored
from ctxlint.unreadable import is_unreadable, reports_unreadable, unreadable_at

if TYPE_CHECKING:
    from ctxlint.prompt_files.model import Reference

_BOM = "\ufeff"


class PromptChecker:
    """Checks prompt-file text with the selected rules; one per settings, reused for every file."""

    def __init__(self, settings: Settings, rules: Iterable[type[Rule]]) -> None:
        rules = tuple(rules)
        self.settings = settings
        self.rules = [rule() for rule in rules if InputKind.PROMPT in rule.input_kinds()]
        self.report_unreadable = reports_unreadable(rules)
        # The files the last file checked names for its text (a promptfoo `file://`).
        self.last_references: tuple[Reference, ...] = ()

    def check_text(self, path: str, text: str, renders: tuple = ()) -> list[Diagnostic]:
        """The findings in `text` read as the prompt file `path`, suppressions applied."""
        from ctxlint.prompt_files import read_prompt_file
        from ctxlint.prompt_files.checked import PromptCheck

        prompt = read_prompt_file(Path(path), text)
        self.last_references = prompt.references
        found: list[Diagnostic] = []
        if self.report_unreadable:
            found.extend(unreadable_at(path, error.reason, error.line) for error in prompt.errors)
        if prompt.parts:
            check = PromptCheck(path, text, prompt, tuple(renders), self.settings.flag_daily_values)
            for rule in self.rules:
                found.extend(rule.check_prompt(check))  # type: ignore[attr-defined]
        if prompt.errors:
            # A fix to a template that does not parse cannot be checked to keep it readable.
            found = [replace(d, fix=None) if d.fix is not None else d for d in found]
        return self._kept(path, text, found)

    def _kept(self, path: str, text: str, found: list[Diagnostic]) -> list[Diagnostic]:
        if found:
            directives = read_prompt_directives(text)
            # A template error is raised before any comment is read, as for Python.
            found = [d for d in found if is_unreadable(d) or not is_suppressed(d, directives)]
        return without_ignored(path, found, self.settings)

    def parses(self, path: str, text: str) -> bool:
        """Whether `text` reads as the prompt file `path` without a template error."""
        from ctxlint.prompt_files import read_prompt_file

        return not read_prompt_file(Path(path), text).errors


def check_prompt_file(
    checker: PromptChecker, path: str, mode: FixMode, renders: tuple = ()
) -> FileResult | None:
    """The result of the prompt file at `path` (None when there is nothing to report); with
    FIX the fixed file is written, atomically and only if it still holds what was read."""
    from ctxlint.prompt_files.reader import MAX_PROMPT_FILE_BYTES

    checker.last_references = ()
    try:
        data = read_source(path, MAX_PROMPT_FILE_BYTES)
    except (OSError, NotRead) as error:
        reason = error.reason if isinstance(error, NotRead) else f"cannot read: {error.strerror}"
        return unreadable_prompt(checker, path, reason)
    result = check_prompt_data(checker, path, data, mode, renders)
    if mode is FixMode.FIX and result is not None and result.new_data is not None:
        try:
            write_atomically(path, result.new_data, expected=data)
        except (FileChanged, OSError) as error:
            reason = (
                str(error)
                if isinstance(error, FileChanged)
                else f"cannot write the fixed file: {error.strerror or error}"
            )
            unfixed = check_prompt_data(checker, path, data, FixMode.CHECK, renders)
            unfixed = unfixed or FileResult(path)
            unfixed.write_failure = reason
            return unfixed
    return result


def check_prompt_data(
    checker: PromptChecker, path: str, data: bytes, mode: FixMode, renders: tuple = ()
) -> FileResult | None:
    """Check (and with FIX/DIFF, fix) the bytes of a prompt file, wherever they were read from
    (a file, standard input); nothing is written. A bug in a rule is reported as this file's
    problem, not raised: it must not hide every other file's findings."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return unreadable_prompt(checker, path, "not UTF-8 text", line)
    try:
        result = _checked(checker, path, text, mode, renders)
    except Exception as error:
        result = FileResult(path)
        result.problems.append(
            f"internal error while checking: {type(error).__name__}: {bounded(str(error))}"
        )
    if result.diagnostics or result.problems or result.new_data is not None or result.diff:
        return result
    return None


def _checked(
    checker: PromptChecker, path: str, text: str, mode: FixMode, renders: tuple
) -> FileResult:
    from ctxlint.fix import fix_until_stable, record_outcome

    # Offsets count from after a byte order mark (as the reader reads the file); the mark is
    # written back in front of a fixed file.
    bom = _BOM if text.startswith(_BOM) else ""
    body = text[len(bom) :]
    diagnostics = original = checker.check_text(path, body, renders)
    result = FileResult(path, readable=not any(is_unreadable(d) for d in diagnostics))
    shown = body
    if mode is not FixMode.CHECK and any(d.fix is not None for d in diagnostics):
        outcome = fix_until_stable(
            body,
            lambda fixed: checker.check_text(path, fixed, renders),
            lambda fixed: checker.parses(path, fixed),
            checker.settings.unsafe_fixes,
            diagnostics,
        )
        if outcome.problem:
            outcome = replace(outcome, problem=outcome.problem.replace("code", "template"))
        diagnostics, shown = outcome.remaining, outcome.text
        if not record_outcome(result, outcome, body, mode, lambda t: (bom + t).encode("utf-8")):
            # Nothing is written: what is reported is what the file still holds.
            diagnostics, shown = original, body
    result.diagnostics = diagnostics
    lines = shown.split("\n")
    for diagnostic in diagnostics:
        for line in range(diagnostic.start.line, diagnostic.end.line + 1):
            if 1 <= line <= len(lines):
                result.lines[line] = lines[line - 1].rstrip("\r")
    return result


def unreadable_prompt(checker: PromptChecker, path: str, reason: str, line: int = 1) -> FileResult:
    """The result of a prompt file that could not be read or decoded: a CTX900 if selected."""
    found = [unreadable_at(path, reason, line)] if checker.report_unreadable else []
    return FileResult(path, diagnostics=found, readable=False)
