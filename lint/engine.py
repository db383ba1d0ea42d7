"""Runs the selected rules over files: prefilter, parse once, check, suppress, fix.

Library users call `check_paths` (or `check_source` for text in memory); the command line is a
thin layer over them.
"""

from __future__ import annotations

import ast
import functools
import gc
import importlib
import os
import pkgutil
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from ctxlint.cache import ResultsCache, cache_key, new_entry
from ctxlint.collector import cycle_collection_paused
from ctxlint.config import Settings
from ctxlint.config_resolution import SettingsResolver
from ctxlint.diagnostics import Diagnostic
from ctxlint.discovery import find_inputs
from ctxlint.files import (
    FileChanged,
    NotRead,
    read_source,
    remove_stale_temporaries,
    write_atomically,
)
from ctxlint.judge import FindingJudge
from ctxlint.parallel import run_in_batches
from ctxlint.python.imports import forget_the_file_system, imported_files, roots_for
from ctxlint.redact import bounded
from ctxlint.registry import select_rules
from ctxlint.results import FileResult, FixMode, Report, answered_from_cache, regrouped
from ctxlint.rule import InputKind, Rule
from ctxlint.source import SourceText, UnreadableSource
from ctxlint.suppression import ALL_CODES, is_suppressed, read_directives, without_ignored
from ctxlint.unreadable import is_unreadable, reports_unreadable, unreadable_at

if TYPE_CHECKING:
    from pathlib import Path

    # The analysis is imported where a file is parsed: a run answered from the results cache
    # parses nothing and must not pay for loading it (bench/startup.py).
    from ctxlint.python.module import PythonModule
    from ctxlint.python.prefilter import Prefilter
    from ctxlint.python.project import Project
    from ctxlint.unused_noqa import NoqaJudge

_T = TypeVar("_T")
# A noqa comment naming a ctxlint code: a file holding one is parsed when CTX100 is selected.
_OWN_NOQA = re.compile(rb"(?i)#\s*noqa\s*:[^\r\n]*?CTX[0-9]")
# Project files the prefilter reads to tell whether a sink's file imports a source.
_MAX_IMPORTS_SCANNED = 24

__all__ = [
    "FileResult",
    "FixMode",
    "PythonChecker",
    "Report",
    "check_paths",
    "check_python_data",
    "check_source",
    "check_trace_files",
    "selected_rules",
    "unreadable_result",
]


