"""The records of a function summary: what a function changes in place in a list it is
handed (`ParameterEdit`), what it returns rebuilt from one (`ReturnedRewrite`), and where
(`Span`). Plain data, so that a summary can be cached and applied in another module."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Literal

from ctxlint.python.index import FunctionInfo

ReturnKind = Literal["window", "head_and_window", "prepend", "stub"]


@dataclass(frozen=True, slots=True)
class Span:
    """Where something is, in `ast` terms (1-based lines, 0-based byte columns)."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def of(cls, node: ast.AST) -> Span:
        return cls(
            node.lineno,  # type: ignore[attr-defined]
            node.col_offset,  # type: ignore[attr-defined]
            node.end_lineno or node.lineno,  # type: ignore[attr-defined]
            node.end_col_offset or 0,  # type: ignore[attr-defined]
        )

    def locator(self) -> ast.expr:
        """A node carrying only this position, for reporting at it."""
        return ast.expr(
            lineno=self.line,
            col_offset=self.column,
            end_lineno=self.end_line,
            end_col_offset=self.end_column,
        )


@dataclass(frozen=True, slots=True)
class ParameterEdit:
    """A change a function makes in place to a list handed to it, to items already in it."""

    parameter: str
    # What the change does to those items, as a verb phrase ("removes a message from").
    effect: str
    # Where the changed items are: counted from the start, or not known.
    position: Literal["start", "unknown"]
    # Made because the list grew (under a test of its length or a token budget): a change that
    # recurs once a history is long, even on a list rebuilt for every call.
    size_driven: bool
    span: Span
    text: str
    # The functions it is made in, from the summarised one's callee inward (empty: itself).
    through: tuple[str, ...] = ()
    # The function of another module that makes it, when a function of this one hands the
    # list on to it (`self._call(msgs)` → `prepend(msgs)` imported): where it is reported.
    made_in: FunctionInfo | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class ReturnedRewrite:
    """The function returns a list rebuilt from a list it is handed (or one kept on `self`,
    named `self.<attribute>`) in a way that changes items already sent."""

    parameter: str
    kind: ReturnKind
    span: Span
    text: str
    through: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Summary:
    edits: tuple[ParameterEdit, ...] = ()
    returns: tuple[ReturnedRewrite, ...] = ()


EMPTY = Summary()
