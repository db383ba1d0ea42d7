"""A sent TypeScript or JavaScript tool list built by a function of the project, in the file
or imported, from an argument the agent loop changes: `tools: toolsFor(state.phase)` in the
loop, where `toolsFor(phase)` returns `ALL.filter((t) => t.phases.includes(phase))` or
`{ ...base, ...(phase === "review" ? { approve } : {}) }`. What the helper returns differs from
one pass to the next as the argument does; the change is reported in the helper, where it is
made, with the call that applies it and the place the list is sent from as related.

Also an MCP `listTools()` reached in another file (an imported `loadTools(client)`), judged as
a listing in the sending file is: anew for each call, in the server's order, unless sorted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tree_sitter import Node

from ctxlint.typescript.callees import callee, parameter_names
from ctxlint.typescript.loop_changes import names_in
from ctxlint.typescript.parse import ParsedScript, snippet
from ctxlint.typescript.scope import FUNCTIONS, declaration, returned, unwrapped

if TYPE_CHECKING:
    from ctxlint.typescript.project import ScriptProject

_NARROWING = ("filter", "slice", "splice")
_STEPS = 6


@dataclass(frozen=True, slots=True)
class HelperToolChange:
    """A change a helper makes to the tools it returns: where (`node` in `parsed`), the
    message, the call that applies it in the sending file."""

    node: Node
    parsed: ParsedScript
    message: str
    call: Node


def helper_tool_changes(
    parsed: ParsedScript,
    calls: list[Node],
    varying: set[str],
    project: ScriptProject | None,
) -> Iterator[HelperToolChange]:
    """For each call (in the sending loop) whose value the tools are made of, the places its
    function rebuilds what it returns from a parameter given state the loop changes."""
    for call in calls:
        target = callee(parsed, call, project)
        if target is None:
            continue
        where, function = target
        arguments = call.child_by_field_name("arguments")
        listed = [a for a in arguments.named_children if a.type != "comment"] if arguments else []
        names = parameter_names(where, function)
        moving: dict[str, list[str]] = {}
        for position, argument in enumerate(listed[: len(names)]):
            changed = sorted(names_in(parsed, [argument]) & varying)
            if names[position] and changed:
                moving[names[position]] = changed
        if not moving:
            continue
        for node, parameter, how in _rebuilt_from(where, function, set(moving)):
            state = ", ".join(f"`{name}`" for name in moving[parameter][:2])
            text = snippet(where.text(node))
            if how == "narrows":
                message = (
                    f"`{text}` rebuilds the tool list on each pass from {state}, "
                    "which the loop changes"
                )
            else:
                message = f"`{text}` adds tools on some passes, by {state}, which the loop changes"
            yield HelperToolChange(node, where, message, call)


def _rebuilt_from(
    parsed: ParsedScript, function: Node, parameters: set[str]
) -> Iterator[tuple[Node, str, str]]:
    """In what the function returns: a `.filter()`/`.slice()` whose arguments read one of the
    parameters, or a spread added under a condition on one (node, parameter, how)."""
    pending = [(value, 0) for value in returned(function)]
    while pending:
        node, steps = pending.pop()
        node = unwrapped(node)
        if steps > _STEPS:
            continue
        kind = node.type
        if kind == "identifier":
            bound = declaration(parsed, node)
            value = bound.child_by_field_name("value") if bound is not None else None
            if value is not None and bound.type == "variable_declarator":
                pending.append((value, steps + 1))
        elif kind == "call_expression":
            function_node = node.child_by_field_name("function")
            arguments = node.child_by_field_name("arguments")
            if arguments is not None:
                # `Object.fromEntries(kept.map(...))`: made of what it is handed.
                pending.extend(
                    (a, steps + 1) for a in arguments.named_children if a.type not in FUNCTIONS
                )
            if function_node is None or function_node.type != "member_expression":
                continue
            method = function_node.child_by_field_name("property")
            receiver = function_node.child_by_field_name("object")
            if method is not None and parsed.text(method) in _NARROWING and arguments is not None:
                read = _reads(parsed, arguments, parameters)
                if read is not None:
                    yield node, read, "narrows"
                    continue
            if receiver is not None:
                pending.append((receiver, steps + 1))
        elif kind in ("object", "array"):
            for element in node.named_children:
                if element.type != "spread_element" or not element.named_children:
                    continue
                spread = unwrapped(element.named_children[0])
                condition = None
                if spread.type == "ternary_expression":
                    condition = spread.child_by_field_name("condition")
                elif spread.type == "binary_expression":
                    condition = spread.child_by_field_name("left")
                read = _reads(parsed, condition, parameters) if condition is not None else None
                if read is not None:
                    yield spread, read, "adds"
                else:
                    pending.append((spread, steps + 1))
            if kind == "object":
                # `{ tools: ALL.filter(...) }` returned whole is rare; its values are not tools.
                continue
        elif kind == "ternary_expression":
            for field in ("consequence", "alternative"):
                branch = node.child_by_field_name(field)
                if branch is not None:
                    pending.append((branch, steps + 1))


def _reads(parsed: ParsedScript, node: Node, parameters: set[str]) -> str | None:
    """The first of the parameters the node reads (inside callbacks too, unless shadowed)."""
    pending = [node]
    while pending:
        current = pending.pop()
        if current.type in ("identifier", "shorthand_property_identifier"):
            text = parsed.text(current)
            local = declaration(parsed, current) is not None
            if text in parameters and not local and not _shadowed(parsed, current, text):
                return text
        pending.extend(current.named_children)
    return None


def _shadowed(parsed: ParsedScript, name: Node, text: str) -> bool:
    """Whether a callback between the name and the helper takes a parameter of that name."""
    node = name.parent
    while node is not None:
        if node.type in FUNCTIONS and text in parameter_names(parsed, node):
            return _is_callback(node)
        node = node.parent
    return False


def _is_callback(function: Node) -> bool:
    parent = function.parent
    return parent is not None and parent.type == "arguments"
