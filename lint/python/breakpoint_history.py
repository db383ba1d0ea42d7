"""Cache breakpoints on a history that the code around them undoes or misplaces:

- `cleared_after_set`: a breakpoint set, then every breakpoint deleted by a loop right after,
  before anything is sent: the request goes out with none;
- `accumulated`: a breakpoint put on the newest message of a history that keeps growing (a
  list on `self` the class appends to, or one an enclosing `while` loop, the agent's turns,
  appends to; a `for` loop converting items is no turn), in a module that
  never removes one: each turn leaves one more, and from the fifth the API rejects the request;
- `first_block`: a breakpoint put on the first block of a message taken from the history,
  which is a thinking block whenever the model thought first (the API rejects it), and leaves
  the rest of the message out of the cached prefix.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from ctxlint.python.breakpoint_loops import function_bodies
from ctxlint.python.breakpoints import (
    Context,
    additions,
    assigned_values,
    functions_that_may_add,
    is_key_store,
)
from ctxlint.python.module import PythonModule
from ctxlint.python.statement_shapes import roots_spelling

# Calls that may sit between setting a breakpoint and clearing them all without sending it.
_QUIET_CALLS = frozenset(
    {"append", "extend", "insert", "copy", "deepcopy", "get", "isinstance", "len", "list", "dict"}
)
_CONTENT_NAMES = frozenset({"content", "contents", "blocks", "content_blocks"})


@dataclass(frozen=True, slots=True)
class ClearedAfterSet:
    added: ast.AST
    clearing: ast.stmt


def cleared_after_set(module: PythonModule) -> list[ClearedAfterSet]:
    """A breakpoint stored with `x["cache_control"] = ...` outside any loop, followed in the
    same block by a loop that deletes `cache_control` from every block it visits, with
    nothing between that could send the request."""
    found: list[ClearedAfterSet] = []
    for body in function_bodies(module):
        context = Context.of(module, body)
        for block in _blocks(body):
            for position, statement in enumerate(block):
                if not (isinstance(statement, ast.Assign) and is_key_store(statement.targets)):
                    continue
                if not list(additions([statement], context)):
                    continue
                for later in block[position + 1 :]:
                    if isinstance(later, (ast.For, ast.AsyncFor)) and _deletes_breakpoints(later):
                        found.append(ClearedAfterSet(statement.targets[0], later))
                        break
                    if not _quiet(later):
                        break
    return found


def accumulated(module: PythonModule) -> list[ast.Subscript]:
    if _handles_breakpoints_beyond_adding(module.fact(cache_control_roots)):
        return []
    found: list[ast.Subscript] = []
    for function in functions_that_may_add(module):
        node = function.node
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        context = Context.of(module, node.body)
        grown = (
            module.fact_about(_grown_attributes, function.class_info.node)
            if function.class_info
            else set()
        )
        sources = assigned_values(node.body)
        for statement, loops in _statements_with_loops(node.body, ()):
            if not (isinstance(statement, ast.Assign) and is_key_store(statement.targets)):
                continue
            if not list(additions([statement], context)):
                continue
            target = statement.targets[0]
            assert isinstance(target, ast.Subscript)
            history = _newest_of(target.value, sources, 0)
            if (isinstance(history, ast.Attribute) and history.attr in grown) or (
                isinstance(history, ast.Name)
                and any(isinstance(loop, ast.While) and _grows(loop, history.id) for loop in loops)
            ):
                found.append(target)
    return found


def first_block(module: PythonModule) -> list[ast.Subscript]:
    """`content[0]["cache_control"] = ...` where `content` is a message's content taken from
    a list by index (`messages[-1]["content"]`), with no test of the block's type around."""
    found: list[ast.Subscript] = []
    for body in function_bodies(module):
        sources = assigned_values(body)
        for statement, tests in _statements_with_tests(body, ()):
            if not (isinstance(statement, ast.Assign) and is_key_store(statement.targets)):
                continue
            target = statement.targets[0]
            assert isinstance(target, ast.Subscript)
            block = target.value
            if not (
                isinstance(block, ast.Subscript)
                and isinstance(block.slice, ast.Constant)
                and block.slice.value == 0
            ):
                continue
            if not _history_content(block.value, sources, 0):
                continue
            if any(_tests_block_type(test) for test in tests):
                continue
            found.append(target)
    return found


def _blocks(body: list[ast.stmt]) -> Iterator[list[ast.stmt]]:
    yield body
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for name in ("body", "orelse", "finalbody"):
            block = getattr(statement, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield from _blocks(block)
        for handler in getattr(statement, "handlers", ()):
            yield from _blocks(handler.body)


def _deletes_breakpoints(loop: ast.For | ast.AsyncFor) -> bool:
    for node in ast.walk(loop):
        if isinstance(node, ast.Delete) and any(
            isinstance(t, ast.Subscript)
            and isinstance(t.slice, ast.Constant)
            and t.slice.value == "cache_control"
            for t in node.targets
        ):
            return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "pop"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == "cache_control"
        ):
            return True
    return False


def _quiet(statement: ast.stmt) -> bool:
    """A statement that cannot send the request: no await, no call but list and dict
    plumbing."""
    for node in ast.walk(statement):
        if isinstance(node, (ast.Await, ast.Yield, ast.YieldFrom, ast.Return)):
            return False
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            if isinstance(node.func, ast.Name):
                name = node.func.id
            if name not in _QUIET_CALLS and not name[:1].isupper():
                return False
    return True


