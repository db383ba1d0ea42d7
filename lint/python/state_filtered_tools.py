"""Tool lists a LangChain agent middleware narrows on the agent's state, model call by model call.

`wrap_model_call` / `awrap_model_call` of an `AgentMiddleware` runs around every model call of
an agent run (middleware.py), so the function body is the body of the agent loop. A middleware
that hides tools while the run is in some mode,

    if request.state.get("mode") == "read_only":
        request = request.override(tools=[t for t in request.tools if t.name not in WRITE])

sends one tool list before the mode is entered and another after: every request from that
point misses the cache from the first tool on, and again when the mode ends.

Found, in a middleware class of a module importing langchain (a class defining a handler
method; any of its methods, as the handler often delegates to `self._filter(request)`), or in a
function decorated `@wrap_model_call`:

- a tool list passed on (`<x>.override(tools=V)`, `<param>.tools = V`) that is a subset of the
  request's tools: a comprehension over something read from `.tools` with a condition, or a
  list appended to under an `if` in a `for` over such a read;
- whose choice depends on the run's state: the comprehension's condition, an `if` around the
  send or around the subset's assignment, or an earlier `if ...: return` of the function reads
  `<param>.state` or `<param>.messages` (directly, through the function's local names, or
  through a method of the same class handed a parameter).

A filter decided by configuration alone (`self._excluded`) gives the same list on every call
and is not reported. Tools added from state (deferred tool loading, `[*request.tools, *loaded]`)
are a deliberate trade of one cache miss per load against a shorter prompt and are left alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import NamedTuple

from ctxlint.python.index import ClassInfo, FunctionInfo, ModuleIndex
from ctxlint.python.names import qualified_name
from ctxlint.python.own_nodes import own_nodes

_HANDLER_METHODS = frozenset({"wrap_model_call", "awrap_model_call"})
_DECORATOR = "langchain.agents.middleware.wrap_model_call"
# What of a ModelRequest changes from one model call of a run to the next.
_PER_CALL_PARTS = frozenset({"state", "messages"})
# Bounds on odd input: names followed through assignments, methods followed through calls
# (nodes looked at in one function: own_nodes.MAX_NODES).
_MAX_NAME_DEPTH = 5
_MAX_METHOD_DEPTH = 2


class StateFilteredTools(NamedTuple):
    # The comprehension, or the `append` call, that leaves tools out.
    subset: ast.AST
    # The test that reads the run's state.
    condition: ast.expr
    # The `override(...)` call or the assignment that passes the list on.
    send: ast.AST


def state_filtered_tools(index: ModuleIndex) -> list[StateFilteredTools]:
    if not any(name.startswith("langchain") for name in index.imported_modules):
        return []
    found: list[StateFilteredTools] = []
    for function in index.functions:
        if isinstance(function.node, ast.Lambda) or not _in_middleware(function):
            continue
        found.extend(_in_function(function))
    return found


def _in_middleware(function: FunctionInfo) -> bool:
    info = function.class_info
    if info is not None:
        return any(name in info.methods for name in _HANDLER_METHODS)
    node = function.node
    assert not isinstance(node, ast.Lambda)
    return any(qualified_name(d, function.enclosing) == _DECORATOR for d in node.decorator_list)


def _in_function(function: FunctionInfo) -> Iterator[StateFilteredTools]:
    parents = _parents(function.node)
    parameters = _parameters(function)
    for send, value in _sends(function.node, parameters):
        for subset, conditions, bound_at in _subsets(value, function, parents):
            guards = [*conditions, *_guards(send, function, parents)]
            if bound_at is not None:
                guards.extend(_guards(bound_at, function, parents))
            for condition in guards:
                if _reads_run_state(condition, function, _MAX_NAME_DEPTH, _MAX_METHOD_DEPTH):
                    yield StateFilteredTools(subset, condition, send)
                    break


def _parameters(function: FunctionInfo) -> set[str]:
    return {name for name in function.parameter_names if name not in ("self", "cls")}


def _sends(node: ast.AST, parameters: set[str]) -> Iterator[tuple[ast.AST, ast.expr]]:
    """`<x>.override(tools=V)` and `<param>.tools = V`, with V."""
    for child in _walk(node):
        if isinstance(child, ast.Call):
            callee = child.func
            if isinstance(callee, ast.Attribute) and callee.attr == "override":
                for keyword in child.keywords:
                    if keyword.arg == "tools":
                        yield child, keyword.value
        elif isinstance(child, ast.Assign):
            for target in child.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "tools"
                    and isinstance(target.value, ast.Name)
                    and target.value.id in parameters
                ):
                    yield child, child.value


def _subsets(
    value: ast.expr, function: FunctionInfo, parents: dict[int, ast.AST]
) -> Iterator[tuple[ast.AST, list[ast.expr], ast.AST | None]]:
    """The ways `value` is some of the request's tools: (the node leaving tools out, the
    conditions that decide which, where a name holding it is bound)."""
    if isinstance(value, ast.Name):
        for binding in function.scope.bindings.get(value.id, ()):
            if binding.kind != "assign" or not isinstance(binding.value, ast.expr):
                continue
            for subset, conditions, _ in _subsets_of(binding.value, function):
                yield subset, conditions, binding.node
            if isinstance(binding.value, ast.List) and not binding.value.elts:
                yield from _appended_subsets(value.id, function, parents)
    else:
        yield from _subsets_of(value, function)


def _subsets_of(
    value: ast.expr, function: FunctionInfo
) -> Iterator[tuple[ast.AST, list[ast.expr], None]]:
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "list"
        and len(value.args) == 1
    ):
        value = value.args[0]
    if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
        generator = value.generators[0]
        conditions = [test for g in value.generators for test in g.ifs]
        if conditions and _reads_tools(generator.iter, function):
            yield value, conditions, None


def _appended_subsets(
    name: str, function: FunctionInfo, parents: dict[int, ast.AST]
) -> Iterator[tuple[ast.AST, list[ast.expr], None]]:
    """`kept = []; for t in request.tools: if ...: kept.append(t)`."""
    for node in _walk(function.node):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "append"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ):
            continue
        conditions: list[ast.expr] = []
        current = parents.get(id(node))
        while current is not None and current is not function.node:
            if isinstance(current, ast.If):
                conditions.append(current.test)
            elif isinstance(current, (ast.For, ast.AsyncFor)):
                if conditions and _reads_tools(current.iter, function):
                    yield node, conditions, None
                break
            current = parents.get(id(current))


def _reads_tools(expression: ast.expr, function: FunctionInfo) -> bool:
    """`request.tools`, or a local name holding it (`tools = request.tools or []`)."""
    for node in ast.walk(expression):
        if isinstance(node, ast.Attribute) and node.attr == "tools":
            return True
        if isinstance(node, ast.Name):
            for binding in function.scope.bindings.get(node.id, ()):
                if (
                    binding.kind == "assign"
                    and isinstance(binding.value, ast.expr)
                    and any(
                        isinstance(n, ast.Attribute) and n.attr == "tools"
                        for n in ast.walk(binding.value)
                    )
                ):
                    return True
    return False


def _guards(node: ast.AST, function: FunctionInfo, parents: dict[int, ast.AST]) -> list[ast.expr]:
    """The tests of the `if` statements around `node` in the function, and of the earlier
    `if ...: return` statements of the blocks it sits in."""
    tests: list[ast.expr] = []
    child: ast.AST = node
    current = parents.get(id(node))
    while current is not None:
        if isinstance(current, ast.If) and child is not current.test:
            tests.append(current.test)
        for block in _blocks(current):
            if any(statement is child for statement in block):
                for statement in block:
                    if statement is child:
                        break
                    if isinstance(statement, ast.If) and _returns(statement.body):
                        tests.append(statement.test)
        if current is function.node:
            break
        child = current
        current = parents.get(id(current))
    return tests


def _blocks(node: ast.AST) -> list[list[ast.stmt]]:
    blocks = []
    for name in ("body", "orelse", "finalbody"):
        block = getattr(node, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            blocks.append(block)
    return blocks


def _returns(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], ast.Return)


def _reads_run_state(
    expression: ast.AST, function: FunctionInfo, name_depth: int, method_depth: int
) -> bool:
    """Whether `expression` reads `<param>.state` or `<param>.messages`, directly, through
    the function's local names, or through a method of its class handed a parameter."""
    parameters = _parameters(function)
    for node in ast.walk(expression):
        if isinstance(node, ast.Attribute) and node.attr in _PER_CALL_PARTS:
            if isinstance(node.value, ast.Name) and node.value.id in parameters:
                return True
        elif isinstance(node, ast.Call):
            if _getattr_of_state(node, parameters):
                return True
            if method_depth > 0 and _method_reads_state(node, function, parameters, method_depth):
                return True
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and name_depth > 0:
            if node.id in parameters:
                continue
            for binding in function.scope.bindings.get(node.id, ()):
                if (
                    binding.kind in ("assign", "augassign")
                    and binding.value is not None
                    and _reads_run_state(binding.value, function, name_depth - 1, method_depth)
                ):
                    return True
    return False


