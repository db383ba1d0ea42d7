"""Claude Code session transcripts (`~/.claude/projects/<cwd>/<session>.jsonl`).

A transcript is a tree of lines linked by `parentUuid`, not a list of requests:
- one API request is written as several assistant lines (one per content block) sharing a
  `requestId` and repeating the same `usage`: they are merged into one response;
- a request's history is the chain of its parents, so branches (a rewound conversation) and
  sub-agents (`isSidechain`, or their own files) each see their own history;
- a `compact_boundary` line has no parent: the history restarts there (compaction);
- progress, hook, snapshot and bookkeeping lines, and `toolUseResult` fields, were never sent
  to the model: the walk passes through them without taking them into the history.
The transcript records neither the system prompt nor the tool definitions: both are unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ctxlint.trace.formats import LineFormat
from ctxlint.trace.formats.common import anthropic_blocks, anthropic_usage, parse_time
from ctxlint.trace.model import Block, Message, Origin, Request, message
from ctxlint.trace.reading import Line, Problem

NAME = "claude-code"
_RECORD_TYPES = frozenset(
    {
        "user",
        "assistant",
        "system",
        "progress",
        "summary",
        "file-history-snapshot",
        "queue-operation",
        "attachment",
    }
)


def _accepts(value: Any) -> bool:
    if not isinstance(value, dict) or value.get("type") not in _RECORD_TYPES:
        return False
    if value.get("type") in ("file-history-snapshot", "summary", "queue-operation"):
        return True
    return "uuid" in value and "sessionId" in value


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


@dataclass(slots=True)
class _Request:
    request_id: str
    session: str
    first: str
    last: str
    lines: list[str] = field(default_factory=list)
    usage: Any = None
    model: str | None = None


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.nodes: dict[str, _Node] = {}
        self.requests: dict[str, _Request] = {}
        # Every request's history repeats the ones before it: each message is built once,
        # keyed by the first and last line it is made of.
        self.built: dict[tuple[int, int], Message] = {}

    def feed(self, line: Line) -> Iterable[Request | Problem]:
        value = line.value
        uuid = value.get("uuid")
        if not isinstance(uuid, str):
            return ()
        kind = str(value.get("type"))
        node = _Node(line.number, value.get("parentUuid"), kind, value.get("timestamp"))
        node.compact_boundary = kind == "system" and value.get("subtype") == "compact_boundary"
        # The summary that continues a compacted conversation is marked transcript-only, yet it
        # is what the model reads next.
        hidden = value.get("isVisibleInTranscriptOnly") and not value.get("isCompactSummary")
        sent = kind in ("user", "assistant") and not hidden
        content = value.get("message")
        if sent and isinstance(content, dict):
            node.role = str(content.get("role") or kind)
            node.blocks = tuple(anthropic_blocks(content.get("content")))
            if kind == "assistant":
                request_id = value.get("requestId")
                if not isinstance(request_id, str):
                    # Synthetic lines (API errors, interruptions) were never a model response.
                    node.role = None
                else:
                    node.request_id = request_id
                    self._note_request(value, uuid, request_id, content)
        self.nodes[uuid] = node
        return ()

    def _note_request(
        self, value: dict[str, Any], uuid: str, request_id: str, content: dict[str, Any]
    ) -> None:
        found = self.requests.get(request_id)
        if found is None:
            session = str(value.get("sessionId") or "session")
            if value.get("isSidechain"):
                session += "/agent-" + str(value.get("agentId") or "sidechain")
            found = self.requests[request_id] = _Request(request_id, session, uuid, uuid)
        found.last = uuid
        found.lines.append(uuid)
        # Every line repeats the usage; the last carries the final output count.
        found.usage = content.get("usage", found.usage)
        found.model = content.get("model") or found.model

    def finish(self) -> Iterator[Request | Problem]:
        previous_boundary: dict[str, str | None] = {}
        for pending in self.requests.values():
            first = self.nodes[pending.first]
            messages, boundary, sent_at = self._history(first.parent)
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
                usage=anthropic_usage(pending.usage),
                compacted=compacted,
            )

    def _history(self, start: str | None) -> tuple[tuple[Message, ...], str | None, str | None]:
        """The messages sent before a request (oldest first), the compact boundary the history
        starts at if any, and the time of the newest line in it (when the request was made)."""
        chain: list[_Node] = []
        boundary: str | None = None
        seen: set[str] = set()
        uuid = start
        sent_at: str | None = None
        while uuid is not None and uuid in self.nodes and uuid not in seen:
            seen.add(uuid)
            node = self.nodes[uuid]
            if sent_at is None:
                sent_at = node.timestamp
            if node.compact_boundary:
                boundary = uuid
                break
            if node.role is not None:
                chain.append(node)
            uuid = node.parent
        chain.reverse()
        messages: list[Message] = []
        position = 0
        while position < len(chain):
            node = chain[position]
            end = position + 1
            # The lines of one response are one assistant message.
            while (
                node.request_id is not None
                and end < len(chain)
                and chain[end].request_id == node.request_id
            ):
                end += 1
            key = (node.line, chain[end - 1].line)
            found = self.built.get(key)
            if found is None:
                blocks = [block for part in chain[position:end] for block in part.blocks]
                origin = Origin(node.line, "/message")
                found = self.built[key] = message(node.role or "user", blocks, origin)
            messages.append(found)
            position = end
        return tuple(messages), boundary, sent_at


FORMAT = LineFormat(
    NAME,
    "Claude Code session transcripts (~/.claude/projects/<project>/<session>.jsonl)",
    _accepts,
    _Reader,
)
