"""Function summaries: what a function does in place to the lists it is handed, and what its
return value is relative to them (the same list, a window cut from its end, a copy with older
items stubbed out, the list with something put in front).

A summary is plain data (names, kinds, spans, no syntax nodes), so that it can be cached and
applied where the function is called from another module. Within a module, summaries are
computed together and iterated to a fixed point, so that a helper calling a helper is known
(`trim(msgs)` that returns `_window(msgs)`); recursion and unknown callees add nothing. A
function that hands a list on to a function of another module takes in that function's edits
as that module's own code makes them (one step: `ParameterEdit.made_in` says where).
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ctxlint.python.edits import rewrite_effect, size_driven
from ctxlint.python.index import (
    FunctionInfo,
    ModuleIndex,
    class_of_self,
    decorator_name,
)
from ctxlint.python.names import own_function
from ctxlint.python.summary_types import (
    EMPTY,
    ParameterEdit,
    ReturnedRewrite,
    ReturnKind,
    Span,
    Summary,
)
from ctxlint.python.triggers import HISTORY_EDIT_NEEDLES, HISTORY_HELPER_PATTERN

if TYPE_CHECKING:
    from ctxlint.python.index import Scope

# Rounds of re-summarising callers once their callees are known: a chain of helpers this deep.
_ROUNDS = 4


__all__ = [
    "EMPTY",
    "ParameterEdit",
    "ReturnKind",
    "ReturnedRewrite",
    "Span",
    "Summary",
    "argument_for",
    "callee_of",
    "keeps_tail",
    "may_rewrite_a_history",
    "module_summaries",
    "summary_at",
    "summary_of",
]


def module_summaries(index: ModuleIndex) -> dict[int, Summary]:
    """The summary of every function of the module that has one, by `id` of its FunctionInfo;
    computed once per module."""
    return index.derived(_summarise_module)


def summary_of(
    function: FunctionInfo, index: ModuleIndex, known: dict[int, Summary] | None = None
) -> Summary:
    """What `function` does to its parameters and what it returns relative to them; calls to
    functions of `known` (by `id` of their FunctionInfo) count with their summaries."""
    if isinstance(function.node, ast.Lambda):
        return EMPTY
    return _summary(function, index, known or {}, _own_edits(function, index))


def _summary(
    function: FunctionInfo,
    index: ModuleIndex,
    known: dict[int, Summary],
    own_edits: list[ParameterEdit],
) -> Summary:
    edits = own_edits + _edits_through_calls(function, index, known)
    returns: list[ReturnedRewrite] = []
    for value in function.returns:
        # A window returned only when the normal path raised is no rewrite of every call.
        if id(value) not in function.fallback_returns:
            returns.extend(_returned_rewrites(value, function, known, 0))
    if not edits and not returns:
        return EMPTY
    return Summary(tuple(dict.fromkeys(edits)), tuple(dict.fromkeys(returns)))


def _summarise_module(index: ModuleIndex) -> dict[int, Summary]:
    return _summarise(index, across=True)


def _summarise_module_alone(index: ModuleIndex) -> dict[int, Summary]:
    """The summaries from the module's own code: what another module's summaries take in."""
    return _summarise(index, across=False)


def _summarise(index: ModuleIndex, across: bool) -> dict[int, Summary]:
    functions = [f for f in index.functions if not isinstance(f.node, ast.Lambda)]
    own = {
        id(f): _own_edits(f, index) + (_edits_across(f, index) if across else []) for f in functions
    }
    # Only a function that calls one of the module's own can learn more in a later round.
    calls = index.derived(_calls_by_function)
    callees: dict[int, set[int]] = {}
    for function in functions:
        resolved = (callee_of(call, function.scope) for call in calls.get(id(function), ()))
        local = {id(callee) for callee in resolved if callee is not None}
        if local:
            callees[id(function)] = local
    known: dict[int, Summary] = {}
    for round_number in range(_ROUNDS):
        found = {}
        for function in functions:
            key = id(function)
            if round_number and not callees.get(key, set()) & known.keys():
                summary = known.get(key, EMPTY)
            else:
                summary = _summary(function, index, known, own[key])
            if summary is not EMPTY:
                found[key] = summary
        if found == known:
            break
        known = found
    return known


def summary_at(
    call: ast.Call, scope: Scope, index: ModuleIndex
) -> tuple[FunctionInfo, Summary] | None:
    """The function a call runs and its summary, when it has one: where the analyses of the
    lists a call is handed ask. A callee of another module (imported, or a method of an
    instance whose class the project knows) is summarised with that module's functions, once
    per module; its spans are then in that module (`function_module`)."""
    callee = callee_of(call, scope)
    if callee is not None:
        summary = module_summaries(index).get(id(callee))
        return None if summary is None else (callee, summary)
    links = index.links
    if links is None:
        return None
    found = links.gated_callee(call.func, scope, may_rewrite_a_history)
    if found is None:
        return None
    home = links.index_of(found.function.scope)
    if home is None or home is index:
        return None
    summary = module_summaries(home).get(id(found.function))
    return None if summary is None else (found.function, summary)


def may_rewrite_a_history(data: bytes) -> bool:
    """Whether a file's bytes may hold a helper that rewrites a history (CTX006's needles):
    only such files are parsed to summarise a callee of another module."""
    return any(needle in data for needle in HISTORY_EDIT_NEEDLES) or (
        re.search(HISTORY_HELPER_PATTERN, data) is not None
    )


def callee_of(call: ast.Call, scope: Scope) -> FunctionInfo | None:
    """The function of this module a call runs: a plain name bound to a `def`, or a method of
    the enclosing class called on `self`."""
    return own_function(call.func, scope)


def argument_for(call: ast.Call, callee: FunctionInfo, parameter: str) -> ast.expr | None:
    """The expression the call passes for the callee's parameter, or None (`*args`, defaults)."""
    names = callee.parameter_names
    if parameter not in names:
        return None
    position = names.index(parameter)
    static = any(decorator_name(d) == "staticmethod" for d in callee.node.decorator_list)  # type: ignore[union-attr]
    if callee.class_info is not None and isinstance(call.func, ast.Attribute) and not static:
        position -= 1  # `self.f(x)`: x is the parameter after self
    if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return None
    if 0 <= position < len(call.args):
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == parameter), None)


