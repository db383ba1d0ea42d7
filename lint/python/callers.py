"""Who calls a function across the project, and whether one of them sends what it returns to
a model.

A function named as returning tools or skills (unordered.py) hands its order on only when its
result reaches a request; many such functions serve a command line, a REST endpoint, a sandbox
upload or a game bridge instead. So the callers are looked for: in the function's own module,
and in the project files (under the folders named on the command line) that spell its name
followed by `(`, whose calls are resolved to the function as the project layer resolves any
call. A caller sends the result when, within the calling function, the value (or a name it was
bound to, a list it was added to, a value built from it) is

- part of a request the caller's module makes (one of its sinks),
- passed as a keyword, or stored under a dict key or a `self` attribute, that names a prompt
  part (`tools=`, `"system_prompt": ...`, `self.skills = ...`), or
- returned, by a function one of whose callers sends it in turn (a few levels up), or
- handed to a function of the project whose parameter then does one of these (a call or two
  down: `self._attach(agent, skills)`).

No caller found, or none that does any of this: no evidence, and the order is left alone. The
follow inside a caller is by names and is deliberately coarse (a value built from the result
counts as the result), as the places it must end in are narrow.
"""

from __future__ import annotations

import ast
import os
import re
import weakref
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ctxlint.files import NotRead, read_source
from ctxlint.python.imports import package_root
from ctxlint.python.index import CallSite, FunctionInfo, Scope, class_of_self
from ctxlint.python.names import lookup, qualified_name

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule
    from ctxlint.python.project import Project

# Returns followed up to callers (`load_skills` returns what `_scan_skills` found), and
# arguments followed down into the functions they are handed to; bodies read per question.
_MAX_UP = 5
_MAX_DOWN = 2
_MAX_BODIES = 200
# Project files searched for a name; beyond it the search gives up (no evidence).
_MAX_FILES = 20000
# Files that spell a function's name parsed to find its callers; more is a name too common.
_MAX_FILES_PARSED = 24
# Callers of one function looked at.
_MAX_CALLERS = 32
# Passes over a calling function's statements to follow names bound from names.
_PASSES = 3
_SKIPPED_FOLDERS = frozenset(
    {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}
)
# Keywords and `self` attributes that hold a prompt part; dict keys too, but for `skills`
# (a REST response lists skills under that key as often as an agent config does), which
# counts only in a dict handed to a call that does not serve it.
_PROMPT_PARTS = frozenset(
    {
        "tools",
        "functions",
        "skills",
        "toolkits",
        "tool_definitions",
        "system",
        "system_prompt",
        "system_message",
        "instructions",
    }
)
_PROMPT_KEYS = _PROMPT_PARTS - {"skills"}
# Calls that serve or show a value (a REST response, JSON, a log line) rather than hand it to
# an agent: a dict of skills passed to them is a payload.
_SERVES = re.compile(r"response|json|dump|render|print|log|echo|write|send", re.IGNORECASE)
# Methods that put an argument into their receiver.
_FILLING_METHODS = frozenset({"append", "extend", "insert", "update", "add", "setdefault"})


def sent_by_a_caller(module: PythonModule, function: FunctionInfo) -> bool:
    """Whether some caller of `function` (of `module`) sends its result to a model."""
    return _sent(module, function, _Search(), _MAX_UP)


@dataclass(slots=True)
class _Search:
    """One question's walk: the functions whose callers are being looked at (a cycle stops
    there), the most levels up that were not enough from each function, and the bodies read."""

    busy: set[int] = field(default_factory=set)
    failed: dict[int, int] = field(default_factory=dict)
    bodies: int = 0


def _sent(module: PythonModule, function: FunctionInfo, search: _Search, up: int) -> bool:
    """Whether a caller of `function` sends what it returns, `up` more returns allowed."""
    key = id(function)
    if key in search.busy or search.failed.get(key, -1) >= up:
        return False
    search.busy.add(key)
    try:
        found = any(
            _site_sends(caller, site, search, up) for caller, site in _callers(module, function)
        )
    finally:
        search.busy.discard(key)
    if not found:
        search.failed[key] = up
    return found


# Finding the callers -----------------------------------------------------------------------


