"""Branches a call cannot take: code under `if param is None:` in a function called, on the way
to the request, with a value for that parameter that is never None (`persona_dir=path` with
`path: Path`, a literal, an f-string). A legacy or test fallback kept for callers that leave the
argument out is not what the request runs.

The call judged is the one the flow went through (`Reached.frames`), so another caller passing
None is another path, walked and judged on its own. A walk shared between sinks does not carry
its callers' frames; then every call of the function in the project (callers.every_caller)
outside test files must give the value, and at least one must exist. A parameter bound again
in its function, an argument whose value is unknown (a call, an attribute) or may be None
(`x: Path | None`, a parameter defaulting to None) keeps the branch reachable.
"""

from __future__ import annotations

import ast
import os
from typing import TYPE_CHECKING

from ctxlint.python.callers import every_caller
from ctxlint.python.flow import Reached
from ctxlint.python.index import Binding, FunctionInfo, Scope
from ctxlint.python.names import lookup

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule

# Statements looked through for the branch holding a value: a bound on one function's walk.
_MAX_NODES = 20000
# Annotations that let a value be None or anything.
_MAY_BE_NONE = frozenset({"None", "Optional", "Any", "object"})
# Literals and displays: values that are never None.
_NEVER_NONE = (
    ast.JoinedStr,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Set,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.Lambda,
)


def in_branch_not_taken(reached: Reached, module: PythonModule) -> bool:
    """Whether the value sits under `if p is None:` (or the `else` of `if p is not None:`)
    in a function whose call on this path, or every caller outside tests when the walk
    does not say which call it came through, gives `p` a value that is not None."""
    function = _function_of(reached.scope)
    if function is None:
        return False
    owner = module.module_of(function.scope)
    if owner is None:
        return False
    # Found once per function: asked for every value the walk reaches in it.
    branches = owner.fact_about(_none_tested_branches, function)
    tested = [name for name, branch in branches if any(_holds(s, reached.node) for s in branch)]
    if not tested:
        return False
    frame = next((f for f in reversed(reached.frames) if f.function is function), None)
    if frame is not None:
        return any(
            _given(name, function, frame.call, frame.caller_scope, frame.bound) for name in tested
        )
    always = owner.fact_about(_always_given, function)
    return any(name in always for name in tested)


def _always_given(module: PythonModule, function: FunctionInfo) -> frozenset[str]:
    """The parameters every call of the function outside tests gives a value that is never
    None; nothing when no such call is found or the search is not complete."""
    callers = every_caller(module, function)
    if not callers:
        return frozenset()
    names = set(function.parameter_names)
    found_one = False
    for caller, site in callers:
        if _is_test_path(caller.path):
            continue  # a test calls the fallback on purpose; the application does not
        found_one = True
        bound = function.class_info is not None and isinstance(site.call.func, ast.Attribute)
        names = {n for n in names if _given(n, function, site.call, site.scope, bound)}
        if not names:
            break
    return frozenset(names) if found_one else frozenset()


def _given(name: str, function: FunctionInfo, call: ast.Call, scope: Scope, bound: bool) -> bool:
    argument = _argument_for(name, function, call, bound)
    return argument is not None and _never_none(argument, scope)


def _function_of(scope: Scope) -> FunctionInfo | None:
    current: Scope | None = scope
    for _ in range(64):
        if current is None:
            return None
        if current.function is not None:
            node = current.function.node
            return None if isinstance(node, ast.Lambda) else current.function
        current = current.parent
    return None


def _is_test_path(path: str) -> bool:
    parts = os.path.normpath(path).split(os.sep)
    name = parts[-1]
    in_tests = any(part in ("tests", "test") for part in parts[:-1])
    return in_tests or name.startswith("test_") or name.endswith("_test.py")


def _none_tested_branches(
    module: PythonModule, function: FunctionInfo
) -> list[tuple[str, list[ast.stmt]]]:
    """The branches of the function taken only when a parameter is None (`if p is None:`
    bodies, `if p is not None:` else-branches), with the parameter; none bound again."""
    found: list[tuple[str, list[ast.stmt]]] = []
    seen = 0
    pending: list[ast.AST] = list(function.node.body)  # type: ignore[union-attr]
    while pending and seen < _MAX_NODES:
        current = pending.pop()
        seen += 1
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(current, ast.If):
            tested = _tested_for_none(current.test)
            if tested is not None:
                name, is_none = tested
                bindings = lookup(name, function.scope)
                if bindings and all(binding.kind == "param" for binding in bindings):
                    found.append((name, current.body if is_none else current.orelse))
        pending.extend(ast.iter_child_nodes(current))
    return found


def _tested_for_none(test: ast.expr) -> tuple[str, bool] | None:
    """`p is None` gives (p, True), `p is not None` (p, False)."""
    if not (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and len(test.ops) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        return None
    if isinstance(test.ops[0], ast.Is):
        return test.left.id, True
    if isinstance(test.ops[0], ast.IsNot):
        return test.left.id, False
    return None


def _holds(statement: ast.stmt, node: ast.AST) -> bool:
    start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    if start is None or end is None or statement.end_lineno is None:
        return False
    if not statement.lineno <= start <= end <= statement.end_lineno:
        return False
    return any(inner is node for inner in ast.walk(statement))


def _argument_for(
    parameter: str, function: FunctionInfo, call: ast.Call, bound: bool
) -> ast.expr | None:
    """What the call passes for the parameter, by keyword or by position; None when it passes
    nothing there (the default applies) or spreads `*args`/`**kwargs`."""
    for keyword in call.keywords:
        if keyword.arg == parameter:
            return keyword.value
        if keyword.arg is None:
            return None
    arguments = function.node.args
    positional = [a.arg for a in (*arguments.posonlyargs, *arguments.args)]
    if bound and positional:
        positional = positional[1:]
    if parameter not in positional:
        return None
    position = positional.index(parameter)
    if any(isinstance(argument, ast.Starred) for argument in call.args[: position + 1]):
        return None
    return call.args[position] if position < len(call.args) else None


def _never_none(argument: ast.expr, scope: Scope) -> bool:
    if isinstance(argument, ast.Constant):
        return argument.value is not None
    if isinstance(argument, _NEVER_NONE):
        return True
    if not isinstance(argument, ast.Name):
        return False
    bindings = lookup(argument.id, scope)
    return bool(bindings) and all(
        binding.kind == "param" and _typed_not_none(binding, argument.id) for binding in bindings
    )


def _typed_not_none(binding: Binding, name: str) -> bool:
    """An annotation that names no None, Optional or Any, on a parameter not defaulting to
    None (`path: Path = None` is Optional all the same)."""
    annotation = binding.annotation
    if annotation is None:
        return False
    for node in ast.walk(annotation):
        if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str)):
            return False  # `None`, or a string annotation not read here
        name_text = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
        if name_text in _MAY_BE_NONE:
            return False
    function = binding.scope.function
    if function is None or isinstance(function.node, ast.Lambda):
        return False
    node = function.node
    return not any(
        parameter.arg == name and isinstance(default, ast.Constant) and default.value is None
        for parameter, default in _with_defaults(node.args)
    )


def _with_defaults(arguments: ast.arguments) -> list[tuple[ast.arg, ast.expr | None]]:
    positional = [*arguments.posonlyargs, *arguments.args]
    padding: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    pairs = list(zip(positional, [*padding, *arguments.defaults], strict=True))
    pairs.extend(zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True))
    return pairs
