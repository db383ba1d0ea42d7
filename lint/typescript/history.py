"""How a TypeScript or JavaScript file changes a message history it sends, within the file:
the histories a sink's `messages` is made of (a name, `this.messages`, a spread, a const),
and each change to one of them that touches messages already sent (`splice` at an earlier
position, `shift`, `unshift`, `sort`, `reverse`, assigning an older item or its content,
rebinding it to a window that drops the front). Appending (`push`, `[...messages, next]`),
changing the newest message, and copies that are not sent are not changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from ctxlint.typescript.history_edits import (
    NEUTRAL_KEYS,
    WINDOW,
    direct_change,
    drops_front,
    method_call,
    text_of,
)
from ctxlint.typescript.parse import ParsedScript, descendants
from ctxlint.typescript.scope import (
    FUNCTIONS,
    LOOPS,
    binding,
    enclosing_function,
    resolved,
    unwrapped,
)
from ctxlint.typescript.sinks import Sink

_DEPTH = 6
_NAMES = ("identifier", "shorthand_property_identifier")
# A change made only when the history is over a size is a cut to fit, which moves.
_BUDGET_WORDS = re.compile(r"token|size|limit|budget|max|length|context|window", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class HistoryChange:
    """A change to messages already sent: the node to report, what it does ("sorts"), the
    sink the history reaches."""

    node: Node
    effect: str
    sink: Sink


def history_changes(parsed: ParsedScript, sinks: list[Sink]) -> Iterator[HistoryChange]:
    """Each change, once, to messages already sent by one of the sinks."""
    seen: set[int] = set()
    for sink in sinks:
        for history, window in sent_histories(parsed, sink.value, 0):
            if window is not None:
                # Cut once before the loop that sends it: the same window for every call.
                if sends_in_loop_without(sink.call, window):
                    continue
                if window.id not in seen:
                    seen.add(window.id)
                    yield HistoryChange(window, WINDOW, sink)
                continue
            for node, effect in _changes_of(parsed, history, sink):
                if node.id not in seen:
                    seen.add(node.id)
                    yield HistoryChange(node, effect, sink)


def sent_histories(
    parsed: ParsedScript, value: Node, depth: int
) -> Iterator[tuple[Node, Node | None]]:
    """The histories a sent value is made of, each with the window cut from it at the sink
    (`history.slice(-20)`), if any. Also read by ctxlint.typescript.history_helpers, which
    follows the same histories into the helpers they are handed to."""
    if depth > _DEPTH:
        return
    node = unwrapped(value)
    kind = node.type
    if kind in ("identifier", "shorthand_property_identifier"):
        yield node, None
        bound = resolved(parsed, node)
        if bound is not None and bound.id != node.id:
            yield from sent_histories(parsed, bound, depth + 1)
    elif kind == "member_expression":
        yield node, None
    elif kind == "array":
        for element in node.named_children:
            if element.type == "spread_element" and element.named_children:
                yield from sent_histories(parsed, element.named_children[0], depth + 1)
    elif kind == "call_expression":
        receiver, method, arguments = method_call(parsed, node)
        if receiver is None:
            return
        if method == "slice" and drops_front(parsed, arguments, window_only=True):
            yield receiver, node
            yield from sent_histories(parsed, receiver, depth + 1)
        elif method in ("slice", "concat", "filter", "map"):
            yield from sent_histories(parsed, receiver, depth + 1)


def _changes_of(parsed: ParsedScript, history: Node, sink: Sink) -> Iterator[tuple[Node, str]]:
    key = history_key(parsed, history)
    if key is None:
        return
    text, bound = key
    region = history_region(history, bound)
    for node in descendants(region):
        found = change_at(parsed, node, text)
        if found is None:
            continue
        receiver, effect, reported = found
        if bound is not None and _binding_id(parsed, receiver) != bound[1].id:
            continue
        if _kept_across_calls(parsed, reported, bound, sink):
            yield reported, effect


def history_key(parsed: ParsedScript, history: Node) -> tuple[str, tuple[str, Node] | None] | None:
    """The text a change must name, and the binding of a local name (None for `this.x`)."""
    text = "".join(parsed.text(history).split())
    root = _root(history)
    if root.type == "this":
        return text, None
    # `request.messages` of a parameter is judged as the parameter is: a request rebuilt for
    # each call and reshaped before it is sent (the system message put in front) is stable.
    bound = binding(parsed, root) if root.type in _NAMES else None
    if bound is None:
        return None
    return text, bound


def _root(node: Node) -> Node:
    """`this` of `this.state.messages`, `request` of `request.messages`."""
    node = unwrapped(node)
    while node.type in ("member_expression", "subscript_expression"):
        inner = node.child_by_field_name("object")
        if inner is None:
            break
        node = unwrapped(inner)
    return node


def _binding_id(parsed: ParsedScript, name: Node) -> int | None:
    root = _root(name)
    bound = binding(parsed, root) if root.type in _NAMES else None
    return bound[1].id if bound is not None else None


def history_region(history: Node, bound: tuple[str, Node] | None) -> Node:
    """Where changes to the history can be: the function of a parameter, the block of a
    declaration, the class of `this.x`, else the file."""
    if bound is not None:
        kind, node = bound
        if kind == "parameter":
            return node
        return node.parent.parent if node.parent and node.parent.parent else node
    node = history
    while node.parent is not None:
        node = node.parent
        if node.type == "class_body":
            return node
    return node


def change_at(parsed: ParsedScript, node: Node, text: str) -> tuple[Node, str, Node] | None:
    """(the receiver named, the effect, the node to report) when the node changes messages
    already in `text`: the statement, or an item's edit in a loop over them."""
    found = direct_change(parsed, node, text)
    if found is not None:
        return (*found, node)
    kind = node.type
    edit = None
    if kind == "call_expression":
        receiver, method, arguments = method_call(parsed, node)
        if receiver is not None and method == "forEach" and text_of(parsed, receiver) == text:
            edit = _item_assignment(parsed, arguments[0]) if arguments else None
    elif kind == "for_in_statement":
        receiver = node.child_by_field_name("right")
        variable = node.child_by_field_name("left")
        if receiver is not None and variable is not None and text_of(parsed, receiver) == text:
            body = node.child_by_field_name("body")
            edit = _assigns_through(parsed, body, parsed.text(variable))
    if edit is None or receiver is None:
        return None
    return receiver, "edits messages in place while iterating", edit


