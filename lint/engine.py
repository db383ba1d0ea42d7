"""Runs the selected rules over files: prefilter, parse once, check, suppress, fix.

Library users call `check_paths` (or `check_source` for text in memory); the command line is a
thin layer over them.
"""

from __future__ import annotations

import ast
import functools
import gc
import os
from collections.abc import Callable, Iterable, Iterator
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
from ctxlint.python.imports import forget_the_file_system, roots_for
from ctxlint.python_checker import PythonChecker
from ctxlint.redact import bounded
from ctxlint.registry import select_rules
from ctxlint.results import FileResult, FixMode, Report, answered_from_cache, regrouped
from ctxlint.rule import InputKind, Rule
from ctxlint.source import SourceText, UnreadableSource
from ctxlint.unreadable import is_unreadable

if TYPE_CHECKING:
    # The analysis is imported where a file is parsed: a run answered from the results cache
    # parses nothing and must not pay for loading it (bench/startup.py).
    pass

_T = TypeVar("_T")

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
    cache there (ctxlint.cache); trace and prompt files are always read. `progress(done, total)` is
    told how many of the files found are done as the run goes (a progress line's count). With
    `skip_unknown`, a file named in `paths` is passed over as a folder walk passes it over, not
    reported: a trace file no reader recognises, a TS/JS file that sends no LLM request (the
    byte prefilter) or a minified bundle (pre-commit names every file its pattern matches).
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
    prompts: dict[int, tuple[Settings, list[tuple[str, bool]]]] = {}
    scripts: dict[int, tuple[Settings, list[tuple[str, bool]]]] = {}

    def add_prompt(path: str, explicit: bool) -> None:
        file_settings = resolver.for_path(path)
        prompts.setdefault(id(file_settings), (file_settings, []))[1].append((path, explicit))

    for input_file in found.files:
        file_settings = resolver.for_path(input_file.path)
        _, work, traces = groups.setdefault(id(file_settings), (file_settings, [], []))
        # A file named on the command line is always parsed (and so reported if broken);
        # the prefilter only spares the files a folder walk turns up.
        if input_file.kind is InputKind.TRACE:
            traces.append((input_file.path, input_file.explicit and not skip_unknown))
        elif input_file.kind is InputKind.PROMPT:
            add_prompt(input_file.path, input_file.explicit)
        elif input_file.kind is InputKind.TYPESCRIPT:
            scripts.setdefault(id(file_settings), (file_settings, []))[1].append(
                (input_file.path, input_file.explicit and not skip_unknown)
            )
        else:
            work.append((input_file.path, input_file.explicit))
    forget_the_file_system()
    roots = roots_for(paths)
    # The prompt files the run's Python renders, looked for when the run has prompt files and
    # a rule reads them: finding renders reads every Python file, which a run answered from
    # the results cache does not, and a tree of Python alone must not pay for it.
    python_paths = [path for _, work, _ in groups.values() for path, _ in work]
    report.files_checked = len(found.files)
    renders: dict[str, tuple[Any, ...]] = {}
    if prompts:
        # Imported here: a run over Python alone never reads a prompt file.
        from ctxlint.prompt_run import find_run_renders, reads_prompts, rendered_elsewhere

        reading = any(reads_prompts(selected_rules(s)) for s, _ in prompts.values())
        # One judgement of the values passed (flag-daily-values) for the run: that of the
        # first prompt files' settings.
        first_settings = next(iter(prompts.values()))[0]
        prompt_paths = [path for _, files in prompts.values() for path, _ in files]
        renders = find_run_renders(
            python_paths, roots, reading, first_settings, prompt_paths, cache_folder
        )
        elsewhere = rendered_elsewhere(renders, (f.path for f in found.files), resolver)
        for path in elsewhere:
            add_prompt(path, False)
        report.files_checked += len(elsewhere)
    if mode is FixMode.FIX:
        prompt_paths = [path for _, files in prompts.values() for path, _ in files]
        script_paths = [path for _, files in scripts.values() for path, _ in files]
        _remove_stale_temporaries(python_paths + prompt_paths + script_paths)
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
    if prompts:
        from ctxlint.prompt_run import check_prompt_groups

        check_prompt_groups(
            prompts.values(), renders, mode, report, selected_rules, advance, resolver
        )
    if scripts:
        # Imported here: a run without TypeScript or JavaScript never loads tree-sitter.
        from ctxlint.typescript_run import check_script_groups

        check_script_groups(scripts.values(), report, selected_rules, advance, jobs, mode)
    report.unsafe_fix_paths = {
        r.path for r in report.results if resolver.for_path(r.path).unsafe_fixes
    }
    report.traces.sort()
    report.prompts.sort()
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
    from ctxlint.fix import fix_until_stable, record_outcome

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
        if record_outcome(result, outcome, source.text, mode, source.encode):
            if outcome.text != source.text:
                final_source = _with_text(source, outcome.text)
        else:
            # Nothing is written: what is reported is what the file still holds.
            diagnostics = original
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