class PythonChecker:
    """Checks Python text with the selected rules; one per process, reused for every file."""

    def __init__(self, settings: Settings, rules: Iterable[type[Rule]]) -> None:
        rules = tuple(rules)
        self.settings = settings
        self.rules = [rule() for rule in rules if InputKind.PYTHON in rule.input_kinds()]
        self.report_unreadable = reports_unreadable(rules)
        self.judges_noqa = any(rule.reports_unused_noqa for rule in rules)
        # The files besides the one checked last whose text its findings rest on (for the
        # results cache, which holds them stale when one of them changes), and the project
        # files the prefilter read to decide on the last file (a skip rests on them too).
        self.last_dependencies: tuple[str, ...] = ()
        self.last_scanned: tuple[str, ...] = ()
        # Whether the last file's unused-noqa verdict rested on which files import it.
        self.last_rests_on_importers = False
        # Where absolute imports of the checked files resolve, besides each file's own
        # package root: the folders named on the command line.
        self.roots: tuple[str, ...] = ()
        self._project: Project | None = None
        # Where the results cache keeps the summaries of imported files, when the run has one.
        self.summaries_folder: Path | None = None
        # For project files imported by a sink's file: whether they may hold a source, and
        # the project files they import in turn.
        self._imported_sources: dict[str, tuple[bool, bool, list[str]]] = {}
        # Findings in other files judged by this checker's settings; check_paths sets
        # `judged_later` to judge them after the results cache instead, each by the settings
        # of the file it is in (FindingJudge).
        self._judge = FindingJudge(lambda path: self.settings)
        self.judged_later = False

    @property
    def project(self) -> Project:
        """The modules this process reaches from the files it checks (made in each worker)."""
        if self._project is None:
            from ctxlint.python.project import Project

            self._project = Project(self.settings, self.roots)
            if self.summaries_folder is not None:
                # Imported files unchanged since are answered from their summaries.
                self._project.summaries.folder = self.summaries_folder
        return self._project

    @functools.cached_property
    def prefilter(self) -> Prefilter:
        """What a file must hold to be parsed, from the selected rules' triggers (made when
        the first file is looked at: a run answered from the results cache needs none)."""
        from ctxlint.python.prefilter import build_prefilter

        return build_prefilter(
            self.settings.prompt_sinks, [rule.python_trigger for rule in self.rules]
        )

    def load_analysis(self) -> None:
        """Import the whole analysis and build the prefilter now, before worker processes are
        forked: each inherits them rather than importing them again on its first file."""
        import ctxlint.python as analysis

        for module in pkgutil.iter_modules(analysis.__path__):
            importlib.import_module(f"{analysis.__name__}.{module.name}")
        self.prefilter  # noqa: B018 - built here, for every worker

    @functools.cached_property
    def noqa_judge(self) -> NoqaJudge | None:
        """Judges unused `# noqa` codes when CTX100 is selected."""
        if not self.judges_noqa:
            return None
        from ctxlint.unused_noqa import NoqaJudge

        return NoqaJudge(self.settings, self.rules, self.prefilter)

    def wanted(self, data: bytes, path: str = "") -> bool:
        self.last_scanned = ()
        if self.prefilter.wanted(data):
            return True
        if self.judges_noqa and _OWN_NOQA.search(data):
            return True  # Its noqa codes are judged (CTX100); no other finding is lost.
        # A sink whose source may sit in a project module it imports (or one those import).
        # Or a history whose rewrite may sit in one (`store.get_history()` cutting a window):
        # any file that sends prompts, as histories are sent without a prefix word.
        prefilter = self.prefilter
        if not path or not prefilter.may_send_prompts(data):
            return False
        prefix = prefilter.may_send_a_prefix(data)
        pending, looked = imported_files(data, path, self.roots), 0
        scanned: list[str] = []
        while pending and looked < _MAX_IMPORTS_SCANNED:
            imported = pending.pop(0)
            looked += 1
            scanned.append(imported)
            if imported not in self._imported_sources:
                try:
                    imported_data = read_source(imported)
                except (OSError, NotRead):
                    imported_data = b""
                self._imported_sources[imported] = (
                    prefilter.may_hold_a_source(imported_data),
                    prefilter.may_edit_a_history(imported_data),
                    imported_files(imported_data, imported, self.roots),
                )
            has_source, edits_a_history, further = self._imported_sources[imported]
            if (has_source and prefix) or edits_a_history:
                return True
            pending.extend(further)
        self.last_scanned = tuple(sorted(set(scanned)))
        return False

    def check_text(self, path: str, source: SourceText) -> list[Diagnostic]:
        # A library caller's check pauses the collector as a run over files does (_check_batch).
        with cycle_collection_paused():
            return self._check_text(path, source)

    def _check_text(self, path: str, source: SourceText) -> list[Diagnostic]:
        self.last_dependencies = ()
        self.last_rests_on_importers = False
        project = self.project
        try:
            tree = project.tree_to_check(path, source.text) or ast.parse(source.text, filename=path)
        except SyntaxError as error:
            from ctxlint.python.newer_syntax import newer_syntax_reason

            line = source.line_text(error.lineno) if error.lineno else ""
            reason = newer_syntax_reason(line, error.msg) or f"syntax error: {error.msg}"
            return self.unreadable(path, reason, error.lineno, error.offset)
        except (ValueError, RecursionError, MemoryError) as error:
            return self.unreadable(path, f"cannot parse: {error}", 1, 1)
        from ctxlint.python.module import PythonModule

        module = PythonModule(path, source, tree, self.settings)
        diagnostics: list[Diagnostic] = []
        project.begin(module)
        try:
            for rule in self.rules:
                diagnostics.extend(rule.check_python(module))
            self.last_dependencies = _dependencies(module)
        finally:
            project.end(module)
            module.dispose()
            project.keep_tree(path, source.text, tree)
        return self.keep(path, source.text, diagnostics, source)

    def keep(
        self,
        path: str,
        text: str,
        diagnostics: list[Diagnostic],
        source: SourceText | None = None,
    ) -> list[Diagnostic]:
        """Drop what per-file-ignores or `# noqa` suppress, each in the file the finding is
        in (a flow from this file may end in another). With the checked file's `source`, its
        unused `# noqa` codes are reported when CTX100 is selected."""
        if not diagnostics and (self.noqa_judge is None or source is None):
            return diagnostics
        own = [d for d in diagnostics if d.path == path]
        kept = self._unsuppressed(path, text, own, source)
        others = sorted({d.path for d in diagnostics if d.path != path})
        for other in others:
            module = self.project.module_at(other)
            if module is None or (not self.judged_later and self._judge.excluded(other)):
                continue
            found = [
                # A fix is applied to the file being analysed only: none for another file.
                replace(d, fix=None) if d.fix is not None else d
                for d in diagnostics
                if d.path == other
            ]
            by_settings = not self.judged_later
            kept.extend(
                self._unsuppressed(other, module.source.text, found, by_settings=by_settings)
            )
        return kept

    def _unsuppressed(
        self,
        path: str,
        text: str,
        diagnostics: list[Diagnostic],
        source: SourceText | None = None,
        by_settings: bool = True,
    ) -> list[Diagnostic]:
        judge = self.noqa_judge if source is not None else None
        if not diagnostics and judge is None:
            return diagnostics
        directives = read_directives(text)
        kept = without_ignored(path, diagnostics, self.settings) if by_settings else diagnostics
        shown = [d for d in kept if not is_suppressed(d, directives)]
        if judge is not None and source is not None and directives.file_codes is not ALL_CODES:
            judge.roots = self.roots
            suppressed = [d for d in kept if is_suppressed(d, directives)]
            unused = judge.findings(path, source, directives, suppressed)
            self.last_rests_on_importers = judge.consulted_importers
            unused = without_ignored(path, unused, self.settings)
            shown.extend(d for d in unused if not is_suppressed(d, directives))
        return shown

    def line_in(self, path: str, line: int) -> str:
        """A source line of another file of the project (under a finding reached from here)."""
        module = self.project.module_at(path)
        return module.source.line_text(line) if module is not None else ""

    def unreadable(
        self, path: str, reason: str, line: int | None, column: int | None
    ) -> list[Diagnostic]:
        if not self.report_unreadable:
            return []
        return [unreadable_at(path, reason, line, column)]


