"""Which `# noqa` codes the unused-noqa rule (CTX100) may judge in a checked file, and what it
finds there: only codes of rules that ran on the file, and, for rules that report a value in
the module it is made in, only where no other file's check can be the one a code serves."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ctxlint.config import Settings
from ctxlint.diagnostics import Diagnostic
from ctxlint.files import NotRead, read_source
from ctxlint.rule import InputKind, Rule
from ctxlint.source import SourceText
from ctxlint.suppression import Directives, ignored_codes, is_ignored

if TYPE_CHECKING:
    from ctxlint.python.prefilter import Prefilter

# Past this many project files, the import graph is not read: every file counts as imported.
_MAX_FILES_SCANNED = 20000


class NoqaJudge:
    """One per checker (per process): the project's import graph is read once, on demand."""

    def __init__(self, settings: Settings, rules: Iterable[Rule], prefilter: Prefilter) -> None:
        rules = list(rules)
        self.settings = settings
        self.prefilter = prefilter
        self.ran = {rule.code for rule in rules if InputKind.PYTHON in rule.input_kinds()}
        self.elsewhere = {rule.code for rule in rules if rule.reports_in_other_modules}
        self.roots: tuple[str, ...] = ()
        self._imported: frozenset[str] | None = None
        # Whether the last file's verdict rested on which files import it (the results cache
        # cannot tell when that changes: such a result is not kept).
        self.consulted_importers = False

    def findings(
        self,
        path: str,
        source: SourceText,
        directives: Directives,
        suppressed: Iterable[Diagnostic],
    ) -> list[Diagnostic]:
        """The unused `# noqa` codes of the file, given the findings its comments suppressed."""
        self.consulted_importers = False
        if not directives.comments:
            return []
        used = {(directives.noqa_line(d.start.line), d.code) for d in suppressed}
        return unused_noqa_rule().findings(path, source, directives, used, self.judge(path))

    def judge(self, path: str) -> Callable[[str], bool]:
        ignored = ignored_codes(path, self.settings)

        def judged(code: str) -> bool:
            if code not in self.ran or is_ignored(code, ignored):
                return False
            if code not in self.elsewhere:
                return True
            self.consulted_importers = True
            return not self.imported_by_a_sender(path)

        return judged

    def imported_by_a_sender(self, path: str) -> bool:
        """Whether a project file that may send prompts imports the file (or a file it
        imports does): that file's check may report a value made here."""
        if not os.path.isfile(path):
            return False  # Text from standard input or a library caller: nothing imports it.
        if self._imported is None:
            self._imported = self._files_imported_by_senders()
        return self._imported is _EVERYTHING or os.path.realpath(path) in self._imported

    def _files_imported_by_senders(self) -> frozenset[str]:
        from ctxlint.python.imports import imported_files

        files = self._project_files()
        if files is None:
            return _EVERYTHING
        pending: list[str] = []
        for path in files:
            data = _read(path)
            if self.prefilter.may_send_prompts(data):
                pending.extend(imported_files(data, path, self.roots))
        reached: set[str] = set()
        while pending:
            imported = os.path.realpath(pending.pop())
            if imported in reached:
                continue
            reached.add(imported)
            pending.extend(imported_files(_read(imported), imported, self.roots))
        return frozenset(reached)

    def _project_files(self) -> list[str] | None:
        """The Python files under the project root and the folders named on the command
        line, as a folder walk finds them; None when there are too many to read."""
        from ctxlint.discovery import Discovery, _walk, input_kind
        from ctxlint.globs import Excluder

        settings = self.settings
        excluder = Excluder([*settings.exclude, *settings.extend_exclude], settings.root)
        found: set[str] = set()
        for folder in {os.path.realpath(f) for f in [str(settings.root), *self.roots]}:
            for path in _walk(folder, excluder, Discovery()):
                if input_kind(path) is InputKind.PYTHON:
                    found.add(path)
                    if len(found) > _MAX_FILES_SCANNED:
                        return None
        return sorted(found)


_EVERYTHING = frozenset({"*"})


def unused_noqa_rule() -> Any:
    """The rule that declares `reports_unused_noqa` (CTX100): the registry's answer, so that
    the engine imports no rule module."""
    from ctxlint.registry import rule_declaring

    return rule_declaring("reports_unused_noqa")


def _read(path: str) -> bytes:
    try:
        return read_source(path)
    except (OSError, NotRead):
        return b""
