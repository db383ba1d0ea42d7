"""Standard input checked as the file it is named as would be: Python, a prompt file or a
trace by its name, input that cannot be read or decoded a CTX900, and with --fix the bytes to
print in its place."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from typing import BinaryIO

from ctxlint.collector import cycle_collection_paused
from ctxlint.config import Settings
from ctxlint.diagnostics import Diagnostic
from ctxlint.discovery import kind_suffix, named_kind
from ctxlint.engine import (
    FileResult,
    FixMode,
    PythonChecker,
    Report,
    check_python_data,
    check_trace_files,
    selected_rules,
    unreadable_result,
)
from ctxlint.files import MAX_SOURCE_BYTES, NotRead, read_capped
from ctxlint.rule import InputKind, Rule
from ctxlint.suppression import without_ignored
from ctxlint.unreadable import reports_unreadable, unreadable_at

# The name findings carry when standard input is not given one with --stdin-filename.
STDIN_PATH = "-"
_COPY_CHUNK = 2**20


def check_stdin(
    stream: BinaryIO,
    settings: Settings,
    path: str | None = None,
    mode: FixMode = FixMode.CHECK,
    fixed_output: BinaryIO | None = None,
) -> Report:
    """Check what `stream` holds as the file `path` (default `-`, Python) would be checked.
    With FIX and `fixed_output`, the fixed bytes are written there, or, when nothing was fixed
    for whatever reason, the input exactly as it came: an editor replaces its buffer with it."""
    name = path or STDIN_PATH
    rules = selected_rules(settings)
    echo = fixed_output if mode is FixMode.FIX else None
    report = Report(files_checked=1, unsafe_fix_paths={name} if settings.unsafe_fixes else set())
    kind = named_kind(name, settings)
    if kind is InputKind.TRACE:
        result = _check_trace(stream, name, settings, rules, echo)
    elif kind is InputKind.PROMPT:
        result = _check_prompt(stream, name, settings, rules, mode, echo)
    elif kind is InputKind.TYPESCRIPT:
        result = _check_script(stream, name, settings, rules, mode, echo)
    else:
        result = _check_python(stream, name, settings, rules, mode, echo)
    if result is not None:
        report.results.append(result)
    return report


def _check_python(
    stream: BinaryIO,
    name: str,
    settings: Settings,
    rules: Iterable[type[Rule]],
    mode: FixMode,
    echo: BinaryIO | None,
) -> FileResult | None:
    checker = PythonChecker(settings, rules)
    try:
        data = _read(stream, echo)
    except NotRead as error:
        return unreadable_result(checker, name, error.reason)
    # Paused across every pass of a fix and the diff, as for a file in a run.
    with cycle_collection_paused():
        _, result = check_python_data(checker, name, data, mode)
    _echo_result(echo, result, data)
    return result


def _check_prompt(
    stream: BinaryIO,
    name: str,
    settings: Settings,
    rules: Iterable[type[Rule]],
    mode: FixMode,
    echo: BinaryIO | None,
) -> FileResult | None:
    """A prompt file's text, checked without the Python that may render it (none is read)."""
    from ctxlint.prompt_checker import PromptChecker, check_prompt_data, unreadable_prompt
    from ctxlint.prompt_files.reader import MAX_PROMPT_FILE_BYTES

    checker = PromptChecker(settings, rules)
    try:
        data = _read(stream, echo, MAX_PROMPT_FILE_BYTES)
    except NotRead as error:
        return unreadable_prompt(checker, name, error.reason)
    result = check_prompt_data(checker, name, data, mode)
    _echo_result(echo, result, data)
    return result


def _check_trace(
    stream: BinaryIO,
    name: str,
    settings: Settings,
    rules: Iterable[type[Rule]],
    echo: BinaryIO | None,
) -> FileResult | None:
    """The trace readers read files (a format is told by the name and the first kilobytes,
    gzip by its content): the stream is copied to one in a private folder, on disk rather than
    in memory since traces run to gigabytes, and the findings are given the stdin name."""
    from ctxlint.trace.reading import MAX_DOCUMENT_BYTES

    with tempfile.TemporaryDirectory(prefix="ctxlint-stdin-") as folder:
        spooled = os.path.join(folder, "stdin" + kind_suffix(name))
        with open(spooled, "wb") as copy:
            complete = _copy(stream, copy, MAX_DOCUMENT_BYTES)
        if echo is not None:
            with open(spooled, "rb") as copied:
                _echo(echo, b"", rest=copied)
            if not complete:
                _echo(echo, b"", rest=stream)
        if not complete:
            reason = f"more than {MAX_DOCUMENT_BYTES / 1024**3:.0f} GiB: too large to check"
            found = [unreadable_at(name, reason, 1, 1)]
            wanted = reports_unreadable(rules)
            return FileResult(name, diagnostics=found if wanted else [], readable=False)
        # per-file-ignores are matched against the name given, not the copy's.
        unignored = replace(settings, per_file_ignores=())
        for result in check_trace_files([(spooled, True)], unignored, rules, []):
            diagnostics = [_renamed(d, spooled, name) for d in result.diagnostics]
            return FileResult(
                name,
                diagnostics=without_ignored(name, diagnostics, settings),
                problems=[problem.replace(spooled, name) for problem in result.problems],
                readable=result.readable,
            )
    return None


def _copy(source: BinaryIO, target: BinaryIO, limit: int) -> bool:
    """Copy up to `limit` bytes; False when `source` holds more (one more byte is copied)."""
    copied = 0
    while chunk := source.read(min(_COPY_CHUNK, limit + 1 - copied)):
        target.write(chunk)
        copied += len(chunk)
        if copied > limit:
            return False
    return True


def _read(stream: BinaryIO, echo: BinaryIO | None, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The whole input; when it cannot be read (too large, cut off), what came is echoed as it
    came before NotRead is raised: an editor replacing its buffer with the output loses
    nothing."""
    try:
        return read_capped(stream, limit)
    except NotRead as error:
        if echo is not None:
            _echo(echo, error.partial, rest=stream)
        raise


def _echo_result(echo: BinaryIO | None, result: FileResult | None, data: bytes) -> None:
    """With --fix, the fixed bytes (in the encoding and byte order mark the input had), or the
    input as it came when nothing was fixed."""
    if echo is not None:
        fixed = result.new_data if result is not None else None
        _echo(echo, fixed if fixed is not None else data)


def _echo(output: BinaryIO, data: bytes, rest: BinaryIO | None = None) -> None:
    output.write(data)
    if rest is not None:
        shutil.copyfileobj(rest, output, _COPY_CHUNK)
    output.flush()


def _renamed(diagnostic: Diagnostic, spooled: str, name: str) -> Diagnostic:
    """A finding on the spooled copy, as on the file standard input is named as: its own path
    and those of the places it refers to in the same trace (the previous request)."""
    related = tuple(replace(r, path=name) if r.path == spooled else r for r in diagnostic.related)
    return replace(diagnostic, path=name, related=related)


def _check_script(
    stream: BinaryIO,
    name: str,
    settings: Settings,
    rules: Iterable[type[Rule]],
    mode: FixMode,
    echo: BinaryIO | None,
) -> FileResult | None:
    """TypeScript or JavaScript: checked, and with --fix the fixed text echoed."""
    from ctxlint.typescript_run import ScriptChecker

    checker = ScriptChecker(settings, rules)
    try:
        data = _read(stream, echo)
    except NotRead as error:
        return checker.unreadable(name, error.reason)
    result = checker.check_data(name, data, mode=mode)
    _echo_result(echo, result, data)
    return result
