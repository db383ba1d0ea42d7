"""Claude Code session transcripts (`~/.claude/projects/<cwd>/<session>.jsonl`).

A transcript is a tree of lines linked by `parentUuid`, not a list of requests:
- one API request is written as several assistant lines (one per content block) sharing a
  `requestId` (or, in lines without one, a message id) and repeating the same `usage`: they
  are merged into one response;
- a request's history is the chain of its parents, so branches (a rewound conversation) and
  sub-agents (`isSidechain`, or their own files) each see their own history;
- a `compact_boundary` line has no parent: the history restarts there (compaction);
- progress, hook, snapshot and bookkeeping lines, and `toolUseResult` fields, were never sent
  to the model: the walk passes through them without taking them into the history, as
  through lines of a type it does not know; one of those that holds a message may have been
  sent, so the requests whose history runs through it are not checked.
The transcript records neither the system prompt nor the tool definitions: both are unknown.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import LineFormat
from ctxlint.trace.formats.common import (
    anthropic_blocks,
    anthropic_usage,
    parse_time,
    with_diagnosis,
)
from ctxlint.trace.model import Block, Message, Origin, Request, message
from ctxlint.trace.reading import Line, Problem
from ctxlint.trace.typed import TypeFault

NAME = "claude-code"
# The lines written without a uuid: no other line links to them.
_UNLINKED_TYPES = frozenset({"summary", "file-history-snapshot", "queue-operation"})
_RECORD_TYPES = _UNLINKED_TYPES | {"user", "assistant", "system", "progress", "attachment"}
# The model Claude Code names in the assistant lines it writes itself (errors, refusals).
_SYNTHETIC_MODEL = "<synthetic>"


def _accepts(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    kind = value.get("type")
    if not isinstance(kind, str):
        return False
    if kind in _UNLINKED_TYPES:
        return True
    # Newer versions of Claude Code add types of line all the time: one linked into the
    # transcript is read (and passed through), so that the histories through it stay whole.
    return "uuid" in value and "sessionId" in value


def _response_key(value: dict[str, Any], content: dict[str, Any]) -> str | None:
    """What the lines of one API response share: its `requestId`; where the line has none
    (older versions, Bedrock's `msg_bdrk_…` responses, gateways), its message id. None for a
    line no model wrote: Claude Code's synthetic messages (API errors, "No response
    requested.") carry a model of `<synthetic>` and no request."""
    request_id = typed.text(value, "requestId", "")
    if request_id is not None:
        return request_id
    synthetic = typed.text(content, "model", "/message") == _SYNTHETIC_MODEL
    if synthetic or typed.flag(value, "isApiErrorMessage", ""):
        return None
    message_id = typed.text(content, "id", "/message")
    # Prefixed, so that a message id never joins the lines of a request id.
    return None if not message_id else "message:" + message_id


@dataclass(slots=True)
class _Node:
    line: int
    parent: str | None
    kind: str
    timestamp: str | None
    # What was sent, for user and assistant lines; None for lines the model never saw.
    role: str | None = None
    blocks: tuple[Block, ...] = ()
    request_id: str | None = None
    compact_boundary: bool = False
    # The line could not be read: what it held is unknown, so is any history through it.
    broken: bool = False


# Histories kept for the walk back to stop at: sub-agents and branches interleave a few.
_KNOWN_HISTORIES = 16

# A line's history: its messages, compact boundary, last message's lines, time sent.
_History = tuple[tuple[Message, ...], str | None, tuple[Any, ...], str | None]


@dataclass(slots=True)
class _Request:
    request_id: str
    session: str
    first: str
    last: str
    lines: list[str] = field(default_factory=list)
    usage: Any = None
    usage_line: int = 0
    # The API's cache diagnostics, where the line records the response's `diagnostics`.
    diagnostics: Any = None
    model: str | None = None
    # The first of its lines that could not be read, if any.
    broken_line: int | None = None


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.nodes: dict[str, _Node] = {}
        self.requests: dict[str, _Request] = {}
        # Every request's history repeats the ones before it: each message is built once,
        # keyed by the first and last line it is made of.
        self.built: dict[tuple[int, int], Message] = {}
        # The histories of the latest requests' starting lines, with the lines of their last
        # message: the next request's history is one of them and what came after it.
        self.histories: OrderedDict[str, _History] = OrderedDict()
        # The first line whose own uuid could not be read: a parent missing from the file may
        # be that line, so a history that stops at one is not known to be whole.
        self.lost_line: int | None = None

    def feed(self, line: Line) -> Iterable[Request | Problem]:
        value = line.value
        uuid = value.get("uuid")
        if uuid is None and value["type"] in _UNLINKED_TYPES:
            return ()
        parent = value.get("parentUuid")
        # Every line of a transcript passes here: its link is checked inline, and the typed
        # reading, which words the fault, is left to the lines that have one.
        if type(uuid) is not str or not (parent is None or type(parent) is str):
            return self._unlinked(line)
        if value["type"] not in _RECORD_TYPES and "message" in value:
            # A kind of line not known to be left out of what the model is sent.
            self._broken(line, uuid, parent)
            reason = (
                f"a line of type {value['type']!r}, which ctxlint does not read, holds a "
                "message: the requests whose history runs through it are not checked"
            )
            return [Problem(line.number, reason)]
        try:
            node = self._node(line.number, value, uuid, parent)
        except TypeFault as fault:
            self._broken(line, uuid, parent)
            return [Problem(line.number, fault.reason)]
        self.nodes[uuid] = node
        return ()

    def _unlinked(self, line: Line) -> list[Problem]:
        """A line whose uuid or parent is not text: the histories through it are broken."""
        try:
            uuid = typed.required_text(line.value, "uuid", "")
        except TypeFault as fault:
            self.lost_line = self.lost_line or line.number
            return [Problem(line.number, fault.reason)]
        try:
            typed.text(line.value, "parentUuid", "")
        except TypeFault as fault:
            self._broken(line, uuid, None)
            return [Problem(line.number, fault.reason)]
        return []

    def _broken(self, line: Line, uuid: str, parent: str | None) -> None:
        self.nodes[uuid] = _Node(line.number, parent, "", None, broken=True)
        request_id = line.value.get("requestId")
        if request_id is None:
            content = line.value.get("message")
            message_id = content.get("id") if isinstance(content, dict) else None
            request_id = "message:" + message_id if isinstance(message_id, str) else None
        if isinstance(request_id, str) and request_id in self.requests:
            found = self.requests[request_id]
            found.broken_line = found.broken_line or line.number

    def _node(self, number: int, value: dict[str, Any], uuid: str, parent: str | None) -> _Node:
        # The type is text: the format accepts no line without it.
        kind = value["type"]
        timestamp = value.get("timestamp")
        if timestamp is not None and type(timestamp) not in typed.TIME_KINDS:
            raise typed.wrong_type(timestamp, "/timestamp", "string or number")
        node = _Node(number, parent, kind, timestamp)
        if kind not in ("user", "assistant"):
            # Only what was sent is read further (most lines are progress and bookkeeping).
            if kind == "system":
                subtype = typed.text(value, "subtype", "")
                node.compact_boundary = subtype == "compact_boundary"
            return node
        # The summary that continues a compacted conversation is marked transcript-only, yet it
        # is what the model reads next.
        if typed.flag(value, "isVisibleInTranscriptOnly", "") and not typed.flag(
            value, "isCompactSummary", ""
        ):
            return node
        content = typed.mapping(value, "message", "")
        if content is None:
            return node
        node.role = typed.text(content, "role", "/message") or kind
        node.blocks = tuple(anthropic_blocks(content.get("content"), "/message/content"))
        if kind == "assistant":
            request_id = _response_key(value, content)
            if request_id is None:
                # Synthetic lines (API errors, interruptions) were never a model response.
                node.role = None
            else:
                node.request_id = request_id
                self._note_request(value, uuid, request_id, content, number)
        return node

    def _note_request(
        self, value: dict[str, Any], uuid: str, request_id: str, content: dict[str, Any], line: int
    ) -> None:
        model = typed.text(content, "model", "/message")
        found = self.requests.get(request_id)
        if found is None:
            session = typed.identifier(value, "sessionId", "") or "session"
            if typed.flag(value, "isSidechain", ""):
                session += "/agent-" + (typed.identifier(value, "agentId", "") or "sidechain")
            found = self.requests[request_id] = _Request(request_id, session, uuid, uuid)
        found.last = uuid
        found.lines.append(uuid)
        # Every line repeats the usage; the last carries the final output count. Only that one
        # is read, in `finish`.
        if "usage" in content:
            found.usage, found.usage_line = content["usage"], line
        if content.get("diagnostics") is not None:
            found.diagnostics = content["diagnostics"]
        found.model = model or found.model

    def passed_over(self, number: int) -> None:
        # It may be a line others link to: a history that stops at a parent missing from the
        # file after it is not known to be whole (see _history).
        self.lost_line = min(number, self.lost_line or number)

    def finish(self) -> Iterator[Request | Problem]:
        previous_boundary: dict[str, str | None] = {}
        for pending in self.requests.values():
            first = self.nodes[pending.first]
            if first.request_id != pending.request_id:
                # A later line of the same uuid took its place: the request is not known.
                continue
            damaged = pending.broken_line or next(
                (self.nodes[uuid].line for uuid in pending.lines if self.nodes[uuid].broken),
                None,
            )
            try:
                usage = anthropic_usage(pending.usage, "/message/usage")
                usage = with_diagnosis(usage, {"diagnostics": pending.diagnostics}, "/message")
            except TypeFault as fault:
                yield Problem(pending.usage_line, fault.reason)
                continue
            history = None if damaged else self._history(first.parent, first.line)
            if history is None or isinstance(history, int):
                reason = (
                    f"request not checked: line {damaged or history}, which it was read from, "
                    "could not be read"
                )
                yield Problem(first.line, reason)
                continue
            messages, boundary, sent_at = history
            last = self.nodes[pending.last]
            response_blocks = [b for uuid in pending.lines for b in self.nodes[uuid].blocks]
            # A new boundary between two requests of the session: it was compacted between them.
            compacted = (
                pending.session in previous_boundary
                and previous_boundary[pending.session] != boundary
            )
            previous_boundary[pending.session] = boundary
            yield Request(
                path=self.path,
                origin=Origin(first.line, ""),
                session=pending.session,
                format=NAME,
                messages=messages,
                timestamp=parse_time(sent_at or first.timestamp),
                finished=parse_time(last.timestamp),
                provider="anthropic",
                model=pending.model,
                response=message("assistant", response_blocks, Origin(first.line, "/message")),
                usage=usage,
                compacted=compacted,
            )

    def _history(
        self, start: str | None, line: int
    ) -> tuple[tuple[Message, ...], str | None, str | None] | int:
        """The messages sent before a request (oldest first), the compact boundary the history
        starts at if any, and the time of the newest line in it (when the request was made).
        The walk back stops at a line whose history is known: the previous request's.
        When the walk meets a line that could not be read, that line's number instead; and
        when it ends at a parent missing from the file while a line whose uuid was lost came
        before (a parent is written before its children), that line's."""
        sent_at: str | None = None
        tail: list[_Node] = []
        boundary: str | None = None
        known = None
        seen: set[str] = set()
        uuid = start
        while uuid is not None and uuid not in seen:
            node = self.nodes.get(uuid)
            if node is None:
                if self.lost_line is not None and self.lost_line < line:
                    return self.lost_line
                break
            known = self.histories.get(uuid)
            if known is not None:
                break
            if node.broken:
                return node.line
            seen.add(uuid)
            line = node.line
            if sent_at is None:
                sent_at = node.timestamp
            if node.compact_boundary:
                boundary = uuid
                break
            if node.role is not None:
                tail.append(node)
            uuid = node.parent
        tail.reverse()
        run: list[_Node] = []
        messages: list[Message] = []
        if known is not None:
            messages, boundary, run = list(known[0]), known[1], list(known[2])
            sent_at = sent_at or known[3]
            # The last message may go on: a response's lines are one assistant message.
            if run:
                messages.pop()
        for node in tail:
            if run and (node.request_id is None or node.request_id != run[0].request_id):
                messages.append(self._message(run))
                run = []
            run.append(node)
        if run:
            messages.append(self._message(run))
        history = tuple(messages)
        if start is not None:
            self.histories[start] = (history, boundary, tuple(run), sent_at)
            if len(self.histories) > _KNOWN_HISTORIES:
                self.histories.popitem(last=False)
        return history, boundary, sent_at

    def _message(self, run: list[_Node]) -> Message:
        key = (run[0].line, run[-1].line)
        found = self.built.get(key)
        if found is None:
            blocks = [block for part in run for block in part.blocks]
            origin = Origin(run[0].line, "/message")
            found = self.built[key] = message(run[0].role or "user", blocks, origin)
        return found


FORMAT = LineFormat(
    NAME,
    "Claude Code session transcripts (~/.claude/projects/<project>/<session>.jsonl)",
    _accepts,
    _Reader,
)
