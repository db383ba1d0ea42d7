"""The records the index keeps about a module: scopes and their bindings, functions, classes,
call sites, writes into containers and changes made in place, and the index that holds them.

`index.build_index` fills them in one traversal; flow, sinks and the container analyses read
them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

ScopeKind = Literal["module", "class", "function", "lambda", "comprehension"]
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
    # List and tuple literals (not assignment targets): what a tool set may be gathered in.
    sequences: list[ast.List | ast.Tuple] = field(default_factory=list)
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
