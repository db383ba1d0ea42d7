"""OpenHands event-stream trajectories (JSON: a list of events, or `{"trajectory": [...]}` as
the trajectory download gives it). Each model call is one request: the LiteLLM response
(`tool_call_metadata.model_response`, with its usage) attached to the action events it produced,
counted once per response id. An agent message with no response attached (a reply without
tool calls, which OpenHands records without metadata) was a model call too: it is read as a
request whose usage is unknown.

The messages of a request are the events before it, turned into messages as OpenHands'
ConversationMemory sends them: user messages; the assistant message of a response with its tool
calls, once every call has its observation; each observation as the tool result of its call;
the finish action as assistant text; a condensation drops the events it forgets and puts its
summary in their place. A command's output is framed as OpenHands frames it (exit code, working
folder), an edit by the openhands-aci editor as the editor's message; other observations are
sent as their recorded `content`, where OpenHands reformats a few (an LLM-based edit shows its
diff), and workspace context (`recall`) as recorded, not through OpenHands' templates: close,
not byte-exact. Older trajectories record no system prompt and
tools (unknown); newer ones start with a `system` action holding both.

Newer OpenHands no longer attaches the response to an agent message, but puts the run's token
totals so far (`llm_metrics.accumulated_token_usage`) on every agent action: such a call's usage
is the difference from the totals of the action before it.

LiteLLM reports usage OpenAI-style for every provider: `prompt_tokens` is the whole prompt,
Anthropic's `cache_read_input_tokens` and `cache_creation_input_tokens` included (in the shared
trajectories, 3,486 = 4 uncached + 3,482 written), and `prompt_tokens_details.cached_tokens`
repeats the read count."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import DocumentFormat
from ctxlint.trace.formats.common import (
    child,
    media_hash,
    model_at,
    openai_chat_message,
    openai_tools,
    openai_usage,
    provider_of_model,
    time_at,
)
from ctxlint.trace.model import (
    MEDIA,
    TEXT,
    TOOL_CALL,
    TOOL_RESULT,
    Block,
    Message,
    Origin,
    Request,
    Tool,
    Usage,
    message,
)
from ctxlint.trace.reading import Problem
from ctxlint.trace.typed import TypeFault

NAME = "openhands"
_SOURCE = (b'"source": "agent"', b'"source": "user"', b'"source": "environment"')
# Events never sent to the model (the controller's own bookkeeping).
_UNSENT = frozenset({"null", "agent_state_changed", "change_agent_state", "recall"})


def _recognises(path: str, head: bytes) -> bool:
    if path.lower().endswith((".jsonl", ".jsonl.gz")):
        # JSON lines whose first line is too long to parse from the head: a line format's.
        return False
    start = head.lstrip()[:1]
    if start not in (b"[", b"{") or b'"timestamp"' not in head:
        return False
    compact = head.replace(b'":"', b'": "')
    return any(s in compact for s in _SOURCE) and (
        b'"action": "' in compact or b'"observation": "' in compact
    )


@dataclass
class _Conversation:
    """What the model is sent, built up event by event."""

    path: str
    session: str
    model: str | None
    # (id of the event a message comes from, the message), in the order they are sent.
    history: list[tuple[Any, Message]] = field(default_factory=list)
    system: tuple[Block, ...] | None = None
    tools: tuple[Tool, ...] | None = None
    # Responses whose tool calls still wait for observations, by response id.
    pending: dict[str, tuple[Any, Message]] = field(default_factory=dict)
    results: dict[str, tuple[Any, Message]] = field(default_factory=dict)
    answered: set[str] = field(default_factory=set)
    compacted: bool = False
    # The line of the file the events are on: 0 in a document, where pointers place them.
    line: int = 0
    # The run's token counts so far, as the newest `llm_metrics` gave them.
    accumulated: dict[str, int] = field(default_factory=dict)
    # Once an event cannot be read, no later request's history is known.
    damaged: TypeFault | None = None


def _read(path: str, document: Any) -> Iterator[Request | Problem | TypeFault]:
    events, at = _events(document)
    if events is None:
        yield Problem(1, "not an OpenHands trajectory: no list of events")
        return
    session = os.path.basename(path).split(".json")[0]
    yield from read_events(path, events, at, session)


def read_events(
    path: str, events: list[Any], at: str, session: str, line: int = 0
) -> Iterator[Request | TypeFault]:
    """The requests of a run's events (the list at pointer `at`, on `line` of a line file)."""
    conversation = _Conversation(path, session, _first_model(events, at), line=line)
    for position, event in enumerate(events):
        pointer = f"{at}/{position}"
        try:
            if type(event) is not dict:
                raise typed.wrong_type(event, pointer, "object")
            found = _event(conversation, event, pointer)
        except TypeFault as fault:
            conversation.damaged = conversation.damaged or fault
            yield fault
            continue
        if found is None:
            continue
        if conversation.damaged is not None:
            yield TypeFault(
                pointer,
                f"request not checked: its history includes {conversation.damaged.pointer}, "
                "which could not be read",
            )
        else:
            yield found


