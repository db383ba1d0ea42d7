"""How a sent list changes other than by appending: in place, through its items (loop variables
and views over it), by rebinding it to a cut or filtered copy of itself, or in a function it is
handed to; and whether a filter's condition can differ from one call to the next."""

from __future__ import annotations

import ast
import builtins
from dataclasses import replace
from types import ModuleType

from ctxlint.python.container_types import Change, Container, Lifetime
from ctxlint.python.index import ClassInfo, ModuleIndex, Mutation, Scope, class_of_self
from ctxlint.python.names import by_variable, lookup, qualified_name

_TRIMMING_FUNCTIONS = frozenset(
    {
        "langchain_core.messages.trim_messages",
        "langchain_core.messages.utils.trim_messages",
        "tokentrim.trim",
    }
)
_BUILTIN_NAMES = frozenset(dir(builtins))


def _handed() -> ModuleType:
    # What the module's own functions do to a list handed to them; handed.py builds on these
    # modules' types, so it is imported on first use.
    from ctxlint.python import handed

    return handed


def source_of_copy(value: ast.AST) -> ast.expr | None:
    """The list that `xs[-20:]`, `[m for m in xs if ...]`, `list(filter(f, xs))` copy from."""
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
        return value.value
    if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
        return value.generators[0].iter
    if isinstance(value, ast.Call) and value.args and isinstance(value.func, ast.Name):
        if value.func.id == "list":
            return source_of_copy(value.args[0])
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
    source = source_of_copy(value)
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
