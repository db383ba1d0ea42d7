"""What changed between a request and the one before it in its session: computed once per
request, on first use, and shared by every trace rule."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ctxlint.diagnostics import Diagnostic, Location, RelatedLocation
from ctxlint.redact import evidence
from ctxlint.trace.model import TOOL_CALL, TOOL_RESULT, Block, Message, Request
from ctxlint.trace.per_turn import PromptEdit, prompt_edits
from ctxlint.trace.reading import decode_json_text
from ctxlint.trace.volatile import VolatileChange, volatile_change

if TYPE_CHECKING:
    from ctxlint.config import Settings
    from ctxlint.rule import Rule

# How far into a text evidence quotes.
_SNIPPET = 60


@dataclass(slots=True)
class SessionState:
    """What the checker keeps of a session while reading on: the newest request per model,
    and whatever each rule chooses to remember (keyed by rule code)."""

    name: str
    requests: int = 0
    latest: dict[str | None, Request] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HistoryChange:
    """How a request's messages fail to extend the previous request's."""

    kind: str  # edited, dropped, reordered, truncated or compacted
    # Position of the first message that differs, in both requests.
    position: int
    before: Message | None
    after: Message | None
    # Messages of the previous request that the new one no longer has.
    lost: tuple[Message, ...]
    # When the first difference is an edit that only changed volatile spans.
    volatile: VolatileChange | None = None
    # When it is the same JSON serialised differently (key order, spacing).
    reserialised: bool = False


@dataclass(frozen=True, slots=True)
class ToolChange:
    """How one tool's definition differs between two requests."""

    name: str
    # The same JSON serialised differently (key order, spacing).
    reserialised: bool
    # Or different only in volatile spans.
    volatile: VolatileChange | None


class Step:
    """One request beside the previous request of the same model in its session."""

    def __init__(
        self, session: SessionState, previous: Request | None, current: Request, settings: Settings
    ) -> None:
        self.session = session
        self.previous = previous
        self.current = current
        self.settings = settings

    def diagnostic(
        self,
        rule: Rule | type[Rule],
        message: str,
        pointer: str = "",
        help: str | None = None,
        related: tuple[RelatedLocation, ...] = (),
        offset: int | None = None,
    ) -> Diagnostic:
        """A finding on the current request; `pointer` is where in its JSON (and `offset` the
        character in the text there), `related` usually `self.previous_location(...)`."""
        origin = self.current.origin
        location = Location(origin.line, 1)
        return Diagnostic(
            rule.code,
            rule.name,
            message,
            self.current.path,
            location,
            location,
            session=self.current.session,
            pointer=pointer or origin.pointer,
            related=related,
            help=help,
            offset=offset,
        )

    def previous_location(self, message: str, pointer: str = "") -> tuple[RelatedLocation, ...]:
        """The previous request as a related location ("the previous request"), or nothing
        when there is none."""
        if self.previous is None:
            return ()
        origin = self.previous.origin
        location = Location(origin.line, 1)
        return (
            RelatedLocation(
                self.previous.path, location, location, message, pointer or origin.pointer
            ),
        )

    @cached_property
    def comparable(self) -> bool:
        """Both requests hold their whole history and the same instructions, so a difference
        in messages is a change to the history, not a different kind of request."""
        previous, current = self.previous, self.current
        if previous is None or not (previous.history_complete and current.history_complete):
            return False
        return not self.system_changed or self.system_volatile is not None

    @cached_property
    def system_changed(self) -> bool:
        before = self.previous.system_text() if self.previous else None
        after = self.current.system_text()
        return before is not None and after is not None and before != after

    @cached_property
    def system_volatile(self) -> VolatileChange | None:
        if not self.system_changed or self.previous is None:
            return None
        return volatile_change(self.previous.system_text() or "", self.current.system_text() or "")

    @cached_property
    def tools_known(self) -> bool:
        return (
            self.previous is not None
            and self.previous.tools is not None
            and self.current.tools is not None
        )

    @cached_property
    def tool_changes(self) -> tuple[ToolChange, ...]:
        """The tools both requests send, where their definitions differ."""
        if not self.tools_known or self.previous is None:
            return ()
        before = {tool.name: tool.definition for tool in self.previous.tools or ()}
        changes = []
        for tool in self.current.tools or ():
            old = before.get(tool.name)
            if old is None or old == tool.definition:
                continue
            reserialised = same_json(old, tool.definition)
            volatile = None if reserialised else volatile_change(old, tool.definition)
            changes.append(ToolChange(tool.name, reserialised, volatile))
        return tuple(changes)

    @cached_property
    def prompt_edits(self) -> tuple[PromptEdit, ...]:
        """The system prompt and tool descriptions rewritten in part other than in a volatile
        value (per-turn content, CTX011's): once per request, as it is remembered per session."""
        return prompt_edits(self)

    @cached_property
    def history(self) -> HistoryChange | None:
        """None when the new messages extend the old ones (or the two cannot be compared)."""
        if not self.comparable or self.previous is None:
            return None
        old, new = self.previous.messages, self.current.messages
        same = 0
        limit = min(len(old), len(new))
        while same < limit and old[same].key == new[same].key:
            same += 1
        if same == len(old):
            return None
        if same == len(old) - 1 and same < len(new) and _extends(old[same], new[same]):
            return None
        new_keys = {found.key for found in new}
        lost = tuple(found for found in old[same:] if found.key not in new_keys)
        before = old[same]
        after = new[same] if same < len(new) else None
        volatile = None
        if self.current.compacted:
            kind = "compacted"
        elif after is None:
            kind = "truncated"
        elif before.key in new_keys:
            kind = "reordered"
        elif after.key in {found.key for found in old[same:]}:
            kind = "dropped"
        else:
            kind = "edited"
            if before.role == after.role:
                if _same_json_blocks(before, after):
                    return HistoryChange(kind, same, before, after, lost, reserialised=True)
                volatile = volatile_change(before.text(), after.text())
        return HistoryChange(kind, same, before, after, lost, volatile)

    @cached_property
    def new_messages(self) -> tuple[Message, ...]:
        """The messages this request added to the previous one's (all of them when the history
        was not simply extended)."""
        if self.previous is None or self.history is not None or not self.comparable:
            return self.current.messages
        return self.current.messages[len(self.previous.messages) :]


