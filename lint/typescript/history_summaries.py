"""What a TypeScript or JavaScript function does to the histories it is handed: which of its
parameters it changes in place (`splice` from the front, `shift`, an older item's content
rewritten), and what it returns relative to them (a window cut from the end, the first
message and such a window, a copy with older items stubbed out, as a property of an object it
returns or the value itself).

A summary is computed when a sent history first meets a call of the function, from the
function's own code and, a few calls deep, from the summaries of the functions it calls in its
file; in the file the history is sent from, also of a function it imports (one level across
modules, as ctxlint.python.summaries does; ctxlint.typescript.callees finds the function).
Recursion and unknown callees add nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tree_sitter import Node

from ctxlint.typescript.callees import callee, destructured_from, parameter_names
from ctxlint.typescript.history import change_at, size_driven
from ctxlint.typescript.history_edits import drops_front, method_call, text_of
from ctxlint.typescript.parse import ParsedScript, descendants
from ctxlint.typescript.scope import (
    FUNCTIONS,
    declaration,
    is_parameter_of,
    object_properties,
    returned,
    unwrapped,
)

if TYPE_CHECKING:
    from ctxlint.typescript.project import ScriptProject

# Calls followed within a file from one summary to the next: a chain of helpers this deep.
_DEPTH = 3
_CONDITIONS = ("if_statement", "ternary_expression", "while_statement")

RETURNED_WINDOW = "returns a window that moves its start and so rewrites"
RETURNED_HEAD_AND_WINDOW = (
    "keeps the first message and a window that moves its start, and so rewrites"
)
RETURNED_STUB = "stubs out older messages as the list grows, and so rewrites"


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A change a function makes to its parameter `parameter` (by position): the node that
    makes it, in the file `parsed`, what it does, the property of the returned object it is
    sent as (None: the value returned itself), and whether it is a cut to fit a size."""

    parameter: int
    node: Node
    parsed: ParsedScript
    effect: str
    key: str | None = None
    sized: bool = False


@dataclass(frozen=True, slots=True)
class Summary:
    edits: tuple[Rewrite, ...] = ()
    returns: tuple[Rewrite, ...] = ()


EMPTY = Summary()
# The position a rewrite of a list the method's object keeps (`this.history`) is given.
THIS_FIELD = -1
_kept: dict[tuple[str, int], tuple[ParsedScript, Summary]] = {}
_KEPT = 4096


def summary(
    parsed: ParsedScript,
    function: Node,
    project: ScriptProject | None = None,
    depth: int = 0,
    active: frozenset[int] = frozenset(),
) -> Summary:
    """What `function` (in `parsed`) does to its parameters; with the project, calls of
    imported functions count with their own file's summaries."""
    key = (parsed.path, function.id)
    kept = _kept.get(key) if project is None else None
    if kept is not None and kept[0] is parsed:
        return kept[1]
    if depth > _DEPTH or function.id in active:
        return EMPTY
    active = active | {function.id}
    names = parameter_names(parsed, function)
    if not any(names) and function.type != "method_definition":
        return EMPTY
    edits = list(_edits(parsed, function, names, project, depth, active))
    returns: list[Rewrite] = []
    for value in returned(function):
        returns.extend(_returned(parsed, value, function, names, project, depth, active, 0))
    found = Summary(tuple(edits), tuple(returns)) if edits or returns else EMPTY
    if project is None and depth == 0:
        if len(_kept) > _KEPT:
            _kept.clear()
        _kept[key] = (parsed, found)
    return found


def _edits(
    parsed: ParsedScript,
    function: Node,
    names: list[str],
    project: ScriptProject | None,
    depth: int,
    active: frozenset[int],
) -> Iterator[Rewrite]:
    body = function.child_by_field_name("body")
    for node in descendants(body) if body is not None else ():
        for position, name in enumerate(names):
            if not name:
                continue
            found = change_at(parsed, node, name)
            if found is not None and is_parameter_of(parsed, found[0], function):
                _, effect, reported = found
                yield Rewrite(position, reported, parsed, effect, None, size_driven(parsed, node))
        if node.type == "call_expression":
            yield from _edits_through(parsed, node, function, names, project, depth, active)


def _edits_through(
    parsed: ParsedScript,
    call: Node,
    function: Node,
    names: list[str],
    project: ScriptProject | None,
    depth: int,
    active: frozenset[int],
) -> Iterator[Rewrite]:
    """A parameter handed on to a function that changes it (`trim(messages)`)."""
    target = callee(parsed, call, project)
    if target is None:
        return
    where, called = target
    inner = summary(where, called, None, depth + 1, active)
    for edit in inner.edits:
        position = _argument_parameter(parsed, call, edit.parameter, function, names)
        if position is not None:
            yield Rewrite(position, edit.node, edit.parsed, edit.effect, None, edit.sized)


def _argument_parameter(
    parsed: ParsedScript, call: Node, index: int, function: Node, names: list[str]
) -> int | None:
    """The position among `names` of the parameter passed as the call's argument `index`."""
    arguments = call.child_by_field_name("arguments")
    listed = [a for a in arguments.named_children if a.type != "comment"] if arguments else []
    if not 0 <= index < len(listed):
        return None
    argument = unwrapped(listed[index])
    if argument.type != "identifier" or not is_parameter_of(parsed, argument, function):
        return None
    text = parsed.text(argument)
    return names.index(text) if text in names else None


