"""Statement order and in-place order: which bindings of a name can still hold where it is
read in straight-line code, and which lists a `.sort()` puts in a fixed order.

The value flow is otherwise blind to statement order: every binding of a name reaches every
read of it. One ordering fact is both sound and cheap: in a block (a body of statements run
one after another), a plain assignment `x = ...` that is a direct statement of the block
replaces whatever `x` held before, for every later statement of the block. So a read of `x`
can only see that assignment and the bindings made between it and the read; a module-level
script that sets `messages = [...]` before each of its calls sends each call its own list, not
all of them. And a read outside any loop cannot see a binding made after its statement: the
parameter read at the top of a function is not the list the name is rebound to below.

It is applied only where nothing else can rebind the name meanwhile: a read in a function or
at module level (not in a class body, a lambda or a comprehension), of a name that no other
scope binds through `global` or `nonlocal`.
"""

from __future__ import annotations

import ast
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ctxlint.python.index import Binding, ClassInfo, ModuleIndex, Scope, class_of_self
from ctxlint.python.names import by_variable, lookup, qualified_name

if TYPE_CHECKING:
    from ctxlint.python.flow import Reached
    from ctxlint.python.module import PythonModule

Position = tuple[int, int]
# The statement fields that hold blocks run in order.
_BLOCK_FIELDS = ("body", "orelse", "finalbody")


@dataclass(slots=True)
class _Block:
    """A block's statements with what look-ups in it need, made on first use."""

    statements: list[ast.stmt]
    starts: list[Position]
    # For each name, the positions in the block of the plain assignments to it.
    assignments: dict[str, list[int]] = field(default_factory=dict)


def live_bindings(
    use: ast.Name, scope: Scope, bindings: list[Binding], index: ModuleIndex
) -> list[Binding]:
    """The bindings of `use` that can hold its value where it is read: all of them unless a
    plain assignment in a block around the read replaces the earlier ones (see the module's
    docstring). The list itself is returned when nothing is ruled out."""
    if scope.kind not in ("module", "function"):
        return bindings
    if use.id in scope.globals or use.id in scope.nonlocals:
        return bindings
    ordered = index.derived(_bindings_in_order).get(id(bindings))
    if ordered is None:
        ordered = index.derived(_bindings_in_order)[id(bindings)] = _BindingsInOrder(bindings)
    # A binding made from another scope (`global x` / `nonlocal x` there) may run between.
    if ordered.made_in is not scope:
        return bindings
    window = _live_window(use, scope, index)
    if window is None:
        return bindings
    first, last = window
    # A name bound a thousand times in a script: the look-up costs what the window holds.
    start = bisect_left(ordered.positions, first)
    end = bisect_right(ordered.positions, last)
    return [*ordered.unplaced, *ordered.bindings[start:end]]


class _BindingsInOrder:
    """One variable's bindings sorted by where they are made; those of no known place apart."""

    __slots__ = ("bindings", "made_in", "positions", "unplaced")

    def __init__(self, bindings: list[Binding]) -> None:
        # The scope all of them are made in, or None when some are made from another.
        scopes = {id(b.scope): b.scope for b in bindings}
        self.made_in = next(iter(scopes.values())) if len(scopes) == 1 else None
        placed = sorted(
            ((position, number) for number, b in enumerate(bindings) if (position := _position(b))),
        )
        self.positions = [position for position, _ in placed]
        self.bindings = [bindings[number] for _, number in placed]
        self.unplaced = [b for b in bindings if _position(b) is None]


def _bindings_in_order(index: ModuleIndex) -> dict[int, _BindingsInOrder]:
    # Filled per variable on its first look-up; the lists live as long as the index.
    return {}


def _live_window(
    use: ast.Name, scope: Scope, index: ModuleIndex
) -> tuple[Position, Position] | None:
    """From the start of the assignment that last replaced the name before the read, to the
    end of the block's statement holding the read; None when no such assignment is known."""
    if not hasattr(use, "lineno") or not isinstance(
        scope.node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)
    ):
        return None
    name = use.id
    blocks = index.derived(_blocks_by_id)
    where = (use.lineno, use.col_offset)
    statements: list[ast.stmt] | None = scope.node.body  # type: ignore[attr-defined]
    found: tuple[Position, Position] | None = None
    # Outside any loop, a binding made after the read's statement cannot have run yet.
    looped = False
    innermost: ast.stmt | None = None
    while statements:
        block = blocks.get(id(statements))
        if block is None:
            block = blocks[id(statements)] = _make_block(statements)
        position = bisect_right(block.starts, where) - 1
        if position < 0:
            break
        statement = block.statements[position]
        if where > _end(statement):
            break
        assigned = block.assignments.get(name, ())
        earlier = bisect_right(assigned, position - 1) - 1  # type: ignore[arg-type]
        if earlier >= 0:
            # The innermost block with such an assignment gives the narrowest window.
            found = (block.starts[assigned[earlier]], _end(statement))
        innermost = statement
        looped = looped or isinstance(statement, (ast.For, ast.AsyncFor, ast.While))
        statements = _block_holding(statement, where)
    if found is None and innermost is not None and not looped:
        return (0, 0), _end(innermost)
    return found


def _make_block(statements: list[ast.stmt]) -> _Block:
    block = _Block(statements, [_start(statement) for statement in statements])
    for position, statement in enumerate(statements):
        for name in _assigned_names(statement):
            block.assignments.setdefault(name, []).append(position)
    return block


def _assigned_names(statement: ast.stmt) -> list[str]:
    """Names a statement rebinds whenever it completes: `x = ...`, `x: T = ...`."""
    if isinstance(statement, ast.Assign):
        return [target.id for target in statement.targets if isinstance(target, ast.Name)]
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        target = statement.target
        return [target.id] if isinstance(target, ast.Name) else []
    return []