def _dependencies(module: PythonModule) -> tuple[str, ...]:
    # `dependencies()` comes with the analysis across modules; until then a module's findings
    # rest on its own text alone.
    dependencies = getattr(module, "dependencies", None)
    return tuple(sorted(dependencies())) if dependencies is not None else ()


def selected_rules(settings: Settings) -> tuple[type[Rule], ...]:
    """The rules the settings' select, extend-select and ignore lists choose."""
    return select_rules(list(settings.select), list(settings.extend_select), list(settings.ignore))


def check_source(
    text: str | SourceText,
    settings: Settings,
    path: str = "<stdin>",
    mode: FixMode = FixMode.CHECK,
) -> FileResult:
    """Check (and with FIX/DIFF, fix) Python source held in memory. Given as a SourceText
    (decoded bytes), a fix's `new_data` keeps its encoding and byte order mark."""
    rules = selected_rules(settings)
    checker = PythonChecker(settings, rules)
    source = text if isinstance(text, SourceText) else SourceText(text)
    # Paused across every pass of a fix and the diff, not only while each pass is analysed.
    with cycle_collection_paused():
        return _check_python(checker, path, source, mode)


def check_paths(
    paths: Iterable[str],
    settings: Settings | SettingsResolver,
    mode: FixMode = FixMode.CHECK,
    jobs: int | None = None,
    cache_folder: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    skip_unknown: bool = False,
) -> Report:
    """Check (and with FIX/DIFF, fix) files and folders. With FIX, each file is written as
    soon as its fix is ready, and only if it still holds what was read. With `cache_folder`,
    Python files unchanged since a run with the same settings are answered from the results
    cache there (ctxlint.cache); trace files are always read. `progress(done, total)` is
    told how many of the files found are done as the run goes (a progress line's count). With
    `skip_unknown`, a trace file named in `paths` that no reader recognises is passed over as a
    folder walk passes it over, not reported (pre-commit names every file its pattern matches).
    Given a SettingsResolver, each file is checked with the settings of its nearest
    configuration (ctxlint.config_resolution); plain Settings apply to every file. Raises
    ConfigError for a configuration met that is bad."""
    resolver = SettingsResolver.of(settings)
    found = find_inputs(paths, resolver)
    report = Report(
        errors=found.errors,
        warnings=found.warnings,
        unchecked=len(found.errors),
        passed_over=found.passed_over,
    )
    # The files of each settings, in the order the sorted files first meet them.
    groups: dict[int, tuple[Settings, list[tuple[str, bool]], list[tuple[str, bool]]]] = {}
    for input_file in found.files:
        file_settings = resolver.for_path(input_file.path)
        _, work, traces = groups.setdefault(id(file_settings), (file_settings, [], []))
        # A file named on the command line is always parsed (and so reported if broken);
        # the prefilter only spares the files a folder walk turns up.
        if input_file.kind is InputKind.TRACE:
            traces.append((input_file.path, input_file.explicit and not skip_unknown))
        else:
            work.append((input_file.path, input_file.explicit))
    report.files_checked = len(found.files)
    forget_the_file_system()
    roots = roots_for(paths)
    if mode is FixMode.FIX:
        _remove_stale_temporaries(path for _, work, _ in groups.values() for path, _ in work)
    advance = _counter(progress, report.files_checked, 0)
    for group_settings, work, _ in groups.values():
        if work:
            _check_python_files(
                group_settings, work, roots, mode, jobs, cache_folder, report, advance
            )
    # After the cache: an entry holds what a check found, and a configuration changed or added
    # since, over a file a finding is in, is heeded all the same.
    judge = FindingJudge(resolver.for_path)
    for result in report.results:
        result.diagnostics = [
            d for d in result.diagnostics if d.path == result.path or judge.keeps(d)
        ]
    report.results = regrouped(report.results)
    walked_past = len(report.passed_over)
    for group_settings, _, traces in groups.values():
        if traces:
            rules = selected_rules(group_settings)
            counted = _each_counted(traces, advance)
            report.results.extend(
                check_trace_files(
                    counted,
                    group_settings,
                    rules,
                    report.traces,
                    report.passed_over,
                    report.harness_findings,
                )
            )
    report.files_checked -= len(report.passed_over) - walked_past
    report.traces.sort()
    report.results.sort(key=lambda r: r.path)
    return report


