"""Inspect AI eval logs (JSON): each sample (and epoch) is a session, each `model` event a
request. Where the log keeps the raw provider call (`call.request` / `call.response`), that is
what was sent and is read as an OpenAI or Anthropic body; otherwise Inspect's own view of the
input is used. Long strings are stored once under `attachments` and referenced as
`attachment://<hash>`: references are resolved, so content reads as it was sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import DocumentFormat
from ctxlint.trace.formats.anthropic import anthropic_request, is_anthropic_body
from ctxlint.trace.formats.common import (
    child,
    model_at,
    openai_chat_messages,
    parse_time,
    provider_of_model,
    whole_prompt,
)
from ctxlint.trace.formats.openai import chat_request, is_chat_body, responses_request
from ctxlint.trace.model import Origin, Request, Tool, Usage, tool
from ctxlint.trace.reading import Problem
from ctxlint.trace.typed import TypeFault

NAME = "inspect-ai"
_ATTACHMENT = "attachment://"


def _recognises(path: str, head: bytes) -> bool:
    start = head.lstrip()[:1]
    return start == b"{" and all(key in head for key in (b'"version"', b'"eval"', b'"task'))


def _read(path: str, document: Any) -> Iterator[Request | Problem | TypeFault]:
    if not isinstance(document, dict) or "eval" not in document:
        yield Problem(1, "not an Inspect AI eval log: no `eval` section")
        return
    try:
        # A log written with --no-log-samples (or only the header) holds no requests.
        samples = typed.array(document, "samples", "") or []
    except TypeFault as fault:
        yield fault
        return
    for sample_index, sample in enumerate(samples):
        try:
            yield from _sample(path, f"/samples/{sample_index}", sample)
        except TypeFault as fault:
            yield fault


def _sample(path: str, at: str, sample: Any) -> Iterator[Request | TypeFault]:
    """The requests of one sample; a fault in the sample's own fields loses all of them, a
    fault in one event only that request."""
    if type(sample) is not dict:
        raise typed.wrong_type(sample, at, "object")
    epoch = typed.identifier(sample, "epoch", at, "1")
    session = f"{typed.identifier(sample, 'id', at)}/epoch-{epoch}"
    attachments = typed.mapping(sample, "attachments", at) or {}
    events = typed.array(sample, "events", at) or ()
    for event_index, event in enumerate(events):
        if not isinstance(event, dict) or event.get("event") != "model":
            continue
        pointer = f"{at}/events/{event_index}"
        try:
            request = _request(path, pointer, _resolved(event, attachments, pointer, 0))
        except TypeFault as fault:
            yield fault
            continue
        request.session = session
        yield request


def _request(path: str, pointer: str, event: dict[str, Any]) -> Request:
    call = typed.mapping(event, "call", pointer) or {}
    call_at = child(pointer, "call")
    body = call.get("request")
    response = typed.mapping(call, "response", call_at)
    response_at = child(call_at, "response")
    timestamp = typed.one_of(event, "timestamp", pointer, typed.TIME_KINDS)
    extra = {"timestamp": timestamp}
    body_pointer = child(call_at, "request")
    if is_anthropic_body(body):
        return anthropic_request(path, 0, body_pointer, body, response, extra, response_at)
    if is_chat_body(body):
        return chat_request(path, 0, body_pointer, body, response, extra, NAME, response_at)
    if isinstance(body, dict) and "input" in body:
        return responses_request(path, 0, body_pointer, body, response, extra, response_at)
    # Inspect's own record of the input: OpenAI-like messages, tools with name and parameters.
    every = openai_chat_messages(event.get("input"), 0, child(pointer, "input"))
    head = 0
    while head < len(every) and every[head].role == "system":
        head += 1
    model = model_at(event, "model", pointer)
    tools = typed.array(event, "tools", pointer)
    tools_at = child(pointer, "tools")
    return Request(
        path=path,
        origin=Origin(0, pointer),
        session="",
        format=NAME,
        messages=every[head:],
        timestamp=parse_time(timestamp),
        provider=provider_of_model(model),
        model=model,
        system=tuple(b for m in every[:head] for b in m.blocks),
        tools=None if tools is None else _tools(tools, tools_at),
        params={"tool_choice": typed.json_text(event["tool_choice"], child(pointer, "tool_choice"))}
        if "tool_choice" in event
        else {},
        usage=_inspect_usage(event, pointer, provider_of_model(model)),
    )


def _tools(items: list[Any], at: str) -> tuple[Tool, ...]:
    found = []
    for position, item in typed.objects(items, at):
        here = child(at, position)
        found.append(tool(str(typed.text(item, "name", here)), item, None, here))
    return tuple(found)


def _inspect_usage(event: dict[str, Any], pointer: str, provider: str | None) -> Usage | None:
    output = typed.mapping(event, "output", pointer) or {}
    output_at = child(pointer, "output")
    raw = typed.mapping(output, "usage", output_at)
    if raw is None:
        return None
    at = child(output_at, "usage")
    prompt = typed.tokens(raw, "input_tokens", at)
    read = typed.tokens(raw, "input_tokens_cache_read", at)
    written = typed.tokens(raw, "input_tokens_cache_write", at)
    if provider == "anthropic" and prompt is not None:
        prompt = whole_prompt(prompt, read, written, child(at, "input_tokens"))
    output_tokens = typed.tokens(raw, "output_tokens", at)
    return Usage(prompt, read, written, output_tokens, typed.shallow(raw, at))


# Deeper than any event Inspect writes; past it a value is refused rather than resolved by a
# recursion that Python would cut short.
_MAX_DEPTH = 200


def _resolved(value: Any, attachments: dict[str, Any], pointer: str, depth: int) -> Any:
    if isinstance(value, str):
        if value.startswith(_ATTACHMENT):
            found = attachments.get(value[len(_ATTACHMENT) :])
            return found if isinstance(found, str) else value
        return value
    if depth > _MAX_DEPTH and isinstance(value, (list, dict)):
        raise TypeFault(pointer, f"the value at {pointer} is nested too deep to read")
    if isinstance(value, list):
        return [_resolved(item, attachments, pointer, depth + 1) for item in value]
    if isinstance(value, dict):
        return {
            key: _resolved(item, attachments, pointer, depth + 1) for key, item in value.items()
        }
    return value


FORMAT = DocumentFormat(NAME, "Inspect AI eval logs (.json)", _recognises, _read)
