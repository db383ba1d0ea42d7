"""Where a list is handed to a function of the same module, what that function's summary says
happens to it: changed in place (`trim(history)`), rebound to what it returns
(`history = compact(history)`), or sent as it returns it (`messages=self.get_history()`).

containers.py asks these when it follows a sent list; summaries.py says what each function does.
"""

from __future__ import annotations

import ast

from ctxlint.python.containers import (
    Change,
    Container,
    Lifetime,
    copied_from,
    name_lifetime,
    same_container,
    variable_key,
)
from ctxlint.python.index import Binding, FunctionInfo, ModuleIndex, Scope, class_of_self
from ctxlint.python.names import lookup
from ctxlint.python.summaries import (
    ReturnedRewrite,
    Summary,
    argument_for,
    callee_of,
    summary_at,
)


def rewritten_when_sent(
    call: ast.Call, scope: Scope, index: ModuleIndex, loop: ast.stmt | None
) -> list[Change]:
    """`messages=window(history)`, `messages=self.get_history()`: a function of the module
    that returns a lasting list cut to a window or with older items stubbed out, sent as it
    returns it. (Putting something in front is how a system prompt is sent: not a change.)"""
    found = summary_at(call, scope, index)
    if found is None:
        return []
    callee, summary = found
    changes = []
    for rewrite in summary.returns:
        if rewrite.kind == "prepend":
            continue
        if rewrite.parameter.startswith("self."):
            if callee.class_info is None or not callee.parameter_names:
                continue
            instance = ast.Name(id=callee.parameter_names[0])
            attribute = ast.Attribute(value=instance, attr=rewrite.parameter[len("self.") :])
            containers = [Container(attribute, callee.scope, "attribute")]
        else:
            argument = argument_for(call, callee, rewrite.parameter)
            if not isinstance(argument, (ast.Name, ast.Attribute)):
                continue
            containers = [Container(argument, scope, _lifetime(argument, scope, index, loop))]
        for container in containers:
            if container.lifetime is not None:
                changes.append(_rebound_by_helper(container, call, scope, rewrite, callee))
    return changes


def _lifetime(
    expression: ast.Name | ast.Attribute, scope: Scope, index: ModuleIndex, loop: ast.stmt | None
) -> Lifetime | None:
    if isinstance(expression, ast.Attribute):
        return "attribute" if class_of_self(expression.value, scope) is not None else None
    bindings = lookup(expression.id, scope)
    return name_lifetime(bindings, index, loop) if bindings else None


def passed_through(call: ast.Call, scope: Scope) -> list[ast.expr]:
    """For `f(history)` with f a function of this module returning (a copy or part of) the
    list it is handed: the arguments whose lists it returns."""
    callee = callee_of(call, scope)
    if callee is None:
        return []
    parameters: set[str] = set()
    pending: list[tuple[ast.expr, int]] = [(value, 0) for value in callee.returns]
    while pending and len(parameters) < 8:
        value, depth = pending.pop()
        if depth > 3:
            continue
        if isinstance(value, ast.Name):
            if value.id in callee.parameter_names[:1] and callee.class_info is not None:
                continue  # the instance itself
            if value.id in callee.parameter_names:
                parameters.add(value.id)
            for binding in callee.scope.bindings.get(value.id, ()):
                if (
                    binding.kind == "assign"
                    and binding.value is not None
                    and not binding.target_path
                ):
                    pending.append((binding.value, depth + 1))  # type: ignore[arg-type]
        elif isinstance(value, ast.Call):
            copied = copied_from(value, callee.scope)
            if copied is not None:
                pending.append((copied, depth + 1))
        elif isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
            pending.append((value.value, depth + 1))
        elif isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            pending.extend([(value.left, depth + 1), (value.right, depth + 1)])
        elif isinstance(value, (ast.List, ast.Tuple)):
            pending.extend((e.value, depth + 1) for e in value.elts if isinstance(e, ast.Starred))
        elif isinstance(value, (ast.ListComp, ast.GeneratorExp)):
            pending.append((value.generators[0].iter, depth + 1))
    found = []
    for parameter in sorted(parameters):
        argument = argument_for(call, callee, parameter)
        if argument is not None:
            found.append(argument)
    return found


def rewritten_by_helper(value: ast.expr, binding: Binding, index: ModuleIndex) -> bool:
    """`xs = compact(xs)` with `compact` a function of the module returning xs rewritten."""
    if not isinstance(value, ast.Call):
        return False
    container = Container(ast.Name(id=binding.name), binding.scope, None)
    return rewritten_by_callee(container, value, binding.scope, index) is not None


def changes_by_callees(container: Container, index: ModuleIndex) -> list[Change]:
    """What the module's functions the container is handed to (`trim(history)`,
    `self._compact(self.messages)`) do to it in place, by their summaries."""
    key = variable_key(container.expression, container.scope)
    if key is None:
        return []
    changes = []
    for call, scope, callee, summary in index.derived(_calls_to_summarised).get(key, ()):
        for edit in summary.edits:
            argument = argument_for(call, callee, edit.parameter)
            if argument is not None and same_container(argument, scope, container):
                changes.append(
                    Change(
                        container, "mutation", call, scope, call=call, applied=edit, callee=callee
                    )
                )
    return changes


def _calls_to_summarised(
    index: ModuleIndex,
) -> dict[tuple[str, int], list[tuple[ast.Call, Scope, FunctionInfo, Summary]]]:
    """The calls of the module to functions that change a list they are handed, by the
    variable key of each argument that is a name or `self` attribute."""
    found: dict[tuple[str, int], list[tuple[ast.Call, Scope, FunctionInfo, Summary]]] = {}
    for site in index.calls:
        if not site.call.args and not site.call.keywords:
            continue
        summarised = summary_at(site.call, site.scope, index)
        if summarised is None or not summarised[1].edits:
            continue
        for argument in [*site.call.args, *(k.value for k in site.call.keywords)]:
            key = variable_key(argument, site.scope)
            if key is not None:
                found.setdefault(key, []).append((site.call, site.scope, *summarised))
    return found


def rewritten_by_callee(
    container: Container, call: ast.Call, scope: Scope, index: ModuleIndex
) -> Change | None:
    """`messages = compact(messages)` with `compact` a function of the module that returns the
    list it is handed rewritten: the rebinding, with what the summary says it returns."""
    found = summary_at(call, scope, index)
    if found is None:
        return None
    callee, summary = found
    for rewrite in summary.returns:
        if rewrite.parameter.startswith("self."):
            target = container.expression
            if not (
                isinstance(target, ast.Attribute) and f"self.{target.attr}" == rewrite.parameter
            ):
                continue
        else:
            argument = argument_for(call, callee, rewrite.parameter)
            if argument is None or not same_container(argument, scope, container):
                continue
        return _rebound_by_helper(container, call, scope, rewrite, callee)
    return None


def _rebound_by_helper(
    container: Container,
    call: ast.Call,
    scope: Scope,
    rewrite: ReturnedRewrite,
    callee: FunctionInfo,
) -> Change:
    """The history rebound to what a helper returns, rewritten as its summary says."""
    return Change(
        container,
        "rebinding",
        call,
        scope,
        rebinding_kind="helper",
        call=call,
        applied=rewrite,
        callee=callee,
    )
