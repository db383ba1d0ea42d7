"""Request dicts: an LLM call's keyword arguments gathered in a dict and spread with `**`.

Agents often build the request in steps, `request = {"model": m}`, `request["messages"] = msgs`,
`request.update(tools=tools)`, then send `client.chat.completions.create(**request)`. Each entry
whose key is one of the call's arguments is that argument: `request_entries` lists them with the
expression and scope of each value, so the sink finder can treat them as keyword arguments.
Anything it cannot follow (a dict from a call, a parameter) gives no entries: silence. A dict
handed in as a plain parameter (`def send(request): create(**request)`) is followed from its
callers instead, by the wrapper summaries (wrappers.py): only there is the dict known, and only
for a call that resolves to the function.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ctxlint.python.index import (
    Binding,
    ModuleIndex,
    Mutation,
    Scope,
)
from ctxlint.python.names import by_variable, lookup, own_function

# A dict built from a dict built from a dict...: deeper than this is not followed.
_MAX_DEPTH = 4
# Entries of one request dict; more than this is not a request.
_MAX_ENTRIES = 64


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    value: ast.expr
    scope: Scope


def request_entries(expression: ast.expr, scope: Scope, index: ModuleIndex) -> list[Entry]:
    """The constant-keyed entries a dict expression may hold when it is spread: from its
    literal, `dict(...)`, `{**base, ...}`, and for a local name also its item assignments and
    `.update()` calls."""
    entries: list[Entry] = []
    _collect(expression, scope, index, entries, depth=0)
    return entries[:_MAX_ENTRIES]


def _collect(
    expression: ast.expr, scope: Scope, index: ModuleIndex, entries: list[Entry], depth: int
) -> None:
    if depth > _MAX_DEPTH or len(entries) >= _MAX_ENTRIES:
        return
    if isinstance(expression, ast.Dict):
        for key, value in zip(expression.keys, expression.values, strict=True):
            if key is None:
                _collect(value, scope, index, entries, depth + 1)
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                entries.append(Entry(key.value, value, scope))
    elif isinstance(expression, ast.Call) and _is_builtin_dict(expression.func, scope):
        _collect_call_arguments(expression, scope, index, entries, depth)
    elif isinstance(expression, ast.Call):
        # `create(**self._build_request(msgs))`: what the module's own builder returns.
        builder = own_function(expression.func, scope)
        if builder is not None:
            for value in builder.returns:
                _collect(value, builder.scope, index, entries, depth + 1)
    elif isinstance(expression, ast.Name):
        bindings = lookup(expression.id, scope)
        for binding in bindings:
            if binding.kind == "assign" and isinstance(binding.value, ast.expr):
                if binding.target_path:
                    continue
                _collect(binding.value, binding.scope, index, entries, depth + 1)
        if bindings and all(b.kind == "assign" for b in bindings):
            _collect_changes(expression.id, bindings, index, entries, depth)


def _collect_changes(
    name: str, bindings: list[Binding], index: ModuleIndex, entries: list[Entry], depth: int
) -> None:
    """`request["messages"] = msgs` and `request.update(...)` on the same variable."""
    for mutation in index.derived(_mutations_by_variable).get((name, id(bindings)), ()):
        node = mutation.node
        if mutation.kind == "setitem":
            key = mutation.index
            value = index.derived(_subscript_assignments).get(id(node))
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and value is not None:
                entries.append(Entry(key.value, value, mutation.scope))
        elif mutation.kind == "update" and isinstance(node, ast.Call):
            _collect_call_arguments(node, mutation.scope, index, entries, depth)


def _mutations_by_variable(index: ModuleIndex) -> dict[tuple[str, int], list[Mutation]]:
    return by_variable(index.mutations)


def _subscript_assignments(index: ModuleIndex) -> dict[int, ast.expr]:
    """The value assigned to each `x["key"] = value` target (the index records the target)."""
    assigned: dict[int, ast.expr] = {}
    for node in ast.walk(index.tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                    assigned[id(target)] = node.value
    return assigned


def _collect_call_arguments(
    call: ast.Call, scope: Scope, index: ModuleIndex, entries: list[Entry], depth: int
) -> None:
    """`dict(base, model=m)` and `request.update({"system": s}, tools=t)`."""
    for argument in call.args[:1]:
        _collect(argument, scope, index, entries, depth + 1)
    for keyword in call.keywords:
        if keyword.arg is None:
            _collect(keyword.value, scope, index, entries, depth + 1)
        else:
            entries.append(Entry(keyword.arg, keyword.value, scope))


def _is_builtin_dict(function: ast.expr, scope: Scope) -> bool:
    return isinstance(function, ast.Name) and function.id == "dict" and not lookup("dict", scope)


def spread_parameter(expression: ast.expr, scope: Scope) -> str | None:
    """The name of the enclosing function's `**kwargs` parameter when `expression` is it: a
    call spreading it forwards whatever keywords the function was called with."""
    if not isinstance(expression, ast.Name):
        return None
    bindings = lookup(expression.id, scope)
    if len(bindings) != 1 or bindings[0].kind != "other":
        return None
    function = bindings[0].scope.function
    if function is None or isinstance(function.node, ast.Lambda):
        return None
    kwarg = function.node.args.kwarg
    return expression.id if kwarg is not None and kwarg.arg == expression.id else None


def spread_plain_parameter(expression: ast.expr, scope: Scope) -> str | None:
    """The name of the enclosing function's plain parameter when `expression` is it
    (`def send(request): create(**request)`), rebound nowhere in the function."""
    if not isinstance(expression, ast.Name):
        return None
    bindings = lookup(expression.id, scope)
    if len(bindings) != 1 or bindings[0].kind != "param":
        return None
    function = bindings[0].function
    if function is None or isinstance(function.node, ast.Lambda):
        return None
    return expression.id
