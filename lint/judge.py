"""Whether a finding stands under the settings of the file it is in. A file's check may find a
finding in a file it imports (where a volatile value is made), and that file may lie under
another configuration: it is judged by its own, as every finding in it is."""

from __future__ import annotations

import os
from collections.abc import Callable

from ctxlint.config import Settings
from ctxlint.diagnostics import Diagnostic
from ctxlint.globs import Excluder
from ctxlint.registry import select_rules
from ctxlint.suppression import without_ignored

# How far up from a file its folders are looked at for an exclude that covers them.
_MAX_FOLDERS_UP = 32


class FindingJudge:
    """Judges findings by the settings `settings_of` gives for each file (each settings'
    excludes and selected codes made once)."""

    def __init__(self, settings_of: Callable[[str], Settings]) -> None:
        self.settings_of = settings_of
        self._excluders: dict[int, Excluder] = {}
        self._codes: dict[int, frozenset[str]] = {}

    def keeps(self, diagnostic: Diagnostic) -> bool:
        """The finding's file is not excluded, its rule is selected there, and no
        per-file-ignores turn it off there. Raises ConfigError for that file's bad
        configuration."""
        path = diagnostic.path
        settings = self.settings_of(path)
        if self.excluded(path, settings) or diagnostic.code not in self._selected(settings):
            return False
        return bool(without_ignored(path, [diagnostic], settings))

    def excluded(self, path: str, settings: Settings | None = None) -> bool:
        """Whether a file reached through an import lies where `exclude` keeps the run out
        (it or a folder above it, as the folder walk would have skipped it)."""
        settings = settings or self.settings_of(path)
        excluder = self._excluders.get(id(settings))
        if excluder is None:
            patterns = [*settings.exclude, *settings.extend_exclude]
            excluder = self._excluders[id(settings)] = Excluder(patterns, settings.root)
        root = os.path.abspath(settings.root)
        folder = os.path.abspath(path)
        for _ in range(_MAX_FOLDERS_UP):
            if excluder.excludes(folder):
                return True
            # The folders above the configuration's are not the project's to exclude.
            parent = os.path.dirname(folder)
            if parent == folder or not parent.startswith(root + os.sep):
                break
            folder = parent
        return False

    def _selected(self, settings: Settings) -> frozenset[str]:
        codes = self._codes.get(id(settings))
        if codes is None:
            rules = select_rules(
                list(settings.select), list(settings.extend_select), list(settings.ignore)
            )
            codes = self._codes[id(settings)] = frozenset(rule.code for rule in rules)
        return codes
