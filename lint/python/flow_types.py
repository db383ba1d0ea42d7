"""The records of a value-flow walk: what lies between a sink and a value (`Trail`), a value
reached (`Reached`), the calls the walk is inside (`Frame`), and what the walk asks of the
project (`Links`); with the walk's limits on calls."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ctxlint.python.index import FunctionInfo, ModuleIndex, Scope

MAX_CALL_DEPTH = 6
MAX_CALL_SITES = 20


@dataclass(frozen=True, slots=True)
class Links(Protocol):
    """What the walk asks of the project (project.Project) to leave the module."""

    def callee(self, function: ast.expr, scope: Scope) -> Any:
        """A `Callee` (function, bound) for a call no local function answers, or None."""

    def index_of(self, scope: Scope) -> ModuleIndex | None:
        """The index of the module a module scope belongs to."""


@dataclass(frozen=True, slots=True)
class Trail:
    """What lies between a sink and a value that reaches it."""

    # The date/time format applied nearest to the value (strftime, f-string spec, `.date()`,
    # `.isoformat()`), and the node that applies it (where a fix would change it).
    time_format: str | None = None
    time_format_node: ast.AST | None = None
    # Passed through sorted(): whatever order the value had, the sink sees a fixed one.
    sorted: bool = False
    # The expression iterated where iteration order last became visible (for loop,
    # comprehension, join, list()), or the f-string field that printed a container.
    iterated: ast.AST | None = None
    iterated_scope: Scope | None = None
    # Evaluated once per process (at import), not once per request.
    runs_once: bool = False
    # Computed when an item was appended to a list kept on the object (a history), and kept
    # there as it was: every later request reads the value the item got when it was added.
    kept_when_added: bool = False


@dataclass(frozen=True, slots=True)
class Reached:
    node: ast.expr
    scope: Scope
    trail: Trail
    # The calls the walk is inside of, outermost first (the sink's side first).
    frames: tuple[Frame, ...] = ()

    @property
    def through(self) -> tuple[str, ...]:
        """The functions entered between the sink and the value: ("compose", "_header")."""
        return tuple(frame.function.name for frame in self.frames)


@dataclass(frozen=True, slots=True)
class Frame:
    function: FunctionInfo
    call: ast.Call
    caller_scope: Scope
    # Whether the call passes the receiver as the first parameter (`obj.method(...)`).
    bound: bool


Step = tuple[ast.expr, Scope, Trail, tuple[Frame, ...]]


@dataclass(frozen=True, slots=True)
class Reach:
    """What flows into one sink: what its own walk met, then the walks it shares with other
    sinks (of a variable many calls read), each list the same object for every sink sharing
    it. Iterating gives every part in turn; a rule that decides each reached value on its own
    can look at a shared part once (`parts_not_in`), which keeps a file's work linear."""

    parts: tuple[list[Reached], ...]

    def __iter__(self) -> Iterator[Reached]:
        for part in self.parts:
            yield from part

    def parts_not_in(self, done: set[int]) -> Iterator[list[Reached]]:
        """The parts not yet in `done` (by identity), which are added to it."""
        for part in self.parts:
            if id(part) not in done:
                done.add(id(part))
                yield part


def element_at(value: ast.expr, path: tuple[int, ...]) -> ast.expr:
    """For `a, b = x, y`, the part of the value that `b` takes."""
    for position in path:
        if isinstance(value, (ast.Tuple, ast.List)) and position < len(value.elts):
            if any(isinstance(e, ast.Starred) for e in value.elts):
                return value
            value = value.elts[position]
        else:
            return value
    return value


def once_if(trail: Trail, scope: Scope) -> Trail:
    if trail.runs_once or not scope.runs_once():
        return trail
    return replace(trail, runs_once=True)