# In-place changes ---------------------------------------------------------------------------


def _own_edits(function: FunctionInfo, index: ModuleIndex) -> list[ParameterEdit]:
    from ctxlint.python.containers import Container, direct_changes

    edits = []
    for name in function.parameter_names:
        if name in ("self", "cls"):
            continue
        container = Container(ast.Name(id=name), function.scope, "parameter")
        for change in direct_changes(container, index):
            mutation = change.mutation
            if change.how not in ("mutation", "element") or mutation is None:
                continue
            effect = rewrite_effect(mutation, through_items=change.how == "element")
            if effect is None:
                continue
            index_node = mutation.index
            constant = isinstance(index_node, ast.Constant) and isinstance(index_node.value, int)
            edits.append(
                ParameterEdit(
                    parameter=name,
                    effect=effect,
                    position="start" if constant else "unknown",
                    size_driven=size_driven(mutation),
                    span=Span.of(mutation.node),
                    text=_snippet(mutation.node),
                )
            )
    return edits


def _edits_through_calls(
    function: FunctionInfo, index: ModuleIndex, known: dict[int, Summary]
) -> list[ParameterEdit]:
    """The callee's edits to what this function passes on from its own parameters."""
    if not known:
        return []
    edits = []
    parameters = set(function.parameter_names) - {"self", "cls"}
    for call in index.derived(_calls_by_function).get(id(function), ()):
        callee = callee_of(call, function.scope)
        if callee is None or callee is function:
            continue
        for edit in known.get(id(callee), EMPTY).edits:
            argument = argument_for(call, callee, edit.parameter)
            if isinstance(argument, ast.Name) and argument.id in parameters:
                through = (callee.name, *edit.through)
                edits.append(_renamed(edit, argument.id, through))
    return edits


