"""How many cache breakpoints one TypeScript or JavaScript function sets at most, for CTX008:
a request builder that marks the system prompt, the last tool and "the last 3 messages" sets
5, which the API rejects ("A maximum of 4 blocks with cache_control may be provided. Found
5", BlockRunAI/Franklin#73).

The count follows the function's shape: breakpoints in one branch of an `if`/`else`, a
ternary or a `switch` count as the branch that sets most; a loop counts its body as many
times as it runs when the code bounds it by a literal (`for (let i = Math.max(0, n - 3); i <
n; i++)`, `.slice(-3)`); a loop of unknown length that marks is CTX008's per-item shape, not a
count, and leaves the function uncounted. A callback is counted where its loop is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from ctxlint.typescript.breakpoints import Marker, stops_early
from ctxlint.typescript.parse import ParsedScript, descendants
from ctxlint.typescript.scope import FUNCTIONS, resolved

_MAX_BREAKPOINTS = 4
_LOOP_METHODS = frozenset({"map", "forEach", "flatMap"})
# `n - 3` in a loop's start, `.slice(-3)` of what a loop walks: the passes a literal bounds.
_LAST_FEW = re.compile(r"\.length\s*-\s*(\d+)")
_SLICED = re.compile(r"\.slice\(\s*-\s*(\d+)\s*\)")
_MOST_PASSES = 20
# A condition that holds for one item: `i === items.length - 1`, `key === lastKey`.
_ONE_PLACE = re.compile(
    r"===?\s*[\w.$!]*(length\s*-\s*\d+|\blast\w*)|(length\s*-\s*\d+|\blast\w*)\s*===?", re.I
)


@dataclass(frozen=True, slots=True)
class OverBudget:
    function: Node
    count: int
    # The breakpoint the finding is placed on: the first one of a loop bounded by a literal
    # above 1, else the last one the function sets.
    marker: Marker


def over_budget(parsed: ParsedScript, markers: list[Marker]) -> list[OverBudget]:
    by_node = {marker.node.id: marker for marker in markers if not marker.automatic}
    functions: dict[int, Node] = {}
    for marker in by_node.values():
        function = _counted_function(marker.node)
        if function is not None:
            functions.setdefault(function.id, function)
    found = []
    for function in functions.values():
        body = function.child_by_field_name("body")
        if body is None:
            continue
        if _removes_breakpoints(parsed, body):
            continue  # the function keeps its own budget (`delete block.cache_control`)
        counter = _Counter(parsed, by_node)
        count = counter.count(body)
        if count is not None and count > _MAX_BREAKPOINTS:
            inside = [by_node[i] for i in counter.marked if i in by_node]
            place = counter.in_loop[0] if counter.in_loop else inside[-1]
            found.append(OverBudget(function, count, place))
    return found


def _counted_function(node: Node) -> Node | None:
    """The function whose request a breakpoint is part of: a callback's caller."""
    function = node.parent
    while function is not None and (
        function.type not in FUNCTIONS
        or (function.parent is not None and function.parent.type == "arguments")
    ):
        function = function.parent
    return function


def _removes_breakpoints(parsed: ParsedScript, body: Node) -> bool:
    """`delete x.cache_control`, `x.cache_control = undefined`: breakpoints taken away."""
    text = parsed.text(body)
    return bool(
        re.search(r"delete\s[^;\n]*cache_?[cC]ontrol|cache_?[cC]ontrol\s*=\s*undefined", text)
    )


