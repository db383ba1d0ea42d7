"""Which files to check: walking the given paths, excluding, and telling each file's input kind."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ctxlint.config import Settings
from ctxlint.rule import InputKind

_PYTHON_SUFFIXES = (".py", ".pyi")
_TRACE_SUFFIXES = (".jsonl", ".jsonl.gz", ".traj.json", ".traj.json.gz")
# Other JSON is a trace only if its content says so (an Inspect log, an OTLP export); a folder
# walk reads just the start of each to tell.
_JSON_SUFFIXES = (".json", ".json.gz")


@dataclass(frozen=True, slots=True)
class InputFile:
    path: str
    kind: InputKind
    # Named on the command line (checked even if its suffix is unusual), or found by walking.
    explicit: bool = False


def input_kind(path: str) -> InputKind | None:
    lowered = path.lower()
    if lowered.endswith(_PYTHON_SUFFIXES):
        return InputKind.PYTHON
    if lowered.endswith(_TRACE_SUFFIXES + _JSON_SUFFIXES):
        return InputKind.TRACE
    return None


def _found_kind(path: str) -> InputKind | None:
    """A file's kind when a folder walk finds it: JSON counts only if it reads as a trace."""
    lowered = path.lower()
    if lowered.endswith(_JSON_SUFFIXES) and not lowered.endswith(_TRACE_SUFFIXES):
        from ctxlint.trace.loader import detect  # Only folder walks that meet JSON need it.

        return InputKind.TRACE if detect(path) is not None else None
    return input_kind(path)


class Excluder:
    """Exclude patterns as ruff reads them: a pattern without a slash matches any file or
    folder name; one with a slash matches the path from the configuration's folder."""

    def __init__(self, patterns: Iterable[str], root: Path) -> None:
        self.root = root
        self.name_patterns = [_glob_regex(p) for p in patterns if "/" not in p.rstrip("/")]
        self.path_patterns = [_glob_regex(p.strip("/")) for p in patterns if "/" in p.rstrip("/")]

    def excludes(self, path: str) -> bool:
        name = os.path.basename(path.rstrip(os.sep))
        if any(pattern.fullmatch(name) for pattern in self.name_patterns):
            return True
        if not self.path_patterns:
            return False
        relative = _relative_posix(path, self.root)
        return any(pattern.fullmatch(relative) for pattern in self.path_patterns)


def discover(paths: Iterable[str], settings: Settings) -> tuple[list[InputFile], list[str]]:
    """The files to check, sorted, and error messages for paths that do not exist."""
    excluder = Excluder([*settings.exclude, *settings.extend_exclude], settings.root)
    found: dict[str, InputFile] = {}
    missing: list[str] = []
    for given in paths:
        if os.path.isdir(given):
            for path in _walk(given, excluder):
                kind = _found_kind(path)
                if kind is not None:
                    found.setdefault(path, InputFile(path, kind))
        elif os.path.exists(given):
            kind = input_kind(given) or InputKind.PYTHON
            found[given] = InputFile(given, kind, explicit=True)
        else:
            missing.append(f"{given}: no such file or directory")
    return sorted(found.values(), key=lambda f: f.path), missing


def _walk(top: str, excluder: Excluder) -> Iterator[str]:
    pending = [top]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if excluder.excludes(entry.path):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file():
                    yield os.path.normpath(entry.path)
            except OSError:
                continue


def matches_any(path: str, patterns: Iterable[str], root: Path) -> bool:
    """Whether a per-file-ignores glob applies to `path`."""
    relative = _relative_posix(path, root)
    name = os.path.basename(path)
    for pattern in patterns:
        regex = _glob_regex(pattern)
        if regex.fullmatch(relative) or ("/" not in pattern and regex.fullmatch(name)):
            return True
    return False


def _relative_posix(path: str, root: Path) -> str:
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:
        relative = absolute
    return relative.replace(os.sep, "/")


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """`**` crosses folders, `*` and `?` stay within one, `[...]` is a character class."""
    pattern = pattern.rstrip("/")
    parts: list[str] = []
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if pattern.startswith("**/", position):
            parts.append("(?:.*/)?")
            position += 3
            continue
        if pattern.startswith("**", position):
            parts.append(".*")
            position += 2
            continue
        if char == "*":
            parts.append("[^/]*")
        elif char == "?":
            parts.append("[^/]")
        elif char == "[":
            end = pattern.find("]", position + 1)
            if end == -1:
                parts.append(re.escape(char))
            else:
                parts.append("[" + pattern[position + 1 : end].replace("!", "^", 1) + "]")
                position = end
        else:
            parts.append(re.escape(char))
        position += 1
    return re.compile("".join(parts))
