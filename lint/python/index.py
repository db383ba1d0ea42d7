"""One traversal of a module's syntax tree that records every fact the rules ask about later.

The index holds scopes and their bindings, functions and their returns, call sites by callee
name, writes into containers, and instance attributes, so that value flow can be followed
without walking the tree again. The records are defined in `index_types` (and importable from
here); `index_expressions.ExpressionIndexer` records expressions, assignment targets and
parameters, and the statement walker here builds on it.
"""

from __future__ import annotations

import ast
import sys

from ctxlint.python.index_expressions import ExpressionIndexer
from ctxlint.python.index_types import (
    Binding,
    CallSite,
    ClassInfo,
    ContainerWrite,
    Derived,
    FunctionInfo,
    ModuleIndex,
    Mutation,
    Scope,
    ScopeKind,
    class_of_self,
    decorator_name,
)

# The records moved to index_types; other modules import them from here.
__all__ = [
    "Binding",
    "CallSite",
    "ClassInfo",
    "ContainerWrite",
    "Derived",
    "FunctionInfo",
    "ModuleIndex",
    "Mutation",
    "Scope",
    "ScopeKind",
    "build_index",
    "class_of_self",
    "decorator_name",
]

_CACHING_DECORATORS = frozenset({"cache", "lru_cache", "cached_property", "cached"})


def build_index(tree: ast.Module) -> ModuleIndex:
    module_scope = Scope("module", None, tree)
    index = ModuleIndex(tree=tree, module_scope=module_scope, scopes=[module_scope])
    _Indexer(index).visit_body(tree.body, module_scope)
    return index


class _Indexer(ExpressionIndexer):
    """Walks statements and expressions once, recording bindings into the scope they belong to."""

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
