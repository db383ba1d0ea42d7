"""What the container analyses describe: a list sent to an LLM call (`Container`), how long it
lives, and a change made to it other than appending (`Change`)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Literal

from ctxlint.python.index import FunctionInfo, Mutation, Scope
from ctxlint.python.summaries import ParameterEdit, ReturnedRewrite

Lifetime = Literal["attribute", "global", "parameter", "loop"]


@dataclass(frozen=True, slots=True)
class Container:
    """A name or `self` attribute whose list is sent (whole or spread) to an LLM call."""

    expression: ast.Name | ast.Attribute
    scope: Scope
    # Why the same list is seen by the next call too; None when it is made anew for each call.
    lifetime: Lifetime | None


@dataclass(frozen=True, slots=True)
class Change:
    """A change to a container, other than appending to it."""

    container: Container
    # "mutation": in place; "element": an element edited through a loop variable or an alias;
    # "rebinding": the name or attribute rebound to a cut or filtered copy of itself.
    how: Literal["mutation", "element", "rebinding", "filter"]
    node: ast.AST
    scope: Scope
    mutation: Mutation | None = None
    # For rebinding and filters: the kept part ("slice") or the condition ("filter"/"trim").
    rebinding_kind: Literal["slice", "filter", "trim", "helper"] | None = None
    condition: ast.expr | None = None
    # The comprehension variables the condition may use freely.
    element_names: frozenset[str] = frozenset()
    # Made by a function the list is handed to: the call, what the function's summary says it
    # does (then `node` is the call, and the summary holds where in the function it is), and
    # the function (whose scope tells the module to report in, when it is another one).
    call: ast.Call | None = None
    applied: ParameterEdit | ReturnedRewrite | None = None
    callee: FunctionInfo | None = None
