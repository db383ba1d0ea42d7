"""Checks one Python file's text with the selected rules: the byte prefilter that spares files
with no prompt code from parsing, one parse, every rule, then what noqa comments, per-file
ignores and other files' settings leave standing. One checker per process serves every file.
"""

from __future__ import annotations

import ast
import functools
import importlib
import pkgutil
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from ctxlint.collector import cycle_collection_paused
from ctxlint.config import Settings
from ctxlint.diagnostics import Diagnostic
from ctxlint.files import NotRead, read_source
from ctxlint.judge import FindingJudge
from ctxlint.python.imports import imported_files
from ctxlint.rule import InputKind, Rule
from ctxlint.source import SourceText
from ctxlint.suppression import ALL_CODES, is_suppressed, read_directives, without_ignored
from ctxlint.unreadable import reports_unreadable, unreadable_at

if TYPE_CHECKING:
    from pathlib import Path

    # The analysis is imported where a file is parsed: a run answered from the results cache
    # parses nothing and must not pay for loading it (bench/startup.py).
    from ctxlint.python.module import PythonModule
    from ctxlint.python.prefilter import Prefilter
    from ctxlint.python.project import Project
    from ctxlint.unused_noqa import NoqaJudge

# A noqa comment naming a ctxlint code: a file holding one is parsed when CTX100 is selected.
_OWN_NOQA = re.compile(rb"(?i)#\s*noqa\s*:[^\r\n]*?CTX[0-9]")
# Project files the prefilter reads to tell whether a sink's file imports a source.
_MAX_IMPORTS_SCANNED = 24


