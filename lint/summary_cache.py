"""Module summaries as plain data: what a checked module asks of a module it imports, kept by
that module's content digest so that an unchanged import is answered without parsing it.

The question asked of every call of a checked module is whether it calls another module's
provider wrapper (imported_wrappers.py). Answering it took a parse and an index of each
imported file that may send prompts: after one file changed in a large tree, most of the time
spent re-checking it and the files importing it. A summary holds what that answer needs:

    {"names": {name: ["function", parameters, static]
                     | ["class", {method: [parameters, static]}]
                     | ["import", qualified name]},
     "wrappers": {"f" or "Class.method": {keyword: sink kind}}}

`names` are the module's top-level names bound once (what `Project.definition` follows: a
function, a class and its methods, a re-export); `static` says a method takes no receiver.
`wrappers` is computed on first need (a class looked up to tell a receiver's type needs no
wrapper analysis). The summary depends on the module's bytes alone, with the settings and
ctxlint's code in the results cache's key, so one stored in a run with that key holds.

A summary is applied as stand-ins: a FunctionInfo and ClassInfo per name, on synthetic nodes,
under a module scope no parsed module has, so that the call-site code that handles imported
wrappers (`wrapper_summaries`) runs unchanged. The same stand-ins are used whether the summary
came from the cache or from a module parsed in this run: a warm run finds what a cold one does.
"""

from __future__ import annotations

import ast
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ctxlint.cache import digest_of, write_whole
from ctxlint.files import NotRead, read_source
from ctxlint.python.index import Binding, ClassInfo, FunctionInfo, Scope
from ctxlint.source import SourceText, UnreadableSource

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule
    from ctxlint.python.project import Project
    from ctxlint.python.sinks import SinkKind
    from ctxlint.python.wrappers import WrapperSinks

# What a top-level name is, as `Project.definition` follows it.
TopLevel = tuple[str, Any] | None

_SINK_KINDS = frozenset({"system", "tools", "messages", "content"})
# Files whose bytes' digest and whose stand-ins one process keeps (as many as the project
# keeps the bytes of), and summaries it keeps in memory.
_MAX_FILES = 256
_MAX_SUMMARIES = 512


def names_of(module: PythonModule) -> dict[str, list[Any]]:
    """The module's top-level names bound once, as plain data."""
    names: dict[str, list[Any]] = {}
    classes = {id(owner.node): owner for owner in module.index.classes}
    for name, bindings in module.index.module_scope.bindings.items():
        if len(bindings) != 1:
            continue
        binding = bindings[0]
        if binding.kind == "function" and binding.function is not None:
            names[name] = ["function", *_signature(binding.function)]
        elif binding.kind == "class":
            owner = classes.get(id(binding.value))
            if owner is not None:
                methods = {m: _signature(f) for m, f in owner.methods.items()}
                names[name] = ["class", methods]
        elif binding.kind == "import" and binding.qualified_name is not None:
            names[name] = ["import", binding.qualified_name]
    return names


def _signature(function: FunctionInfo) -> list[Any]:
    node = function.node
    static = isinstance(node, ast.Lambda) or any(
        isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list
    )
    return [list(function.parameter_names), static]


def wrappers_of(module: PythonModule) -> dict[str, dict[str, str]]:
    """The module's own wrapper summaries (computed from it alone), by the dotted name a
    caller reaches each function under."""
    from ctxlint.python.sinks import analyse_sinks

    return plain_wrappers(
        module, analyse_sinks(module.index, module.settings.prompt_sinks).wrappers
    )


def plain_wrappers(module: PythonModule, own: WrapperSinks) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for function, summary in own.items():
        name = _top_level_name(function, module)
        if name is not None and summary:
            found[name] = dict(summary)
    return found


def _top_level_name(function: FunctionInfo, module: PythonModule) -> str | None:
    module_scope = module.index.module_scope
    if function.class_info is None:
        return function.name if function.enclosing is module_scope else None
    owner = function.class_info
    if owner.scope.parent is not module_scope or owner.methods.get(function.name) is not function:
        return None
    return f"{owner.node.name}.{function.name}"


@dataclass
class _StandIns:
    """The stand-ins of one module's summary, made once per process."""

    path: str
    digest: str
    scope: Scope
    names: dict[str, TopLevel]
    # The dotted name of each stand-in function (`Class.method`), to find its wrapper summary.
    dotted: dict[int, str] = field(default_factory=dict)


