"""Value flow: every expression whose value can reach a sink, and how.

The walk goes backward from a sink through assignments, f-strings, `.format`, `%`, `+`,
`str.join`, containers and the writes into them, returns of the functions called (binding
their parameters to the arguments of the call), and `self` attributes set in the same class.
The functions are the module's own and, given the project's links, those of the project
modules it imports, methods of instances whose class is known, and methods found by a unique
name; a walk then continues in the other module's scopes, with that module's index. Calls it
does not know stop the walk: when unsure, the rules stay silent.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from ctxlint.python.carriers import (
    DATE_ATTRIBUTES,
    LISTING_ATTRIBUTES,
    TIME_ATTRIBUTES,
    VALUE_ATTRIBUTES,
)
from ctxlint.python.flow_calls import CallSteps
from ctxlint.python.flow_types import (
    MAX_CALL_DEPTH,
    Frame,
    Links,
    Reach,
    Reached,
    Step,
    Trail,
    element_at,
    once_if,
)
from ctxlint.python.index import (
    Binding,
    ClassInfo,
    ContainerWrite,
    ModuleIndex,
    Scope,
    class_of_self,
)
from ctxlint.python.names import by_variable, lookup
from ctxlint.python.order import live_bindings, sorted_attribute, sorted_in_place
from ctxlint.python.sinks import Sink

_MAX_NODES_PER_SINK = 4000
# A variable with this many values (writes into it, bindings) is walked once for every sink
# that reads it, and the walk shared: a history that every call of a class sends and that
# every method appends to would otherwise be walked again for each call.
_SHARED_FROM = 8

__all__ = ["Links", "Reach", "Reached", "Trail", "reach", "writes_by_variable"]


def reach(
    sink: Sink,
    index: ModuleIndex,
    follow_callables: bool | None = None,
    links: Links | None = None,
) -> Reach:
    """Every expression whose value flows into the sink, with the trail it took; across
    modules when given the project's links."""
    follow = sink.kind == "system" if follow_callables is None else follow_callables
    walker = _Walker(index, follow, links=links)
    start = (sink.expression, sink.scope, Trail(runs_once=sink.scope.runs_once()), ())
    own = list(walker.walk([start]))
    return Reach((own, *walker.shared))


