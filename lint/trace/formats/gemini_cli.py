"""Gemini CLI session files (`~/.gemini/tmp/<project>/chats/session-*.json`, and since April 2026
`session-*.jsonl`, google-gemini/gemini-cli#23749).

A session records messages, not requests: `user` messages (what was sent, after `@file`
expansion), and one `gemini` message per model call carrying its `tokens`, `model`, the
`toolCalls` it made and their results. A request is made of every message before its `gemini`
message. Older versions keep tool results only in `toolCalls[].result`; since May 2026 (#26939)
they are also a `user` message of `functionResponse` parts, and then that message is what was
sent.
`info`, `error` and `warning` messages were never sent. Thought summaries are left out of the
history (the CLI strips thoughts before sending it again) and kept in the response.

The JSONL file is a log: a metadata line, each message written again whole whenever it changes
(tokens or tool results added), `{"$rewindTo": id}` dropping a message and all after it, and
`{"$set": {"messages": [...]}}` replacing the history (context management summarising or masking
it: the next request is marked compacted). Each request sees the history as it was when its
message was first written.

`tokens.input` is Gemini's `promptTokenCount`, the whole prompt with `cached`
(`cachedContentTokenCount`) inside it; the output is `output` plus `thoughts`, both billed as
output. The system prompt and tool definitions are not recorded: unknown.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import DocumentFormat, LineFormat
from ctxlint.trace.formats.common import child, media_hash, parse_time, provider_of_model
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
from ctxlint.trace.typed import TypeFault

NAME = "gemini-cli"
_MESSAGE_TYPES = frozenset({"user", "gemini", "info", "error", "warning"})
# What the CLI shows but never sends.
_NOT_SENT = frozenset({"info", "error", "warning"})


def _is_model(record: dict[str, Any]) -> bool:
    """A model's message: `gemini`, or the type a fork of the CLI gives it (IBM Bob writes
    `bob-shell`), told by the tokens or model only a model's message carries."""
    kind = record.get("type")
    if kind == "gemini":
        return True
    if kind == "user" or kind in _NOT_SENT:
        return False
    return isinstance(record.get("tokens"), dict) or isinstance(record.get("model"), str)


@dataclass(slots=True)
class _Entry:
    """One message of the history; written again in place when its record is updated."""

    record: dict[str, Any]
    line: int
    pointer: str


