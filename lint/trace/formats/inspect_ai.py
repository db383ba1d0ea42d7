"""Inspect AI eval logs (JSON): each sample (and epoch) is a session, each `model` event a
request. Where the log keeps the raw provider call (`call.request` / `call.response`), that is
what was sent and is read as an OpenAI or Anthropic body; otherwise Inspect's own view of the
input is used. Long strings are stored once under `attachments` and referenced as
`attachment://<hash>`: references are resolved, so content reads as it was sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ctxlint.trace.formats import DocumentFormat
from ctxlint.trace.formats.anthropic import anthropic_request, is_anthropic_body
from ctxlint.trace.formats.common import (
    as_int,
    child,
    json_text,
    openai_chat_messages,
    parse_time,
    provider_of_model,
)
from ctxlint.trace.formats.openai import chat_request, is_chat_body, responses_request
from ctxlint.trace.model import Origin, Request, Usage, tool
from ctxlint.trace.reading import Problem

NAME = "inspect-ai"
_ATTACHMENT = "attachment://"


def _recognises(path: str, head: bytes) -> bool:
    start = head.lstrip()[:1]
    return start == b"{" and all(key in head for key in (b'"version"', b'"eval"', b'"task'))


def _read(path: str, document: Any) -> Iterator[Request | Problem]:
    if not isinstance(document, dict) or "eval" not in document:
        yield Problem(1, "not an Inspect AI eval log: no `eval` section")
        return
    samples = document.get("samples")
    if not isinstance(samples, list):
        # A log written with --no-log-samples (or only the header) holds no requests.
        return
    for sample_index, sample in enumerate(samples):
        if not isinstance(sample, dict):
            continue
        session = f"{sample.get('id')}/epoch-{sample.get('epoch', 1)}"
        attachments = (
            sample.get("attachments") if isinstance(sample.get("attachments"), dict) else {}
        )
        for event_index, event in enumerate(sample.get("events") or ()):
            if isinstance(event, dict) and event.get("event") == "model":
                pointer = f"/samples/{sample_index}/events/{event_index}"
                request = _request(path, pointer, _resolved(event, attachments))
                request.session = session
                yield request


def _request(path: str, pointer: str, event: dict[str, Any]) -> Request:
    call = event.get("call") if isinstance(event.get("call"), dict) else {}
    body = call.get("request")
    response = call.get("response") if isinstance(call.get("response"), dict) else None
    extra = {"timestamp": event.get("timestamp")}
    body_pointer = child(pointer, "call", "request")
    if is_anthropic_body(body):
        return anthropic_request(path, 0, body_pointer, body, response, extra)
    if is_chat_body(body):
        return chat_request(path, 0, body_pointer, body, response, extra, NAME)
    if isinstance(body, dict) and "input" in body:
        return responses_request(path, 0, body_pointer, body, response, extra)
    # Inspect's own record of the input: OpenAI-like messages, tools with name and parameters.
    every = openai_chat_messages(event.get("input"), 0, child(pointer, "input"))
    head = 0
    while head < len(every) and every[head].role == "system":
        head += 1
    model = str(event.get("model") or "") or None
    tools = event.get("tools")
    return Request(
        path=path,
        origin=Origin(0, pointer),
        session="",
        format=NAME,
        messages=every[head:],
        timestamp=parse_time(event.get("timestamp")),
        provider=provider_of_model(model),
        model=model,
        system=tuple(b for m in every[:head] for b in m.blocks),
        tools=tuple(tool(str(t.get("name")), t) for t in tools if isinstance(t, dict))
        if isinstance(tools, list)
        else None,
        params={"tool_choice": json_text(event.get("tool_choice"))}
        if "tool_choice" in event
        else {},
        usage=_inspect_usage(event, provider_of_model(model)),
    )


def _inspect_usage(event: dict[str, Any], provider: str | None) -> Usage | None:
    output = event.get("output") if isinstance(event.get("output"), dict) else {}
    raw = output.get("usage")
    if not isinstance(raw, dict):
        return None
    prompt = as_int(raw.get("input_tokens"))
    read = as_int(raw.get("input_tokens_cache_read"))
    written = as_int(raw.get("input_tokens_cache_write"))
    if provider == "anthropic" and prompt is not None:
        prompt += (read or 0) + (written or 0)
    return Usage(prompt, read, written, as_int(raw.get("output_tokens")), raw)


def _resolved(value: Any, attachments: dict[str, Any]) -> Any:
    if isinstance(value, str):
        if value.startswith(_ATTACHMENT):
            found = attachments.get(value[len(_ATTACHMENT) :])
            return found if isinstance(found, str) else value
        return value
    if isinstance(value, list):
        return [_resolved(item, attachments) for item in value]
    if isinstance(value, dict):
        return {key: _resolved(item, attachments) for key, item in value.items()}
    return value


FORMAT = DocumentFormat(NAME, "Inspect AI eval logs (.json)", _recognises, _read)