class _Walker(CallSteps):
    def __init__(
        self,
        index: ModuleIndex,
        follow_callables: bool,
        share: bool = True,
        links: Links | None = None,
    ) -> None:
        self.index = index
        self.links = links
        self.follow_callables = follow_callables
        # Whether walks of variables with many values are shared (not within a shared walk:
        # it holds all it reaches itself).
        self.share = share
        self.shared: list[list[Reached]] = []
        self._shared_ids: set[int] = set()
        # What a walk's result depends on beyond where it starts: the functions whose
        # parameters it reached outside a call of theirs (the frames of a caller could bind
        # them), and how many calls deep it went (a caller's frames count towards the limit).
        self.unframed: set[int] = set()
        self.deepest = 0

    def walk(self, starts: list[Step]) -> Iterator[Reached]:
        pending: list[Any] = list(starts)
        seen: set[tuple[int, Trail, int]] = set()
        while pending and len(seen) < _MAX_NODES_PER_SINK:
            node, scope, trail, frames = pending.pop()
            key = (id(node), trail, id(frames[-1].call) if frames else 0)
            if key in seen:
                continue
            seen.add(key)
            yield Reached(node, scope, trail, frames)
            for step in self.steps(node, scope, trail, frames):
                if step.__class__ is list:
                    if id(step) not in self._shared_ids:
                        self._shared_ids.add(id(step))
                        self.shared.append(step)
                else:
                    pending.append(step)

    def values(
        self,
        key: tuple[Any, ...],
        count: int,
        frames: tuple[Frame, ...],
        steps: Callable[[tuple[Frame, ...]], Iterable[Step]],
    ) -> Iterable[Any]:
        """The steps to a variable's values (from `steps(frames)`), or, for a variable with
        many, the shared walk of them (a list), made the first time any sink reaches the
        variable this way, from outside any call. Reached inside calls of the module's own
        functions (`messages=self._history()`), it is the same walk unless it reads those
        functions' parameters or goes as deep as the limit: then the steps are walked here."""
        if not self.share or count < _SHARED_FROM:
            return steps(frames)
        walks = self.index.derived(_shared_walks)
        key = (*key, self.follow_callables)
        shared = walks.get(key)
        if shared is None:
            inner = _Walker(self.index, self.follow_callables, share=False, links=self.links)
            part = list(inner.walk(list(steps(()))))
            shared = walks[key] = (part, inner.unframed, inner.deepest)
        part, unframed, deepest = shared
        if frames and (
            deepest + len(frames) >= MAX_CALL_DEPTH
            or any(id(frame.function) in unframed for frame in frames)
        ):
            return steps(frames)
        return (part,)

    def steps(
        self, node: ast.expr, scope: Scope, trail: Trail, frames: tuple[Frame, ...]
    ) -> Iterator[tuple[ast.expr, Scope, Trail, tuple[Frame, ...]]]:
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    spec = _constant_format_spec(part.format_spec)
                    inner = replace(trail, iterated=part, iterated_scope=scope)
                    if spec and "%" in spec:
                        inner = replace(inner, time_format=spec, time_format_node=part)
                    yield part.value, scope, inner, frames
        elif isinstance(node, ast.BinOp):
            yield node.left, scope, trail, frames
            yield node.right, scope, trail, frames
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                yield value, scope, trail, frames
        elif isinstance(node, ast.IfExp):
            yield node.body, scope, trail, frames
            yield node.orelse, scope, trail, frames
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            for element in node.elts:
                yield element, scope, trail, frames
        elif isinstance(node, ast.Dict):
            for value in node.values:
                yield value, scope, trail, frames
        elif isinstance(node, (ast.Starred, ast.Await, ast.NamedExpr, ast.Subscript)):
            yield node.value, scope, trail, frames
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            inner_scope = self.index_of(scope).function_scope(node) or scope
            if isinstance(node, ast.DictComp):
                yield node.key, inner_scope, trail, frames
                yield node.value, inner_scope, trail, frames
            else:
                yield node.elt, inner_scope, trail, frames
            if not isinstance(node, ast.SetComp):
                # The result's order is the order of iteration, whatever the element is.
                for position, generator in enumerate(node.generators):
                    iterable_scope = scope if position == 0 else inner_scope
                    ordered = replace(trail, iterated=generator.iter, iterated_scope=iterable_scope)
                    yield generator.iter, iterable_scope, ordered, frames
        elif isinstance(node, ast.Name):
            yield from self.name_steps(node, scope, trail, frames)
        elif isinstance(node, ast.Attribute):
            if node.attr in VALUE_ATTRIBUTES:
                yield node.value, scope, trail, frames
            elif node.attr in DATE_ATTRIBUTES:
                yield node.value, scope, replace(trail, time_format="%Y-%m-%d"), frames
            elif node.attr in TIME_ATTRIBUTES:
                yield node.value, scope, replace(trail, time_format="%H:%M:%S"), frames
            elif node.attr in LISTING_ATTRIBUTES and class_of_self(node.value, scope) is None:
                yield node.value, scope, trail, frames
            else:
                yield from self.attribute_steps(node, scope, trail, frames)
        elif isinstance(node, ast.Call):
            yield from self.call_steps(node, scope, trail, frames)
        elif isinstance(node, ast.Lambda) and self.follow_callables:
            lambda_scope = self.index_of(scope).function_scope(node) or scope
            yield node.body, lambda_scope, replace(trail, runs_once=False), frames

    def index_of(self, scope: Scope) -> ModuleIndex:
        """The index of the module `scope` is in: the home module's, or another's the walk
        entered through a call."""
        if self.links is None:
            return self.index
        root = scope
        while root.parent is not None:
            root = root.parent
        if root is self.index.module_scope:
            return self.index
        return self.links.index_of(root) or self.index

    # Names --------------------------------------------------------------------------------

    def name_steps(self, node: ast.Name, scope: Scope, trail: Trail, frames: tuple[Frame, ...]):
        name = node.id
        bindings = lookup(name, scope)
        if not bindings:
            return
        index = self.index_of(scope)
        live = live_bindings(node, scope, bindings, index)
        if (name, id(bindings)) in sorted_in_place(index):
            trail = replace(trail, sorted=True)  # `xs.sort()`: its values' order is fixed
        if live is bindings:
            key: tuple[Any, ...] = ("bindings", name, id(bindings), trail)
        else:
            key = ("bindings", name, id(bindings), trail, *map(id, live))

        def binding_values(frames: tuple[Frame, ...]) -> Iterator[Step]:
            for binding in live:
                yield from self.binding_steps(binding, trail, frames)

        yield from self.values(key, len(live), frames, binding_values)
        # Only writes into this same variable, not another one that shares its name.
        writes = index.derived(writes_by_variable).get((name, id(bindings)), ())

        def written_values(frames: tuple[Frame, ...]) -> Iterator[Step]:
            for write in writes:
                yield from _write_steps(write, trail, frames)

        key = ("writes", name, id(bindings), trail)
        yield from self.values(key, len(writes), frames, written_values)

    def binding_steps(self, binding: Binding, trail: Trail, frames: tuple[Frame, ...]):
        scope = binding.scope
        kind = binding.kind
        if kind in ("assign", "augassign") and binding.value is not None:
            value = element_at(binding.value, binding.target_path)
            if binding.target_path:
                # `prompt, messages = self._map(...)`: only the part of each return it takes.
                call = value.value if isinstance(value, ast.Await) else value
                callee = self.callee_of(call, scope) if isinstance(call, ast.Call) else None
                if callee is not None:
                    function, bound = callee
                    once = once_if(trail, scope)
                    path = binding.target_path
                    yield from self.enter(function, call, scope, once, frames, bound, path)  # type: ignore[arg-type]
                    return
                held = _parts_of_held_tuples(value, scope, binding.target_path)
                if held is not None:
                    for part, part_scope in held:
                        yield part, part_scope, once_if(trail, part_scope), frames
                    return
            yield value, scope, once_if(trail, scope), frames
        elif kind in ("for", "comprehension") and binding.value is not None:
            iterated = replace(once_if(trail, scope), iterated=binding.value, iterated_scope=scope)
            yield binding.value, scope, iterated, frames
        elif kind == "param" and binding.function is not None:
            yield from self.parameter_steps(binding, trail, frames)
        elif kind == "function" and self.follow_callables and binding.function is not None:
            # A function handed over to be called later runs per request, wherever the
            # hand-over itself happens.
            called_later = replace(trail, runs_once=False)
            for value in binding.function.returns:
                yield value, binding.function.scope, called_later, frames

    def attribute_steps(self, node: ast.Attribute, scope: Scope, trail: Trail, frames):
        owner = class_of_self(node.value, scope)
        if owner is None:
            return
        if sorted_attribute(self.index_of(scope), owner, node.attr):
            trail = replace(trail, sorted=True)
        assigned = owner.attributes.get(node.attr, ())
        writes = owner.attribute_writes.get(node.attr, ())
        # A class attribute read through self.
        class_bindings = owner.scope.bindings.get(node.attr, ())

        index = self.index_of(scope)

        def attribute_values(frames: tuple[Frame, ...]) -> Iterator[Step]:
            for value, value_scope in assigned:
                yield value, value_scope, trail, frames
            kept = (
                _kept_appends(index, owner, node.attr)
                if writes and not _made_for_this_call(frames)
                else frozenset()
            )
            for write in writes:
                added = replace(trail, kept_when_added=True) if id(write.value) in kept else trail
                yield from _write_steps(write, added, frames)
            for binding in class_bindings:
                yield from self.binding_steps(binding, trail, frames)

        key = ("attribute", id(owner), node.attr, trail)
        count = len(assigned) + len(writes) + len(class_bindings)
        yield from self.values(key, count, frames, attribute_values)


