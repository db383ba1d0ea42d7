"""Shapes of statements that the breakpoint checks read: the names a function returns or builds
a local from, whether a node is an argument of a call, a statement's own expressions and inner
blocks, the parts of a module that spell a word, and the last word of a callee or key."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule

# Calls that build a container (or add to one): a value in their arguments is not sent.
_CONTAINER_CALLS = frozenset({"dict", "list", "tuple", "append", "extend", "insert", "update"})


def kept_names(body: list[ast.stmt]) -> set[str]:
    """The names a function returns something of."""
    kept: set[str] = set()
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Return) and node.value is not None:
            kept.update(n.id for n in ast.walk(node.value) if isinstance(n, ast.Name))
    return kept


def passed_to_a_call(statement: ast.stmt, node: ast.AST) -> bool:
    """Whether the node sits in the arguments of a call other than a constructor or a plain
    container (`TextBlockParam(...)`, `dict(...)`), or a list method."""
    for call in ast.walk(statement):
        if not isinstance(call, ast.Call) or call is node:
            continue
        name = callee_name(call.func)
        if name[:1].isupper() or name in _CONTAINER_CALLS:
            continue
        arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
        if any(inner is node for argument in arguments for inner in ast.walk(argument)):
            return True
        if any(keyword is node for keyword in call.keywords):
            return True
    return False


def root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def local_sources(body: list[ast.stmt]) -> dict[str, set[str]]:
    """For each local name assigned in a function, the names its values are built from."""
    sources: dict[str, set[str]] = {}
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Assign):
            used = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
            for target in node.targets:
                if isinstance(target, ast.Name):
                    sources.setdefault(target.id, set()).update(used)
    return sources


def expanded_names(expressions: tuple[ast.expr, ...], sources: dict[str, set[str]]) -> set[str]:
    names = {n.id for e in expressions for n in ast.walk(e) if isinstance(n, ast.Name)}
    for _ in range(3):
        names |= {source for name in list(names) for source in sources.get(name, ())}
    return names


def inner_bodies(statement: ast.stmt) -> list[list[ast.stmt]]:
    blocks = []
    for name in ("body", "orelse", "finalbody"):
        block = getattr(statement, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            blocks.append(block)
    for handler in getattr(statement, "handlers", ()):
        blocks.append(handler.body)
    for case in getattr(statement, "cases", ()):
        blocks.append(case.body)
    return blocks


def roots_spelling(module: PythonModule, word: str) -> list[ast.AST]:
    """Nodes under which every node of the module whose text spells `word` lies: the simple
    statements that spell it, and the own expressions of the compound ones (whose inner
    blocks are looked into the same way). A walk of these replaces a walk of the whole tree
    for a key a few statements of a large module spell."""
    text, source = module.source.text, module.source
    if word not in text:
        return []
    roots: list[ast.AST] = []
    stack: list[ast.stmt] = list(reversed(module.tree.body))
    while stack:
        statement = stack.pop()
        # From its first decorator's line: a `def` starts below them.
        first = min([statement.lineno, *(d.lineno for d in _decorators(statement))])
        if word not in text[source.offset(first, 0) : module.end_offset(statement)]:
            continue
        blocks = inner_bodies(statement)
        if not blocks:
            roots.append(statement)
            continue
        for part in own_expressions(statement):
            # A handler's or case's body is among the blocks: only its head is its own.
            if isinstance(part, ast.ExceptHandler):
                roots.extend([part.type] if part.type is not None else [])
            elif isinstance(part, ast.match_case):
                roots.extend([part.pattern, *([part.guard] if part.guard else [])])
            else:
                roots.append(part)
        for block in reversed(blocks):
            stack.extend(reversed(block))
    return roots


def _decorators(statement: ast.stmt) -> list[ast.expr]:
    return getattr(statement, "decorator_list", [])


def own_expressions(statement: ast.stmt) -> list[ast.AST]:
    """The expressions of a statement that are not inside its nested statement blocks."""
    own = []
    for _, value in ast.iter_fields(statement):
        values = value if isinstance(value, list) else [value]
        own.extend(v for v in values if isinstance(v, ast.AST) and not isinstance(v, ast.stmt))
    return own


def word(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr.lower()
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.lower()
    return ""


def callee_name(function: ast.AST) -> str:
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        return function.attr
    return ""
