"""What a prompt sink is: an expression and the part of an LLM request it becomes, and how a
finding names it.

Every rule names a sink the same way: `label` is the part of the request ("the system prompt",
"the tool definitions", "the messages"), `place` says whose ("the system prompt of
client.messages.create"), and `anchor` is the node a finding's "sent as ..." note points at.
A description carries no line: the note's location does."""

from __future__ import annotations

import ast
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
    # How a finding names the place, with no line: "the system prompt of client.messages.create".
    description: str
    # The LLM call the expression is an argument of, when it is one.
    call: ast.Call | None = None
    # What the expression becomes when the kind says too little: "a tool result".
    part: str = ""

    @property
    def in_prefix(self) -> bool:
        return self.kind in _PREFIX_KINDS

    @property
    def label(self) -> str:
        """What the expression becomes, for a short message: "the system prompt"."""
        return self.part or kind_label(self.kind)

    def sent_as(self, through: tuple[str, ...] = ()) -> str:
        """The note at the expression sent, naming the calls a value went through on its way:
        "sent as the system prompt of client.messages.create, through compose() → _header()"."""
        calls = ", through " + " → ".join(f"{name}()" for name in through) if through else ""
        return f"sent as {self.description}{calls}"


def kind_label(kind: str) -> str:
    """The part of a request a sink kind is: "the system prompt", "the tool definitions"."""
    return _KIND_LABELS.get(kind, f"the {kind}")


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


def describe_sink(kind: str, callee: str) -> str:
    """How a finding names a sink sent by a call: "the system prompt of client.messages.create"
    (the call is the sink's anchor: the finding's note gives its line)."""
    return f"{kind_label(kind)} of {callee}"
