"""Which part of a request a TypeScript or JavaScript breakpoint is set on (the tools, the
system prompt, the messages), for CTX008's lifetime order across a file: the API reads the
tools first, and a 1-hour breakpoint after a 5-minute one is rejected, so tools marked with the
default 5 minutes in a file that gives the system prompt or the messages 1 hour break every
request that carries both (vellum-ai/vellum-assistant#22191).

A part is told by what the breakpoint's value is put in: a `tools:` / `system:` / `messages:`
property, an assignment to `params.tools`, a variable named after the part (`toolsCopy`,
`systemBlocks`), through the callbacks that build it (`tools.map((t, i) => ...)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from ctxlint.typescript.breakpoints import Marker, ttl_of
from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import FUNCTIONS

TOOLS = "tools"
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_LATER = ("system", "messages")


@dataclass(frozen=True, slots=True)
class ShortBeforeLong:
    tool: Marker
    hour: Marker


def short_tools_before_an_hour(
    parsed: ParsedScript, markers: list[Marker]
) -> list[ShortBeforeLong]:
    parts = [(part_of(parsed, m), m) for m in markers if not m.automatic]
    hour = next((m for part, m in parts if part in _LATER and ttl_of(parsed, m) == "1h"), None)
    if hour is None:
        return []
    return [
        ShortBeforeLong(m, hour) for part, m in parts if part == TOOLS and ttl_of(parsed, m) == "5m"
    ]


def part_of(parsed: ParsedScript, marker: Marker) -> str | None:
    node = marker.node.parent
    while node is not None:
        kind = node.type
        if kind in FUNCTIONS and not (node.parent is not None and node.parent.type == "arguments"):
            return None
        named = None
        if kind == "pair":
            key = node.child_by_field_name("key")
            named = parsed.text(key).strip("'\"") if key is not None else None
        elif kind == "assignment_expression":
            left = node.child_by_field_name("left")
            named = _last_name(parsed, left) if left is not None else None
        elif kind == "variable_declarator":
            name = node.child_by_field_name("name")
            named = parsed.text(name) if name is not None else None
        elif kind == "call_expression":
            # `otherTools.map((t, i) => ...)`: what the callback walks.
            function = node.child_by_field_name("function")
            receiver = function.child_by_field_name("object") if function is not None else None
            named = _last_name(parsed, receiver) if receiver is not None else None
        part = _part_named(named)
        if part is not None:
            return part
        node = node.parent
    return None


def _last_name(parsed: ParsedScript, left: Node) -> str | None:
    if left.type == "member_expression":
        field = left.child_by_field_name("property")
        return parsed.text(field) if field is not None else None
    if left.type == "identifier":
        return parsed.text(left)
    return None


def _part_named(name: str | None) -> str | None:
    """The part a name says it holds: `otherTools`, `systemBlocks`, `toolMessages` (messages)."""
    if not name:
        return None
    words = {word.lower() for word in _WORDS.findall(name)}
    if words & {"message", "messages", "history"}:
        return "messages"
    if words & {"tool", "tools"}:
        return TOOLS
    if "system" in words:
        return "system"
    return None
