"""Cline task history (`<globalStorage>/tasks/<task id>/api_conversation_history.json`): the
conversation in Anthropic's message format, kept as Cline sends it. Each assistant message is
the response to one request made of every message before it.

Usage comes from `ui_messages.json` in the same folder when it is there: each `api_req_started`
message records `tokensIn`, `tokensOut`, `cacheReads` and `cacheWrites` for one request (and the
`conversationHistoryDeletedRange` Cline cut from the history to fit the context). Without it,
the assistant message's own `metrics.tokens` is read, whose `cached` is the cache reads and
writes together (cline/cline src/core/task/index.ts, 2026-03): the whole prompt is known, the
part read from the cache is not. Cline's handlers report `tokensIn` without the cached part
except its generic OpenAI-compatible and LiteLLM handlers, which pass `prompt_tokens` whole.
The system prompt and tool definitions are not recorded: unknown."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import DocumentFormat
from ctxlint.trace.formats.common import (
    anthropic_blocks,
    child,
    parse_time,
    provider_of_model,
    whole_prompt,
)
from ctxlint.trace.model import THINKING, Message, Origin, Request, Usage, message
from ctxlint.trace.reading import Problem, ReadFailure, decode_json_text, read_document
from ctxlint.trace.typed import TypeFault

NAME = "cline"
_HISTORY_FILE = "api_conversation_history.json"
# Cline opens a task with a text block whose text starts with the user's words in <task> tags;
# a chat list that only mentions <task> in a plain string content is not Cline's.
_TASK_BLOCK = re.compile(rb'"text"\s*:\s*"<task>')
_UI_FILE = "ui_messages.json"
_METADATA_FILE = "task_metadata.json"
_COUNTS = ("tokensIn", "tokensOut", "cacheReads", "cacheWrites")
# Cline's handlers whose `inputTokens` is the whole prompt, cached part included.
_WHOLE_INPUT_PROVIDERS = frozenset({"openai", "litellm"})


def _recognises(path: str, head: bytes) -> bool:
    start = head.lstrip()[:1]
    if start != b"[" or b'"role"' not in head:
        return False
    named = os.path.basename(path).lower().startswith(_HISTORY_FILE)
    # Cline opens every task with the user's words in <task> tags, and marks each response
    # with the model that wrote it.
    return named or _TASK_BLOCK.search(head) is not None or b'"modelInfo"' in head


@dataclass(frozen=True, slots=True)
class _Reported:
    """What ui_messages.json says of one request."""

    at: str
    info: dict[str, Any]
    timestamp: Any
    deleted: tuple[int, int] | None
    model: str | None
    provider: str | None


def _read(path: str, document: Any) -> Iterator[Request | Problem | TypeFault]:
    if type(document) is not list:
        yield Problem(1, "not a Cline conversation history: not an array of messages")
        return
    session = _session(path)
    reported, in_order, problems = _beside_usage(path)
    yield from problems
    models = _metadata_models(path)
    history: list[Message | None] = []
    answered = 0
    newest_time: Any = None
    for position, item in enumerate(document):
        pointer = f"/{position}"
        try:
            found = _message(item, pointer)
        except TypeFault as fault:
            history.append(None)
            yield fault
            continue
        if found.role == "assistant":
            # Versions before `conversationHistoryIndex` are matched in order.
            own = reported.get(position)
            if not reported and answered < len(in_order):
                own = in_order[answered]
            answered += 1
            try:
                yield _request(
                    path, session, pointer, item, history, found, own, models, newest_time
                )
            except TypeFault as fault:
                yield fault
        history.append(found)
        newest_time = item.get("ts")


def _request(
    path: str,
    session: str,
    pointer: str,
    item: dict[str, Any],
    history: list[Message | None],
    found: Message,
    reported: _Reported | None,
    models: list[tuple[Any, str, str | None]],
    sent_at: Any,
) -> Request:
    sent = list(history)
    if reported is not None and reported.deleted is not None:
        # Cline keeps the first exchange and drops the range after it (ContextManager).
        sent = sent[:2] + sent[reported.deleted[1] + 1 :]
    if any(m is None for m in sent):
        raise TypeFault(
            pointer,
            "request not checked: its history includes a message that could not be read",
        )
    info = typed.mapping(item, "modelInfo", pointer) or {}
    info_at = child(pointer, "modelInfo")
    model = typed.text(info, "modelId", info_at) or (reported.model if reported else None)
    provider = typed.text(info, "providerId", info_at) or (reported.provider if reported else None)
    # Without the record, the request went out when its newest message was written.
    timestamp = reported.timestamp if reported else sent_at
    if model is None and models:
        model, provider = _model_at(models, timestamp)
    if reported is not None:
        usage = _reported_usage(reported, provider)
    else:
        usage = _metrics_usage(item, pointer, provider)
    messages = tuple(m for m in sent if m is not None)
    if provider == "anthropic":
        messages = _with_breakpoints(messages)
    return Request(
        path=path,
        origin=Origin(0, pointer),
        session=session,
        format=NAME,
        messages=messages,
        timestamp=parse_time(timestamp),
        finished=parse_time(typed.one_of(item, "ts", pointer, typed.TIME_KINDS)),
        provider=_provider(provider, model),
        model=model,
        response=found,
        usage=usage,
    )


def _with_breakpoints(messages: tuple[Message, ...]) -> tuple[Message, ...]:
    """Cline's Anthropic client marks the last block of the last two user messages (and the
    system prompt, unrecorded) as breakpoints when it sends them (sanitizeAnthropicMessages)."""
    users = [i for i, m in enumerate(messages) if m.role == "user"][-2:]
    found = list(messages)
    for index in users:
        blocks = list(found[index].blocks)
        if blocks and blocks[-1].kind != THINKING:
            blocks[-1] = dataclasses.replace(blocks[-1], cache_ttl="5m")
            found[index] = message(found[index].role, blocks, found[index].origin)
    return tuple(found)


def _message(item: Any, pointer: str) -> Message:
    if type(item) is not dict:
        raise typed.wrong_type(item, pointer, "object")
    role = typed.text(item, "role", pointer) or "user"
    content = item.get("content")
    content_at = child(pointer, "content")
    blocks = anthropic_blocks(content, content_at)
    if type(content) is list:
        # Thinking without a signature is dropped before sending: Anthropic refuses it.
        blocks = [
            block
            for part, block in zip(content, blocks, strict=True)
            if block.kind != THINKING or part.get("signature")
        ]
    return message(role, blocks, Origin(0, pointer))


def _metrics_usage(item: dict[str, Any], pointer: str, provider: str | None) -> Usage | None:
    metrics = typed.mapping(item, "metrics", pointer) or {}
    metrics_at = child(pointer, "metrics")
    tokens = typed.mapping(metrics, "tokens", metrics_at)
    if tokens is None:
        return None
    at = child(metrics_at, "tokens")
    prompt = typed.tokens(tokens, "prompt", at)
    cached = typed.tokens(tokens, "cached", at)
    output = typed.tokens(tokens, "completion", at)
    if prompt is not None and provider not in _WHOLE_INPUT_PROVIDERS:
        prompt = whole_prompt(prompt, cached, None, child(at, "prompt"))
    # `cached` is reads and writes together: neither is known alone.
    return Usage(prompt, None, None, output, typed.shallow(tokens, at))


def _reported_usage(reported: _Reported, provider: str | None) -> Usage:
    info, at = reported.info, reported.at
    uncached = typed.tokens(info, "tokensIn", at)
    read = typed.tokens(info, "cacheReads", at)
    written = typed.tokens(info, "cacheWrites", at)
    output = typed.tokens(info, "tokensOut", at)
    prompt = uncached
    if uncached is not None and provider not in _WHOLE_INPUT_PROVIDERS:
        prompt = whole_prompt(uncached, read, written, child(at, "tokensIn"))
    if provider == "openai":
        # The generic handler records DeepSeek's cache misses as writes: no write at all.
        written = None
    return Usage(prompt, read, written, output, typed.shallow(info, at))


# Routers and OpenAI-compatible endpoints: the cache is the model's provider's.
_ROUTERS = frozenset({"cline", "openrouter", "litellm", "openai", "requesty", "vercel-ai-gateway"})


def _provider(provider: str | None, model: str | None) -> str | None:
    if provider is None or provider in _ROUTERS:
        return provider_of_model(model, provider)
    return provider


def _session(path: str) -> str:
    folder, name = os.path.split(os.path.abspath(path))
    if name.lower().startswith(_HISTORY_FILE):
        return os.path.basename(folder)
    return name.split(".")[0]


def _beside(path: str, name: str) -> str | None:
    """A file of the same task folder; only a file named as Cline names it has one."""
    folder, own = os.path.split(path)
    if not own.lower().startswith(_HISTORY_FILE):
        return None
    found = os.path.join(folder, name)
    return found if os.path.isfile(found) else None


def _beside_usage(
    path: str,
) -> tuple[dict[int, _Reported], list[_Reported], list[Problem]]:
    """The usage ui_messages.json records, by the position of the assistant message that
    answered the request, and in order (for records that give no position); a fault there
    costs that request's usage only."""
    ui_path = _beside(path, _UI_FILE)
    if ui_path is None:
        return {}, [], []
    try:
        _, document = read_document(ui_path)
    except ReadFailure as failure:
        return {}, [], [Problem(1, f"{_UI_FILE} beside it: {failure.problem.reason}")]
    if type(document) is not list:
        return {}, [], [Problem(1, f"{_UI_FILE} beside it is not an array of messages")]
    found: dict[int, _Reported] = {}
    in_order: list[_Reported] = []
    problems: list[Problem] = []
    for position, item in enumerate(document):
        if type(item) is not dict or item.get("say") != "api_req_started":
            continue
        at = f"/{position}"
        try:
            reported = _api_request(item, at)
        except TypeFault as fault:
            problems.append(Problem(1, f"{_UI_FILE} beside it: {fault.reason}"))
            continue
        if reported is None:
            continue
        answered, record = reported
        if answered is None:
            in_order.append(record)
        else:
            # A retried request has the same place: the last one is the one answered.
            found[answered] = record
    return found, in_order, problems