def every_caller(
    module: PythonModule, function: FunctionInfo
) -> list[tuple[PythonModule, CallSite]] | None:
    """The calls of `function` (of `module`) across the project that spell its name; None
    when the search cannot be complete (no project, a name too common, too many calls)."""
    project = module.project
    if project is None:
        return None
    home = os.path.abspath(module.path)
    paths = [p for p in _files_calling(project, module.path, function.name) if p != home]
    if len(paths) > _MAX_FILES_PARSED:
        return None
    found = _callers(module, function)
    return found if len(found) < _MAX_CALLERS else None


def _callers(module: PythonModule, function: FunctionInfo) -> list[tuple[PythonModule, CallSite]]:
    name = function.name
    found: list[tuple[PythonModule, CallSite]] = []
    modules = [module]
    project = module.project
    if project is not None:
        home = os.path.abspath(module.path)
        paths = [p for p in _files_calling(project, module.path, name) if p != home]
        # A name too common to tell its callers by: the module's own calls only.
        for path in paths if len(paths) <= _MAX_FILES_PARSED else ():
            other = project.module_at(path)
            if other is not None:
                modules.append(other)
    for caller in modules:
        for site in caller.index.calls:
            if _callee_name(site.call.func) == name and _calls(caller, site, function):
                found.append((caller, site))
                if len(found) >= _MAX_CALLERS:
                    return found
    return found


def _callee_name(function: ast.expr) -> str | None:
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        return function.attr
    return None


def _calls(caller: PythonModule, site: CallSite, function: FunctionInfo) -> bool:
    """Whether the call refers to `function`: resolved so, or an attribute call of a method by
    that name whose receiver cannot be resolved (`self.manager.get_tools()`)."""
    callee = site.call.func
    if isinstance(callee, ast.Name):
        bindings = lookup(callee.id, site.scope)
        if any(b.kind == "function" and b.function is function for b in bindings):
            return True
    else:
        assert isinstance(callee, ast.Attribute)
        owner = class_of_self(callee.value, site.scope)
        if owner is not None and callee.attr in owner.methods:
            return owner.methods[callee.attr] is function
    resolved = _resolved(caller, site)
    if resolved is not None:
        return _same(caller, resolved, function)
    qualified = qualified_name(callee, site.scope)
    if qualified is not None:
        return _names_file_of(qualified, caller, function)
    return isinstance(callee, ast.Attribute) and function.class_info is not None


def _names_file_of(qualified: str, caller: PythonModule, function: FunctionInfo) -> bool:
    """An import the project could not resolve (a namespace package outside the roots) that
    names the function's own package or module: `openhands.sdk.skills.load_skills` for
    `.../openhands/sdk/skills/skill.py`."""
    project = caller.project
    home = project.module_of(function.scope) if project is not None else None
    parts = qualified.lstrip(".").split(".")[:-1]
    if home is None or not parts or qualified.startswith("."):
        return False
    where = os.path.splitext(os.path.abspath(home.path))[0].split(os.sep)
    return any(where[i : i + len(parts)] == parts for i in range(len(where)))


def _same(caller: PythonModule, found: FunctionInfo | None, function: FunctionInfo) -> bool:
    """The same function, also when the project parsed its file a second time (under another
    spelling of its path than the checked module's)."""
    if found is None or found is function:
        return found is function
    project = caller.project
    if project is None or found.name != function.name:
        return False
    places = [project.module_of(f.scope) for f in (found, function)]
    if places[0] is None or places[1] is None:
        return False
    return os.path.abspath(places[0].path) == os.path.abspath(places[1].path) and (
        found.node.lineno == function.node.lineno
    )


def _resolved(caller: PythonModule, site: CallSite) -> FunctionInfo | None:
    project = caller.project
    if project is None:
        return None
    found = project.callee(site.call.func, site.scope, by_name=False)
    return found.function if found is not None else None


class _Files:
    """The project's Python files, and which of them spell a name followed by `(`."""

    def __init__(self, roots: tuple[str, ...]) -> None:
        self.paths = _python_files(roots)
        self.by_name: dict[str, list[str]] = {}


# Per project, by the roots searched (the run's, and a module's package root).
_FILES: weakref.WeakKeyDictionary[Project, dict[tuple[str, ...], _Files]] = (
    weakref.WeakKeyDictionary()
)


