"""Whether a value is built only when an option that is off by default is turned on:
`flag ? clockLine : ""` for `{ flag = false } = options`, and `if (flag) { ... }`.

Maintainers who know what a clock in the system prompt costs keep it behind such a switch
(and say so beside it); reporting the read there tells them nothing they did not choose.
"""

from __future__ import annotations

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import FUNCTIONS, unwrapped

_DEFAULT_OFF = ("false", "undefined", "null")


def behind_an_opt_in(parsed: ParsedScript, node: Node) -> bool:
    """The node is in the branch a condition on a switch off by default guards, within its
    function (`flag ? node : ""`, `if (flag) { ... node ... }`, `flag && node`)."""
    child, parent = node, node.parent
    while parent is not None and parent.type not in FUNCTIONS:
        condition = _guard(parent, child)
        if condition is not None:
            name = _switch_name(parsed, condition)
            function = _function_of(parent)
            off = name is not None and function is not None
            if off and _off_by_default(parsed, function, name):
                return True
        child, parent = parent, parent.parent
    return False


def _guard(parent: Node, child: Node) -> Node | None:
    """The condition under which `child` runs, when `parent` guards it."""
    if parent.type in ("ternary_expression", "if_statement"):
        if parent.child_by_field_name("consequence") == child:
            return parent.child_by_field_name("condition")
    elif parent.type == "binary_expression":
        operator = parent.child_by_field_name("operator")
        is_and = operator is not None and operator.type == "&&"
        if is_and and parent.child_by_field_name("right") == child:
            return parent.child_by_field_name("left")
    return None


def _switch_name(parsed: ParsedScript, condition: Node) -> str | None:
    condition = unwrapped(condition)
    while condition.type == "parenthesized_expression" and condition.named_children:
        condition = unwrapped(condition.named_children[0])
    if condition.type == "identifier":
        return parsed.text(condition)
    if condition.type == "member_expression":  # `options.includeDateTime`
        name = condition.child_by_field_name("property")
        return parsed.text(name) if name is not None else None
    return None


def _function_of(node: Node) -> Node | None:
    while node is not None and node.type not in FUNCTIONS:
        node = node.parent
    return node


def _off_by_default(parsed: ParsedScript, function: Node, name: str) -> bool:
    """A parameter or a property destructured in the function, defaulting to false."""
    pending = [function.child_by_field_name("parameters"), function.child_by_field_name("body")]
    while pending:
        node = pending.pop()
        if node is None or node.type in FUNCTIONS:
            continue
        if node.type in ("object_assignment_pattern", "assignment_pattern"):
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and right is not None and parsed.text(left) == name:
                return parsed.text(right) in _DEFAULT_OFF
        if node.type == "required_parameter":
            pattern, value = node.child_by_field_name("pattern"), node.child_by_field_name("value")
            if pattern is not None and value is not None and parsed.text(pattern) == name:
                return parsed.text(value) in _DEFAULT_OFF
        pending.extend(node.named_children)
    return False