class _Counter:
    def __init__(self, parsed: ParsedScript, markers: dict[int, Marker]) -> None:
        self.parsed = parsed
        self.markers = markers
        # The breakpoints met, in the order of the source; those of bounded loops.
        self.marked: list[int] = []
        self.in_loop: list[Marker] = []

    def count(self, node: Node) -> int | None:
        if node.id in self.markers:
            self.marked.append(node.id)
            return 1
        kind = node.type
        if kind in FUNCTIONS and not (node.parent is not None and node.parent.type == "arguments"):
            return 0  # another function, counted on its own
        if kind == "if_statement":
            return self._either(
                node.child_by_field_name("condition"),
                node.child_by_field_name("consequence"),
                node.child_by_field_name("alternative"),
            )
        if kind == "ternary_expression":
            return self._either(
                node.child_by_field_name("condition"),
                node.child_by_field_name("consequence"),
                node.child_by_field_name("alternative"),
            )
        if kind == "switch_statement":
            body = node.child_by_field_name("body")
            cases = [self.count(case) for case in body.named_children] if body else []
            return None if None in cases else max(cases, default=0)
        if kind in ("for_statement", "for_in_statement", "while_statement", "do_statement"):
            return self._loop(node, self._passes(node), node.child_by_field_name("body"))
        if kind == "call_expression":
            looped = self._callback_loop(node)
            if looped is not None:
                passes, body = looped
                return self._loop(node, passes, body)
        return self._sum(node.named_children)

    def _sum(self, nodes) -> int | None:
        total = 0
        for child in nodes:
            found = self.count(child)
            if found is None:
                return None
            total += found
        return total

    def _either(self, condition: Node | None, *branches: Node | None) -> int | None:
        counts = [self.count(b) if b is not None else 0 for b in branches]
        before = self.count(condition) if condition is not None else 0
        if before is None or None in counts:
            return None
        return before + max(c for c in counts if c is not None)

    def _loop(self, loop: Node, passes: int | None, body: Node | None) -> int | None:
        if body is None:
            return 0
        start = len(self.marked)
        each = self.count(body)
        if each is None or each == 0:
            return each
        if passes is None and self._marks_once(loop, body, start):
            passes = 1
        if passes is None:
            return None  # the per-item shape, reported as such
        if passes > 1:
            self.in_loop.extend(self.markers[i] for i in self.marked[start : start + 1])
        return passes * each

    def _marks_once(self, loop: Node, body: Node, start: int) -> bool:
        """A loop that stops once it marks (`break`), or marks only the item at one place
        (`i === items.length - 1 ? {...} : {}`), sets one breakpoint whatever its length."""
        if loop.type != "call_expression" and stops_early(body):
            return True
        for marker_id in self.marked[start:]:
            node = self.markers[marker_id].node
            decided = False
            while node is not None and node is not body:
                condition = node.child_by_field_name("condition")
                branching = node.type in ("if_statement", "ternary_expression")
                if branching and condition is not None:
                    decided = _ONE_PLACE.search(self.parsed.text(condition)) is not None
                if decided:
                    break
                node = node.parent
            if not decided:
                return False
        return True

    def _passes(self, loop: Node) -> int | None:
        """The passes of a loop over the last few items, when a literal says how many."""
        if loop.type == "for_statement":
            start = loop.child_by_field_name("initializer")
            found = None
            if start is not None:
                # `let i = start`, where `const start = Math.max(0, n - 3)`.
                texts = [self.parsed.text(start)]
                texts += [
                    self.parsed.text(value)
                    for name in descendants(start)
                    if name.type == "identifier"
                    and (value := resolved(self.parsed, name)) is not None
                    and value is not name
                ]
                found = next((m for t in texts if (m := _LAST_FEW.search(t))), None)
        elif loop.type == "for_in_statement":
            iterated = loop.child_by_field_name("right")
            found = _SLICED.search(self.parsed.text(iterated)) if iterated is not None else None
        else:
            found = None
        passes = int(found.group(1)) if found else None
        return passes if passes is not None and passes <= _MOST_PASSES else None

    def _callback_loop(self, call: Node) -> tuple[int | None, Node | None] | None:
        function = call.child_by_field_name("function")
        arguments = call.child_by_field_name("arguments")
        if function is None or function.type != "member_expression" or arguments is None:
            return None
        method = function.child_by_field_name("property")
        if method is None or self.parsed.text(method) not in _LOOP_METHODS:
            return None
        callback = next((a for a in arguments.named_children if a.type in FUNCTIONS), None)
        if callback is None:
            return None
        receiver = function.child_by_field_name("object")
        found = _SLICED.search(self.parsed.text(receiver)) if receiver is not None else None
        passes = int(found.group(1)) if found else None
        return (
            passes if passes is not None and passes <= _MOST_PASSES else None,
            callback.child_by_field_name("body"),
        )
