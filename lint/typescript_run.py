"""The TypeScript and JavaScript files of a run: prefiltered by their bytes (a file that names
no LLM SDK and none of their calls is not parsed, unless it was named on the command line),
parsed once with tree-sitter (what it cannot read is a CTX900 at its line), checked by each
rule's `check_typescript`, then noqa comments and per-file ignores applied; with --fix and
--diff, fixed as Python files are (ctxlint.fix): re-checked until stable, kept unchanged when
the result does not parse, written atomically. Imported only when a run has such files: a
Python-only run never loads tree-sitter."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import replace

from ctxlint.config import Settings
from ctxlint.diagnostics import Diagnostic
from ctxlint.files import FileChanged, NotRead, read_source, write_atomically
from ctxlint.redact import bounded
from ctxlint.results import FileResult, FixMode, Report
from ctxlint.rule import InputKind, Rule
from ctxlint.suppression import is_suppressed, read_script_directives, without_ignored
from ctxlint.typescript import (
    VALUE_NEEDLES,
    looks_bundled,
    looks_like_a_test,
    may_hold_a_sink,
    names_a_system_prompt,
    names_an_sdk,
    sets_breakpoints,
    writes_tool_arguments,
)
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
        self._project = None
        self._judge = None

    @property
    def project(self):
        """The files checked files import, followed by the rules that read values there."""
        if self._project is None:
            from ctxlint.typescript.project import ScriptProject

            self._project = ScriptProject()
        return self._project

    def __getstate__(self) -> dict:
        # Sent to worker processes without what this process parsed or judged.
        return {**self.__dict__, "_project": None, "_judge": None}

    def check_data(
        self, path: str, data: bytes, explicit: bool = True, mode: FixMode = FixMode.CHECK
    ) -> FileResult | None:
        """The result of the bytes of `path` (None when there is nothing to report); with FIX
        the fixed bytes are its `new_data`, with DIFF its `diff` (nothing is written here). A
        bug in a rule is this file's problem, not raised: it must not hide other files'
        findings."""
        if not explicit and (looks_bundled(path, data) or not self.wanted(path, data)):
            return None
        bom = _BOM if data.startswith(_BOM) else b""
        data = data[len(bom) :]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            return self.unreadable(path, "not UTF-8 text", line)
        try:
            diagnostics = self._check(path, data)
            result = FileResult(path)
            shown = text
            if mode is not FixMode.CHECK and any(d.fix is not None for d in diagnostics):
                diagnostics, shown = self._fixed(path, text, bom, diagnostics, mode, result)
        except Exception as error:
            result = FileResult(path)
            result.problems.append(
                f"internal error while checking: {type(error).__name__}: {bounded(str(error))}"
            )
            return result
        if not (diagnostics or result.problems or result.new_data or result.diff):
            return None
        result.readable = not any(is_unreadable(d) for d in diagnostics)
        result.diagnostics = diagnostics
        lines = shown.split("\n")
        for diagnostic in diagnostics:
            if diagnostic.path == path:
                source, where = lines, result.lines
            else:
                # A value built in a file this one imports: shown under that file.
                source = _lines_of(diagnostic.path)
                where = result.other_lines.setdefault(diagnostic.path, {})
            for line in range(diagnostic.start.line, diagnostic.end.line + 1):
                if 1 <= line <= len(source):
                    where[line] = source[line - 1].rstrip("\r")
        return result

    def wanted(self, path: str, data: bytes) -> bool:
        """Whether a file a walk met is worth parsing: it may hold a sink, or it builds a
        value that changes and imports the project's model layer (whose wrappers it may
        call with the value)."""
        if may_hold_a_sink(data, self.settings.json_in_messages):
            return True
        if looks_like_a_test(path):
            return False
        if names_a_system_prompt(data, names_an_sdk(data)):
            return True
        if not any(needle in data for needle in VALUE_NEEDLES):
            return False
        from ctxlint.typescript.project import imports_a_sender

        return imports_a_sender(self.project, path, data)

    def _fixed(
        self,
        path: str,
        text: str,
        bom: bytes,
        diagnostics: list[Diagnostic],
        mode: FixMode,
        result: FileResult,
    ) -> tuple[list[Diagnostic], str]:
        """Apply the fixes to `text` into `result`: what is still found, and the text shown."""
        from ctxlint.fix import fix_until_stable, record_outcome
        from ctxlint.typescript.parse import parse_script

        if parse_script(path, text.encode("utf-8")).errors:
            # A file that does not parse cannot show that a fix keeps it readable.
            return diagnostics, text
        outcome = fix_until_stable(
            text,
            lambda fixed: self._check(path, fixed.encode("utf-8")),
            lambda fixed: not parse_script(path, fixed.encode("utf-8")).errors,
            self.settings.unsafe_fixes,
            diagnostics,
        )
        if record_outcome(result, outcome, text, mode, lambda t: bom + t.encode("utf-8")):
            return outcome.remaining, outcome.text
        # Nothing is written: what is reported is what the file still holds.
        return diagnostics, text

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
                parsed,
                self.settings.flag_daily_values,
                self.settings.compaction_functions,
                self.project,
            )
            module.settings = self.settings
            # Converters and serializers send nothing, yet CTX002 (with json-in-messages)
            # and CTX008 read them.
            replays = self.settings.json_in_messages and writes_tool_arguments(data)
            if module.sinks or module.histories or replays or sets_breakpoints(data):
                for rule in self.rules:
                    found.extend(rule.check_typescript(module))  # type: ignore[attr-defined]
        own = [d for d in found if d.path == path]
        if own:
            directives = read_script_directives(_comments(parsed))
            # A parse error is reported whatever a comment says, as for Python.
            own = [d for d in own if is_unreadable(d) or not is_suppressed(d, directives)]
        kept = without_ignored(path, own, self.settings)
        # A finding in a file this one imports: that file's noqa comments and ignores judge it,
        # and it carries no fix (a fix edits the file being checked only).
        for other in sorted({d.path for d in found if d.path != path}):
            elsewhere = [replace(d, fix=None) for d in found if d.path == other]
            kept.extend(self._kept_elsewhere(other, elsewhere))
        kept.sort(key=lambda d: (d.path != path, d.path, d.start, d.code))
        return kept

    def _kept_elsewhere(self, path: str, found: list[Diagnostic]) -> list[Diagnostic]:
        from ctxlint.judge import FindingJudge
        from ctxlint.typescript.project import parsed_file

        if self._judge is None:
            self._judge = FindingJudge(lambda _: self.settings)
        parsed = parsed_file(path)
        if parsed is None or self._judge.excluded(path):
            return []
        directives = read_script_directives(_comments(parsed))
        found = [d for d in found if not is_suppressed(d, directives)]
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


def _lines_of(path: str) -> list[str]:
    from ctxlint.typescript.project import parsed_file

    parsed = parsed_file(path)
    return parsed.data.decode("utf-8", errors="replace").split("\n") if parsed else []


def check_script_file(
    checker: ScriptChecker, path: str, explicit: bool, mode: FixMode = FixMode.CHECK
) -> FileResult | None:
    """The result of the file at `path`; with FIX the fixed file is written, atomically and
    only if it still holds what was read."""
    try:
        data = read_source(path)
    except (OSError, NotRead) as error:
        reason = error.reason if isinstance(error, NotRead) else f"cannot read: {error.strerror}"
        return checker.unreadable(path, reason)
    result = checker.check_data(path, data, explicit, mode)
    if mode is FixMode.FIX and result is not None and result.new_data is not None:
        try:
            write_atomically(path, result.new_data, expected=data)
        except (FileChanged, OSError) as error:
            reason = (
                str(error)
                if isinstance(error, FileChanged)
                else f"cannot write the fixed file: {error.strerror or error}"
            )
            unfixed = checker.check_data(path, data, explicit) or FileResult(path)
            unfixed.write_failure = reason
            return unfixed
    return result


def check_script_groups(
    groups: Iterable[Group],
    report: Report,
    rules_of: Callable[[Settings], tuple[type[Rule], ...]],
    advance: Callable[[int], None],
    jobs: int | None = None,
    mode: FixMode = FixMode.CHECK,
) -> int:
    """Check each group's files with its settings' rules, into `report`, in worker processes
    when there are many (as Python files are); the number of files parsed."""
    from ctxlint.parallel import run_in_batches
    from ctxlint.results import regrouped

    parsed = 0
    results: list[FileResult] = []
    for settings, files in groups:
        checker = ScriptChecker(settings, rules_of(settings))
        outcomes = run_in_batches(
            functools.partial(_check_batch, checker, mode), files, jobs, advance, _load_grammars
        )
        for was_parsed, result in outcomes:
            parsed += was_parsed
            if result is not None:
                results.append(result)
    # A finding in an imported file goes under that file, once however many files reach it.
    report.results.extend(regrouped(results))
    return parsed


def _check_batch(
    checker: ScriptChecker, mode: FixMode, files: Iterable[tuple[str, bool]]
) -> list[tuple[bool, FileResult | None]]:
    outcomes = []
    for path, explicit in files:
        before = checker.parsed
        result = check_script_file(checker, path, explicit, mode)
        outcomes.append((checker.parsed > before, result))
    return outcomes


def _load_grammars() -> None:
    """Before workers fork: each would otherwise load the grammars for itself."""
    from ctxlint.typescript.parse import load_grammars

    load_grammars()
