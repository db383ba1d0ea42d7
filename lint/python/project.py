"""The modules one run can reach: each checked file and the project files it imports, parsed
lazily, once per process, and what a call in one of them refers to in another.

A checked module asks the project for a callee it cannot find at home (`compose()` imported
from `prompts`, `mod.f()`, `PromptBuilder().build()`); the project resolves the import on
disk (imports.py), parses that file on first need (even when the prefilter skipped it or the
command line did not name it) and answers with the function, whose scopes the value flow then
walks with that module's index. Resolution depends only on the asking module and the files
on disk, never on what an earlier file of the same process happened to load, so a parallel
run gives what a serial one does.
"""

from __future__ import annotations

import ast
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ctxlint.files import NotRead, read_source
from ctxlint.python.imports import is_file, resolve
from ctxlint.python.index import (
    Binding,
    ClassInfo,
    FunctionInfo,
    ModuleIndex,
    Scope,
    class_of_self,
)
from ctxlint.python.names import lookup, qualified_name
from ctxlint.source import SourceText, UnreadableSource
from ctxlint.summary_cache import SummaryStore, TopLevel, top_level_of

if TYPE_CHECKING:
    from ctxlint.config import Settings
    from ctxlint.python.module import PythonModule

# Parsed modules kept per process; trimmed only between checked files, never during one.
_MAX_MODULES = 16
# Syntax trees of files checked last, kept so that a module importing one of them does not
# parse it again (nor a file checked after being imported): the analysis never changes a
# tree, and the index and facts over it are made anew by whichever module takes it.
_MAX_TREES = 4
# Project files whose bytes are kept to search for a method's name.
_MAX_FILES_READ = 256
# Bindings of a receiver's name looked at to tell its class.
_MAX_BINDINGS = 4
# Re-exports followed (`from .mod import f` in a package's __init__).
_MAX_REEXPORTS = 2
# Method names too common to guess a receiver's class from (`x.get()` is anything).
_COMMON_METHODS = frozenset(
    {
        "get",
        "set",
        "run",
        "arun",
        "call",
        "build",
        "create",
        "format",
        "render",
        "update",
        "copy",
        "dict",
        "json",
        "to_dict",
        "model_dump",
        "items",
        "keys",
        "values",
        "read",
        "write",
        "load",
        "save",
        "send",
        "process",
        "execute",
        "invoke",
        "ainvoke",
        "generate",
        "parse",
        "reset",
        "close",
        "open",
        "start",
        "stop",
        "add",
        "append",
        "extend",
        "join",
        "split",
        "strip",
        "replace",
        "chat",
        "complete",
        "step",
        "main",
        "__call__",
        "__init__",
    }
)


@dataclass(frozen=True, slots=True)
class Callee:
    """A function a call reaches, and whether the call passes the receiver as `self`."""

    function: FunctionInfo
    bound: bool


