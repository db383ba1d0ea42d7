"""Where a module adds Anthropic cache breakpoints (`cache_control`) outside one request literal,
and the shapes that make those breakpoints fail: one added on every pass of a loop, one cleared
again right after it is set, one put on the first block of a history message.

Breakpoints are rarely written inside the `messages.create` call: serializers and prompt builders
add them block by block, often through a small helper (`_text(t, cached=True)`,
`cache_control=_cache_control(use_cache)`). A helper is read once: whether what it returns (or
the block it is handed) carries a breakpoint, and which of its parameters decide that. The
loops and statements around a call then tell whether the decision can change from one item to
the next. Anything not understood (a value of unknown origin, recursion, a helper of another
module) counts as no breakpoint: these checks stay silent rather than guess.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from ctxlint.python.index import FunctionInfo, Scope
from ctxlint.python.module import PythonModule
from ctxlint.python.statement_shapes import (
    callee_name,
    expanded_names,
    inner_bodies,
    kept_names,
    local_sources,
    own_expressions,
    passed_to_a_call,
    root_name,
    word,
)

__all__ = [
    "Added",
    "Context",
    "Marker",
    "additions",
    "functions_that_may_add",
    "is_key_store",
    "passed_to_a_call",
]

_KEY = "cache_control"
# Helpers followed from a call to the helper it calls in turn.
_MAX_HELPER_DEPTH = 3


@dataclass(frozen=True, slots=True)
class Marker:
    """How a helper adds a breakpoint: always (`deciders` empty) or when the arguments of the
    named parameters say so."""

    deciders: frozenset[str]
    # Deciding parameters read for a cache flag (`message.cache`), not as a plain bool.
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Added:
    """A breakpoint added in a function: `node` is where to point, `decided_by` the expressions
    (an `if` test, a flag argument) that decide whether it is set."""

    node: ast.AST
    decided_by: tuple[ast.expr, ...]
    # The statement it is added in, and the `cache_control` value (None through a helper).
    statement: ast.stmt | None = None
    value: ast.expr | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What the statements of one function can see: the module's functions (helpers) and the
    values assigned to each name in the function, then at module level."""

    functions: dict[str, list[FunctionInfo]]
    module_values: dict[str, list[ast.expr]]
    values: dict[str, list[ast.expr]]
    # What each helper was found to do, shared by every context of the module.
    markers: dict[int, Marker | None]

    @classmethod
    def of(cls, module: PythonModule, body: list[ast.stmt]) -> Context:
        module_values = module.fact(_module_values)
        markers = module.fact(_no_markers_yet)
        # Each shape asks for the context of the same functions: their values are read once.
        read = module.fact(_values_read)
        values = read.get(id(body))
        if values is None:
            values = read[id(body)] = assigned_values(body)
        return cls(module.index.functions_by_name, module_values, values, markers)

    def within(self, body: list[ast.stmt]) -> Context:
        return Context(self.functions, self.module_values, assigned_values(body), self.markers)

    def assigned(self, name: str) -> list[ast.expr]:
        """The values a name is given in the function, else at module level."""
        return self.values.get(name) or self.module_values.get(name, [])


def _no_markers_yet(module: PythonModule) -> dict[int, Marker | None]:
    return {}


def _values_read(module: PythonModule) -> dict[int, dict[str, list[ast.expr]]]:
    # By the identity of a statement list of the module's tree, which lives as long as it.
    return {}


def _module_values(module: PythonModule) -> dict[str, list[ast.expr]]:
    return assigned_values(module.tree.body, top_level=True)


def assigned_values(body: list[ast.stmt], top_level: bool = False) -> dict[str, list[ast.expr]]:
    """The values assigned to each name in these statements (not in nested functions; only
    the statements themselves at module level)."""
    values: dict[str, list[ast.expr]] = {}
    nodes = body if top_level else ast.walk(ast.Module(body=body, type_ignores=[]))
    for node in nodes:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    values.setdefault(target.id, []).append(node.value)
    return values


