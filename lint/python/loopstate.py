"""What an agent loop changes on each pass, and whether a value computed in it depends on that.

An agent loop that decides its tool list per pass from state it changes (`tools =
state.allowed_tools()` ... `state.advance(reply)`) sends a different list as the state moves:
the state changes through method calls as often as through assignments. The facts here are
deliberately narrow: a call's result depends on the loop when its receiver or an argument is a
name the loop changes, or, for the loop's own object (`self.allowed_tools()` while
`self.advance(reply)` runs in the loop), when the method reads an attribute that the loop
changes, directly or through the methods it calls. Anything unresolved counts as unchanged.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field

from ctxlint.python.index import ClassInfo, ModuleIndex, Scope, class_of_self
from ctxlint.python.names import lookup

# Methods that change the container they are called on.
_MUTATING_METHODS = frozenset(
    {"append", "add", "update", "extend", "remove", "discard", "pop", "insert", "clear"}
)
# Methods called for their effect elsewhere (running a tool, logging, I/O): calling them on an
# object says nothing about whether its tool list changes.
_EFFECT_ELSEWHERE = frozenset(
    {
        "execute",
        "run",
        "call",
        "invoke",
        "ainvoke",
        "arun",
        "handle",
        "dispatch",
        "send",
        "emit",
        "publish",
        "write",
        "print",
        "log",
        "debug",
        "info",
        "warning",
        "warn",
        "error",
        "exception",
        "critical",
        "flush",
        "close",
        "save",
        "sleep",
        "put",
        "put_nowait",
        "notify",
        "render",
        "display",
        "set_result",
    }
)
_MAX_METHOD_DEPTH = 3


@dataclass(slots=True)
class LoopChanges:
    """What a loop changes from one pass to the next, each with the node that changes it:
    names whose object it changes (stores into, mutates, calls a state-changing method on)
    or that it rebinds, and the `self` attributes it changes."""

    mutated: dict[str, ast.AST] = field(default_factory=dict)
    # A rebinding carries over to the next pass when it reads the name's old value
    # (`state = state.advance(reply)`) or comes after the read in the pass.
    rebound: dict[str, list[tuple[ast.AST, bool]]] = field(default_factory=dict)
    self_attributes: dict[str, ast.AST] = field(default_factory=dict)
    # The loop's own targets take a new item each pass by design (one task per item).
    targets: set[str] = field(default_factory=set)
    # Objects of a class of the module kept beyond the function (`self.registry`, a module's
    # `registry`) whose attributes a method called in the loop changes (`unregister`): the
    # attributes, and the call.
    held: dict[str, tuple[set[str], ast.AST]] = field(default_factory=dict)


def changes_in_loop(loop: ast.stmt, scope: Scope, index: ModuleIndex) -> LoopChanges:
    changes = LoopChanges()
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        changes.targets = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
    owner = _class_of_scope(scope)
    statement_calls: set[int] = set()
    for node in ast.walk(loop):
        if isinstance(node, ast.Expr):
            value = node.value.value if isinstance(node.value, ast.Await) else node.value
            statement_calls.add(id(value))
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store):
                        reads_itself = isinstance(node, ast.AugAssign) or (
                            value is not None and _reads(value, name.id)
                        )
                        changes.rebound.setdefault(name.id, []).append((node, reads_itself))
    for node in ast.walk(loop):
        if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
            _record_store(node, node, scope, changes)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            receiver = node.func.value
            held = _held_object(receiver, scope, index)
            if held is not None:
                key, held_class = held
                written = _attributes_written(held_class, method, 0, set())
                if written:
                    changes.held.setdefault(key, (written, node))
            if method in _MUTATING_METHODS:
                _record_store(receiver, node, scope, changes)
            elif isinstance(receiver, ast.Name) and method not in _EFFECT_ELSEWHERE:
                if owner is not None and class_of_self(receiver, scope) is owner:
                    for attribute in _attributes_written(owner, method, 0, set()):
                        changes.self_attributes.setdefault(attribute, node)
                elif id(node) in statement_calls:
                    changes.mutated.setdefault(receiver.id, node)
    return changes


def _reads(value: ast.AST, name: str) -> bool:
    return any(
        isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
        for node in ast.walk(value)
    )


def _record_store(target: ast.expr, statement: ast.AST, scope: Scope, changes: LoopChanges) -> None:
    root = target
    attribute: str | None = None
    while isinstance(root, (ast.Attribute, ast.Subscript)):
        if isinstance(root, ast.Attribute):
            attribute = root.attr
        root = root.value
    if not isinstance(root, ast.Name):
        return
    if attribute is not None and class_of_self(root, scope) is not None:
        changes.self_attributes.setdefault(attribute, statement)
    else:
        changes.mutated.setdefault(root.id, statement)


def depends_on_loop(
    call: ast.Call, scope: Scope, changes: LoopChanges, index: ModuleIndex
) -> tuple[str, ast.AST] | None:
    """What the call's result depends on that the loop changes (a name or `self.attr`), with
    the statement that changes it; None when it depends on nothing the loop changes."""
    function = call.func
    roots = [_root_name(argument) for argument in call.args]
    roots += [_root_name(keyword.value) for keyword in call.keywords]
    if isinstance(function, ast.Attribute):
        receiver = function.value
        held = _held_object(receiver, scope, index)
        if held is not None and held[0] in changes.held:
            key, held_class = held
            written, changed_by = changes.held[key]
            if _attributes_read(held_class, function.attr, 0, set()) & written:
                return f"`{key}`", changed_by
        owner = class_of_self(receiver, scope) if isinstance(receiver, ast.Name) else None
        if owner is not None:
            read = _attributes_read(owner, function.attr, 0, set())
            for attribute in sorted(read & changes.self_attributes.keys()):
                return f"`self.{attribute}`", changes.self_attributes[attribute]
        else:
            roots.append(_root_name(receiver))
    for root in roots:
        if root is None or root in ("self", "cls") or root in changes.targets:
            continue
        if not _is_local(root, scope):
            continue
        if root in changes.mutated:
            return f"`{root}`", changes.mutated[root]
        rebound = changes.rebound.get(root, ())
        # Assigned before the call in the loop: a value of this pass, not carried over.
        fresh = any(statement.lineno < call.lineno for statement, _ in rebound)  # type: ignore[attr-defined]
        for statement, reads_itself in rebound:
            if reads_itself or not fresh:
                return f"`{root}`", statement
    return None


def _held_object(
    expression: ast.expr, scope: Scope, index: ModuleIndex
) -> tuple[str, ClassInfo] | None:
    """`self.registry` or a module-level `registry` (not the function's own name: those are
    followed by name) with its class, when every binding makes it by calling one class of
    this module (`self.registry = ToolRegistry()`)."""
    if isinstance(expression, ast.Attribute) and isinstance(expression.value, ast.Name):
        owner = class_of_self(expression.value, scope)
        if owner is None:
            return None
        found = _single_class_made(owner.attributes.get(expression.attr, ()), index)
        return (f"self.{expression.attr}", found) if found is not None else None
    if not isinstance(expression, ast.Name) or _is_local(expression.id, scope):
        return None
    bindings = lookup(expression.id, scope)
    if not bindings or any(b.scope is not index.module_scope for b in bindings):
        return None
    made = [
        (b.value if b.kind == "assign" and not b.target_path else None, b.scope) for b in bindings
    ]
    found = _single_class_made(made, index)
    return (expression.id, found) if found is not None else None


def _single_class_made(
    values: Iterable[tuple[ast.AST | None, Scope]], index: ModuleIndex
) -> ClassInfo | None:
    found: ClassInfo | None = None
    for value, scope in values:
        if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Name):
            return None
        bindings = lookup(value.func.id, scope)
        if len(bindings) != 1 or bindings[0].kind != "class":
            return None
        made = next((c for c in index.classes if c.node is bindings[0].value), None)
        if made is None or (found is not None and made is not found):
            return None
        found = made
    return found


def _is_local(name: str, scope: Scope) -> bool:
    """A name of the function (not a module constant the loop happens to shadow)."""
    return any(binding.scope is scope for binding in lookup(name, scope))


def _root_name(expression: ast.expr) -> str | None:
    while isinstance(expression, (ast.Attribute, ast.Subscript, ast.Starred)):
        expression = expression.value
    return expression.id if isinstance(expression, ast.Name) else None


def _class_of_scope(scope: Scope) -> ClassInfo | None:
    function = scope.function
    return function.class_info if function is not None else None


def _self_name(owner: ClassInfo, method: str) -> str | None:
    info = owner.methods.get(method)
    if info is None or not info.parameter_names:
        return None
    return info.parameter_names[0]


def _attributes_written(owner: ClassInfo, method: str, depth: int, seen: set[str]) -> set[str]:
    """The `self` attributes a method (and the methods of the class it calls) assigns, stores
    into or mutates."""
    info = owner.methods.get(method)
    me = _self_name(owner, method)
    if info is None or me is None or depth > _MAX_METHOD_DEPTH or method in seen:
        return set()
    seen.add(method)
    written: set[str] = set()
    for node in ast.walk(info.node):
        if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
            attribute = _self_attribute(node, me)
            if attribute is not None:
                written.add(attribute)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _MUTATING_METHODS:
                attribute = _self_attribute(node.func.value, me)
                if attribute is not None:
                    written.add(attribute)
            elif isinstance(node.func.value, ast.Name) and node.func.value.id == me:
                written |= _attributes_written(owner, node.func.attr, depth + 1, seen)
    return written


def _attributes_read(owner: ClassInfo, method: str, depth: int, seen: set[str]) -> set[str]:
    """The `self` attributes a method (and the methods of the class it calls) reads."""
    info = owner.methods.get(method)
    me = _self_name(owner, method)
    if info is None or me is None or depth > _MAX_METHOD_DEPTH or method in seen:
        return set()
    seen.add(method)
    read: set[str] = set()
    for node in ast.walk(info.node):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.value, ast.Name)
            and node.value.id == me
        ):
            if node.attr in owner.methods:
                read |= _attributes_read(owner, node.attr, depth + 1, seen)
            else:
                read.add(node.attr)
    return read


def _self_attribute(node: ast.expr, me: str) -> str | None:
    """`a` for `self.a`, `self.a[k]`, `self.a.b`: the attribute of self under the node."""
    attribute: str | None = None
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Attribute):
            attribute = node.attr
        node = node.value
    return attribute if isinstance(node, ast.Name) and node.id == me else None