def _block_holding(statement: ast.stmt, where: Position) -> list[ast.stmt] | None:
    """The block of a compound statement that holds the position, if any (None when it is in
    the statement's header, or the statement is simple)."""
    blocks: list[list[ast.stmt]] = [getattr(statement, name, None) or [] for name in _BLOCK_FIELDS]
    blocks += [handler.body for handler in getattr(statement, "handlers", ())]
    blocks += [case.body for case in getattr(statement, "cases", ())]
    for block in blocks:
        if (
            block
            and isinstance(block[0], ast.stmt)
            and _start(block[0]) <= where <= _end(block[-1])
        ):
            return block
    return None


def _blocks_by_id(index: ModuleIndex) -> dict[int, _Block]:
    # Filled as reads are looked up; the statement lists live as long as the syntax tree.
    return {}


def _start(statement: ast.stmt) -> Position:
    decorators = getattr(statement, "decorator_list", None)
    if decorators:
        first = decorators[0]
        return (first.lineno, first.col_offset)
    return (statement.lineno, statement.col_offset)


def _end(node: ast.AST) -> Position:
    return (node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]


def _position(binding: Binding) -> Position | None:
    node = binding.node
    if node is None or not hasattr(node, "lineno"):
        return None
    return (node.lineno, node.col_offset)  # type: ignore[attr-defined]


# Changes made in place to a list's order ------------------------------------------------------


def sorted_in_place(index: ModuleIndex) -> set[tuple[str, int]]:
    """The variables (name, id of their bindings, as `by_variable` keys them) that a
    `.sort()` puts in a fixed order: whatever order their items were gathered in (a set, a
    shuffle, a server's listing), the list is sorted before anything reads it further on."""
    return index.derived(_sorted_variables)


def _sorted_variables(index: ModuleIndex) -> set[tuple[str, int]]:
    return {
        key
        for key, mutations in by_variable(index.mutations).items()
        if any(mutation.kind == "sort" for mutation in mutations)
    }


def sorted_attribute(index: ModuleIndex, owner: ClassInfo, attribute: str) -> bool:
    """Whether a method of the class sorts this `self` attribute in place."""
    return (id(owner), attribute) in index.derived(_sorted_attributes)


def _sorted_attributes(index: ModuleIndex) -> set[tuple[int, str]]:
    return {
        (id(owner), attribute)
        for owner in index.classes
        for attribute, mutations in owner.attribute_mutations.items()
        if any(mutation.kind == "sort" for mutation in mutations)
    }


_RANDOM_FUNCTIONS = frozenset({"seed", "shuffle"})


class Shuffles:
    """Where a module puts a list in random order in place: `random.shuffle(xs)`, of a
    variable or a `self` attribute (`random.sample(xs, k)` returns a new random value, which
    CTX001 reports). A module that seeds `random` with a constant repeats its order in every
    process, and has none."""

    def __init__(self, index: ModuleIndex | None) -> None:
        self.of_variable: dict[tuple[str, int], list[ast.Call]] = {}
        self.of_attribute: dict[tuple[int, str], list[ast.Call]] = {}
        seeded = False
        for site in index.calls if index is not None else ():
            call = site.call
            function = call.func
            called = function.attr if function.__class__ is ast.Attribute else None  # type: ignore[attr-defined]
            if function.__class__ is ast.Name:
                called = function.id  # type: ignore[attr-defined]
            if called not in _RANDOM_FUNCTIONS:
                continue  # qualified names cost a look-up: most calls are not these
            qualified = qualified_name(function, site.scope)
            if qualified == "random.seed" and call.args and isinstance(call.args[0], ast.Constant):
                seeded = True
            elif qualified == "random.shuffle" and call.args:
                self._record_shuffle(call, site.scope)
        if seeded:
            self.of_variable.clear()
            self.of_attribute.clear()

    def _record_shuffle(self, call: ast.Call, scope: Scope) -> None:
        shuffled = call.args[0]
        if isinstance(shuffled, ast.Name):
            bindings = lookup(shuffled.id, scope)
            if bindings:
                self.of_variable.setdefault((shuffled.id, id(bindings)), []).append(call)
        elif isinstance(shuffled, ast.Attribute):
            owner = class_of_self(shuffled.value, scope)
            if owner is not None:
                self.of_attribute.setdefault((id(owner), shuffled.attr), []).append(call)

    def of(self, reached: Reached, index: ModuleIndex) -> list[ast.Call]:
        """The shuffles that decide the order of a value reached from a sink (none when a
        `.sort()` of the same list fixes its order again)."""
        node = reached.node
        if node.__class__ is ast.Name and self.of_variable:
            bindings = lookup(node.id, reached.scope)  # type: ignore[attr-defined]
            key = (node.id, id(bindings))  # type: ignore[attr-defined]
            if key in self.of_variable and key not in sorted_in_place(index):
                return self.of_variable[key]
        elif node.__class__ is ast.Attribute and self.of_attribute:
            owner = class_of_self(node.value, reached.scope)  # type: ignore[attr-defined]
            if owner is not None and not sorted_attribute(index, owner, node.attr):  # type: ignore[attr-defined]
                return self.of_attribute.get((id(owner), node.attr), [])  # type: ignore[attr-defined]
        return []


def shuffled_lists(module: PythonModule) -> Shuffles:
    text = module.source.text
    if "shuffle" not in text:
        return _NO_SHUFFLES
    return Shuffles(module.index)


_NO_SHUFFLES = Shuffles(None)
