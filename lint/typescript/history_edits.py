"""Which statements change messages already in a TypeScript or JavaScript history, and how:
`splice` at an earlier position, `shift`, `unshift`, `sort`, `reverse`, assigning an older item
or its content, rebinding it to a window that drops the front. Appending, the newest message
(an index counted from the end) and cache markers are not changes. Used by
ctxlint.typescript.history, which decides which histories outlive a call.
"""

from __future__ import annotations

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import resolved, unwrapped

# Keys whose change leaves what the model reads as it was: cache markers and provider options.
NEUTRAL_KEYS = frozenset(
    {
        "cache_control",
        "cacheControl",
        "providerOptions",
        "providerMetadata",
        "experimental_providerMetadata",
    }
)
_IN_PLACE = {
    "shift": "drops the oldest message of",
    "unshift": "puts a new message in front of",
    "sort": "sorts",
    "reverse": "reverses",
}
WINDOW = "keeps a window that moves its start and so rewrites"
_HEAD_AND_WINDOW = "keeps the first message and a window that moves its start, and so rewrites"


def direct_change(parsed: ParsedScript, node: Node, text: str) -> tuple[Node, str] | None:
    """(the receiver named, the effect) when the statement itself changes messages already in
    the history written `text`: a method call on it, `delete`, an assignment."""
    kind = node.type
    if kind == "call_expression":
        receiver, method, arguments = method_call(parsed, node)
        if receiver is None or text_of(parsed, receiver) != text:
            return None
        if method in _IN_PLACE:
            return receiver, _IN_PLACE[method]
        if method == "splice":
            effect = _splice_effect(parsed, arguments, text)
            return (receiver, effect) if effect is not None else None
        return None
    if kind == "unary_expression" and parsed.text(node).startswith("delete"):
        target = node.named_children[0] if node.named_children else None
        if target is not None and target.type == "subscript_expression":
            base = target.child_by_field_name("object")
            index = target.child_by_field_name("index")
            if (
                base is not None
                and text_of(parsed, base) == text
                and not _from_end(parsed, index, text)
            ):
                return base, "deletes earlier messages of"
        return None
    if kind not in ("assignment_expression", "augmented_assignment_expression"):
        return None
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    if left is None or right is None:
        return None
    if kind == "assignment_expression" and text_of(parsed, left) == text:
        effect = _rebinding_effect(parsed, right, text)
        return (left, effect) if effect is not None else None
    return _item_edit(parsed, left, text)


def _item_edit(parsed: ParsedScript, left: Node, text: str) -> tuple[Node, str] | None:
    """`history[i] = m` or `history[i].content = x` (any depth), at an index not counted
    from the end, and not a cache marker."""
    keys: list[str] = []
    node = left
    while node.type in ("member_expression", "subscript_expression"):
        base = node.child_by_field_name("object")
        if base is None:
            return None
        if node.type == "subscript_expression" and text_of(parsed, base) == text:
            if _from_end(parsed, node.child_by_field_name("index"), text):
                return None
            if any(key in NEUTRAL_KEYS for key in keys):
                return None
            effect = "edits an earlier message of" if keys else "replaces earlier messages of"
            return base, effect
        if node.type == "member_expression":
            member = node.child_by_field_name("property")
            if member is not None:
                keys.append(parsed.text(member))
        node = base
    return None


def _rebinding_effect(parsed: ParsedScript, value: Node, text: str) -> str | None:
    value = unwrapped(value)
    if value.type == "call_expression":
        receiver, method, arguments = method_call(parsed, value)
        if receiver is not None and method == "slice" and text_of(parsed, receiver) == text:
            return WINDOW if drops_front(parsed, arguments, window_only=False) else None
        return None
    if value.type == "array":
        elements = value.named_children
        for position, element in enumerate(elements):
            if element.type != "spread_element" or not element.named_children:
                continue
            spread = unwrapped(element.named_children[0])
            receiver, method, arguments = method_call(parsed, spread)
            if receiver is None or method != "slice" or text_of(parsed, receiver) != text:
                continue
            if drops_front(parsed, arguments, window_only=False):
                return _HEAD_AND_WINDOW if position else WINDOW
    return None


def _splice_effect(parsed: ParsedScript, arguments: list[Node], text: str) -> str | None:
    if not arguments or _from_end(parsed, arguments[0], text):
        return None
    start = _number(parsed, arguments[0])
    if len(arguments) == 1:
        # `splice(0)` empties the history (a reset); `splice(k)` cuts it at k.
        return None if start == 0 else "deletes earlier messages of"
    count = arguments[1]
    if start == 0 and _is_length(parsed, count, text):
        return None  # emptied
    if _number(parsed, count) == 0:
        return "inserts before the end of" if len(arguments) > 2 else None
    return "replaces earlier messages of" if len(arguments) > 2 else "deletes earlier messages of"


def drops_front(parsed: ParsedScript, arguments: list[Node], window_only: bool) -> bool:
    """Whether `slice(...)` with these arguments leaves out the front: a start counted from
    the end (a window), or, applied again and again to its own result, any start but 0."""
    if not arguments:
        return False
    start = unwrapped(arguments[0])
    number = _number(parsed, start)
    if _negative(parsed, start):
        return True
    if window_only:
        return False
    return number != 0


def _negative(parsed: ParsedScript, node: Node) -> bool:
    node = resolved(parsed, node) or node
    if node.type == "unary_expression" and parsed.text(node).lstrip().startswith("-"):
        return True
    number = _number(parsed, node)
    return number is not None and number < 0


def _from_end(parsed: ParsedScript, index: Node | None, text: str) -> bool:
    """`-1`, `history.length - 1`, `history.length`, a const of one: the newest message."""
    if index is None:
        return False
    index = resolved(parsed, index) or index
    if _negative(parsed, index):
        return True
    if _is_length(parsed, index, text):
        return True
    if index.type == "binary_expression":
        left = index.child_by_field_name("left")
        return left is not None and _is_length(parsed, left, text)
    return False


def _is_length(parsed: ParsedScript, node: Node, text: str) -> bool:
    node = unwrapped(node)
    return "".join(parsed.text(node).split()) in (f"{text}.length", f"{text}?.length")


def _number(parsed: ParsedScript, node: Node) -> float | None:
    node = unwrapped(node)
    if node.type != "number":
        return None
    try:
        return float(parsed.text(node))
    except ValueError:
        return None


def method_call(parsed: ParsedScript, call: Node) -> tuple[Node | None, str, list[Node]]:
    if call.type != "call_expression":
        return None, "", []
    function = call.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return None, "", []
    member = function.child_by_field_name("property")
    receiver = function.child_by_field_name("object")
    arguments = call.child_by_field_name("arguments")
    listed = list(arguments.named_children) if arguments is not None else []
    method = parsed.text(member) if member is not None else ""
    return receiver, method, [a for a in listed if a.type != "comment"]


def text_of(parsed: ParsedScript, node: Node) -> str:
    return "".join(parsed.text(unwrapped(node)).split())
