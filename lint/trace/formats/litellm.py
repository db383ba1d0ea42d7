"""LiteLLM standard logging payloads (`kwargs["standard_logging_object"]`, as its loggers and
the proxy's spend logs write them), one per line. LiteLLM records every provider's request in
OpenAI's chat shape and its usage OpenAI-style (the prompt count is the whole prompt), with
Anthropic's cache counts passed through beside it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ctxlint.trace.formats import LineFormat, stand_alone_lines
from ctxlint.trace.formats.common import (
    as_int,
    conversation_key,
    openai_chat_message,
    openai_chat_messages,
    openai_tools,
    openai_usage,
    parse_time,
    provider_of_model,
)
from ctxlint.trace.model import TEXT, Block, Origin, Request, Usage, message
from ctxlint.trace.reading import Line, Problem

NAME = "litellm"
_CACHE_PARAMS = (
    "tool_choice",
    "parallel_tool_calls",
    "reasoning_effort",
    "thinking",
    "prompt_cache_key",
)


def _accepts(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and "call_type" in value
        and "messages" in value
        and "startTime" in value
        and "model" in value
    )


def _session(value: dict[str, Any], messages: Any) -> str:
    metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
    requester = metadata.get("requester_metadata")
    for container in (metadata, requester if isinstance(requester, dict) else {}):
        for key in ("session_id", "litellm_session_id", "conversation_id"):
            if isinstance(container.get(key), (str, int)):
                return str(container[key])
    return conversation_key(messages)


def _parse(path: str, line: Line) -> Iterable[Request | Problem]:
    value = line.value
    raw_messages = value.get("messages")
    if isinstance(raw_messages, str):
        every = (
            message("user", [Block(TEXT, text=raw_messages)], Origin(line.number, "/messages")),
        )
    else:
        every = openai_chat_messages(raw_messages, line.number, "/messages")
    head = 0
    while head < len(every) and every[head].role in ("system", "developer"):
        head += 1
    parameters = (
        value.get("model_parameters") if isinstance(value.get("model_parameters"), dict) else {}
    )
    response = value.get("response") if isinstance(value.get("response"), dict) else {}
    reply = None
    choices = response.get("choices")
    first = choices[0] if isinstance(choices, list) and choices else None
    if isinstance(first, dict) and isinstance(first.get("message"), dict):
        pointer = "/response/choices/0/message"
        reply = openai_chat_message(first["message"], Origin(line.number, pointer))
    usage = openai_usage(response.get("usage"))
    if usage is None:
        metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
        usage = openai_usage(metadata.get("usage_object")) or Usage(
            as_int(value.get("prompt_tokens")),
            None,
            None,
            as_int(value.get("completion_tokens")),
            {k: value.get(k) for k in ("prompt_tokens", "completion_tokens")},
        )
    model = str(value.get("model") or "") or None
    messages = every[head:]
    return [
        Request(
            path=path,
            origin=Origin(line.number, ""),
            session=_session(value, messages),
            format=NAME,
            messages=messages,
            timestamp=parse_time(value.get("startTime")),
            finished=parse_time(value.get("endTime")),
            provider=str(value.get("custom_llm_provider") or "") or provider_of_model(model),
            model=model,
            system=tuple(b for m in every[:head] for b in m.blocks),
            tools=openai_tools(parameters["tools"]) if "tools" in parameters else (),
            params={k: parameters[k] for k in _CACHE_PARAMS if k in parameters},
            response=reply,
            usage=usage,
        )
    ]


FORMAT = LineFormat(
    NAME, "LiteLLM standard logging payloads, one per line", _accepts, stand_alone_lines(_parse)
)
