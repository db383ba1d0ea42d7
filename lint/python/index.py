"""One traversal of a module's syntax tree that records every fact the rules ask about later.

The index holds scopes and their bindings, functions and their returns, call sites by callee
name, writes into containers, and instance attributes, so that value flow can be followed
without walking the tree again.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

ScopeKind = Literal["module", "class", "function", "lambda", "comprehension"]

# Methods that put values into a container; the value arguments flow into the container.
_CONTAINER_WRITES = frozenset(
    {"append", "extend", "insert", "add", "update", "setdefault", "appendleft", "extendleft"}
)
# Methods that change a list (or deque) in place; any of them on a history or a tool list.
_MUTATING_METHODS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "remove",
        "pop",
        "clear",
        "sort",
        "reverse",
        "appendleft",
        "extendleft",
        "popleft",
        "update",
        "setdefault",
    }
)
_CACHING_DECORATORS = frozenset({"cache", "lru_cache", "cached_property", "cached"})
_COMPREHENSIONS = frozenset({ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp})
Derived = TypeVar("Derived")


@dataclass(eq=False, slots=True)
class Binding:
    """One way a name gets a value in a scope."""

    kind: Literal[
        "assign",
        "augassign",
        "for",
        "comprehension",
        "with",
        "import",
        "function",
        "class",
        "param",
        "except",
        "other",
    ]
    scope: Scope
    name: str = ""
    # The expression whose value the name takes (or iterates over, for "for"/"comprehension").
    value: ast.AST | None = None
    # Where in a tuple target the name sits, to pick the matching element of a tuple value.
    target_path: tuple[int, ...] = ()
    qualified_name: str | None = None
    function: FunctionInfo | None = None
    # For parameters: position among positional parameters (None for keyword-only) and name.
    parameter_index: int | None = None
    annotation: ast.expr | None = None
    # Where the name is bound (the target, the `def`, the parameter), for the order of
    # bindings within a block; None when not recorded (then no order is assumed).
    node: ast.AST | None = None


@dataclass(eq=False, slots=True)
class Scope:
    kind: ScopeKind
    parent: Scope | None
    node: ast.AST | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)
    class_info: ClassInfo | None = None
    function: FunctionInfo | None = None

    def bind(self, name: str, binding: Binding) -> None:
        binding.name = name
        self.bindings.setdefault(name, []).append(binding)

    def runs_once(self) -> bool:
        """Whether code in this scope runs once per process (at import), not once per call."""
        scope: Scope | None = self
        while scope is not None:
            if scope.kind in ("function", "lambda"):
                return scope.function is not None and scope.function.is_cached
            scope = scope.parent
        return True


@dataclass(eq=False, slots=True)
class FunctionInfo:
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    name: str
    scope: Scope
    enclosing: Scope
    returns: list[ast.expr] = field(default_factory=list)
    parameter_names: list[str] = field(default_factory=list)
    class_info: ClassInfo | None = None
    is_cached: bool = False
    # The returns made inside an `except` handler (by id): a fallback when the normal path
    # failed, not what the function does on each call.
    fallback_returns: set[int] = field(default_factory=set)


@dataclass(eq=False, slots=True)
class ClassInfo:
    node: ast.ClassDef
    scope: Scope
    methods: dict[str, FunctionInfo] = field(default_factory=dict)
    # `self.x = value` anywhere in the class's methods.
    attributes: dict[str, list[tuple[ast.expr, Scope]]] = field(default_factory=dict)
    attribute_writes: dict[str, list[ContainerWrite]] = field(default_factory=dict)
    attribute_mutations: dict[str, list[Mutation]] = field(default_factory=dict)


@dataclass(eq=False, slots=True)
class ContainerWrite:
    value: ast.expr
    scope: Scope
    # The iterables of the `for` loops around the write: they decide the order of the writes.
    loops: tuple[ast.expr, ...] = ()


@dataclass(eq=False, slots=True)
class Mutation:
    """A change made in place to the container a name or a `self` attribute holds."""

    # A method name ("append", "pop"...), "setitem", "setslice", "delitem", "delslice",
    # "augassign", or "edit": an element of the container changed in place (`xs[i]["k"] = v`,
    # `xs[i]["k"].append(v)`).
    kind: str
    node: ast.AST
    scope: Scope
    # The innermost loop around the change, within the same function.
    loop: ast.stmt | None
    # The `if` tests and `except` handlers around it, within the same function, outermost first.
    guards: tuple[ast.AST, ...]
    # What selects the element (the subscript, or the first argument of pop/insert).
    index: ast.expr | None = None
    # For "edit": the constant keys and attribute names below the element, in order.
    keys: tuple[str, ...] = ()


@dataclass(eq=False, slots=True)
class CallSite:
    call: ast.Call
    scope: Scope
    # The innermost loop around the call, within the same function.
    loop: ast.stmt | None = None


@dataclass(eq=False, slots=True)
class ModuleIndex:
    tree: ast.Module
    module_scope: Scope
    functions: list[FunctionInfo] = field(default_factory=list)
    # The `def` functions (not lambdas) by name, to tell whether a name is defined once.
    functions_by_name: dict[str, list[FunctionInfo]] = field(default_factory=dict)
    classes: list[ClassInfo] = field(default_factory=list)
    # Every call, with the scope it sits in; the sink finder reads this list.
    calls: list[CallSite] = field(default_factory=list)
    # Calls by the last name of the callee (`f(...)`, `obj.f(...)`), to find a function's callers.
    calls_by_name: dict[str, list[CallSite]] = field(default_factory=dict)
    dicts: list[tuple[ast.Dict, Scope]] = field(default_factory=list)
    # The values of `yield value`: a message a generator hands to whoever keeps the history.
    yielded: list[ast.expr] = field(default_factory=list)
    # Values written into a container held by a name (`parts.append(x)`, `parts[i] = x`);
    # which binding of the name it is is decided when walking.
    container_writes: dict[str, list[ContainerWrite]] = field(default_factory=dict)
    # Changes in place to containers held by names; which binding it is is decided by lookup.
    mutations: dict[str, list[Mutation]] = field(default_factory=dict)
    # The `try` statement each `except` handler belongs to.
    handler_try: dict[ast.ExceptHandler, ast.Try] = field(default_factory=dict)
    # Each loop statement's enclosing loop in the same function (None at the outermost).
    loop_parents: dict[ast.stmt, ast.stmt | None] = field(default_factory=dict)
    # Assignments to names and attributes, for sinks recognised by the target's name.
    named_assignments: list[tuple[str, ast.expr, Scope]] = field(default_factory=list)
    imported_modules: set[str] = field(default_factory=set)
    scope_of_function: dict[ast.AST, Scope] = field(default_factory=dict)
    scopes: list[Scope] = field(default_factory=list)
    # The project the module is checked in (project.Project), set by its PythonModule: where
    # a call to another module's function is resolved (summaries.summary_at). None: alone.
    links: Any = None
    # What the flow and container analyses derive from the above, by the function deriving it.
    _derived: dict[Callable[..., Any], Any] = field(default_factory=dict)

    def derived(self, compute: Callable[[ModuleIndex], Derived]) -> Derived:
        """A table derived from the index (writes grouped by the variable they go to...),
        computed on first use: analyses run once per LLM call read it instead of scanning the
        whole index each time."""
        if compute not in self._derived:
            self._derived[compute] = compute(self)
        return self._derived[compute]

    def dispose(self) -> None:
        """Break the scope/binding/function cycles so the syntax tree is freed at once by
        reference counting, instead of waiting for (and slowing down) the cycle collector."""
        for scope in self.scopes:
            scope.bindings.clear()
            scope.function = None
            scope.class_info = None
        for function in self.functions:
            function.class_info = None
        self.scopes.clear()
        self.functions.clear()
        self.functions_by_name.clear()
        self.classes.clear()
        self._derived.clear()

    def function_scope(self, node: ast.AST) -> Scope | None:
        return self.scope_of_function.get(node)

    def loop_encloses(self, loop: ast.stmt, inner: ast.stmt | None) -> bool:
        """Whether `inner` is `loop` or a loop nested in it."""
        while inner is not None:
            if inner is loop:
                return True
            inner = self.loop_parents.get(inner)
        return False


def build_index(tree: ast.Module) -> ModuleIndex:
    module_scope = Scope("module", None, tree)
    index = ModuleIndex(tree=tree, module_scope=module_scope, scopes=[module_scope])
    _Indexer(index).visit_body(tree.body, module_scope)
    return index


def decorator_name(decorator: ast.expr) -> str:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Name):
        return target.id
    return ""


def class_of_self(expression: ast.expr, scope: Scope) -> ClassInfo | None:
    """The class whose instance `expression` is, when it is the enclosing method's `self`."""
    if not isinstance(expression, ast.Name):
        return None
    function_scope: Scope | None = scope
    while function_scope is not None and function_scope.kind == "comprehension":
        function_scope = function_scope.parent
    if function_scope is None or function_scope.function is None:
        return None
    info = function_scope.function
    if info.class_info is None or not info.parameter_names:
        return None
    return info.class_info if info.parameter_names[0] == expression.id else None