def _marker(function: FunctionInfo, context: Context, depth: int) -> Marker | None:
    """What a helper does, read once per module (a helper met again while being read, as in
    recursion, counts as no marker)."""
    if depth > _MAX_HELPER_DEPTH:
        return None
    key = id(function.node)
    if key not in context.markers:
        context.markers[key] = None
        context.markers[key] = _read_marker(function, context, depth)
    return context.markers[key]


def _read_marker(function: FunctionInfo, context: Context, depth: int) -> Marker | None:
    parameters = set(function.parameter_names) - {"self", "cls"}
    node = function.node
    body = node.body if isinstance(node.body, list) else [ast.Return(node.body)]
    locals_ = local_sources(body)
    found: list[Marker] = []
    kept = kept_names(body) | parameters
    for added in _additions(body, (), context.within(body), depth + 1):
        if not _reaches(added, kept):
            continue  # A request the helper sends itself, or a block it throws away.
        names = expanded_names(added.decided_by, locals_)
        if any(_falsy_constant(test) for test in added.decided_by):
            continue
        deciders = frozenset(names & parameters)
        flagged = any("cache" in word(n) for test in added.decided_by for n in ast.walk(test))
        found.append(Marker(deciders, deciders if flagged else frozenset()))
    if not found:
        return None
    if any(not marker.deciders for marker in found):
        return Marker(frozenset())  # A helper that marks unconditionally on one path.
    return Marker(
        frozenset().union(*(m.deciders for m in found)),
        frozenset().union(*(m.flags for m in found)),
    )


def _reaches(added: Added, kept: set[str]) -> bool:
    """Whether a helper's breakpoint ends up in what it returns or in a block it was handed,
    not in the arguments of a call it makes (a request it sends itself)."""
    statement = added.statement
    if statement is not None and passed_to_a_call(statement, added.node):
        return False
    if isinstance(statement, (ast.Return, ast.Expr)) and isinstance(
        statement.value, (ast.Yield, ast.YieldFrom)
    ):
        return True
    if isinstance(statement, ast.Return):
        return True
    if isinstance(added.node, ast.Subscript):
        return root_name(added.node) in kept
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        return any(root_name(target) in kept for target in targets)
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        function = statement.value.func
        return (
            isinstance(function, ast.Attribute)
            and function.attr in ("append", "extend", "insert", "update")
            and root_name(function.value) in kept
        )
    return False


def functions_that_may_add(module: PythonModule) -> list[FunctionInfo]:
    """The module's `def` functions that can add a breakpoint, in order: those whose text
    spells `cache_control`, and those that call one of them by name (a helper, followed at
    most `_MAX_HELPER_DEPTH` deep). Every addition is that key or such a call, so the other
    functions (most of a large test module) need no walk."""
    return module.fact(_functions_that_may_add)