class _Conversation:
    """The messages of one session file and, for each `gemini` message, the history before it
    at the time it was first written."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.session: str | None = None
        # The current history. It is only appended to: a rewind or a replaced history starts a
        # new list, so that (list, length) keeps naming what an earlier request saw.
        self.order: list[_Entry] = []
        self.by_id: dict[str, _Entry] = {}
        self.calls: list[tuple[_Entry, list[_Entry], int, bool]] = []
        # The history was replaced (Gemini's context management summarises or masks it)
        # since the last call: the next one is sent over a compacted history.
        self.replaced = False
        self._converted: dict[tuple[int, bool], tuple[dict[str, Any], list[Message]]] = {}

    def add(self, record: dict[str, Any], line: int, pointer: str, call: bool = True) -> None:
        """A message written (again); `call` is False for one of a replaced history, which
        was answered before."""
        key = typed.required_text(record, "id", pointer)
        typed.required_text(record, "type", pointer)
        found = self.by_id.get(key)
        if found is not None:
            found.record, found.line, found.pointer = record, line, pointer
            return
        entry = _Entry(record, line, pointer)
        self.by_id[key] = entry
        self.order.append(entry)
        if call and _is_model(record):
            self.calls.append((entry, self.order, len(self.order) - 1, self.replaced))
            self.replaced = False

    def rewind(self, key: str) -> None:
        kept = next((i for i, e in enumerate(self.order) if e.record.get("id") == key), 0)
        for entry in self.order[kept:]:
            self.by_id.pop(entry.record.get("id"), None)  # type: ignore[arg-type]
        self.order = self.order[:kept]

    def replace(self, records: list[Any], line: int, pointer: str) -> None:
        self.order, self.by_id = [], {}
        self.replaced = True
        for position, record in typed.objects(records, pointer):
            self.add(record, line, child(pointer, position), call=False)

    def requests(self) -> Iterator[tuple[_Entry, Request | TypeFault]]:
        """Each call's request, or the fault that kept it from being read; a message that
        cannot be read is reported once, not again for every request whose history holds it."""
        reported: set[tuple[str, str]] = set()
        for index, (entry, history, length, compacted) in enumerate(self.calls):
            record = entry.record
            if not (isinstance(record.get("tokens"), dict) or isinstance(record.get("model"), str)):
                # A message the CLI made up (an acknowledgement of binary content): no call.
                continue
            try:
                request = self._request(index, entry, history[:length])
                request.compacted = compacted
                yield entry, request
            except TypeFault as fault:
                if (fault.pointer, fault.reason) not in reported:
                    reported.add((fault.pointer, fault.reason))
                    yield entry, fault

    def _request(self, index: int, entry: _Entry, history: list[_Entry]) -> Request:
        messages: list[Message] = []
        for position, earlier in enumerate(history):
            after = history[position + 1] if position + 1 < len(history) else None
            messages.extend(self._messages(earlier, after))
        record, at = entry.record, entry.pointer
        model = typed.text(record, "model", at) or None
        finished = parse_time(typed.one_of(record, "timestamp", at, typed.TIME_KINDS))
        started = _sent_at(history[-1]) if history else None
        response = _model_message(record, at)
        thoughts = _thought_blocks(record, at)
        if thoughts:
            response = message(response.role, (*thoughts, *response.blocks), None)
        return Request(
            path=self.path,
            origin=Origin(entry.line, at),
            session=self.session or _session_of(self.path),
            format=NAME,
            messages=tuple(messages),
            index=index,
            timestamp=started or finished,
            finished=finished,
            provider=provider_of_model(model, "google"),
            model=model,
            response=response,
            usage=_usage(record, at),
        )

    def _messages(self, entry: _Entry, after: _Entry | None) -> list[Message]:
        """What one recorded message was sent as: none, itself, or itself and the results of
        its tool calls when no `functionResponse` message of their own follows it."""
        with_results = after is None or not _is_function_response(after.record)
        key = (id(entry), with_results)
        cached = self._converted.get(key)
        if cached is not None and cached[0] is entry.record:
            return cached[1]
        try:
            converted = _sent(entry.record, Origin(entry.line, entry.pointer), with_results)
        except TypeFault as error:
            where = f"line {entry.line}" if entry.line else entry.pointer
            raise TypeFault(
                entry.pointer,
                f"request not checked: its history holds the message at {where}, "
                f"which could not be read ({error.reason})",
            ) from None
        self._converted[key] = (entry.record, converted)
        return converted


def _sent(record: dict[str, Any], origin: Origin, with_results: bool) -> list[Message]:
    kind = record["type"]
    if kind in _NOT_SENT:
        return []
    at = origin.pointer
    if kind == "user":
        return [message("user", _part_blocks(record.get("content"), child(at, "content")), origin)]
    if not _is_model(record):
        # A type of message newer than this reader: what it sent, if anything, is unknown.
        return []
    found = [_model_message(record, at, origin)]
    if with_results:
        results = _tool_results(record, at)
        if results:
            found.append(message("user", results, origin))
    return found


def _model_message(record: dict[str, Any], at: str, origin: Origin | None = None) -> Message:
    blocks = _part_blocks(record.get("content"), child(at, "content"))
    calls_at = child(at, "toolCalls")
    for position, call in typed.objects(typed.array(record, "toolCalls", at) or (), calls_at):
        here = child(calls_at, position)
        blocks.append(
            Block(
                TOOL_CALL,
                name=typed.text(call, "name", here, ""),
                call_id=typed.identifier(call, "id", here, ""),
                arguments=typed.json_text(call.get("args", {}), child(here, "args")),
            )
        )
    return message("assistant", blocks, origin)


def _tool_results(record: dict[str, Any], at: str) -> list[Block]:
    blocks: list[Block] = []
    calls_at = child(at, "toolCalls")
    for position, call in typed.objects(typed.array(record, "toolCalls", at) or (), calls_at):
        result = call.get("result")
        if result is not None:
            blocks.extend(_part_blocks(result, child(calls_at, position, "result")))
    return blocks


def _part_blocks(content: Any, at: str) -> list[Block]:
    """Gemini's PartListUnion: text, one part, or a list of text and parts."""
    if content is None:
        return []
    if isinstance(content, str):
        return [Block(TEXT, text=content)] if content else []
    parts = [content] if isinstance(content, dict) else content
    if not isinstance(parts, list):
        raise typed.wrong_type(content, at, "string, object or array")
    blocks: list[Block] = []
    for position, part in enumerate(parts):
        here = at if isinstance(content, dict) else child(at, position)
        if isinstance(part, str):
            blocks.append(Block(TEXT, text=part))
        elif type(part) is not dict:
            raise typed.wrong_type(part, here, "string or object")
        elif "text" in part and not part.get("thought"):
            blocks.append(Block(TEXT, text=typed.text(part, "text", here, "")))
        elif "functionCall" in part:
            call = typed.mapping(part, "functionCall", here) or {}
            call_at = child(here, "functionCall")
            blocks.append(
                Block(
                    TOOL_CALL,
                    name=typed.text(call, "name", call_at, ""),
                    call_id=typed.identifier(call, "id", call_at, ""),
                    arguments=typed.json_text(call.get("args", {}), child(call_at, "args")),
                )
            )
        elif "functionResponse" in part:
            reply = typed.mapping(part, "functionResponse", here) or {}
            reply_at = child(here, "functionResponse")
            blocks.append(
                Block(
                    TOOL_RESULT,
                    text=typed.json_text(reply.get("response", ""), child(reply_at, "response")),
                    name=typed.text(reply, "name", reply_at, ""),
                    call_id=typed.identifier(reply, "id", reply_at, ""),
                )
            )
        elif "inlineData" in part or "fileData" in part:
            blocks.append(Block(MEDIA, text=media_hash(part, here)))
        elif not part.get("thought"):
            blocks.append(Block(OTHER, text=typed.json_text(part, here)))
    return blocks


