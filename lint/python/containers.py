"""The lists an LLM call's argument is built from (a history, a tool list), whether they outlive
one call, and every way they change other than by appending.

`messages=self.history`, `messages=[system, *history]` and `tools=list(self.tools)` all send a
container that lives on between calls; what matters for the cache is how that container
changes between one call and the next: in place (`pop(0)`, `del xs[i]`, `xs[i]["content"] = v`),
through a loop variable over it (`for m in xs: m["content"] = v`), or by rebinding it to a cut
or filtered copy (`xs = xs[-20:]`, `xs = [m for m in xs if ...]`).
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, replace
from types import ModuleType
from typing import TYPE_CHECKING, Literal

from ctxlint.python.index import (
    Binding,
    ClassInfo,
    FunctionInfo,
    ModuleIndex,
    Mutation,
    Scope,
    class_of_self,
)
from ctxlint.python.names import by_variable, lookup, qualified_name
from ctxlint.python.order import live_bindings
from ctxlint.python.summaries import ParameterEdit, ReturnedRewrite

Lifetime = Literal["attribute", "global", "parameter", "loop"]
_COPYING_FUNCTIONS = frozenset({"list", "tuple", "copy.copy", "copy.deepcopy"})
_TRIMMING_FUNCTIONS = frozenset(
    {
        "langchain_core.messages.trim_messages",
        "langchain_core.messages.utils.trim_messages",
        "tokentrim.trim",
    }
)
_BUILTIN_NAMES = frozenset(dir(builtins))
# What a file that edits a history holds: the edits CTX006 and CTX010 look for, written on a
# list named like a history. The rules' prefilter triggers; a file without any is not parsed
# for them.
HISTORY_EDIT_NEEDLES = (
    b"messages[-",
    b"history[-",
    b"messages[:",
    b"history[:",
    b"messages[0] =",
    b"history[0] =",
    b"messages.pop(",
    b"history.pop(",
    b"messages.insert(",
    b"history.insert(",
    b"messages.remove(",
    b"history.remove(",
    b"messages.popleft(",
    b"history.popleft(",
    b"del self.messages",
    b"del self.history",
    b"del messages",
    b"del history",
    b'["content"] =',
    b"['content'] =",
    b"messages if ",
    b"history if ",
    b"trim(",
    b"messages.sort(",
    b"messages.reverse(",
)
# And what a file that hands its history to a helper of its own holds, when it also talks to
# an LLM: a window cut from the end (`msgs[-k:]`, `messages[start:]`), something put in front
# (`[note] + msgs`), positions enumerated (to stub out older items), or a loop over a slice.
HISTORY_HELPER_PATTERN = (
    rb"\[-[\w.]+ ?: ?\]|(?:messages|history)\[\w+ ?:\]"
    rb"|\]\s*\+\s*[\w.]|in enumerate\(|in [\w.]+\[\d*:-"
)
_REMOVALS = frozenset({"pop", "popleft", "remove", "delitem", "delslice", "clear"})

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule
    from ctxlint.python.sinks import Sink


@dataclass(frozen=True, slots=True)
class Container:
    """A name or `self` attribute whose list is sent (whole or spread) to an LLM call."""

    expression: ast.Name | ast.Attribute
    scope: Scope
    # Why the same list is seen by the next call too; None when it is made anew for each call.
    lifetime: Lifetime | None


@dataclass(frozen=True, slots=True)
class Change:
    """A change to a container, other than appending to it."""

    container: Container
    # "mutation": in place; "element": an element edited through a loop variable or an alias;
    # "rebinding": the name or attribute rebound to a cut or filtered copy of itself.
    how: Literal["mutation", "element", "rebinding", "filter"]
    node: ast.AST
    scope: Scope
    mutation: Mutation | None = None
    # For rebinding and filters: the kept part ("slice") or the condition ("filter"/"trim").
    rebinding_kind: Literal["slice", "filter", "trim", "helper"] | None = None
    condition: ast.expr | None = None
    # The comprehension variables the condition may use freely.
    element_names: frozenset[str] = frozenset()
    # Made by a function the list is handed to: the call, what the function's summary says it
    # does (then `node` is the call, and the summary holds where in the function it is), and
    # the function (whose scope tells the module to report in, when it is another one).
    call: ast.Call | None = None
    applied: ParameterEdit | ReturnedRewrite | None = None
    callee: FunctionInfo | None = None


def _handed() -> ModuleType:
    # What the module's own functions do to a list handed to them; handed.py builds on this
    # module's types, so it is imported on first use.
    from ctxlint.python import handed

    return handed


def containers_of(
    argument: ast.expr, scope: Scope, index: ModuleIndex, loop: ast.stmt | None
) -> tuple[list[Container], list[Change]]:
    """The containers an argument is made of, and the filters applied to them on the way (a
    comprehension with conditions over a container, in the argument or a local it is built
    in)."""
    containers: list[Container] = []
    filters: list[Change] = []
    pending: list[tuple[ast.expr, Scope, int]] = [(argument, scope, 0)]
    seen: set[int] = set()
    while pending:
        node, node_scope, depth = pending.pop()
        if id(node) in seen or depth > 4:
            continue
        seen.add(id(node))
        if isinstance(node, ast.Name):
            bindings = lookup(node.id, node_scope)
            if not bindings:
                continue
            containers.append(Container(node, node_scope, name_lifetime(bindings, index, loop)))
            for binding in live_bindings(node, node_scope, bindings, index):
                if binding.kind != "assign" or binding.value is None:
                    continue
                if not binding.target_path:
                    pending.append((binding.value, binding.scope, depth + 1))  # type: ignore[arg-type]
                elif isinstance(binding.value, ast.Call):
                    # `hist, budget = self._prepare(message)`: what the method returns there.
                    for value, value_scope in _returned_at(
                        binding.value, binding.scope, binding.target_path
                    ):
                        pending.append((value, value_scope, depth + 1))
        elif isinstance(node, ast.Attribute):
            if class_of_self(node.value, node_scope) is not None:
                containers.append(Container(node, node_scope, "attribute"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            pending.append((node.left, node_scope, depth))
            pending.append((node.right, node_scope, depth))
        elif isinstance(node, (ast.List, ast.Tuple)):
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    pending.append((element.value, node_scope, depth))
        elif isinstance(node, ast.Call):
            copied = copied_from(node, node_scope)
            if copied is not None:
                pending.append((copied, node_scope, depth))
            else:
                for passed in _handed().passed_through(node, node_scope):
                    pending.append((passed, node_scope, depth + 1))
                filters.extend(_handed().rewritten_when_sent(node, node_scope, index, loop))
        elif isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            iterable = node.generators[0].iter
            pending.append((iterable, node_scope, depth))
            change = filter_change(node, node_scope, iterable)
            if change is not None and isinstance(iterable, (ast.Name, ast.Attribute)):
                container = Container(iterable, node_scope, None)
                filters.append(replace(change, container=container, how="filter"))
    return containers, filters


def _returned_at(
    call: ast.Call, scope: Scope, path: tuple[int, ...]
) -> list[tuple[ast.expr, Scope]]:
    """For `a, b = f(...)` with f a function or method of this module: the parts of f's
    returned tuples that `b` takes."""
    function = call.func
    info = None
    if isinstance(function, ast.Name):
        info = next((b.function for b in lookup(function.id, scope) if b.kind == "function"), None)
    elif isinstance(function, ast.Attribute):
        owner = class_of_self(function.value, scope)
        info = owner.methods.get(function.attr) if owner is not None else None
    if info is None:
        return []
    found = []
    for value in info.returns:
        for position in path:
            if isinstance(value, ast.Tuple) and position < len(value.elts):
                value = value.elts[position]
            else:
                break
        else:
            found.append((value, info.scope))
    return found


def copied_from(call: ast.Call, scope: Scope) -> ast.expr | None:
    """`list(xs)`, `xs.copy()`, `copy.deepcopy(xs)`: the list copied."""
    function = call.func
    if isinstance(function, ast.Attribute) and function.attr == "copy" and not call.args:
        return function.value
    if call.args and qualified_name(function, scope) in _COPYING_FUNCTIONS:
        return call.args[0]
    return None


def name_lifetime(
    bindings: list[Binding], index: ModuleIndex, loop: ast.stmt | None
) -> Lifetime | None:
    # A function's parameters are bound before anything in its body: first in the list, so
    # that a name bound a thousand times is not gone through for each call that sends it.
    if bindings[0].kind == "param":
        return "parameter"
    scope = bindings[0].scope
    if scope.kind == "module":
        return "global"
    if loop is None or scope.node is None or not within_lines(loop, scope.node):
        return None  # a local of another function than the loop's: made anew by each call
    # A local the calls of one loop share: made before the loop, not inside it.
    for binding in bindings:
        value = binding.value
        inside = binding.kind == "assign" and value is not None and within_lines(value, loop)
        if (
            inside
            and not _cuts_itself(value, binding.name)  # type: ignore[arg-type]
            and not _handed().rewritten_by_helper(value, binding, index)  # type: ignore[arg-type]
        ):
            return None
    return "loop"


def within_lines(node: ast.AST, outer: ast.AST) -> bool:
    """Whether the node starts on one of the outer statement's lines."""
    return (
        outer.lineno <= node.lineno <= outer.end_lineno  # type: ignore[attr-defined,operator]
    )


