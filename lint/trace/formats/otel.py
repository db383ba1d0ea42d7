"""OpenTelemetry GenAI spans exported as JSON: OTLP/JSON (`resourceSpans`, one export per
line as the collector's file exporter writes them, or one document), or spans as the Python
SDK serialises them (`span.to_json()`, one per line).

A span is a request when its `gen_ai.operation.name` is a model call. Its content is read from
either convention of the GenAI semantic conventions: the `gen_ai.input.messages`,
`gen_ai.system_instructions` and `gen_ai.tool.definitions` attributes, or the older events
(`gen_ai.system.message`, `gen_ai.user.message`, `gen_ai.assistant.message`,
`gen_ai.tool.message`, `gen_ai.choice`). The session is `gen_ai.conversation.id`, else the
trace. `gen_ai.usage.input_tokens` counts the whole prompt, cached tokens included. A span
with OpenInference attributes (`llm.*`) is read by that format's reader."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import DocumentFormat, LineFormat, openinference, stand_alone_lines
from ctxlint.trace.formats.common import (
    attribute_at,
    child,
    media_hash,
    model_at,
    openai_chat_message,
    provider_of_model,
    time_at,
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
from ctxlint.trace.typed import TypeFault

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


def spans_of(value: Any) -> Iterator[tuple[str, dict[str, Any]] | TypeFault]:
    """(pointer, span) for every span in an export or a single SDK span; a part of the export
    that is not of its type is its fault, and the spans beside it are read on."""
    if isinstance(value, dict) and "resourceSpans" in value:
        resources = _array_in(value, "resourceSpans", "")
        if isinstance(resources, TypeFault):
            yield resources
            return
        for r, resource in enumerate(resources):
            at = f"/resourceSpans/{r}"
            scopes = _array_in(resource, "scopeSpans", at)
            if isinstance(scopes, TypeFault):
                yield scopes
                continue
            for s, scope in enumerate(scopes):
                here = f"{at}/scopeSpans/{s}"
                spans = _array_in(scope, "spans", here)
                if isinstance(spans, TypeFault):
                    yield spans
                    continue
                yield from _each_span(spans, f"{here}/spans")
    elif isinstance(value, list):
        yield from _each_span(value, "")
    elif isinstance(value, dict):
        yield "", value


def _array_in(value: Any, key: str, at: str) -> list[Any] | TypeFault:
    """The array `key` of the object `value` at `at` (none when absent), or the fault that
    either is of another type."""
    if type(value) is not dict:
        return typed.wrong_type(value, at, "object")
    try:
        return typed.array(value, key, at) or []
    except TypeFault as fault:
        return fault


def _each_span(spans: list[Any], at: str) -> Iterator[tuple[str, dict[str, Any]] | TypeFault]:
    for position, span in enumerate(spans):
        here = f"{at}/{position}"
        yield (here, span) if type(span) is dict else typed.wrong_type(span, here, "object")


def attribute_map(attributes: Any, at: str, depth: int = 0) -> dict[str, Any]:
    """OTLP key/value lists and the SDK's plain dicts, as one plain dict."""
    if attributes is None:
        return {}
    if isinstance(attributes, dict):
        return attributes
    if not isinstance(attributes, list):
        raise typed.wrong_type(attributes, at, "array or object")
    found: dict[str, Any] = {}
    for position, entry in typed.objects(attributes, at):
        here = child(at, position)
        key = typed.required_text(entry, "key", here)
        found[key] = _any_value(entry.get("value"), child(here, "value"), depth)
    return found


# Deeper than any attribute a GenAI instrumentation writes; past it a value is refused rather
# than unpacked by a recursion that Python would cut short.
_MAX_DEPTH = 64


def _any_value(value: Any, at: str, depth: int) -> Any:
    if not isinstance(value, dict):
        return value
    if depth > _MAX_DEPTH:
        raise typed.TypeFault(at, f"the value at {at} is nested too deep to read")
    for kind in ("stringValue", "boolValue", "doubleValue"):
        if kind in value:
            return value[kind]
    if "intValue" in value:
        number = value["intValue"]
        if type(number) is int:
            return number
        # OTLP/JSON writes 64-bit integers as text: at most 20 characters.
        text = number if isinstance(number, str) else ""
        return int(text) if len(text) <= 20 and text.lstrip("-").isdigit() else None
    if "arrayValue" in value:
        inner = typed.mapping(value, "arrayValue", at) or {}
        values_at = child(at, "arrayValue", "values")
        items = typed.array(inner, "values", child(at, "arrayValue")) or ()
        return [
            _any_value(item, child(values_at, position), depth + 1)
            for position, item in enumerate(items)
        ]
    if "kvlistValue" in value:
        inner = typed.mapping(value, "kvlistValue", at) or {}
        values = inner.get("values")
        return attribute_map(values, child(at, "kvlistValue", "values"), depth + 1)
    return None