def _getattr_of_state(call: ast.Call, parameters: set[str]) -> bool:
    """`getattr(request, "state", None)`."""
    return (
        isinstance(call.func, ast.Name)
        and call.func.id == "getattr"
        and len(call.args) >= 2
        and isinstance(call.args[0], ast.Name)
        and call.args[0].id in parameters
        and isinstance(call.args[1], ast.Constant)
        and call.args[1].value in _PER_CALL_PARTS
    )


def _method_reads_state(
    call: ast.Call, function: FunctionInfo, parameters: set[str], method_depth: int
) -> bool:
    """`self._active(request)` where `_active` reads its parameter's state."""
    callee = call.func
    info: ClassInfo | None = function.class_info
    if not (
        info is not None
        and isinstance(callee, ast.Attribute)
        and isinstance(callee.value, ast.Name)
        and callee.value.id in ("self", "cls")
    ):
        return False
    handed = [a for a in call.args if isinstance(a, ast.Name) and a.id in parameters]
    method = info.methods.get(callee.attr)
    if not handed or method is None or method is function:
        return False
    node = method.node
    if isinstance(node, ast.Lambda):
        return False
    return any(
        _reads_run_state(statement, method, _MAX_NAME_DEPTH, method_depth - 1)
        for statement in node.body
    )


def _parents(function: ast.AST) -> dict[int, ast.AST]:
    parents: dict[int, ast.AST] = {}
    for node in _walk(function):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    return parents


def _walk(function: ast.AST) -> Iterator[ast.AST]:
    """The function and the nodes of its body (own_nodes)."""
    yield function
    yield from own_nodes(function)
