"""OpenInference spans (Arize Phoenix and the `openinference-instrumentation-*` packages).

An LLM span (`openinference.span.kind` = `LLM`) is one request. Its attributes are read in every
shape they are exported in, all brought to the flat keys of the specification
(`llm.input_messages.0.message.role`):
- flat, as OTLP exports and Phoenix's REST API (`GET /v1/projects/{id}/spans`) write them;
- lists of objects with dotted keys (`"llm.input_messages": [{"message.role": ...}]`), as the
  specification's examples and Phoenix's span dataframe (`attributes.llm.input_messages`
  columns, exported with `to_json`) hold them;
- nested objects (`{"llm": {"input_messages": [{"message": {"role": ...}}]}}`).
OTLP exports are read by the OpenTelemetry reader, which hands OpenInference spans to this one.

`llm.token_count.prompt` is the whole prompt, `prompt_details.cache_read` and `cache_write` the
parts read from and written to the cache (specification). Some instrumentations record
Anthropic's `input_tokens` there, which leaves both out (Claude Agent SDK; Anthropic's before
2025-03): a prompt count smaller than its cached parts is taken as that, and they are added.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import DocumentFormat, LineFormat, stand_alone_lines
from ctxlint.trace.formats.common import (
    attribute_at,
    child,
    media_hash,
    provider_of_model,
    time_at,
    whole_prompt,
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
    Tool,
    Usage,
    message,
    tool,
)
from ctxlint.trace.reading import Line, Problem, decode_json_text
from ctxlint.trace.typed import TypeFault

NAME = "openinference"
_KIND = "openinference.span.kind"
# Values that are one attribute even when recorded as JSON objects: never split into keys.
_WHOLE = frozenset(
    {"json_schema", "arguments", "invocation_parameters", "metadata", "value", "variables"}
)
# Deeper than any attribute an instrumentation writes; past it a value is refused rather than
# flattened by a walk that would never end.
_MAX_DEPTH = 64
_SPAN_KINDS = frozenset(
    {
        "LLM",
        "EMBEDDING",
        "CHAIN",
        "RETRIEVER",
        "RERANKER",
        "TOOL",
        "AGENT",
        "GUARDRAIL",
        "EVALUATOR",
        "PROMPT",
        "UNKNOWN",
    }
)
# OpenInference's provider and system names, in the names ctxlint's provider data uses.
_PROVIDERS = {
    "aws": "bedrock",
    "amazon": "bedrock",
    "vertexai": "google",
    "google": "google",
    "mistralai": "mistral",
    "azure": "azure",
}


def is_openinference(attributes: dict[str, Any]) -> bool:
    """Whether a span's attributes follow OpenInference rather than the GenAI conventions."""
    return (
        _KIND in attributes or "llm" in attributes or any(k.startswith("llm.") for k in attributes)
    )


def flatten(
    attributes: dict[str, Any], at: str, places: dict[str, str] | None = None, prefix: str = ""
) -> dict[str, Any]:
    """The attributes under their flat dotted keys, whatever shape they were exported in;
    `places`, when given, gets the JSON pointer each flat key was read at (`at` the pointer
    of the attributes, `prefix` what their keys carry there)."""
    flat: dict[str, Any] = {}
    stack: list[tuple[str, Any, int, str]] = [
        (str(key), value, 0, child(at, prefix + str(key))) for key, value in attributes.items()
    ]
    while stack:
        key, value, depth, here = stack.pop()
        if depth > _MAX_DEPTH:
            raise TypeFault(at, f"the attributes at {at} are nested too deep to read")
        if isinstance(value, dict) and value and key.rsplit(".", 1)[-1] not in _WHOLE:
            stack.extend(
                (f"{key}.{inner}", item, depth + 1, child(here, inner))
                for inner, item in value.items()
            )
        elif isinstance(value, list) and value and all(type(item) is dict for item in value):
            # Lists of objects are lists of messages, tools or parts; a list of anything else
            # is one value (tags), or a value of the wrong type, reported where it is read.
            stack.extend(
                (f"{key}.{index}", item, depth + 1, child(here, index))
                for index, item in enumerate(value)
            )
        else:
            flat[key] = value
            if places is not None:
                places[key] = here
    return flat


