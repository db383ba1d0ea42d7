"""The TypeScript and JavaScript files of a run: prefiltered by their bytes (a file that names
no LLM SDK and none of their calls is not parsed, unless it was named on the command line),
parsed once with tree-sitter (what it cannot read is a CTX900 at its line), checked by each
rule's `check_typescript`, then noqa comments and per-file ignores applied. Imported only when
a run has such files: a Python-only run never loads tree-sitter."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from ctxlint.config import Settings
from ctxlint.diagnostics import Diagnostic
from ctxlint.files import NotRead, read_source
from ctxlint.redact import bounded
from ctxlint.results import FileResult, Report
from ctxlint.rule import InputKind, Rule
from ctxlint.suppression import is_suppressed, read_script_directives, without_ignored
from ctxlint.typescript import looks_bundled, worth_parsing, writes_tool_arguments
from ctxlint.unreadable import is_unreadable, reports_unreadable, unreadable_at

Group = tuple[Settings, list[tuple[str, bool]]]
_BOM = b"\xef\xbb\xbf"


class ScriptChecker:
    """Checks TS/JS source with the selected rules; one per settings, reused for every file."""

    def __init__(self, settings: Settings, rules: Iterable[type[Rule]]) -> None:
        rules = tuple(rules)
        self.settings = settings
        self.rules = [rule() for rule in rules if InputKind.TYPESCRIPT in rule.input_kinds()]
        self.report_unreadable = reports_unreadable(rules)
        # Files parsed by this checker (those the prefilter let through, and those named).
        self.parsed = 0

    def check_data(self, path: str, data: bytes, explicit: bool = True) -> FileResult | None:
        """The result of the bytes of `path` (None when there is nothing to report). A bug in
        a rule is this file's problem, not raised: it must not hide other files' findings."""
        if not explicit and (not worth_parsing(data) or looks_bundled(path, data)):
            return None
        if data.startswith(_BOM):
            data = data[len(_BOM) :]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            return self.unreadable(path, "not UTF-8 text", line)
        try:
            diagnostics = self._check(path, data)
        except Exception as error:
            result = FileResult(path)
            result.problems.append(
                f"internal error while checking: {type(error).__name__}: {bounded(str(error))}"
            )
            return result
        if not diagnostics:
            return None
        result = FileResult(path, readable=not any(is_unreadable(d) for d in diagnostics))
        result.diagnostics = diagnostics
        lines = text.split("\n")
        for diagnostic in diagnostics:
            for line in range(diagnostic.start.line, diagnostic.end.line + 1):
                if 1 <= line <= len(lines):
                    result.lines[line] = lines[line - 1].rstrip("\r")
        return result

    def _check(self, path: str, data: bytes) -> list[Diagnostic]:
        from ctxlint.typescript.module import ScriptModule
        from ctxlint.typescript.parse import parse_script

        parsed = parse_script(path, data)
        self.parsed += 1
        found: list[Diagnostic] = []
        if self.report_unreadable:
            found.extend(
                unreadable_at(path, error.reason, error.location.line, error.location.column)
                for error in parsed.errors
            )
        if self.rules:
            module = ScriptModule.of(
                parsed, self.settings.flag_daily_values, self.settings.compaction_functions
            )
            if module.sinks or module.histories or writes_tool_arguments(data):
                for rule in self.rules:
                    found.extend(rule.check_typescript(module))  # type: ignore[attr-defined]
        if found:
            directives = read_script_directives(_comments(parsed))
            # A parse error is reported whatever a comment says, as for Python.
            found = [d for d in found if is_unreadable(d) or not is_suppressed(d, directives)]
        found.sort(key=lambda d: (d.start, d.code))
        return without_ignored(path, found, self.settings)

    def unreadable(self, path: str, reason: str, line: int = 1) -> FileResult:
        found = [unreadable_at(path, reason, line)] if self.report_unreadable else []
        return FileResult(path, diagnostics=found, readable=False)


def _comments(parsed) -> list[tuple[int, int, str]]:
    """Each comment of the file (line, column, text) that mentions noqa."""
    if b"noqa" not in parsed.data.lower():
        return []
    found = []
    pending = [parsed.root]
    while pending:
        node = pending.pop()
        if node.type == "comment":
            text = parsed.text(node)
            if "noqa" in text.lower():
                at = parsed.location(node.start_point)
                found.append((at.line, at.column - 1, text))
        else:
            pending.extend(node.children)
    return found


def check_script_file(checker: ScriptChecker, path: str, explicit: bool) -> FileResult | None:
    try:
        data = read_source(path)
    except (OSError, NotRead) as error:
        reason = error.reason if isinstance(error, NotRead) else f"cannot read: {error.strerror}"
        return checker.unreadable(path, reason)
    return checker.check_data(path, data, explicit)


def check_script_groups(
    groups: Iterable[Group],
    report: Report,
    rules_of: Callable[[Settings], tuple[type[Rule], ...]],
    advance: Callable[[int], None],
    jobs: int | None = None,
) -> int:
    """Check each group's files with its settings' rules, into `report`, in worker processes
    when there are many (as Python files are); the number of files parsed."""
    from ctxlint.parallel import run_in_batches

    parsed = 0
    for settings, files in groups:
        checker = ScriptChecker(settings, rules_of(settings))
        outcomes = run_in_batches(
            functools.partial(_check_batch, checker), files, jobs, advance, _load_grammars
        )
        for was_parsed, result in outcomes:
            parsed += was_parsed
            if result is not None:
                report.results.append(result)
    return parsed


def _check_batch(
    checker: ScriptChecker, files: Iterable[tuple[str, bool]]
) -> list[tuple[bool, FileResult | None]]:
    outcomes = []
    for path, explicit in files:
        before = checker.parsed
        result = check_script_file(checker, path, explicit)
        outcomes.append((checker.parsed > before, result))
    return outcomes


def _load_grammars() -> None:
    """Before workers fork: each would otherwise load the grammars for itself."""
    from ctxlint.typescript.parse import load_grammars

    load_grammars()
