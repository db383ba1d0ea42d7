"""A history read from a store, sent with something put in front, and stored back: every turn
puts that something in front again (`messages = [SYSTEM] + memory.get(); ...;
memory.set(messages)`), so the list differs from the previous request from its first message
on, and grows a copy of the system message per turn.

The store is an attribute kept on an object: read and written directly (`self._messages`) or
through its methods (`memory.get()` returning `self._messages`, `memory.set(m)` assigning
`self._messages = m`), of this module's class or of another module's (resolved through the
project: a constructor call, a parameter annotation). Anything else stays silent.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ctxlint.python.index import FunctionInfo, ModuleIndex, Scope, class_of_self
from ctxlint.python.names import lookup
from ctxlint.python.summaries import callee_of


@dataclass(frozen=True, slots=True)
class RoundTrip:
    # The expression that puts something in front of what was read (`[SYSTEM] + memory.get()`).
    prepend: ast.expr
    # The statement or call that stores the result back (`memory.set(messages)`).
    store: ast.AST
    # The attribute kept between turns (`_messages`).
    attribute: str


def prepended_round_trip(name: ast.Name, scope: Scope, index: ModuleIndex) -> RoundTrip | None:
    """For a sent list held by `name`: the round trip that rebuilds it from a store with
    something in front and writes it back to the same store, if there is one."""
    bindings = lookup(name.id, scope)
    if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].target_path:
        return None
    binding = bindings[0]
    value = binding.value
    if binding.scope.kind != "function" or not isinstance(value, ast.BinOp):
        return None
    front, read = value.left, value.right
    if not isinstance(value.op, ast.Add) or not isinstance(front, (ast.List, ast.Tuple)):
        return None
    if not front.elts:
        return None
    source = _read_attribute(read, binding.scope, index)
    if source is None:
        return None
    receiver, attribute = source
    store = _stored_back(name.id, receiver, attribute, binding.scope, index)
    return None if store is None else RoundTrip(value, store, attribute)


def _read_attribute(
    read: ast.expr, scope: Scope, index: ModuleIndex
) -> tuple[ast.expr, str] | None:
    """`self._messages`, or `memory.get()` whose method returns `self._messages` as it is:
    the receiver and the attribute."""
    if isinstance(read, ast.Attribute) and class_of_self(read.value, scope) is not None:
        return read.value, read.attr
    if not isinstance(read, ast.Call) or read.args or read.keywords:
        return None
    if not isinstance(read.func, ast.Attribute):
        return None
    method = _method(read, scope, index)
    if method is None or len(method.returns) != 1:
        return None
    returned = method.returns[0]
    if isinstance(returned, ast.Attribute) and class_of_self(returned.value, method.scope):
        return read.func.value, returned.attr
    return None


def _stored_back(
    name: str, receiver: ast.expr, attribute: str, scope: Scope, index: ModuleIndex
) -> ast.AST | None:
    """Where the function writes the list held by `name` back to `receiver.attribute`:
    directly, or through a method of the receiver that assigns its parameter to it."""
    wanted = ast.dump(receiver)
    for node in ast.walk(scope.node):  # type: ignore[arg-type]
        if isinstance(node, ast.Assign) and _is_name(node.value, name):
            for target in node.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == attribute
                    and ast.dump(target.value) == wanted
                ):
                    return node
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and ast.dump(node.func.value) == wanted
            and len(node.args) == 1
            and _is_name(node.args[0], name)
        ):
            method = _method(node, scope, index)
            if method is not None and _assigns_parameter(method, attribute):
                return node
    return None


def _assigns_parameter(method: FunctionInfo, attribute: str) -> bool:
    """`def set(self, messages): self._messages = messages`."""
    if method.class_info is None or len(method.parameter_names) != 2:
        return False
    parameter = method.parameter_names[1]
    return any(
        where is method.scope and _is_name(value, parameter)
        for value, where in method.class_info.attributes.get(attribute, ())
    )


def _method(call: ast.Call, scope: Scope, index: ModuleIndex) -> FunctionInfo | None:
    """The method a call on an instance runs: of the enclosing class (`self.get()`), or of
    the class the project knows the receiver to be."""
    local = callee_of(call, scope)
    if local is not None:
        return local if local.class_info is not None else None
    links = index.links
    if links is None or not isinstance(call.func, ast.Attribute):
        return None
    owner = links.instance_class(call.func.value, scope)
    return owner.methods.get(call.func.attr) if owner is not None else None


def _is_name(node: ast.AST | None, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name