def _extends(old: Message, new: Message) -> bool:
    """Blocks appended to the newest message keep the prefix: the tokens before them stand."""
    if old.role != new.role or len(new.blocks) < len(old.blocks):
        return False
    return all(a.identity() == b.identity() for a, b in zip(old.blocks, new.blocks, strict=False))


def same_json(before: str, after: str) -> bool:
    """Two different texts that hold the same JSON value: serialised differently."""
    if before == after or not before.lstrip().startswith(("{", "[")):
        return False
    old, new = decode_json_text(before), decode_json_text(after)
    return old is not None and old == new


def _same_json_blocks(old: Message, new: Message) -> bool:
    if len(old.blocks) != len(new.blocks):
        return False
    differs = False
    for a, b in zip(old.blocks, new.blocks, strict=False):
        if a.identity() == b.identity():
            continue
        if (a.kind, a.name, a.call_id, a.is_error) != (b.kind, b.name, b.call_id, b.is_error):
            return False
        if not (same_json(a.arguments, b.arguments) or same_json(a.text, b.text)):
            return False
        differs = True
    return differs


def snippet(text: str, limit: int = _SNIPPET) -> str:
    """Trace text as a finding quotes it: see ctxlint.redact.evidence."""
    return evidence(text, limit)


def describe(found: Message | None) -> str:
    if found is None:
        return "nothing"
    kinds = {block.kind for block in found.blocks}
    if TOOL_RESULT in kinds:
        what = "tool result"
    elif TOOL_CALL in kinds:
        names = snippet(", ".join(b.name for b in found.blocks if b.kind == TOOL_CALL))
        what = f"tool call `{names}`"
    else:
        what = "message"
    text = snippet(found.text())
    return f"{found.role} {what}" + (f' "{text}"' if text else "")


def error_results(messages: tuple[Message, ...]) -> dict[str, Block]:
    """Tool results marked as errors, by call id (or content when there is no id)."""
    return {
        (block.call_id or block.text): block
        for found in messages
        for block in found.blocks
        if block.kind == TOOL_RESULT and block.is_error
    }


_MARKUP_TAG = re.compile(r"</?([A-Za-z_][\w\-]*)>")


def action_observation_pairs(
    messages: tuple[Message, ...],
) -> list[tuple[int, tuple[str, tuple[str, ...], tuple[str, ...]]]]:
    """(position of the call, its template) for each message that makes exactly one tool call
    and is followed by that call's result. The template is the tool, the argument keys and the
    shape the result is serialised in (its markup tags or JSON keys)."""
    pairs = []
    for position in range(len(messages) - 1):
        calls = [b for b in messages[position].blocks if b.kind == TOOL_CALL]
        if len(calls) != 1:
            continue
        call = calls[0]
        results = [
            b
            for b in messages[position + 1].blocks
            if b.kind == TOOL_RESULT and (b.call_id == call.call_id or not call.call_id)
        ]
        if not results:
            continue
        arguments = decode_json_text(call.arguments)
        keys = tuple(arguments) if isinstance(arguments, dict) else ()
        pairs.append((position, (call.name, keys, _result_shape(results[0].text))))
    return pairs


def _result_shape(text: str) -> tuple[str, ...]:
    tags = tuple(_MARKUP_TAG.findall(text[:2000])[:8])
    if tags:
        return tags
    if text.startswith("{"):
        value = decode_json_text(text)
        if isinstance(value, dict):
            return tuple(value)
    return ("text",)