def _cuts_itself(value: ast.AST, name: str) -> bool:
    """`xs = xs[-20:]` and `xs = [m for m in xs if ...]` rebind a list to a copy of itself."""
    source = _source_of_copy(value)
    return isinstance(source, ast.Name) and source.id == name


def _source_of_copy(value: ast.AST) -> ast.expr | None:
    """The list that `xs[-20:]`, `[m for m in xs if ...]`, `list(filter(f, xs))` copy from."""
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
        return value.value
    if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
        return value.generators[0].iter
    if isinstance(value, ast.Call) and value.args and isinstance(value.func, ast.Name):
        if value.func.id == "list":
            return _source_of_copy(value.args[0])
        if value.func.id == "filter":
            return value.args[-1]
    return None


def changes_of(container: Container, index: ModuleIndex) -> list[Change]:
    """Every change to the container other than appending: in place, through its elements,
    and by rebinding it to a cut or filtered copy of itself. Found once per variable (and
    lifetime): every call that sends it gets the same list, which a caller skips when it has
    seen it already, and must not change."""
    # Not a variable `same_container` knows: that expression alone (it lives in the tree).
    key = variable_key(container.expression, container.scope) or ("", id(container.expression))
    known = index.derived(_changes_by_variable)
    changes = known.get((*key, container.lifetime))
    if changes is None:
        changes = known[(*key, container.lifetime)] = _find_changes(container, index)
    return changes


