"""Raw OpenAI request bodies, Chat Completions or Responses, one per line: bare, or in a
`{"request": ..., "response": ...}` envelope with the response beside it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ctxlint.trace.formats import LineFormat, stand_alone_lines
from ctxlint.trace.formats.common import (
    child,
    conversation_key,
    json_text,
    openai_chat_message,
    openai_chat_messages,
    openai_content_blocks,
    openai_tools,
    openai_usage,
    parse_time,
    provider_of_model,
)
from ctxlint.trace.model import (
    OTHER,
    TEXT,
    THINKING,
    TOOL_CALL,
    TOOL_RESULT,
    Block,
    Message,
    Origin,
    Request,
    message,
)
from ctxlint.trace.reading import Line, Problem

NAME = "openai"
# Request fields that change what is cached, or where.
_CACHE_PARAMS = (
    "tool_choice",
    "parallel_tool_calls",
    "reasoning_effort",
    "reasoning",
    "prompt_cache_key",
    "prompt_cache_retention",
    "response_format",
    "text",
)


def split_envelope(value: Any) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any], str]:
    """(request body, response or None, the envelope's own fields, pointer to the body)."""
    if isinstance(value, dict) and isinstance(value.get("request"), dict):
        response = value.get("response")
        extra = {k: v for k, v in value.items() if k not in ("request", "response")}
        return value["request"], response if isinstance(response, dict) else None, extra, "/request"
    return value, None, {}, ""


def is_chat_body(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get("messages"), list) and "model" in body


def is_responses_body(body: Any) -> bool:
    return (
        isinstance(body, dict)
        and "model" in body
        and isinstance(body.get("input"), (list, str))
        and "messages" not in body
    )


def _accepts(value: Any) -> bool:
    body, _, _, _ = split_envelope(value)
    return is_chat_body(body) or is_responses_body(body)


def session_of(body: dict[str, Any], extra: dict[str, Any], messages: tuple[Message, ...]) -> str:
    for container in (extra, body.get("metadata") or {}):
        if isinstance(container, dict):
            for key in ("session", "session_id", "conversation_id", "thread_id"):
                if isinstance(container.get(key), (str, int)):
                    return str(container[key])
    return conversation_key(messages)


def _parse(path: str, line: Line) -> Iterable[Request | Problem]:
    body, response, extra, pointer = split_envelope(line.value)
    if is_chat_body(body):
        return [chat_request(path, line.number, pointer, body, response, extra)]
    return [responses_request(path, line.number, pointer, body, response, extra)]


def chat_request(
    path: str,
    line: int,
    pointer: str,
    body: dict[str, Any],
    response: dict[str, Any] | None,
    extra: dict[str, Any],
    format_name: str = NAME,
) -> Request:
    every = openai_chat_messages(body["messages"], line, child(pointer, "messages"))
    # System and developer messages at the head are the instructions; the rest is history.
    head = 0
    while head < len(every) and every[head].role in ("system", "developer"):
        head += 1
    system = tuple(block for found in every[:head] for block in found.blocks)
    model = str(body.get("model") or "") or None
    reply = None
    usage = None
    if response is not None:
        choices = response.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            first = choices[0].get("message")
            if isinstance(first, dict):
                reply = openai_chat_message(first, Origin(line, "/response/choices/0/message"))
        usage = openai_usage(response.get("usage"))
    return Request(
        path=path,
        origin=Origin(line, pointer),
        session=session_of(body, extra, every),
        format=format_name,
        messages=every[head:],
        timestamp=parse_time(extra.get("timestamp") or (response or {}).get("created")),
        finished=parse_time(extra.get("finished")),
        provider=provider_of_model(model, "openai"),
        model=model,
        system=system,
        tools=openai_tools(body["tools"]) if "tools" in body else (),
        params={k: body[k] for k in _CACHE_PARAMS if k in body},
        response=reply,
        usage=usage,
    )


def responses_items(items: Any, line: int, pointer: str) -> tuple[Message, ...]:
    """Responses API input or output items (also what Codex records) as messages."""
    if isinstance(items, str):
        return (message("user", [Block(TEXT, text=items)], Origin(line, pointer)),)
    if not isinstance(items, list):
        return ()
    found: list[Message] = []
    for position, item in enumerate(items):
        if isinstance(item, dict):
            found.append(responses_item(item, Origin(line, child(pointer, position))))
    return tuple(found)


def responses_item(item: dict[str, Any], origin: Origin | None) -> Message:
    kind = item.get("type", "message")
    if kind == "message" or ("role" in item and "content" in item):
        return message(
            str(item.get("role") or "user"), openai_content_blocks(item.get("content")), origin
        )
    if kind in ("function_call", "custom_tool_call", "local_shell_call"):
        arguments = item.get("arguments", item.get("input", item.get("action", "")))
        block = Block(
            TOOL_CALL,
            name=str(item.get("name") or kind),
            call_id=str(item.get("call_id") or item.get("id") or ""),
            arguments=json_text(arguments),
        )
        return message("assistant", [block], origin)
    if kind.endswith("_call_output"):
        output = item.get("output")
        text = output if isinstance(output, str) else json_text(output)
        failed = isinstance(output, dict) and output.get("success") is False
        block = Block(
            TOOL_RESULT, text=text, call_id=str(item.get("call_id") or ""), is_error=failed
        )
        return message("tool", [block], origin)
    if kind == "reasoning":
        summary = item.get("summary")
        text = json_text(item.get("encrypted_content") or summary or "")
        return message("assistant", [Block(THINKING, text=text)], origin)
    return message("assistant", [Block(OTHER, text=json_text(item))], origin)


def responses_request(
    path: str,
    line: int,
    pointer: str,
    body: dict[str, Any],
    response: dict[str, Any] | None,
    extra: dict[str, Any],
) -> Request:
    messages = responses_items(body.get("input"), line, child(pointer, "input"))
    instructions = body.get("instructions")
    system: tuple[Block, ...] = ()
    if isinstance(instructions, str) and instructions:
        system = (Block(TEXT, text=instructions),)
    reply = None
    usage = None
    if response is not None:
        output = responses_items(response.get("output"), line, "/response/output")
        blocks = [block for found in output for block in found.blocks]
        if blocks:
            reply = message("assistant", blocks, Origin(line, "/response/output"))
        usage = openai_usage(response.get("usage"))
    model = str(body.get("model") or "") or None
    return Request(
        path=path,
        origin=Origin(line, pointer),
        session=session_of(body, extra, messages),
        format=NAME,
        messages=messages,
        timestamp=parse_time(extra.get("timestamp") or (response or {}).get("created_at")),
        finished=parse_time(extra.get("finished") or (response or {}).get("completed_at")),
        provider=provider_of_model(model, "openai"),
        model=model,
        system=system,
        tools=openai_tools(body["tools"]) if "tools" in body else (),
        params={k: body[k] for k in _CACHE_PARAMS if k in body},
        response=reply,
        usage=usage,
        # With previous_response_id the earlier turns are stored by OpenAI, not sent.
        history_complete="previous_response_id" not in body and "conversation" not in body,
    )


FORMAT = LineFormat(
    NAME,
    "OpenAI Chat Completions or Responses request bodies, one per line, bare or in a "
    '{"request": ..., "response": ...} envelope',
    _accepts,
    stand_alone_lines(_parse),
)