def _parts_of_held_tuples(
    value: ast.expr, scope: Scope, path: tuple[int, ...]
) -> list[tuple[ast.expr, Scope]] | None:
    """`ts, cwd, result = _cache` where every value `_cache` is given is a tuple written out
    (`_cache = (now, cwd, result)`) or None: the part of each at the unpacked position, not the
    whole tuple (a timestamp kept beside a cached prompt only decides when to rebuild it).
    None when any value is something else."""
    if not isinstance(value, ast.Name):
        return None
    bindings = lookup(value.id, scope)
    if not bindings:
        return None
    parts: list[tuple[ast.expr, Scope]] = []
    for binding in bindings:
        held = binding.value
        if binding.kind != "assign" or held is None or binding.target_path:
            return None
        if isinstance(held, ast.Constant) and held.value is None:
            continue
        if not isinstance(held, (ast.Tuple, ast.List)) or len(held.elts) <= path[0]:
            return None
        if any(isinstance(element, ast.Starred) for element in held.elts):
            return None
        parts.append((element_at(held, path), binding.scope))
    return parts


def _shared_walks(
    index: ModuleIndex,
) -> dict[tuple[Any, ...], tuple[list[Reached], set[int], int]]:
    # Filled as sinks reach variables with many values; see _Walker.values.
    return {}


