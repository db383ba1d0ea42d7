"""A parsed Python file with the shared facts the rules read: index, sinks and value flow, all
computed once and on first use."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ctxlint.config import Settings
from ctxlint.diagnostics import Diagnostic, Edit, Fix, RelatedLocation
from ctxlint.python.containers import Change, Container, changes_of, containers_of
from ctxlint.python.flow import Reach, Reached, reach
from ctxlint.python.imported_wrappers import project_sinks
from ctxlint.python.index import CallSite, ModuleIndex, Scope, build_index
from ctxlint.python.sinks import Sink, find_sent_lists
from ctxlint.python.wrappers import WrapperSinks
from ctxlint.source import SourceText

if TYPE_CHECKING:
    from ctxlint.python.project import Project

Fact = TypeVar("Fact")
Node = TypeVar("Node")


@dataclass(eq=False)
class PythonModule:
    path: str
    source: SourceText
    tree: ast.Module
    settings: Settings
    _index: ModuleIndex | None = field(default=None, repr=False)
    _sinks: list[Sink] | None = field(default=None, repr=False)
    _wrappers: WrapperSinks | None = field(default=None, repr=False)
    _reached: dict[int, Reach] = field(default_factory=dict, repr=False)
    _changes: dict[str, list[tuple[Sink, Change]]] = field(default_factory=dict, repr=False)
    _call_sites: dict[int, CallSite] | None = field(default=None, repr=False)
    _sent_lists: list[Sink] | None = field(default=None, repr=False)
    _facts: dict[Any, Any] = field(default_factory=dict, repr=False)
    # The modules of the run, when the module is checked as part of one (else it stands alone
    # and flow stops at its imports).
    project: Project | None = field(default=None, repr=False)
    # Other files the project read on this module's behalf while it was analysed.
    dependency_paths: set[str] = field(default_factory=set, repr=False)

    @property
    def index(self) -> ModuleIndex:
        if self._index is None:
            self._index = build_index(self.tree)
        self._index.links = self.project
        return self._index

    @property
    def sinks(self) -> list[Sink]:
        if self._sinks is None:
            analysis = project_sinks(self)
            self._sinks, self._wrappers = analysis.sinks, analysis.wrappers
        return self._sinks

    @property
    def wrappers(self) -> WrapperSinks:
        """Which parameters of the module's functions reach which sink kind (wrappers.py)."""
        if self._wrappers is None:
            analysis = project_sinks(self)
            self._sinks, self._wrappers = analysis.sinks, analysis.wrappers
        return self._wrappers

    def dependencies(self) -> frozenset[str]:
        """The other files whose content this module's findings may depend on: every project
        file resolved or parsed on its behalf (for a results cache to key its entry on)."""
        return frozenset(self.dependency_paths)

    def module_of(self, scope: Scope) -> PythonModule | None:
        """The module a scope reached by value flow belongs to: this one, or another module
        of the project (None when unknown)."""
        root = scope
        while root.parent is not None:
            root = root.parent
        if self._index is not None and root is self._index.module_scope:
            return self
        return self.project.module_of(root) if self.project is not None else None

    def dispose(self) -> None:
        if self._index is not None:
            self._index.dispose()
        self._index = None
        self._sinks = None
        self._wrappers = None
        self._reached.clear()
        self._changes.clear()
        self._call_sites = None
        self._sent_lists = None
        self._facts.clear()

    def fact(self, compute: Callable[[PythonModule], Fact]) -> Fact:
        """A fact about the whole module that a rule derives itself (from the index, the sinks,
        the text): computed on first use and shared, so that a rule asking it once per call does
        not walk the module once per call."""
        if compute not in self._facts:
            self._facts[compute] = compute(self)
        return self._facts[compute]

    def fact_about(self, compute: Callable[[PythonModule, Node], Fact], node: Node) -> Fact:
        """A fact about one node (a loop, a function, a walk shared by several sinks) that
        takes a walk of it: computed once per node however many calls inside it ask. The node
        must live as long as the module's facts (its identity is the key)."""
        key = (compute, id(node))
        if key not in self._facts:
            self._facts[key] = compute(self, node)
        return self._facts[key]

    def fact_per_part(
        self, compute: Callable[[PythonModule, list[Reached]], Fact], sink: Sink
    ) -> list[Fact]:
        """`compute` over each part of what reaches the sink: its own walk, then each walk it
        shares with other sinks, which is sifted once however many sinks share it."""
        own, *shared = self.reached(sink).parts
        return [compute(self, own), *(self.fact_about(compute, part) for part in shared)]

    def reached_across(self, sink: Sink) -> Reach:
        """What flows into a sink, in this module and in the project modules the walk
        entered through calls (a value's `Reached.scope` tells which: `module_of`); walked
        once per sink however many rules ask."""
        key = id(sink)
        if key not in self._reached:
            self._reached[key] = reach(sink, self.index, links=self.project)
        return self._reached[key]

    def reached(self, sink: Sink) -> Reach:
        """What flows into a sink from this module's own code (also through the functions of
        other modules it calls): what a rule that reports in this file reads. A part with no
        value of another module is the same list as in `reached_across`."""
        found = self.reached_across(sink)
        if not self.dependency_paths:
            return found
        home = self.index.module_scope
        views: dict[int, list[Reached]] = self._facts.setdefault("home parts", {})
        parts = []
        for part in found.parts:
            view = views.get(id(part))
            if view is None:
                own = [r for r in part if _root(r.scope) is home]
                view = views[id(part)] = part if len(own) == len(part) else own
            parts.append(view)
        return Reach(tuple(parts))

    @property
    def sent_lists(self) -> list[Sink]:
        """The sinks, plus histories and tool lists handed to a model layer of the app's own
        (`self.model.query(self.messages)`): what the history and tool-list rules watch."""
        if self._sent_lists is None:
            self._sent_lists = self.sinks + find_sent_lists(self.index, self.sinks)
        return self._sent_lists

    def call_site(self, call: ast.Call) -> CallSite | None:
        if self._call_sites is None:
            self._call_sites = {id(site.call): site for site in self.index.calls}
        return self._call_sites.get(id(call))

    def sent_containers(self, sink: Sink) -> tuple[list[Container], list[Change]]:
        """The containers an LLM call's argument is made of, and filters applied on the way."""
        site = self.call_site(sink.call) if sink.call is not None else None
        loop = site.loop if site is not None else None
        return containers_of(sink.expression, sink.scope, self.index, loop)

    def container_changes(self, kind: str) -> list[tuple[Sink, Change]]:
        """For the calls' arguments of one kind ("messages", "tools"): every change to what
        they send other than appending, each once, with the sink it reaches."""
        if kind not in self._changes:
            found: list[tuple[Sink, Change]] = []
            seen: set[int] = set()
            # The changes of a variable many calls send are one list (changes_of): all of it
            # is in `seen` once it has been gone through.
            gone_through: set[int] = set()
            for sink in self.sent_lists:
                if sink.kind != kind:
                    continue
                containers, filters = self.sent_containers(sink)
                changes = list(filters)
                for container in containers:
                    if container.lifetime is None:
                        continue
                    listed = changes_of(container, self.index)
                    if id(listed) not in gone_through:
                        gone_through.add(id(listed))
                        changes.extend(listed)
                for change in changes:
                    if id(change.node) not in seen:
                        seen.add(id(change.node))
                        found.append((sink, change))
            self._changes[kind] = found
        return self._changes[kind]

    # Positions ----------------------------------------------------------------------------

    def start_offset(self, node: ast.AST) -> int:
        return self._offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end_offset(self, node: ast.AST) -> int:
        return self._offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def _offset(self, line: int, byte_column: int) -> int:
        # ast counts columns in UTF-8 bytes; edits and reports count characters.
        text = self.source.line_text(line)
        if text.isascii():
            column = byte_column
        else:
            column = len(text.encode("utf-8")[:byte_column].decode("utf-8", errors="ignore"))
        return self.source.offset(line, column)

    def text_of(self, node: ast.AST) -> str:
        return self.source.text[self.start_offset(node) : self.end_offset(node)]

    def snippet(self, node: ast.AST, limit: int = 60) -> str:
        """The node's source on one line, cut to `limit` characters: for messages."""
        text = " ".join(self.text_of(node).split())
        return text if len(text) <= limit else text[: limit - 3] + "..."

    def replace_edit(self, node: ast.AST, content: str) -> Edit:
        start, end = self.start_offset(node), self.end_offset(node)
        return Edit(start, end, content, self.source.location(start), self.source.location(end))

    def location_of(self, node: ast.AST, message: str) -> RelatedLocation:
        """A place in this module that a finding elsewhere refers to (\"sent here\")."""
        start, end = self.start_offset(node), self.end_offset(node)
        return RelatedLocation(
            self.path, self.source.location(start), self.source.location(end), message
        )

    def diagnostic(
        self,
        rule: type,
        node: ast.AST,
        message: str,
        fix: Fix | None = None,
        related: tuple[RelatedLocation, ...] = (),
        help: str | None = None,
    ) -> Diagnostic:
        start = self.start_offset(node)
        end = self.end_offset(node)
        return Diagnostic(
            code=rule.code,
            name=rule.name,
            message=message,
            path=self.path,
            start=self.source.location(start),
            end=self.source.location(end),
            fix=fix,
            start_offset=start,
            related=related,
            help=help,
        )


def _root(scope: Scope) -> Scope:
    while scope.parent is not None:
        scope = scope.parent
    return scope
