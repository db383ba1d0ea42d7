"""Cache breakpoints a TypeScript or JavaScript file adds outside one request literal, in
the two shapes CTX008 reports there:
- a breakpoint added on every pass of a loop over items of unknown number (`for (const b of
  blocks)`, `.map((m) => ({...m, cache_control}))`), when nothing that changes per item (the
  item, its index, a length) decides it: past 4 items the request is rejected;
- a local helper that returns a marked copy (`({...msg, providerOptions: {anthropic:
  {cacheControl}}})`) called as a statement: the copy is dropped, and the original, sent,
  carries no breakpoint (getnao/nao#178).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from ctxlint.typescript.breakpoints import Marker, file_markers, marker_at, stops_early
from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import FUNCTIONS, declaration, function_of, returned, unwrapped

_PER_ITEM_METHODS = frozenset({"map", "forEach", "flatMap"})
_CONDITIONS = frozenset({"if_statement", "ternary_expression", "switch_statement"})
# What in a condition tells items apart: a position or a count.
_POSITIONAL = re.compile(r"length|last|index|idx|\bi\b|\bj\b|===?|!==?|<|>")


@dataclass(frozen=True, slots=True)
class PerItem:
    marker: Marker
    iterated: Node


def per_item(parsed: ParsedScript, markers: list[Marker] | None = None) -> list[PerItem]:
    """Breakpoints added once per item of a loop, whatever the number of items."""
    found = []
    for marker in markers if markers is not None else file_markers(parsed):
        if marker.automatic:
            continue
        loop = _loop_of(parsed, marker)
        if loop is not None:
            found.append(PerItem(marker, loop))
    return found


def _loop_of(parsed: ParsedScript, marker: Marker) -> Node | None:
    """What the loop around a breakpoint iterates, when each pass adds one more."""
    conditions: list[Node] = []
    node = marker.node
    while node.parent is not None:
        parent = node.parent
        if parent.type in _CONDITIONS:
            conditions.append(parent.child_by_field_name("condition") or parent)
        elif parent.type == "binary_expression" and parsed.text(parent).find("&&") >= 0:
            conditions.append(parent.child_by_field_name("left") or parent)
        elif parent.type == "for_in_statement":
            items = parent.child_by_field_name("left")
            iterated = parent.child_by_field_name("right")
            body = parent.child_by_field_name("body")
            if items is None or iterated is None or body is None or stops_early(body):
                return None
            names = [parsed.text(items)]
            return _judged(parsed, marker, iterated, names, conditions, body)
        elif parent.type in FUNCTIONS:
            return _callback_loop(parsed, marker, parent, conditions)
        elif parent.type in ("for_statement", "while_statement", "do_statement", "class_body"):
            return None  # counted loops and retries mark the same places on each pass
        node = parent
    return None


def _callback_loop(
    parsed: ParsedScript, marker: Marker, function: Node, conditions: list[Node]
) -> Node | None:
    arguments = function.parent
    call = arguments.parent if arguments is not None else None
    if call is None or call.type != "call_expression" or arguments.type != "arguments":
        return None
    callee = call.child_by_field_name("function")
    if callee is None or callee.type != "member_expression":
        return None
    method = callee.child_by_field_name("property")
    iterated = callee.child_by_field_name("object")
    if method is None or iterated is None or parsed.text(method) not in _PER_ITEM_METHODS:
        return None
    parameters = function.child_by_field_name("parameters") or function.child_by_field_name(
        "parameter"
    )
    names = re.findall(r"[A-Za-z_$][\w$]*", parsed.text(parameters)) if parameters else []
    return _judged(parsed, marker, iterated, names, conditions, function)


def _judged(
    parsed: ParsedScript,
    marker: Marker,
    iterated: Node,
    names: list[str],
    conditions: list[Node],
    each_pass: Node,
) -> Node | None:
    """The iterated expression, unless the items are few and known, or the breakpoint is
    decided per item, carried from the item, or set on one fixed place each pass."""
    iterated = unwrapped(iterated)
    walked = "".join(parsed.text(iterated).split())
    # A literal list, the last few items, or the parts of a prompt split at markers the code
    # places itself (a cache boundary): items the code counts, not the input's.
    if iterated.type == "array" or ".slice(-" in walked or ".split(" in walked:
        return None
    mentioned = [n for n in names if n not in ("const", "let", "var")]
    if not mentioned:
        return None
    for condition in conditions:
        text = parsed.text(condition)
        if _POSITIONAL.search(text) or any(_names(text, n) for n in mentioned):
            return None
    if any(_names(parsed.text(marker.value), n) for n in mentioned):
        return None  # the item's own cache setting, carried over
    if _computed_per_pass(parsed, marker.value, each_pass):
        return None  # `const cacheControl = getCacheControl(part)` in the loop
    if marker.node.type in ("member_expression", "subscript_expression"):
        target = parsed.text(marker.node.child_by_field_name("object") or marker.node)
        if not any(_names(target, n) for n in mentioned):
            return None  # the same fixed block marked again on each pass
    return iterated


def _computed_per_pass(parsed: ParsedScript, value: Node, each_pass: Node) -> bool:
    """Whether the breakpoint's value is a name the loop's body declares anew for each item."""
    node = unwrapped(value)
    if node.type not in ("identifier", "shorthand_property_identifier"):
        return False
    bound = declaration(parsed, node)
    return bound is not None and each_pass.start_byte <= bound.start_byte < each_pass.end_byte


def _names(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w$.]){re.escape(name)}(?![\w$])", text) is not None


@dataclass(frozen=True, slots=True)
class Dropped:
    call: Node
    helper: Node


def dropped_copies(parsed: ParsedScript) -> list[Dropped]:
    """Calls, as statements, of a local helper that returns a marked copy of an argument."""
    found = []
    pending = [parsed.root]
    while pending:
        node = pending.pop()
        pending.extend(node.named_children)
        if node.type != "expression_statement" or not node.named_children:
            continue
        call = unwrapped(node.named_children[0])
        if call.type != "call_expression":
            continue
        function = call.child_by_field_name("function")
        if function is None or function.type != "identifier":
            continue
        helper = _helper(parsed, function)
        if helper is not None and _returns_marked_copy(parsed, helper):
            found.append(Dropped(call, helper))
    return found


def _helper(parsed: ParsedScript, name: Node) -> Node | None:
    bound = declaration(parsed, name)
    return function_of(bound) if bound is not None else None


def _returns_marked_copy(parsed: ParsedScript, function: Node) -> bool:
    parameters = function.child_by_field_name("parameters") or function.child_by_field_name(
        "parameter"
    )
    if parameters is None:
        return False
    names = set(re.findall(r"[A-Za-z_$][\w$]*", parsed.text(parameters)))
    for value in returned(function):
        literal = unwrapped(value)
        if literal.type != "object":
            continue
        copied = any(
            child.type == "spread_element"
            and child.named_children
            and parsed.text(child.named_children[0]).split(".")[0] in names
            for child in literal.named_children
        )
        if copied and any(_marks(parsed, literal)):
            return True
    return False


def _marks(parsed: ParsedScript, literal: Node) -> Iterator[Marker]:
    pending = [literal]
    while pending:
        node = pending.pop()
        if node.type in FUNCTIONS:
            continue
        marker = marker_at(parsed, node)
        if marker is not None and not marker.automatic:
            yield marker
        pending.extend(node.named_children)