def _item_assignment(parsed: ParsedScript, callback: Node) -> Node | None:
    """In `history.forEach((m) => ...)`, an assignment to a key of `m`."""
    callback = unwrapped(callback)
    if callback.type not in FUNCTIONS:
        return None
    parameters = callback.child_by_field_name("parameters") or callback.child_by_field_name(
        "parameter"
    )
    if parameters is None:
        return None
    first = parameters if parameters.type == "identifier" else None
    if first is None and parameters.named_children:
        candidate = parameters.named_children[0]
        pattern = (
            candidate.child_by_field_name("pattern")
            if candidate.type != "identifier"
            else candidate
        )
        first = pattern if pattern is not None and pattern.type == "identifier" else None
    if first is None:
        return None
    return _assigns_through(parsed, callback.child_by_field_name("body"), parsed.text(first))


def _assigns_through(parsed: ParsedScript, body: Node | None, item: str) -> Node | None:
    """The body's assignment to a key of the item (`m.content = x`), other than a cache marker."""
    if body is None:
        return None
    if item.startswith(("const ", "let ", "var ")):
        item = item.split(None, 1)[1]
    for node in descendants(body):
        if node.type not in ("assignment_expression", "augmented_assignment_expression"):
            continue
        left = node.child_by_field_name("left")
        keys: list[str] = []
        while left is not None and left.type in ("member_expression", "subscript_expression"):
            member = left.child_by_field_name("property")
            if member is not None:
                keys.append(parsed.text(member))
            left = left.child_by_field_name("object")
        named = left is not None and left.type == "identifier" and parsed.text(left) == item
        if named and keys and not any(key in NEUTRAL_KEYS for key in keys):
            return node
    return None


def _kept_across_calls(
    parsed: ParsedScript, change: Node, bound: tuple[str, Node] | None, sink: Sink
) -> bool:
    """Whether the history outlives one call, so that the change touches messages a previous
    call sent: kept on an object or at the top level; a parameter cut to a size or changed in
    the loop that sends it; a local changed in a loop that sends it, made before that loop."""
    if bound is None or bound[0] == "module":
        return True
    kind, node = bound
    loop = shared_loop(change, sink.call)
    if kind == "parameter":
        return loop is not None or size_driven(parsed, change)
    return loop is not None and node.start_byte < loop.start_byte


def shared_loop(change: Node, call: Node) -> Node | None:
    """The innermost loop of the sink's function that holds both the change and the call."""
    function = enclosing_function(call)
    node = call.parent
    while node is not None and node is not function:
        if node.type in LOOPS and node.start_byte <= change.start_byte < node.end_byte:
            return node
        node = node.parent
    return None


def sends_in_loop_without(call: Node, node: Node) -> bool:
    """Whether the call is made in a loop of its function that does not hold the node."""
    function = enclosing_function(call)
    loop = call.parent
    while loop is not None and loop is not function:
        if loop.type in LOOPS:
            return not (loop.start_byte <= node.start_byte < loop.end_byte)
        loop = loop.parent
    return False


def size_driven(parsed: ParsedScript, change: Node) -> bool:
    """Whether the change is a cut to fit: sized by its arguments (`splice(0, messages.length
    - MAX)`) or made under a condition on a size. A value assigned says nothing of it."""
    arguments = (
        change.child_by_field_name("arguments") if change.type == "call_expression" else None
    )
    if arguments is not None and _BUDGET_WORDS.search(parsed.text(arguments)):
        return True
    node = change.parent
    while node is not None and node.type not in FUNCTIONS:
        if node.type in ("if_statement", "while_statement"):
            condition = node.child_by_field_name("condition")
            if condition is not None and _BUDGET_WORDS.search(parsed.text(condition)):
                return True
        node = node.parent
    return False


def in_sanctioned_function(parsed: ParsedScript, node: Node, sanctioned: tuple[str, ...]) -> bool:
    from ctxlint.typescript.scope import function_names

    if not sanctioned:
        return False
    function = enclosing_function(node)
    while function is not None:
        if any(name in sanctioned for name in function_names(parsed, function)):
            return True
        function = enclosing_function(function)
    return False