def _files_calling(project: Project, path: str, name: str) -> list[str]:
    """The files under the run's roots and the package root of `path` that spell `name(`."""
    roots = (*project.roots, package_root(path))
    files = _FILES.get(project, {}).get(roots)
    if files is None:
        files = _FILES.setdefault(project, {})[roots] = _Files(roots)
    if name not in files.by_name:
        needle = f"{name}(".encode()
        found = []
        for path in files.paths:
            try:
                data = read_source(path)
            except (OSError, NotRead):
                continue
            if needle in data:
                found.append(path)
        files.by_name[name] = found
    return files.by_name[name]


def _python_files(roots: tuple[str, ...]) -> list[str]:
    """Every `.py` file under the outermost roots, in a fixed order; none past the cap."""
    found: list[str] = []
    folders_given = {os.path.abspath(root) for root in roots}
    outermost = [
        r for r in folders_given if not any(r.startswith(o + os.sep) for o in folders_given)
    ]
    for root in sorted(outermost):
        for folder, folders, names in os.walk(root):
            folders[:] = sorted(f for f in folders if f not in _SKIPPED_FOLDERS)
            for name in sorted(names):
                if name.endswith(".py"):
                    found.append(os.path.join(folder, name))
                    if len(found) > _MAX_FILES:
                        return []  # too big a tree to search: no evidence rather than a guess
    return found


# What a caller does with the result --------------------------------------------------------


def _site_sends(caller: PythonModule, site: CallSite, search: _Search, up: int) -> bool:
    scope = _function_scope(site.scope)
    return _body_sends(caller, scope, _Taint(site.call, set()), search, up, _MAX_DOWN)


def _body_sends(
    module: PythonModule, scope: Scope, tainted: _Taint, search: _Search, up: int, down: int
) -> bool:
    """Whether the function of `scope` (or the module's top level) sends the tainted value:
    itself, by returning it to a caller that does (`up` levels more), or by handing it to a
    function that does (`down` levels more)."""
    search.bodies += 1
    if search.bodies > _MAX_BODIES:
        return False
    body: ast.AST = scope.node if scope.node is not None else module.index.tree
    statements = [node for node in ast.walk(body) if isinstance(node, ast.stmt | ast.comprehension)]
    for _ in range(_PASSES):
        before = len(tainted.names)
        for node in statements:
            if tainted.spread(node):
                return True
        if len(tainted.names) == before:
            break
    if any(
        _inside(sink.expression, body) and tainted.touches(sink.expression) for sink in module.sinks
    ):
        return True
    if any(tainted.touches(value) for value in _prompt_part_values(module, scope, body)):
        return True
    function = scope.function
    if (
        up > 0
        and function is not None
        and not isinstance(function.node, ast.Lambda)
        and any(tainted.touches(value) for value in function.returns)
        and _sent(module, function, search, up - 1)
    ):
        return True
    return down > 0 and any(
        _handed_on(module, call, scope, tainted, search, down) for call in _calls_in(body)
    )


def _calls_in(body: ast.AST) -> list[ast.Call]:
    return [node for node in ast.walk(body) if isinstance(node, ast.Call)]


def _handed_on(
    module: PythonModule,
    call: ast.Call,
    scope: Scope,
    tainted: _Taint,
    search: _Search,
    down: int,
) -> bool:
    """`self._attach(agent, skills)`: the value handed to a function of the project, whose
    parameter then carries it (followed one call deeper)."""
    if call is tainted.call:
        return False
    handed = [i for i, a in enumerate(call.args) if tainted.touches(a)]
    named = [k.arg for k in call.keywords if k.arg is not None and tainted.touches(k.value)]
    if not handed and not named:
        return False
    found = _callee(module, call, scope)
    if found is None or id(found[1]) in search.busy or isinstance(found[1].node, ast.Lambda):
        return False
    owner, function, bound = found
    parameters = function.parameter_names[1:] if bound else function.parameter_names
    names = {parameters[i] for i in handed if i < len(parameters)} | {
        n for n in named if n in parameters
    }
    if not names:
        return False
    # What the callee returns is the caller's value again (`spread`): not followed up.
    return _body_sends(owner, function.scope, _Taint(None, names), search, 0, down - 1)


