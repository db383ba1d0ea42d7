"""The part of the index traversal that records expressions, assignment targets and
parameters: calls, container writes and in-place changes, lambdas and comprehensions.

`index._Indexer` walks the statements on top of it.
"""

from __future__ import annotations

import ast

from ctxlint.python.index_types import (
    Binding,
    CallSite,
    ContainerWrite,
    FunctionInfo,
    ModuleIndex,
    Mutation,
    Scope,
    class_of_self,
)

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
_COMPREHENSIONS = frozenset({ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp})


class ExpressionIndexer:
    """Records what expressions, assignment targets and parameters bind, call and change; the
    statement walker (`index._Indexer`) builds on it and shares its loop and guard stacks."""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        # The iterables of the enclosing `for` loops, and the enclosing loop statements
        # (`for` and `while`), within the current function.
        self.loops: list[ast.expr] = []
        self.loop_statements: list[ast.stmt] = []
        self.guards: list[ast.AST] = []

    # Parameters ---------------------------------------------------------------------------

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
            elif kind is ast.List or kind is ast.Tuple:
                self.index.sequences.append(node)  # type: ignore[arg-type]
                extend(node.elts)  # type: ignore[attr-defined]
            elif kind is ast.JoinedStr or kind is ast.Set:
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
