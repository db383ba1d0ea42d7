"""Where an import points on disk: module names of checked files, and the file (and name in
it) that `from x import y`, `from ..pkg.mod import y` or `import x.y` refers to.

Resolution reads the file system only (which files and `__init__.py` exist), never imports
anything. Roots are where absolute imports start: the folders named on the command line, a
`src/` folder below them, and the folder above each file's outermost package (the folder a
script's own `import helpers` resolves in).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache

# A dotted name longer than this is no module of the project worth following.
_MAX_PARTS = 12


def is_file(path: str) -> bool:
    """`os.path.isfile`, answered from the folder's listing (read once per run)."""
    folder, name = os.path.split(path)
    return name in _entries(folder)[0]


@lru_cache(maxsize=16384)
def _entries(folder: str) -> tuple[frozenset[str], frozenset[str]]:
    """The files and the subfolders of a folder, listed once: resolving a dotted name probes
    many paths in few folders, most of which do not exist (a stat per probe was a fiftieth of
    a run)."""
    files: set[str] = set()
    folders: set[str] = set()
    try:
        with os.scandir(folder or ".") as entries:
            for entry in entries:
                if entry.is_file():
                    files.add(entry.name)
                elif entry.is_dir():
                    folders.add(entry.name)
    except OSError:
        pass
    return frozenset(files), frozenset(folders)


def forget_the_file_system() -> None:
    """Drop what was learnt of folders and files: a run starts from the tree as it is now,
    not as an earlier run in the same process saw it (a library caller, a test)."""
    for cached in (_entries, _is_dir, package_root, _resolve_absolute):
        cached.cache_clear()


def _may_hold_module(folder: str, name: str) -> bool:
    """Whether `name` can start a module path in `folder` (`name.py` or a package `name/`):
    most dotted names a file uses (`os.path.join`, `self.client.create`) start nowhere in it."""
    files, folders = _entries(folder)
    return name in folders or f"{name}.py" in files


@lru_cache(maxsize=65536)
def _is_dir(path: str) -> bool:
    return os.path.isdir(path)


@lru_cache(maxsize=16384)
def package_root(path: str) -> str:
    """The folder above the outermost package holding `path` (its own folder when the folder
    is no package): where `import pkg.mod` resolves for it."""
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(_MAX_PARTS):
        if not is_file(os.path.join(folder, "__init__.py")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return folder
        folder = parent
    return folder


def roots_for(named_paths: Iterable[str]) -> tuple[str, ...]:
    """The roots the paths named on a command line give: each folder (and its `src/`), or a
    file's folder."""
    roots: list[str] = []
    for path in named_paths:
        folder = os.path.abspath(path if _is_dir(path) else os.path.dirname(path) or ".")
        # A package named on the command line (`ctxlint browser_use`) is imported from above
        # it: its modules' absolute imports resolve there, even from a folder of it that has
        # no `__init__.py` (a namespace package, whose own files' package root is themselves).
        above = package_root(os.path.join(folder, "__init__.py")) if _is_package(folder) else None
        for root in (folder, os.path.join(folder, "src"), *([above] if above else [])):
            if root not in roots and _is_dir(root):
                roots.append(root)
    return tuple(roots)


def _is_package(folder: str) -> bool:
    return is_file(os.path.join(folder, "__init__.py"))


def module_name(path: str, roots: Iterable[str] = ()) -> str:
    """The dotted name `path` is imported by: from the innermost root holding it (a folder
    without `__init__.py` below a root still counts, as a namespace package), else from the
    folder above its outermost package."""
    absolute = os.path.abspath(path)
    base = ""
    for root in roots:
        root = os.path.abspath(root)
        inside = absolute.startswith(root + os.sep)
        # A root that is itself a package names its modules from above it.
        if inside and len(root) > len(base) and not is_file(os.path.join(root, "__init__.py")):
            base = root
    base = base or package_root(absolute)
    relative = os.path.relpath(absolute, base)
    parts = relative[: -len(".py")].split(os.sep) if relative.endswith(".py") else [relative]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _module_file(folder: str, parts: list[str]) -> str | None:
    """`folder/a/b.py` or `folder/a/b/__init__.py` for parts [a, b]."""
    base = os.path.join(folder, *parts)
    if is_file(base + ".py"):
        return base + ".py"
    init = os.path.join(base, "__init__.py")
    if is_file(init):
        return init
    return None


def resolve(
    qualified: str, importer: str, roots: Iterable[str] = ()
) -> tuple[str, list[str]] | None:
    """For a name as the index qualifies it (`..pkg.mod.f`, `pkg.mod.f`, `mod.Class.method`)
    used in the file `importer`: the project file that defines its longest module prefix, and
    the attribute names that remain in it ([f], [Class, method]); None outside the project."""
    level = len(qualified) - len(qualified.lstrip("."))
    parts = [part for part in qualified[level:].split(".") if part]
    if len(parts) > _MAX_PARTS:
        return None
    if level:
        folder = os.path.dirname(os.path.abspath(importer))
        for _ in range(level - 1):
            folder = os.path.dirname(folder)
        return _resolve_in((folder,), parts, True, os.path.abspath(importer))
    # Every file of a package resolves an absolute name alike: one look-up for all of them.
    found = _resolve_absolute(tuple(parts), package_root(importer), tuple(roots))
    if found is not None and found[0] == os.path.abspath(importer) and not found[1]:
        return None
    return found


@lru_cache(maxsize=16384)
def _resolve_absolute(
    parts: tuple[str, ...], root: str, roots: tuple[str, ...]
) -> tuple[str, list[str]] | None:
    return _resolve_in((root, *roots), list(parts), False, "")


def _resolve_in(
    folders: tuple[str, ...], parts: list[str], relative: bool, importer: str
) -> tuple[str, list[str]] | None:
    for folder in folders:
        if not relative and parts and not _may_hold_module(folder, parts[0]):
            continue
        # The longest prefix that is a module: `pkg.mod.f` is f in pkg/mod.py.
        for length in range(len(parts), 0, -1):
            found = _module_file(folder, parts[:length])
            if found is not None:
                if os.path.abspath(found) == importer and length == len(parts):
                    break
                return found, parts[length:]
        if relative:
            # `from . import f`: f defined in the package's own `__init__.py`.
            init = os.path.join(folder, "__init__.py")
            if is_file(init) and os.path.abspath(init) != importer:
                return init, parts
    return None


_IMPORT_LINE = re.compile(
    rb"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+\(?([\w, \t]*)|import[ \t]+([\w.]+))",
    re.MULTILINE,
)


def imported_files(data: bytes, path: str, roots: Iterable[str] = ()) -> list[str]:
    """The project files a file's bytes import (`from .x import y` gives x.py, or y.py when y
    is a module of package x): a byte scan, no parse, for the prefilter to look into the files
    a sink's value may come from."""
    found: list[str] = []
    for match in _IMPORT_LINE.finditer(data):
        dots, module, names, imported = (
            group.decode("ascii", "replace") for group in match.groups(b"")
        )
        if imported:
            candidates = [imported]
        else:
            base = dots + module
            candidates = [base] if module else []
            for name in names.split(","):
                name = name.split()[0] if name.split() else ""
                if name:
                    candidates.append(f"{base}.{name}" if module else f"{dots}{name}")
        for qualified in candidates:
            target = resolve(qualified, path, roots)
            if target is not None and not target[1] and target[0] not in found:
                found.append(target[0])
    return found