def span_request(path: str, line: int, pointer: str, span: dict[str, Any]) -> Request | None:
    attributes_at = child(pointer, "attributes")
    attributes = attribute_map(span.get("attributes"), attributes_at)

    def value_at(key: str) -> str:
        return attribute_at(span.get("attributes"), attributes_at, key)

    if openinference.is_openinference(attributes):
        # Phoenix and the openinference-instrumentation packages export OTLP too.
        return openinference.span_request(path, line, pointer, span, attributes, attributes_at)
    operation = typed.text(attributes, "gen_ai.operation.name", attributes_at)
    if operation not in _MODEL_OPERATIONS and not (
        operation is None and "gen_ai.request.model" in attributes
    ):
        return None
    events_at = child(pointer, "events")
    events = [
        (position, event, attribute_map(event.get("attributes"), child(events_at, position)))
        for position, event in typed.objects(typed.array(span, "events", pointer) or (), events_at)
    ]
    origin_line = line
    system: tuple[Block, ...] | None = None
    response: Message | None = None
    if "gen_ai.input.messages" in attributes:
        messages = _parts_messages(
            attributes["gen_ai.input.messages"],
            Origin(origin_line, pointer),
            value_at("gen_ai.input.messages"),
        )
        instructions_at = value_at("gen_ai.system_instructions")
        instructions = _json(attributes.get("gen_ai.system_instructions"), instructions_at)
        system = (
            tuple(_part_blocks(instructions, instructions_at)) if instructions is not None else None
        )
        if system is None and messages and messages[0].role == "system":
            system, messages = messages[0].blocks, messages[1:]
        replies = _parts_messages(
            attributes.get("gen_ai.output.messages"),
            None,
            value_at("gen_ai.output.messages"),
        )
        response = replies[0] if replies else None
    else:
        messages, response = _event_messages(events, line, pointer)
        if messages and messages[0].role == "system":
            system, messages = messages[0].blocks, messages[1:]
    definitions_at = value_at("gen_ai.tool.definitions")
    definitions = _json(attributes.get("gen_ai.tool.definitions"), definitions_at)
    tools = (
        tuple(
            _tool(item, child(definitions_at, position))
            for position, item in typed.objects(definitions, definitions_at)
        )
        if isinstance(definitions, list)
        else None
    )
    model = model_at(attributes, "gen_ai.request.model", attributes_at) or model_at(
        attributes, "gen_ai.response.model", attributes_at
    )
    provider = typed.text(attributes, "gen_ai.provider.name", attributes_at) or typed.text(
        attributes, "gen_ai.system", attributes_at
    )
    context = typed.mapping(span, "context", pointer) or {}
    session = (
        typed.identifier(attributes, "gen_ai.conversation.id", attributes_at)
        or typed.identifier(span, "traceId", pointer)
        or typed.identifier(context, "trace_id", child(pointer, "context"))
        or "trace"
    )
    start = "startTimeUnixNano" if span.get("startTimeUnixNano") else "start_time"
    end = "endTimeUnixNano" if span.get("endTimeUnixNano") else "end_time"
    return Request(
        path=path,
        origin=Origin(origin_line, pointer),
        session=session,
        format=NAME,
        messages=tuple(messages),
        timestamp=time_at(span, start, pointer),
        finished=time_at(span, end, pointer),
        provider=provider or provider_of_model(model),
        model=model,
        system=system,
        tools=tools,
        response=response,
        usage=_usage(attributes, attributes_at),
    )


def _json(value: Any, at: str) -> Any:
    """An attribute that holds JSON as text, decoded; one that is JSON already, as it is."""
    if not isinstance(value, str):
        return value
    decoded = decode_json_text(value)
    # Decoded, it is kept and serialised again (tool definitions, arguments): it must be
    # no deeper than JSON is written.
    return typed.shallow(decoded, at)


def _parts_messages(value: Any, origin: Origin | None, at: str) -> list[Message]:
    items = _json(value, at)
    if not isinstance(items, list):
        return []
    found = []
    for position, item in typed.objects(items, at):
        here = child(at, position)
        role = typed.text(item, "role", here) or "user"
        found.append(message(role, _part_blocks(item.get("parts"), child(here, "parts")), origin))
    return found


def _part_blocks(parts: Any, at: str) -> list[Block]:
    blocks: list[Block] = []
    for position, part in typed.objects(parts if isinstance(parts, list) else [], at):
        here = child(at, position)
        kind = typed.text(part, "type", here)
        if kind == "text":
            text = typed.text(part, "content", here, "")
            blocks.append(Block(TEXT, text=text, pointer=child(here, "content")))
        elif kind == "reasoning":
            text = typed.text(part, "content", here, "")
            blocks.append(Block(THINKING, text=text, pointer=child(here, "content")))
        elif kind == "tool_call":
            blocks.append(
                Block(
                    TOOL_CALL,
                    name=typed.text(part, "name", here, ""),
                    call_id=typed.identifier(part, "id", here, ""),
                    arguments=typed.json_text(part.get("arguments", ""), child(here, "arguments")),
                    pointer=child(here, "arguments"),
                )
            )
        elif kind == "tool_call_response":
            blocks.append(
                Block(
                    TOOL_RESULT,
                    text=typed.json_text(part.get("response", ""), child(here, "response")),
                    call_id=typed.identifier(part, "id", here, ""),
                    pointer=child(here, "response"),
                )
            )
        elif kind in ("blob", "file", "uri"):
            blocks.append(Block(MEDIA, text=media_hash(part, here)))
        else:
            blocks.append(Block(OTHER, text=typed.json_text(part, here)))
    return blocks