def _events(document: Any) -> tuple[list[Any] | None, str]:
    if type(document) is list:
        return document, ""
    if type(document) is dict and type(document.get("trajectory")) is list:
        return document["trajectory"], "/trajectory"
    return None, ""


def _first_model(events: list[Any], at: str) -> str | None:
    """The model of the run, for the calls whose response was not recorded: OpenHands sends
    every call of an agent to the model its configuration names."""
    for event in events:
        metadata = event.get("tool_call_metadata") if type(event) is dict else None
        response = metadata.get("model_response") if type(metadata) is dict else None
        model = response.get("model") if type(response) is dict else None
        if type(model) is str and model:
            return model
    return None


def _event(conversation: _Conversation, event: dict[str, Any], at: str) -> Request | None:
    """Add an event to the conversation; the request it records, if it ends a model call."""
    event_id = event.get("id")
    if type(event_id) not in (int, str):
        # Only a condensation names events by id: one without a usable id is never forgotten.
        event = {**event, "id": None}
    source = typed.text(event, "source", at, "")
    args = typed.mapping(event, "args", at) or {}
    args_at = child(at, "args")
    metadata = typed.mapping(event, "tool_call_metadata", at)
    if "action" in event:
        kind = typed.text(event, "action", at, "")
        if metadata is not None:
            return _tool_action(conversation, event, kind, metadata, at)
        if kind == "system":
            content = typed.text(args, "content", args_at, "")
            conversation.system = (Block(TEXT, text=content, pointer=child(args_at, "content")),)
            tools = typed.array(args, "tools", args_at)
            conversation.tools = openai_tools(tools, child(args_at, "tools"))
        elif kind == "message":
            said = _said(args, args_at, event, at, conversation.line)
            role = "assistant" if source == "agent" else "user"
            said = message(role, said.blocks, Origin(conversation.line, at))
            request = None
            if role == "assistant":
                request = _request(conversation, event, at, said, None)
                request.usage = _metrics_usage(conversation, event, at)
            conversation.history.append((event.get("id"), said))
            return request
        elif kind == "condensation":
            _condense(conversation, args, args_at)
        elif kind == "run" and source == "user":
            command = typed.text(args, "command", args_at, "")
            text = f"User executed the command:\n{command}"
            conversation.history.append(
                (
                    event.get("id"),
                    message("user", [Block(TEXT, text=text)], Origin(conversation.line, at)),
                )
            )
        return None
    if "observation" in event:
        kind = typed.text(event, "observation", at, "")
        content = typed.json_text(event.get("content") or "", child(at, "content"))
        if kind == "run":
            content = _command_output(content, event, at)
        elif kind == "edit":
            content = _edit_output(content, event, at)
        if metadata is not None:
            metadata_at = child(at, "tool_call_metadata")
            call_id = typed.identifier(metadata, "tool_call_id", metadata_at, "")
            block = Block(TOOL_RESULT, text=content, call_id=call_id)
            conversation.results[call_id] = (event.get("id"), message("tool", [block], None))
            _flush(conversation)
        elif kind not in _UNSENT and content:
            prefix = "\nObserved result of command executed by user:\n" if kind == "run" else ""
            origin = Origin(conversation.line, at)
            said = message("user", [Block(TEXT, text=prefix + content)], origin)
            conversation.history.append((event.get("id"), said))
    return None


