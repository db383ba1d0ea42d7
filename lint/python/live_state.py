"""Live device state in a Home Assistant LLM API's prompt, for CTX011.

A Home Assistant `llm.API` returns `llm.APIInstance(api_prompt=...)`, which the conversation
agent puts into the system prompt of every request. When that prompt lists the exposed
entities with their current state and attributes (`state.state`, `state.attributes` of
`hass.states.async_all()`), it changes whenever any device does (a sensor's temperature, a
light switched), and every request misses the cache from there. The fix keeps names, domains
and areas in the prompt and gives the live values through a tool (Home Assistant's own
`GetLiveContext`).

The walk goes back from the `api_prompt=` value through names, the containers they are
filled into, the module's functions and methods it calls (into their returns), and the
arguments of calls it does not know (a prompt template rendered with the entities). A read
under `if include_state:` in a function called with `include_state=False` does not count.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from ctxlint.python.flow import writes_by_variable
from ctxlint.python.index import FunctionInfo, ModuleIndex, Scope
from ctxlint.python.names import first_own_function, lookup

# The attributes of a Home Assistant State that change with the device.
_LIVE_ATTRIBUTES = frozenset({"state", "attributes", "last_changed", "last_updated"})
# `hass.states.async_all()`, `hass.states.get(entity_id)`.
_STATE_READS = frozenset({"async_all", "get", "async_get", "all"})
_MAX_STEPS = 600
_MAX_DEPTH = 3


@dataclass(frozen=True, slots=True)
class LiveState:
    node: ast.Attribute
    prompt: ast.expr


def live_state_in_api_prompts(index: ModuleIndex) -> Iterator[LiveState]:
    for site in index.calls:
        for keyword in site.call.keywords:
            if keyword.arg == "api_prompt":
                for node in _live_reads(index, keyword.value, site.scope):
                    yield LiveState(node, keyword.value)


def _live_reads(index: ModuleIndex, start: ast.expr, scope: Scope) -> Iterator[ast.Attribute]:
    # (node, scope, depth, nodes left out: reads guarded by a flag the call turns off)
    pending: list[tuple[ast.AST, Scope, int, frozenset[int]]] = [(start, scope, 0, frozenset())]
    seen: set[int] = set()
    writes = index.derived(writes_by_variable)
    while pending and len(seen) < _MAX_STEPS:
        node, where, depth, off = pending.pop()
        if id(node) in seen or id(node) in off:
            continue
        seen.add(id(node))
        if isinstance(node, ast.Attribute) and _is_live_read(node, where):
            yield node
            continue
        if isinstance(node, ast.Name):
            bindings = lookup(node.id, where)
            for binding in bindings:
                if binding.kind in ("assign", "for", "comprehension") and binding.value:
                    pending.append((binding.value, binding.scope, depth, off))
            for write in writes.get((node.id, id(bindings)), ()):
                pending.append((write.value, write.scope, depth, off))
        elif isinstance(node, ast.Call):
            function = first_own_function(node.func, where)
            if function is not None and depth < _MAX_DEPTH:
                turned_off = off | _turned_off(function, node)
                for value in function.returns:
                    pending.append((value, function.scope, depth + 1, turned_off))
            for child in ast.iter_child_nodes(node):
                pending.append((child, where, depth, off))
        elif isinstance(node, ast.keyword):
            pending.append((node.value, where, depth, off))
        elif isinstance(node, ast.expr) and not isinstance(node, ast.Lambda):
            inner = index.function_scope(node) or where
            for child in ast.iter_child_nodes(node):
                pending.append((child, inner, depth, off))
        elif isinstance(node, ast.comprehension):
            pending.append((node.iter, where, depth, off))


def _is_live_read(node: ast.Attribute, scope: Scope) -> bool:
    """`state.state`, `state.attributes` of a state taken from `hass.states`."""
    if node.attr not in _LIVE_ATTRIBUTES or not isinstance(node.value, ast.Name):
        return False
    for binding in lookup(node.value.id, scope):
        value = binding.value
        if isinstance(value, ast.Call) and _reads_states(value):
            return True
    return False


def _reads_states(call: ast.Call) -> bool:
    function = call.func
    return (
        isinstance(function, ast.Attribute)
        and function.attr in _STATE_READS
        and isinstance(function.value, ast.Attribute)
        and function.value.attr == "states"
    )


def _turned_off(function: FunctionInfo, call: ast.Call) -> frozenset[int]:
    """The nodes under `if flag:` (or `if flag and ...:`) in the function, for each flag
    parameter the call passes as False."""
    off = {
        keyword.arg
        for keyword in call.keywords
        if isinstance(keyword.value, ast.Constant) and keyword.value.value is False
    }
    if not off or isinstance(function.node, ast.Lambda):
        return frozenset()
    left_out: set[int] = set()
    for statement in ast.walk(function.node):
        if isinstance(statement, ast.If) and _tested(statement.test) & off:
            for part in [statement.test, *statement.body]:
                left_out.update(id(inner) for inner in ast.walk(part))
    return frozenset(left_out)


def _tested(test: ast.expr) -> set[str]:
    if isinstance(test, ast.Name):
        return {test.id}
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return {value.id for value in test.values if isinstance(value, ast.Name)}
    return set()