def _thought_blocks(record: dict[str, Any], at: str) -> list[Block]:
    thoughts_at = child(at, "thoughts")
    found = []
    for position, thought in typed.objects(typed.array(record, "thoughts", at) or (), thoughts_at):
        here = child(thoughts_at, position)
        subject = typed.text(thought, "subject", here, "")
        description = typed.text(thought, "description", here, "")
        text = "\n".join(part for part in (subject, description) if part)
        if text:
            found.append(Block(THINKING, text=text))
    return found


def _is_function_response(record: dict[str, Any]) -> bool:
    content = record.get("content")
    return (
        record.get("type") == "user"
        and isinstance(content, list)
        and any(isinstance(part, dict) and "functionResponse" in part for part in content)
    )


def _sent_at(entry: _Entry) -> Any:
    """When the request after a message was sent: when the user's message was written, or
    when the last of a model message's tool calls finished."""
    record = entry.record
    times = [parse_time(record.get("timestamp"))]
    calls = record.get("toolCalls")
    if _is_model(record) and isinstance(calls, list):
        times.extend(parse_time(c.get("timestamp")) for c in calls if isinstance(c, dict))
    known = [t for t in times if t is not None]
    return max(known) if known else None


def _usage(record: dict[str, Any], at: str) -> Usage | None:
    tokens = typed.mapping(record, "tokens", at)
    if tokens is None:
        return None
    tokens_at = child(at, "tokens")
    prompt = typed.tokens(tokens, "input", tokens_at)
    cached = typed.tokens(tokens, "cached", tokens_at)
    output = typed.tokens(tokens, "output", tokens_at)
    thoughts = typed.tokens(tokens, "thoughts", tokens_at)
    if output is not None and thoughts:
        output = typed.token_count(output + thoughts, child(tokens_at, "output"))
    return Usage(prompt, cached, None, output, typed.shallow(tokens, tokens_at))