def indexed(flat: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    """The items of a flattened list (`prefix.0.…`, `prefix.1.…`) in index order, each with
    its own keys."""
    items: dict[int, dict[str, Any]] = {}
    start = prefix + "."
    for key, value in flat.items():
        if key.startswith(start):
            position, _, field = key[len(start) :].partition(".")
            if position.isdigit() and len(position) < 7:
                items.setdefault(int(position), {})[field] = value
    return [items[position] for position in sorted(items)]


class _Span:
    """A span's flat attributes and where each was read, for faults."""

    def __init__(
        self,
        flat: dict[str, Any],
        attributes_at: str,
        prefix: str,
        places: dict[str, str] | None = None,
    ) -> None:
        self.flat = flat
        self.at = attributes_at
        self.prefix = prefix
        # Where each flat key was read (see flatten): nested objects and OTLP key/value
        # lists keep an attribute elsewhere than at its dotted key.
        self.places = places or {}

    def pointer(self, key: str) -> str:
        return self.places.get(key) or child(self.at, self.prefix + key)

    def text(self, key: str, item: dict[str, Any] | None = None, base: str = "") -> Any:
        found = (self.flat if item is None else item).get(key)
        if found is None or type(found) is str:
            return found
        raise typed.wrong_type(found, self.pointer(base + key), "string")

    def tokens(self, key: str) -> int | None:
        return typed.token_count(self.flat.get(key), self.pointer(key))


def span_request(
    path: str,
    line: int,
    pointer: str,
    span: dict[str, Any],
    attributes: dict[str, Any],
    attributes_at: str,
    prefix: str = "",
) -> Request | None:
    """The request an LLM span records; None for a span of another kind."""
    places: dict[str, str] = {}
    flat = flatten(attributes, attributes_at, places, prefix)
    recorded = span.get("attributes")
    if isinstance(recorded, list):
        # An OTLP key/value list, read as a dict: each attribute is at its position there.
        for key in attributes:
            if key in places:
                places[key] = attribute_at(recorded, attributes_at, key)
    reader = _Span(flat, attributes_at, prefix, places)
    kind = reader.text(_KIND) or typed.text(span, "span_kind", pointer)
    if kind is None or kind.upper() != "LLM":
        return None
    messages = [
        _message(reader, item, f"llm.input_messages.{position}.", Origin(line, where))
        for position, item in enumerate(indexed(reader.flat, "llm.input_messages"))
        # A finding about a message points at its role, the attribute every message has.
        for where in (reader.pointer(f"llm.input_messages.{position}.message.role"),)
    ]
    system: tuple[Block, ...] | None = None
    if messages and messages[0].role == "system":
        system, messages = messages[0].blocks, messages[1:]
    replies = indexed(reader.flat, "llm.output_messages")
    response = _message(reader, replies[0], "llm.output_messages.0.", None) if replies else None
    model = (
        reader.text("llm.model_name")
        or reader.text("llm.request.model_name")
        or reader.text("llm.response.model_name")
        or None
    )
    named = reader.text("llm.provider") or reader.text("llm.system")
    provider = _PROVIDERS.get(named, named) if named else provider_of_model(model)
    context = typed.mapping(span, "context", pointer) or {}
    session = reader.flat.get("session.id")
    if type(session) is int:
        session = str(session)
    elif session is not None and type(session) is not str:
        raise typed.wrong_type(session, reader.pointer("session.id"), "string")
    trace = (
        typed.identifier(context, "trace_id", child(pointer, "context"))
        or typed.identifier(span, "traceId", pointer)
        or typed.identifier(span, "context.trace_id", pointer)
    )
    start = next((k for k in ("startTimeUnixNano", "start_time") if k in span), "start_time")
    end = next((k for k in ("endTimeUnixNano", "end_time") if k in span), "end_time")
    return Request(
        path=path,
        origin=Origin(line, pointer),
        session=session or trace or "trace",
        format=NAME,
        messages=tuple(messages),
        timestamp=time_at(span, start, pointer),
        finished=time_at(span, end, pointer),
        provider=provider,
        model=model,
        system=system,
        tools=_tools(reader),
        response=response,
        usage=_usage(reader),
    )


def _message(reader: _Span, item: dict[str, Any], base: str, origin: Origin | None) -> Message:
    role = reader.text("message.role", item, base) or "user"
    content = item.get("message.content")
    if content is not None and type(content) is not str:
        content = typed.json_text(content, reader.pointer(base + "message.content"))
    blocks: list[Block] = []
    if role == "tool":
        parts = [content or ""] + [
            b.text for b in _contents(reader, item, base) if b.kind in (TEXT, OTHER)
        ]
        call_id = reader.text("message.tool_call_id", item, base) or ""
        blocks.append(Block(TOOL_RESULT, text="\n".join(p for p in parts if p), call_id=call_id))
    else:
        if content:
            where = reader.pointer(base + "message.content")
            blocks.append(Block(TEXT, text=content, pointer=where))
        blocks.extend(_contents(reader, item, base))
    for position, call in enumerate(indexed(item, "message.tool_calls")):
        here = f"{base}message.tool_calls.{position}."
        blocks.append(_call(reader, call, here, "tool_call."))
    legacy = reader.text("message.function_call_name", item, base)
    if legacy is not None:
        arguments = item.get("message.function_call_arguments_json", "")
        here = reader.pointer(base + "message.function_call_arguments_json")
        blocks.append(Block(TOOL_CALL, name=legacy, arguments=typed.json_text(arguments, here)))
    return message(role, blocks, origin)


def _contents(reader: _Span, item: dict[str, Any], base: str) -> list[Block]:
    blocks = []
    for position, part in enumerate(indexed(item, "message.contents")):
        here = f"{base}message.contents.{position}."
        kind = reader.text("message_content.type", part, here)
        if kind == "text":
            text = reader.text("message_content.text", part, here) or ""
            where = reader.pointer(here + "message_content.text")
            blocks.append(Block(TEXT, text=text, pointer=where))
        elif kind == "reasoning":
            thought = reader.text("message_content.text", part, here) or ""
            blocks.append(Block(THINKING, text=thought))
        elif kind == "tool_use":
            blocks.append(_call(reader, part, here, "tool_call."))
        elif kind in ("image", "audio", "file"):
            media = {k: v for k, v in part.items() if k != "message_content.type"}
            blocks.append(Block(MEDIA, text=media_hash(media, reader.pointer(here))))
        else:
            blocks.append(Block(OTHER, text=typed.json_text(part, reader.pointer(here))))
    return blocks


def _call(reader: _Span, call: dict[str, Any], base: str, key: str) -> Block:
    arguments = call.get(f"{key}function.arguments", "")
    return Block(
        TOOL_CALL,
        name=reader.text(f"{key}function.name", call, base) or "",
        call_id=reader.text(f"{key}id", call, base) or "",
        arguments=typed.json_text(arguments, reader.pointer(f"{base}{key}function.arguments")),
    )


def _tools(reader: _Span) -> tuple[Tool, ...] | None:
    found = indexed(reader.flat, "llm.tools")
    if not found:
        # Instrumentations leave the attribute out when no tools were sent, and when they
        # did not look: which one is not told.
        return None
    tools = []
    for position, item in enumerate(found):
        here = reader.pointer(f"llm.tools.{position}.tool.json_schema")
        schema = item.get("tool.json_schema")
        definition = decode_json_text(schema) if isinstance(schema, str) else schema
        if definition is None:
            definition = schema
        definition = typed.shallow(definition, here)
        name = ""
        if isinstance(definition, dict):
            function = definition.get("function")
            inner = function if isinstance(function, dict) else definition
            name = inner.get("name") if isinstance(inner.get("name"), str) else ""
        tools.append(tool(name, definition, None, here))
    return tuple(tools)


def _usage(reader: _Span) -> Usage | None:
    prompt = reader.tokens("llm.token_count.prompt")
    if prompt is None:
        return None
    read = reader.tokens("llm.token_count.prompt_details.cache_read")
    written = reader.tokens("llm.token_count.prompt_details.cache_write")
    if prompt < (read or 0) + (written or 0):
        prompt = whole_prompt(prompt, read, written, reader.pointer("llm.token_count.prompt"))
    output = reader.tokens("llm.token_count.completion")
    raw = {k: v for k, v in reader.flat.items() if k.startswith("llm.token_count.")}
    return Usage(prompt, read, written, output, typed.shallow(raw, reader.at))


# --- Phoenix's own span JSON and span dataframes -------------------------------------------------


def _record_parts(value: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """A span's attributes and the prefix their keys have in it: a span with an `attributes`
    object, or a dataframe row with `attributes.*` columns."""
    attributes = value.get("attributes")
    if isinstance(attributes, dict):
        return attributes, ""
    columns = {k[len("attributes.") :]: v for k, v in value.items() if k.startswith("attributes.")}
    return (columns, "attributes.") if columns else None


def _accepts(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    found = _record_parts(value)
    if found is None or "resourceSpans" in value:
        return False
    marked = (
        "span_kind" in value
        or "context" in value
        or "context.span_id" in value
        or "spanId" in value
    )
    # Phoenix moves the span kind out of the attributes: a chain or tool span may then hold
    # no attribute of the conventions at all, and is still a line of the same export.
    kind = value.get("span_kind")
    return marked and (
        is_openinference(found[0]) or (isinstance(kind, str) and kind in _SPAN_KINDS)
    )


def _span_request(path: str, line: int, pointer: str, span: dict[str, Any]) -> Request | None:
    found = _record_parts(span)
    if found is None:
        return None
    attributes, prefix = found
    attributes_at = pointer if prefix else child(pointer, "attributes")
    if "context.trace_id" in span and "context" not in span:
        span = dict(span, context={"trace_id": span["context.trace_id"]})
    return span_request(path, line, pointer, span, attributes, attributes_at, prefix)


def _parse(path: str, line: Line) -> Iterable[Request | Problem]:
    request = _span_request(path, line.number, "", line.value)
    return [request] if request is not None else []


def _recognises(path: str, head: bytes) -> bool:
    return b'"openinference.span.kind"' in head or (
        b'"span_kind"' in head and (b'"llm.' in head or b'"attributes.llm.' in head)
    )


def _read_document(path: str, document: Any) -> Iterator[Request | Problem | TypeFault]:
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        spans, at = document["data"], "/data"
    elif isinstance(document, list):
        spans, at = document, ""
    elif isinstance(document, dict):
        spans, at = [document], None
    else:
        yield Problem(1, "not an OpenInference export: no span, span list or `data` list")
        return
    found: list[Request] = []
    nested = _nested_agents(spans)
    for position, span in enumerate(spans):
        pointer = "" if at is None else f"{at}/{position}"
        try:
            if type(span) is not dict:
                raise typed.wrong_type(span, pointer, "object")
            request = _span_request(path, 0, pointer, span)
        except TypeFault as fault:
            yield fault
            continue
        if request is not None:
            agent = nested.get(_span_id(span))
            if agent is not None:
                request.session = f"{request.session}/{agent}"
            found.append(request)
    # Exports list spans newest first, or as they ended: order each session by start.
    found.sort(key=lambda r: (r.timestamp is None, r.timestamp or 0))
    yield from found


def _span_id(span: Any) -> Any:
    if not isinstance(span, dict):
        return None
    context = span.get("context")
    found = context.get("span_id") if isinstance(context, dict) else None
    found = found or span.get("spanId") or span.get("context.span_id")
    return found if isinstance(found, str) else None


def _nested_agents(spans: list[Any]) -> dict[str, str]:
    """For each span run inside an agent that another agent called (a sub-agent), that agent
    as `name:span id`. A session holds the main agent's conversation and each sub-agent's
    own: they share no history, so each is a session of its own, as Claude Code's are."""
    parents: dict[str, tuple[Any, Any, Any]] = {}
    for span in spans:
        key = _span_id(span)
        if key is not None:
            attributes = span.get("attributes")
            kind = span.get("span_kind") or (
                attributes.get(_KIND) if isinstance(attributes, dict) else None
            )
            parents[key] = (
                span.get("parent_id") or span.get("parentSpanId"),
                kind,
                span.get("name"),
            )
    found: dict[str, str] = {}
    for key in parents:
        agents: list[str] = []
        seen = {key}
        current = parents[key][0]
        # Bounded: a parent link that loops, or a chain deeper than any agent nests.
        while isinstance(current, str) and current in parents and current not in seen:
            if len(seen) > 256:
                break
            seen.add(current)
            parent, kind, name = parents[current]
            if kind == "AGENT":
                agents.append(f"{name if isinstance(name, str) else 'agent'}:{current}")
            current = parent
        if len(agents) >= 2:
            found[key] = agents[0]
    return found


LINES_FORMAT = LineFormat(
    NAME,
    "OpenInference spans as JSON lines (Phoenix span JSON, or span dataframe rows)",
    _accepts,
    stand_alone_lines(_parse),
)
DOCUMENT_FORMAT = DocumentFormat(
    NAME + "-document",
    "OpenInference spans as one JSON document (Phoenix `/v1/.../spans`, a span list)",
    _recognises,
    _read_document,
)