def _statements_with_tests(
    body: list[ast.stmt], tests: tuple[ast.expr, ...]
) -> Iterator[tuple[ast.stmt, tuple[ast.expr, ...]]]:
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield statement, tests
        if isinstance(statement, ast.If):
            yield from _statements_with_tests(statement.body, (*tests, statement.test))
            yield from _statements_with_tests(statement.orelse, (*tests, statement.test))
            continue
        around = (
            (*tests, statement.iter) if isinstance(statement, (ast.For, ast.AsyncFor)) else tests
        )
        for name in ("body", "orelse", "finalbody"):
            block = getattr(statement, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield from _statements_with_tests(block, around)
        for handler in getattr(statement, "handlers", ()):
            yield from _statements_with_tests(handler.body, around)


def _history_content(node: ast.expr, sources: dict[str, list[ast.expr]], depth: int) -> bool:
    """Whether an expression is the content of a message picked from a list by index:
    `messages[-1]["content"]`, `history[i].content`, `msgs[-1].get("content")`, possibly
    through a cast() or a local name."""
    if depth > 3:
        return False
    if isinstance(node, ast.Call) and node.args and _name(node.func) in ("cast", "list"):
        return _history_content(node.args[-1], sources, depth + 1)
    if isinstance(node, ast.Name):
        values = sources.get(node.id, [])
        return len(values) == 1 and _history_content(values[0], sources, depth + 1)
    owner: ast.expr | None = None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        owner = node.value if node.slice.value in _CONTENT_NAMES else None
    elif isinstance(node, ast.Attribute) and node.attr in _CONTENT_NAMES:
        owner = node.value
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value in _CONTENT_NAMES
    ):
        owner = node.func.value
    # The newest message (`messages[-1]`) or one found by a computed index, not a field
    # (`m["message"]`) nor a message at a fixed place built by the code itself (`msgs[2]`).
    return isinstance(owner, ast.Subscript) and not isinstance(
        owner.slice, (ast.Slice, ast.Constant)
    )


def _tests_block_type(test: ast.expr) -> bool:
    for node in ast.walk(test):
        if isinstance(node, ast.Constant) and node.value in ("type", "thinking", "text"):
            return True
        if isinstance(node, ast.Attribute) and node.attr == "type":
            return True
    return False


def cache_control_roots(module: PythonModule) -> list[ast.AST]:
    """What a walk for the `cache_control` key needs to look under (statement_shapes)."""
    return roots_spelling(module, "cache_control")


def _handles_breakpoints_beyond_adding(roots: list[ast.AST]) -> bool:
    """Whether "cache_control" appears other than as a key being set: deleted, popped,
    compared or filtered out somewhere, so that earlier breakpoints may well be removed."""
    adding: set[int] = set()
    mentions: list[ast.Constant] = []
    for node in (node for root in roots for node in ast.walk(root)):
        if isinstance(node, ast.Dict):
            adding.update(id(key) for key in node.keys if key is not None)
        elif isinstance(node, ast.Assign) and is_key_store(node.targets):
            adding.add(id(node.targets[0].slice))  # type: ignore[attr-defined]
        elif isinstance(node, ast.Constant) and node.value == "cache_control":
            mentions.append(node)
    return any(id(mention) not in adding for mention in mentions)


def _grown_attributes(module: PythonModule, class_node: ast.ClassDef) -> set[str]:
    """The `self` attributes its methods append to or extend."""
    grown: set[str] = set()
    for node in ast.walk(class_node):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "extend", "insert")
            and _is_self_attribute(node.func.value)
        ):
            grown.add(node.func.value.attr)  # type: ignore[attr-defined]
        elif isinstance(node, ast.AugAssign) and _is_self_attribute(node.target):
            grown.add(node.target.attr)  # type: ignore[attr-defined]
    return grown


def _is_self_attribute(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def _newest_of(node: ast.expr, sources: dict[str, list[ast.expr]], depth: int) -> ast.expr | None:
    """The list whose newest item an expression reaches into: `self.messages` for
    `self.messages[-1]["content"][-1]`, also through a local name bound once."""
    if depth > 3:
        return None
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        newest = isinstance(node, ast.Subscript) and _is_minus_one(node.slice)
        if newest and (_is_self_attribute(node.value) or isinstance(node.value, ast.Name)):
            return node.value
        node = node.value
    if isinstance(node, ast.Name):
        values = sources.get(node.id, [])
        if len(values) == 1:
            return _newest_of(values[0], sources, depth + 1)
    return None


def _is_minus_one(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and node.operand.value == 1
    )


def _grows(loop: ast.stmt, name: str) -> bool:
    """Whether a loop appends to the list of that name and never binds the name anew."""
    appended = False
    for node in ast.walk(loop):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            return False
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "extend")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ):
            appended = True
    return appended


def _statements_with_loops(
    body: list[ast.stmt], loops: tuple[ast.stmt, ...]
) -> Iterator[tuple[ast.stmt, tuple[ast.stmt, ...]]]:
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield statement, loops
        looping = isinstance(statement, (ast.For, ast.AsyncFor, ast.While))
        around = (*loops, statement) if looping else loops
        for name in ("body", "orelse", "finalbody"):
            block = getattr(statement, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield from _statements_with_loops(block, around)
        for handler in getattr(statement, "handlers", ()):
            yield from _statements_with_loops(handler.body, around)


def _name(function: ast.expr) -> str:
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        return function.attr
    return ""