class Project:
    """The modules of one process's run, by path, and the links between them."""

    def __init__(self, settings: Settings, roots: tuple[str, ...] = ()) -> None:
        self.settings = settings
        self.roots = roots
        self._modules: OrderedDict[str, PythonModule | None] = OrderedDict()
        self._by_scope: dict[int, PythonModule] = {}
        self._resolved: dict[tuple[str, str], tuple[str, tuple[str, ...]] | None] = {}
        self._current: PythonModule | None = None
        self._bytes: dict[str, bytes] = {}
        self._trees: OrderedDict[str, tuple[str, ast.Module]] = OrderedDict()
        self._gate: Callable[[bytes], bool] | None = None
        # What each gate said of each file (gates are module-level functions).
        self._gate_answers: dict[tuple[Callable[[bytes], bool], str], bool] = {}
        # Other modules' summaries (a results cache's, or made here): see `summarised_callee`.
        self.summaries = SummaryStore()
        self._summarised = False

    def begin(self, module: PythonModule) -> None:
        """`module` is about to be checked: what it reaches is recorded as its dependencies."""
        while len(self._modules) > _MAX_MODULES:
            _, dropped = self._modules.popitem(last=False)
            if dropped is not None:
                self._by_scope.pop(id(dropped.index.module_scope), None)
                # Its scopes and functions refer to each other: without this, every module
                # dropped waits for the cycle collector, which a run keeps paused.
                dropped.dispose()
        self._current = module
        module.project = self
        self._by_scope[id(module.index.module_scope)] = module

    def end(self, module: PythonModule) -> None:
        self.summaries.remember(module)
        self._by_scope.pop(id(module.index.module_scope), None)
        if self._current is module:
            self._current = None

    def module_at(self, path: str) -> PythonModule | None:
        """The parsed module of a project file, or None when it cannot be read or parsed (or
        its bytes fail the gate of the question being asked: `gated_callee`)."""
        if self._current is not None and path != self._current.path:
            self._current.dependency_paths.add(path)
        if self._gate is not None and not self._passes(self._gate, path):
            return None
        if path in self._modules:
            self._modules.move_to_end(path)
            return self._modules[path]
        module = self._parse(path)
        self._modules[path] = module
        if module is not None:
            self._by_scope[id(module.index.module_scope)] = module
        return module

    def tree_to_check(self, path: str, text: str) -> ast.Module | None:
        """The tree of `path` already parsed from `text` (as another module's import, or
        kept by `keep_tree`), for its check to take instead of parsing
        the file again; None when there is none. Asked between checked files only: the
        imported module giving up its tree leaves the project."""
        module = self._modules.get(path)
        if module is not None and module.source.text == text:
            del self._modules[path]
            self._by_scope.pop(id(module.index.module_scope), None)  # indexed by module_at
            module.dispose()
            return module.tree
        return self._kept_tree(path, text)

    def keep_tree(self, path: str, text: str, tree: ast.Module) -> None:
        """A checked file's tree, for a module importing it later to take (`_parse`)."""
        self._trees[path] = (text, tree)
        self._trees.move_to_end(path)
        while len(self._trees) > _MAX_TREES:
            self._trees.popitem(last=False)

    def _kept_tree(self, path: str, text: str) -> ast.Module | None:
        kept = self._trees.pop(path, None)
        return kept[1] if kept is not None and kept[0] == text else None

    def _parse(self, path: str) -> PythonModule | None:
        from ctxlint.python.module import PythonModule

        try:
            source = SourceText.decode_python(read_source(path))
            tree = self._kept_tree(path, source.text) or ast.parse(source.text, filename=path)
        except (OSError, NotRead, UnreadableSource, SyntaxError, ValueError, RecursionError):
            return None
        module = PythonModule(path, source, tree, self.settings)
        module.project = self
        return module

    def module_of(self, scope: Scope) -> PythonModule | None:
        """The module a scope belongs to (of those this project holds)."""
        while scope.parent is not None:
            scope = scope.parent
        return self._by_scope.get(id(scope))

    def index_of(self, scope: Scope) -> ModuleIndex | None:
        module = self.module_of(scope)
        return module.index if module is not None else None

    # What a call refers to -----------------------------------------------------------------

    def callee(self, function: ast.expr, scope: Scope, by_name: bool = True) -> Callee | None:
        """The project function a call's callee expression refers to, when it is not a
        function of the caller's own module: an imported function or class method
        (`compose()`, `mod.f()`, `mod.Cls.m()`), a method of an instance whose class is known
        (`b = PromptBuilder(); b.build()`), or a method found by a name no other function of
        the module and its imports has (unless `by_name` is False: a guess that reads every
        imported file, too dear for a question asked of every call)."""
        module = self.module_of(scope)
        if module is None:
            return None
        qualified = qualified_name(function, scope)
        if qualified is not None:
            found = self.definition(qualified, module.path)
            # A function, or a method called through its class (`Cls.m(obj)`): no receiver.
            return Callee(found, False) if isinstance(found, FunctionInfo) else None
        if not isinstance(function, ast.Attribute):
            return None
        owner = self.instance_class(function.value, scope)
        if owner is not None:
            method = owner.methods.get(function.attr)
            return Callee(method, True) if method is not None else None
        if not by_name or function.attr in _COMMON_METHODS or function.attr.startswith("__"):
            return None
        method = self.unique_method(function.attr, module)
        return Callee(method, True) if method is not None else None

    def _passes(self, gate: Callable[[bytes], bool], path: str) -> bool:
        key = (gate, path)
        if key not in self._gate_answers:
            self._gate_answers[key] = gate(self._data(path))
        return self._gate_answers[key]

    def gated_callee(
        self,
        function: ast.expr,
        scope: Scope,
        gate: Callable[[bytes], bool],
        by_name: bool = False,
    ) -> Callee | None:
        """`callee`, without guessing by name (unless `by_name`), through files whose bytes
        pass `gate` only: a question asked of every call of a module (is it another module's
        wrapper, a helper rewriting histories?) parses only the files that could answer yes."""
        previous, self._gate = self._gate, gate
        try:
            return self.callee(function, scope, by_name=by_name)
        finally:
            self._gate = previous

    def summarised_callee(
        self, function: ast.expr, scope: Scope, gate: Callable[[bytes], bool]
    ) -> Callee | None:
        """`gated_callee`, answered from the summaries of the other modules (summary_cache):
        the function is a stand-in, for questions a summary answers (`SummaryStore`)."""
        previous, self._summarised = self._summarised, True
        try:
            return self.gated_callee(function, scope, gate)
        finally:
            self._summarised = previous

    def gated_class(
        self, function: ast.expr, scope: Scope, gate: Callable[[bytes], bool]
    ) -> ClassInfo | None:
        """`class_called`, through files whose bytes pass `gate` only (see gated_callee)."""
        previous, self._gate = self._gate, gate
        try:
            return self.class_called(function, scope)
        finally:
            self._gate = previous

    def instance_class(self, receiver: ast.expr, scope: Scope, depth: int = 0) -> ClassInfo | None:
        """The class of `receiver` when every binding of the name makes it by calling one
        class of the project (`b = PromptBuilder()`) or annotates it with one
        (`memory: ConversationMemory`), or when every `self.<attribute> = ...` of the
        enclosing class does so (`self.provider = OpenAIProvider()`)."""
        if isinstance(receiver, ast.Attribute) and depth < 2:
            owner = class_of_self(receiver.value, scope)
            written = owner.attributes.get(receiver.attr, []) if owner is not None else []
            found = [(value, where, False) for value, where in written]
            return self._one_class(found, depth) if found else None
        if not isinstance(receiver, ast.Name):
            return None
        bindings = lookup(receiver.id, scope)
        if len(bindings) > _MAX_BINDINGS:
            return None  # a name rebound again and again (`messages = ...` per call) is no object
        values: list[tuple[ast.expr, Scope, bool]] = []
        for binding in bindings:
            if binding.kind == "param" and binding.annotation is not None:
                values.append((binding.annotation, binding.scope, True))
            elif binding.kind == "assign" and not binding.target_path and binding.value:
                values.append((binding.value, binding.scope, False))  # type: ignore[arg-type]
            else:
                return None
        return self._one_class(values, depth) if values else None

    def _one_class(
        self, values: list[tuple[ast.expr, Scope, bool]], depth: int
    ) -> ClassInfo | None:
        """The one project class all these values make: a call of it, an annotation naming it
        (flagged True), or a parameter so annotated (`self.memory = memory`)."""
        found: ClassInfo | None = None
        for value, scope, annotation in values:
            if isinstance(value, ast.Call):
                owner = self.class_called(value.func, scope)
            elif annotation and isinstance(value, (ast.Name, ast.Attribute)):
                owner = self.class_called(value, scope)
            elif isinstance(value, ast.Name):
                owner = self.instance_class(value, scope, depth + 1)
            else:
                owner = None
            if owner is None or (found is not None and owner is not found):
                return None
            found = owner
        return found

    def class_called(self, function: ast.expr, scope: Scope) -> ClassInfo | None:
        if isinstance(function, ast.Name):
            local = _single(lookup(function.id, scope))
            if local is not None and local.kind == "class":
                return _class_info(self.module_of(scope), local)
        module = self.module_of(scope)
        qualified = qualified_name(function, scope)
        if module is None or qualified is None:
            return None
        found = self.definition(qualified, module.path)
        return found if isinstance(found, ClassInfo) else None

    def definition(self, qualified: str, importer: str) -> FunctionInfo | ClassInfo | None:
        """The function or class (or a class's method) an imported name refers to."""
        for _ in range(_MAX_REEXPORTS + 1):
            target = self._resolve(qualified, importer)
            if target is None or not target[1]:
                return None
            path, attributes = target
            found = self._top_level(path, attributes[0])
            if found is None:
                return None
            kind, value = found
            rest = attributes[1:]
            if kind == "function":
                return None if rest else value
            if kind == "class":
                if len(rest) > 1:
                    return None
                return value.methods.get(rest[0]) if rest else value
            # A re-export: `from .prompts import compose` in a package's __init__.py.
            qualified = ".".join([value, *rest])
            importer = path
        return None

    def _top_level(self, path: str, name: str) -> TopLevel:
        if self._summarised:
            if self._gate is not None and not self._passes(self._gate, path):
                return None
            return self.summaries.top_level(self, path, name)
        module = self.module_at(path)
        if module is None:
            return None
        return top_level_of(module, _single(module.index.module_scope.bindings.get(name, [])))

    def unique_method(self, name: str, module: PythonModule) -> FunctionInfo | None:
        """The one method called `name` in the module and the project modules it imports,
        when there is exactly one function by that name among them. The imported files are
        searched as bytes first; only the one that defines the name is parsed."""
        found: list[FunctionInfo] = list(module.index.functions_by_name.get(name, ()))
        if len(found) > 1:
            return None
        needle = f"def {name}(".encode()
        holders = [path for path in self.imported_paths(module) if needle in self._data(path)]
        if len(found) + len(holders) != 1:
            return None
        if holders:
            other = self.module_at(holders[0])
            found = list(other.index.functions_by_name.get(name, ())) if other else []
        if len(found) != 1 or found[0].class_info is None:
            return None
        return found[0]

    def imported_paths(self, module: PythonModule) -> list[str]:
        """The project files `module` imports directly (resolved, not parsed): once per
        module, however many of its calls ask."""
        return module.fact(_imported_paths)

    def _imported_paths(self, module: PythonModule) -> list[str]:
        found: list[str] = []
        for qualified in sorted(module.index.imported_modules):
            target = self._resolve(qualified, module.path)
            if target is not None and target[0] != module.path and target[0] not in found:
                found.append(target[0])
        return found

    def data_of(self, path: str) -> bytes:
        """A project file's bytes (empty when unreadable), as a dependency of the checked one."""
        return self._data(path)

    def _data(self, path: str) -> bytes:
        if self._current is not None and path != self._current.path:
            self._current.dependency_paths.add(path)
        if path not in self._bytes:
            if len(self._bytes) >= _MAX_FILES_READ:
                self._bytes.clear()
            try:
                self._bytes[path] = read_source(path)
            except (OSError, NotRead):
                self._bytes[path] = b""
        return self._bytes[path]

    def _resolve(self, qualified: str, importer: str) -> tuple[str, tuple[str, ...]] | None:
        key = (qualified, importer)
        if key not in self._resolved:
            # Text not read from a file (standard input, a library caller's string) has no
            # place on disk its imports could be resolved from.
            found = resolve(qualified, importer, self.roots) if is_file(importer) else None
            if found is not None and not os.path.isabs(importer):
                # Named as the checked files are: relative to where the run started.
                found = (os.path.relpath(found[0]), found[1])
            self._resolved[key] = (found[0], tuple(found[1])) if found else None
        return self._resolved[key]


def _imported_paths(module: PythonModule) -> list[str]:
    project = module.project
    return project._imported_paths(module) if project is not None else []


def _single(bindings: list[Binding]) -> Binding | None:
    return bindings[0] if len(bindings) == 1 else None


def _class_info(module: PythonModule | None, binding: Binding) -> ClassInfo | None:
    if module is None:
        return None
    for owner in module.index.classes:
        if owner.node is binding.value:
            return owner
    return None
