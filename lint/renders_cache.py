"""The renders a run found, kept in the results cache folder: finding them follows values through
the project, which on a tree of many templates costs as much as the check itself, while a run
over an unchanged tree would find the same again.

One entry, replaced by each run that finds renders anew: its key is every input the finding
reads (each Python file's and prompt file's size and time, the settings, ctxlint's own code).
Any change finds them all again; a partial reuse would have to know which values a change
reaches, which is the work the cache saves."""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ctxlint.cache import cache_key
from ctxlint.config import Settings
from ctxlint.files import write_atomically

_FILE_NAME = "prompt-renders.pickle"


def cached_renders(
    folder: str | os.PathLike[str] | None,
    inputs: Iterable[str],
    settings: Settings,
    find: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """The renders `find()` gives, answered from `folder` when nothing they rest on changed
    since they were kept there; without a folder, found every time."""
    if folder is None:
        return find()
    key = _key(inputs, settings)
    if key is None:
        return find()
    path = Path(folder) / _FILE_NAME
    try:
        with path.open("rb") as stream:
            kept_key, kept = pickle.load(stream)
        if kept_key == key and isinstance(kept, dict):
            return kept
    except (OSError, EOFError, pickle.PickleError, ValueError, TypeError, AttributeError):
        pass  # none kept, or from another version: found again
    found = find()
    try:
        os.makedirs(folder, exist_ok=True)
        write_atomically(str(path), pickle.dumps((key, found), protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, pickle.PickleError, TypeError, AttributeError):
        pass  # a folder that cannot be written only costs the next run the finding
    return found


def _key(inputs: Iterable[str], settings: Settings) -> str | None:
    digest = hashlib.sha256(cache_key(settings, []).encode())
    for path in sorted({os.path.abspath(path) for path in inputs}):
        try:
            info = os.stat(path)
        except OSError:
            return None  # a file gone meanwhile: nothing to trust
        digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode("utf-8", "replace"))
    return digest.hexdigest()
