"""The project's own wrappers of an SDK call: a function whose parameter becomes the system
prompt or the tool definitions of a request (`async function ask(system, tools) { return
client.messages.create({ system, tools, ... }) }`) makes what its callers pass there a sink.

Agents seldom call the SDK where they build the prompt: a model layer takes it as an argument
(`llm.ask(buildSystemPrompt(), tools)`), often from another module. Within a file the wrappers
are found again until none is added (a wrapper of a wrapper); a wrapper imported from another
file is read there, one level across modules, from that file's own sinks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript, matches
from ctxlint.typescript.scope import (
    FUNCTIONS,
    binding,
    declaration,
    object_properties,
    resolved,
    unwrapped,
)

if TYPE_CHECKING:
    from ctxlint.typescript.project import ScriptProject
    from ctxlint.typescript.sinks import Sink

_PASSES = 4
_DEPTH = 6


@dataclass(frozen=True, slots=True)
class Wrapped:
    """A parameter of a wrapper that is sent: its position among the arguments, the property
    of the object passed there (`{ system }`) or None for the argument itself, and the part."""

    position: int
    key: str | None
    part: str


Summary = dict[int, tuple[Node, tuple[Wrapped, ...]]]


def wrapper_sinks(
    parsed: ParsedScript, sinks: list[Sink], project: ScriptProject | None = None
) -> list[Sink]:
    """The arguments of calls of the file's wrappers (and, given the project, of wrappers it
    imports) that are sent as the system prompt or the tool definitions. Not in a test file:
    a test calls the code it tests with made-up values (a nonce that defeats the cache on
    purpose), never with what production sends."""
    from ctxlint.typescript import looks_like_a_test

    if looks_like_a_test(parsed.path):
        return []
    summary = summarize(parsed, [s for s in sinks if not s.in_history])
    imported = _imported_wrappers(parsed, project) if project is not None else {}
    if not summary and not imported:
        return []
    calls = _calls(parsed)
    found: list[Sink] = []
    known: set[tuple[int, str]] = set()
    # Wrappers of wrappers: each pass's new sinks may make their own function a wrapper.
    for _ in range(_PASSES):
        added = [
            sink
            for sink in _sinks_at_calls(parsed, calls, summary)
            if (sink.value.id, sink.part) not in known
        ]
        if not added:
            break
        known.update((sink.value.id, sink.part) for sink in added)
        found.extend(added)
        summary = {**summary, **summarize(parsed, added)}
    for sink in _imported_wrapper_sinks(parsed, calls, imported):
        if (sink.value.id, sink.part) not in known:
            known.add((sink.value.id, sink.part))
            found.append(sink)
    return found


def summarize(parsed: ParsedScript, sinks: Iterable[Sink]) -> Summary:
    """Each function of the file whose parameters reach one of `sinks`, by node id."""
    summary: dict[int, tuple[Node, dict[Wrapped, None]]] = {}
    for sink in sinks:
        if sink.in_history or sink.by_name:
            continue
        for function, position, key in _parameters_reaching(parsed, sink.value):
            entry = summary.setdefault(function.id, (function, {}))
            entry[1][Wrapped(position, key, sink.part)] = None
    return {key: (function, tuple(wrapped)) for key, (function, wrapped) in summary.items()}


def _parameters_reaching(
    parsed: ParsedScript, value: Node
) -> Iterator[tuple[Node, int, str | None]]:
    pending = [(value, 0)]
    seen: set[int] = set()
    while pending:
        node, depth = pending.pop()
        node = unwrapped(node)
        if node.id in seen or depth > _DEPTH or node.type in FUNCTIONS:
            continue
        seen.add(node.id)
        kind = node.type
        if kind in ("identifier", "shorthand_property_identifier"):
            bound = binding(parsed, node)
            if bound is None:
                continue
            if bound[0] == "parameter":
                place = _parameter_place(parsed, bound[1], parsed.text(node))
                if place is not None:
                    yield bound[1], *place
            elif bound[0] == "local":
                initial = bound[1].child_by_field_name("value")
                if initial is not None:
                    pending.append((initial, depth + 1))
        elif kind == "member_expression":
            # `options.system` for a parameter `options`: its `system` property.
            target = unwrapped(node.child_by_field_name("object") or node)
            name = node.child_by_field_name("property")
            if target.type == "identifier" and name is not None:
                bound = binding(parsed, target)
                if bound is not None and bound[0] == "parameter":
                    place = _parameter_place(parsed, bound[1], parsed.text(target))
                    if place is not None and place[1] is None:
                        yield bound[1], place[0], parsed.text(name)
                    continue
            pending.append((target, depth))
        elif kind == "call_expression":
            function = node.child_by_field_name("function")
            arguments = node.child_by_field_name("arguments")
            if function is not None and function.type == "member_expression":
                receiver = function.child_by_field_name("object")
                if receiver is not None:
                    pending.append((receiver, depth + 1))
            if arguments is not None:
                pending.extend((argument, depth + 1) for argument in arguments.named_children)
        elif kind == "pair":
            child = node.child_by_field_name("value")
            if child is not None:
                pending.append((child, depth))
        else:
            pending.extend((child, depth) for child in node.named_children)


def _parameter_place(
    parsed: ParsedScript, function: Node, name: str
) -> tuple[int, str | None] | None:
    """Where the parameter `name` is among the arguments: its position, and the property it
    is destructured from (`{ system, tools }`) or None for the whole argument."""
    parameters = function.child_by_field_name("parameters") or function.child_by_field_name(
        "parameter"
    )
    if parameters is None:
        return None
    if parameters.type == "identifier":  # `system => ...`
        return (0, None) if parsed.text(parameters) == name else None
    position = 0
    for parameter in parameters.named_children:
        pattern = parameter.child_by_field_name("pattern") or parameter
        if pattern.type == "assignment_pattern":  # `system = "..."` in JavaScript
            pattern = pattern.child_by_field_name("left") or pattern
        if pattern.type == "this":
            continue
        if pattern.type == "rest_pattern":
            return None
        if pattern.type == "identifier" and parsed.text(pattern) == name:
            return position, None
        if pattern.type == "object_pattern":
            key = _destructured_key(parsed, pattern, name)
            if key is not None:
                return position, key
        position += 1
    return None


def _destructured_key(parsed: ParsedScript, pattern: Node, name: str) -> str | None:
    for item in pattern.named_children:
        if item.type == "shorthand_property_identifier_pattern" and parsed.text(item) == name:
            return name
        if item.type == "object_assignment_pattern":
            left = item.child_by_field_name("left")
            if left is not None and parsed.text(left) == name:
                return name
        if item.type == "pair_pattern":
            key, value = item.child_by_field_name("key"), item.child_by_field_name("value")
            if value is not None and value.type == "assignment_pattern":
                value = value.child_by_field_name("left")
            if key is not None and value is not None and parsed.text(value) == name:
                return parsed.text(key)
    return None


def _calls(parsed: ParsedScript) -> list[Node]:
    return [captures["call"][0] for captures in matches(parsed, _CALLS) if "call" in captures]


_CALLS = "(call_expression function: [(identifier) (member_expression)]) @call"


def _sinks_at_calls(parsed: ParsedScript, calls: list[Node], summary: Summary) -> Iterator[Sink]:
    if not summary:
        return
    by_name: dict[str, list[tuple[Node, tuple[Wrapped, ...]]]] = {}
    for function, wrapped in summary.values():
        name = _function_name(parsed, function)
        if name is not None:
            by_name.setdefault(name, []).append((function, wrapped))
    for call in calls:
        callee = unwrapped(call.child_by_field_name("function") or call)
        name = _called_name(parsed, callee)
        for function, wrapped in by_name.get(name or "", ()):
            if _calls_function(parsed, callee, function):
                yield from _argument_sinks(parsed, call, name or "", wrapped)


def _function_name(parsed: ParsedScript, function: Node) -> str | None:
    name = function.child_by_field_name("name")
    holder = function.parent
    if name is None and holder is not None and holder.type == "variable_declarator":
        name = holder.child_by_field_name("name")
    if name is None and holder is not None and holder.type in ("pair", "public_field_definition"):
        name = holder.child_by_field_name("key") or holder.child_by_field_name("name")
    return parsed.text(name) if name is not None else None


def _called_name(parsed: ParsedScript, callee: Node) -> str | None:
    if callee.type == "identifier":
        return parsed.text(callee)
    if callee.type == "member_expression":
        name = callee.child_by_field_name("property")
        return parsed.text(name) if name is not None else None
    return None


def _calls_function(parsed: ParsedScript, callee: Node, function: Node) -> bool:
    """`ask(...)` names the function `ask` declared in scope; `this.ask(...)` a method of the
    class the call is in."""
    if callee.type == "identifier":
        bound = declaration(parsed, callee)
        if bound is None:
            return False
        if bound.id == function.id:
            return True
        value = bound.child_by_field_name("value")
        return value is not None and unwrapped(value).id == function.id
    target = callee.child_by_field_name("object")
    if target is None or target.type != "this" or function.type != "method_definition":
        return False
    return _class_of(function) is not None and _class_of(function) == _class_of(callee)


def _class_of(node: Node) -> int | None:
    parent = node.parent
    while parent is not None:
        if parent.type == "class_body":
            return parent.id
        parent = parent.parent
    return None


def _argument_sinks(
    parsed: ParsedScript, call: Node, name: str, wrapped: tuple[Wrapped, ...]
) -> Iterator[Sink]:
    from ctxlint.typescript.sinks import Sink

    arguments = call.child_by_field_name("arguments")
    if arguments is None:
        return
    given = arguments.named_children
    for item in wrapped:
        if item.position >= len(given) or any(
            a.type == "spread_element" for a in given[: item.position + 1]
        ):
            continue
        value = given[item.position]
        if item.key is None and unwrapped(value).type == "object":
            # Options passed whole (`ask({ model, userId })`) are no prompt text: only the
            # property a wrapper sends would be, and that is not known here.
            continue
        if item.key is not None:
            literal = resolved(parsed, value)
            if literal is None or literal.type != "object":
                continue
            value = object_properties(parsed, literal).get(item.key)
            if value is None:
                continue
        yield Sink(call, f"{name}()", item.part, value)


def _imported_wrappers(parsed: ParsedScript, project: ScriptProject) -> dict:
    """The names this file imports from another file of the project, and calls, that wrap
    an SDK call there: `ask` for `import { ask } from "./llm"` and `ask(...)`."""
    found = {}
    for name in project.imports_of(parsed):
        if f"{name}(".encode() not in parsed.data:
            continue
        wrapped = project.wrapper_of(parsed, name)
        if wrapped is not None:
            found[name] = wrapped
    return found


def _imported_wrapper_sinks(
    parsed: ParsedScript, calls: list[Node], imported: dict
) -> Iterator[Sink]:
    for call in calls:
        callee = unwrapped(call.child_by_field_name("function") or call)
        if callee.type != "identifier":
            continue
        name = parsed.text(callee)
        wrapped = imported.get(name)
        # A local name that shadows the import is not the import.
        if wrapped is not None and declaration(parsed, callee) is None:
            yield from _argument_sinks(parsed, call, name, wrapped)