def _edits_across(function: FunctionInfo, index: ModuleIndex) -> list[ParameterEdit]:
    """What functions of other modules do in place to what this function hands them from its
    own parameters (`prepend_reminder(messages, ...)` imported from a helper module): the
    edits that module's own code makes, made there. One step across modules, as for
    wrappers (imported_wrappers.py): what a module finds does not depend on which module
    asked first, and an import cycle cannot recurse."""
    links = index.links
    if links is None:
        return []
    edits = []
    parameters = set(function.parameter_names) - {"self", "cls"}
    for call in index.derived(_calls_by_function).get(id(function), ()):
        if callee_of(call, function.scope) is not None:
            continue
        handed = (*call.args, *(k.value for k in call.keywords))
        if not any(isinstance(a, ast.Name) and a.id in parameters for a in handed):
            continue
        found = links.gated_callee(call.func, function.scope, may_rewrite_a_history)
        if found is None:
            continue
        home = links.index_of(found.function.scope)
        if home is None or home is index:
            continue
        callee = found.function
        for edit in home.derived(_summarise_module_alone).get(id(callee), EMPTY).edits:
            argument = argument_for(call, callee, edit.parameter)
            if isinstance(argument, ast.Name) and argument.id in parameters:
                renamed = _renamed(edit, argument.id, (callee.name, *edit.through))
                edits.append(replace(renamed, made_in=edit.made_in or callee))
    return edits


def _renamed(edit: ParameterEdit, parameter: str, through: tuple[str, ...]) -> ParameterEdit:
    return ParameterEdit(
        parameter,
        edit.effect,
        edit.position,
        edit.size_driven,
        edit.span,
        edit.text,
        through,
        edit.made_in,
    )


def _calls_by_function(index: ModuleIndex) -> dict[int, list[ast.Call]]:
    """The calls in each function's own body (not in functions nested in it), by `id` of its
    FunctionInfo."""
    found: dict[int, list[ast.Call]] = {}
    for site in index.calls:
        scope: Scope | None = site.scope
        while scope is not None and scope.kind == "comprehension":
            scope = scope.parent
        if scope is not None and scope.kind == "function" and scope.function is not None:
            found.setdefault(id(scope.function), []).append(site.call)
    return found


# Returned rewrites --------------------------------------------------------------------------


def _returned_rewrites(
    value: ast.expr, function: FunctionInfo, known: dict[int, Summary], depth: int
) -> list[ReturnedRewrite]:
    if depth > 2:
        return []
    if isinstance(value, ast.Name):
        # `kept = msgs[-k:]; return kept`, or the parameter itself rebound to a window.
        found = []
        for binding in function.scope.bindings.get(value.id, ()):
            if binding.kind == "assign" and binding.value is not None and not binding.target_path:
                found.extend(
                    _returned_rewrites(binding.value, function, known, depth + 1)  # type: ignore[arg-type]
                )
        return found
    if isinstance(value, ast.Call):
        callee = callee_of(value, function.scope)
        if callee is None or callee is function:
            return []
        found = []
        for rewrite in known.get(id(callee), EMPTY).returns:
            argument = argument_for(value, callee, rewrite.parameter)
            source = _source_name(argument, function) if argument is not None else None
            if source is not None:
                through = (callee.name, *rewrite.through)
                found.append(
                    ReturnedRewrite(source, rewrite.kind, rewrite.span, rewrite.text, through)
                )
        return found
    shape = _rewrite_shape(value, function)
    converted = isinstance(value, (ast.ListComp, ast.GeneratorExp)) and len(value.generators) == 1
    if shape is None and converted:
        # `[m.to_dict() for m in kept]`: each item converted, the window it came from kept.
        return _returned_rewrites(value.generators[0].iter, function, known, depth + 1)  # type: ignore[attr-defined]
    if shape is None:
        return []
    kind, source = shape
    return [ReturnedRewrite(source, kind, Span.of(value), _snippet(value))]


