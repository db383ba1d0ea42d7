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

from ctxlint.typescript.breakpoints import (
    AI_CALLS,
    RAW,
    Marker,
    file_markers,
    is_test,
    marker_at,
    package_sites,
)
from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import FUNCTIONS, object_properties, resolved
from ctxlint.typescript.sinks import Sink

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
        for key, value in object_properties(parsed, literal).items():
            if key in _PART_RANK:
                rank = _PART_RANK[key]
                request.markers.extend((rank, m) for m in _reached_markers(parsed, value, seen))
            elif key == RAW and sink.callee not in AI_CALLS:
                request.markers.append((_AUTOMATIC_RANK, Marker(value, value, automatic=True)))
            elif key == "providerOptions" and sink.callee in AI_CALLS:
                request.markers.extend(
                    (_AUTOMATIC_RANK, Marker(m.node, m.value, automatic=True))
                    for m in _reached_markers(parsed, value, seen)
                )
        request.markers.sort(key=lambda item: (item[0], item[1].node.start_byte))
        if request.markers:
            found.append(request)
    return found


def _reached_markers(parsed: ParsedScript, value: Node, seen: set[int]) -> Iterator[Marker]:
    """The breakpoints written in a sent value and the local constants it names; not those
    of functions (a loop's callback, a helper), which are no literal of this request."""
    pending = [value]
    while pending:
        node = pending.pop()
        if node.id in seen or node.type in FUNCTIONS:
            continue
        seen.add(node.id)
        marker = marker_at(parsed, node)
        if marker is not None:
            yield marker
        if node.type in ("identifier", "shorthand_property_identifier"):
            bound = resolved(parsed, node)
            if bound is not None and bound is not node and bound.type in ("object", "array"):
                pending.append(bound)
            continue
        pending.extend(reversed(node.named_children))


@dataclass(frozen=True, slots=True)
class Crowded:
    """Call-level automatic caching in a package that sets `sites` breakpoints by hand."""

    marker: Marker
    sites: list[tuple[str, int]]


def crowded_automatic(parsed: ParsedScript, found: list[Request]) -> list[Crowded]:
    if is_test(parsed.path):
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