def _api_request(item: dict[str, Any], at: str) -> tuple[int | None, _Reported] | None:
    """A request's record and the position of its answer; None for a request that reported
    no usage (one that failed before any came back)."""
    index = item.get("conversationHistoryIndex")
    text = typed.text(item, "text", at)
    info = decode_json_text(text) if text else None
    if type(info) is not dict or not any(key in info for key in _COUNTS):
        return None
    deleted = item.get("conversationHistoryDeletedRange")
    span = None
    if type(deleted) is list and len(deleted) == 2 and all(type(n) is int for n in deleted):
        span = (deleted[0], deleted[1])
    elif deleted is not None:
        raise typed.wrong_type(
            deleted, child(at, "conversationHistoryDeletedRange"), "[start, end]"
        )
    text_at = child(at, "text")
    for key in _COUNTS:
        typed.tokens(info, key, text_at)
    info_at = child(at, "modelInfo")
    model_info = typed.mapping(item, "modelInfo", at) or {}
    reported = _Reported(
        at=text_at,
        info=info,
        timestamp=typed.one_of(item, "ts", at, typed.TIME_KINDS),
        deleted=span,
        model=typed.text(model_info, "modelId", info_at),
        provider=typed.text(model_info, "providerId", info_at),
    )
    # Said before the request's user message was added: the answer comes two places on.
    return (index + 2 if type(index) is int else None), reported


def _metadata_models(path: str) -> list[tuple[Any, str, str | None]]:
    """(time, model, provider) of each model the task used, from task_metadata.json."""
    meta_path = _beside(path, _METADATA_FILE)
    if meta_path is None:
        return []
    try:
        _, document = read_document(meta_path)
    except ReadFailure:
        return []
    usage = document.get("model_usage") if type(document) is dict else None
    found = []
    for item in usage if type(usage) is list else ():
        if type(item) is dict and type(item.get("model_id")) is str:
            provider = item.get("model_provider_id")
            found.append(
                (item.get("ts"), item["model_id"], provider if type(provider) is str else None)
            )
    return found


def _model_at(models: list[tuple[Any, str, str | None]], timestamp: Any) -> tuple[str, str | None]:
    """The model in use at a time: the last one chosen before it (the first when unknown)."""
    chosen = models[0]
    when = parse_time(timestamp)
    for model in models:
        started = parse_time(model[0])
        if when is not None and started is not None and started <= when:
            chosen = model
    return chosen[1], chosen[2]


FORMAT = DocumentFormat(
    NAME, "Cline task history (api_conversation_history.json)", _recognises, _read
)
