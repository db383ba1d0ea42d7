"""pi coding agent sessions (`~/.pi/agent/sessions/<cwd>/<time>_<id>.jsonl`): a `session`
header, then entries linked into a tree by `parentId`. Each assistant `message` entry is one
provider call; what was sent is the path from the root to its parent, as pi's
`buildSessionContext` builds it: a `compaction` on the path starts the history anew with its
summary (then the kept entries from `firstKeptEntryId`), branch summaries and custom messages
are user messages, and assistant messages that ended in an error are not sent again.

Usage: pi's `input` leaves out what was read from or written to the cache (pi subtracts the
cached part for OpenAI and Gemini CLI), except its `google-generative-ai` and `google-vertex`
clients, which keep Gemini's `promptTokenCount` whole (pi-mono packages/ai/src/providers, read
2026-03-15). pi records no system prompt and no tool definitions: unknown."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import LineFormat
from ctxlint.trace.formats.common import (
    child,
    media_hash,
    parse_time,
    provider_of_model,
    whole_prompt,
)
from ctxlint.trace.model import (
    MEDIA,
    OTHER,
    TEXT,
    THINKING,
    TOOL_CALL,
    TOOL_RESULT,
    Block,
    Message,
    Origin,
    Request,
    Usage,
    message,
)
from ctxlint.trace.reading import Line, Problem

NAME = "pi"
_ENTRY_TYPES = frozenset(
    {
        "message",
        "model_change",
        "thinking_level_change",
        "compaction",
        "branch_summary",
        "custom",
        "custom_message",
        "label",
        "session_info",
    }
)
# Clients whose `input` is the whole prompt, cached part included.
_WHOLE_INPUT_APIS = frozenset({"google-generative-ai", "google-vertex"})
# pi's wording (packages/coding-agent/src/core/messages.ts): sent as the user's text.
_COMPACTION_PREFIX = (
    "The conversation history before this point was compacted into the following summary:"
    "\n\n<summary>\n"
)
_COMPACTION_SUFFIX = "\n</summary>"
_BRANCH_PREFIX = (
    "The following is a summary of a branch that this conversation came back from:\n\n<summary>\n"
)
_BRANCH_SUFFIX = "</summary>"
_NO_RESULT = "No result provided"
# What tells an entry of a version 1 session (no `id`, no `parentId`) from other JSON.
_VERSION_1_FIELDS = {
    "message": "message",
    "compaction": "firstKeptEntryIndex",
    "model_change": "modelId",
    "thinking_level_change": "thinkingLevel",
}


def _accepts(value: Any) -> bool:
    if type(value) is not dict:
        return False
    kind = value.get("type")
    if kind == "session":
        return "cwd" in value and "id" in value and "timestamp" in value
    if type(kind) is not str or kind not in _ENTRY_TYPES:
        return False
    if "parentId" in value and "id" in value:
        return True
    # Version 1 entries carry no ids: each follows the line before it.
    marks = _VERSION_1_FIELDS.get(kind)
    return marks is not None and "timestamp" in value and marks in value


@dataclass(slots=True)
class _Entry:
    key: str
    line: int
    kind: str
    parent: str | None
    # What the entry sends, once converted; None for entries that send nothing.
    sent: Message | None = None
    # An assistant message that failed is shown to the user but never sent again.
    failed: bool = False
    # Tool calls an assistant message made, by id and name (a missing result is filled in).
    calls: tuple[tuple[str, str], ...] = ()
    result_of: str | None = None
    first_kept: str | None = None
    thinking_level: str | None = None


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.session = ""
        self.entries: dict[str, _Entry] = {}
        self.lost_line: int | None = None
        # The compaction the previous request's history started at.
        self.boundary: str | None = None
        # The entries the previous request's history ran through, and the branch it was on:
        # going back in the tree (`/tree`, `/fork`) is the user starting another branch, not
        # the agent editing its history, so each branch is a session of its own.
        self.previous_path: set[str] = set()
        self.branch: str | None = None
        # Version 1: the entry each entry follows, and every line's entry by its position.
        self.previous: str | None = None
        self.order: list[str] = []

    def feed(self, line: Line) -> list[Request | Problem]:
        value = line.value
        kind = value["type"]
        if kind == "session":
            self.order.append("")
            self.session = typed.identifier(value, "id", "", "") or self.session
            return []
        if "id" in value or "parentId" in value:
            entry_id = typed.identifier(value, "id", "")
            if entry_id is None:
                raise typed.wrong_type(None, "/id", "string")
            parent = typed.identifier(value, "parentId", "")
        else:
            entry_id, parent = f"line-{line.number}", self.previous
        entry = _Entry(entry_id, line.number, kind, parent)
        request_value: dict[str, Any] | None = None
        if kind == "message":
            found = typed.mapping(value, "message", "")
            if found is None:
                raise typed.wrong_type(None, "/message", "object")
            self._message(entry, found)
            if found.get("role") == "assistant":
                request_value = found
        elif kind == "compaction":
            summary = typed.text(value, "summary", "", "")
            entry.first_kept = typed.identifier(value, "firstKeptEntryId", "")
            index = value.get("firstKeptEntryIndex")
            if entry.first_kept is None and type(index) is int and 0 <= index < len(self.order):
                entry.first_kept = self.order[index]
            entry.sent = _user_text(_COMPACTION_PREFIX + summary + _COMPACTION_SUFFIX, line.number)
        elif kind == "branch_summary":
            summary = typed.text(value, "summary", "", "")
            if summary:
                entry.sent = _user_text(_BRANCH_PREFIX + summary + _BRANCH_SUFFIX, line.number)
        elif kind == "custom_message":
            blocks = _content(value.get("content"), "/content")
            entry.sent = message("user", blocks, Origin(line.number, "/content"))
        elif kind == "thinking_level_change":
            entry.thinking_level = typed.text(value, "thinkingLevel", "")
        self.entries[entry_id] = entry
        self.previous = entry_id
        self.order.append(entry_id)
        if request_value is None:
            return []
        return [self._request(entry, value, request_value)]

    def _message(self, entry: _Entry, found: dict[str, Any]) -> None:
        at = "/message"
        role = typed.text(found, "role", at, "")
        origin = Origin(entry.line, at)
        content_at = child(at, "content")
        if role == "assistant":
            blocks = _content(found.get("content"), content_at)
            entry.calls = tuple((b.call_id, b.name) for b in blocks if b.kind == TOOL_CALL)
            stop = typed.text(found, "stopReason", at)
            entry.failed = stop in ("error", "aborted")
            entry.sent = message("assistant", blocks, origin)
        elif role == "toolResult":
            call_id = typed.identifier(found, "toolCallId", at, "")
            parts = _content(found.get("content"), content_at)
            text = "\n".join(b.text for b in parts if b.kind == TEXT)
            result = Block(TOOL_RESULT, text=text, call_id=call_id, is_error=_error(found, at))
            entry.result_of = call_id
            entry.sent = message("tool", [result, *(b for b in parts if b.kind != TEXT)], origin)
        elif role == "bashExecution":
            if not typed.flag(found, "excludeFromContext", at):
                entry.sent = _user_text(_bash_text(found, at), entry.line, at)
        elif role in ("user", "custom"):
            entry.sent = message("user", _content(found.get("content"), content_at), origin)
        elif role in ("branchSummary", "compactionSummary"):
            summary = typed.text(found, "summary", at, "")
            prefix, suffix = (
                (_BRANCH_PREFIX, _BRANCH_SUFFIX)
                if role == "branchSummary"
                else (_COMPACTION_PREFIX, _COMPACTION_SUFFIX)
            )
            entry.sent = _user_text(prefix + summary + suffix, entry.line, at)

    def _request(
        self, entry: _Entry, value: dict[str, Any], found: dict[str, Any]
    ) -> Request | Problem:
        at = "/message"
        path = self._path(entry.parent)
        if isinstance(path, int):
            reason = f"request not checked: line {path}, which its history needs, could not be read"
            return Problem(entry.line, reason)
        history, boundary, level = _history(path)
        keys = {step.key for step in path}
        if self.previous_path and not self.previous_path <= keys:
            # The branch is named by the first entry this history does not share.
            self.branch = next(
                (step.key for step in path if step.key not in self.previous_path), entry.key
            )
        self.previous_path = keys | {entry.key}
        # A history that starts at another compaction than the previous request's.
        compacted = boundary is not None and boundary != self.boundary
        self.boundary = boundary
        model = typed.text(found, "model", at) or None
        provider = typed.text(found, "provider", at) or provider_of_model(model)
        api = typed.text(found, "api", at)
        usage = _usage(found.get("usage"), child(at, "usage"), api)
        if api == "anthropic-messages" and history:
            history = _with_breakpoint(history)
        return Request(
            path=self.path,
            origin=Origin(entry.line, ""),
            session=f"{self.session}/branch-{self.branch}" if self.branch else self.session,
            format=NAME,
            messages=history,
            timestamp=parse_time(typed.one_of(found, "timestamp", at, typed.TIME_KINDS)),
            finished=parse_time(typed.one_of(value, "timestamp", "", typed.TIME_KINDS)),
            provider=provider,
            model=model,
            params={"thinking_level": level} if level else {},
            response=entry.sent,
            usage=None if entry.failed and _empty(usage) else usage,
            compacted=compacted,
        )

    def _path(self, start: str | None) -> list[_Entry] | int:
        """The entries from the root to `start`, oldest first; or the line that could not be
        read when the walk meets a parent missing from the file after a line was lost."""
        path: list[_Entry] = []
        seen: set[str] = set()
        current = start
        while current is not None:
            found = self.entries.get(current)
            if found is None or current in seen:
                if self.lost_line is not None:
                    return self.lost_line
                break
            seen.add(current)
            path.append(found)
            current = found.parent
        path.reverse()
        return path

    def passed_over(self, number: int) -> None:
        # It may be an entry others link to: a walk that meets a parent missing after it
        # cannot tell the history whole.
        self.lost_line = min(number, self.lost_line or number)
        # In a version 1 session the next entry follows this one, which is not known.
        self.order.append(f"line-{number}")
        self.previous = self.order[-1]

    def finish(self) -> Iterator[Request | Problem]:
        return iter(())


def _history(path: list[_Entry]) -> tuple[tuple[Message, ...], str | None, str | None]:
    """The messages sent, the compaction they start at, and the thinking level then."""
    level = None
    compaction_at = None
    for position, entry in enumerate(path):
        if entry.thinking_level is not None:
            level = entry.thinking_level
        if entry.kind == "compaction":
            compaction_at = position
    if compaction_at is None:
        chosen = path
        boundary = None
    else:
        compaction = path[compaction_at]
        boundary = compaction.key
        kept_from = next(
            (i for i, e in enumerate(path[:compaction_at]) if e.key == compaction.first_kept),
            compaction_at,
        )
        chosen = [compaction, *path[kept_from:compaction_at], *path[compaction_at + 1 :]]
    return _sent(chosen), boundary, level


def _sent(entries: list[_Entry]) -> tuple[Message, ...]:
    """The messages as pi's transformMessages sends them: failed assistant messages left out,
    and a tool call left without a result given pi's stand-in error result."""
    messages: list[Message] = []
    pending: dict[str, str] = {}
    for entry in entries:
        if entry.sent is None:
            continue
        role = entry.sent.role
        if role == "assistant" or role == "user":
            messages.extend(_missing_results(pending))
            pending = {}
        if role == "assistant":
            if entry.failed:
                continue
            pending = dict(entry.calls)
        elif role == "tool" and entry.result_of is not None:
            pending.pop(entry.result_of, None)
        messages.append(entry.sent)
    return tuple(messages)


