"""What an agent class keeps and changes from turn to turn, read through `this`: its task list
(`this.todos`, changed after the constructor) and a count of its turns (`this.turnCount++`),
as the Python side's task lists and turn counts (ctxlint.python.per_turn, turn_values)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript

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