class PythonChecker:
    """Checks Python text with the selected rules; one per process, reused for every file."""

    def __init__(self, settings: Settings, rules: Iterable[type[Rule]]) -> None:
        rules = tuple(rules)
        self.settings = settings
        self.rules = [rule() for rule in rules if InputKind.PYTHON in rule.input_kinds()]
        self.report_unreadable = reports_unreadable(rules)
        self.judges_noqa = any(rule.reports_unused_noqa for rule in rules)
        # The files besides the one checked last whose text its findings rest on (for the
        # results cache, which holds them stale when one of them changes), and the project
        # files the prefilter read to decide on the last file (a skip rests on them too).
        self.last_dependencies: tuple[str, ...] = ()
        self.last_scanned: tuple[str, ...] = ()
        # Whether the last file's unused-noqa verdict rested on which files import it.
        self.last_rests_on_importers = False
        # Where absolute imports of the checked files resolve, besides each file's own
        # package root: the folders named on the command line.
        self.roots: tuple[str, ...] = ()
        self._project: Project | None = None
        # Where the results cache keeps the summaries of imported files, when the run has one.
        self.summaries_folder: Path | None = None
        # For project files imported by a sink's file: whether they may hold a source, and
        # the project files they import in turn.
        self._imported_sources: dict[str, tuple[bool, bool, list[str]]] = {}
        # Findings in other files judged by this checker's settings; check_paths sets
        # `judged_later` to judge them after the results cache instead, each by the settings
        # of the file it is in (FindingJudge).
        self._judge = FindingJudge(lambda path: self.settings)
        self.judged_later = False

    @property
    def project(self) -> Project:
        """The modules this process reaches from the files it checks (made in each worker)."""
        if self._project is None:
            from ctxlint.python.project import Project

            self._project = Project(self.settings, self.roots)
            if self.summaries_folder is not None:
                # Imported files unchanged since are answered from their summaries.
                self._project.summaries.folder = self.summaries_folder
        return self._project

    @functools.cached_property
    def prefilter(self) -> Prefilter:
        """What a file must hold to be parsed, from the selected rules' triggers (made when
        the first file is looked at: a run answered from the results cache needs none)."""
        from ctxlint.python.prefilter import build_prefilter

        return build_prefilter(
            self.settings.prompt_sinks, [rule.python_trigger for rule in self.rules]
        )

    def load_analysis(self) -> None:
        """Import the whole analysis and build the prefilter now, before worker processes are
        forked: each inherits them rather than importing them again on its first file."""
        import ctxlint.python as analysis

        for module in pkgutil.iter_modules(analysis.__path__):
            importlib.import_module(f"{analysis.__name__}.{module.name}")
        self.prefilter  # noqa: B018 - built here, for every worker

    @functools.cached_property
    def noqa_judge(self) -> NoqaJudge | None:
        """Judges unused `# noqa` codes when CTX100 is selected."""
        if not self.judges_noqa:
            return None
        from ctxlint.unused_noqa import NoqaJudge

        return NoqaJudge(self.settings, self.rules, self.prefilter)

    def wanted(self, data: bytes, path: str = "") -> bool:
        self.last_scanned = ()
        if self.prefilter.wanted(data):
            return True
        if self.judges_noqa and _OWN_NOQA.search(data):
            return True  # Its noqa codes are judged (CTX100); no other finding is lost.
        # A sink whose source may sit in a project module it imports (or one those import).
        # Or a history whose rewrite may sit in one (`store.get_history()` cutting a window):
        # any file that sends prompts, as histories are sent without a prefix word.
        prefilter = self.prefilter
        if not path or not prefilter.may_send_prompts(data):
            return False
        prefix = prefilter.may_send_a_prefix(data)
        pending, looked = imported_files(data, path, self.roots), 0
        scanned: list[str] = []
        while pending and looked < _MAX_IMPORTS_SCANNED:
            imported = pending.pop(0)
            looked += 1
            scanned.append(imported)
            if imported not in self._imported_sources:
                try:
                    imported_data = read_source(imported)
                except (OSError, NotRead):
                    imported_data = b""
                self._imported_sources[imported] = (
                    prefilter.may_hold_a_source(imported_data),
                    prefilter.may_edit_a_history(imported_data),
                    imported_files(imported_data, imported, self.roots),
                )
            has_source, edits_a_history, further = self._imported_sources[imported]
            if (has_source and prefix) or edits_a_history:
                return True
            pending.extend(further)
        self.last_scanned = tuple(sorted(set(scanned)))
        return False

    def check_text(self, path: str, source: SourceText) -> list[Diagnostic]:
        # A library caller's check pauses the collector as a run over files does (_check_batch).
        with cycle_collection_paused():
            return self._check_text(path, source)

    def _check_text(self, path: str, source: SourceText) -> list[Diagnostic]:
        self.last_dependencies = ()
        self.last_rests_on_importers = False
        project = self.project
        try:
            tree = project.tree_to_check(path, source.text) or ast.parse(source.text, filename=path)
        except SyntaxError as error:
            from ctxlint.python.newer_syntax import newer_syntax_reason

            line = source.line_text(error.lineno) if error.lineno else ""
            reason = newer_syntax_reason(line, error.msg) or f"syntax error: {error.msg}"
            return self.unreadable(path, reason, error.lineno, error.offset)
        except (ValueError, RecursionError, MemoryError) as error:
            return self.unreadable(path, f"cannot parse: {error}", 1, 1)
        from ctxlint.python.module import PythonModule

        module = PythonModule(path, source, tree, self.settings)
        diagnostics: list[Diagnostic] = []
        project.begin(module)
        try:
            for rule in self.rules:
                diagnostics.extend(rule.check_python(module))
            self.last_dependencies = _dependencies(module)
        finally:
            project.end(module)
            module.dispose()
            project.keep_tree(path, source.text, tree)
        return self.keep(path, source.text, diagnostics, source)

    def keep(
        self,
        path: str,
        text: str,
        diagnostics: list[Diagnostic],
        source: SourceText | None = None,
    ) -> list[Diagnostic]:
        """Drop what per-file-ignores or `# noqa` suppress, each in the file the finding is
        in (a flow from this file may end in another). With the checked file's `source`, its
        unused `# noqa` codes are reported when CTX100 is selected."""
        if not diagnostics and (self.noqa_judge is None or source is None):
            return diagnostics
        own = [d for d in diagnostics if d.path == path]
        kept = self._unsuppressed(path, text, own, source)
        others = sorted({d.path for d in diagnostics if d.path != path})
        for other in others:
            module = self.project.module_at(other)
            if module is None or (not self.judged_later and self._judge.excluded(other)):
                continue
            found = [
                # A fix is applied to the file being analysed only: none for another file.
                replace(d, fix=None) if d.fix is not None else d
                for d in diagnostics
                if d.path == other
            ]
            by_settings = not self.judged_later
            kept.extend(
                self._unsuppressed(other, module.source.text, found, by_settings=by_settings)
            )
        return kept

    def _unsuppressed(
        self,
        path: str,
        text: str,
        diagnostics: list[Diagnostic],
        source: SourceText | None = None,
        by_settings: bool = True,
    ) -> list[Diagnostic]:
        judge = self.noqa_judge if source is not None else None
        if not diagnostics and judge is None:
            return diagnostics
        directives = read_directives(text)
        kept = without_ignored(path, diagnostics, self.settings) if by_settings else diagnostics
        shown = [d for d in kept if not is_suppressed(d, directives)]
        if judge is not None and source is not None and directives.file_codes is not ALL_CODES:
            judge.roots = self.roots
            suppressed = [d for d in kept if is_suppressed(d, directives)]
            unused = judge.findings(path, source, directives, suppressed)
            self.last_rests_on_importers = judge.consulted_importers
            unused = without_ignored(path, unused, self.settings)
            shown.extend(d for d in unused if not is_suppressed(d, directives))
        return shown

    def line_in(self, path: str, line: int) -> str:
        """A source line of another file of the project (under a finding reached from here)."""
        module = self.project.module_at(path)
        return module.source.line_text(line) if module is not None else ""

    def unreadable(
        self, path: str, reason: str, line: int | None, column: int | None
    ) -> list[Diagnostic]:
        if not self.report_unreadable:
            return []
        return [unreadable_at(path, reason, line, column)]


def _dependencies(module: PythonModule) -> tuple[str, ...]:
    # `dependencies()` comes with the analysis across modules; until then a module's findings
    # rest on its own text alone.
    dependencies = getattr(module, "dependencies", None)
    return tuple(sorted(dependencies())) if dependencies is not None else ()