def _functions_that_may_add(module: PythonModule) -> list[FunctionInfo]:
    text = module.source.text
    if _KEY not in text:
        return []
    index = module.index
    adding: dict[int, FunctionInfo] = {}
    for function in index.functions:
        node = function.node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
            _KEY in text[module.start_offset(node) : module.end_offset(node)]
        ):
            adding[id(function)] = function
    named = list(adding.values())
    for _ in range(_MAX_HELPER_DEPTH + 1):
        callers: list[FunctionInfo] = []
        for function in named:
            for site in index.calls_by_name.get(function.name, ()):
                scope: Scope | None = site.scope
                while scope is not None:  # the call's function and those around it
                    caller = scope.function
                    if caller is not None and id(caller) not in adding:
                        adding[id(caller)] = caller
                        callers.append(caller)
                    scope = scope.parent
        if not callers:
            break
        named = callers
    return [
        function
        for function in index.functions
        if id(function) in adding
        and isinstance(function.node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def additions(body: list[ast.stmt], context: Context) -> Iterator[Added]:
    """Every breakpoint added in these statements (nested function bodies excluded)."""
    return _additions(body, (), context, 0)


def _additions(
    body: list[ast.stmt],
    tests: tuple[ast.expr, ...],
    context: Context,
    depth: int,
) -> Iterator[Added]:
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(statement, ast.If):
            yield from _in_expression(statement.test, tests, context, depth, statement)
            yield from _additions(statement.body, (*tests, statement.test), context, depth)
            negated = ast.UnaryOp(ast.Not(), statement.test)
            yield from _additions(statement.orelse, (*tests, negated), context, depth)
            if not statement.orelse and _leaves(statement.body):
                # `if not ...: return` guards every statement after it.
                tests = (*tests, negated)
            continue
        if isinstance(statement, ast.Assign) and is_key_store(statement.targets):
            if _fresh(statement.value, context, 0) and not _falsy_constant(statement.value):
                decided_by = (*tests, *_conditions(statement.value))
                yield Added(statement.targets[0], decided_by, statement, statement.value)
            continue
        inner = inner_bodies(statement)
        for expression in own_expressions(statement):
            yield from _in_expression(expression, tests, context, depth, statement)
        for block in inner:
            yield from _additions(block, tests, context, depth)


def _in_expression(
    expression: ast.AST,
    tests: tuple[ast.expr, ...],
    context: Context,
    depth: int,
    statement: ast.stmt,
) -> Iterator[Added]:
    for node, around in _walk_expression(expression, tests):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == _KEY
                    and _fresh(value, context, 0)
                ):
                    yield Added(key, (*around, *_conditions(value)), statement, value)
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == _KEY and _fresh(keyword.value, context, 0):
                    decided_by = (*around, *_conditions(keyword.value))
                    yield Added(keyword, decided_by, statement, keyword.value)
            called = _helper(node, context.functions)
            if called is None or depth > _MAX_HELPER_DEPTH:
                continue
            marker = _marker(called, context, depth)
            if marker is not None:
                yield Added(node, (*around, *_arguments(node, called, marker)), statement)


def _leaves(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Continue, ast.Break, ast.Raise))


def _walk_expression(
    expression: ast.AST, tests: tuple[ast.expr, ...]
) -> Iterator[tuple[ast.AST, tuple[ast.expr, ...]]]:
    """The nodes of an expression with the tests that decide whether each is evaluated
    (`a if test else b`, `test and a`, a comprehension's `if`), not entering lambdas."""
    stack: list[tuple[ast.AST, tuple[ast.expr, ...]]] = [(expression, tests)]
    while stack:
        node, around = stack.pop()
        yield node, around
        if isinstance(node, ast.IfExp):
            stack.append((node.test, around))
            stack.append((node.body, (*around, node.test)))
            stack.append((node.orelse, (*around, ast.UnaryOp(ast.Not(), node.test))))
        elif isinstance(node, ast.BoolOp):
            stack.extend(
                (value, (*around, *node.values[:i])) for i, value in enumerate(node.values)
            )
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            conditions = tuple(test for generator in node.generators for test in generator.ifs)
            for child in ast.iter_child_nodes(node):
                stack.append((child, (*around, *conditions)))
        else:
            stack.extend(
                (child, around)
                for child in ast.iter_child_nodes(node)
                if not isinstance(child, ast.Lambda)
            )


