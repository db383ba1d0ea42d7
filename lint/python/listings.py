"""Tool listings gathered from several servers in an order that is not fixed.

An agent with several MCP servers (or toolkits) builds its tool list by asking each one for
its tools and concatenating the answers: `for server in servers: tools += await
server.list_tools()`. Each server lists its tools in a stable order, but the concatenation
takes the servers in the order of what it iterates: a set (hash order, different in every
process), the completion order of concurrent requests (`asyncio.as_completed`), or a dict of
live connections kept on the object (filled as servers connect, an entry re-added at the
end when a server reconnects). A function that returns such a list, or keeps it on `self`,
unsorted, hands every caller a tool list whose order changes between processes or runs: the
finding belongs there, whichever module sends the list.

Servers taken from a list, a tuple, a config mapping or a parameter are in the order the
code or the configuration gives: stable, and not reported.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

from ctxlint.python.index import (
    FunctionInfo,
    ModuleIndex,
    Scope,
    class_of_self,
)
from ctxlint.python.names import lookup, qualified_name
from ctxlint.python.order import sorted_attribute, sorted_in_place
from ctxlint.python.server_order import function_of, unstable_order

# Methods and functions whose result is one server's (or toolkit's) tool list: list_tools,
# get_tools, load_mcp_tools, fetch_tools_for(server)...
_LISTING_NAME = re.compile(r"a?(?:list|get|load|fetch|discover)_(?:\w+_)?tools(?:_\w+)?")


def is_listing_name(name: str | None) -> bool:
    return name is not None and _LISTING_NAME.fullmatch(name) is not None


# The tool list an object (a server, a toolkit, a listing's result) holds.
_TOOLS_ATTRIBUTE = "tools"
_MAX_DEPTH = 6


@dataclass(frozen=True, slots=True)
class UnsortedConcatenation:
    """Tool listings concatenated in an unstable order and handed on unsorted."""

    # Where the listings are added together (`tools.extend(...)`, a comprehension).
    node: ast.AST
    # The listing call or attribute that gives each server's tools.
    listing: ast.expr
    # What decides the order: the iterated expression and how it is ordered.
    iterated: ast.expr
    order: str
    # How the result leaves: "returned by get_tools()", "kept as self.tools".
    handed_on: str


def unsorted_concatenations(index: ModuleIndex, text: str) -> list[UnsortedConcatenation]:
    """Every concatenation of tool listings in the module that is handed on unsorted."""
    # Only loops spanning a line that names a listing can add listings up: most modules
    # and most loops are passed over without a walk.
    lines = _lines_naming_listings(text)
    if not lines:
        return []
    found: list[UnsortedConcatenation] = []
    for loop in index.loop_parents:
        if isinstance(loop, (ast.For, ast.AsyncFor)) and _spans(loop, lines):
            function = _enclosing_function(loop, index)
            if function is not None:
                found.extend(_of_loop(loop, function, index))
    for node, scope in index.scope_of_function.items():
        if (
            isinstance(node, (ast.ListComp, ast.GeneratorExp))
            and len(node.generators) > 1
            and _spans(node, lines)
        ):
            function = function_of(scope)
            if function is not None:
                finding = _of_comprehension(node, function, index)
                if finding is not None:
                    found.append(finding)
    return found


def _lines_naming_listings(text: str) -> list[int]:
    """The lines that name a listing (`list_tools(`, `load_mcp_tools`) or read `.tools`."""
    lines: list[int] = []
    line, counted_to = 1, 0
    position = text.find("tools")
    while position != -1:
        start = position
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        end = position + 5
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        word = text[start:end]
        if (word == "tools" and text[start - 1 : start] == ".") or is_listing_name(word):
            # Lines as ast counts them: a lone \r ends one too.
            between = text[counted_to:start]
            line += between.count("\n") + between.count("\r") - between.count("\r\n")
            counted_to = start
            if not lines or lines[-1] != line:
                lines.append(line)
        position = text.find("tools", end)
    return lines


def _spans(node: ast.AST, lines: list[int]) -> bool:
    position = bisect_left(lines, node.lineno)  # type: ignore[attr-defined]
    return position < len(lines) and lines[position] <= node.end_lineno  # type: ignore[attr-defined]


def _enclosing_function(loop: ast.stmt, index: ModuleIndex) -> FunctionInfo | None:
    """The innermost function (not a lambda) whose body holds the loop."""
    best: FunctionInfo | None = None
    for function in index.functions:
        node = function.node
        if isinstance(node, ast.Lambda) or not (
            node.lineno <= loop.lineno <= node.end_lineno  # type: ignore[operator]
        ):
            continue
        if best is None or node.lineno >= best.node.lineno:
            best = function
    return best


# Where to look ---------------------------------------------------------------------------------


def _own_nodes(statements: list[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of a function body, not those of functions or classes defined in it."""
    pending: list[ast.AST] = list(reversed(statements))
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        pending.extend(reversed(list(ast.iter_child_nodes(node))))


