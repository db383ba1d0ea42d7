"""Which JavaScript collections a function fills in the order concurrent async callbacks
complete: `items.map(async (x) => { const r = await load(x); found.set(x, r) })`, or
`forEach` with an async callback. Each callback adds its entry when its `await` completes, so
the collection's order is the completion order, which changes from one call to the next.
ctxlint.typescript.unordered follows such a collection into what is sent.
"""

from __future__ import annotations

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import FUNCTIONS

# The collections `new X(...)` makes, which keep the order their items are added in.
CONTAINERS = ("Map", "Set")
_FILLS = frozenset({"set", "add", "push", "unshift"})


def is_empty_collection(parsed: ParsedScript, value: Node) -> bool:
    """Whether the value is an empty collection to be filled: `[]`, `{}`, `new Map()`,
    `new Set()`."""
    if value.type in ("array", "object"):
        return not value.named_children
    if value.type == "new_expression":
        constructor = value.child_by_field_name("constructor")
        arguments = value.child_by_field_name("arguments")
        empty = arguments is None or not arguments.named_children
        return constructor is not None and parsed.text(constructor) in CONTAINERS and empty
    return False


def completion_fill(parsed: ParsedScript, declarator: Node) -> Node | None:
    """A place that adds to the collection `declarator` declares from an async callback run
    concurrently (passed to `.map()` or `.forEach()`) after an `await` in it; None when the
    collection is filled in a fixed order."""
    name_node = declarator.child_by_field_name("name")
    block = declarator.parent.parent if declarator.parent is not None else None
    if name_node is None or block is None:
        return None
    name = parsed.text(name_node)
    pending = list(block.named_children)
    while pending:
        node = pending.pop()
        pending.extend(node.named_children)
        if not _adds_to(parsed, node, name):
            continue
        callback = _concurrent_callback(parsed, node)
        if callback is not None and _awaits_before(callback, node):
            return node
    return None


def _adds_to(parsed: ParsedScript, node: Node, name: str) -> bool:
    if node.type == "call_expression":
        function = node.child_by_field_name("function")
        if function is None or function.type != "member_expression":
            return False
        target = function.child_by_field_name("object")
        method = function.child_by_field_name("property")
        return (
            target is not None
            and method is not None
            and parsed.text(target) == name
            and parsed.text(method) in _FILLS
        )
    if node.type == "assignment_expression":
        left = node.child_by_field_name("left")
        if left is not None and left.type == "subscript_expression":
            target = left.child_by_field_name("object")
            return target is not None and parsed.text(target) == name
    return False


def _concurrent_callback(parsed: ParsedScript, node: Node) -> Node | None:
    """The innermost async function around `node`, when it is the callback of a `.map()` or a
    `.forEach()`: each item's callback starts at once and resumes when its await completes."""
    parent = node.parent
    while parent is not None:
        if parent.type in FUNCTIONS:
            if not parsed.text(parent).startswith("async"):
                return None
            arguments = parent.parent
            call = arguments.parent if arguments is not None else None
            if call is None or arguments.type != "arguments" or call.type != "call_expression":
                return None
            function = call.child_by_field_name("function")
            method = function.child_by_field_name("property") if function is not None else None
            if method is None or parsed.text(method) not in ("map", "forEach"):
                return None
            return parent
        parent = parent.parent
    return None


def _awaits_before(callback: Node, node: Node) -> bool:
    """Whether an `await` of the callback itself comes before `node` or inside it
    (`found.push(await load(x))`): the code before the first await runs synchronously, in the
    order of the items."""
    pending = list(callback.named_children)
    while pending:
        current = pending.pop()
        if current.type in FUNCTIONS:
            continue
        if current.type == "await_expression" and current.start_byte < node.end_byte:
            return True
        pending.extend(current.named_children)
    return False
