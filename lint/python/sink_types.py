"""What a prompt sink is: an expression and the part of an LLM request it becomes, and how a
finding names it."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Literal

from ctxlint.python.index import Scope
from ctxlint.python.names import attribute_chain

SinkKind = Literal["system", "tools", "messages", "content"]
_PREFIX_KINDS = frozenset({"system", "tools"})
_KIND_LABELS = {
    "system": "the system prompt",
    "tools": "the tool definitions",
    "messages": "the messages",
    "content": "the message content",
}


@dataclass(frozen=True, slots=True)
class Sink:
    expression: ast.expr
    scope: Scope
    kind: SinkKind
    # How the finding names the place: "the system prompt of client.messages.create (line 40)".
    description: str
    # The LLM call the expression is an argument of, when it is one.
    call: ast.Call | None = None

    @property
    def in_prefix(self) -> bool:
        return self.kind in _PREFIX_KINDS

    @property
    def label(self) -> str:
        """What the expression becomes, for a short message: "the system prompt"."""
        return _KIND_LABELS.get(self.kind, f"the {self.kind}")

    @property
    def place(self) -> str:
        """The description without its line, for a related location that carries the line:
        "the system prompt of client.messages.create"."""
        return _LINE_REFERENCE.sub("", self.description)

    @property
    def anchor(self) -> ast.AST:
        """Where the finding's "sent as" note points: the expression that becomes that part of
        the request (the `system=` argument, the returned prompt), which names the call too."""
        return self.expression


_LINE_REFERENCE = re.compile(r" \(line \d+\)")


@dataclass(frozen=True, slots=True)
class ConfiguredSink:
    """A user's own LLM-call wrapper, from `prompt-sinks` in the configuration."""

    call: str
    prefix: tuple[str, ...]
    prompt: tuple[str, ...]


def callee_text(function: ast.expr) -> str:
    """`client.messages.create`, `get_client().chat`: the callee as findings name it."""
    root, attributes = attribute_chain(function)
    if isinstance(root, ast.Name):
        head = root.id
    elif isinstance(root, ast.Call):
        head = callee_text(root.func) + "()"
    else:
        head = "…"
    return ".".join([head, *attributes])


def describe_sink(kind: str, callee: str, call: ast.Call) -> str:
    """How a finding names a sink: "the system prompt of client.messages.create (line 40)"."""
    label = _KIND_LABELS.get(kind, f"the {kind}")
    return f"{label} of {callee} (line {call.lineno})"
