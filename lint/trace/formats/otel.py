"""OpenTelemetry GenAI spans exported as JSON: OTLP/JSON (`resourceSpans`, one export per
line as the collector's file exporter writes them, or one document), or spans as the Python
SDK serialises them (`span.to_json()`, one per line).

A span is a request when its `gen_ai.operation.name` is a model call. Its content is read from
either convention of the GenAI semantic conventions: the `gen_ai.input.messages`,
`gen_ai.system_instructions` and `gen_ai.tool.definitions` attributes, or the older events
(`gen_ai.system.message`, `gen_ai.user.message`, `gen_ai.assistant.message`,
`gen_ai.tool.message`, `gen_ai.choice`). The session is `gen_ai.conversation.id`, else the
trace. `gen_ai.usage.input_tokens` counts the whole prompt, cached tokens included."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ctxlint.trace.formats import DocumentFormat, LineFormat, stand_alone_lines
from ctxlint.trace.formats.common import (
    as_int,
    child,
    json_text,
    media_hash,
    openai_chat_message,
    parse_time,
    provider_of_model,
)
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
    tool,
)
from ctxlint.trace.reading import Line, Problem, decode_json_text

NAME = "otel-genai"
_MODEL_OPERATIONS = frozenset({"chat", "text_completion", "generate_content", "completion"})
_ROLE_EVENTS = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}


def _accepts(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    if isinstance(value.get("resourceSpans"), list):
        return True
    context = value.get("context")
    attributes = value.get("attributes")
    return (
        isinstance(context, dict)
        and "trace_id" in context
        and isinstance(attributes, dict)
        and any(str(key).startswith("gen_ai.") for key in attributes)
    )


def spans_of(value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, span) for every span in an export or a single SDK span."""
    if isinstance(value, dict) and isinstance(value.get("resourceSpans"), list):
        for r, resource in enumerate(value["resourceSpans"]):
            for s, scope in enumerate((resource or {}).get("scopeSpans") or ()):
                for k, span in enumerate((scope or {}).get("spans") or ()):
                    if isinstance(span, dict):
                        yield f"/resourceSpans/{r}/scopeSpans/{s}/spans/{k}", span
    elif isinstance(value, list):
        for position, span in enumerate(value):
            if isinstance(span, dict):
                yield f"/{position}", span
    elif isinstance(value, dict):
        yield "", value


def attribute_map(attributes: Any) -> dict[str, Any]:
    """OTLP key/value lists and the SDK's plain dicts, as one plain dict."""
    if isinstance(attributes, dict):
        return attributes
    found: dict[str, Any] = {}
    for entry in attributes or ():
        if isinstance(entry, dict) and "key" in entry:
            found[str(entry["key"])] = _any_value(entry.get("value"))
    return found