def _changes_by_variable(
    index: ModuleIndex,
) -> dict[tuple[str, int, Lifetime | None], list[Change]]:
    # Filled as containers are asked about; see changes_of.
    return {}


def _find_changes(container: Container, index: ModuleIndex) -> list[Change]:
    changes = direct_changes(container, index)
    for value, scope in _rebindings(container, index):
        change = _rebinding_change(container, value, scope, index)
        if change is not None:
            changes.append(change)
    changes.extend(_handed().changes_by_callees(container, index))
    return changes


def direct_changes(container: Container, index: ModuleIndex) -> list[Change]:
    """The container's changes in place, made on it or through its items, where it is in
    scope (not in the functions it is handed to)."""
    changes = [
        Change(container, "mutation", m.node, m.scope, mutation=m)
        for m in _mutations_of(index, container.expression, container.scope)
    ]
    key = variable_key(container.expression, container.scope)
    through_items = index.derived(_mutations_through_items).get(key, []) if key else []
    for mutation in through_items:
        changes.append(Change(container, "element", mutation.node, mutation.scope, mutation))
    return changes


def _mutations_of(index: ModuleIndex, target: ast.expr, scope: Scope) -> list[Mutation]:
    """The in-place changes to the container `target` (a name or `self.x`) holds."""
    if isinstance(target, ast.Name):
        bindings = lookup(target.id, scope)
        if not bindings:
            return []
        return list(index.derived(_mutations_by_variable).get((target.id, id(bindings)), ()))
    if isinstance(target, ast.Attribute):
        owner = class_of_self(target.value, scope)
        if owner is not None:
            return list(owner.attribute_mutations.get(target.attr, ()))
    return []