def _returned(
    parsed: ParsedScript,
    value: Node,
    function: Node,
    names: list[str],
    project: ScriptProject | None,
    depth: int,
    active: frozenset[int],
    steps: int,
) -> Iterator[Rewrite]:
    """How a returned value rebuilds a parameter: a window, the first message and a window,
    older items stubbed; through consts, objects returned, and calls of known helpers."""
    if steps > 6:
        return
    value = unwrapped(value)
    kind = value.type

    def again(node: Node, more: int = 1) -> Iterator[Rewrite]:
        return _returned(parsed, node, function, names, project, depth, active, steps + more)

    if kind == "identifier":
        bound = declaration(parsed, value)
        if bound is not None and bound.type == "variable_declarator":
            initial = bound.child_by_field_name("value")
            if initial is not None:
                yield from again(initial)
        else:
            yield from _destructured(parsed, value, function, names, project, depth, active)
    elif kind == "ternary_expression":
        for field in ("consequence", "alternative"):
            branch = value.child_by_field_name(field)
            if branch is not None:
                yield from again(branch)
    elif kind == "object":
        for key, property_value in object_properties(parsed, value).items():
            for rewrite in again(property_value):
                if rewrite.key is None:
                    yield Rewrite(
                        rewrite.parameter, rewrite.node, rewrite.parsed, rewrite.effect, key
                    )
    elif kind == "array":
        elements = value.named_children
        for position, element in enumerate(elements):
            if element.type != "spread_element" or not element.named_children:
                continue
            for rewrite in again(element.named_children[0]):
                if rewrite.effect == RETURNED_WINDOW and position:
                    yield Rewrite(rewrite.parameter, value, parsed, RETURNED_HEAD_AND_WINDOW)
                else:
                    yield rewrite
    elif kind == "call_expression":
        receiver, method, arguments = method_call(parsed, value)
        if receiver is not None:
            parameter = _parameter_position(parsed, receiver, function, names)
            if parameter is None and _own_field(receiver, function):
                parameter = THIS_FIELD
            if parameter is not None:
                if method == "slice" and drops_front(parsed, arguments, window_only=True):
                    yield Rewrite(parameter, value, parsed, RETURNED_WINDOW)
                elif method == "map" and arguments and _stubs_by_position(parsed, arguments[0]):
                    yield Rewrite(parameter, value, parsed, RETURNED_STUB)
            elif method in ("map", "filter", "concat", "slice"):
                # `msgs.slice(-20).map(convert)`: each item converted, the window kept.
                yield from again(receiver)
            return
        target = callee(parsed, value, project)
        if target is None:
            return
        where, called = target
        inner = summary(where, called, None, depth + 1, active)
        for rewrite in inner.returns:
            if rewrite.key is not None:
                continue
            position = _argument_parameter(parsed, value, rewrite.parameter, function, names)
            if position is not None:
                yield Rewrite(position, rewrite.node, rewrite.parsed, rewrite.effect)


def _destructured(
    parsed: ParsedScript,
    name: Node,
    function: Node,
    names: list[str],
    project: ScriptProject | None,
    depth: int,
    active: frozenset[int],
) -> Iterator[Rewrite]:
    """`const { messages: out } = condense(messages)`: the property `messages` of what the
    helper returns, when the helper returns a rewrite of its parameter as that property."""
    found = destructured_from(parsed, name)
    if found is None:
        return
    key, call = found
    target = callee(parsed, call, project)
    if target is None:
        return
    where, called = target
    for rewrite in summary(where, called, None, depth + 1, active).returns:
        if rewrite.key != key:
            continue
        position = _argument_parameter(parsed, call, rewrite.parameter, function, names)
        if position is not None:
            yield Rewrite(position, rewrite.node, rewrite.parsed, rewrite.effect)


def _own_field(node: Node, function: Node) -> bool:
    """`this.history` in a method: a list the object keeps across calls."""
    node = unwrapped(node)
    target = node.child_by_field_name("object") if node.type == "member_expression" else None
    return (
        function.type == "method_definition"
        and target is not None
        and unwrapped(target).type == "this"
    )


def _parameter_position(
    parsed: ParsedScript, node: Node, function: Node, names: list[str]
) -> int | None:
    node = unwrapped(node)
    if node.type != "identifier" or not is_parameter_of(parsed, node, function):
        return None
    text = text_of(parsed, node)
    return names.index(text) if text in names else None


def _stubs_by_position(parsed: ParsedScript, callback: Node) -> bool:
    """`(m, i) => old(i) ? { ...m, content: STUB } : m`: some items returned as they are,
    others rebuilt from themselves, under a condition on their position, which moves as the
    list grows. A rewrite decided by each item alone is the same on every call."""
    callback = unwrapped(callback)
    if callback.type not in FUNCTIONS:
        return False
    names = parameter_names(parsed, callback)
    if len(names) < 2 or not names[0] or not names[1]:
        return False
    item, position = names[0], names[1]
    values = [unwrapped(v) for v in _branches(returned(callback))]
    kept = any(v.type == "identifier" and parsed.text(v) == item for v in values)
    rebuilt = any(
        v.type == "object"
        and any(
            c.type == "spread_element" and text_of(parsed, c.named_children[0]) == item
            for c in v.named_children
            if c.named_children
        )
        for v in values
    )
    if not (kept and rebuilt):
        return False
    body = callback.child_by_field_name("body")
    pending = [body] if body is not None else []
    while pending:
        node = pending.pop()
        if node.type in _CONDITIONS:
            condition = node.child_by_field_name("condition")
            if condition is not None and _mentions(parsed, condition, position):
                return True
        pending.extend(node.named_children)
    return False


def _branches(values: Iterator[Node]) -> Iterator[Node]:
    for value in values:
        value = unwrapped(value)
        if value.type == "ternary_expression":
            for field in ("consequence", "alternative"):
                branch = value.child_by_field_name(field)
                if branch is not None:
                    yield unwrapped(branch)
        else:
            yield value


def _mentions(parsed: ParsedScript, node: Node, name: str) -> bool:
    return any(
        found.type == "identifier" and parsed.text(found) == name for found in descendants(node)
    )