def _any_value(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    for kind in ("stringValue", "boolValue", "doubleValue"):
        if kind in value:
            return value[kind]
    if "intValue" in value:
        return (
            as_int(int(value["intValue"])) if str(value["intValue"]).lstrip("-").isdigit() else None
        )
    if "arrayValue" in value:
        return [_any_value(v) for v in (value["arrayValue"] or {}).get("values") or ()]
    if "kvlistValue" in value:
        return attribute_map((value["kvlistValue"] or {}).get("values"))
    return None


def span_request(path: str, line: int, pointer: str, span: dict[str, Any]) -> Request | None:
    attributes = attribute_map(span.get("attributes"))
    operation = attributes.get("gen_ai.operation.name")
    if operation not in _MODEL_OPERATIONS and not (
        operation is None and "gen_ai.request.model" in attributes
    ):
        return None
    events = [
        (position, event, attribute_map(event.get("attributes")))
        for position, event in enumerate(span.get("events") or ())
        if isinstance(event, dict)
    ]
    origin_line = line
    system: tuple[Block, ...] | None = None
    response: Message | None = None
    if "gen_ai.input.messages" in attributes:
        messages = _parts_messages(
            attributes["gen_ai.input.messages"], Origin(origin_line, pointer)
        )
        instructions = _json(attributes.get("gen_ai.system_instructions"))
        system = tuple(_part_blocks(instructions)) if instructions is not None else None
        if system is None and messages and messages[0].role == "system":
            system, messages = messages[0].blocks, messages[1:]
        replies = _parts_messages(attributes.get("gen_ai.output.messages"), None)
        response = replies[0] if replies else None
    else:
        messages, response = _event_messages(events, line, pointer)
        if messages and messages[0].role == "system":
            system, messages = messages[0].blocks, messages[1:]
    definitions = _json(attributes.get("gen_ai.tool.definitions"))
    tools = (
        tuple(_tool(item) for item in definitions if isinstance(item, dict))
        if isinstance(definitions, list)
        else None
    )
    model = attributes.get("gen_ai.request.model") or attributes.get("gen_ai.response.model")
    provider = attributes.get("gen_ai.provider.name") or attributes.get("gen_ai.system")
    context = span.get("context") if isinstance(span.get("context"), dict) else {}
    session = (
        attributes.get("gen_ai.conversation.id")
        or span.get("traceId")
        or context.get("trace_id")
        or "trace"
    )
    return Request(
        path=path,
        origin=Origin(origin_line, pointer),
        session=str(session),
        format=NAME,
        messages=tuple(messages),
        timestamp=parse_time(span.get("startTimeUnixNano") or span.get("start_time")),
        finished=parse_time(span.get("endTimeUnixNano") or span.get("end_time")),
        provider=str(provider) if provider else provider_of_model(model),
        model=str(model) if model else None,
        system=system,
        tools=tools,
        response=response,
        usage=_usage(attributes),
    )


def _json(value: Any) -> Any:
    return decode_json_text(value) if isinstance(value, str) else value


def _parts_messages(value: Any, origin: Origin | None) -> list[Message]:
    items = _json(value)
    if not isinstance(items, list):
        return []
    return [
        message(str(item.get("role") or "user"), _part_blocks(item.get("parts")), origin)
        for item in items
        if isinstance(item, dict)
    ]


def _part_blocks(parts: Any) -> list[Block]:
    blocks: list[Block] = []
    for part in parts if isinstance(parts, list) else ():
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind == "text":
            blocks.append(Block(TEXT, text=str(part.get("content") or "")))
        elif kind == "reasoning":
            blocks.append(Block(THINKING, text=str(part.get("content") or "")))
        elif kind == "tool_call":
            blocks.append(
                Block(
                    TOOL_CALL,
                    name=str(part.get("name") or ""),
                    call_id=str(part.get("id") or ""),
                    arguments=json_text(part.get("arguments", "")),
                )
            )
        elif kind == "tool_call_response":
            blocks.append(
                Block(
                    TOOL_RESULT,
                    text=json_text(part.get("response", "")),
                    call_id=str(part.get("id") or ""),
                )
            )
        elif kind in ("blob", "file", "uri"):
            blocks.append(Block(MEDIA, text=media_hash(part)))
        else:
            blocks.append(Block(OTHER, text=json_text(part)))
    return blocks


def _event_messages(
    events: list[tuple[int, dict[str, Any], dict[str, Any]]], line: int, pointer: str
) -> tuple[list[Message], Message | None]:
    messages: list[Message] = []
    response = None
    for position, event, attributes in events:
        name = event.get("name")
        origin = Origin(line, child(pointer, "events", position))
        if name in _ROLE_EVENTS:
            item = dict(attributes)
            item["role"] = _ROLE_EVENTS[name]
            item["tool_calls"] = _json(item.get("tool_calls"))
            if item["role"] == "tool":
                item["tool_call_id"] = item.get("id")
            messages.append(openai_chat_message(item, origin))
        elif name == "gen_ai.choice":
            reply = _json(attributes.get("message"))
            if isinstance(reply, dict):
                reply = dict(reply, role="assistant", tool_calls=_json(reply.get("tool_calls")))
                response = openai_chat_message(reply, origin)
    return messages, response


def _tool(item: dict[str, Any]) -> Any:
    function = item.get("function") if isinstance(item.get("function"), dict) else item
    return tool(str(function.get("name") or ""), item)


def _usage(attributes: dict[str, Any]) -> Usage | None:
    prompt = as_int(attributes.get("gen_ai.usage.input_tokens"))
    if prompt is None:
        return None
    read = as_int(
        attributes.get("gen_ai.usage.cache_read.input_tokens")
        or attributes.get("gen_ai.usage.cache_read_input_tokens")
    )
    written = as_int(
        attributes.get("gen_ai.usage.cache_creation.input_tokens")
        or attributes.get("gen_ai.usage.cache_creation_input_tokens")
    )
    raw = {k: v for k, v in attributes.items() if k.startswith("gen_ai.usage.")}
    return Usage(prompt, read, written, as_int(attributes.get("gen_ai.usage.output_tokens")), raw)


def _requests(path: str, line: int, value: Any) -> list[Request]:
    found = [
        r for p, span in spans_of(value) if (r := span_request(path, line, p, span)) is not None
    ]
    # An export batches spans as they end; order each batch by start time.
    return sorted(found, key=lambda r: (r.timestamp is None, r.timestamp or 0))


def _parse(path: str, line: Line) -> Iterable[Request | Problem]:
    return _requests(path, line.number, line.value)


def _recognises(path: str, head: bytes) -> bool:
    return b'"resourceSpans"' in head or (b'"gen_ai.' in head and b'"trace_id"' in head)


def _read_document(path: str, document: Any) -> Iterator[Request | Problem]:
    yield from _requests(path, 0, document)


LINES_FORMAT = LineFormat(
    NAME,
    "OpenTelemetry GenAI spans as JSON lines (OTLP/JSON exports, or SDK span.to_json())",
    _accepts,
    stand_alone_lines(_parse),
)
DOCUMENT_FORMAT = DocumentFormat(
    NAME + "-document",
    "OpenTelemetry GenAI spans as one OTLP/JSON document",
    _recognises,
    _read_document,
)
