"""Cache breakpoints added on every pass of a loop (breakpoints.py finds where they are added).

A serializer that marks each block it converts, or a prompt builder that marks each section,
sends one breakpoint per item: past 4 the API rejects the request. A loop is flagged when it
visits items of unknown number, adds a breakpoint that stays on each pass (a key stored on the
item, or a new block appended, yielded or collected), and nothing that changes from one item
to the next decides it: an enumerate() index compared with the length, a counter, a flag
assigned in the loop or the item's own cache flag (`message.cache`) all choose a few. A test
of the item's kind or emptiness (`if part.type == "text"`) only filters, and counts for nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from ctxlint.python.breakpoints import (
    Added,
    Context,
    additions,
    functions_that_may_add,
    passed_to_a_call,
)
from ctxlint.python.module import PythonModule

_LIST_METHODS = frozenset({"append", "extend", "insert", "appendleft"})
# A loop over at most this many items (`for m in history[-2:]`) stays within the API's limit.
_FEW = 4
_COMPREHENSIONS = (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)


@dataclass(frozen=True, slots=True)
class PerIteration:
    added: ast.AST
    loop: ast.AST
    iterated: ast.expr


def per_iteration(module: PythonModule) -> list[PerIteration]:
    found: list[PerIteration] = []
    for body in function_bodies(module):
        context = Context.of(module, body)
        for loop in _loops(body):
            if isinstance(loop, (ast.For, ast.AsyncFor)):
                if _few(loop.iter, body) or _leaves_early(loop.body):
                    continue
                items, indexes = _bound_names(loop)
                for added in additions(loop.body, context):
                    if _decided_per_item(added, items, indexes):
                        continue
                    if not _accumulates(added, loop, items | indexes):
                        continue
                    found.append(PerIteration(added.node, loop, loop.iter))
            else:
                generator = loop.generators[0]
                if _few(generator.iter, body) or len(loop.generators) > 1:
                    continue
                items, indexes = _bound_names(loop)
                element = loop.elt if not isinstance(loop, ast.DictComp) else loop.value
                tests = tuple(generator.ifs)
                for added in additions([ast.Expr(element)], context):
                    added = Added(added.node, (*tests, *added.decided_by))
                    if not _decided_per_item(added, items, indexes):
                        found.append(PerIteration(added.node, loop, generator.iter))
    return found


def function_bodies(module: PythonModule) -> Iterator[list[ast.stmt]]:
    """The bodies of the `def` functions that can add a breakpoint."""
    for function in functions_that_may_add(module):
        yield function.node.body  # type: ignore[union-attr]


def _loops(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """`for` loops and comprehensions of these statements, not entering nested functions."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, (ast.For, ast.AsyncFor, *_COMPREHENSIONS)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _few(iterated: ast.expr, body: list[ast.stmt]) -> bool:
    """Whether a loop may visit only a few items: a short literal, a slice with constant
    bounds (`history[-2:]`), a local list given at most a few items, a range() other than
    over a whole length (its bounds are counted on purpose), each also through enumerate()
    or reversed()."""
    if isinstance(iterated, ast.Call) and isinstance(iterated.func, ast.Name):
        if iterated.func.id in ("enumerate", "reversed") and iterated.args:
            return _few(iterated.args[0], body)
        if iterated.func.id == "range":
            return not _whole_length(iterated)
        return False
    if isinstance(iterated, ast.Name):
        return _few_appended(iterated.id, body)
    if isinstance(iterated, (ast.List, ast.Tuple, ast.Set)):
        return len(iterated.elts) <= _FEW and not any(
            isinstance(e, ast.Starred) for e in iterated.elts
        )
    if isinstance(iterated, ast.Subscript) and isinstance(iterated.slice, ast.Slice):
        lower, upper = iterated.slice.lower, iterated.slice.upper
        low = _constant_int(lower) if lower is not None else 0
        high = _constant_int(upper) if upper is not None else None
        if low is None or (upper is not None and high is None):
            return False
        if high is None:
            return low < 0 and -low <= _FEW
        return (low >= 0) == (high >= 0) and 0 <= high - low <= _FEW
    return False


def _whole_length(call: ast.Call) -> bool:
    """`range(len(x))` or `range(0, len(x))`."""
    arguments = call.args
    if len(arguments) == 2 and _constant_int(arguments[0]) == 0:
        arguments = arguments[1:]
    return (
        len(arguments) == 1
        and isinstance(arguments[0], ast.Call)
        and isinstance(arguments[0].func, ast.Name)
        and arguments[0].func.id == "len"
    )


def _few_appended(name: str, body: list[ast.stmt]) -> bool:
    """A list local to the function, made from a short literal and a few `append()`s that
    are in no loop (`targets = []; targets.append(last); targets.append(previous)`)."""
    count = 0
    for node, looped in _nodes_with_loops(body):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if not any(isinstance(t, ast.Name) and t.id == name for t in targets):
                continue
            value = node.value
            if looped or not isinstance(value, ast.List):
                return False
            if any(isinstance(e, ast.Starred) for e in value.elts):
                return False
            count += len(value.elts)
        elif isinstance(node, ast.AugAssign) and _is_name(node.target, name):
            return False
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and _is_name(node.func.value, name)
        ):
            if node.func.attr in ("append", "insert"):
                if looped:
                    return False
                count += 1
            elif node.func.attr in ("extend", "__iadd__", "update"):
                return False
    return 0 < count <= _FEW


