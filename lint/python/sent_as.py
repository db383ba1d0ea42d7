"""What part of a request a value visibly becomes, by the sinks of its module: the rendered text
of a prompt file sent as the system prompt, as instructions, or as a user message.

Cheap on purpose: the module's own sinks and value flow, without following its imports, and
only in a module whose bytes mention a role, a system prompt or instructions."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule
    from ctxlint.python.sinks import Sink

_USER_MESSAGE_CLASSES = frozenset({"HumanMessage", "UserMessage", "UserPromptPart"})
_NEEDLES = ("role", "system", "instructions", "Message(")


def sent_parts(module: PythonModule) -> dict[int, str]:
    """For each expression (by id) the flow reaches from a sink of the module that sends it as
    the system prompt ("system"), instructions ("instructions") or the user's message
    ("user"): what it becomes. An expression reached from sinks of two kinds is left out."""
    from ctxlint.python.flow import reach
    from ctxlint.python.sinks import find_sinks

    if not any(needle in module.source.text for needle in _NEEDLES):
        return {}
    found: dict[int, str] = {}
    mixed: set[int] = set()
    for sink in find_sinks(module.index):
        part = _part(sink)
        if part is None:
            continue
        for reached in reach(sink, module.index):
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
        keyword = None
        if call is not None:
            keyword = next((k.arg for k in call.keywords if k.value is sink.expression), None)
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
