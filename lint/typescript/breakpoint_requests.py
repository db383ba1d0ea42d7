"""The cache breakpoints one TypeScript or JavaScript request sets, in the order the API reads
them (tools, then the system prompt, then the messages), for CTX008's count and lifetimes;
and the call-level automatic caching set beside the breakpoints a package sets by hand.

A request is the object given to an Anthropic `messages.create` (or `.stream`) or to an AI
SDK `generateText`/`streamText`/`generateObject`/`streamObject`, as the file writes it: its
literals, followed through local constants; what a loop or a helper builds is left to
ctxlint.typescript.breakpoint_shapes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from ctxlint.typescript import looks_like_a_test
from ctxlint.typescript.breakpoints import (
    AI_CALLS,
    RAW,
    Marker,
    file_markers,
    local_returns,
    marker_at,
    package_sites,
)
from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import FUNCTIONS, in_a_function, object_properties, resolved
from ctxlint.typescript.sinks import Sink
from ctxlint.typescript.volatile import Volatile, volatile

# The order the API reads a request in; the automatic breakpoint goes on its last block.
_PART_RANK = {"tools": 0, "system": 1, "instructions": 1, "messages": 2, "prompt": 2}
_AUTOMATIC_RANK = 3
_ANTHROPIC_CALLS = (".messages.create", ".messages.stream")
# Manual breakpoints beside which call-level automatic caching is reported: with three set
# by hand, the automatic one fills the fourth slot, and any second mark one of them makes
# (a system prompt split in two messages) is the fifth the API rejects (coder/mux#3112).
_CROWDED = 3


@dataclass(slots=True)
class Request:
    call: Node
    callee: str
    # Each breakpoint with the rank of the part it is in, in the order the API reads them.
    markers: list[tuple[int, Marker]] = field(default_factory=list)
    # Each breakpoint of the prefix that comes after (or on) a block holding a value that
    # changes on every call, with that value.
    after_volatile: list[tuple[Marker, Volatile]] = field(default_factory=list)

    @property
    def automatic(self) -> Marker | None:
        return next((m for _, m in self.markers if m.automatic), None)


def requests(parsed: ParsedScript, sinks: list[Sink]) -> list[Request]:
    calls: dict[int, Sink] = {}
    for sink in sinks:
        if sink.callee in AI_CALLS or sink.callee.endswith(_ANTHROPIC_CALLS):
            calls.setdefault(sink.call.id, sink)
    found = []
    for sink in calls.values():
        arguments = sink.call.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments and arguments.named_children else None
        literal = resolved(parsed, first)
        if literal is None or literal.type != "object":
            continue
        request = Request(sink.call, sink.callee)
        seen: set[int] = set()
        properties = object_properties(parsed, literal)
        changing: Volatile | None = None
        for key in sorted(properties.keys() & _PART_RANK.keys(), key=_PART_RANK.__getitem__):
            rank = _PART_RANK[key]
            for found_here in _walk(parsed, properties[key], seen):
                if isinstance(found_here, Volatile):
                    # The newest messages change by nature: only the prefix's values count.
                    if changing is None and rank < _PART_RANK["messages"]:
                        changing = found_here
                    continue
                request.markers.append((rank, found_here))
                if changing is not None:
                    request.after_volatile.append((found_here, changing))
        for key, value in properties.items():
            if key in _PART_RANK:
                continue
            elif key == RAW and sink.callee not in AI_CALLS:
                request.markers.append((_AUTOMATIC_RANK, Marker(value, value, automatic=True)))
            elif key == "providerOptions" and sink.callee in AI_CALLS:
                request.markers.extend(
                    (_AUTOMATIC_RANK, Marker(m.node, m.value, automatic=True))
                    for m in _reached_markers(parsed, value, seen)
                )
        if request.markers:
            found.append(request)
    return found


def _reached_markers(parsed: ParsedScript, value: Node, seen: set[int]) -> Iterator[Marker]:
    for found in _walk(parsed, value, seen):
        if isinstance(found, Marker):
            yield found


def _walk(parsed: ParsedScript, value: Node, seen: set[int]) -> Iterator[Marker | Volatile]:
    """The breakpoints written in a sent value, and the values in it that change on every
    call, in the order the request holds them; through local constants and the returns of
    local functions, not into callbacks (a loop's, whose breakpoints are no literal here)."""
    pending = [value]
    while pending:
        node = pending.pop()
        if node.id in seen or node.type in FUNCTIONS or node.type in _SKIPPED:
            continue
        seen.add(node.id)
        marker = marker_at(parsed, node)
        if marker is not None:
            yield marker
        if node.type in ("identifier", "shorthand_property_identifier"):
            bound = resolved(parsed, node)
            if bound is not None and bound is not node:
                pending.append(bound)
            continue
        if node.type in ("call_expression", "new_expression"):
            changing = volatile(parsed, node, False)
            if changing is not None and in_a_function(changing.read):
                yield changing
                continue
            function = node.child_by_field_name("function")
            if function is not None and function.type == "identifier":
                pending.extend(reversed(local_returns(parsed, function)))
        pending.extend(reversed(node.named_children))


_SKIPPED = frozenset({"type_annotation", "type_arguments", "comment"})


@dataclass(frozen=True, slots=True)
class Crowded:
    """Call-level automatic caching in a package that sets `sites` breakpoints by hand."""

    marker: Marker
    sites: list[tuple[str, int]]


def crowded_automatic(parsed: ParsedScript, found: list[Request]) -> list[Crowded]:
    if looks_like_a_test(parsed.path):
        return []  # a test's expected options, not a request
    automatic = [m for m in file_markers(parsed) if m.automatic]
    automatic += [r.automatic for r in found if r.automatic is not None]
    unique = list({m.node.id: m for m in automatic}.values())
    if not unique:
        return []
    sites = sorted(package_sites(parsed))
    if len(sites) < _CROWDED:
        return []
    return [Crowded(marker, sites) for marker in unique]