def _command_output(content: str, event: dict[str, Any], at: str) -> str:
    """A command's output as OpenHands sends it (`CmdOutputObservation.to_agent_observation`):
    its prefix and suffix, working folder, interpreter and exit code around the content."""
    extras = typed.mapping(event, "extras", at) or {}
    found = typed.mapping(extras, "metadata", child(at, "extras"))
    if found is None:
        return content
    here = child(at, "extras", "metadata")
    text = typed.text(found, "prefix", here, "") + content + typed.text(found, "suffix", here, "")
    folder = typed.text(found, "working_dir", here)
    if folder:
        text += f"\n[Current working directory: {folder}]"
    interpreter = typed.text(found, "py_interpreter_path", here)
    if interpreter:
        text += f"\n[Python interpreter: {interpreter}]"
    code = found.get("exit_code")
    if type(code) is int and code != -1:
        text += f"\n[Command finished with exit code {code}]"
    return text


def _edit_output(content: str, event: dict[str, Any], at: str) -> str:
    """An edit by the openhands-aci editor: OpenHands before February 2025 (#6671) recorded
    the diff as the content but sent the editor's own message, kept beside it."""
    extras = typed.mapping(event, "extras", at) or {}
    extras_at = child(at, "extras")
    sent = typed.text(extras, "formatted_output_and_error", extras_at)
    if sent and typed.text(extras, "impl_source", extras_at) == "oh_aci":
        return sent
    return content


def _tool_action(
    conversation: _Conversation,
    event: dict[str, Any],
    kind: str,
    metadata: dict[str, Any],
    at: str,
) -> Request | None:
    metadata_at = child(at, "tool_call_metadata")
    # The response's own usage is exact: the running totals are only kept up to date.
    _metrics_usage(conversation, event, at)
    response = typed.mapping(metadata, "model_response", metadata_at) or {}
    response_at = child(metadata_at, "model_response")
    response_id = typed.identifier(response, "id", response_at) or f"event-{at}"
    reply = _reply(response, response_at, conversation.line)
    request = None
    if response_id not in conversation.answered:
        conversation.answered.add(response_id)
        request = _request(conversation, event, at, reply, (response, response_at))
    if kind == "finish":
        # Sent back as the assistant's text, its tool call dropped.
        args = typed.mapping(event, "args", at) or {}
        thought = typed.text(args, "thought", child(at, "args"), "") or reply.text()
        said = message("assistant", [Block(TEXT, text=thought)], Origin(conversation.line, at))
        conversation.history.append((event.get("id"), said))
    else:
        blocks = [b for b in reply.blocks if b.kind != TEXT or b.text.strip()]
        conversation.pending[response_id] = (event.get("id"), message("assistant", blocks, None))
        _flush(conversation)
    return request


def _reply(response: dict[str, Any], at: str, line: int) -> Message:
    choices = typed.array(response, "choices", at) or []
    if not choices:
        return message("assistant", [], Origin(line, at))
    first = choices[0]
    first_at = child(at, "choices", 0)
    if type(first) is not dict:
        raise typed.wrong_type(first, first_at, "object")
    answer = typed.mapping(first, "message", first_at) or {}
    answer_at = child(first_at, "message")
    return openai_chat_message(answer, Origin(line, answer_at), answer_at)


def _flush(conversation: _Conversation) -> None:
    """Send each response whose every tool call has its observation, then the observations."""
    for response_id, (event_id, said) in list(conversation.pending.items()):
        calls = [b.call_id for b in said.blocks if b.kind == TOOL_CALL]
        if all(call in conversation.results for call in calls):
            conversation.history.append((event_id, said))
            conversation.history.extend(conversation.results.pop(call) for call in calls)
            del conversation.pending[response_id]


_METRICS = (
    ("prompt_tokens", "prompt_tokens"),
    ("cache_read_tokens", "cached_tokens"),
    ("cache_write_tokens", "cache_write_tokens"),
    ("completion_tokens", "output_tokens"),
)