def _loops_in(statements: list[ast.stmt]) -> Iterator[ast.For | ast.AsyncFor]:
    for node in _own_nodes(statements):
        if isinstance(node, (ast.For, ast.AsyncFor)):
            yield node


# Concatenation in a loop ---------------------------------------------------------------------


def _of_loop(
    loop: ast.For | ast.AsyncFor, function: FunctionInfo, index: ModuleIndex
) -> Iterator[UnsortedConcatenation]:
    scope = function.scope
    order = unstable_order(loop.iter, scope, index, 0, _awaits(_own_nodes(loop.body)))
    if order is None:
        return
    servers = _target_names(loop.target)
    listed = _ListingsIn(loop, servers, scope)
    if _yields_listings(loop.iter, scope):
        # `for done in asyncio.as_completed(requests)`, `for result in gathered`: each item
        # is already a server's listing.
        listed.results = servers
    for node in _own_nodes(loop.body):
        added = _added_to(node, loop, listed)
        if added is None:
            continue
        accumulator, listing = added
        handed_on = _handed_on_unsorted(accumulator, function, index)
        if handed_on is not None:
            yield UnsortedConcatenation(node, listing, loop.iter, order, handed_on)
            return


def _added_to(
    node: ast.AST, loop: ast.For | ast.AsyncFor, listed: _ListingsIn
) -> tuple[ast.expr, ast.expr] | None:
    """For a statement that adds a server's tools to a list (`acc.extend(tools)`, `acc +=
    tools`, `acc.append(t)` in a loop over them), the list and the listing added."""
    if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
        listing = listed.listing_in(node.value)
        return (node.target, listing) if listing is not None else None
    if not (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and node.value.args
    ):
        return None
    call = node.value
    method = call.func.attr  # type: ignore[union-attr]
    receiver = call.func.value  # type: ignore[union-attr]
    if method == "extend":
        listing = listed.listing_in(call.args[0])
        return (receiver, listing) if listing is not None else None
    if method == "append":
        inner = _enclosing_loop_over_listing(node, loop, listed)
        return (receiver, inner) if inner is not None else None
    return None


def _enclosing_loop_over_listing(
    node: ast.AST, loop: ast.For | ast.AsyncFor, listed: _ListingsIn
) -> ast.expr | None:
    """The listing iterated by a loop nested in `loop` around `node`, if any."""
    for inner in _loops_in(loop.body):
        if inner.lineno <= node.lineno <= inner.end_lineno:  # type: ignore[operator]
            listing = listed.listing_in(inner.iter)
            if listing is not None:
                return listing
    return None


class _ListingsIn:
    """Recognises, in a loop over servers, an expression holding one server's tools."""

    def __init__(self, loop: ast.For | ast.AsyncFor, servers: set[str], scope: Scope) -> None:
        self.servers = servers
        self.scope = scope
        self.results: set[str] = set()
        # Names assigned in the loop's body: `result = await server.list_tools()`.
        self.assigned: dict[str, ast.expr] = {}
        for node in _own_nodes(loop.body):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    self.assigned.setdefault(target.id, node.value)

    def listing_in(self, value: ast.expr, depth: int = 0) -> ast.expr | None:
        if depth > _MAX_DEPTH:
            return None
        if isinstance(value, (ast.Await, ast.Starred)):
            return self.listing_in(value.value, depth + 1)
        if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
            return self.listing_in(value.generators[0].iter, depth + 1)
        if isinstance(value, ast.Call):
            if is_listing_name(_called_name(value.func)):
                return value
            if qualified_name(value.func, self.scope) in ("list", "tuple") and value.args:
                return self.listing_in(value.args[0], depth + 1)
            return None
        if isinstance(value, ast.Attribute) and value.attr == _TOOLS_ATTRIBUTE:
            owner = value.value
            if isinstance(owner, ast.Name) and owner.id in self.servers:
                return value  # server.tools, toolkit.tools
            if self.listing_in(owner, depth + 1) is not None:
                return value  # (await session.list_tools()).tools
            return None
        if isinstance(value, ast.Name):
            if value.id in self.results:
                return value
            if value.id in self.assigned:
                return self.listing_in(self.assigned[value.id], depth + 1)
        return None


# Comprehensions ------------------------------------------------------------------------------


