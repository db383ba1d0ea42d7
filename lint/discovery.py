"""Which files to check: walking the given paths, excluding, and telling each file's input kind."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ctxlint.config import Settings
from ctxlint.config_resolution import SettingsResolver
from ctxlint.files import not_regular_reason
from ctxlint.globs import Excluder
from ctxlint.prompt_matching import (
    PROMPT_SUFFIXES,
    PromptFileMatcher,
    has_prompt_suffix,
    named_as_text,
)
from ctxlint.rule import InputKind
from ctxlint.typescript import SUFFIXES as SCRIPT_SUFFIXES
from ctxlint.typescript import has_script_suffix, is_script

_PYTHON_SUFFIXES = (".py", ".pyi")
_TRACE_SUFFIXES = (".jsonl", ".jsonl.gz", ".traj.json", ".traj.json.gz")
# Other JSON is a trace only if its content says so (an Inspect log, an OTLP export, an
# OpenHands trajectory, a SWE-agent `.traj`); a folder walk reads just the start of each to tell.
_JSON_SUFFIXES = (".json", ".json.gz", ".traj")
# YAML is a trace only when it is a VCR cassette: a walk reads the start of each to tell, so
# the configuration files of a project are passed over without being parsed.
_YAML_SUFFIXES = (".yaml", ".yml")
_CONTENT_SUFFIXES = _JSON_SUFFIXES + _YAML_SUFFIXES
# A folder holding this file is a cache (ctxlint's own, ruff's, pytest's, by the Cache Directory
# Tagging Specification): nothing in it is the project's, and a walk does not go in.
_CACHE_TAG = "CACHEDIR.TAG"


@dataclass(frozen=True, slots=True)
class InputFile:
    path: str
    kind: InputKind
    # Named on the command line (checked even if its suffix is unusual), or found by walking.
    explicit: bool = False


def input_kind(path: str) -> InputKind | None:
    """The kind a file's suffix alone tells (Markdown under prompts/ takes its settings)."""
    lowered = path.lower()
    if lowered.endswith(_PYTHON_SUFFIXES):
        return InputKind.PYTHON
    if lowered.endswith(_TRACE_SUFFIXES + _CONTENT_SUFFIXES):
        return InputKind.TRACE
    if lowered.endswith(PROMPT_SUFFIXES):
        return InputKind.PROMPT
    if has_script_suffix(lowered):
        # A declaration file (`.d.ts`) holds types only: a walk passes it over.
        return InputKind.TYPESCRIPT if is_script(lowered) else None
    return None


def kind_suffix(path: str) -> str:
    """The suffix by which `input_kind` tells the path's kind (".traj.json", ".jsonl.gz"), or
    "" when it has none."""
    lowered = path.lower()
    known = sorted(
        _PYTHON_SUFFIXES + _TRACE_SUFFIXES + _CONTENT_SUFFIXES + PROMPT_SUFFIXES + SCRIPT_SUFFIXES,
        key=len,
        reverse=True,
    )
    return next((suffix for suffix in known if lowered.endswith(suffix)), "")


def _found_kind(path: str, prompts: PromptFileMatcher) -> InputKind | None:
    """A file's kind when a folder walk finds it: JSON and YAML count only if they read as a
    trace, or, YAML, if the prompt-file globs name it (a VCR cassette under prompts/ is a
    trace all the same); the rest is told by its name alone."""
    lowered = path.lower()
    if lowered.endswith(_PYTHON_SUFFIXES):
        return InputKind.PYTHON
    if prompts.matches(path):
        if lowered.endswith(_YAML_SUFFIXES) and _is_trace(path):
            return InputKind.TRACE
        return InputKind.PROMPT
    if lowered.endswith(_CONTENT_SUFFIXES) and not lowered.endswith(_TRACE_SUFFIXES):
        return InputKind.TRACE if _is_trace(path) else None
    kind = input_kind(path)
    # `.prompt` and the like replaced in `prompt-files` are no longer prompt files.
    return None if kind is InputKind.PROMPT else kind


def _is_trace(path: str) -> bool:
    from ctxlint.trace.loader import detect  # Only folder walks that meet JSON need it.

    return detect(path) is not None


def prompt_matcher(settings: Settings) -> PromptFileMatcher:
    return PromptFileMatcher([*settings.prompt_files, *settings.extend_prompt_files], settings.root)


def named_kind(path: str, settings: Settings, traces_only: bool = False) -> InputKind:
    """The kind of a file named on the command line (or of standard input by the name
    --stdin-filename gives), which is checked whatever its name: a template (`.j2`,
    `.prompty`), Markdown or text, or a file the prompt-file globs name is a prompt file; a
    trace saved as .ndjson or .log is read as one when a format is forced or the command reads
    only traces; otherwise a name of no known kind is taken for Python."""
    if traces_only:
        return InputKind.TRACE
    kind = input_kind(path)
    if kind is InputKind.PYTHON:
        return kind
    if has_script_suffix(path):
        # Named, a declaration file is checked too (for what it cannot parse).
        return InputKind.TYPESCRIPT
    if has_prompt_suffix(path) or named_as_text(path) or prompt_matcher(settings).matches(path):
        return InputKind.PROMPT
    if kind is None and settings.trace_format:
        return InputKind.TRACE
    return kind or InputKind.PYTHON