class _Indexer:
    """Walks statements and expressions once, recording bindings into the scope they belong to."""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        # The iterables of the enclosing `for` loops, and the enclosing loop statements
        # (`for` and `while`), within the current function.
        self.loops: list[ast.expr] = []
        self.loop_statements: list[ast.stmt] = []
        self.guards: list[ast.AST] = []

    # Statements ---------------------------------------------------------------------------

    def visit_body(self, body: list[ast.stmt], scope: Scope) -> None:
        for statement in body:
            self.visit_statement(statement, scope)

    def visit_statement(self, node: ast.stmt, scope: Scope) -> None:
        handler = _STATEMENT_HANDLERS.get(node.__class__)
        if handler is not None:
            handler(self, node, scope)
            return
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.visit_expression(child, scope)
            elif isinstance(child, ast.stmt):
                self.visit_statement(child, scope)

    def visit_expression_statement(self, node: ast.Expr, scope: Scope) -> None:
        self.visit_expression(node.value, scope)

    def visit_assign(self, node: ast.Assign, scope: Scope) -> None:
        self.visit_expression(node.value, scope)
        for target in node.targets:
            self.bind_target(target, "assign", node.value, scope)

    def visit_annotated_assign(self, node: ast.AnnAssign, scope: Scope) -> None:
        if node.value is not None:
            self.visit_expression(node.value, scope)
            self.bind_target(node.target, "assign", node.value, scope)
        self.visit_expression(node.annotation, scope)

    def visit_augmented_assign(self, node: ast.AugAssign, scope: Scope) -> None:
        self.visit_expression(node.value, scope)
        self.bind_target(node.target, "augassign", node.value, scope)
        if isinstance(node.target, (ast.Name, ast.Attribute)):
            self.record_mutation(node.target, "augassign", node, scope)

    def visit_delete(self, node: ast.Delete, scope: Scope) -> None:
        for target in node.targets:
            self.visit_expression(target, scope)
            if isinstance(target, ast.Subscript):
                self.record_subscript_change(target, "del", node, scope)

    def enter_loop(self, node: ast.stmt) -> None:
        self.index.loop_parents[node] = self.loop_statements[-1] if self.loop_statements else None
        self.loop_statements.append(node)

    def visit_for(self, node: ast.For | ast.AsyncFor, scope: Scope) -> None:
        self.visit_expression(node.iter, scope)
        self.bind_target(node.target, "for", node.iter, scope)
        self.loops.append(node.iter)
        self.enter_loop(node)
        self.visit_body(node.body, scope)
        self.loop_statements.pop()
        self.loops.pop()
        self.visit_body(node.orelse, scope)

    def visit_while(self, node: ast.While, scope: Scope) -> None:
        self.visit_expression(node.test, scope)
        self.enter_loop(node)
        self.visit_body(node.body, scope)
        self.loop_statements.pop()
        self.visit_body(node.orelse, scope)

    def visit_with(self, node: ast.With | ast.AsyncWith, scope: Scope) -> None:
        for item in node.items:
            self.visit_expression(item.context_expr, scope)
            if item.optional_vars is not None:
                self.bind_target(item.optional_vars, "with", item.context_expr, scope)
        self.visit_body(node.body, scope)

    def visit_return(self, node: ast.Return, scope: Scope) -> None:
        if node.value is not None:
            self.visit_expression(node.value, scope)
            if scope.function is not None:
                scope.function.returns.append(node.value)
                if any(isinstance(guard, ast.ExceptHandler) for guard in self.guards):
                    scope.function.fallback_returns.add(id(node.value))

    def visit_global(self, node: ast.Global, scope: Scope) -> None:
        scope.globals.update(node.names)

    def visit_nonlocal(self, node: ast.Nonlocal, scope: Scope) -> None:
        scope.nonlocals.update(node.names)

    def visit_try(self, node: ast.Try, scope: Scope) -> None:
        self.visit_body(node.body, scope)
        for handler in node.handlers:
            if handler.type is not None:
                self.visit_expression(handler.type, scope)
            if handler.name:
                scope.bind(handler.name, Binding("except", scope))
            self.index.handler_try[handler] = node
            self.guards.append(handler)
            self.visit_body(handler.body, scope)
            self.guards.pop()
        self.visit_body(node.orelse, scope)
        self.visit_body(node.finalbody, scope)

    def visit_if(self, node: ast.If, scope: Scope) -> None:
        self.visit_expression(node.test, scope)
        self.guards.append(node.test)
        self.visit_body(node.body, scope)
        self.visit_body(node.orelse, scope)
        self.guards.pop()

    def visit_match(self, node: ast.Match, scope: Scope) -> None:
        self.visit_expression(node.subject, scope)
        for case in node.cases:
            if case.guard is not None:
                self.visit_expression(case.guard, scope)
            self.visit_body(case.body, scope)

    def visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> None:
        outer = self.loops, self.loop_statements, self.guards
        self.loops, self.loop_statements, self.guards = [], [], []
        self.visit_function_inner(node, scope)
        self.loops, self.loop_statements, self.guards = outer

    def visit_function_inner(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope
    ) -> None:
        for decorator in node.decorator_list:
            self.visit_expression(decorator, scope)
        self.visit_arguments_outside(node.args, scope)
        if node.returns is not None:
            self.visit_expression(node.returns, scope)
        function_scope = Scope("function", scope, node)
        self.index.scopes.append(function_scope)
        info = FunctionInfo(node=node, name=node.name, scope=function_scope, enclosing=scope)
        info.is_cached = any(decorator_name(d) in _CACHING_DECORATORS for d in node.decorator_list)
        function_scope.function = info
        if scope.kind == "class" and scope.class_info is not None:
            info.class_info = scope.class_info
            scope.class_info.methods.setdefault(node.name, info)
        self.index.functions.append(info)
        self.index.functions_by_name.setdefault(node.name, []).append(info)
        self.index.scope_of_function[node] = function_scope
        scope.bind(node.name, Binding("function", scope, function=info, node=node))
        self.bind_parameters(node.args, info)
        self.visit_body(node.body, function_scope)

    def visit_arguments_outside(self, arguments: ast.arguments, scope: Scope) -> None:
        # Defaults and annotations are evaluated where the function is defined, not inside it.
        for default in [*arguments.defaults, *arguments.kw_defaults]:
            if default is not None:
                self.visit_expression(default, scope)

    def bind_parameters(self, arguments: ast.arguments, info: FunctionInfo) -> None:
        positional = [*arguments.posonlyargs, *arguments.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
        defaults += list(arguments.defaults)
        # (parameter, default, position among the positional ones or None if keyword-only)
        parameters = [
            (argument, default, position)
            for position, (argument, default) in enumerate(zip(positional, defaults, strict=True))
        ]
        parameters += [
            (argument, default, None)
            for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
        ]
        for argument, default, position in parameters:
            info.parameter_names.append(argument.arg)
            binding = Binding(
                "param",
                info.scope,
                value=default,
                function=info,
                parameter_index=position,
                annotation=argument.annotation,
                node=argument,
            )
            info.scope.bind(argument.arg, binding)
        for argument in (arguments.vararg, arguments.kwarg):
            if argument is not None:
                info.scope.bind(argument.arg, Binding("other", info.scope))

    def visit_class(self, node: ast.ClassDef, scope: Scope) -> None:
        for expression in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit_expression(expression, scope)
        class_scope = Scope("class", scope, node)
        self.index.scopes.append(class_scope)
        info = ClassInfo(node=node, scope=class_scope)
        class_scope.class_info = info
        self.index.classes.append(info)
        scope.bind(node.name, Binding("class", scope, value=node, node=node))
        self.visit_body(node.body, class_scope)

    def visit_import(self, node: ast.Import | ast.ImportFrom, scope: Scope) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.index.imported_modules.add(alias.name)
                if alias.asname:
                    scope.bind(alias.asname, Binding("import", scope, qualified_name=alias.name))
                else:
                    top = alias.name.split(".")[0]
                    scope.bind(top, Binding("import", scope, qualified_name=top))
            return
        module = node.module or ""
        if node.level:
            module = "." * node.level + module
        self.index.imported_modules.add(module)
        for alias in node.names:
            if alias.name == "*":
                continue
            qualified = f"{module}.{alias.name}" if module else alias.name
            self.index.imported_modules.add(qualified)
            scope.bind(
                alias.asname or alias.name, Binding("import", scope, qualified_name=qualified)
            )

    # Targets ------------------------------------------------------------------------------

    def bind_target(
        self, target: ast.expr, kind: str, value: ast.expr, scope: Scope, path: tuple[int, ...] = ()
    ) -> None:
        if isinstance(target, ast.Name):
            binding_scope = self.binding_scope(target.id, scope)
            binding_scope.bind(
                target.id, Binding(kind, scope, value=value, target_path=path, node=target)
            )
            named = _unpacked(value, path)
            if named is not None:
                self.index.named_assignments.append((target.id, named, scope))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for position, element in enumerate(target.elts):
                inner = element.value if isinstance(element, ast.Starred) else element
                self.bind_target(inner, kind, value, scope, (*path, position))
        elif isinstance(target, ast.Attribute):
            self.visit_expression(target.value, scope)
            self.index.named_assignments.append((target.attr, value, scope))
            owner = class_of_self(target.value, scope)
            if owner is not None and kind in ("assign", "augassign"):
                owner.attributes.setdefault(target.attr, []).append((value, scope))
        elif isinstance(target, ast.Subscript):
            # `history[i] = x` writes x into the container held by `history`.
            self.visit_expression(target.value, scope)
            self.visit_expression(target.slice, scope)
            self.record_container_write(target.value, value, scope)
            self.record_subscript_change(target, "set", target, scope)
        elif isinstance(target, ast.Starred):
            self.bind_target(target.value, kind, value, scope, path)

    def binding_scope(self, name: str, scope: Scope) -> Scope:
        if name in scope.globals:
            return self.index.module_scope
        if name in scope.nonlocals:
            enclosing = scope.parent
            while enclosing is not None and name not in enclosing.bindings:
                enclosing = enclosing.parent
            if enclosing is not None:
                return enclosing
        return scope

    def record_container_write(self, container: ast.expr, value: ast.expr, scope: Scope) -> None:
        write = ContainerWrite(value, scope, tuple(self.loops))
        if isinstance(container, ast.Name):
            self.index.container_writes.setdefault(container.id, []).append(write)
        elif isinstance(container, ast.Attribute):
            owner = class_of_self(container.value, scope)
            if owner is not None:
                owner.attribute_writes.setdefault(container.attr, []).append(write)

    def record_mutation(
        self,
        container: ast.expr,
        kind: str,
        node: ast.AST,
        scope: Scope,
        index: ast.expr | None = None,
        keys: tuple[str, ...] = (),
    ) -> None:
        loop = self.loop_statements[-1] if self.loop_statements else None
        mutation = Mutation(kind, node, scope, loop, tuple(self.guards), index, keys)
        if isinstance(container, ast.Name):
            self.index.mutations.setdefault(container.id, []).append(mutation)
        elif isinstance(container, ast.Attribute):
            owner = class_of_self(container.value, scope)
            if owner is not None:
                owner.attribute_mutations.setdefault(container.attr, []).append(mutation)

    def record_subscript_change(
        self, target: ast.Subscript, action: str, node: ast.AST, scope: Scope
    ) -> None:
        """`xs[i] = v` / `del xs[i]` change xs; `xs[i]["k"] = v` edits an element of xs."""
        keys: list[str] = []
        current: ast.expr = target
        # Walk down to the subscript applied to the container itself.
        while isinstance(current, (ast.Subscript, ast.Attribute)) and not (
            isinstance(current, ast.Subscript) and _is_container(current.value)
        ):
            keys.append(_key_text(current))
            current = current.value
        if not isinstance(current, ast.Subscript) or not _is_container(current.value):
            return
        if current is target:
            sliced = isinstance(target.slice, ast.Slice)
            kind = f"{action}{'slice' if sliced else 'item'}"
            self.record_mutation(target.value, kind, node, scope, target.slice)
        else:
            keys.reverse()
            self.record_mutation(current.value, "edit", node, scope, current.slice, tuple(keys))

    # Expressions --------------------------------------------------------------------------

    def visit_expression(self, root: ast.expr, scope: Scope) -> None:
        # An explicit stack: deeply nested expressions must not hit the recursion limit. The
        # common node types are unpacked by hand; ast.iter_child_nodes is several times slower.
        stack: list[ast.AST] = [root]
        push = stack.append
        extend = stack.extend
        while stack:
            node = stack.pop()
            kind = node.__class__
            if kind is ast.Name or kind is ast.Constant:
                continue
            if kind is ast.Attribute or kind is ast.Starred or kind is ast.Await:
                push(node.value)  # type: ignore[attr-defined]
            elif kind is ast.Call:
                self.visit_call(node, scope)  # type: ignore[arg-type]
                push(node.func)  # type: ignore[attr-defined]
                extend(node.args)  # type: ignore[attr-defined]
                extend([keyword.value for keyword in node.keywords])  # type: ignore[attr-defined]
            elif kind is ast.Dict:
                self.index.dicts.append((node, scope))  # type: ignore[arg-type]
                extend([key for key in node.keys if key is not None])  # type: ignore[attr-defined]
                extend(node.values)  # type: ignore[attr-defined]
            elif kind is ast.Subscript:
                push(node.value)  # type: ignore[attr-defined]
                push(node.slice)  # type: ignore[attr-defined]
            elif kind is ast.BinOp:
                push(node.left)  # type: ignore[attr-defined]
                push(node.right)  # type: ignore[attr-defined]
            elif kind is ast.JoinedStr or kind is ast.List or kind is ast.Tuple or kind is ast.Set:
                extend(node.values if kind is ast.JoinedStr else node.elts)  # type: ignore[attr-defined]
            elif kind is ast.Compare:
                push(node.left)  # type: ignore[attr-defined]
                extend(node.comparators)  # type: ignore[attr-defined]
            elif kind is ast.BoolOp:
                extend(node.values)  # type: ignore[attr-defined]
            elif kind is ast.UnaryOp:
                push(node.operand)  # type: ignore[attr-defined]
            elif kind is ast.IfExp:
                push(node.test)  # type: ignore[attr-defined]
                push(node.body)  # type: ignore[attr-defined]
                push(node.orelse)  # type: ignore[attr-defined]
            elif kind is ast.FormattedValue:
                push(node.value)  # type: ignore[attr-defined]
                if node.format_spec is not None:  # type: ignore[attr-defined]
                    push(node.format_spec)  # type: ignore[attr-defined]
            elif kind is ast.Yield:
                if node.value is not None:  # type: ignore[attr-defined]
                    self.index.yielded.append(node.value)  # type: ignore[attr-defined]
                    push(node.value)  # type: ignore[attr-defined]
            elif kind is ast.Lambda:
                self.visit_lambda(node, scope)  # type: ignore[arg-type]
            elif kind in _COMPREHENSIONS:
                self.visit_comprehension(node, scope)  # type: ignore[arg-type]
            elif kind is ast.NamedExpr:
                target_scope = scope
                while target_scope.kind == "comprehension" and target_scope.parent is not None:
                    target_scope = target_scope.parent
                self.bind_target(node.target, "assign", node.value, target_scope)  # type: ignore[attr-defined]
                push(node.value)  # type: ignore[attr-defined]
            else:
                extend(ast.iter_child_nodes(node))

    def visit_call(self, node: ast.Call, scope: Scope) -> None:
        site = CallSite(node, scope, self.loop_statements[-1] if self.loop_statements else None)
        self.index.calls.append(site)
        function = node.func
        if isinstance(function, ast.Name):
            self.index.calls_by_name.setdefault(function.id, []).append(site)
        elif isinstance(function, ast.Attribute):
            method = function.attr
            self.index.calls_by_name.setdefault(method, []).append(site)
            if method in _CONTAINER_WRITES:
                for argument in node.args[-1:] if method == "insert" else node.args:
                    self.record_container_write(function.value, argument, scope)
                for keyword in node.keywords:
                    self.record_container_write(function.value, keyword.value, scope)
            if method in _MUTATING_METHODS:
                self.record_method_mutation(function.value, method, node, scope)

    def record_method_mutation(
        self, receiver: ast.expr, method: str, call: ast.Call, scope: Scope
    ) -> None:
        if _is_container(receiver):
            first = call.args[0] if call.args else None
            self.record_mutation(receiver, method, call, scope, first)
            return
        # `xs[i]["content"].append(v)`: an element of xs changes.
        keys: list[str] = []
        current = receiver
        while isinstance(current, (ast.Subscript, ast.Attribute)) and not _is_container(
            current.value
        ):
            keys.append(_key_text(current))
            current = current.value
        if isinstance(current, ast.Subscript) and _is_container(current.value):
            keys.reverse()
            self.record_mutation(current.value, "edit", call, scope, current.slice, tuple(keys))

    def visit_lambda(self, node: ast.Lambda, scope: Scope) -> None:
        self.visit_arguments_outside(node.args, scope)
        lambda_scope = Scope("lambda", scope, node)
        self.index.scopes.append(lambda_scope)
        info = FunctionInfo(node=node, name="<lambda>", scope=lambda_scope, enclosing=scope)
        info.returns.append(node.body)
        lambda_scope.function = info
        self.index.scope_of_function[node] = lambda_scope
        self.bind_parameters(node.args, info)
        self.visit_expression(node.body, lambda_scope)

    def visit_comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, scope: Scope
    ) -> None:
        # The first iterable is evaluated in the enclosing scope; the rest inside.
        comprehension_scope = Scope("comprehension", scope, node)
        self.index.scopes.append(comprehension_scope)
        self.index.scope_of_function[node] = comprehension_scope
        for position, generator in enumerate(node.generators):
            self.visit_expression(generator.iter, scope if position == 0 else comprehension_scope)
            self.bind_target(generator.target, "comprehension", generator.iter, comprehension_scope)
            for condition in generator.ifs:
                self.visit_expression(condition, comprehension_scope)
        if isinstance(node, ast.DictComp):
            self.visit_expression(node.key, comprehension_scope)
            self.visit_expression(node.value, comprehension_scope)
        else:
            self.visit_expression(node.elt, comprehension_scope)


