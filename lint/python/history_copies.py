"""Lists made for each call from a history kept on the object (`messages = [system,
*self.history, user]`, or a method of the class returning a list extended by
`self.chat_history`), then cut down to a budget before the loop that sends them.

A change made before that loop is made once per call, which for a list built for one run is
harmless (CTX006 leaves it alone). Here the list is rebuilt from a history that grows between
calls, so the cut moves its start from one turn to the next: each request differs from the
previous one from the cut on, and nothing after the system prompt keeps its cache. Only cuts
that depend on the list's size count: under a budget test (`if tokens(messages) > LIMIT`), a
window counted from the end, or the whole list replaced by what a budget or compaction call
made of it (`messages[:] = fit_to_budget(messages)`). A fixed edit of such a copy (a system
message put in front, a cache marker set) is the same on every call.
"""

from __future__ import annotations

import ast
import re

from ctxlint.python.container_types import Container
from ctxlint.python.edits import counts_from_end, size_driven
from ctxlint.python.index import ModuleIndex, Mutation, Scope, class_of_self
from ctxlint.python.names import first_own_function, lookup
from ctxlint.python.sink_names import HISTORY_NAME

# Calls whose result is the list cut to fit: `_compute_context_budget(...)`, `compact(...)`.
_CUTTING_CALL = re.compile(r"(?i)budget|compact|trim|truncat|window|fit|prune|shrink|condense")
_CUTTING_KINDS = frozenset({"setslice", "delslice", "delitem", "pop", "remove", "popleft"})
# Helpers followed from the list to where it is built.
_MAX_DEPTH = 2


def cut_to_size(mutation: Mutation) -> bool:
    """A change that removes or replaces messages by how long the list has grown."""
    if mutation.kind not in _CUTTING_KINDS:
        return False
    if size_driven(mutation):
        return True
    index = mutation.index
    if mutation.kind == "delslice" and isinstance(index, ast.Slice):
        return counts_from_end(index.upper)  # del xs[:-20], del xs[1:-20]
    if mutation.kind != "setslice":
        return False
    value = _assigned_value(mutation)
    return value is not None and _cut_value(value, mutation.scope)


def _assigned_value(mutation: Mutation) -> ast.expr | None:
    """What `xs[:] = value` assigns: the index keeps the target, so the statement is looked
    for in the function around it."""
    node = mutation.node
    if isinstance(node, ast.Assign):
        return node.value
    scope: Scope | None = mutation.scope
    while scope is not None and scope.function is None:
        scope = scope.parent
    if scope is None or scope.function is None:
        return None
    for statement in ast.walk(scope.function.node):
        if isinstance(statement, ast.Assign) and any(t is node for t in statement.targets):
            return statement.value
    return None


def _cut_value(value: ast.expr, scope: Scope) -> bool:
    """`fit_to_budget(messages)`, `xs[-20:]`, or a name bound from such a call (also as one
    part of a tuple: `route, kept = self._budget(messages)`)."""
    if isinstance(value, ast.Await):
        value = value.value
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
        return counts_from_end(value.slice.lower)
    if isinstance(value, ast.Call):
        function = value.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        return bool(_CUTTING_CALL.search(name))
    if isinstance(value, ast.Name):
        bindings = lookup(value.id, scope)
        return bool(bindings) and all(
            binding.kind == "assign"
            and isinstance(binding.value, ast.expr)
            and not isinstance(binding.value, ast.Name)
            and _cut_value(binding.value, binding.scope)
            for binding in bindings
        )
    return False


def per_call_copy_of_history(container: Container, index: ModuleIndex) -> bool:
    """Whether the local list is built, in one of its assignments, from a history kept on the
    object: spread or concatenated into it, copied, or so built by a method of the module it
    is assigned from."""
    expression = container.expression
    if not isinstance(expression, ast.Name):
        return False
    return any(
        binding.kind == "assign"
        and isinstance(binding.value, ast.expr)
        and _built_from_history(binding.value, binding.scope, binding.target_path, 0)
        for binding in lookup(expression.id, container.scope)
    )


def _built_from_history(value: ast.expr, scope: Scope, path: tuple[int, ...], depth: int) -> bool:
    if isinstance(value, ast.Await):
        value = value.value
    if path:
        if isinstance(value, ast.Tuple) and path[0] < len(value.elts):
            return _built_from_history(value.elts[path[0]], scope, path[1:], depth)
        if not isinstance(value, ast.Call):
            return False
    if _is_kept_history(value, scope):
        return True
    if isinstance(value, ast.List):
        return any(
            isinstance(item, ast.Starred) and _is_kept_history(item.value, scope)
            for item in value.elts
        )
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return _is_kept_history(value.left, scope) or _is_kept_history(value.right, scope)
    if isinstance(value, ast.Call):
        copied = value.args[0] if value.args and getattr(value.func, "id", "") == "list" else None
        if copied is not None:
            return _is_kept_history(copied, scope)
        return depth < _MAX_DEPTH and _helper_builds_from_history(value, scope, path, depth)
    return False


def _helper_builds_from_history(
    call: ast.Call, scope: Scope, path: tuple[int, ...], depth: int
) -> bool:
    """A function of the module that returns a list it built from a kept history: assigned
    so, or filled with `.extend(self.history)` / `+= self.history`."""
    function = first_own_function(call.func, scope)
    if function is None or isinstance(function.node, ast.Lambda):
        return False
    for returned in function.returns:
        part: ast.expr | None = returned
        for position in path:
            if isinstance(part, ast.Tuple) and position < len(part.elts):
                part = part.elts[position]
            else:
                part = None
                break
        if part is None:
            continue
        if _built_from_history(part, function.scope, (), depth + 1):
            return True
        if isinstance(part, ast.Name) and _filled_from_history(
            part.id, function.node, function.scope
        ):
            return True
    return False


def _filled_from_history(
    name: str, function: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope
) -> bool:
    """`name.extend(self.history)` or `name += self.history` in the function."""
    for node in ast.walk(function):
        added: ast.expr | None = None
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "extend"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
            and node.args
        ):
            added = node.args[0]
        elif (
            isinstance(node, ast.AugAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            added = node.value
        if added is not None and _is_kept_history(added, scope):
            return True
    return False


def _is_kept_history(node: ast.expr, scope: Scope) -> bool:
    """`self.chat_history`: a history kept on the object, named as one."""
    return (
        isinstance(node, ast.Attribute)
        and _names_history(node)
        and class_of_self(node.value, scope) is not None
    )


def _names_history(node: ast.Attribute) -> bool:
    return bool(HISTORY_NAME.search(node.attr.lower())) and isinstance(node.value, ast.Name)