def _python_script(path: str) -> bool:
    """Whether a file named on the command line whose name says nothing is Python: no suffix
    at all (`bin/deploy`, `SConstruct`), `.pyw`, or a first line naming Python (`#!` ...)."""
    name = os.path.basename(path)
    suffix = os.path.splitext(name)[1].lower()
    if not suffix or suffix == ".pyw":
        return True
    try:
        with open(path, "rb") as stream:
            first = stream.readline(256)
    except OSError:
        return True  # Unreadable: the Python check reports that as it does for any file.
    return first.startswith(b"#!") and b"python" in first


@dataclass(slots=True)
class Discovery:
    """The files to check, sorted; errors about paths named on the command line (which make
    the run exit 2); warnings about what a folder walk had to pass over."""

    files: list[InputFile] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Files a folder walk met that are neither Python nor a trace (by name, or JSON and YAML
    # by their start): not checked, only counted for the note that says so.
    passed_over: list[str] = field(default_factory=list)


def discover(
    paths: Iterable[str], settings: Settings | SettingsResolver, traces_only: bool = False
) -> tuple[list[InputFile], list[str]]:
    """The files to check, sorted, and error messages for paths that cannot be checked."""
    found = find_inputs(paths, settings, traces_only)
    return found.files, found.errors


def find_inputs(
    paths: Iterable[str], settings: Settings | SettingsResolver, traces_only: bool = False
) -> Discovery:
    """`traces_only`: the command reads nothing but traces, so a file named on the command
    line is one whatever its name. With a SettingsResolver, what a folder walk meets is
    excluded by the settings of the folder it is met in (as ruff walks), and each named file's
    kind is told by its own settings."""
    resolver = SettingsResolver.of(settings)
    excluders: dict[int, Excluder] = {}
    matchers: dict[int, PromptFileMatcher] = {}

    def excluder_for(folder: str) -> Excluder:
        folder_settings = resolver.for_folder(folder)
        excluder = excluders.get(id(folder_settings))
        if excluder is None:
            patterns = [*folder_settings.exclude, *folder_settings.extend_exclude]
            excluder = excluders[id(folder_settings)] = Excluder(patterns, folder_settings.root)
        return excluder

    # The folder met last and its matcher: a walk meets a folder's files one after another.
    last: list[tuple[str, PromptFileMatcher]] = []

    def matcher_for(path: str) -> PromptFileMatcher:
        folder = os.path.dirname(path) or "."
        if last and last[0][0] == folder:
            return last[0][1]
        folder_settings = resolver.for_folder(folder)
        matcher = matchers.get(id(folder_settings))
        if matcher is None:
            matcher = matchers[id(folder_settings)] = prompt_matcher(folder_settings)
        last[:] = [(folder, matcher)]
        return matcher

    # By absolute path: `a.py`, `./a.py` and `/project/a.py` are one file, checked (and
    # fixed) once; the name kept is the one given last on the command line.
    found: dict[str, InputFile] = {}
    result = Discovery()
    for given in paths:
        try:
            mode = os.stat(given).st_mode
        except FileNotFoundError:
            result.errors.append(f"{given}: no such file or directory")
            continue
        except OSError as error:
            result.errors.append(f"{given}: cannot read: {error.strerror or error}")
            continue
        if stat.S_ISDIR(mode):
            for path in _walk(given, excluder_for, result):
                if path.endswith(_PYTHON_SUFFIXES):  # The common case, without a lookup.
                    kind: InputKind | None = InputKind.PYTHON
                else:
                    kind = _found_kind(path, matcher_for(path))
                if kind is not None:
                    found.setdefault(os.path.abspath(path), InputFile(path, kind))
                else:
                    result.passed_over.append(path)
        elif stat.S_ISREG(mode):
            kind = named_kind(given, resolver.for_path(given), traces_only)
            if kind is InputKind.PROMPT and given.lower().endswith(_YAML_SUFFIXES):
                # A VCR cassette under prompts/ is a trace, named or found.
                kind = InputKind.TRACE if _is_trace(given) else kind
            elif (
                kind is InputKind.PYTHON and input_kind(given) is None and not _python_script(given)
            ):
                # notes.txt or a trace saved as .ndjson: read as the trace it may be, and
                # otherwise said to be no format ctxlint reads, rather than parsed as Python
                # (where plain text is often valid and "passes").
                kind = InputKind.TRACE
            found[os.path.abspath(given)] = InputFile(given, kind, explicit=True)
        else:
            # Reading a named pipe waits for a writer, and a device may never end.
            result.errors.append(f"{given}: {not_regular_reason(mode)}")
    result.files = sorted(found.values(), key=lambda f: f.path)
    return result


def _everywhere(excluder: Excluder) -> Callable[[str], Excluder]:
    return lambda folder: excluder


def _walk(
    top: str, excluder_for: Excluder | Callable[[str], Excluder], discovery: Discovery
) -> Iterator[str]:
    """Regular files under `top` (symlinks to them included); a folder that cannot be listed
    is an error when it was named, a warning when the walk met it. `excluder_for(folder)`
    gives the excludes of what the walk meets in `folder` (or one Excluder for every folder)."""
    if isinstance(excluder_for, Excluder):
        excluder_for = _everywhere(excluder_for)
    pending = [(top, True)]
    while pending:
        folder, named = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as error:
            reason = f"{os.path.normpath(folder)}: cannot read the folder: {error.strerror}"
            if named:
                discovery.errors.append(reason)
            else:
                discovery.warnings.append(f"{reason}; nothing in it was checked")
            continue
        if not named and any(entry.name == _CACHE_TAG for entry in entries):
            continue
        excluder = excluder_for(folder)
        for entry in entries:
            if excluder.excludes(entry.path):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, False))
                elif entry.is_file():
                    yield os.path.normpath(entry.path)
            except OSError:
                continue