@dataclass
class SummaryStore:
    """Summaries by content digest, for one process: those read from the results cache's
    summaries folder (`folder`, when the run has a cache) or made here. One made by parsing
    an imported file is written there at once, by the worker that made it: named by the
    digest, two runs writing one write the same bytes."""

    folder: Path | None = None
    # Digest -> summary, or None when the folder has none (asked once).
    _summaries: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    _stand_ins: dict[str, _StandIns] = field(default_factory=dict)
    # The stand-ins' module scopes (by id), to tell a stand-in function's module.
    _homes: dict[int, _StandIns] = field(default_factory=dict)
    # Each file's bytes (as the project holds them) and their digest: hashed once.
    _digests: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    _own_wrappers: tuple[PythonModule, WrapperSinks] | None = None
    # Summaries of checked files (`remember`) not yet in the folder.
    _unwritten: set[str] = field(default_factory=set)

    def note_own_wrappers(self, module: PythonModule, wrappers: WrapperSinks) -> None:
        """The module's wrappers from its own code alone, met on the way (its sinks called no
        other module's wrapper): kept for `remember`, which then need not compute them."""
        self._own_wrappers = (module, wrappers)

    def remember(self, module: PythonModule) -> None:
        """Summarise a module just checked, for the files checked after it in this process
        that import it (its dependents, re-checked after it changed): only when its text is
        the file's (not a fix's); its wrappers only when had for free (`note_own_wrappers`).
        Written to the folder only once another file asks for it: writing one per checked
        file would slow a cold run."""
        noted, self._own_wrappers = self._own_wrappers, None
        self._trim()
        try:
            # Read afresh, not through the project: its copy is for the files it imports.
            data = read_source(module.path)
        except (OSError, NotRead):
            return
        digest = digest_of(data)
        if self._summary(digest) is not None:
            return
        try:
            if SourceText.decode_python(data).text != module.source.text:
                return
        except UnreadableSource:
            return
        summary: dict[str, Any] = {"names": names_of(module)}
        if noted is not None and noted[0] is module:
            summary["wrappers"] = plain_wrappers(module, noted[1])
        self._summaries[digest] = summary
        self._unwritten.add(digest)

    def _trim(self) -> None:
        """Bound what a process keeps; between checked files only, so that every question of
        one file is answered by the same stand-ins."""
        if len(self._digests) > _MAX_FILES:
            self._digests.clear()  # it holds the files' bytes
        if len(self._stand_ins) > _MAX_FILES:
            self._stand_ins.clear()
            self._homes.clear()
        if len(self._summaries) > _MAX_SUMMARIES:
            self._summaries.clear()
            self._unwritten.clear()

    def _summary(self, digest: str) -> dict[str, Any] | None:
        if digest not in self._summaries:
            self._summaries[digest] = self._read(digest)
        return self._summaries[digest]

    def _read(self, digest: str) -> dict[str, Any] | None:
        if self.folder is None:
            return None
        try:
            loaded = orjson.loads((self.folder / f"{digest}.bin").read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None  # none yet, or being written, or corrupt: made afresh
        if not isinstance(loaded, dict) or not isinstance(loaded.get("names"), dict):
            return None
        wrappers = loaded.get("wrappers", {})
        if not isinstance(wrappers, dict) or not all(
            isinstance(summary, dict) and all(isinstance(kind, str) for kind in summary.values())
            for summary in wrappers.values()
        ):
            return None
        return loaded

    def _keep(self, digest: str, summary: dict[str, Any]) -> None:
        self._summaries[digest] = summary
        self._unwritten.discard(digest)
        if self.folder is not None:
            with contextlib.suppress(OSError):
                write_whole(
                    self.folder / f"{digest}.bin", orjson.dumps(summary), self.folder.parent
                )

    def _digest(self, path: str, data: bytes) -> str:
        hashed = self._digests.get(path)
        if hashed is None or hashed[0] is not data:
            hashed = self._digests[path] = (data, digest_of(data))
        return hashed[1]

    def top_level(self, project: Project, path: str, name: str) -> TopLevel:
        """What `name` is at the top of the module at `path`, from its summary (parsing the
        module only when no summary of its current bytes exists)."""
        stand_ins = self._of(project, path)
        return stand_ins.names.get(name) if stand_ins is not None else None

    def home_of(self, function: FunctionInfo) -> str | None:
        """The path of a stand-in function's module; None for a function of a parsed module."""
        root = function.scope
        while root.parent is not None:
            root = root.parent
        home = self._homes.get(id(root))
        return home.path if home is not None else None

    def wrapper_summary(self, project: Project, function: FunctionInfo) -> dict[str, SinkKind]:
        """The wrapper summary of a stand-in function: which of its parameters reach which
        sink kind (empty when none does)."""
        root = function.scope
        while root.parent is not None:
            root = root.parent
        home = self._homes.get(id(root))
        if home is None:
            return {}
        summary = self._summary(home.digest)
        if summary is None:
            return {}
        if "wrappers" not in summary:
            module = project.module_at(home.path)
            if module is None:
                return {}
            summary = {**summary, "wrappers": wrappers_of(module)}
            self._keep(home.digest, summary)
        found = summary["wrappers"].get(home.dotted.get(id(function), ""), {})
        if not isinstance(found, dict):
            return {}
        return {k: v for k, v in found.items() if v in _SINK_KINDS}

    def _of(self, project: Project, path: str) -> _StandIns | None:
        digest = self._digest(path, project.data_of(path))
        made = self._stand_ins.get(path)
        if made is not None and made.digest == digest:
            return made
        summary = self._summary(digest)
        made = self._made(path, digest, summary) if summary is not None else None
        if made is None:
            # None yet, or one of a shape this code does not know: made afresh.
            module = project.module_at(path)
            if module is None:
                return None
            self._keep(digest, {"names": names_of(module)})
            made = self._made(path, digest, self._summaries[digest])  # type: ignore[arg-type]
        elif digest in self._unwritten:
            self._keep(digest, summary)  # type: ignore[arg-type]
        if made is not None:
            self._stand_ins[path] = made
            self._homes[id(made.scope)] = made
        return made

    @staticmethod
    def _made(path: str, digest: str, summary: dict[str, Any]) -> _StandIns | None:
        try:
            return _stand_ins(path, digest, summary["names"])
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            return None


def _stand_ins(path: str, digest: str, names: dict[str, list[Any]]) -> _StandIns:
    scope = Scope("module", None, None)
    made = _StandIns(path, digest, scope, {})
    for name, (kind, *rest) in names.items():
        if kind == "function":
            parameters, static = rest
            function = _function(name, parameters, static, scope, None)
            made.dotted[id(function)] = name
            made.names[name] = ("function", function)
        elif kind == "class":
            (methods,) = rest
            node = ast.ClassDef(name=name, bases=[], keywords=[], body=[], decorator_list=[])
            class_scope = Scope("class", scope, node)
            owner = ClassInfo(node, class_scope)
            class_scope.class_info = owner
            for method, (parameters, static) in methods.items():
                function = _function(method, parameters, static, class_scope, owner)
                made.dotted[id(function)] = f"{name}.{method}"
                owner.methods[method] = function
            made.names[name] = ("class", owner)
        elif kind == "import":
            (qualified,) = rest
            made.names[name] = ("import", str(qualified))
    return made


def _function(
    name: str, parameters: list[str], static: bool, enclosing: Scope, owner: ClassInfo | None
) -> FunctionInfo:
    decorators: list[ast.expr] = [ast.Name(id="staticmethod")] if static else []
    node = ast.FunctionDef(
        name=name,
        args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=[],
        decorator_list=decorators,
    )
    scope = Scope("function", enclosing, node)
    function = FunctionInfo(
        node, name, scope, enclosing, parameter_names=[str(p) for p in parameters], class_info=owner
    )
    scope.function = function
    return function


def top_level_of(module: PythonModule, binding: Binding | None) -> TopLevel:
    """What a top-level binding of a parsed module is, in the shape `SummaryStore.top_level`
    gives: the function, the class, or the qualified name a re-export stands for."""
    if binding is None:
        return None
    if binding.kind == "function":
        return ("function", binding.function) if binding.function is not None else None
    if binding.kind == "class":
        for owner in module.index.classes:
            if owner.node is binding.value:
                return ("class", owner)
        return None
    if binding.kind == "import" and binding.qualified_name is not None:
        return ("import", binding.qualified_name)
    return None