def _check_python_files(
    settings: Settings,
    work: list[tuple[str, bool]],
    roots: tuple[str, ...],
    mode: FixMode,
    jobs: int | None,
    cache_folder: str | os.PathLike[str] | None,
    report: Report,
    advance: Callable[[int], None],
) -> None:
    """The Python files that share one settings: one checker (forked into the workers with
    them), and the results cache of those settings, whose key holds them."""
    rules = selected_rules(settings)
    checker = PythonChecker(settings, rules)
    checker.roots = roots
    checker.judged_later = True
    cache = None
    if cache_folder is not None:
        from pathlib import Path

        key = cache_key(settings, [rule.code for rule in rules])
        cache = ResultsCache.open(Path(cache_folder), key)
        # Imported files unchanged since are answered from their summaries (summary_cache.py).
        checker.summaries_folder = cache.summaries_folder
    asked = len(work)
    results, work = answered_from_cache(cache, work, mode)
    advance(asked - len(work))
    checked: list[_Checked] = run_in_batches(
        functools.partial(_check_batch, checker, mode=mode, record=cache is not None),
        work,
        jobs,
        advance,
        before_fork=checker.load_analysis,
    )
    for (path, _), (_, result, entry) in zip(work, checked, strict=True):
        results.append(result)
        if cache is not None and entry is not None:
            cache.record(path, entry)
    if cache is not None:
        cache.save()
        # Each settings' cache is in the same folder: a folder that cannot be written is said once.
        report.warnings.extend(w for w in cache.warnings if w not in report.warnings)
    for result in results:
        if result is not None:
            report.results.append(result)
            if result.write_failure is not None:
                report.errors.append(f"{result.path}: not fixed: {result.write_failure}")


def _counter(
    progress: Callable[[int, int], None] | None, total: int, done: int
) -> Callable[[int], None]:
    """`advance(count)`, telling `progress` the running count of `total` (from `done`)."""
    count = done
    if progress is not None:
        progress(count, total)

    def advance(finished: int) -> None:
        nonlocal count
        count += finished
        if progress is not None:
            progress(count, total)

    return advance


def _each_counted(items: Iterable[_T], advance: Callable[[int], None]) -> Iterator[_T]:
    """`items`, each counted once its consumer comes back for the next (it is done)."""
    for item in items:
        yield item
        advance(1)


