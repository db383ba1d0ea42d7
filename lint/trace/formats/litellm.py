"""LiteLLM standard logging payloads (`kwargs["standard_logging_object"]`, as its loggers and
the proxy's spend logs write them), one per line. LiteLLM records every provider's request in
OpenAI's chat shape and its usage OpenAI-style (the prompt count is the whole prompt), with
Anthropic's cache counts passed through beside it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import LineFormat, stand_alone_lines
from ctxlint.trace.formats.common import (
    cache_params,
    conversation_key,
    model_at,
    openai_chat_message,
    openai_chat_messages,
    openai_tools,
    openai_usage,
    provider_of_model,
    time_at,
)
from ctxlint.trace.formats.usage import response_usage
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
    metadata = typed.mapping(value, "metadata", "") or {}
    requester = typed.mapping(metadata, "requester_metadata", "/metadata") or {}
    for container, at in ((metadata, "/metadata"), (requester, "/metadata/requester_metadata")):
        for key in ("session_id", "litellm_session_id", "conversation_id"):
            found = typed.identifier(container, key, at)
            if found is not None:
                return found
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
    parameters = typed.mapping(value, "model_parameters", "") or {}
    response = typed.mapping(value, "response", "") or {}
    reply = None
    choices = typed.array(response, "choices", "/response")
    if choices:
        first = choices[0]
        if type(first) is not dict:
            raise typed.wrong_type(first, "/response/choices/0", "object")
        answer = typed.mapping(first, "message", "/response/choices/0")
        if answer is not None:
            pointer = "/response/choices/0/message"
            reply = openai_chat_message(answer, Origin(line.number, pointer), pointer)
    usage = response_usage(response, "/response")
    if usage is None:
        metadata = typed.mapping(value, "metadata", "") or {}
        usage = openai_usage(metadata.get("usage_object"), "/metadata/usage_object") or Usage(
            typed.tokens(value, "prompt_tokens", ""),
            None,
            None,
            typed.tokens(value, "completion_tokens", ""),
            {k: value.get(k) for k in ("prompt_tokens", "completion_tokens")},
        )
    model = model_at(value, "model", "")
    messages = every[head:]
    tools_at = "/model_parameters/tools"
    return [
        Request(
            path=path,
            origin=Origin(line.number, ""),
            session=_session(value, messages),
            format=NAME,
            messages=messages,
            timestamp=time_at(value, "startTime", ""),
            finished=time_at(value, "endTime", ""),
            provider=typed.text(value, "custom_llm_provider", "") or provider_of_model(model),
            model=model,
            system=tuple(b for m in every[:head] for b in m.blocks),
            tools=openai_tools(parameters["tools"], tools_at) if "tools" in parameters else (),
            params=cache_params(parameters, _CACHE_PARAMS, "/model_parameters"),
            response=reply,
            usage=usage,
        )
    ]


FORMAT = LineFormat(
    NAME, "LiteLLM standard logging payloads, one per line", _accepts, stand_alone_lines(_parse)
)