def _nodes_with_loops(body: list[ast.stmt]) -> Iterator[tuple[ast.AST, bool]]:
    stack: list[tuple[ast.AST, bool]] = [(statement, False) for statement in body]
    while stack:
        node, looped = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        yield node, looped
        inner = looped or isinstance(node, (ast.For, ast.AsyncFor, ast.While, *_COMPREHENSIONS))
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _constant_int(node: ast.expr | None) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _constant_int(node.operand)
        return -inner if inner is not None else None
    return None


def _leaves_early(body: list[ast.stmt]) -> bool:
    """A `break` or `return` of the loop itself (not of a nested loop): it marks one item."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Break, ast.Return)):
            return True
        if isinstance(
            node, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef)
        ):
            # A nested loop's `break` leaves only it; its `return` still leaves ours.
            stack.extend(n for n in ast.walk(node) if isinstance(n, ast.Return))
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def _bound_names(loop: ast.AST) -> tuple[set[str], set[str]]:
    """The names that may hold something else on each pass: the items the loop visits, and
    the rest (an enumerate() index, a counter, a flag assigned in the body)."""
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        targets = [(loop.target, loop.iter)]
    else:
        targets = [(g.target, g.iter) for g in loop.generators]  # type: ignore[attr-defined]
    items: set[str] = set()
    indexes: set[str] = set()
    for target, iterated in targets:
        names = [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
        enumerated = (
            isinstance(iterated, ast.Call)
            and isinstance(iterated.func, ast.Name)
            and iterated.func.id == "enumerate"
            and isinstance(target, ast.Tuple)
            and bool(target.elts)
            and isinstance(target.elts[0], ast.Name)
        )
        if enumerated:
            indexes.add(target.elts[0].id)  # type: ignore[attr-defined]
        elif isinstance(iterated, ast.Call) and _is_name(iterated.func, "range"):
            indexes.update(names)
        items.update(name for name in names if name not in indexes)
    for node in ast.walk(loop):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in items:
            indexes.add(node.id)
    return items, indexes


def _decided_per_item(added: Added, items: set[str], indexes: set[str]) -> bool:
    """Whether what decides the breakpoint can pick a few passes: an index or a counter, the
    length, a flag assigned in the loop or a cache flag of the item (`message.cache`). A test
    of the item's kind or emptiness (`if part.type == "text"`, `if block`) only filters."""
    if added.value is not None and any(
        isinstance(n, ast.Name) and n.id in items | indexes for n in ast.walk(added.value)
    ):
        return True  # A breakpoint made from the item's own (a lifetime it had) is rewritten.
    for test in added.decided_by:
        if isinstance(test, ast.Constant) and not test.value:
            return True
        names = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
        if names & indexes or "len" in names:
            return True
        if names & items and any("cache" in _word(n) for n in ast.walk(test)):
            return True
    return False


def _word(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr.lower()
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.lower()
    return ""


def _accumulates(added: Added, loop: ast.For | ast.AsyncFor, bound: set[str]) -> bool:
    """Whether each pass leaves one more block with a breakpoint: a key stored on the item
    (not on one fixed block), or a new block appended, yielded or added to a list."""
    node = added.node
    if isinstance(node, ast.Subscript):
        return any(isinstance(n, ast.Name) and n.id in bound for n in ast.walk(node.value))
    if added.statement is not None and passed_to_a_call(added.statement, node):
        return False  # One request per item, each with its own breakpoint.
    appended = _appended_names(loop)
    for statement in ast.walk(loop):
        if not isinstance(statement, ast.stmt) or not _contains(statement, node):
            continue
        if isinstance(statement, ast.Expr):
            value = statement.value
            if isinstance(value, (ast.Yield, ast.YieldFrom)):
                return True
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
                if value.func.attr in _LIST_METHODS:
                    return True
                # A helper that marks the item it is handed, in place.
                return any(
                    isinstance(n, ast.Name) and n.id in bound
                    for argument in value.args
                    for n in ast.walk(argument)
                )
        if isinstance(statement, ast.AugAssign):
            return True
        if isinstance(statement, ast.Assign):
            targets = statement.targets
            if any(isinstance(t, ast.Name) and t.id in appended for t in targets):
                return True
            if any(isinstance(t, ast.Subscript) for t in targets):
                return True
    return False


def _appended_names(loop: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(loop):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _LIST_METHODS
        ):
            names.update(a.id for a in node.args if isinstance(a, ast.Name))
    return names


def _contains(statement: ast.stmt, node: ast.AST) -> bool:
    """Whether the node belongs to this statement itself, not to a statement nested in it."""
    for _, value in ast.iter_fields(statement):
        values = value if isinstance(value, list) else [value]
        for child in values:
            if not isinstance(child, ast.AST) or isinstance(child, ast.stmt):
                continue
            if any(inner is node for inner in ast.walk(child)):
                return True
    return False