def _event_messages(
    events: list[tuple[int, dict[str, Any], dict[str, Any]]], line: int, pointer: str
) -> tuple[list[Message], Message | None]:
    messages: list[Message] = []
    response = None
    for position, event, attributes in events:
        here = child(pointer, "events", position)
        name = typed.text(event, "name", here)
        origin = Origin(line, here)
        attributes_at = child(here, "attributes")
        if name in _ROLE_EVENTS:
            item = dict(attributes)
            item["role"] = _ROLE_EVENTS[name]
            item["tool_calls"] = _json(item.get("tool_calls"), child(attributes_at, "tool_calls"))
            if item["role"] == "tool":
                item["tool_call_id"] = item.get("id")
            found = openai_chat_message(item, origin, attributes_at)
            messages.append(_repointed(found, event.get("attributes"), attributes_at))
        elif name == "gen_ai.choice":
            reply = _json(attributes.get("message"), child(attributes_at, "message"))
            if isinstance(reply, dict):
                reply_at = child(attributes_at, "message")
                calls = _json(reply.get("tool_calls"), child(reply_at, "tool_calls"))
                reply = dict(reply, role="assistant", tool_calls=calls)
                found = openai_chat_message(reply, origin, reply_at)
                response = _repointed(found, event.get("attributes"), attributes_at)
    return messages, response


def _repointed(found: Message, attributes: Any, at: str) -> Message:
    """`found`, read from an event's attributes as if they were one object at `at`, with each
    block's pointer naming where its attribute really is: in an OTLP key/value list,
    `content` is `{at}/2/value/stringValue`, not `{at}/content`."""
    if not isinstance(attributes, list):
        return found
    blocks = []
    for block in found.blocks:
        key, _, rest = block.pointer[len(at) + 1 :].partition("/")
        if block.pointer.startswith(at + "/") and key:
            where = attribute_at(attributes, at, key)
            block = dataclasses.replace(block, pointer=where + ("/" + rest if rest else ""))
        blocks.append(block)
    return dataclasses.replace(found, blocks=tuple(blocks))


def _tool(item: dict[str, Any], at: str) -> Any:
    function = typed.mapping(item, "function", at)
    if function is not None:
        name = typed.text(function, "name", child(at, "function"))
    else:
        name = typed.text(item, "name", at)
    return tool(name or "", item, None, at)


def _usage(attributes: dict[str, Any], at: str) -> Usage | None:
    prompt = typed.tokens(attributes, "gen_ai.usage.input_tokens", at)
    if prompt is None:
        return None
    read = typed.tokens(attributes, "gen_ai.usage.cache_read.input_tokens", at) or typed.tokens(
        attributes, "gen_ai.usage.cache_read_input_tokens", at
    )
    written = typed.tokens(
        attributes, "gen_ai.usage.cache_creation.input_tokens", at
    ) or typed.tokens(attributes, "gen_ai.usage.cache_creation_input_tokens", at)
    raw = {k: v for k, v in attributes.items() if k.startswith("gen_ai.usage.")}
    output = typed.tokens(attributes, "gen_ai.usage.output_tokens", at)
    return Usage(prompt, read, written, output, typed.shallow(raw, at))


def _requests(path: str, line: int, value: Any) -> list[Request | TypeFault]:
    """The requests of an export (or a span), and a fault for each span that cannot be read."""
    found: list[Request] = []
    faults: list[TypeFault] = []
    for item in spans_of(value):
        if isinstance(item, TypeFault):
            faults.append(item)
            continue
        pointer, span = item
        try:
            request = span_request(path, line, pointer, span)
        except TypeFault as fault:
            faults.append(fault)
            continue
        if request is not None:
            found.append(request)
    # An export batches spans as they end; order each batch by start time.
    found.sort(key=lambda r: (r.timestamp is None, r.timestamp or 0))
    return [*found, *faults]


def _parse(path: str, line: Line) -> Iterable[Request | Problem]:
    return [
        Problem(line.number, item.reason) if isinstance(item, typed.TypeFault) else item
        for item in _requests(path, line.number, line.value)
    ]


def _recognises(path: str, head: bytes) -> bool:
    return b'"resourceSpans"' in head or (b'"gen_ai.' in head and b'"trace_id"' in head)


def _read_document(path: str, document: Any) -> Iterator[Request | Problem | typed.TypeFault]:
    # A forced format reads any JSON: one of no shape an export takes is not an empty export.
    export = isinstance(document, dict) and "resourceSpans" in document
    if not (export or isinstance(document, list) or _accepts(document)):
        yield Problem(1, "not an OpenTelemetry export: no `resourceSpans`, span list or GenAI span")
        return
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