def _of_comprehension(
    node: ast.ListComp | ast.GeneratorExp, function: FunctionInfo, index: ModuleIndex
) -> UnsortedConcatenation | None:
    """`[t for s in self.sessions.values() for t in s.tools]` returned or kept on self."""
    outer, *inner = node.generators
    order = unstable_order(outer.iter, function.scope, index, 0, _awaits(ast.walk(node)))
    if order is None:
        return None
    comprehension_scope = index.function_scope(node) or function.scope
    servers = _target_names(outer.target)
    for generator in inner:
        listing = _ListingsInComprehension(servers, comprehension_scope).listing_in(generator.iter)
        if listing is None:
            continue
        handed_on = _comprehension_handed_on(node, function, index)
        if handed_on is not None:
            return UnsortedConcatenation(node, listing, outer.iter, order, handed_on)
    return None


class _ListingsInComprehension(_ListingsIn):
    def __init__(self, servers: set[str], scope: Scope) -> None:
        self.servers = servers
        self.scope = scope
        self.results = set()
        self.assigned = {}


def _comprehension_handed_on(
    node: ast.expr, function: FunctionInfo, index: ModuleIndex
) -> str | None:
    for statement in _own_nodes(function.node.body):  # type: ignore[union-attr]
        if isinstance(statement, ast.Return) and _unwrapped(statement.value) is node:
            return f"returned by {function.name}()"
        if isinstance(statement, ast.Assign) and _unwrapped(statement.value) is node:
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    return _handed_on_unsorted(target, function, index)
                if isinstance(target, ast.Attribute) and class_of_self(
                    target.value, function.scope
                ):
                    return _kept_on_self(target, function)
    return None


# What is iterated ----------------------------------------------------------------------------


def _yields_listings(iterable: ast.expr, scope: Scope) -> bool:
    """Whether iterating gives listings: requests for them (or a name bound once to such)."""
    if isinstance(iterable, ast.Name):
        bindings = lookup(iterable.id, scope)
        if len(bindings) != 1 or bindings[0].value is None:
            return False
        iterable = bindings[0].value  # type: ignore[assignment]
    for node in ast.walk(iterable):
        if isinstance(node, ast.Call) and is_listing_name(_called_name(node.func)):
            return True
    return False


def _awaits(nodes: Iterator[ast.AST]) -> bool:
    """Whether any of the nodes awaits: the listings added up are requests to servers."""
    return any(isinstance(node, ast.Await) for node in nodes)


# Where the list goes -------------------------------------------------------------------------


def _handed_on_unsorted(
    accumulator: ast.expr, function: FunctionInfo, index: ModuleIndex
) -> str | None:
    """How the gathered list leaves the function unsorted: returned, or kept on `self`;
    None when it is sorted (in place or on the way out) or stays inside."""
    scope = function.scope
    if isinstance(accumulator, ast.Attribute):
        owner = class_of_self(accumulator.value, scope)
        if owner is None or sorted_attribute(index, owner, accumulator.attr):
            return None
        return _kept_on_self(accumulator, function)
    if not isinstance(accumulator, ast.Name):
        return None
    bindings = lookup(accumulator.id, scope)
    if not bindings or (accumulator.id, id(bindings)) in sorted_in_place(index):
        return None
    name = accumulator.id
    for node in _own_nodes(function.node.body):  # type: ignore[union-attr]
        if isinstance(node, ast.Return) and _names(node.value, name):
            return f"returned by {function.name}()"
        if isinstance(node, ast.Assign) and _names(node.value, name):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and class_of_self(target.value, scope):
                    owner = class_of_self(target.value, scope)
                    if owner is not None and not sorted_attribute(index, owner, target.attr):
                        return _kept_on_self(target, function)
    return None


def _names(value: ast.expr | None, name: str) -> bool:
    """Whether a returned or stored value is the list itself, unsorted: `acc`, `list(acc)`,
    `[convert(t) for t in acc]`, `(acc, other)`."""
    value = _unwrapped(value)
    if isinstance(value, ast.Name):
        return value.id == name
    if isinstance(value, ast.Tuple):
        return any(_names(element, name) for element in value.elts)
    if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
        return _names(value.generators[0].iter, name)
    return False


def _unwrapped(value: ast.expr | None) -> ast.expr | None:
    """`list(x)` and `tuple(x)` are x in the same order."""
    while (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in ("list", "tuple")
        and len(value.args) == 1
    ):
        value = value.args[0]
    return value


def _kept_on_self(target: ast.Attribute, function: FunctionInfo) -> str:
    return f"kept as self.{target.attr} by {function.name}()"


def _target_names(target: ast.expr) -> set[str]:
    return {node.id for node in ast.walk(target) if isinstance(node, ast.Name)}


def _called_name(function: ast.expr) -> str | None:
    if isinstance(function, ast.Attribute):
        return function.attr
    if isinstance(function, ast.Name):
        return function.id
    return None
