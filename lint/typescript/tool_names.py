"""The tools a TypeScript or JavaScript call sends together, by name, as CTX005 judges them.

A tool set is the `tools` value of one sink (ctxlint.typescript.sinks), within one file:
- a list of definitions, as the `openai` and `@anthropic-ai/sdk` clients take them
  (`{type: "function", function: {name}}`, `{type: "function", name}`, `{name, input_schema}`);
- a list of `tool({name})` of `@openai/agents`, or `createTool({id})` of Mastra;
- an object whose keys are the names, as the AI SDK (`tools: {search: tool(...)}`) and
  Mastra's `Agent` take it: the model sees the key, whatever the tool object calls itself;
  a provider's own tool there (`google.tools.googleSearch()`) is named by the provider, not
  by its key, and is left out.

A set is judged only when the file shows it whole: an element or a spread whose names the file
does not show (an imported tool, `...mcpTools`) leaves the set's naming unknown, and a part
picked by a condition (`...(shell ? [run] : [])`) makes it one of several sets; neither is
judged, as "the other 4 tools share" would not be what the model sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import object_properties, resolved, string_value, unwrapped
from ctxlint.typescript.sinks import Sink

_DEPTH = 6
# Constructors of one tool, and the property that names it.
_TOOL_CALLS = {"tool": "name", "createTool": "id"}


@dataclass(frozen=True, slots=True)
class ScriptTool:
    name: str
    # Where the name is written: the string, or the key of a record of tools.
    node: Node


@dataclass(slots=True)
class ScriptToolSet:
    sink: Sink
    tools: list[ScriptTool] = field(default_factory=list)
    # A part of the set was picked by a condition, or its names are not shown here.
    unknown: bool = False


def tool_sets(parsed: ParsedScript, sinks: list[Sink]) -> list[ScriptToolSet]:
    """Each sent tool list of the file, its tools once by name, in the order listed."""
    found = []
    for sink in sinks:
        if not sink.in_tools:
            continue
        tool_set = ScriptToolSet(sink)
        _collect(parsed, sink.value, tool_set, 0)
        tool_set.tools = list({tool.name: tool for tool in reversed(tool_set.tools)}.values())[::-1]
        if tool_set.tools and not tool_set.unknown:
            found.append(tool_set)
    return found


def _collect(parsed: ParsedScript, value: Node, tool_set: ScriptToolSet, depth: int) -> None:
    if depth > _DEPTH:
        return
    listed = resolved(parsed, value)
    if listed is None:
        return
    if listed.type == "array":
        for element in listed.named_children:
            if element.type == "spread_element" and element.named_children:
                _collect(parsed, element.named_children[0], tool_set, depth + 1)
                continue
            tool = _listed_tool(parsed, element)
            if tool is not None:
                tool_set.tools.append(tool)
            elif element.type != "comment":
                tool_set.unknown = True
    elif listed.type == "object" and _tool_of_object(parsed, listed) is None:
        tool_set.tools.extend(_keyed_tools(parsed, listed, tool_set, depth))
    else:
        tool_set.unknown = True


def _keyed_tools(
    parsed: ParsedScript, record: Node, tool_set: ScriptToolSet, depth: int
) -> Iterator[ScriptTool]:
    """The tools of a record, named by their keys (`{search, readFile: readFileTool}`)."""
    for child in record.named_children:
        if child.type == "pair":
            key = child.child_by_field_name("key")
            if key is None:
                continue
            value = child.child_by_field_name("value")
            if value is not None and _provider_defined(parsed, value):
                continue
            name = parsed.text(key) if key.type == "property_identifier" else None
            name = name or string_value(parsed, key)
            if name is not None:
                yield ScriptTool(name, key)
            else:
                tool_set.unknown = True  # a computed key: `[name]: tool(...)`
        elif child.type == "shorthand_property_identifier":
            yield ScriptTool(parsed.text(child), child)
        elif child.type == "spread_element" and child.named_children:
            spread = resolved(parsed, child.named_children[0])
            if spread is not None and spread.type == "object" and depth < _DEPTH:
                yield from _keyed_tools(parsed, spread, tool_set, depth + 1)
            else:
                tool_set.unknown = True
        elif child.type != "comment":
            tool_set.unknown = True  # a method, or what the file does not show


def _provider_defined(parsed: ParsedScript, value: Node) -> bool:
    """A provider's own tool (`anthropic.tools.webSearch_20250305()`, `google.tools.x()`):
    the provider names it, whatever the key, so its name is no one's naming choice here."""
    call = unwrapped(value)
    if call.type != "call_expression":
        return False
    function = call.child_by_field_name("function")
    return function is not None and ".tools." in "".join(parsed.text(function).split())


def _listed_tool(parsed: ParsedScript, element: Node) -> ScriptTool | None:
    value = resolved(parsed, element)
    if value is None:
        return None
    if value.type == "object":
        return _tool_of_object(parsed, value)
    if value.type == "call_expression":
        return _constructed_tool(parsed, value)
    return None


def _tool_of_object(parsed: ParsedScript, literal: Node, typed: bool = False) -> ScriptTool | None:
    """The tool a definition literal names. As on the Python side, a bare `{name, parameters}`
    also describes calls and records, so it needs a description or a function type."""
    properties = object_properties(parsed, literal)
    if {"arguments", "id", "call_id"} & properties.keys():
        return None  # a tool call of an assistant message, not a definition
    is_function = string_value(parsed, properties.get("type")) == "function"
    inner = properties.get("function")
    if inner is not None:
        inner = resolved(parsed, inner)
        if inner is not None and inner.type == "object":
            return _tool_of_object(parsed, inner, typed=is_function)
        return None
    name = properties.get("name")
    text = string_value(parsed, unwrapped(name)) if name is not None else None
    if text is None or name is None:
        return None
    described = "description" in properties or is_function or typed
    if "input_schema" in properties or ("parameters" in properties and described):
        return ScriptTool(text, name)
    return None


def _constructed_tool(parsed: ParsedScript, call: Node) -> ScriptTool | None:
    """`tool({name: "search", ...})` of @openai/agents, `createTool({id: "search"})` of Mastra."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "identifier":
        return None
    key = _TOOL_CALLS.get(parsed.text(function))
    arguments = call.child_by_field_name("arguments")
    if key is None or arguments is None or not arguments.named_children:
        return None
    options = resolved(parsed, arguments.named_children[0])
    if options is None or options.type != "object":
        return None
    name = object_properties(parsed, options).get(key)
    text = string_value(parsed, unwrapped(name)) if name is not None else None
    return ScriptTool(text, name) if text is not None and name is not None else None
