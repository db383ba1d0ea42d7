"""JSON in a history that is serialised again from stored objects for every request.

Text appended to the history once is sent the same way on every later request. A history
kept as objects and rendered into messages for each request (`messages = [render(m) for m in
self.store]`, or a loop appending to a fresh list) serialises every stored object again:
a dict whose keys come back in another order (reloaded, merged, rebuilt from a database or
another SDK version) renders to other text, and the cached history ends at that message.

This finds the serialisation calls made on each stored item while the history is rebuilt:
in the element of a comprehension over a stored collection, or in what a loop over one
appends to a list made fresh in the same function, directly or in a function of the module
(`render(m)`, `self._render(m)`) given the item. A comprehension or loop that adds its
messages to a kept history (`history.extend(...)`, `self.messages.append(...)`) serialises
each once and is not reported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ctxlint.python.flow import Reached
from ctxlint.python.index import FunctionInfo, ModuleIndex, Scope, class_of_self
from ctxlint.python.names import first_own_function, lookup, qualified_name

_SERIALISERS = frozenset({"json.dumps", "simplejson.dumps", "orjson.dumps"})
_MAX_DEPTH = 2
_Loop = ast.For | ast.AsyncFor | ast.ListComp | ast.GeneratorExp


def rerendered_serialisations(
    reached: list[Reached], index: ModuleIndex
) -> Iterator[tuple[ast.Call, Scope, ast.expr]]:
    """The serialisation calls (with their scope) run on each stored item when a history is
    rebuilt, and the stored collection iterated, among values reached from a history."""
    owners = index.derived(_iteration_owners)
    for item in reached:
        if item.trail.iterated is not item.node:
            continue
        loop = owners.get(id(item.node))
        if loop is None or not _is_stored(item.node, item.scope, 0):
            continue
        scope = item.scope
        if isinstance(loop, (ast.ListComp, ast.GeneratorExp)):
            if id(loop) in index.derived(_kept_values):
                continue
            items = _target_names(loop.generators[0].target)
            inner = index.function_scope(loop) or scope
            for call, call_scope in _serialisations(loop.elt, items, inner, index, 0):
                yield call, call_scope, item.node
        else:
            items = _target_names(loop.target)
            for value in _appended_to_fresh_lists(loop, scope):
                for call, call_scope in _serialisations(value, items, scope, index, 0):
                    yield call, call_scope, item.node


def _iteration_owners(index: ModuleIndex) -> dict[int, _Loop]:
    """Each loop's and comprehension's iterated expression (by id) → the loop."""
    owners: dict[int, _Loop] = {}
    for loop in index.loop_parents:
        if isinstance(loop, (ast.For, ast.AsyncFor)):
            owners[id(loop.iter)] = loop
    for node in index.scope_of_function:
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            owners[id(node.generators[0].iter)] = node
    return owners


# Parameter names that say the list holds a conversation kept between requests.
_HISTORY_WORDS = ("history", "messages", "conversation", "turns", "events", "store", "memory")


def _is_stored(iterated: ast.expr, scope: Scope, depth: int) -> bool:
    """Whether the iterated collection outlives the request: kept on `self` (or given by a
    method of it), or a parameter named for a history."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(iterated, ast.Call):
        if isinstance(iterated.func, ast.Name) and iterated.func.id in ("list", "reversed"):
            return bool(iterated.args) and _is_stored(iterated.args[0], scope, depth + 1)
        iterated = iterated.func
    if isinstance(iterated, ast.Subscript):
        iterated = iterated.value
    root = iterated
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return False
    if root is not iterated and class_of_self(root, scope) is not None:
        return True
    if root is iterated:
        bindings = lookup(root.id, scope)
        for binding in bindings:
            if binding.kind == "param":
                return any(word in root.id.lower() for word in _HISTORY_WORDS)
            if (
                binding.kind == "assign"
                and isinstance(binding.value, ast.expr)
                and len(bindings) == 1
            ):
                return _is_stored(binding.value, binding.scope, depth + 1)
    return False


def _kept_values(index: ModuleIndex) -> set[int]:
    """Comprehensions added to a kept container (`history.extend([...])`), directly or
    through a name: their messages are serialised once, when they are added."""
    kept: set[int] = set()
    names: set[str] = set()
    for writes in index.container_writes.values():
        for write in writes:
            kept.add(id(write.value))
            if isinstance(write.value, ast.Name):
                names.add(write.value.id)
    for name in names:
        for scope in index.scopes:
            for binding in scope.bindings.get(name, ()):
                if binding.value is not None:
                    kept.add(id(binding.value))
    return kept


def _appended_to_fresh_lists(loop: ast.For | ast.AsyncFor, scope: Scope) -> Iterator[ast.expr]:
    """What the loop appends to a list the function makes afresh (`messages = []`)."""
    for node in ast.walk(loop):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "extend")
            and node.args
            and isinstance(node.func.value, ast.Name)
        ):
            continue
        bindings = lookup(node.func.value.id, scope)
        if bindings and all(
            b.scope is scope and b.kind == "assign" and isinstance(b.value, ast.List)
            for b in bindings
        ):
            yield node.args[0]


def _serialisations(
    value: ast.expr, items: set[str], scope: Scope, index: ModuleIndex, depth: int
) -> Iterator[tuple[ast.Call, Scope]]:
    """Serialisation calls on a stored item (a name in `items`) made in `value`, or in a
    function of the module that `value` calls with the item."""
    for node in ast.walk(value):
        if not isinstance(node, ast.Call):
            continue
        if qualified_name(node.func, scope) in _SERIALISERS:
            if node.args and _reads(node.args[0], items):
                yield node, scope
            continue
        if depth >= _MAX_DEPTH:
            continue
        function = first_own_function(node.func, scope)
        if function is None or isinstance(function.node, ast.Lambda):
            continue
        parameters = _parameters_given(node, function, items)
        if parameters:
            for statement in function.node.body:
                yield from _serialisations(statement, parameters, function.scope, index, depth + 1)  # type: ignore[arg-type]


def _parameters_given(call: ast.Call, function: FunctionInfo, items: set[str]) -> set[str]:
    """The function's parameters that the call passes an item (or part of one) to."""
    names = list(function.parameter_names)
    if function.class_info is not None and isinstance(call.func, ast.Attribute) and names:
        names = names[1:]
    given = set()
    for position, argument in enumerate(call.args):
        if position < len(names) and _reads(argument, items):
            given.add(names[position])
    for keyword in call.keywords:
        if keyword.arg in function.parameter_names and _reads(keyword.value, items):
            given.add(keyword.arg)
    return given


def _reads(value: ast.AST, names: set[str]) -> bool:
    return any(isinstance(node, ast.Name) and node.id in names for node in ast.walk(value))


def _target_names(target: ast.expr) -> set[str]:
    return {node.id for node in ast.walk(target) if isinstance(node, ast.Name)}
