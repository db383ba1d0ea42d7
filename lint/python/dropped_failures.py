"""Changes to a history that drop failures (a removal in an `except` handler or under an
error test, a filter on an error field), which CTX010 reports and CTX006 leaves to it, and
the positions counted from the end that tell a removal of the newest item."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ctxlint.python.container_types import Change

_REMOVALS = frozenset({"pop", "popleft", "remove", "delitem", "delslice", "clear"})

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule
    from ctxlint.python.sinks import Sink


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
            return f"the filter `{module.snippet(condition)}`"
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
                return f"`{text}` in an `except` handler"
        elif mentions_failure(guard):
            return f"`{text}` under `if {module.snippet(guard)}`"
    return None


def _contains(attempt: ast.Try, node: ast.AST) -> bool:
    """Whether the node is in the `try` body: after `try`, before the first handler (there is
    one: the guard that led here is a handler of this statement)."""
    start = (attempt.lineno, attempt.col_offset)
    end = (attempt.handlers[0].lineno, attempt.handlers[0].col_offset)
    return start <= (node.lineno, node.col_offset) < end  # type: ignore[attr-defined]