def _metrics_usage(conversation: _Conversation, event: dict[str, Any], at: str) -> Usage | None:
    """A call's usage where only the running totals are recorded: newer OpenHands attaches
    to each agent action `llm_metrics.accumulated_token_usage`, the run's totals so far. The
    difference from the totals of the action before is the calls made in between: one, except
    where a condenser's own model call falls between them, whose tokens it then includes."""
    metrics = typed.mapping(event, "llm_metrics", at)
    metrics_at = child(at, "llm_metrics")
    totals = typed.mapping(metrics, "accumulated_token_usage", metrics_at) if metrics else None
    if totals is None:
        return None
    totals_at = child(metrics_at, "accumulated_token_usage")
    now = {key: typed.tokens(totals, key, totals_at) or 0 for key, _ in _METRICS}
    before, conversation.accumulated = conversation.accumulated, now
    spent = {key: now[key] - before.get(key, 0) for key, _ in _METRICS}
    if spent["prompt_tokens"] <= 0 or any(count < 0 for count in spent.values()):
        # No call since the action before (two actions of one response), or totals that
        # went back (another run's metrics): nothing to tell this call's usage by.
        return None
    counts = {name: spent[key] for key, name in _METRICS}
    return Usage(**counts, raw={"accumulated_token_usage_difference": spent})


def _said(args: dict[str, Any], args_at: str, event: dict[str, Any], at: str, line: int) -> Message:
    text = typed.text(args, "content", args_at) or typed.text(event, "message", at, "")
    blocks = [Block(TEXT, text=text)]
    images = typed.array(args, "image_urls", args_at) or []
    for position, image in enumerate(images):
        blocks.append(Block(MEDIA, text=media_hash(image, child(args_at, "image_urls", position))))
    return message("user", blocks, Origin(line, at))


def _condense(conversation: _Conversation, args: dict[str, Any], at: str) -> None:
    """What a condensation forgets leaves the history; its summary takes the place it names."""
    listed = typed.array(args, "forgotten_event_ids", at) or ()
    forgotten = {i for i in listed if type(i) in (int, str)}
    start = args.get("forgotten_events_start_id")
    end = args.get("forgotten_events_end_id")
    if type(start) is int and type(end) is int and start <= end:
        # The ids the history holds that fall in the range: a range is not made whole, as a
        # corrupt one could name ten million ids.
        forgotten.update(i for i, _ in conversation.history if type(i) is int and start <= i <= end)
    kept = [
        (i, m) for i, m in conversation.history if not (type(i) in (int, str) and i in forgotten)
    ]
    # A tool call and its result are sent together or not at all.
    calls = {b.call_id for _, m in kept for b in m.blocks if b.kind == TOOL_CALL}
    results = {b.call_id for _, m in kept for b in m.blocks if b.kind == TOOL_RESULT}
    kept = [
        (i, m)
        for i, m in kept
        if all(b.call_id in results for b in m.blocks if b.kind == TOOL_CALL)
        and all(b.call_id in calls for b in m.blocks if b.kind == TOOL_RESULT)
    ]
    summary = typed.text(args, "summary", at)
    if summary:
        offset = args.get("summary_offset")
        place = offset if type(offset) is int and 0 <= offset <= len(kept) else 0
        kept.insert(place, (None, message("user", [Block(TEXT, text=summary)], None)))
    conversation.history = kept
    conversation.compacted = True


def _request(
    conversation: _Conversation,
    event: dict[str, Any],
    at: str,
    reply: Message,
    response: tuple[dict[str, Any], str] | None,
) -> Request:
    model = conversation.model
    usage = None
    timestamp = time_at(event, "timestamp", at)
    if response is not None:
        raw, raw_at = response
        model = model_at(raw, "model", raw_at) or model
        usage = openai_usage(raw.get("usage"), child(raw_at, "usage"))
    compacted, conversation.compacted = conversation.compacted, False
    return Request(
        path=conversation.path,
        origin=Origin(conversation.line, at),
        session=conversation.session,
        format=NAME,
        messages=tuple(m for _, m in conversation.history),
        # Written once the response is in: the call started a little earlier.
        timestamp=timestamp,
        provider=provider_of_model(model),
        model=model,
        system=conversation.system,
        tools=conversation.tools,
        response=reply,
        usage=usage,
        compacted=compacted,
    )


FORMAT = DocumentFormat(
    NAME,
    "OpenHands event-stream trajectories (.json)",
    _recognises,
    _read,
)