def _unpacked(value: ast.expr, path: tuple[int, ...]) -> ast.expr | None:
    """What a name in a tuple target takes from the value (`b` in `a, b = x, y` takes y);
    None when that cannot be told (`prompt, messages = build()`), for the name-based sinks."""
    for position in path:
        if not isinstance(value, (ast.Tuple, ast.List)) or position >= len(value.elts):
            return None
        if any(isinstance(e, ast.Starred) for e in value.elts):
            return None
        value = value.elts[position]
    return value


def _is_container(expression: ast.expr) -> bool:
    """A name, or an attribute of a name (`self.messages`): what mutations are recorded on."""
    return isinstance(expression, ast.Name) or (
        isinstance(expression, ast.Attribute) and isinstance(expression.value, ast.Name)
    )


def _key_text(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant):
            return str(key.value)
    return "?"


_STATEMENT_HANDLERS = {
    ast.Expr: _Indexer.visit_expression_statement,
    ast.Assign: _Indexer.visit_assign,
    ast.If: _Indexer.visit_if,
    ast.Return: _Indexer.visit_return,
    ast.FunctionDef: _Indexer.visit_function,
    ast.AsyncFunctionDef: _Indexer.visit_function,
    ast.ClassDef: _Indexer.visit_class,
    ast.For: _Indexer.visit_for,
    ast.AsyncFor: _Indexer.visit_for,
    ast.With: _Indexer.visit_with,
    ast.AsyncWith: _Indexer.visit_with,
    ast.AnnAssign: _Indexer.visit_annotated_assign,
    ast.AugAssign: _Indexer.visit_augmented_assign,
    ast.Import: _Indexer.visit_import,
    ast.ImportFrom: _Indexer.visit_import,
    ast.Try: _Indexer.visit_try,
    ast.While: _Indexer.visit_while,
    ast.Delete: _Indexer.visit_delete,
    ast.Match: _Indexer.visit_match,
    ast.Global: _Indexer.visit_global,
    ast.Nonlocal: _Indexer.visit_nonlocal,
}
if sys.version_info >= (3, 11):
    _STATEMENT_HANDLERS[ast.TryStar] = _Indexer.visit_try