def writes_by_variable(index: ModuleIndex) -> dict[tuple[str, int], list[ContainerWrite]]:
    return by_variable(index.container_writes)


def _write_steps(write: ContainerWrite, trail: Trail, frames: tuple[Frame, ...]):
    trail = once_if(trail, write.scope)
    yield write.value, write.scope, trail, frames
    # Writes made in a loop land in the loop's order.
    for iterable in write.loops:
        iterated = replace(trail, iterated=iterable, iterated_scope=write.scope)
        yield iterable, write.scope, iterated, frames


def _kept_appends(index: ModuleIndex, owner: ClassInfo, attribute: str) -> frozenset[int]:
    """The values (by id) appended to the end of `self.<attribute>` by a method that does not
    also rebind the attribute: each is computed when it is added and kept as it was. A method
    that empties the list and appends again (`self.parts = []; self.parts.append(...)`)
    rebuilds it on each call, and what it appends is not kept. Once per attribute."""
    known = index.derived(_kept_appends_table)
    key = (id(owner), attribute)
    if key not in known:
        known[key] = _appended_and_kept(owner, attribute)
    return known[key]


def _kept_appends_table(index: ModuleIndex) -> dict[tuple[int, str], frozenset[int]]:
    return {}


def _appended_and_kept(owner: ClassInfo, attribute: str) -> frozenset[int]:
    rebinding = {id(scope) for _, scope in owner.attributes.get(attribute, ())}
    kept: set[int] = set()
    for mutation in owner.attribute_mutations.get(attribute, ()):
        call = mutation.node
        if (
            mutation.kind in ("append", "extend")
            and isinstance(call, ast.Call)
            and id(mutation.scope) not in rebinding
        ):
            kept.update(id(argument) for argument in call.args)
    return frozenset(kept)


def _made_for_this_call(frames: tuple[Frame, ...]) -> bool:
    """Whether the method being walked was called on an object made in the calling function
    (`b = PromptBuilder(); ...; b.build()`): what it keeps lives as long as that call, and is
    made again by the next one."""
    if not frames or not frames[-1].bound:
        return False
    frame = frames[-1]
    receiver = frame.call.func.value if isinstance(frame.call.func, ast.Attribute) else None
    if not isinstance(receiver, ast.Name):
        return False
    bindings = lookup(receiver.id, frame.caller_scope)
    return any(
        binding.kind == "assign"
        and isinstance(binding.value, ast.Call)
        and binding.scope.kind != "module"
        for binding in bindings
    )


def _constant_format_spec(spec: ast.expr | None) -> str | None:
    if not isinstance(spec, ast.JoinedStr):
        return None
    parts = []
    for value in spec.values:
        if not isinstance(value, ast.Constant):
            return None
        parts.append(str(value.value))
    return "".join(parts)