def _remove_stale_temporaries(paths: Iterable[str]) -> None:
    """A run killed while writing leaves its temporary beside the file it was fixing."""
    for folder in sorted({os.path.dirname(os.path.realpath(path)) for path in paths}):
        remove_stale_temporaries(folder)


def check_trace_files(
    paths: Iterable[tuple[str, bool]],
    settings: Settings,
    rules: Iterable[type[Rule]],
    read: list[str],
    passed_over: list[str] | None = None,
    held_back: dict[str, int] | None = None,
) -> Iterator[FileResult]:
    """The results of trace files (path, named on the command line); the paths from which
    requests were read are added to `read`, those a walk found that are no trace to
    `passed_over`, and to `held_back` the number of findings about what a file's agent
    harness does by design that were not reported."""
    # Imported here: a pre-commit run over Python files never reads a trace.
    from ctxlint.trace.checker import TraceChecker

    checker = TraceChecker(settings, rules)
    for path, explicit in paths:
        try:
            checked = checker.check_file(path)
        except Exception as error:  # A bug in a rule must not hide every other file's findings.
            result = FileResult(path)
            result.problems.append(
                f"internal error while checking: {type(error).__name__}: {bounded(str(error))}"
            )
            yield result
            continue
        if checked.format is None and not explicit:
            # JSON lines a folder walk turned up that are no trace (a dataset, a config): the
            # same as other JSON, passed over. Named on the command line, they are reported.
            if passed_over is not None:
                passed_over.append(path)
            continue
        if checked.requests:
            read.append(path)
        if checked.harness_findings and held_back is not None:
            held_back[path] = checked.harness_findings
        if checked.diagnostics or not checked.readable:
            yield FileResult(path, diagnostics=checked.diagnostics, readable=checked.readable)


# Whether the file was parsed (which paces garbage collection), and its result when there is
# anything to report.
_Outcome = tuple[bool, "FileResult | None"]
# The same, and the results cache's entry for the file when there is one to keep.
_Checked = tuple[bool, "FileResult | None", "list[Any] | None"]
_COLLECT_EVERY = 1000
_parsed_since_collect = 0


def _check_batch(
    checker: PythonChecker, work: Iterable[tuple[str, bool]], mode: FixMode, record: bool = False
) -> list[_Checked]:
    # Syntax trees are large and short-lived: the cyclic collector scanning them while they
    # are alive costs more than parsing them. Collect between files instead, now and then
    # (counted across a worker's batches), for the rare cycle reference counting leaves.
    global _parsed_since_collect
    outcomes: list[_Checked] = []
    with cycle_collection_paused():
        for path, explicit in work:
            outcome = _check_path(checker, path, mode, explicit, record)
            outcomes.append(outcome)
            _parsed_since_collect += outcome[0]
            if _parsed_since_collect >= _COLLECT_EVERY:
                gc.collect()
                _parsed_since_collect = 0
    return outcomes


def _check_path(
    checker: PythonChecker, path: str, mode: FixMode, explicit: bool = False, record: bool = False
) -> _Checked:
    """The file's outcome, and with `record` its entry for the results cache."""
    try:
        # Stat before reading: a change made meanwhile then shows as a new time next run.
        info = os.stat(path) if record else None
        data = read_source(path)
    except (OSError, NotRead) as error:
        if isinstance(error, NotRead):
            reason = error.reason
        else:
            reason = f"cannot read: {error.strerror or error}"
        return False, unreadable_result(checker, path, reason), None
    wanted = explicit or checker.wanted(data, path)
    if not wanted:
        parsed, result = False, None
    else:
        parsed, result = check_python_data(checker, path, data, mode, explicit=True)
    if mode is FixMode.FIX and result is not None and result.new_data is not None:
        result = _write_fixed(checker, path, data, result)
    entry = None
    rests_on_importers = parsed and checker.last_rests_on_importers
    if info is not None and _cacheable(result, mode) and not rests_on_importers:
        findings = None
        if result is not None:
            findings = (result.diagnostics, result.lines, result.readable, result.other_lines)
        wanted = wanted if not explicit else checker.wanted(data, path)
        dependencies = checker.last_dependencies if parsed else checker.last_scanned
        entry = new_entry(info, data, wanted, parsed, findings, dependencies, path)
    return parsed, result, entry


