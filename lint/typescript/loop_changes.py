"""What a loop changes from one pass to the next in TypeScript or JavaScript: the innermost
loop around a node in its function, the names the loop gives new values, and the names a value
is made of; a tool list made from a name the loop changes differs between its calls.
"""

from __future__ import annotations

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import FUNCTIONS, LOOPS, enclosing_function


def loop_around(node: Node) -> Node | None:
    """The innermost loop around the node within its function."""
    function = enclosing_function(node)
    around = node.parent
    while around is not None and around is not function:
        if around.type in LOOPS:
            return around
        around = around.parent
    return None


def names_changed_in(parsed: ParsedScript, loop: Node) -> set[str]:
    """Names given a new value in the loop: assigned, updated, or declared in its body (and
    the loop's own variable); `state.phase` counts as `state.phase` and `state`."""
    names: set[str] = set()
    pending = [loop]
    while pending:
        node = pending.pop()
        kind = node.type
        target = None
        if kind in ("assignment_expression", "augmented_assignment_expression"):
            target = node.child_by_field_name("left")
        elif kind == "update_expression":
            target = node.child_by_field_name("argument")
        elif kind == "variable_declarator":
            target = node.child_by_field_name("name")
        elif kind == "for_in_statement":
            target = node.child_by_field_name("left")
        if target is not None:
            text = "".join(parsed.text(target).split())
            for prefix in ("const", "let", "var"):
                text = text.removeprefix(prefix)
            names.add(text)
            names.add(text.split(".", 1)[0].split("[", 1)[0])
        if kind in FUNCTIONS and node is not loop:
            continue  # a callback's own variables
        pending.extend(node.named_children)
    names.discard("")
    return names


def names_in(parsed: ParsedScript, nodes: list[Node]) -> set[str]:
    """The names the nodes are made of, a member expression (`state.phase`) whole as well."""
    names: set[str] = set()
    pending = [n for n in nodes if n is not None]
    while pending:
        node = pending.pop()
        if node.type in ("identifier", "shorthand_property_identifier"):
            names.add(parsed.text(node))
        elif node.type == "member_expression":
            names.add("".join(parsed.text(node).split()))
        pending.extend(node.named_children)
    return names


def within(node: Node, outer: Node) -> bool:
    """Whether the node lies inside `outer` (or is it)."""
    return outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte
