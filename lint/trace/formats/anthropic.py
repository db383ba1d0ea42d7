"""Raw Anthropic Messages request bodies, one per line: bare, or in a
`{"request": ..., "response": ...} ` envelope with the response beside it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ctxlint.trace.formats import LineFormat, stand_alone_lines
from ctxlint.trace.formats.common import (
    anthropic_blocks,
    anthropic_messages,
    anthropic_system,
    anthropic_tools,
    cache_params,
    child,
    model_at,
    provider_of_model,
    time_at,
    with_diagnosis,
)
from ctxlint.trace.formats.openai import session_of, split_envelope
from ctxlint.trace.formats.usage import response_usage
from ctxlint.trace.model import Origin, Request, message
from ctxlint.trace.reading import Line, Problem

NAME = "anthropic"
_CACHE_PARAMS = ("tool_choice", "thinking", "cache_control", "container", "mcp_servers")
_ANTHROPIC_BLOCKS = frozenset({"tool_use", "tool_result", "thinking", "redacted_thinking"})


def is_anthropic_body(body: Any) -> bool:
    if not (isinstance(body, dict) and isinstance(body.get("messages"), list) and "model" in body):
        return False
    if "system" in body or "thinking" in body:
        return True
    model = body.get("model")
    if isinstance(model, str) and provider_of_model(model) == "anthropic":
        return True
    tools = body.get("tools")
    if isinstance(tools, list) and any(isinstance(t, dict) and "input_schema" in t for t in tools):
        return True
    return any(
        isinstance(part, dict)
        and isinstance(part.get("type"), str)
        and part["type"] in _ANTHROPIC_BLOCKS
        for item in body["messages"]
        if isinstance(item, dict) and isinstance(item.get("content"), list)
        for part in item["content"]
    )


def _accepts(value: Any) -> bool:
    if isinstance(value, dict) and isinstance(value.get("request"), dict):
        return is_anthropic_body(value["request"])
    return is_anthropic_body(value)


def _parse(path: str, line: Line) -> Iterable[Request | Problem]:
    body, response, extra, pointer = split_envelope(line.value)
    return [anthropic_request(path, line.number, pointer, body, response, extra)]


def anthropic_request(
    path: str,
    line: int,
    pointer: str,
    body: dict[str, Any],
    response: dict[str, Any] | None,
    extra: dict[str, Any],
    response_at: str = "/response",
) -> Request:
    messages = anthropic_messages(body["messages"], line, child(pointer, "messages"))
    reply = None
    usage = None
    if response is not None:
        content_at = child(response_at, "content")
        reply = message(
            "assistant",
            anthropic_blocks(response.get("content"), content_at),
            Origin(line, content_at),
        )
        usage = with_diagnosis(
            response_usage(response, response_at, default="anthropic"), response, response_at
        )
    params = cache_params(body, _CACHE_PARAMS, pointer)
    model = model_at(body, "model", pointer)
    return Request(
        path=path,
        origin=Origin(line, pointer),
        session=session_of(body, pointer, extra, messages),
        format=NAME,
        messages=messages,
        timestamp=time_at(extra, "timestamp", ""),
        finished=time_at(extra, "finished", ""),
        provider="anthropic",
        model=model,
        system=anthropic_system(body.get("system"), child(pointer, "system")),
        tools=anthropic_tools(body["tools"], child(pointer, "tools")) if "tools" in body else (),
        params=params,
        response=reply,
        usage=usage,
    )


FORMAT = LineFormat(
    NAME,
    "Anthropic Messages request bodies, one per line, bare or in a "
    '{"request": ..., "response": ...} envelope',
    _accepts,
    stand_alone_lines(_parse),
)
