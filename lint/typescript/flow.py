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
    (`new Date().toISOString().slice(0, 10)` is reached whole, not its receivers alone).
    Reached through a variable, `shown` is the expression that shows it where it is used
    (`now.toLocaleDateString()` for `const now = new Date()`)."""

    node: Node
    sink: Sink
    shown: Node | None = None


def reached(parsed: ParsedScript, sink: Sink) -> Iterator[Reached]:
    seen: set[tuple[int, int]] = set()
    # A prompt given as a function (Mastra's `instructions: () => ...`) is called each run.
    start = unwrapped(sink.value)
    Pending = tuple[Node, int, "Node | None"]
    if start.type in FUNCTIONS and not sink.in_tools:
        pending: list[Pending] = [(value, 0, None) for value in returned(start)]
    else:
        pending = [(start, 0, None)]
    while pending:
        node, depth, shown = pending.pop()
        key = (node.id, shown.id if shown is not None else 0)
        if key in seen or depth > _DEPTH or node.type in _TYPES:
            continue
        seen.add(key)
        node = unwrapped(node)
        kind = node.type
        # What a method chain's receiver is shown by: the whole chain.
        outer = shown or node
        if kind in ("call_expression", "new_expression"):
            yield Reached(node, sink, shown)
            receiver, others = _call_parts(parsed, node)
            if receiver is not None:
                pending.append((receiver, depth + 1, outer))
            pending.extend((part, depth + 1, None) for part in others)
        elif kind in ("identifier", "shorthand_property_identifier"):
            for value in _bound_value(parsed, node, sink):
                pending.append((value, depth + 1, shown))
        elif kind in FUNCTIONS:
            if not sink.in_tools:
                pending.extend((value, depth + 1, None) for value in returned(node))
        elif kind == "subscript_expression":
            # `new Date().toISOString().split("T")[0]`: the index says what is kept.
            yield Reached(node, sink, shown)
            target = node.child_by_field_name("object")
            index = node.child_by_field_name("index")
            if target is not None:
                pending.append((target, depth, outer))
            if index is not None:
                pending.append((index, depth, None))
        elif kind == "member_expression":
            # `config.system`, `now.getTime`: the object, shown by the member.
            target = node.child_by_field_name("object")
            if target is not None:
                pending.append((target, depth + 1, outer))
        else:
            pending.extend((child, depth, None) for child in node.named_children)


def _bound_value(parsed: ParsedScript, name: Node, sink: Sink) -> Iterator[Node]:
    bound = declaration(parsed, name)
    if bound is None:
        # A loop's variable (`for (const tool of tools)`) is made of what the loop iterates.
        iterated = _loop_iterated(parsed, name)
        if iterated is not None:
            yield iterated
        return
    if bound.type == "variable_declarator":
        value = bound.child_by_field_name("value")
        if value is not None and unwrapped(value).type in FUNCTIONS:
            return  # A function named where a value is expected is not called here.
        if value is not None:
            yield value
        yield from _added_later(parsed, bound)


def _loop_iterated(parsed: ParsedScript, name: Node) -> Node | None:
    """What a `for...of` (or `for...in`) loop iterates, when `name` is its variable used in
    its body."""
    wanted = parsed.text(name)
    child, node = name, name.parent
    while node is not None and node.type != "program":
        if node.type == "for_in_statement":
            body = node.child_by_field_name("body")
            left = node.child_by_field_name("left")
            inside = body is not None and body.start_byte <= child.start_byte < body.end_byte
            if inside and left is not None and _declares(parsed, left, wanted):
                return node.child_by_field_name("right")
        child, node = node, node.parent
    return None


def _declares(parsed: ParsedScript, pattern: Node, wanted: str) -> bool:
    """Whether a loop's left side (`tool`, `[name, tool]`, `{ name }`) binds `wanted`."""
    pending = [pattern]
    while pending:
        node = pending.pop()
        if node.type in ("identifier", "shorthand_property_identifier_pattern"):
            if parsed.text(node) == wanted:
                return True
        elif node.type not in ("type_annotation", "property_identifier"):
            pending.extend(node.named_children)
    return False


def _added_later(parsed: ParsedScript, declarator: Node) -> Iterator[Node]:
    """What the code around a variable adds to it after its declaration: `prompt += x` and
    `prompt = x` (a `let`), `parts.push(x)` (a list joined later)."""
    name_node = declarator.child_by_field_name("name")
    block = declarator.parent.parent if declarator.parent is not None else None
    if name_node is None or block is None:
        return
    yield from _additions(parsed, block).get(parsed.text(name_node), ())


def _additions(parsed: ParsedScript, block: Node) -> dict[str, list[Node]]:
    """Each name's additions in a block, in the order a walk meets them. One walk per block:
    asked of every name a sent value is made of, a block walked per name was a module's
    whole tree walked again for each of its constants."""
    key = ("additions", block.id)
    found = parsed.memo.get(key)
    if found is not None:
        return found
    found = {}
    pending = list(block.named_children)
    while pending:
        node = pending.pop()
        kind = node.type
        if kind in ("assignment_expression", "augmented_assignment_expression"):
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if left is not None and right is not None:
                found.setdefault(parsed.text(left), []).append(right)
        elif kind == "call_expression":
            function = node.child_by_field_name("function")
            if function is not None and function.type == "member_expression":
                target = function.child_by_field_name("object")
                method = function.child_by_field_name("property")
                added = method is not None and parsed.text(method) in ("push", "unshift")
                if added and target is not None:
                    arguments = node.child_by_field_name("arguments")
                    if arguments is not None:
                        found.setdefault(parsed.text(target), []).extend(arguments.named_children)
        pending.extend(node.named_children)
    parsed.memo[key] = found
    return found


def _call_parts(parsed: ParsedScript, call: Node) -> tuple[Node | None, list[Node]]:
    """What a call's value is made of, as far as one file shows: a method's receiver, then
    a local function's returns and the arguments (`String(x)`, a tagged template, `format(x)`)."""
    receiver = None
    others: list[Node] = []
    function = call.child_by_field_name("function") or call.child_by_field_name("constructor")
    if function is not None:
        function = unwrapped(function)
        if function.type == "identifier":
            bound = declaration(parsed, function)
            if bound is not None:
                others.extend(_function_returns(bound))
        elif function.type == "member_expression":
            receiver = function.child_by_field_name("object")
    arguments = call.child_by_field_name("arguments")
    if arguments is not None:
        others.extend(arguments.named_children)
    return receiver, others


def _function_returns(bound: Node) -> Iterator[Node]:
    if bound.type in FUNCTIONS:
        yield from returned(bound)
    elif bound.type == "variable_declarator":
        value = bound.child_by_field_name("value")
        if value is not None and unwrapped(value).type in FUNCTIONS:
            yield from returned(unwrapped(value))
