"""Globs of `exclude`, `extend-exclude` and `per-file-ignores`: how they match paths, and the one
check that a glob is well formed, made when the configuration is read."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ctxlint.redact import evidence


class GlobError(ValueError):
    """A glob that cannot be turned into a pattern; the message names it and says why."""


def glob_problem(pattern: str) -> str | None:
    """What is wrong with a glob, or None when it is well formed."""
    try:
        glob_regex(pattern)
    except GlobError as error:
        return str(error)
    return None


class Excluder:
    """Exclude patterns as ruff reads them: a pattern without a slash matches any file or
    folder name; one with a slash matches the path from the configuration's folder."""

    def __init__(self, patterns: Iterable[str], root: Path) -> None:
        self.root = root
        self.name_patterns = [glob_regex(p) for p in patterns if "/" not in p.rstrip("/")]
        self.path_patterns = [glob_regex(p.strip("/")) for p in patterns if "/" in p.rstrip("/")]

    def excludes(self, path: str) -> bool:
        name = os.path.basename(path.rstrip(os.sep))
        if any(pattern.fullmatch(name) for pattern in self.name_patterns):
            return True
        if not self.path_patterns:
            return False
        relative = relative_posix(path, self.root)
        return any(pattern.fullmatch(relative) for pattern in self.path_patterns)


def matches_any(path: str, patterns: Iterable[str], root: Path) -> bool:
    """Whether a per-file-ignores glob applies to `path`."""
    relative = relative_posix(path, root)
    name = os.path.basename(path)
    for pattern in patterns:
        # A leading slash anchors the glob to the configuration's folder, as in `exclude`.
        regex = glob_regex(pattern.lstrip("/") or pattern)
        if regex.fullmatch(relative) or ("/" not in pattern and regex.fullmatch(name)):
            return True
    return False


def relative_posix(path: str, root: Path) -> str:
    """`path` from `root`, with forward slashes, as globs are matched (itself when there is no
    relative way, another drive on Windows)."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:
        relative = absolute
    return relative.replace(os.sep, "/")


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """`**` crosses folders, `*` and `?` stay within one, `[...]` is a character class
    (`[!...]` its complement); anything else is literal. A leading `./` names the folder the
    pattern is taken from, as no `./` would. Raises GlobError, also for an empty glob."""
    source = pattern.rstrip("/")
    while source.startswith("./"):
        source = source[2:].lstrip("/")
    if source in ("", "."):
        raise GlobError(f"an empty glob ({evidence(repr(pattern))}) matches nothing")
    parts: list[str] = []
    position = 0
    while position < len(source):
        char = source[position]
        if source.startswith("**/", position):
            parts.append("(?:.*/)?")
            position += 3
            continue
        if source.startswith("**", position):
            parts.append(".*")
            position += 2
            continue
        if char == "*":
            parts.append("[^/]*")
        elif char == "?":
            parts.append("[^/]")
        elif char == "[":
            end = source.find("]", position + 1)
            if end == -1:
                parts.append(re.escape(char))
            else:
                parts.append(_character_class(source[position + 1 : end]))
                position = end
        else:
            parts.append(re.escape(char))
        position += 1
    try:
        return re.compile("".join(parts))
    except re.error as error:
        raise GlobError(f"bad glob {evidence(repr(pattern))}: {error.msg}") from None


def _character_class(members: str) -> str:
    negated = members.startswith("!")
    if negated:
        members = members[1:]
    # Only `-` keeps a meaning inside the brackets; what a regular expression would also read
    # there (a backslash, a nested `[`, a leading `^`) is taken literally, as a glob means it.
    escaped = "".join("\\" + c if c in "\\[^&~|" else c for c in members)
    return "[" + ("^" if negated else "") + escaped + "]"