def same_container(expression: ast.expr, scope: Scope, container: Container) -> bool:
    target = container.expression
    if isinstance(target, ast.Name):
        return (
            isinstance(expression, ast.Name)
            and expression.id == target.id
            and lookup(expression.id, scope) is lookup(target.id, container.scope)
        )
    if isinstance(expression, ast.Attribute) and expression.attr == target.attr:
        owner = class_of_self(expression.value, scope)
        return owner is not None and owner is class_of_self(target.value, container.scope)
    return False


def _mutations_by_variable(index: ModuleIndex) -> dict[tuple[str, int], list[Mutation]]:
    return by_variable(index.mutations)


def _mutations_through_items(index: ModuleIndex) -> dict[tuple[str, int], list[Mutation]]:
    """For each container iterated in the module, the changes made in place to its items
    through loop variables over them (`for m in xs: m["content"] = v`). Derived once per
    module: a container sent by many calls is looked at once, not once per call."""
    found: dict[tuple[str, int], list[Mutation]] = {}
    for key, views in _loop_variables(index).items():
        for name, view_scope in views:
            found.setdefault(key, []).extend(_mutations_of(index, ast.Name(id=name), view_scope))
    return found


def variable_key(expression: ast.AST, scope: Scope) -> tuple[str, int] | None:
    """What tells one container apart, as `same_container` does: a name and the bindings it
    refers to, or a `self` attribute and its class. None for anything else."""
    if isinstance(expression, ast.Name):
        bindings = lookup(expression.id, scope)
        return (expression.id, id(bindings)) if bindings else None
    if isinstance(expression, ast.Attribute):
        owner = class_of_self(expression.value, scope)
        return ("." + expression.attr, id(owner)) if owner is not None else None
    return None


def _loop_variables(index: ModuleIndex) -> dict[tuple[str, int], list[tuple[str, Scope]]]:
    """The loop and comprehension variables of the module that take the items of a container,
    by the container's key; each with the scope its mutations are looked up from. Items are
    taken through views too: a slice (`for m in xs[1:-4]`), `enumerate`/`reversed`, and a
    list of the items (or of blocks nested in them) picked out of the container."""
    found: dict[tuple[str, int], list[tuple[str, Scope]]] = {}
    for scope in index.scopes:
        for name, bindings in scope.bindings.items():
            for binding in bindings:
                if binding.kind not in ("for", "comprehension") or binding.value is None:
                    continue
                key = _viewed_container(binding.value, binding.target_path, binding.scope, 0)  # type: ignore[arg-type]
                if key is not None:
                    view_scope = binding.scope if scope.kind != "comprehension" else scope
                    found.setdefault(key, []).append((name, view_scope))
    return found


def _viewed_container(
    iterable: ast.expr, path: tuple[int, ...], scope: Scope, depth: int
) -> tuple[str, int] | None:
    """The key of the container whose items (or nested blocks) a loop variable at `path` of
    a target over `iterable` takes, or None."""
    if depth > 3:
        return None
    if isinstance(iterable, ast.Call) and iterable.args:
        function = getattr(iterable.func, "id", "")
        if function == "enumerate":
            if path[:1] != (1,):
                return None
            return _viewed_container(iterable.args[0], path[1:], scope, depth + 1)
        if function in ("reversed", "list", "sorted"):
            return _viewed_container(iterable.args[0], path, scope, depth + 1)
        return None
    if path:
        return None
    if isinstance(iterable, ast.Subscript) and isinstance(iterable.slice, ast.Slice):
        window = iterable.slice
        lower = window.lower
        newest = isinstance(lower, ast.UnaryOp) and getattr(lower.operand, "value", None) == 1
        if window.upper is None and newest:
            return None  # xs[-1:]: the newest item alone, not yet sent
        return _viewed_container(iterable.value, path, scope, depth + 1)
    key = variable_key(iterable, scope)
    if key is None or not isinstance(iterable, ast.Name):
        return key
    # `blocks = [b for m in xs for b in m["content"] if ...]`: a list of parts of xs's items.
    bindings = lookup(iterable.id, scope)
    if len(bindings) != 1 or bindings[0].value is None or bindings[0].kind != "assign":
        return key
    view = bindings[0].value
    if not isinstance(view, (ast.ListComp, ast.GeneratorExp)) or not isinstance(view.elt, ast.Name):
        return key
    picked = _picked_from(view, view.elt.id)
    if picked is None:
        return key
    # The first iterable is evaluated where the comprehension is written.
    return _viewed_container(picked, (), bindings[0].scope, depth + 1) or key