def _with_breakpoint(history: tuple[Message, ...]) -> tuple[Message, ...]:
    """pi's Anthropic client marks the system prompt (unrecorded) and the last block of the
    newest message as breakpoints (packages/ai/src/providers/anthropic.ts, `cacheRetention`
    "short" unless set otherwise)."""
    last = history[-1]
    if last.role == "assistant" or not last.blocks or last.blocks[-1].kind == THINKING:
        return history
    blocks = [*last.blocks[:-1], dataclasses.replace(last.blocks[-1], cache_ttl="5m")]
    return (*history[:-1], message(last.role, blocks, last.origin))


def _missing_results(pending: dict[str, str]) -> list[Message]:
    return [
        message("tool", [Block(TOOL_RESULT, text=_NO_RESULT, call_id=call, is_error=True)], None)
        for call in pending
    ]


def _user_text(text: str, line: int, at: str = "") -> Message:
    return message("user", [Block(TEXT, text=text)], Origin(line, at))


def _bash_text(found: dict[str, Any], at: str) -> str:
    command = typed.text(found, "command", at, "")
    output = typed.text(found, "output", at, "")
    text = f"Ran `{command}`\n" + (f"```\n{output}\n```" if output else "(no output)")
    code = found.get("exitCode")
    if typed.flag(found, "cancelled", at):
        text += "\n\n(command cancelled)"
    elif type(code) is int and code != 0:
        text += f"\n\nCommand exited with code {code}"
    full = typed.text(found, "fullOutputPath", at)
    if typed.flag(found, "truncated", at) and full:
        text += f"\n\n[Output truncated. Full output: {full}]"
    return text


