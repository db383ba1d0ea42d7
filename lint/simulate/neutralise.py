"""Requests rewritten as if one cause of cache loss had been fixed, so that re-simulating them
says what the fix would save: volatile spans frozen, JSON kept in one serialisation, tools kept
in one order or one fixed list, history only ever appended to."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable

from ctxlint.config import Settings
from ctxlint.trace.compare import SessionState, Step, same_json
from ctxlint.trace.model import Block, Message, Request, Tool, message
from ctxlint.trace.volatile import volatile_change

VOLATILE = "volatile spans frozen"
JSON = "JSON kept in one serialisation"
TOOL_ORDER = "tools kept in one order"
TOOL_LIST = "one fixed tool list"
APPEND_ONLY = "history only appended to"

# The fix that neutralises each rule's cause. Failed actions are lost by editing the history,
# so keeping them is the append-only fix too.
FIXES = {
    "CTX001": VOLATILE,
    "CTX002": JSON,
    "CTX003": TOOL_ORDER,
    "CTX004": TOOL_LIST,
    "CTX006": APPEND_ONLY,
    "CTX010": APPEND_ONLY,
}

Equivalent = Callable[[str, str], bool]


def _volatile_only(before: str, after: str) -> bool:
    return volatile_change(before, after) is not None


class Neutraliser:
    """Rewrites a session's requests one after another, each against the previous request of
    the same model as recorded and as rewritten."""

    def __init__(self, fix: str, session_tools: dict[tuple[str, str], tuple[Tool, ...]]) -> None:
        self.fix = fix
        # Every tool each session used, first definitions, in the order first seen.
        self.session_tools = session_tools
        self._previous: dict[tuple[str, str, str | None], tuple[Request, Request]] = {}

    def apply(self, request: Request) -> Request:
        key = (request.path, request.session, request.model)
        previous = self._previous.get(key)
        rewritten = request
        if self.fix == TOOL_LIST:
            tools = self.session_tools.get((request.path, request.session))
            if request.tools is not None and tools is not None:
                rewritten = dataclasses.replace(request, tools=tools)
        elif previous is not None:
            recorded, written = previous
            if self.fix == VOLATILE:
                rewritten = _freeze(request, written, _volatile_only)
            elif self.fix == JSON:
                rewritten = _freeze(request, written, same_json)
            elif self.fix == TOOL_ORDER:
                rewritten = _keep_tool_order(request, written)
            elif self.fix == APPEND_ONLY:
                rewritten = _append_only(request, recorded, written)
        self._previous[key] = (request, rewritten)
        return rewritten


def _freeze(request: Request, previous: Request, equivalent: Equivalent) -> Request:
    """Every system block, tool and message that is `equivalent` to the previous request's
    counterpart becomes exactly that counterpart."""
    changes: dict[str, object] = {}
    if request.system is not None and previous.system is not None:
        system = (
            tuple(
                _same_block(block, old, equivalent)
                for block, old in zip(request.system, previous.system, strict=False)
            )
            + request.system[len(previous.system) :]
        )
        if system != request.system:
            changes["system"] = system
    if request.tools is not None and previous.tools is not None:
        before = {tool.name: tool for tool in previous.tools}
        tools = tuple(
            before[tool.name]
            if tool.name in before
            and tool.definition != before[tool.name].definition
            and equivalent(before[tool.name].definition, tool.definition)
            else tool
            for tool in request.tools
        )
        if tools != request.tools:
            changes["tools"] = tools
    messages = (
        tuple(
            _same_message(found, old, equivalent)
            for found, old in zip(request.messages, previous.messages, strict=False)
        )
        + request.messages[len(previous.messages) :]
    )
    if any(a is not b for a, b in zip(messages, request.messages, strict=True)):
        changes["messages"] = messages
    return dataclasses.replace(request, **changes) if changes else request


def _same_block(block: Block, old: Block, equivalent: Equivalent) -> Block:
    if block.identity() == old.identity():
        return block
    if (block.kind, block.name, block.call_id, block.is_error) != (
        old.kind,
        old.name,
        old.call_id,
        old.is_error,
    ):
        return block
    text_same = block.text == old.text or equivalent(old.text, block.text)
    arguments_same = block.arguments == old.arguments or equivalent(old.arguments, block.arguments)
    if text_same and arguments_same:
        return dataclasses.replace(block, text=old.text, arguments=old.arguments)
    return block


def _same_message(found: Message, old: Message, equivalent: Equivalent) -> Message:
    if found.key == old.key or found.role != old.role or len(found.blocks) != len(old.blocks):
        return found
    blocks = [_same_block(a, b, equivalent) for a, b in zip(found.blocks, old.blocks, strict=True)]
    if all(a.identity() == b.identity() for a, b in zip(blocks, old.blocks, strict=True)):
        return message(found.role, blocks, found.origin)
    return found


def _keep_tool_order(request: Request, previous: Request) -> Request:
    if request.tools is None or previous.tools is None:
        return request
    if request.tools == previous.tools or set(request.tools) != set(previous.tools):
        return request
    return dataclasses.replace(request, tools=previous.tools)


def _append_only(request: Request, recorded: Request, written: Request) -> Request:
    """The previous request's rewritten history with this request's new messages after it.
    New messages are those after the recorded previous request's last message; when this
    request no longer has that message (a compaction), those it did not have."""
    # Requests the checker would not compare (another agent's prompt, history kept by the
    # provider) are left as they are.
    step = Step(SessionState(request.session), recorded, request, Settings())
    if not step.comparable or not recorded.messages:
        return request
    old, new = recorded.messages, request.messages
    kept = written.messages
    if step.history is None:
        if new[len(old) - 1].key == old[-1].key:
            added = new[len(old) :]
        else:
            # Blocks appended to the newest message: it is replaced by its longer self.
            kept, added = kept[:-1], new[len(old) - 1 :]
    else:
        last = old[-1].key
        anchor = next((i for i in range(len(new) - 1, -1, -1) if new[i].key == last), None)
        if anchor is not None:
            added = new[anchor + 1 :]
        else:
            seen = Counter(found.key for found in old)
            fresh = []
            for found in new:
                if seen[found.key]:
                    seen[found.key] -= 1
                else:
                    fresh.append(found)
            added = tuple(fresh)
    messages = kept + tuple(added)
    if messages == request.messages:
        return request
    return dataclasses.replace(request, messages=messages, compacted=False)
