"""What a value sent in the prefix is made of, within one file: the parts of a template
literal and of a `+`, a local `const`'s initialiser, what a local function returns, the
receiver of a method call (`parts.join("\\n")`), the arguments of other calls.

Tool definitions are walked without entering functions: a tool's `execute` runs when the
model calls the tool, and what it returns is a tool result, not the definition.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import FUNCTIONS, declaration, returned, unwrapped
from ctxlint.typescript.sinks import Sink

_DEPTH = 12
# Type annotations, type arguments and the like say nothing about a value.
_TYPES = frozenset(
    {
        "type_annotation",
        "type_arguments",
        "type_parameters",
        "type_identifier",
        "predefined_type",
        "formal_parameters",
        "comment",
        "regex",
    }
)


@dataclass(frozen=True, slots=True)
class Reached:
    """An expression the sink's value is made of: a call or a `new`, with its method chain
    (`new Date().toISOString().slice(0, 10)` is reached whole, not its receivers alone)."""

    node: Node
    sink: Sink


def reached(parsed: ParsedScript, sink: Sink) -> Iterator[Reached]:
    seen: set[int] = set()
    # A prompt given as a function (Mastra's `instructions: () => ...`) is called each run.
    start = unwrapped(sink.value)
    if start.type in FUNCTIONS and not sink.in_tools:
        pending = [(value, 0) for value in returned(start)]
    else:
        pending = [(start, 0)]
    while pending:
        node, depth = pending.pop()
        if node.id in seen or depth > _DEPTH or node.type in _TYPES:
            continue
        seen.add(node.id)
        node = unwrapped(node)
        kind = node.type
        if kind in ("call_expression", "new_expression"):
            yield Reached(node, sink)
            pending.extend((part, depth + 1) for part in _call_parts(parsed, node))
        elif kind in ("identifier", "shorthand_property_identifier"):
            pending.extend((value, depth + 1) for value in _bound_value(parsed, node, sink))
        elif kind in FUNCTIONS:
            if not sink.in_tools:
                pending.extend((value, depth + 1) for value in returned(node))
        elif kind == "subscript_expression":
            # `new Date().toISOString().split("T")[0]`: the index says what is kept.
            yield Reached(node, sink)
            pending.extend((child, depth) for child in node.named_children)
        elif kind == "member_expression":
            # `config.system`: the object is followed as a whole only when it is local.
            target = node.child_by_field_name("object")
            if target is not None:
                pending.append((target, depth + 1))
        else:
            pending.extend((child, depth) for child in node.named_children)


def _bound_value(parsed: ParsedScript, name: Node, sink: Sink) -> Iterator[Node]:
    bound = declaration(parsed, name)
    if bound is None:
        return
    if bound.type == "variable_declarator":
        value = bound.child_by_field_name("value")
        if value is not None and unwrapped(value).type not in FUNCTIONS:
            yield value
    # A function named where a value is expected is not called here.


def _call_parts(parsed: ParsedScript, call: Node) -> Iterator[Node]:
    """What a call's value is made of, as far as one file shows: a local function's returns,
    a method's receiver, and the arguments (`String(x)`, `dedent\\`...\\``, `format(x)`)."""
    function = call.child_by_field_name("function") or call.child_by_field_name("constructor")
    if function is not None:
        function = unwrapped(function)
        if function.type == "identifier":
            bound = declaration(parsed, function)
            if bound is not None:
                yield from _function_returns(bound)
        elif function.type == "member_expression":
            target = function.child_by_field_name("object")
            if target is not None:
                yield target
    arguments = call.child_by_field_name("arguments")
    if arguments is not None:
        yield from arguments.named_children


def _function_returns(bound: Node) -> Iterator[Node]:
    if bound.type in FUNCTIONS:
        yield from returned(bound)
    elif bound.type == "variable_declarator":
        value = bound.child_by_field_name("value")
        if value is not None and unwrapped(value).type in FUNCTIONS:
            yield from returned(unwrapped(value))
