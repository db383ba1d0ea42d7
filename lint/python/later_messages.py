"""Messages added to a conversation already under way: a command's or a tool's output yielded
to whoever keeps the history (`yield Message(role="system", content=result)`), a note appended
to a history that outlives the call (`self.messages.append(...)`, a history handed in). Such a
message, even with the system role, lands at the end of the next request, after everything the
cache can reuse: it is no part of the cached prefix.

What stays a prefix message: the first message of a list made for the request
(`[{"role": "system", ...}, *history]`), one appended to a list the function makes itself
(`messages = []; messages.append(system)`), and one appended while the history is started (in
`__init__`, or in a function that assigns or clears the history first).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from ctxlint.python.index import ClassInfo, ModuleIndex, Mutation, Scope, class_of_self
from ctxlint.python.names import lookup

# Where an agent starts its history: a message appended there is the conversation's first.
_CONSTRUCTORS = frozenset({"__init__", "__post_init__", "setup"})


def added_to_conversation(index: ModuleIndex) -> set[int]:
    """The ids of the expressions (a message dict, a message constructor call) that are yielded
    or appended to a history kept outside the function."""
    added = {id(value) for value in index.yielded}
    restarts: dict[tuple[int, str], set[int]] = {}
    for method in ("append", "extend"):
        for site in index.calls_by_name.get(method, ()):
            function = site.call.func
            if not isinstance(function, ast.Attribute):
                continue
            if not _is_kept_history(function.value, site.scope, restarts):
                continue
            for argument in site.call.args:
                added.update(id(element) for element in _elements(argument, method))
    for mutation in _augmented_assignments(index):
        statement = mutation.node
        if (
            isinstance(statement, ast.AugAssign)
            and isinstance(statement.op, ast.Add)
            and _is_kept_history(statement.target, mutation.scope, restarts)
        ):
            added.update(id(element) for element in _elements(statement.value, "extend"))
    return added


def _elements(argument: ast.expr, method: str) -> list[ast.expr]:
    if method == "append":
        return [argument]
    return list(argument.elts) if isinstance(argument, (ast.List, ast.Tuple)) else []


def _augmented_assignments(index: ModuleIndex) -> Iterator[Mutation]:
    groups: list[Iterable[list[Mutation]]] = [index.mutations.values()]
    groups.extend(info.attribute_mutations.values() for info in index.classes)
    for group in groups:
        for mutations in group:
            yield from (mutation for mutation in mutations if mutation.kind == "augassign")


def _is_kept_history(
    receiver: ast.expr, scope: Scope, restarts: dict[tuple[int, str], set[int]]
) -> bool:
    """`self.messages` outside the methods that start it, `state.messages`, or a parameter the
    function only ever reads as handed in: a history with messages in it already. `restarts`
    keeps, per attribute, the functions that start it again (each worked out once)."""
    function = _function_of(scope)
    if function is None or function.name in _CONSTRUCTORS:
        return False
    if isinstance(receiver, ast.Attribute):
        owner = class_of_self(receiver.value, scope)
        if owner is None:
            return True
        key = (id(owner), receiver.attr)
        if key not in restarts:
            restarts[key] = _functions_restarting(owner, receiver.attr)
        return id(function) not in restarts[key]
    if isinstance(receiver, ast.Name):
        bindings = lookup(receiver.id, scope)
        # `history += [...]` binds the name again, to the same list.
        kinds = {binding.kind for binding in bindings}
        return "param" in kinds and kinds <= {"param", "augassign"}
    return False


def _functions_restarting(owner: ClassInfo, attribute: str) -> set[int]:
    """The functions (by id) that assign the attribute or clear it: what they append after
    that starts a new history."""
    mutations = owner.attribute_mutations.get(attribute, ())
    # The index counts `self.messages += [...]` as an assignment too; it adds, like append.
    extended = {id(m.node.value) for m in mutations if isinstance(m.node, ast.AugAssign)}
    assigned = [
        where for value, where in owner.attributes.get(attribute, ()) if id(value) not in extended
    ]
    cleared = [mutation.scope for mutation in mutations if mutation.kind == "clear"]
    return {id(_function_of(where)) for where in (*assigned, *cleared)}


def _function_of(scope: Scope) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    current: Scope | None = scope
    while current is not None:
        function = current.function
        if function is not None and not isinstance(function.node, ast.Lambda):
            return function.node
        current = current.parent
    return None
