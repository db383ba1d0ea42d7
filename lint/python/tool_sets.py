"""Which tools a module's code sends together, as CTX005 judges their names: the tool list
that reaches an LLM call (a `tools=` argument, through the value flow every rule uses), or the
tools registered on one agent or server object that sends them all (`@mcp.tool()`,
`@agent.tool`).

A tool is named where it is defined: a tool-definition dict's `"name"`, a function's name (or
the name its tool decorator gives it), a tool class's `name`, a tool constructor's `name=`.
Tools merely defined in a module are no set: a module of `@tool` functions, or of definition
dicts advertised per surface, sends whichever of them its caller picks.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ctxlint.python.index import Scope, decorator_name
from ctxlint.python.names import lookup

if TYPE_CHECKING:
    from ctxlint.python.flow import Reached
    from ctxlint.python.module import PythonModule
    from ctxlint.python.sinks import Sink

# Decorators that make a function a tool; on an object (`@mcp.tool()`, `@agent.tool`) they
# register it with that object, which then sends every tool registered on it.
TOOL_DECORATORS = frozenset({"tool", "function_tool", "tool_plain", "register_tool"})
# Constructors of tool objects that take the tool's name as `name=`: ToolSpec, StructuredTool,
# FunctionTool, ChatCompletionToolParamFunctionChunk...
_TOOL_CONSTRUCTOR = re.compile(r"(?:Tool|ToolSpec|ToolParam|FunctionChunk|FunctionDefinition)$")
# Keywords of tool decorators that rename the tool.
_NAME_KEYWORDS = ("name", "name_override")


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    # Where the name is written: the "name" value, or the function's or class's name.
    node: ast.AST
    # The module that defines the tool, where a finding on its name is reported.
    module: PythonModule


@dataclass(slots=True)
class ToolSet:
    tools: list[Tool] = field(default_factory=list)
    # The LLM call (or model layer) the list is sent to, when it is a sent list.
    sink: Sink | None = None
    # The object the tools are registered on (`mcp`), when they are gathered that way.
    registered_on: str | None = None


def tool_sets(module: PythonModule) -> list[ToolSet]:
    """The module's tool sets: each sent tool list, then the tools of each object they are
    registered on. A tool is in a set once (by name), however many times it is listed."""
    found = [*_sent_sets(module), *_registered_sets(module)]
    for tool_set in found:
        tool_set.tools = list({tool.name: tool for tool in reversed(tool_set.tools)}.values())[::-1]
    return found


def _sent_sets(module: PythonModule) -> Iterator[ToolSet]:
    for sink in module.sent_lists:
        # A single definition dict is a sink of its own ("a tool definition"): no set.
        if sink.kind != "tools" or tool_of_dict(sink.expression) is not None:
            continue
        tools = ToolSet(sink=sink)
        # A walk shared by many calls (a list they all send) is sifted once.
        for part in module.reached_across(sink).parts:
            tools.tools.extend(module.fact_about(_tools_in, part))
        if tools.tools:
            yield tools


def _tools_in(module: PythonModule, part: list[Reached]) -> list[Tool]:
    found = []
    for reached in part:
        owner = module.module_of(reached.scope)
        if owner is not None:
            tool = _tool_of_value(reached.node, reached.scope, owner)
            if tool is not None:
                found.append(tool)
    return found


def _registered_sets(module: PythonModule) -> Iterator[ToolSet]:
    """Functions under `@<object>.tool...` decorators, by the object they are registered on:
    one set per binding of it, so that the agents of two tests are two sets."""
    by_object: dict[int, ToolSet] = {}
    for function in module.index.functions:
        node = function.node
        if isinstance(node, ast.Lambda):
            continue
        for decorator in node.decorator_list:
            if decorator_name(decorator) not in TOOL_DECORATORS:
                continue
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            receiver = target.value if isinstance(target, ast.Attribute) else None
            if not isinstance(receiver, ast.Name):
                break  # a bare `@tool`: defined, not registered anywhere
            bindings = lookup(receiver.id, function.enclosing)
            if len(bindings) != 1:
                break  # rebound: which object is meant is not known
            tool_set = by_object.setdefault(id(bindings[0]), ToolSet(registered_on=receiver.id))
            tool_set.tools.append(_function_tool(node, decorator, module))
            break
    yield from by_object.values()


def _tool_of_value(node: ast.AST, scope: Scope, module: PythonModule) -> Tool | None:
    """The tool a value that reaches a tool list defines, when it is one."""
    if isinstance(node, ast.Dict):
        return tool_of_dict(node, module)
    if isinstance(node, ast.Name):
        bindings = lookup(node.id, scope)
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        function = binding.function
        if binding.kind == "function" and function is not None:
            definition = function.node
            if isinstance(definition, ast.Lambda):
                return None
            decorator = next(
                (d for d in definition.decorator_list if decorator_name(d) in TOOL_DECORATORS),
                None,
            )
            return _function_tool(definition, decorator, module)
        return None
    if isinstance(node, ast.Call):
        return _constructed_tool(node, scope, module)
    return None


def _function_tool(
    node: ast.FunctionDef | ast.AsyncFunctionDef, decorator: ast.expr | None, module: PythonModule
) -> Tool:
    named = _decorator_name_argument(decorator) if decorator is not None else None
    if named is not None:
        return Tool(named.value, named, module)
    return Tool(node.name, _name_position(module, node), module)


def _constructed_tool(call: ast.Call, scope: Scope, module: PythonModule) -> Tool | None:
    """`FunctionTool(name="x", ...)`, `StructuredTool.from_function(name="x")`, or an instance
    of a tool class with a `name` (`SearchTool()`)."""
    function = call.func
    callee = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    if callee == "from_function" and isinstance(function, ast.Attribute):
        callee = getattr(function.value, "id", "") or getattr(function.value, "attr", "")
    if _TOOL_CONSTRUCTOR.search(callee):
        for keyword in call.keywords:
            if keyword.arg == "name" and _is_string(keyword.value):
                return Tool(keyword.value.value, keyword.value, module)  # type: ignore[union-attr]
    if isinstance(function, ast.Name):
        bindings = lookup(function.id, scope)
        if len(bindings) == 1 and bindings[0].kind == "class":
            definition = bindings[0].node
            if isinstance(definition, ast.ClassDef) and any(
                _base_name(base).endswith("Tool") for base in definition.bases
            ):
                named = _class_tool_name(definition)
                if named is not None:
                    return Tool(named.value, named, module)
    return None


def _decorator_name_argument(decorator: ast.expr) -> ast.Constant | None:
    if not isinstance(decorator, ast.Call):
        return None
    for keyword in decorator.keywords:
        if keyword.arg in _NAME_KEYWORDS and _is_string(keyword.value):
            return keyword.value  # type: ignore[return-value]
    if decorator.args and _is_string(decorator.args[0]):
        return decorator.args[0]  # type: ignore[return-value]
    return None


def _class_tool_name(node: ast.ClassDef) -> ast.Constant | None:
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            targets = statement.targets
            value = statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets = [statement.target]
            value = statement.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == "name" for t in targets) and _is_string(value):
            return value  # type: ignore[return-value]
    return None


def tool_of_dict(
    node: ast.expr, module: PythonModule | None = None, typed_function: bool = False
) -> Tool | None:
    """The tool a dict literal defines. A description is optional in every provider's
    schema, so a name with its parameters defines a tool when the dict says it is a function
    (`{"type": "function", ...}`, flat or wrapping `"function": {...}`); a bare
    `{"name", "parameters"}` also describes calls and records, so it needs a description."""
    if not isinstance(node, ast.Dict):
        return None
    entries = {
        k.value: v
        for k, v in zip(node.keys, node.values, strict=True)
        if isinstance(k, ast.Constant) and isinstance(k.value, str)
    }
    is_function = _constant_value(entries.get("type")) == "function"
    if "arguments" in entries or "id" in entries or "call_id" in entries:
        return None  # a tool call in an assistant message, not a definition
    inner = entries.get("function")
    if isinstance(inner, ast.Dict):
        return tool_of_dict(inner, module, typed_function=is_function)
    name = entries.get("name")
    if not _is_string(name):
        return None
    if "input_schema" in entries or (
        "parameters" in entries and ("description" in entries or is_function or typed_function)
    ):
        return Tool(name.value, name, module)  # type: ignore[union-attr, arg-type]
    return None


def _constant_value(node: ast.AST | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _base_name(base: ast.expr) -> str:
    if isinstance(base, ast.Attribute):
        return base.attr
    if isinstance(base, ast.Name):
        return base.id
    if isinstance(base, ast.Subscript):
        return _base_name(base.value)
    return ""


def _is_string(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _name_position(module: PythonModule, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
    """A node spanning the function's name in `def name(`, for the finding's range."""
    line = module.source.line_text(node.lineno)
    column = line.find(node.name, line.find("def ") + 4)
    start = max(column, 0)
    return ast.Name(
        id=node.name,
        lineno=node.lineno,
        col_offset=len(line[:start].encode("utf-8")),
        end_lineno=node.lineno,
        end_col_offset=len(line[: start + len(node.name)].encode("utf-8")),
    )
