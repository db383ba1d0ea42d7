"""What part of a request a value visibly becomes, by the sinks of its module: the rendered text
of a prompt file sent as the system prompt, as instructions, or as a user message."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule
    from ctxlint.python.sinks import Sink

_USER_MESSAGE_CLASSES = frozenset({"HumanMessage", "UserMessage", "UserPromptPart"})


def sent_parts(module: PythonModule) -> dict[int, str]:
    """For each expression (by id) the flow reaches from a sink of the module that sends it as
    the system prompt ("system"), instructions ("instructions") or the user's message
    ("user"): what it becomes. An expression reached from sinks of two kinds is left out."""
    found: dict[int, str] = {}
    mixed: set[int] = set()
    for sink in module.sinks:
        part = _part(sink)
        if part is None:
            continue
        for reached in module.reached_across(sink):
            key = id(reached.node)
            if found.get(key, part) != part:
                mixed.add(key)
            found[key] = part
    for key in mixed:
        del found[key]
    return found


def _part(sink: Sink) -> str | None:
    if sink.kind == "system":
        call = sink.call
        keyword = (
            next((k.arg for k in call.keywords if k.value is sink.expression), None)
            if call is not None
            else None
        )
        return "instructions" if keyword == "instructions" else "system"
    if sink.kind != "content":
        return None
    if "user message" in sink.description:
        return "user"
    call = sink.call
    if call is not None:
        function = call.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        if name in _USER_MESSAGE_CLASSES:
            return "user"
    return None
