"""A sent TypeScript or JavaScript history changed by a function it is handed to, in the file
or imported (ctxlint.typescript.history_summaries): `trimHistory(messages)` that splices or
shifts the front of a history kept across calls, and `messages = compact(messages)` or
`send(condense(history))` where the helper returns a window cut from the end or a copy with
older items stubbed out. The change is reported where it is made, in the helper's file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tree_sitter import Node

from ctxlint.typescript.callees import callee, destructured_from
from ctxlint.typescript.history import (
    history_key,
    history_region,
    sends_in_loop_without,
    sent_histories,
    shared_loop,
)
from ctxlint.typescript.history_edits import method_call, text_of
from ctxlint.typescript.history_summaries import Rewrite, summary
from ctxlint.typescript.parse import ParsedScript, descendants
from ctxlint.typescript.scope import declaration, unwrapped
from ctxlint.typescript.sinks import Sink

if TYPE_CHECKING:
    from ctxlint.typescript.project import ScriptProject

_DEPTH = 8
# Calls whose result is the history they are handed, item by item: their argument is walked.
_PASSING = ("slice", "concat", "filter", "map", "toReversed")


@dataclass(frozen=True, slots=True)
class HelperChange:
    """A change a helper makes to a sent history: where it is made (`rewrite`), the call that
    applies it in the sending file, and the sink."""

    rewrite: Rewrite
    call: Node
    sink: Sink


def helper_changes(
    parsed: ParsedScript, sinks: list[Sink], project: ScriptProject | None
) -> Iterator[HelperChange]:
    seen: set[tuple[str, int]] = set()
    for sink in sinks:
        found = [*_returned_into(parsed, sink, project), *_handed_to(parsed, sink, project)]
        for call, rewrite in found:
            key = (rewrite.parsed.path, rewrite.node.id)
            if key not in seen:
                seen.add(key)
                yield HelperChange(rewrite, call, sink)


def _returned_into(
    parsed: ParsedScript, sink: Sink, project: ScriptProject | None
) -> Iterator[tuple[Node, Rewrite]]:
    """Rewrites a helper returns that the sent value is made of: `messages: compact(history)`,
    `history = trim(history)` before it is sent, `const { messages } = condense(...)`."""
    pending = [(sink.value, 0)]
    walked: set[int] = set()
    while pending:
        node, depth = pending.pop()
        node = unwrapped(node)
        if depth > _DEPTH or node.id in walked:
            continue
        walked.add(node.id)
        kind = node.type
        if kind in ("identifier", "shorthand_property_identifier"):
            pending.extend((value, depth + 1) for value in _values_of(parsed, node))
            found = destructured_from(parsed, node)
            if found is not None:
                key, call = found
                yield from _applied(parsed, call, key, sink, project)
        elif kind == "array":
            for element in node.named_children:
                if element.type == "spread_element" and element.named_children:
                    pending.append((element.named_children[0], depth + 1))
        elif kind == "member_expression":
            target = node.child_by_field_name("object")
            name = node.child_by_field_name("property")
            if (
                target is not None
                and name is not None
                and unwrapped(target).type == "call_expression"
            ):
                yield from _applied(parsed, unwrapped(target), parsed.text(name), sink, project)
        elif kind == "call_expression":
            receiver, method, _ = method_call(parsed, node)
            if receiver is not None and unwrapped(receiver).type != "this":
                if method in _PASSING:
                    pending.append((receiver, depth + 1))
                continue
            yield from _applied(parsed, node, None, sink, project)
            # `toProvider(kept)`: a conversion made of what it is handed.
            arguments = node.child_by_field_name("arguments")
            if arguments is not None:
                pending.extend((a, depth + 1) for a in arguments.named_children)


def _values_of(parsed: ParsedScript, name: Node) -> Iterator[Node]:
    """A local's initialiser and each value assigned to it in its function."""
    bound = declaration(parsed, name)
    if bound is None or bound.type != "variable_declarator":
        return
    value = bound.child_by_field_name("value")
    if value is not None:
        yield value
    holder = bound.parent.parent if bound.parent is not None else None
    wanted = parsed.text(name)
    for node in descendants(holder) if holder is not None else ():
        if node.type != "assignment_expression":
            continue
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is not None and right is not None and text_of(parsed, left) == wanted:
            yield right


def _applied(
    parsed: ParsedScript,
    call: Node,
    key: str | None,
    sink: Sink,
    project: ScriptProject | None,
) -> Iterator[tuple[Node, Rewrite]]:
    """The rewrites the helper a call calls returns (as the property `key`, or itself)."""
    target = callee(parsed, call, project)
    if target is None:
        return
    # Cut once, before the loop that sends it: the same list for every call.
    if sends_in_loop_without(sink.call, call):
        return
    where, function = target
    for rewrite in summary(where, function, project).returns:
        if rewrite.key == key:
            yield call, rewrite


def _handed_to(
    parsed: ParsedScript, sink: Sink, project: ScriptProject | None
) -> Iterator[tuple[Node, Rewrite]]:
    """In-place changes of a helper the sent history is handed to, when the history outlives
    one call: kept on an object or at the top level, or changed in the loop that sends it."""
    for history, window in sent_histories(parsed, sink.value, 0):
        if window is not None:
            continue
        key = history_key(parsed, history)
        if key is None:
            continue
        text, bound = key
        for node in descendants(history_region(history, bound)):
            receiver = method_call(parsed, node)[0] if node.type == "call_expression" else None
            if node.type != "call_expression" or (
                receiver is not None and unwrapped(receiver).type != "this"
            ):
                continue
            positions = _positions_of(parsed, node, text)
            if not positions:
                continue
            target = callee(parsed, node, project)
            if target is None:
                continue
            for edit in summary(*target, project).edits:
                if edit.parameter in positions and _kept(bound, node, edit, sink):
                    yield node, edit


def _positions_of(parsed: ParsedScript, call: Node, text: str) -> set[int]:
    arguments = call.child_by_field_name("arguments")
    listed = [a for a in arguments.named_children if a.type != "comment"] if arguments else []
    return {i for i, argument in enumerate(listed) if text_of(parsed, argument) == text}


def _kept(bound: tuple[str, Node] | None, call: Node, edit: Rewrite, sink: Sink) -> bool:
    """As ctxlint.typescript.history judges a change made in the sending function."""
    if bound is None or bound[0] == "module":
        return True
    loop = shared_loop(call, sink.call)
    if bound[0] == "parameter":
        return loop is not None or edit.sized
    return loop is not None and bound[1].start_byte < loop.start_byte
