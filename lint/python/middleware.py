"""LangChain v1 agent middleware: where a middleware changes what the agent sends the model.

`langchain.agents.middleware` runs `wrap_model_call` / `awrap_model_call` of each
`AgentMiddleware` around every model call, with the `ModelRequest` about to be sent and a
`handler` that sends it. What the middleware passes on is the request:

- `request.override(tools=..., system_prompt=..., system_message=..., messages=...)` returns a
  copy with those parts replaced (passed to `handler(...)` directly or through a variable);
- `request.tools = ...`, `request.system_prompt = ...` (deprecated) set them in place;
- a function decorated with `@dynamic_prompt` returns the system prompt itself.

Each of these is a sink for the tools, the system prompt or the messages. The functions are
recognised by their name and the module importing langchain (subclasses of subclasses of
`AgentMiddleware` are common, so the base class is not required); the `@wrap_model_call` and
`@dynamic_prompt` decorators through their import from `langchain.agents.middleware`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import NamedTuple

from ctxlint.python.index import FunctionInfo, ModuleIndex, Scope
from ctxlint.python.names import qualified_name
from ctxlint.python.own_nodes import own_nodes

_HANDLER_METHODS = frozenset({"wrap_model_call", "awrap_model_call"})
_DECORATORS = "langchain.agents.middleware"
# The parts of a ModelRequest that are sent, and the sink kind each becomes.
_REQUEST_PARTS = {
    "tools": "tools",
    "system_prompt": "system",
    "system_message": "system",
    "messages": "messages",
}

_LABELS = {
    "tools": "the tool definitions",
    "system": "the system prompt",
    "messages": "the messages",
}


class MiddlewareSink(NamedTuple):
    """What sinks.py turns into a Sink (kept free of it, which imports this module)."""

    expression: ast.expr
    scope: Scope
    kind: str
    description: str
    call: ast.Call | None


def middleware_sinks(index: ModuleIndex) -> Iterator[MiddlewareSink]:
    if not any(name.startswith("langchain") for name in index.imported_modules):
        return
    for function in index.functions:
        node = function.node
        if isinstance(node, ast.Lambda):
            continue
        decorators = {qualified_name(d, function.enclosing) for d in node.decorator_list}
        if f"{_DECORATORS}.dynamic_prompt" in decorators:
            label = f"the system prompt returned by {node.name}()"
            for value in function.returns:
                yield MiddlewareSink(value, function.scope, "system", label, None)
            continue
        if f"{_DECORATORS}.wrap_model_call" in decorators:
            request = _parameter(function, 0)
        elif node.name in _HANDLER_METHODS and function.class_info is not None:
            request = _parameter(function, 1)
        else:
            continue
        if request is not None:
            yield from _request_sinks(function, request)


def _parameter(function: FunctionInfo, position: int) -> str | None:
    names = function.parameter_names
    return names[position] if len(names) > position else None


def _request_sinks(function: FunctionInfo, request: str) -> Iterator[MiddlewareSink]:
    """`<anything>.override(tools=...)` in the handler (the request, or a copy of it), and
    `request.tools = ...` on the request parameter."""
    for node in own_nodes(function.node):
        if isinstance(node, ast.Call):
            callee = node.func
            if not (isinstance(callee, ast.Attribute) and callee.attr == "override"):
                continue
            for keyword in node.keywords:
                kind = _REQUEST_PARTS.get(keyword.arg or "")
                if kind is not None:
                    description = f"{_LABELS[kind]} of request.override"
                    yield MiddlewareSink(keyword.value, function.scope, kind, description, node)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == request
                    and target.attr in _REQUEST_PARTS
                ):
                    kind = _REQUEST_PARTS[target.attr]
                    description = f"{_LABELS[kind]}, set as {request}.{target.attr}"
                    yield MiddlewareSink(node.value, function.scope, kind, description, None)
