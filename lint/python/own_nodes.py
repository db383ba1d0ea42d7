"""The nodes of one function's own body: not those of the functions, lambdas or classes
defined inside it, whose code runs at another time (a question about what a function does
when it is called stops at them)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

# More nodes than this in one function: generated code, not worth walking whole.
MAX_NODES = 20000

_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def own_nodes(function: ast.AST, limit: int = MAX_NODES) -> Iterator[ast.AST]:
    """The nodes below `function`, at most `limit` of them, nested definitions themselves
    included but not their insides."""
    pending = list(ast.iter_child_nodes(function))
    seen = 0
    while pending and seen < limit:
        node = pending.pop()
        seen += 1
        yield node
        if not isinstance(node, _NESTED):
            pending.extend(ast.iter_child_nodes(node))
