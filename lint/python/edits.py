"""What an in-place change does to the items already in a list (a history, a tool list): which
changes rewrite what was sent before (removing, reordering, editing an earlier item, cutting a
window), and which keep it (appending, changing only the newest item, moving a cache marker,
filling an empty list)."""

from __future__ import annotations

import ast
import re

from ctxlint.python.index import Mutation
from ctxlint.python.names import lookup

# Keys that change how a message is cached or shown, not the tokens the model reads.
NEUTRAL_KEYS = frozenset({"cache_control"})
_ORDER_METHODS = {"sort": "sorts", "reverse": "reverses"}
_BUDGET_WORDS = re.compile(r"token|size|limit|budget|max|length|context|window", re.IGNORECASE)


def rewrite_effect(mutation: Mutation, through_items: bool = False) -> str | None:
    """What an in-place change does to the items already in a list, as a verb phrase, or None
    when it keeps them: appending, changing only the newest item, moving a cache marker."""
    kind = mutation.kind
    if _newest_only(mutation) or _fills_empty(mutation):
        return None
    if through_items:
        if touches_neutral_key(mutation):
            return None
        return "edits messages in place while iterating"
    if kind in _ORDER_METHODS:
        return _ORDER_METHODS[kind]
    if kind == "remove":
        return "removes a message from"
    if kind == "popleft":
        return "drops the oldest message of"
    index_from_end = counts_from_end(mutation.index) or _named_from_end(mutation)
    if kind in ("pop", "insert"):
        if mutation.index is None or index_from_end:
            return None
        return "removes an earlier message from" if kind == "pop" else "inserts before the end of"
    if kind in ("delitem", "delslice", "setitem", "setslice"):
        index = mutation.index
        if isinstance(index, ast.Slice):
            whole = index.lower is None and index.upper is None
            tail = index.upper is None and counts_from_end(index.lower)
            if kind == "delslice" and (whole or tail):
                return None  # a reset, or the newest messages dropped: the sent prefix survives
            if kind == "setslice" and tail:
                return None  # xs[len(xs):] = ys is extend
        elif index_from_end:
            return None  # the newest message, not yet sent
        verb = "deletes" if kind.startswith("del") else "replaces"
        return f"{verb} earlier messages of"
    if kind == "edit":
        if touches_neutral_key(mutation) or index_from_end:
            return None
        return "edits an earlier message of"
    return None


def _named_from_end(mutation: Mutation) -> bool:
    """`last = len(xs) - 2; xs[last] = ...`: a position named once, counted from the end."""
    index = mutation.index
    if not isinstance(index, ast.Name):
        return False
    bindings = lookup(index.id, mutation.scope)
    if len(bindings) != 1 or bindings[0].kind != "assign":
        return False
    return counts_from_end(bindings[0].value)


def _newest_only(mutation: Mutation) -> bool:
    """The change reaches only the newest matching item: made in a loop over `reversed(...)`
    that stops at the first match, or at a position picked first from a reversed list
    (`[i for i, m in reversed(list(enumerate(xs))) if ...][0]`)."""
    loop = mutation.loop
    if isinstance(loop, ast.For) and _is_reversed(loop.iter) and _breaks(loop):
        return True
    index = mutation.index
    if not isinstance(index, ast.Name):
        return False
    bindings = lookup(index.id, mutation.scope)
    return bool(bindings) and all(_picks_newest(binding.value, loop) for binding in bindings)


def _picks_newest(value: ast.AST | None, loop: ast.stmt | None) -> bool:
    if isinstance(value, ast.Subscript) and getattr(value.slice, "value", None) == 0:
        return _is_reversed(value.value)
    if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "next" and value.args:
        return _is_reversed(value.args[0])
    # `for i, m in reversed(...)`: the binding's value is the loop's iterable.
    return (
        isinstance(loop, ast.For) and value is loop.iter and _is_reversed(value) and _breaks(loop)
    )


