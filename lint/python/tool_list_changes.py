"""What makes a sent tool list differ between the passes of an agent loop, as CTX004 reads it:
calls recomputed each pass from state the loop changes, changes made inside the loop, the
names a loop changes, and tool listings whose order is passed on unsorted."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ctxlint.python.containers import Change, condition_varies, within_lines
from ctxlint.python.flow import Reached
from ctxlint.python.index import CallSite, ModuleIndex, Scope
from ctxlint.python.loopstate import LoopChanges, changes_in_loop, depends_on_loop
from ctxlint.python.module import PythonModule
from ctxlint.python.sinks import Sink

_LISTING_METHODS = frozenset({"list_tools"})


def recomputed_from_state(
    module: PythonModule, sink: Sink, loop: ast.stmt, site: CallSite
) -> Iterator[tuple[ast.AST, str, ast.AST]]:
    """Calls in the loop whose result makes up the tool list and that read state the loop
    changes: `tools = state.allowed_tools()` while `state.advance(reply)` runs each pass.
    Each as (the call, the state it reads, the statement of the loop that changes it)."""
    changes = module.fact_about(_loop_changes_per_scope, loop).get(id(site.scope))
    if changes is None:
        changes = changes_in_loop(loop, site.scope, module.index)
        module.fact_about(_loop_changes_per_scope, loop)[id(site.scope)] = changes
    # The sink's own walk: what its call computes in its loop. Walks shared with other sinks
    # hold a variable's many values, each added to it (and flagged as a change) elsewhere.
    added = module.index.derived(_written_values)
    for reached in module.reached(sink).parts[0]:
        node = reached.node
        if (
            node.__class__ is not ast.Call
            or reached.scope is not site.scope
            or id(node) in added
            or not within_lines(node, loop)
        ):
            continue
        depends = depends_on_loop(node, reached.scope, changes, module.index)  # type: ignore[arg-type]
        if depends is None:
            continue
        state, changed_by = depends
        if sink.call is not None and any(n is sink.call for n in ast.walk(changed_by)):
            # `outer = Agent(tools=[outer.as_tool()])`: each pass builds a new object from
            # the last one (nested agents), which is not one agent's requests changing.
            continue
        yield node, state, changed_by


def _written_values(index: ModuleIndex) -> set[int]:
    """Values put into a container (`tools.append(x)`): a change of the list, not the list's
    computation."""
    return {id(write.value) for writes in index.container_writes.values() for write in writes}


def _loop_changes_per_scope(module: PythonModule, loop: ast.stmt) -> dict[int, LoopChanges]:
    return {}


def short_line(text: str) -> str:
    first = text.splitlines()[0] if text else text
    return first if len(first) <= 60 else first[:57] + "..."


def listing_reads(
    module: PythonModule, reached: list[Reached]
) -> tuple[set[int], list[ast.AST], list[tuple[ast.AST, Scope, bool]]]:
    """Among values reached per request: the awaited expressions (by id), the `result.tools`
    read from a listing's result (nearest the sink first), and the listing calls (or awaits of
    them) whose order is passed on unsorted, with their scope and whether that scope keeps
    what it lists on `self`."""
    per_request = [r for r in reached if not r.trail.runs_once]
    kept = module.index.derived(_values_kept_on_self)
    keeping = {id(r.scope) for r in per_request if id(r.node) in kept}
    awaited = {id(r.node.value) for r in per_request if isinstance(r.node, ast.Await)}
    attributes: list[ast.AST] = [
        r.node
        for r in per_request
        if isinstance(r.node, ast.Attribute) and r.node.attr == "tools" and not r.trail.sorted
    ]
    listings: list[tuple[ast.AST, Scope, bool]] = []
    for item in per_request:
        node = item.node
        call = node.value if isinstance(node, ast.Await) else node
        if (
            not item.trail.sorted
            and isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in _LISTING_METHODS
        ):
            listings.append((node, item.scope, id(item.scope) in keeping))
    return awaited, attributes, listings


def _values_kept_on_self(index: ModuleIndex) -> set[int]:
    """The values the module's methods assign to `self` attributes (`self.tools = ...`)."""
    return {
        id(value)
        for info in index.classes
        for assigned in info.attributes.values()
        for value, _ in assigned
    }


def happens_in_loop(change: Change, loop: ast.stmt, module: PythonModule) -> bool:
    """Whether the change is made inside a loop around the call, in the same function."""
    if change.mutation is not None:
        inner = change.mutation.loop
    else:
        inner = _innermost_loop_at(change.node, loop, module)
    outer: ast.stmt | None = loop
    while outer is not None:
        if module.index.loop_encloses(outer, inner):
            return True
        outer = module.index.loop_parents.get(outer)
    return False


def _innermost_loop_at(node: ast.AST, loop: ast.stmt, module: PythonModule) -> ast.stmt | None:
    outer: ast.stmt | None = loop
    while outer is not None:
        if outer.lineno <= node.lineno <= outer.end_lineno:  # type: ignore[attr-defined,operator]
            return outer
        outer = module.index.loop_parents.get(outer)
    return None


def changes_list(change: Change, module: PythonModule) -> bool:
    """A filter decided by each tool alone keeps the same list on every pass."""
    if change.rebinding_kind == "filter":
        return change.condition is not None and condition_varies(change, module.index)
    return True


def condition_names(change: Change) -> set[str]:
    assert change.condition is not None
    names = set()
    for node in ast.walk(change.condition):
        if isinstance(node, ast.Name) and node.id not in change.element_names:
            names.add(node.id)
    return names


def names_changed_in(module: PythonModule, loop: ast.stmt) -> set[str]:
    """Names the loop rebinds, or whose object it changes (`state.step = 2`, `seen.add(x)`);
    walked once per loop, however many calls it makes."""
    changed: set[str] = set()
    for node in ast.walk(loop):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            changed.add(node.id)
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
            root = node.value
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if isinstance(root, ast.Name):
                changed.add(root.id)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.attr in ("append", "add", "update", "extend", "remove", "discard", "pop")
        ):
            changed.add(node.func.value.id)
    return changed