def _session_of(path: str) -> str:
    return os.path.basename(path).split(".json")[0]


# --- The legacy document -----------------------------------------------------------------------


def _recognises(path: str, head: bytes) -> bool:
    return b'"projectHash"' in head and b'"sessionId"' in head


def _read(path: str, document: Any) -> Iterator[Request | Problem | TypeFault]:
    if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
        yield Problem(1, "not a Gemini CLI session: no `messages` list")
        return
    conversation = _Conversation(path)
    try:
        conversation.session = typed.identifier(document, "sessionId", "")
    except TypeFault as fault:
        yield fault
    for position, record in enumerate(document["messages"]):
        pointer = f"/messages/{position}"
        try:
            if type(record) is not dict:
                raise typed.wrong_type(record, pointer, "object")
            conversation.add(record, 0, pointer)
        except TypeFault as fault:
            yield fault
    for _, item in conversation.requests():
        yield item


# --- The JSONL log -----------------------------------------------------------------------------


def _accepts(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    if "sessionId" in value and "projectHash" in value:
        return True
    if "$rewindTo" in value or "$set" in value:
        return True
    return (
        isinstance(value.get("id"), str)
        and isinstance(value.get("type"), str)
        and (value["type"] in _MESSAGE_TYPES or isinstance(value.get("tokens"), dict))
        and "timestamp" in value
        and "content" in value
    )


class _Reader:
    def __init__(self, path: str) -> None:
        self.conversation = _Conversation(path)

    def feed(self, line: Line) -> Iterable[Request | Problem]:
        value = line.value
        conversation = self.conversation
        if "$rewindTo" in value:
            conversation.rewind(typed.required_text(value, "$rewindTo", ""))
        elif "$set" in value:
            update = typed.mapping(value, "$set", "") or {}
            if "messages" in update:
                messages = typed.array(update, "messages", "/$set") or []
                conversation.replace(messages, line.number, "/$set/messages")
        elif "sessionId" in value and "projectHash" in value:
            found: list[Problem] = []
            if conversation.session is None:
                try:
                    conversation.session = typed.identifier(value, "sessionId", "")
                except TypeFault as fault:
                    # The file's name stands in for it; the messages are still read.
                    found.append(Problem(line.number, fault.reason))
            # A whole legacy record written on one line.
            messages = typed.array(value, "messages", "") or ()
            for position, record in enumerate(messages):
                pointer = f"/messages/{position}"
                try:
                    if type(record) is not dict:
                        raise typed.wrong_type(record, pointer, "object")
                    conversation.add(record, line.number, pointer)
                except TypeFault as fault:
                    found.append(Problem(line.number, fault.reason))
            return found
        else:
            conversation.add(value, line.number, "")
        return ()

    def finish(self) -> Iterable[Request | Problem]:
        for entry, item in self.conversation.requests():
            yield Problem(entry.line, item.reason) if isinstance(item, TypeFault) else item

    def passed_over(self, number: int) -> None:
        # A line lost is a message lost: the histories after it are still read, as the CLI
        # itself reads such a file (it skips lines it cannot parse).
        pass


FORMAT = LineFormat(
    NAME,
    "Gemini CLI session logs (`~/.gemini/tmp/<project>/chats/session-*.jsonl`)",
    _accepts,
    lambda path: _Reader(path),
)
DOCUMENT_FORMAT = DocumentFormat(
    NAME + "-document",
    "Gemini CLI session files (`~/.gemini/tmp/<project>/chats/session-*.json`)",
    _recognises,
    _read,
)
