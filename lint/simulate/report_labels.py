"""How both reports name things: a path (relative to the current folder when under it), a
session (its id cut in the middle when long), its agreement with the reported usage, a fix;
and which sessions `--session` asks for."""

from __future__ import annotations

import os

from ctxlint.redact import evidence, visible
from ctxlint.simulate.totals import ALL_FIXES, Saving, Totals

# A session id longer than this is shown as its start and end: enough of both to pick it out
# (`--session` takes any part of it), as a table cell that keeps the table narrow.
SESSION_LABEL = 28
# Where a request's predicted cached tokens are not the ones the provider reported.
DISAGREES = "✗"

SessionKey = tuple[str, str]


def fix_name(saving: Saving) -> str:
    return "all" if saving.code == ALL_FIXES else saving.code


def agreement(totals: Totals) -> str:
    """`14/20 ✗` when some requests disagree with the reported cache use, `20/20` when none."""
    if not totals.compared:
        return "–"
    mark = f" {DISAGREES}" if totals.agreeing < totals.compared else "  "
    return f"{totals.agreeing}/{totals.compared}{mark}"


def session_label(session: str) -> str:
    shown = evidence(session)
    if len(shown) <= SESSION_LABEL:
        return shown
    half = (SESSION_LABEL - 1) // 2
    return shown[:half] + "…" + shown[-(SESSION_LABEL - 1 - half) :]


def selects(part: str, key: SessionKey) -> bool:
    """Whether `--session PART` asks for a session: its id, any part of the id, or its file."""
    path, session = key
    if part and part in session:
        return True
    return os.path.normpath(os.path.abspath(part)) == os.path.normpath(os.path.abspath(path))


class Paths:
    """Paths as the report shows them: relative to a folder (the current one) when under it,
    else as given; control characters escaped."""

    def __init__(self, folder: str | None = None) -> None:
        self.folder = os.path.abspath(folder or os.curdir)

    def shown(self, path: str) -> str:
        absolute = os.path.abspath(path)
        if absolute == self.folder:
            return visible(os.curdir)
        if absolute.startswith(self.folder.rstrip(os.sep) + os.sep):
            return visible(os.path.relpath(absolute, self.folder))
        return visible(os.path.normpath(path))

    def place(self, path: str, line: int) -> str:
        """`path:line`; the path alone for a document read whole (line 0)."""
        return f"{self.shown(path)}:{line}" if line > 0 else self.shown(path)

    def common_folder(self, paths: list[str]) -> str:
        """The deepest folder holding every path, as given (not made absolute)."""
        try:
            common = os.path.commonpath([os.path.abspath(path) for path in paths])
        except ValueError:  # paths on different drives
            return os.curdir
        if common in {os.path.abspath(path) for path in paths}:
            common = os.path.dirname(common)
        if os.path.dirname(common) == common:
            # Only the root is shared: paths under it ("tmp/…") would lead nowhere from here.
            return os.curdir
        # Back to the spelling the paths were given in, when they were relative.
        if not os.path.isabs(paths[0]):
            return os.path.relpath(common)
        return common

    def under(self, path: str, folder: str) -> str:
        return visible(os.path.relpath(os.path.abspath(path), os.path.abspath(folder)))