def _rewrite_shape(value: ast.expr, function: FunctionInfo) -> tuple[ReturnKind, str] | None:
    """How `value` rebuilds a list the function is handed, and that list's name."""
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
        source = _source_name(value.value, function)
        if source is not None and keeps_tail(value.slice, function.scope):
            return "window", source
        return None
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        # `[new] + msgs`: every turn puts something new in front of what was sent.
        source = _source_name(value.right, function)
        if source is not None and isinstance(value.left, (ast.List, ast.Tuple)) and value.left.elts:
            return "prepend", source
        return None
    if isinstance(value, (ast.List, ast.Tuple)) and value.elts:
        *front, last = value.elts
        if not isinstance(last, ast.Starred):
            return None
        tail = last.value
        if isinstance(tail, ast.Subscript) and isinstance(tail.slice, ast.Slice):
            source = _source_name(tail.value, function)
            if source is not None and keeps_tail(tail.slice, function.scope):
                return "head_and_window", source
            return None
        source = _source_name(tail, function)
        if source is not None and front and not any(isinstance(e, ast.Starred) for e in front):
            return "prepend", source
        return None
    if isinstance(value, ast.ListComp):
        return _stub_shape(value, function)
    return None


def keeps_tail(window: ast.Slice, scope: Scope | None = None) -> bool:
    """`xs[-20:]`, `xs[-self.max_turns:]`, `xs[len(xs) - k:]`, `xs[max(0, len(xs) - k):]`,
    `start = len(xs) - k; ...; xs[start:]`: the newest items, however many there are.
    `xs[self.sent:]` (what is new since a count kept for a server-side conversation) is not a
    window over the history."""
    lower = window.lower
    if lower is None or window.upper is not None:
        return False
    if isinstance(lower, ast.UnaryOp) and isinstance(lower.op, ast.USub):
        return True
    if isinstance(lower, ast.Name) and scope is not None:
        assigned = [b.value for b in scope.bindings.get(lower.id, ()) if b.kind == "assign"]
        return bool(assigned) and all(_mentions_len(value) for value in assigned)
    return _mentions_len(lower)


def _mentions_len(node: ast.AST | None) -> bool:
    return node is not None and any(
        isinstance(part, ast.Call) and getattr(part.func, "id", "") == "len"
        for part in ast.walk(node)
    )


def _stub_shape(value: ast.ListComp, function: FunctionInfo) -> tuple[ReturnKind, str] | None:
    """`[{**m, "content": "[omitted]"} if old(i) else m for i, m in enumerate(msgs)]`: items
    replaced by a stub under a condition that moves as the list grows (their position)."""
    if len(value.generators) != 1:
        return None
    generator = value.generators[0]
    iterable, target = generator.iter, generator.target
    position_name = None
    if (
        isinstance(iterable, ast.Call)
        and getattr(iterable.func, "id", "") == "enumerate"
        and iterable.args
        and isinstance(target, ast.Tuple)
        and len(target.elts) == 2
    ):
        position, target = target.elts
        position_name = position.id if isinstance(position, ast.Name) else None
        iterable = iterable.args[0]
    source = _source_name(iterable, function)
    element = value.elt
    if source is None or not isinstance(target, ast.Name) or not isinstance(element, ast.IfExp):
        return None
    kept = (element.body, element.orelse)
    if not any(isinstance(k, ast.Name) and k.id == target.id for k in kept):
        return None
    if not any(isinstance(k, (ast.Dict, ast.Call)) for k in kept):
        return None
    condition_names = {n.id for n in ast.walk(element.test) if isinstance(n, ast.Name)}
    if position_name is None or position_name not in condition_names:
        return None  # decided by each item alone: the same rewrite on every call
    return "stub", source


def _source_name(expression: ast.expr, function: FunctionInfo) -> str | None:
    """The parameter (`msgs`) or `self` attribute (`self.messages`) an expression is."""
    if isinstance(expression, ast.Name) and expression.id in function.parameter_names:
        return None if expression.id in ("self", "cls") else expression.id
    if isinstance(expression, ast.Attribute) and class_of_self(expression.value, function.scope):
        return f"self.{expression.attr}"
    return None


def _snippet(node: ast.AST, limit: int = 60) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
