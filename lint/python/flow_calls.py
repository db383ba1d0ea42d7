"""Value flow through calls: into a called function's returns with its parameters bound to the
call's arguments, out of a parameter to the calls that supply it (the module's calls of the
function, a constructor's calls of its class, a builder's calls on the same instance), and
across modules through the project's links. `flow._Walker` takes these steps as a mixin."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace

from ctxlint.python.carriers import (
    ARGUMENT_METHODS,
    ITERATING_FUNCTIONS,
    PASS_THROUGH_FUNCTIONS,
    RECEIVER_METHODS,
    SORTING_FUNCTIONS,
)
from ctxlint.python.flow_types import (
    MAX_CALL_DEPTH,
    MAX_CALL_SITES,
    Frame,
    Step,
    Trail,
    element_at,
    once_if,
)
from ctxlint.python.index import Binding, FunctionInfo, ModuleIndex, Scope
from ctxlint.python.names import first_own_function, lookup, qualified_name


class CallSteps:
    """The call steps of `flow._Walker`, which holds the state they use: `index`, `links`,
    `unframed`, `deepest`, and `index_of`."""

    def parameter_steps(self, binding: Binding, trail: Trail, frames: tuple[Frame, ...]):
        function = binding.function
        assert function is not None
        name = binding.name
        for depth in range(len(frames) - 1, -1, -1):
            frame = frames[depth]
            if frame.function is function:
                # The argument is evaluated in the caller, with the caller's own frames.
                argument = _argument_for(frame, binding, name)
                if argument is not None:
                    yield argument, frame.caller_scope, trail, frames[:depth]
                elif binding.value is not None:
                    yield binding.value, function.enclosing, trail, frames[:depth]
                return
        # Not entered through a call: any caller in the module may supply the value.
        self.unframed.add(id(function))
        if function.class_info is not None and _instance_frame(function, frames) is not None:
            # Only that instance's calls supply the value, not every call of the method.
            yield from self.instance_call_steps(binding, trail, frames)
            return
        if binding.value is not None:
            yield binding.value, function.enclosing, replace(trail, runs_once=True), frames
        index = self.index_of(function.scope)
        if len(frames) >= MAX_CALL_DEPTH:
            return
        if function.name == "__init__" and function.class_info is not None:
            yield from self.constructor_steps(function, binding, trail, frames, index)
            return
        candidates = index.functions_by_name.get(function.name, [])
        if len(candidates) != 1:
            return
        for site in index.calls_by_name.get(function.name, [])[:MAX_CALL_SITES]:
            frame = Frame(
                function, site.call, site.scope, isinstance(site.call.func, ast.Attribute)
            )
            argument = _argument_for(frame, binding, name)
            if argument is not None:
                yield argument, site.scope, once_if(trail, site.scope), frames

    def constructor_steps(
        self,
        function: FunctionInfo,
        binding: Binding,
        trail: Trail,
        frames: tuple[Frame, ...],
        index: ModuleIndex,
    ) -> Iterator[Step]:
        """A parameter of `__init__` (kept on self, read by another method): the module's
        calls of the class by its name supply the value (`Prompt(current_date=now())`)."""
        owner = function.class_info
        assert owner is not None
        for site in index.calls_by_name.get(owner.node.name, [])[:MAX_CALL_SITES]:
            callee = site.call.func
            if not isinstance(callee, ast.Name):
                continue
            bindings = lookup(callee.id, site.scope)
            if len(bindings) != 1 or bindings[0].value is not owner.node:
                continue
            argument = _argument_for(
                Frame(function, site.call, site.scope, True), binding, binding.name
            )
            if argument is not None:
                yield argument, site.scope, once_if(trail, site.scope), frames

    def instance_call_steps(self, binding: Binding, trail: Trail, frames: tuple[Frame, ...]):
        """A builder: the walk entered `b.build()` and reached a parameter of another method
        of the same class (`add_section(self, section)`, stored into `self.sections`). The
        calls of that method on the same instance, in the function that called `b.build()`,
        supply the value."""
        function = binding.function
        assert function is not None
        found = _instance_frame(function, frames)
        if found is not None:
            depth, frame, instance = found
            bindings = lookup(instance, frame.caller_scope)
            sites = self.index_of(frame.caller_scope).calls_by_name.get(function.name, ())
            for site in sites[:MAX_CALL_SITES]:
                callee = site.call.func
                if (
                    site.scope is not frame.caller_scope
                    or not isinstance(callee, ast.Attribute)
                    or not isinstance(callee.value, ast.Name)
                    or callee.value.id != instance
                    or lookup(instance, site.scope) is not bindings
                ):
                    continue
                call_frame = Frame(function, site.call, site.scope, True)
                argument = _argument_for(call_frame, binding, binding.name)
                if argument is not None:
                    yield argument, site.scope, trail, frames[:depth]

    def call_steps(self, node: ast.Call, scope: Scope, trail: Trail, frames: tuple[Frame, ...]):
        function = node.func
        target = first_own_function(function, scope)
        if target is not None:
            yield from self.enter(
                target, node, scope, trail, frames, isinstance(function, ast.Attribute)
            )
            return
        qualified = qualified_name(function, scope)
        if qualified in PASS_THROUGH_FUNCTIONS:
            for argument in _arguments(node):
                yield argument, scope, trail, frames
            return
        if qualified in ITERATING_FUNCTIONS:
            for argument in _arguments(node):
                yield (
                    argument,
                    scope,
                    replace(trail, iterated=argument, iterated_scope=scope),
                    frames,
                )
            return
        if qualified in SORTING_FUNCTIONS:
            for argument in node.args[:1]:
                yield argument, scope, replace(trail, sorted=True), frames
            return
        if qualified is not None or not isinstance(function, ast.Attribute):
            if qualified is not None:
                yield from self.project_call_steps(node, scope, trail, frames)
            return
        method = function.attr
        if method == "join" and node.args:
            yield function.value, scope, trail, frames
            iterated = replace(trail, iterated=node.args[0], iterated_scope=scope)
            yield node.args[0], scope, iterated, frames
        elif method in RECEIVER_METHODS:
            inner = trail
            if method == "strftime" and node.args:
                literal = node.args[0]
                if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                    inner = replace(trail, time_format=literal.value, time_format_node=literal)
            elif method == "isoformat":
                inner = replace(trail, time_format="%Y-%m-%dT%H:%M:%S", time_format_node=node)
            elif method == "date":
                inner = replace(trail, time_format="%Y-%m-%d", time_format_node=node)
            yield function.value, scope, inner, frames
            if method in ARGUMENT_METHODS:
                # `text.replace(old, new)`: what it looks for is gone from what it returns
                # (a `replace(field=value)` of a dataclass or a datetime keeps every argument).
                arguments = _arguments(node)
                if method == "replace" and len(node.args) >= 2:
                    arguments = arguments[1:]
                for argument in arguments:
                    yield argument, scope, trail, frames
        else:
            yield from self.project_call_steps(node, scope, trail, frames)

    def project_call_steps(
        self, node: ast.Call, scope: Scope, trail: Trail, frames: tuple[Frame, ...]
    ) -> Iterator[Step]:
        """Into a function of another module, or a method the project resolves."""
        if self.links is None:
            return
        callee = self.links.callee(node.func, scope)
        if callee is not None:
            yield from self.enter(callee.function, node, scope, trail, frames, callee.bound)

    def enter(
        self,
        target: FunctionInfo,
        call: ast.Call,
        scope: Scope,
        trail: Trail,
        frames: tuple[Frame, ...],
        bound: bool,
        path: tuple[int, ...] = (),
    ) -> Iterator[Step]:
        """Into the returns of a called function (the element at `path` of each, for a
        tuple unpacked from it), its parameters bound to the call's arguments; not into a
        function the walk is already inside (recursion)."""
        if len(frames) >= MAX_CALL_DEPTH or any(f.function is target for f in frames):
            return
        self.deepest = max(self.deepest, len(frames) + 1)
        frame = Frame(target, call, scope, bound)
        inner = (*frames, frame)
        for value in target.returns:
            if path:
                yield from self.returned_part(value, target.scope, trail, inner, path)
            else:
                yield value, target.scope, trail, inner

    def returned_part(
        self,
        value: ast.expr,
        scope: Scope,
        trail: Trail,
        frames: tuple[Frame, ...],
        path: tuple[int, ...],
        through_name: bool = True,
    ) -> Iterator[Step]:
        """The part at `path` of a returned value, for a tuple the caller unpacks."""
        returned = value.value if isinstance(value, ast.Await) else value
        if isinstance(returned, ast.Call):
            # `return await self._decide(...)`: the unpacked part is that call's part.
            callee = self.callee_of(returned, scope)
            if callee is not None:
                function, binds = callee
                yield from self.enter(function, returned, scope, trail, frames, binds, path)
                return
        elif isinstance(returned, ast.Name) and through_name:
            # `result = await self._decide(...); return result`: the part of what the name
            # holds, when each of its values is a call or a tuple written out; a timing kept
            # beside the unpacked part (`node, params, latency = ...`) stays out of the walk.
            values = _single_values(returned, scope, self.index_of(scope))
            if values is not None:
                for held, held_scope in values:
                    inner_trail = once_if(trail, held_scope)
                    yield from self.returned_part(
                        held, held_scope, inner_trail, frames, path, through_name=False
                    )
                return
        yield element_at(value, path), scope, trail, frames

    def callee_of(self, call: ast.Call, scope: Scope) -> tuple[FunctionInfo, bool] | None:
        """The function a call enters, of the module or the project, and whether it binds
        the receiver."""
        target = first_own_function(call.func, scope)
        if target is not None:
            return target, isinstance(call.func, ast.Attribute)
        if self.links is None:
            return None
        callee = self.links.callee(call.func, scope)
        return (callee.function, callee.bound) if callee is not None else None


def _single_values(
    name: ast.Name, scope: Scope, index: ModuleIndex
) -> list[tuple[ast.expr, Scope]] | None:
    """Every value a returned name is given, when each is a whole assignment of a call or a
    tuple written out (no unpacking, no writes into it or changes of it, no parameter); else
    None."""
    bindings = lookup(name.id, scope)
    if not bindings or len(bindings) > MAX_CALL_SITES:
        return None
    changes = (*index.container_writes.get(name.id, ()), *index.mutations.get(name.id, ()))
    if any(lookup(name.id, change.scope) is bindings for change in changes):
        return None
    values = []
    for binding in bindings:
        held = binding.value
        if binding.kind != "assign" or binding.target_path or not isinstance(held, ast.expr):
            return None
        inner = held.value if isinstance(held, ast.Await) else held
        if not isinstance(inner, (ast.Call, ast.Tuple)):
            return None
        values.append((held, binding.scope))
    return values


def _instance_frame(
    function: FunctionInfo, frames: tuple[Frame, ...]
) -> tuple[int, Frame, str] | None:
    """The innermost call of a method of `function`'s class on a named instance
    (`b.build()`), with its depth and the instance's name."""
    for depth in range(len(frames) - 1, -1, -1):
        frame = frames[depth]
        if frame.function.class_info is not function.class_info:
            continue
        receiver = frame.call.func
        named = isinstance(receiver, ast.Attribute) and isinstance(receiver.value, ast.Name)
        if named and receiver.value.id not in ("self", "cls"):  # type: ignore[attr-defined]
            return depth, frame, receiver.value.id  # type: ignore[attr-defined]
        return None
    return None


def _arguments(call: ast.Call) -> list[ast.expr]:
    values = [a.value if isinstance(a, ast.Starred) else a for a in call.args]
    values.extend(keyword.value for keyword in call.keywords)
    return values


def _argument_for(frame: Frame, binding: Binding, name: str) -> ast.expr | None:
    call = frame.call
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    index = binding.parameter_index
    if index is None:
        return None
    function = frame.function
    is_method = function.class_info is not None and not _is_static(function)
    if is_method and frame.bound:
        index -= 1
    if index < 0:
        return None
    positional = call.args
    if any(isinstance(a, ast.Starred) for a in positional[: index + 1]):
        return None
    return positional[index] if index < len(positional) else None


def _is_static(function: FunctionInfo) -> bool:
    node = function.node
    if isinstance(node, ast.Lambda):
        return False
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)