def _picked_from(view: ast.ListComp | ast.GeneratorExp, element: str) -> ast.expr | None:
    """What the comprehension's items come from, following nested generators back to the
    first: `b for m in xs for b in m["content"]` picks (parts of) the items of `xs`."""
    wanted = element
    for generator in reversed(view.generators):
        target = generator.target
        if not (isinstance(target, ast.Name) and target.id == wanted):
            continue
        source = generator.iter
        while isinstance(source, (ast.Subscript, ast.Attribute)):
            source = source.value
        if generator is view.generators[0]:
            return generator.iter
        if not isinstance(source, ast.Name):
            return None
        wanted = source.id
    return None


def _rebindings(container: Container, index: ModuleIndex) -> list[tuple[ast.expr, Scope]]:
    target = container.expression
    if isinstance(target, ast.Name):
        bindings = lookup(target.id, container.scope)
        return [
            (b.value, b.scope)  # type: ignore[misc]
            for b in bindings
            if b.kind == "assign" and b.value is not None and not b.target_path
        ]
    owner: ClassInfo | None = class_of_self(target.value, container.scope)
    if owner is None:
        return []
    return list(owner.attributes.get(target.attr, ()))


def _rebinding_change(
    container: Container, value: ast.expr, scope: Scope, index: ModuleIndex
) -> Change | None:
    if isinstance(value, ast.Call):
        rewritten = _handed().rewritten_by_callee(container, value, scope, index)
        if rewritten is not None:
            return rewritten
    if (
        isinstance(value, ast.Call)
        and value.args
        and qualified_name(value.func, scope) in _TRIMMING_FUNCTIONS
        and same_container(value.args[0], scope, container)
    ):
        return Change(container, "rebinding", value, scope, rebinding_kind="trim")
    source = _source_of_copy(value)
    if source is None or not same_container(source, scope, container):
        return None
    if isinstance(value, ast.Subscript):
        return Change(container, "rebinding", value, scope, rebinding_kind="slice")
    comprehension = value if isinstance(value, (ast.ListComp, ast.GeneratorExp)) else None
    if comprehension is None and isinstance(value, ast.Call):
        comprehension = next(
            (a for a in value.args if isinstance(a, (ast.ListComp, ast.GeneratorExp))), None
        )
    if comprehension is not None:
        change = filter_change(comprehension, scope, source)
        return None if change is None else replace(change, container=container, node=value)
    # filter(function, xs): the function decides.
    if isinstance(value, ast.Call) and getattr(value.func, "id", "") in ("filter", "list"):
        return Change(
            container, "rebinding", value, scope, rebinding_kind="filter", condition=value
        )
    return None


def filter_change(
    comprehension: ast.ListComp | ast.GeneratorExp, scope: Scope, iterable: ast.expr
) -> Change | None:
    """A comprehension that keeps only some items of what it iterates."""
    conditions = [c for g in comprehension.generators for c in g.ifs]
    if not conditions:
        return None
    element_names = frozenset(
        n.id
        for g in comprehension.generators
        for n in ast.walk(g.target)
        if isinstance(n, ast.Name)
    )
    condition = conditions[0] if len(conditions) == 1 else ast.BoolOp(ast.And(), conditions)
    placeholder = Container(ast.Name(id="?"), scope, None)
    return Change(
        placeholder,
        "rebinding",
        comprehension,
        scope,
        rebinding_kind="filter",
        condition=condition,
        element_names=element_names,
    )


