"""Raw OpenAI request bodies, Chat Completions or Responses, one per line: bare, or in a
`{"request": ..., "response": ...}` envelope with the response beside it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import LineFormat, stand_alone_lines
from ctxlint.trace.formats.common import (
    cache_params,
    child,
    conversation_key,
    model_at,
    openai_chat_message,
    openai_chat_messages,
    openai_content_blocks,
    openai_tools,
    provider_of_model,
    time_at,
    with_diagnosis,
)
from ctxlint.trace.formats.usage import response_usage
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
        response = typed.mapping(value, "response", "")
        extra = {k: v for k, v in value.items() if k not in ("request", "response")}
        return value["request"], response, extra, "/request"
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
    body = _body(value)
    return is_chat_body(body) or is_responses_body(body)


def _body(value: Any) -> Any:
    """The request body of a line, bare or in an envelope, for telling formats apart."""
    if isinstance(value, dict) and isinstance(value.get("request"), dict):
        return value["request"]
    return value


def session_of(
    body: dict[str, Any], at: str, extra: dict[str, Any], messages: tuple[Message, ...]
) -> str:
    metadata = typed.mapping(body, "metadata", at) or {}
    for container, where in ((extra, ""), (metadata, child(at, "metadata"))):
        for key in ("session", "session_id", "conversation_id", "thread_id"):
            found = typed.identifier(container, key, where)
            if found is not None:
                return found
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
    response_at: str = "/response",
) -> Request:
    every = openai_chat_messages(body["messages"], line, child(pointer, "messages"))
    # System and developer messages at the head are the instructions; the rest is history.
    head = 0
    while head < len(every) and every[head].role in ("system", "developer"):
        head += 1
    system = tuple(block for found in every[:head] for block in found.blocks)
    model = model_at(body, "model", pointer)
    reply = None
    usage = None
    created = None
    if response is not None:
        choices = typed.array(response, "choices", response_at)
        if choices:
            first = choices[0]
            first_at = child(response_at, "choices", 0)
            if type(first) is not dict:
                raise typed.wrong_type(first, first_at, "object")
            answer = typed.mapping(first, "message", first_at)
            if answer is not None:
                answer_at = child(first_at, "message")
                reply = openai_chat_message(answer, Origin(line, answer_at), answer_at)
        usage = with_diagnosis(response_usage(response, response_at), response, response_at)
        created = time_at(response, "created", response_at)
    return Request(
        path=path,
        origin=Origin(line, pointer),
        session=session_of(body, pointer, extra, every),
        format=format_name,
        messages=every[head:],
        timestamp=time_at(extra, "timestamp", "") or created,
        finished=time_at(extra, "finished", ""),
        provider=provider_of_model(model, "openai"),
        model=model,
        system=system,
        tools=openai_tools(body["tools"], child(pointer, "tools")) if "tools" in body else (),
        params=cache_params(body, _CACHE_PARAMS, pointer),
        response=reply,
        usage=usage,
    )


def responses_items(items: Any, line: int, pointer: str) -> tuple[Message, ...]:
    """Responses API input or output items (also what Codex records) as messages."""
    if items is None:
        return ()
    if isinstance(items, str):
        block = Block(TEXT, text=items, pointer=pointer)
        return (message("user", [block], Origin(line, pointer)),)
    if not isinstance(items, list):
        raise typed.wrong_type(items, pointer, "string or array")
    return tuple(
        responses_item(item, Origin(line, child(pointer, position)), child(pointer, position))
        for position, item in typed.objects(items, pointer)
    )


def responses_item(item: dict[str, Any], origin: Origin | None, at: str) -> Message:
    kind = typed.text(item, "type", at, "message")
    if kind == "message" or ("role" in item and "content" in item):
        content = typed.one_of(item, "content", at, _CONTENT_KINDS)
        role = typed.text(item, "role", at) or "user"
        return message(role, openai_content_blocks(content, child(at, "content")), origin)
    if kind in ("function_call", "custom_tool_call", "local_shell_call"):
        key = next((k for k in ("arguments", "input", "action") if k in item), None)
        arguments = typed.json_text(item[key], child(at, key)) if key else ""
        call_id = typed.identifier(item, "call_id", at) or typed.identifier(item, "id", at)
        block = Block(
            TOOL_CALL,
            name=typed.text(item, "name", at) or kind,
            call_id=call_id or "",
            arguments=arguments,
            pointer=child(at, key) if key else "",
        )
        return message("assistant", [block], origin)
    if kind.endswith("_call_output"):
        output = item.get("output")
        text = typed.json_text(output, child(at, "output"))
        failed = isinstance(output, dict) and output.get("success") is False
        call_id = typed.identifier(item, "call_id", at, "")
        block = Block(
            TOOL_RESULT, text=text, call_id=call_id, is_error=failed, pointer=child(at, "output")
        )
        return message("tool", [block], origin)
    if kind == "reasoning":
        encrypted = item.get("encrypted_content")
        key = "encrypted_content" if encrypted else "summary"
        text = typed.json_text(item.get(key) or "", child(at, key))
        return message("assistant", [Block(THINKING, text=text)], origin)
    return message("assistant", [Block(OTHER, text=typed.json_text(item, at))], origin)


# Content is text or an array of parts; other JSON is kept as it is, serialised.
_CONTENT_KINDS = (str, list, dict, int, float, bool)


def responses_request(
    path: str,
    line: int,
    pointer: str,
    body: dict[str, Any],
    response: dict[str, Any] | None,
    extra: dict[str, Any],
    response_at: str = "/response",
) -> Request:
    messages = responses_items(body.get("input"), line, child(pointer, "input"))
    instructions = typed.one_of(body, "instructions", pointer, (str, list))
    system: tuple[Block, ...] = ()
    if isinstance(instructions, str) and instructions:
        system = (Block(TEXT, text=instructions, pointer=child(pointer, "instructions")),)
    reply = None
    usage = None
    created = finished = None
    if response is not None:
        output_at = child(response_at, "output")
        output = responses_items(response.get("output"), line, output_at)
        blocks = [block for found in output for block in found.blocks]
        if blocks:
            reply = message("assistant", blocks, Origin(line, output_at))
        usage = with_diagnosis(response_usage(response, response_at), response, response_at)
        created = time_at(response, "created_at", response_at)
        finished = time_at(response, "completed_at", response_at)
    model = model_at(body, "model", pointer)
    return Request(
        path=path,
        origin=Origin(line, pointer),
        session=session_of(body, pointer, extra, messages),
        format=NAME,
        messages=messages,
        timestamp=time_at(extra, "timestamp", "") or created,
        finished=time_at(extra, "finished", "") or finished,
        provider=provider_of_model(model, "openai"),
        model=model,
        system=system,
        tools=openai_tools(body["tools"], child(pointer, "tools")) if "tools" in body else (),
        params=cache_params(body, _CACHE_PARAMS, pointer),
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
