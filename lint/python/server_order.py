"""How the servers a tool list is gathered from are ordered, when that order is not fixed: a
set, the completion order of concurrent requests, or a dict of live connections kept on the
object or the module and filled as servers connect (listings.py reports the tool lists)."""

from __future__ import annotations

import ast
import re

from ctxlint.python.index import (
    ContainerWrite,
    FunctionInfo,
    ModuleIndex,
    Mutation,
    Scope,
    class_of_self,
)
from ctxlint.python.names import by_variable, lookup, qualified_name

_MAX_DEPTH = 6
_SET_FUNCTIONS = frozenset({"set", "frozenset"})
_COMPLETION_ORDER = frozenset({"asyncio.as_completed"})
_DICT_VIEWS = frozenset({"items", "values", "keys"})
# Names of what a live registry keeps: connections to servers.
_CONNECTION_NAME = re.compile(r"session|client|server|connection|transport")


def function_of(scope: Scope) -> FunctionInfo | None:
    current: Scope | None = scope
    while current is not None and current.kind == "comprehension":
        current = current.parent
    if current is None or current.function is None:
        return None
    return None if isinstance(current.function.node, ast.Lambda) else current.function


def unstable_order(
    iterable: ast.expr, scope: Scope, index: ModuleIndex, depth: int, awaited: bool
) -> str | None:
    """How the iterated servers are ordered when that order is not fixed; None otherwise.
    `awaited`: whether each server's listing is a request awaited as the tools are added up."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(iterable, ast.Await):
        return unstable_order(iterable.value, scope, index, depth + 1, awaited)
    if isinstance(iterable, (ast.ListComp, ast.GeneratorExp)):
        return unstable_order(iterable.generators[0].iter, scope, index, depth + 1, awaited)
    if isinstance(iterable, ast.Starred):
        return unstable_order(iterable.value, scope, index, depth + 1, awaited)
    if isinstance(iterable, (ast.Set, ast.SetComp)):
        return "a set"
    if isinstance(iterable, ast.Call):
        qualified = qualified_name(iterable.func, scope)
        if qualified in _SET_FUNCTIONS:
            return "a set"
        if qualified in _COMPLETION_ORDER:
            return "the order the requests complete in"
        if qualified in ("list", "tuple", "enumerate", "asyncio.gather") and iterable.args:
            # gather answers in the order of its arguments.
            return unstable_order(iterable.args[0], scope, index, depth + 1, awaited)
        function = iterable.func
        if (
            isinstance(function, ast.Attribute)
            and function.attr in _DICT_VIEWS
            and not iterable.args
            and _is_live_registry(function.value, scope, index, awaited)
        ):
            return "a dict of connections filled as servers connect"
        return None
    if isinstance(iterable, ast.Attribute) and _is_live_registry(iterable, scope, index, awaited):
        return "a dict of connections filled as servers connect"
    if isinstance(iterable, ast.Name):
        bindings = lookup(iterable.id, scope)
        if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].value is not None:
            return unstable_order(bindings[0].value, bindings[0].scope, index, depth + 1, awaited)
    return None


def _is_live_registry(holder: ast.expr, scope: Scope, index: ModuleIndex, awaited: bool) -> bool:
    """Whether `holder` is a dict kept on `self` (or a module global) that the code fills by
    key as it runs (`self.sessions[name] = session`), rather than a literal or a loaded config.

    Its values are connections when each one's listing is a request (`awaited`), or when
    they are stored by an async function or a `connect` method, or are named as connections
    (a session, a client, a server); a registry of local objects (plugins, tool categories)
    filled by synchronous registration is filled in the order of the code that registers
    them, the same in every run."""
    if isinstance(holder, ast.Attribute):
        owner = class_of_self(holder.value, scope)
        if owner is None:
            return False
        mutations = owner.attribute_mutations.get(holder.attr, ())
        assigned = owner.attributes.get(holder.attr, ())
        writes = owner.attribute_writes.get(holder.attr, ())
        filled = [m for m in mutations if m.kind == "setitem"]
        stored = [write.value for write in writes]
        return (
            bool(filled)
            and (awaited or _filled_with_connections(filled, stored))
            and all(_is_empty_dict(value) for value, _ in assigned)
            and not any(_is_configuration(write) for write in writes)
        )
    if isinstance(holder, ast.Name):
        bindings = lookup(holder.id, scope)
        if not bindings or bindings[0].scope.kind != "module":
            return False
        mutations = by_variable(index.mutations).get((holder.id, id(bindings)), ())
        filled = [m for m in mutations if m.kind == "setitem" and m.scope.kind == "function"]
        stored = [m.node.value for m in filled if isinstance(m.node, ast.Assign)]
        return (
            bool(filled)
            and (awaited or _filled_with_connections(filled, stored))
            and all(b.kind == "assign" and _is_empty_dict(b.value) for b in bindings)
        )
    return False


def _filled_with_connections(filled: list[Mutation], stored: list[ast.expr]) -> bool:
    """Whether the writes by key store connections: made by an async function or a method
    named for connecting, or of a value named as a connection (`session`, `mcp_client`)."""
    for mutation in filled:
        function = function_of(mutation.scope)
        if function is not None and (
            isinstance(function.node, ast.AsyncFunctionDef) or "connect" in function.name.lower()
        ):
            return True
    return any(_CONNECTION_NAME.search(_last_name(value) or "") for value in stored)


def _last_name(value: ast.expr) -> str | None:
    """`session` of `session`, `server` of `self.server`, `open_client` of `open_client(...)`."""
    while isinstance(value, (ast.Await, ast.Call)):
        value = value.value if isinstance(value, ast.Await) else value.func
    if isinstance(value, ast.Name):
        return value.id.lower()
    if isinstance(value, ast.Attribute):
        return value.attr.lower()
    return None


def _is_configuration(write: ContainerWrite) -> bool:
    """A dict display stored by key (`self.servers[name] = {"command": ...}`) is a server's
    configuration, not a connection: such a dict is filled in the order of the configuration
    it is read from."""
    value: ast.AST | None = write.value
    if isinstance(value, ast.Name):
        bindings = lookup(value.id, write.scope)
        value = bindings[0].value if len(bindings) == 1 else None
    return isinstance(value, ast.Dict)


def _is_empty_dict(value: ast.AST | None) -> bool:
    if isinstance(value, ast.Dict):
        return not value.keys
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in ("dict", "OrderedDict")
        and not value.args
        and not value.keywords
    )
