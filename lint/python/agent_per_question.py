"""Agents built for one question: a prompt that holds this turn's data, in a new conversation.

A function that builds an agent around a prompt (`create_agent(user_context)`: a prompt
template, an executor) and a caller that builds it anew for each question and invokes it once
with a message list made there (`executor.invoke({"messages": [HumanMessage(query)]})`) start a
new conversation every time. The prompt holds the data of that question for the whole of its
one conversation: there is no earlier turn whose cached prefix it could break.

An agent built once and kept (returned, stored on `self`) or invoked with a history that lives
on is not one of these, and its prompt stays a prefix sink.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ctxlint.python.index import FunctionInfo, Scope

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule
    from ctxlint.python.sinks import Sink

# Methods that run an agent or a chain on an input.
_RUN_METHODS = frozenset(
    {"invoke", "ainvoke", "run", "arun", "run_sync", "stream", "astream", "__call__"}
)
# Keys of an agent's input that hold its messages.
_MESSAGE_KEYS = frozenset({"messages", "input", "question", "query"})


def built_for_one_question(module: PythonModule, sink: Sink) -> bool:
    """Whether the sink's prompt goes into an agent that is built, run once on a message list
    made on the spot, and let go: by the call the sink is an argument of (a function of the
    module that builds an agent), or by every caller of the function the sink is in."""
    call = sink.call
    if (
        call is not None
        and isinstance(call.func, ast.Name)
        and call.func.id in module.index.functions_by_name
    ):
        return _runs_once_fresh(call, sink.scope)
    function = _enclosing_function(sink.scope)
    if function is None or not function.returns:
        return False
    sites = [
        site
        for site in module.index.calls_by_name.get(function.name, [])
        if isinstance(site.call.func, ast.Name) and site.call.func.id == function.name
    ]
    return bool(sites) and all(_runs_once_fresh(site.call, site.scope) for site in sites)


def _enclosing_function(scope: Scope) -> FunctionInfo | None:
    current: Scope | None = scope
    while current is not None and current.function is None:
        current = current.parent
    if current is None or current.function is None:
        return None
    return None if isinstance(current.function.node, ast.Lambda) else current.function


def _runs_once_fresh(call: ast.Call, scope: Scope) -> bool:
    """`agent = build(...)` in a function that runs `agent` on fresh messages only and
    neither returns nor keeps it."""
    caller = _enclosing_function(scope)
    if caller is None:
        return False
    parents: dict[int, ast.AST] = {}
    name: str | None = None
    uses: list[ast.Name] = []
    for node in ast.walk(caller.node):
        for inner in ast.iter_child_nodes(node):
            parents[id(inner)] = node
        if isinstance(node, ast.Assign) and node.value is call and len(node.targets) == 1:
            target = node.targets[0]
            name = target.id if isinstance(target, ast.Name) else None
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            uses.append(node)
    if name is None:
        return False
    runs = 0
    for use in uses:
        if use.id != name:
            continue
        method = parents.get(id(use))
        run = parents.get(id(method)) if isinstance(method, ast.Attribute) else None
        if not (
            isinstance(method, ast.Attribute)
            and method.attr in _RUN_METHODS
            and isinstance(run, ast.Call)
            and run.func is method
            and _fresh_input(run)
        ):
            return False  # returned, stored, passed on: the agent may live on
        runs += 1
    return runs == 1


def _fresh_input(run: ast.Call) -> bool:
    """The run's input is a question or a message list written in the call: `{"messages":
    [HumanMessage(content=q)]}`, `{"input": q}`, `q`."""
    if len(run.args) != 1 or run.keywords:
        return False
    value = run.args[0]
    if isinstance(value, ast.Dict):
        entries = {
            key.value: item
            for key, item in zip(value.keys, value.values, strict=True)
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        }
        if len(entries) != len(value.keys) or not entries.keys() & _MESSAGE_KEYS:
            return False
        return all(_fresh_messages(item) for item in entries.values())
    return _fresh_messages(value)


def _fresh_messages(value: ast.expr) -> bool:
    """A list of messages written on the spot, or a string: not a history kept elsewhere."""
    if isinstance(value, ast.List):
        return all(isinstance(element, (ast.Call, ast.Dict)) for element in value.elts)
    return isinstance(value, (ast.Constant, ast.JoinedStr))
