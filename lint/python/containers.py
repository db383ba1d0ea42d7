"""The lists an LLM call's argument is built from (a history, a tool list), whether they outlive
one call, and every way they change other than by appending.

`messages=self.history`, `messages=[system, *history]` and `tools=list(self.tools)` all send a
container that lives on between calls; what matters for the cache is how that container
changes between one call and the next: in place (`pop(0)`, `del xs[i]`, `xs[i]["content"] = v`),
through a loop variable over it (`for m in xs: m["content"] = v`), or by rebinding it to a cut
or filtered copy (`xs = xs[-20:]`, `xs = [m for m in xs if ...]`).

Here: what an argument is made of (`containers_of`) and how long each list lives
(`name_lifetime`). The records are in `container_types`, the changes in `container_changes`
(`changes_of`), the changes that drop failures in `dropped_failures`; all are importable from
here.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from types import ModuleType

from ctxlint.python.container_changes import (
    changes_of,
    condition_varies,
    direct_changes,
    filter_change,
    free_names,
    same_container,
    source_of_copy,
    variable_key,
)
from ctxlint.python.container_types import Change, Container, Lifetime
from ctxlint.python.dropped_failures import (
    dropped_failure,
    is_length_of,
    is_negative_constant,
    mentions_failure,
)
from ctxlint.python.index import Binding, ModuleIndex, Scope, class_of_self
from ctxlint.python.names import lookup, qualified_name
from ctxlint.python.order import live_bindings

# The changes, the types and the failure tests moved to their own modules; other modules
# import them from here.
__all__ = [
    "Change",
    "Container",
    "Lifetime",
    "changes_of",
    "condition_varies",
    "containers_of",
    "copied_from",
    "direct_changes",
    "dropped_failure",
    "filter_change",
    "free_names",
    "is_length_of",
    "is_negative_constant",
    "mentions_failure",
    "name_lifetime",
    "same_container",
    "variable_key",
    "within_lines",
]

_COPYING_FUNCTIONS = frozenset({"list", "tuple", "copy.copy", "copy.deepcopy"})


def _handed() -> ModuleType:
    # What the module's own functions do to a list handed to them; handed.py builds on these
    # modules' types, so it is imported on first use.
    from ctxlint.python import handed

    return handed


def containers_of(
    argument: ast.expr, scope: Scope, index: ModuleIndex, loop: ast.stmt | None
) -> tuple[list[Container], list[Change]]:
    """The containers an argument is made of, and the filters applied to them on the way (a
    comprehension with conditions over a container, in the argument or a local it is built
    in)."""
    containers: list[Container] = []
    filters: list[Change] = []
    pending: list[tuple[ast.expr, Scope, int]] = [(argument, scope, 0)]
    seen: set[int] = set()
    while pending:
        node, node_scope, depth = pending.pop()
        if id(node) in seen or depth > 4:
            continue
        seen.add(id(node))
        if isinstance(node, ast.Name):
            bindings = lookup(node.id, node_scope)
            if not bindings:
                continue
            containers.append(Container(node, node_scope, name_lifetime(bindings, index, loop)))
            for binding in live_bindings(node, node_scope, bindings, index):
                if binding.kind != "assign" or binding.value is None:
                    continue
                if not binding.target_path:
                    pending.append((binding.value, binding.scope, depth + 1))  # type: ignore[arg-type]
                elif isinstance(binding.value, ast.Call):
                    # `hist, budget = self._prepare(message)`: what the method returns there.
                    for value, value_scope in _returned_at(
                        binding.value, binding.scope, binding.target_path
                    ):
                        pending.append((value, value_scope, depth + 1))
        elif isinstance(node, ast.Attribute):
            if class_of_self(node.value, node_scope) is not None:
                containers.append(Container(node, node_scope, "attribute"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            pending.append((node.left, node_scope, depth))
            pending.append((node.right, node_scope, depth))
        elif isinstance(node, (ast.List, ast.Tuple)):
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    pending.append((element.value, node_scope, depth))
        elif isinstance(node, ast.Call):
            copied = copied_from(node, node_scope)
            if copied is not None:
                pending.append((copied, node_scope, depth))
            else:
                for passed in _handed().passed_through(node, node_scope):
                    pending.append((passed, node_scope, depth + 1))
                filters.extend(_handed().rewritten_when_sent(node, node_scope, index, loop))
        elif isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            iterable = node.generators[0].iter
            pending.append((iterable, node_scope, depth))
            change = filter_change(node, node_scope, iterable)
            if change is not None and isinstance(iterable, (ast.Name, ast.Attribute)):
                container = Container(iterable, node_scope, None)
                filters.append(replace(change, container=container, how="filter"))
    return containers, filters


def _returned_at(
    call: ast.Call, scope: Scope, path: tuple[int, ...]
) -> list[tuple[ast.expr, Scope]]:
    """For `a, b = f(...)` with f a function or method of this module: the parts of f's
    returned tuples that `b` takes."""
    function = call.func
    info = None
    if isinstance(function, ast.Name):
        info = next((b.function for b in lookup(function.id, scope) if b.kind == "function"), None)
    elif isinstance(function, ast.Attribute):
        owner = class_of_self(function.value, scope)
        info = owner.methods.get(function.attr) if owner is not None else None
    if info is None:
        return []
    found = []
    for value in info.returns:
        for position in path:
            if isinstance(value, ast.Tuple) and position < len(value.elts):
                value = value.elts[position]
            else:
                break
        else:
            found.append((value, info.scope))
    return found


def copied_from(call: ast.Call, scope: Scope) -> ast.expr | None:
    """`list(xs)`, `xs.copy()`, `copy.deepcopy(xs)`: the list copied."""
    function = call.func
    if isinstance(function, ast.Attribute) and function.attr == "copy" and not call.args:
        return function.value
    if call.args and qualified_name(function, scope) in _COPYING_FUNCTIONS:
        return call.args[0]
    return None


def name_lifetime(
    bindings: list[Binding], index: ModuleIndex, loop: ast.stmt | None
) -> Lifetime | None:
    # A function's parameters are bound before anything in its body: first in the list, so
    # that a name bound a thousand times is not gone through for each call that sends it.
    if bindings[0].kind == "param":
        return "parameter"
    scope = bindings[0].scope
    if scope.kind == "module":
        return "global"
    if loop is None or scope.node is None or not within_lines(loop, scope.node):
        return None  # a local of another function than the loop's: made anew by each call
    # A local the calls of one loop share: made before the loop, not inside it.
    for binding in bindings:
        value = binding.value
        inside = binding.kind == "assign" and value is not None and within_lines(value, loop)
        if (
            inside
            and not _cuts_itself(value, binding.name)  # type: ignore[arg-type]
            and not _handed().rewritten_by_helper(value, binding, index)  # type: ignore[arg-type]
        ):
            return None
    return "loop"


def within_lines(node: ast.AST, outer: ast.AST) -> bool:
    """Whether the node starts on one of the outer statement's lines."""
    return (
        outer.lineno <= node.lineno <= outer.end_lineno  # type: ignore[attr-defined,operator]
    )


def _cuts_itself(value: ast.AST, name: str) -> bool:
    """`xs = xs[-20:]` and `xs = [m for m in xs if ...]` rebind a list to a copy of itself."""
    source = source_of_copy(value)
    return isinstance(source, ast.Name) and source.id == name