def condition_varies(change: Change, index: ModuleIndex) -> bool:
    """Whether a filter's condition reads something besides the item and fixed names: a
    local, a parameter or an attribute that can differ on the next call."""
    condition = change.condition
    assert condition is not None
    if isinstance(condition, ast.Call):
        return False  # filter(function, xs): the function is unknown
    scope = index.function_scope(change.node) or change.scope
    for name in free_names(condition, change.element_names):
        bindings = lookup(name, scope)
        if not bindings:
            continue
        if all(
            b.scope.kind == "module" or b.kind in ("import", "function", "class") for b in bindings
        ):
            continue
        return True
    return False


def free_names(condition: ast.expr, element_names: frozenset[str]) -> set[str]:
    """Names a filter condition reads besides the element itself and builtins."""
    names: set[str] = set()
    for node in ast.walk(condition):
        if isinstance(node, ast.Name) and node.id not in element_names:
            if node.id not in _BUILTIN_NAMES:
                names.add(node.id)
        elif isinstance(node, (ast.Lambda,)):
            element_names = element_names | {a.arg for a in node.args.args}
    return names


_FAILURE_WORDS = frozenset(
    {
        "error",
        "errors",
        "is_error",
        "iserror",
        "has_error",
        "err",
        "failed",
        "failure",
        "is_failed",
        "failures",
        "fail",
        "exception",
        "success",
        "succeeded",
        "is_success",
    }
)


def mentions_failure(node: ast.AST) -> bool:
    """Whether a condition looks at a failure: `r.is_error`, `m["error"]`, `status == "failed"`,
    `not result.success`."""
    for part in ast.walk(node):
        if isinstance(part, ast.Name):
            word = part.id
        elif isinstance(part, ast.Attribute):
            word = part.attr
        elif isinstance(part, ast.Constant) and isinstance(part.value, str):
            word = part.value
        else:
            continue
        if word.lower() in _FAILURE_WORDS:
            return True
    return False


def is_negative_constant(node: ast.AST | None) -> bool:
    """`-1`, `-20`: counted from the end of the list."""
    return (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, int)
    )


def is_length_of(node: ast.AST | None) -> bool:
    """`len(xs)`, or `len(xs) - k` etc.: a position counted from the end."""
    return node is not None and any(
        isinstance(part, ast.Call) and getattr(part.func, "id", "") == "len"
        for part in ast.walk(node)
    )


def dropped_failure(change: Change, module: PythonModule, sink: Sink) -> str | None:
    """How the change drops failures ("`history.pop()` under `if result.is_error`"), or None
    when it does not look at failures. CTX010 reports these; CTX006 leaves them to it."""
    text = module.snippet(change.node)
    if change.how in ("rebinding", "filter") and change.rebinding_kind == "filter":
        condition = change.condition
        if condition is not None and mentions_failure(condition):
            return f"the filter `{module.snippet(condition)}` in {text}"
        return None
    mutation = change.mutation
    if change.how != "mutation" or mutation is None or mutation.kind not in _REMOVALS:
        return None
    for guard in reversed(mutation.guards):
        if isinstance(guard, ast.ExceptHandler):
            attempt = module.index.handler_try.get(guard)
            # Undoing a request that itself failed (a network error) hides nothing from the
            # model: it never answered. Only failures of something else count.
            if attempt is not None and sink.call is not None and not _contains(attempt, sink.call):
                return f"{text} in an `except` handler"
        elif mentions_failure(guard):
            return f"{text} under `if {module.snippet(guard)}`"
    return None


def _contains(attempt: ast.Try, node: ast.AST) -> bool:
    """Whether the node is in the `try` body: after `try`, before the first handler (there is
    one: the guard that led here is a handler of this statement)."""
    start = (attempt.lineno, attempt.col_offset)
    end = (attempt.handlers[0].lineno, attempt.handlers[0].col_offset)
    return start <= (node.lineno, node.col_offset) < end  # type: ignore[attr-defined]
