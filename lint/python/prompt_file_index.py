"""Where a prompt path worked out from Python code (prompt_paths.PathText) is on disk: a path
known from end to end is looked for from the folder of the file that names it, its parents up
to a root, and the roots; one known only at its end (`<unknown>/extract.j2`) links the one
file under the roots whose path ends so, and nothing when several do."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable

from ctxlint.python.prompt_paths import ParamRef, PathText, Piece, concat

# Suffixes of the files a path may link when only its end is known.
PROMPT_SUFFIXES = (
    ".j2",
    ".jinja",
    ".jinja2",
    ".prompty",
    ".prompt",
    ".md",
    ".txt",
    ".yaml",
    ".yml",
    ".json",
)
# Folders a walk for prompt files never enters.
_SKIPPED_FOLDERS = frozenset(
    {"node_modules", "__pycache__", "site-packages", ".venv", "venv", ".git", ".tox", "dist"}
)
_MAX_INDEXED_FILES = 200_000


class PromptFileIndex:
    """The files under the roots with a prompt suffix, by file name: where a path known only
    at its end is looked up. Walked on first need, once per run."""

    def __init__(self, roots: Iterable[str]) -> None:
        self.roots = tuple(os.path.abspath(root) for root in roots)
        self._by_name: dict[str, list[str]] | None = None

    def _walk(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        count = 0
        seen: set[str] = set()
        for root in self.roots:
            for folder, folders, files in os.walk(root):
                if folder in seen:
                    folders[:] = []
                    continue
                seen.add(folder)
                folders[:] = sorted(
                    f for f in folders if f not in _SKIPPED_FOLDERS and not f.startswith(".")
                )
                for name in files:
                    if name.lower().endswith(PROMPT_SUFFIXES):
                        found.setdefault(name, []).append(os.path.join(folder, name))
                        count += 1
                if count > _MAX_INDEXED_FILES:
                    return found
        return found

    def is_empty(self) -> bool:
        """Whether no file under the roots has a prompt suffix (a Python-only tree)."""
        if self._by_name is None:
            self._by_name = self._walk()
        return not self._by_name

    def ending_with(self, tail: str) -> str | None:
        """The one indexed file whose path ends with `tail` ("prompts/x.j2"), else None."""
        if self._by_name is None:
            self._by_name = self._walk()
        tail = tail.lstrip("/")
        name = tail.rsplit("/", 1)[-1]
        matches = [
            path
            for path in self._by_name.get(name, ())
            if path == tail or path.endswith("/" + tail)
        ]
        return matches[0] if len(set(matches)) == 1 else None


def resolve_path(
    text: PathText, origin: str, index: PromptFileIndex, defaults: bool = True
) -> str | None:
    """The existing file a path names, as an absolute path; `origin` is the Python file that
    names it (a relative path is tried from its folder, its parents up to a root, and the
    roots). None when it names no file, or only its end is known and several files end so."""
    if defaults:
        text = concat(
            *((_default(piece),) if isinstance(piece, ParamRef) else (piece,) for piece in text)
        )
    if all(isinstance(piece, str) for piece in text):
        path = "".join(text)  # type: ignore[arg-type]
        for candidate in _candidates(path, origin, index.roots):
            if os.path.isfile(candidate):
                return os.path.normpath(candidate)
        return None
    tail = text[-1]
    if not isinstance(tail, str) or "." not in tail.rsplit("/", 1)[-1]:
        return None
    tail = os.path.normpath(tail.lstrip("/")) if tail.strip("/") else ""
    if not tail or tail.startswith(".."):
        return None
    return index.ending_with(tail.replace(os.sep, "/"))


def _default(piece: ParamRef) -> Piece:
    """An unfilled parameter's default, when it is a string written out."""
    function = piece.function
    node = getattr(function, "node", None)
    if node is None or isinstance(node, ast.Lambda):
        return None
    scope = getattr(function, "scope", None)
    bindings = scope.bindings.get(piece.name, []) if scope is not None else []
    default = bindings[0].value if bindings else None
    if isinstance(default, ast.Constant) and isinstance(default.value, str):
        return default.value
    return None


def _candidates(path: str, origin: str, roots: tuple[str, ...]) -> list[str]:
    path = os.path.expanduser(path)
    if os.path.isabs(path):
        return [path]
    folder = os.path.dirname(os.path.abspath(origin))
    found = [os.path.join(folder, path)]
    # A script run from the repository's top (`open("src/agents/coder/prompt.jinja2")`).
    while True:
        parent = os.path.dirname(folder)
        if parent == folder or not any(_inside(parent, root) for root in roots):
            break
        folder = parent
        found.append(os.path.join(folder, path))
    found.extend(os.path.join(root, path) for root in roots)
    return found


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