def _fresh(value: ast.expr, context: Context, depth: int) -> bool:
    """Whether a `cache_control` value makes a new breakpoint, rather than passing one on from
    the block being copied (`part.cache_control`, `block.get("cache_control")`, a parameter,
    what a rewrite function returns): a literal, a call named for cache control, or a name
    every assignment of which is one."""
    if depth > 3:
        return False
    if isinstance(value, ast.IfExp):
        return _fresh(value.body, context, depth + 1) or _fresh(value.orelse, context, depth + 1)
    if isinstance(value, ast.Dict):
        return bool(value.keys)
    if isinstance(value, ast.Call):
        name = callee_name(value.func)
        if name == "dict":
            return bool(value.keywords or value.args)
        if any(_reads_a_breakpoint(argument) for argument in value.args + value.keywords):
            return (
                False  # A breakpoint the item had, normalized (`_normalized(b["cache_control"])`).
            )
        helper = _helper(value, context.functions)
        if helper is not None:
            # A helper that builds the marker (`_cache_control(use_cache)`), not one that
            # reads it off an item (`_item_cache_control(item)`).
            body = helper.node.body if isinstance(helper.node.body, list) else []
            inner = context.within(body)
            returned = [
                node.value
                for node in ast.walk(ast.Module(body=body, type_ignores=[]))
                if isinstance(node, ast.Return) and node.value is not None
            ]
            return any(_fresh(r, inner, depth + 1) for r in returned)
        # A constructor of the SDK's type (`CacheControlEphemeralParam(...)`).
        plain = name.lower().replace("_", "")
        return name[:1].isupper() and ("cachecontrol" in plain or "ephemeral" in plain)
    if isinstance(value, ast.Name):
        assigned = context.assigned(value.id)
        return bool(assigned) and all(_fresh(v, context, depth + 1) for v in assigned)
    if isinstance(value, ast.Attribute):
        # A constant of the class or the instance (`self.CACHE_CONTROL`).
        name = value.attr.lower().replace("_", "")
        return "cachecontrol" in name or "ephemeral" in name
    return False


def _reads_a_breakpoint(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and inner.attr == _KEY:
            return True
        if isinstance(inner, ast.Constant) and inner.value == _KEY:
            return True
    return False


def _conditions(value: ast.expr) -> tuple[ast.expr, ...]:
    """What decides whether a `cache_control` value is set: `x if flag else None`, or a helper
    `_cache_control(flag)` whose arguments are then the decision."""
    if isinstance(value, ast.IfExp):
        return (value.test,)
    if isinstance(value, ast.Call) and value.args + [k.value for k in value.keywords]:
        name = callee_name(value.func).lower()
        if name != "dict" and not name[:1].isupper():
            return (*value.args, *(keyword.value for keyword in value.keywords))
    return ()


def _falsy_constant(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and not node.value


def _helper(call: ast.Call, functions: dict[str, list[FunctionInfo]]) -> FunctionInfo | None:
    """The module's own function a call names: a plain name, or `self.`/`cls.`/`Class.`
    method named once in the module."""
    name = callee_name(call.func)
    candidates = functions.get(name, [])
    if len(candidates) != 1 or candidates[0].node is None:
        return None
    if isinstance(call.func, ast.Attribute) and not isinstance(call.func.value, ast.Name):
        return None
    return candidates[0]


def _arguments(call: ast.Call, function: FunctionInfo, marker: Marker) -> list[ast.expr]:
    """The argument expressions bound to the deciding parameters (their defaults when not
    passed); one read for its cache flag stands as `argument.cache`, so that the caller sees
    the decision is the item's own."""
    names = [name for name in function.parameter_names if name not in ("self", "cls")]
    node = function.node
    bound: dict[str, ast.expr] = {}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        positional = [*node.args.posonlyargs, *node.args.args]
        for argument, default in zip(
            positional[len(positional) - len(node.args.defaults) :], node.args.defaults, strict=True
        ):
            bound[argument.arg] = default
        for argument, default in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True):
            if default is not None:
                bound[argument.arg] = default
    for name, argument in zip(names, call.args, strict=False):
        bound[name] = argument
    for keyword in call.keywords:
        if keyword.arg is not None:
            bound[keyword.arg] = keyword.value
    return [
        ast.Attribute(bound[name], "cache", ast.Load()) if name in marker.flags else bound[name]
        for name in marker.deciders
        if name in bound
    ]


def is_key_store(targets: list[ast.expr]) -> bool:
    return (
        len(targets) == 1
        and isinstance(targets[0], ast.Subscript)
        and isinstance(targets[0].slice, ast.Constant)
        and targets[0].slice.value == _KEY
    )