def _is_reversed(node: ast.AST) -> bool:
    """Whether a list is taken newest first: `reversed(...)`, `xs[::-1]`, somewhere inside."""
    for part in ast.walk(node):
        if isinstance(part, ast.Call) and getattr(part.func, "id", "") == "reversed":
            return True
        if isinstance(part, ast.Slice) and isinstance(part.step, ast.UnaryOp):
            return True
    return False


def _breaks(loop: ast.For) -> bool:
    """Whether the loop's own body (not a nested loop's) has a `break` or `return`."""
    stack: list[ast.AST] = list(loop.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Break, ast.Return)):
            return True
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def _fills_empty(mutation: Mutation) -> bool:
    """Made only when a list is empty (`if not messages: messages.insert(0, system)`): there
    is nothing sent before it to lose."""
    for guard in mutation.guards:
        if (
            isinstance(guard, ast.UnaryOp)
            and isinstance(guard.op, ast.Not)
            and isinstance(guard.operand, (ast.Name, ast.Attribute))
        ):
            return True
        if (
            isinstance(guard, ast.Compare)
            and len(guard.comparators) == 1
            and _is_len_call(guard.left)
            and isinstance(guard.ops[0], ast.Eq)
            and getattr(guard.comparators[0], "value", None) == 0
        ):
            return True
    return False


def counts_from_end(index: ast.AST | None) -> bool:
    """`-1`, `len(xs) - 1`: a position counted from the end of the list."""
    if isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub):
        return isinstance(index.operand, ast.Constant) and isinstance(index.operand.value, int)
    return index is not None and any(
        isinstance(part, ast.Call) and getattr(part.func, "id", "") == "len"
        for part in ast.walk(index)
    )


def touches_neutral_key(mutation: Mutation) -> bool:
    keys = set(mutation.keys)
    if isinstance(mutation.index, ast.Constant):
        keys.add(str(mutation.index.value))
    node = mutation.node
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        keys.add(str(node.args[0].value))
    return bool(keys & NEUTRAL_KEYS)


def size_driven(mutation: Mutation) -> bool:
    """Whether the change is made because the history grew: under a test of a length against
    a threshold or of a token budget, or in a `while` loop over one. `if len(found) > 0` only
    asks whether there is anything to do."""
    tests = [guard for guard in mutation.guards if isinstance(guard, ast.expr)]
    if isinstance(mutation.loop, ast.While):
        tests.append(mutation.loop.test)
    # `while i < len(xs): xs[i] = ...` walks the list by the index it changes: a bound on
    # that index is how far the walk goes, not how long the history has grown.
    walking = (
        {n.id for n in ast.walk(mutation.index) if isinstance(n, ast.Name)}
        if mutation.index
        else set()
    )
    return any(_tests_size(test, walking) for test in tests)


def _tests_size(test: ast.expr, walking: set[str]) -> bool:
    for node in ast.walk(test):
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if _BUDGET_WORDS.search(name):
                return True
        if isinstance(node, ast.Compare) and len(node.comparators) == 1:
            sides = (node.left, node.comparators[0])
            if any(_is_len_call(side) for side in sides):
                other = sides[1] if _is_len_call(sides[0]) else sides[0]
                if not _is_emptiness_bound(other, node.ops[0]) and not _names_any(other, walking):
                    return True
    return False


def _names_any(node: ast.expr, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _is_len_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", "") == "len"


def _is_emptiness_bound(bound: ast.expr, operator: ast.cmpop) -> bool:
    """`len(xs) > 0`, `len(xs) >= 1`, `len(xs) == 0`: is it empty, not is it too long."""
    if not isinstance(bound, ast.Constant) or not isinstance(bound.value, int):
        return False
    return bound.value == 0 or (bound.value == 1 and isinstance(operator, (ast.GtE, ast.Lt)))


def moves_start(window: ast.Slice) -> bool:
    """`xs[-20:]`, `xs[len(xs) - k:]`, `xs[start:]`: a window whose first item changes as the
    list grows. `xs[1:]` and `xs[:-1]` keep the front."""
    lower = window.lower
    if lower is None:
        return False
    return not (
        isinstance(lower, ast.Constant) and isinstance(lower.value, int) and lower.value >= 0
    )