def _cacheable(result: FileResult | None, mode: FixMode) -> bool:
    """Whether the result is the file's findings as a plain check makes them: not a fault of
    ctxlint's own, nor what a fix made of them (a fixed file is new bytes, checked again)."""
    if result is None:
        return True
    if result.problems or result.write_failure is not None:
        return False
    if result.fixed_text is not None or result.new_data is not None or result.diff is not None:
        return False
    return mode is FixMode.CHECK or not any(d.fix is not None for d in result.diagnostics)


def unreadable_result(
    checker: PythonChecker, path: str, reason: str, line: int = 1, column: int = 1
) -> FileResult:
    """The result of a file that could not be read or decoded: a CTX900 when it is selected."""
    result = FileResult(path, readable=False)
    result.diagnostics = checker.unreadable(path, reason, line, column)
    return result


def check_python_data(
    checker: PythonChecker, path: str, data: bytes, mode: FixMode, explicit: bool = True
) -> _Outcome:
    """Check (and with FIX/DIFF, fix) the bytes of a Python file, wherever they were read from
    (a file, standard input); nothing is written."""
    if not explicit and not checker.wanted(data, path):
        return False, None
    try:
        source = SourceText.decode_python(data)
    except UnreadableSource as error:
        return True, unreadable_result(checker, path, error.reason, error.line, error.column)
    result = _check_python(checker, path, source, mode)
    if result.diagnostics or result.problems or result.new_data is not None or result.diff:
        return True, result
    return True, None


def _write_fixed(checker: PythonChecker, path: str, data: bytes, result: FileResult) -> FileResult:
    """Write the fix now (in the worker that made it), unless the file changed since `data`
    was read from it; then it is left alone and reported as it was read."""
    assert result.new_data is not None
    try:
        write_atomically(path, result.new_data, expected=data)
    except (FileChanged, OSError) as error:
        if isinstance(error, FileChanged):
            reason = str(error)
        else:
            reason = f"cannot write the fixed file: {error.strerror or error}"
        # `data` decoded once already: it was fixed.
        unfixed = _check_python(checker, path, SourceText.decode_python(data), FixMode.CHECK)
        unfixed.write_failure = reason
        return unfixed
    return result


def _check_python(
    checker: PythonChecker, path: str, source: SourceText, mode: FixMode
) -> FileResult:
    try:
        return _check_python_unguarded(checker, path, source, mode)
    except Exception as error:  # A bug in a rule must not hide every other file's findings.
        result = FileResult(path)
        result.problems.append(
            f"internal error while checking: {type(error).__name__}: {bounded(str(error))}"
        )
        return result


def _check_python_unguarded(
    checker: PythonChecker, path: str, source: SourceText, mode: FixMode
) -> FileResult:
    from ctxlint.fix import fix_until_stable
    from ctxlint.unified_diff import unified_diff

    diagnostics = original = checker.check_text(path, source)
    result = FileResult(path, readable=not any(is_unreadable(d) for d in diagnostics))
    final_source = source
    if mode is not FixMode.CHECK and any(d.fix is not None for d in diagnostics):

        def check(text: str) -> list[Diagnostic]:
            return checker.check_text(path, _with_text(source, text))

        outcome = fix_until_stable(
            source.text, check, _parses, checker.settings.unsafe_fixes, diagnostics
        )
        diagnostics = outcome.remaining
        if outcome.problem:
            result.problems.append(outcome.problem)
        if outcome.text != source.text:
            result.fixes_applied = outcome.applied
            result.fixed_text = outcome.text
            final_source = _with_text(source, outcome.text)
            if mode is FixMode.FIX:
                result.new_data = source.encode(outcome.text)
            else:
                result.diff = unified_diff(source.text, outcome.text, path)
            if mode is FixMode.DIFF:
                # Nothing is written: what is reported is what the file still holds.
                diagnostics = original
                final_source = source
    result.diagnostics = diagnostics
    for diagnostic in diagnostics:
        lines = range(diagnostic.start.line, diagnostic.end.line + 1)
        if diagnostic.path == path:
            for line in lines:
                result.lines[line] = final_source.line_text(line)
        else:
            other = result.other_lines.setdefault(diagnostic.path, {})
            for line in lines:
                other[line] = checker.line_in(diagnostic.path, line)
    return result


def _with_text(source: SourceText, text: str) -> SourceText:
    return SourceText(text=text, encoding=source.encoding, has_bom=source.has_bom)


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True