def _error(found: dict[str, Any], at: str) -> bool:
    return typed.flag(found, "isError", at)


def _content(content: Any, at: str) -> list[Block]:
    """pi's content: a string, or text, image, thinking and toolCall parts."""
    if content is None:
        return []
    if type(content) is str:
        return [Block(TEXT, text=content)] if content else []
    if type(content) is not list:
        raise typed.wrong_type(content, at, "string or array")
    blocks: list[Block] = []
    for position, part in typed.objects(content, at):
        here = child(at, position)
        kind = typed.text(part, "type", here, "")
        if kind == "text":
            blocks.append(Block(TEXT, text=typed.text(part, "text", here, "")))
        elif kind == "thinking":
            # What is sent back is the signed thinking (or, redacted, the signature alone).
            thought = typed.text(part, "thinking", here, "")
            signature = typed.text(part, "thinkingSignature", here, "")
            blocks.append(Block(THINKING, text=thought or signature))
        elif kind == "toolCall":
            arguments = typed.json_text(part.get("arguments", {}), child(here, "arguments"))
            blocks.append(
                Block(
                    TOOL_CALL,
                    name=typed.text(part, "name", here, ""),
                    call_id=typed.identifier(part, "id", here, ""),
                    arguments=arguments,
                )
            )
        elif kind == "image":
            data = part.get("data", part)
            blocks.append(Block(MEDIA, text=media_hash(data, child(here, "data"))))
        else:
            blocks.append(Block(OTHER, text=typed.json_text(part, here)))
    return blocks


def _usage(raw: Any, at: str, api: str | None) -> Usage | None:
    if raw is None:
        return None
    if type(raw) is not dict:
        raise typed.wrong_type(raw, at, "object")
    uncached = typed.tokens(raw, "input", at)
    read = typed.tokens(raw, "cacheRead", at)
    written = typed.tokens(raw, "cacheWrite", at)
    output = typed.tokens(raw, "output", at)
    prompt = uncached
    if uncached is not None and api not in _WHOLE_INPUT_APIS:
        prompt = whole_prompt(uncached, read, written, child(at, "input"))
    return Usage(prompt, read, written, output, typed.shallow(raw, at))


def _empty(usage: Usage | None) -> bool:
    return usage is None or not (usage.prompt_tokens or usage.output_tokens)


FORMAT = LineFormat(
    NAME, "pi coding agent sessions (~/.pi/agent/sessions/*.jsonl)", _accepts, _Reader
)