def _callee(
    module: PythonModule, call: ast.Call, scope: Scope
) -> tuple[PythonModule, FunctionInfo, bool] | None:
    """The project function a call refers to, its module, and whether it takes `self`."""
    function = call.func
    if isinstance(function, ast.Name):
        bindings = lookup(function.id, scope)
        if len(bindings) == 1 and bindings[0].kind == "function" and bindings[0].function:
            return module, bindings[0].function, False
    elif isinstance(function, ast.Attribute):
        owner = class_of_self(function.value, scope)
        if owner is not None and function.attr in owner.methods:
            return module, owner.methods[function.attr], True
    project = module.project
    if project is None:
        return None
    found = project.callee(function, scope, by_name=False)
    home = project.module_of(found.function.scope) if found is not None else None
    if found is None or home is None:
        return None
    return home, found.function, found.bound


class _Taint:
    """The call's value (or the parameters it was handed to) and the local names bound from
    it."""

    def __init__(self, call: ast.Call | None, names: set[str]) -> None:
        self.call = call
        self.names = names

    def touches(self, expression: ast.AST) -> bool:
        for node in ast.walk(expression):
            if node is self.call:
                return True
            if isinstance(node, ast.Name) and node.id in self.names:
                return True
        return False

    def spread(self, node: ast.AST) -> bool:
        """Taints the names `node` binds from a tainted value; True when it stores one in a
        `self` attribute named as a prompt part."""
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign) and self.touches(node.value):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
            targets = [node.target] if self.touches(node.value) else []
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            targets = [node.target] if self.touches(node.iter) else []
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            function = call.func
            if any(self.touches(a) for a in (*call.args, *call.keywords)):
                # `found.append(x)`, or a helper filling the collections it is handed
                # (`load_into(path, repo_skills)`): what they fill carries the value on.
                if isinstance(function, ast.Attribute) and function.attr in _FILLING_METHODS:
                    targets.append(function.value)
                arguments = (*call.args, *(k.value for k in call.keywords))
                targets.extend(a for a in arguments if isinstance(a, ast.Name))
        return any(self._bind(target) for target in targets)

    def _bind(self, target: ast.expr) -> bool:
        if isinstance(target, ast.Attribute):
            return isinstance(target.value, ast.Name) and _is_prompt_part(target.attr)
        while isinstance(target, ast.Subscript | ast.Starred):
            target = target.value
        if isinstance(target, ast.Name):
            self.names.add(target.id)
        elif isinstance(target, ast.Tuple | ast.List):
            return any(self._bind(element) for element in target.elts)
        return False


def _prompt_part_values(module: PythonModule, scope: Scope, body: ast.AST) -> list[ast.expr]:
    """The values passed as `tools=...` or stored as `{"system_prompt": ...}` in `body`. A
    keyword of a function of the project is no evidence by its name: the parameter is
    followed instead (`_handed_on`)."""
    found: list[ast.expr] = []
    for node in ast.walk(body):
        if isinstance(node, ast.Dict):
            found.extend(_values_under(node, _PROMPT_KEYS))
        if not isinstance(node, ast.Call):
            continue
        named = [k for k in node.keywords if k.arg is not None and _is_prompt_part(k.arg)]
        if named and _callee(module, node, scope) is None:
            found.extend(k.value for k in named)
        if not _SERVES.search(_callee_name(node.func) or ""):
            # `model_copy(update={"skills": ...})`: skills handed to an object, not served.
            for argument in (*node.args, *(k.value for k in node.keywords)):
                if isinstance(argument, ast.Dict):
                    found.extend(_values_under(argument, {"skills"}))
    return found


def _values_under(node: ast.Dict, keys: Collection[str]) -> list[ast.expr]:
    return [
        value
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant) and key.value in keys
    ]


def _is_prompt_part(name: str) -> bool:
    return name.strip("_") in _PROMPT_PARTS


def _function_scope(scope: Scope) -> Scope:
    current = scope
    while current.kind in ("comprehension", "lambda") and current.parent is not None:
        current = current.parent
    return current


def _inside(node: ast.AST, body: ast.AST) -> bool:
    start, end = getattr(body, "lineno", 0), getattr(body, "end_lineno", None)
    line = getattr(node, "lineno", 0)
    return end is None or start <= line <= end
