"""What an agent keeps and changes from turn to turn: its task list (`this.todos`, changed
after the constructor), a count of its turns (`this.turnCount++`), and the count of a loop
that sends a request on each pass (`for (let step = 0; ...; step++)`), as the Python side's
task lists, turn counts and loop counters (ctxlint.python.per_turn, turn_values)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import LOOPS, binding

_TASK_LIST = re.compile(r"(?i)^_*(todos?|todo_?list|task_?list|tasks|plan|plan_?steps|checklist)$")
_TURN_COUNT = re.compile(
    r"(?i)^_*(turns?|turn_?(count|number|index)|steps?|step_?(count|number|index)|iterations?"
    r"|rounds?|round_?(count|number))$"
)
_CHANGING_METHODS = frozenset(
    {"push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "set", "delete",
     "clear", "add"}
)  # fmt: skip
_CLASSES = ("class_declaration", "class", "abstract_class_declaration")


def loop_count(parsed: ParsedScript, name: Node, sent: Node) -> str | None:
    """What a name is when it counts the passes of a loop that makes the request `sent` on
    each pass: `i` of `for (let i = 0; ...; i++)`, or a `let` counted up (`step++`, `+= 1`)
    in such a loop."""
    if name.type != "identifier":
        return None
    wanted = parsed.text(name)
    loop = _counting_loop(parsed, name, wanted)
    if loop is not None:
        return "the loop's iteration count" if _inside(sent, loop) else None
    bound = binding(parsed, name)
    if bound is None or bound[0] == "parameter":
        return None
    statement = bound[1].parent
    scope = statement.parent if statement is not None else None
    pending = [scope] if scope is not None else []
    while pending:
        node = pending.pop()
        if node.type in LOOPS and _inside(sent, node) and _counts_up(parsed, node, wanted):
            return "a count the loop advances"
        pending.extend(child for child in node.named_children if child.type not in _FUNCTIONS)
    return None


def _counting_loop(parsed: ParsedScript, name: Node, wanted: str) -> Node | None:
    """The `for` whose initializer declares the name and whose increment counts it up."""
    node = name.parent
    while node is not None and node.type not in _FUNCTIONS:
        if node.type == "for_statement":
            initializer = node.child_by_field_name("initializer")
            increment = node.child_by_field_name("increment")
            declared = initializer is not None and any(
                declarator.type == "variable_declarator"
                and (bound := declarator.child_by_field_name("name")) is not None
                and parsed.text(bound) == wanted
                for declarator in initializer.named_children
            )
            if declared:
                counted = increment is not None and _counts_up(parsed, increment, wanted)
                return node if counted else None
        node = node.parent
    return None


_FUNCTIONS = frozenset(
    {"function_declaration", "function_expression", "arrow_function", "method_definition"}
)


def _counts_up(parsed: ParsedScript, within: Node, wanted: str) -> bool:
    pending = [within]
    while pending:
        node = pending.pop()
        if node.type == "update_expression" and "++" in parsed.text(node):
            argument = node.child_by_field_name("argument")
            if argument is not None and parsed.text(argument) == wanted:
                return True
        elif node.type == "augmented_assignment_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if (
                left is not None
                and right is not None
                and parsed.text(left) == wanted
                and parsed.text(right) == "1"
            ):
                return True
        if node.type not in _FUNCTIONS:
            pending.extend(node.named_children)
    return False


def _inside(node: Node, outer: Node) -> bool:
    return outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte


def is_task_list(parsed: ParsedScript, member: Node) -> bool:
    """`this.todos` when its class changes it after the constructor: a list set once from the
    configuration is the agent's, not this turn's."""
    name = _property(parsed, member)
    if name is None or not _TASK_LIST.match(name):
        return False
    return any(True for _ in _changes(parsed, member, name, counted=False))


def is_turn_counter(parsed: ParsedScript, member: Node) -> bool:
    """`this.turnCount` when its class counts it up (`++`, `+= 1`) after the constructor."""
    name = _property(parsed, member)
    if name is None or not _TURN_COUNT.match(name):
        return False
    return any(True for _ in _changes(parsed, member, name, counted=True))


def _property(parsed: ParsedScript, member: Node) -> str | None:
    target = member.child_by_field_name("object")
    name = member.child_by_field_name("property")
    if target is None or target.type != "this" or name is None:
        return None
    return parsed.text(name)


def _changes(parsed: ParsedScript, member: Node, name: str, counted: bool) -> Iterator[Node]:
    owner = member.parent
    while owner is not None and owner.type not in _CLASSES:
        owner = owner.parent
    body = owner.child_by_field_name("body") if owner is not None else None
    if body is None:
        return
    wanted = f"this.{name}"
    for method in body.named_children:
        # Methods, and functions kept in fields (`handle = async () => {...}`).
        if method.type not in ("method_definition", "public_field_definition"):
            continue
        if _method_name(parsed, method) == "constructor":
            continue
        pending = [method]
        while pending:
            node = pending.pop()
            if _changes_here(parsed, node, wanted, counted):
                yield node
            pending.extend(node.named_children)


def _changes_here(parsed: ParsedScript, node: Node, wanted: str, counted: bool) -> bool:
    kind = node.type
    if kind == "update_expression":
        argument = node.child_by_field_name("argument")
        return (
            argument is not None and _text(parsed, argument) == wanted and "++" in parsed.text(node)
        )
    if kind == "augmented_assignment_expression":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or _text(parsed, left) != wanted:
            return False
        return not counted or (right is not None and parsed.text(right) == "1")
    if counted:
        return False
    if kind == "assignment_expression":
        left = node.child_by_field_name("left")
        return left is not None and _text(parsed, left) == wanted
    if kind == "call_expression":
        function = node.child_by_field_name("function")
        if function is None or function.type != "member_expression":
            return False
        target = function.child_by_field_name("object")
        method = function.child_by_field_name("property")
        return (
            target is not None
            and _text(parsed, target) == wanted
            and method is not None
            and parsed.text(method) in _CHANGING_METHODS
        )
    return False


def _method_name(parsed: ParsedScript, method: Node) -> str:
    name = method.child_by_field_name("name") or method.child_by_field_name("property")
    return parsed.text(name) if name is not None else ""


def _text(parsed: ParsedScript, node: Node) -> str:
    return "".join(parsed.text(node).split())
