"""Name lookup through Python's scoping rules, and qualified names resolved through imports."""

from __future__ import annotations

import ast
from typing import Protocol, TypeVar

from ctxlint.python.index import Binding, FunctionInfo, Scope, class_of_self


class _MadeInScope(Protocol):
    scope: Scope


Entry = TypeVar("Entry", bound=_MadeInScope)


def lookup(name: str, scope: Scope) -> list[Binding]:
    """The bindings a use of `name` in `scope` may refer to (LEGB; class bodies are skipped
    from nested functions, as Python does)."""
    current: Scope | None = scope
    first = True
    while current is not None:
        if name in current.globals:
            current = _module_scope(current)
            first = False
            continue
        if (first or current.kind != "class") and name in current.bindings:
            return current.bindings[name]
        first = False
        current = current.parent
    return []


def own_function(function: ast.expr, scope: Scope) -> FunctionInfo | None:
    """The module's own function a call's callee expression runs: a plain name bound once to
    a `def` (`helper()`), or a method of the enclosing class called on `self`."""
    if isinstance(function, ast.Name):
        bindings = lookup(function.id, scope)
        if len(bindings) == 1 and bindings[0].kind == "function":
            return bindings[0].function
        return None
    return _method_on_self(function, scope)


def first_own_function(function: ast.expr, scope: Scope) -> FunctionInfo | None:
    """As `own_function`, but a name bound several times runs the first `def` among its
    bindings (a function defined again under a condition)."""
    if isinstance(function, ast.Name):
        for binding in lookup(function.id, scope):
            if binding.kind == "function" and binding.function is not None:
                return binding.function
        return None
    return _method_on_self(function, scope)


def _method_on_self(function: ast.expr, scope: Scope) -> FunctionInfo | None:
    if isinstance(function, ast.Attribute):
        owner = class_of_self(function.value, scope)
        if owner is not None:
            return owner.methods.get(function.attr)
    return None


def by_variable(entries: dict[str, list[Entry]]) -> dict[tuple[str, int], list[Entry]]:
    """Entries the index records under a name (`history.append(x)` under "history"), grouped
    by the variable the name refers to where each was made: under (name, id of the bindings
    `lookup` returns), so that two functions' locals of the same name fall apart, and finding
    one variable's entries costs what it has, not what every namesake in the module has."""
    grouped: dict[tuple[str, int], list[Entry]] = {}
    for name, found in entries.items():
        for entry in found:
            bindings = lookup(name, entry.scope)
            if bindings:
                grouped.setdefault((name, id(bindings)), []).append(entry)
    return grouped


def _module_scope(scope: Scope) -> Scope:
    while scope.parent is not None:
        scope = scope.parent
    return scope


def attribute_chain(expression: ast.expr) -> tuple[ast.expr, list[str]]:
    """Split `a.b.c` into the root `a` and the attribute names ["b", "c"]."""
    attributes: list[str] = []
    while isinstance(expression, ast.Attribute):
        attributes.append(expression.attr)
        expression = expression.value
    attributes.reverse()
    return expression, attributes


def qualified_name(expression: ast.expr, scope: Scope, depth: int = 0) -> str | None:
    """`datetime.now` for `dt.now` after `from datetime import datetime as dt`; None when the
    root is not an import (or a plain alias of one)."""
    root, attributes = attribute_chain(expression)
    if not isinstance(root, ast.Name) or depth > 4:
        return None
    bindings = lookup(root.id, scope)
    base: str | None = None
    if not bindings:
        base = root.id if root.id in _BUILTIN_NAMES else None
    for binding in bindings:
        if binding.kind == "import":
            base = binding.qualified_name
        elif binding.kind == "assign" and isinstance(binding.value, (ast.Name, ast.Attribute)):
            base = qualified_name(binding.value, binding.scope, depth + 1)
        else:
            base = None
        if base is None:
            return None
    if base is None:
        return None
    return ".".join([base, *attributes])


_BUILTIN_NAMES = frozenset(
    {
        "str",
        "repr",
        "format",
        "list",
        "tuple",
        "dict",
        "set",
        "frozenset",
        "sorted",
        "reversed",
        "zip",
        "enumerate",
        "map",
        "filter",
        "iter",
        "next",
        "len",
        "print",
        "open",
        "sum",
        "min",
        "max",
        "any",
        "all",
        "bool",
        "int",
        "float",
        "isinstance",
        "getattr",
        "vars",
        "id",
        "hash",
        "type",
    }
)
