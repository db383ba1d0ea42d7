"""Langfuse trace exports: the trace view's download (`{"trace": ..., "observations": [...]}`),
the public API's trace (`GET /api/public/traces/{id}`, a trace with its `observations`) and
observation lists (`GET /api/public/observations`, v1 and v2: `{"data": [...]}`), and
observations one per line.

Each `GENERATION` observation is a request: its `input` is what the integration recorded as
sent (OpenAI-style messages, Anthropic-style content, or `{"messages", "tools", "system"}`),
often as JSON text, encoded again at each export. The session is the trace's `sessionId`, else
the trace.

Langfuse keeps usage as disjoint parts: `usageDetails.input` is what was neither read from nor
written to the cache, and `input_cached_tokens` (OpenAI), `input_cache_read` (LangChain),
`cache_read_input_tokens` (Anthropic) and the other `input…` types are the rest, which its UI
sums into the input. The whole prompt is that sum; the older `usage.input` is taken as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import DocumentFormat, LineFormat, stand_alone_lines
from ctxlint.trace.formats.common import (
    anthropic_blocks,
    child,
    openai_chat_message,
    openai_tools,
    provider_of_model,
    time_at,
)
from ctxlint.trace.model import (
    OTHER,
    TEXT,
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

NAME = "langfuse"
_OBSERVATION_TYPES = frozenset(
    {
        "GENERATION",
        "SPAN",
        "EVENT",
        "AGENT",
        "TOOL",
        "CHAIN",
        "RETRIEVER",
        "EVALUATOR",
        "EMBEDDING",
        "GUARDRAIL",
    }
)
# Content parts only Anthropic's shape has: such content is read as Anthropic's.
_ANTHROPIC_PARTS = frozenset(
    {"tool_use", "tool_result", "thinking", "redacted_thinking", "server_tool_use"}
)
_CACHE_READS = ("input_cached_tokens", "input_cache_read", "cache_read_input_tokens")
_CACHE_WRITES = ("input_cache_creation", "cache_creation_input_tokens", "input_cache_write")
# Exports encode input and output as JSON text, sometimes more than once.
_MAX_DECODES = 4


def _decoded(value: Any, at: str) -> Any:
    for _ in range(_MAX_DECODES):
        if not isinstance(value, str) or value[:1] not in ("{", "[", '"'):
            break
        inner = decode_json_text(value)
        if inner is None:
            break
        value = inner
    return typed.shallow(value, at)


def _text(value: dict[str, Any], *keys: str, at: str) -> Any:
    """The first of several spellings of a text field (the API's camelCase, exports' snake)."""
    for key in keys:
        if value.get(key) is not None:
            return typed.text(value, key, at)
    return None


def observation_request(
    path: str, line: int, pointer: str, observation: dict[str, Any], session: str | None
) -> Request | None:
    """The request a GENERATION observation records; None for any other observation."""
    if observation.get("type") != "GENERATION":
        return None
    trace = _text(observation, "traceId", "trace_id", at=pointer)
    own_session = _text(observation, "sessionId", "session_id", at=pointer)
    body = _decoded(observation.get("input"), child(pointer, "input"))
    messages, system, tools = _input(body, line, child(pointer, "input"))
    if tools is None:
        tools = _tool_definitions(observation, pointer)
    model = _text(observation, "model", "providedModelName", "provided_model_name", at=pointer)
    metadata = _decoded(observation.get("metadata"), child(pointer, "metadata"))
    named = metadata.get("ls_provider") if isinstance(metadata, dict) else None
    provider = provider_of_model(model, named if isinstance(named, str) else None)
    start = "startTime" if "startTime" in observation else "start_time"
    end = "endTime" if "endTime" in observation else "end_time"
    reply = _decoded(observation.get("output"), child(pointer, "output"))
    return Request(
        path=path,
        origin=Origin(line, pointer),
        session=session or own_session or trace or "trace",
        format=NAME,
        messages=messages,
        timestamp=time_at(observation, start, pointer),
        finished=time_at(observation, end, pointer),
        provider=provider,
        model=model or None,
        system=system,
        tools=tools,
        response=_response(reply, child(pointer, "output")),
        usage=_usage(observation, pointer),
    )


def _input(body: Any, line: int, at: str) -> tuple[tuple[Message, ...], Any, Any]:
    """(messages, system blocks or None, tools or None) from what the integration recorded."""
    tools = None
    system: tuple[Block, ...] | None = None
    items: Any = body
    items_at = at
    if isinstance(body, dict) and "messages" in body:
        items_at = child(at, "messages")
        items = body["messages"]
        key = "tools" if "tools" in body else "functions"
        tools = openai_tools(body.get(key), child(at, key))
        if body.get("system") is not None:
            system = tuple(anthropic_blocks(body["system"], child(at, "system")))
    elif isinstance(body, dict) and "role" in body:
        items = [body]
    if isinstance(items, str):
        return (message("user", [Block(TEXT, text=items)], Origin(line, at)),), system, tools
    if not isinstance(items, list):
        if items is None:
            return (), system, tools
        blocks = [Block(OTHER, text=typed.json_text(items, at))]
        return (message("user", blocks, Origin(line, at)),), system, tools
    messages = []
    for position, item in enumerate(items):
        here = child(items_at, position)
        messages.append(_message(item, Origin(line, here), here))
    head = 0
    while system is None and head < len(messages) and messages[head].role == "system":
        head += 1
    if head:
        system = tuple(block for found in messages[:head] for block in found.blocks)
    return tuple(messages[head:]), system, tools


def _tool_definitions(observation: dict[str, Any], pointer: str) -> tuple[Tool, ...] | None:
    """The tools Langfuse found in the request (`toolDefinitions`, by name), when the input
    did not keep them; none found is not told apart from none sent."""
    definitions = _decoded(observation.get("toolDefinitions"), child(pointer, "toolDefinitions"))
    if not isinstance(definitions, dict) or not definitions:
        return None
    at = child(pointer, "toolDefinitions")
    return tuple(
        tool(str(name), _decoded(item, child(at, str(name))), None, child(at, str(name)))
        for name, item in definitions.items()
    )


def _message(item: Any, origin: Origin | None, at: str) -> Message:
    if isinstance(item, str):
        return message("user", [Block(TEXT, text=item)], origin)
    if type(item) is not dict:
        raise typed.wrong_type(item, at, "object or string")
    content = item.get("content")
    if isinstance(content, list) and any(
        isinstance(part, dict)
        and isinstance(part.get("type"), str)
        and part["type"] in _ANTHROPIC_PARTS
        for part in content
    ):
        role = typed.text(item, "role", at) or "user"
        return message(role, anthropic_blocks(content, child(at, "content")), origin)
    calls = item.get("tool_calls")
    if isinstance(calls, list) and any(
        isinstance(c, dict) and "args" in c and "function" not in c for c in calls
    ):
        # LangChain's calls (`{"name", "args", "id"}`), in the shape the reader knows.
        spelled = [
            {"id": c.get("id"), "name": c.get("name"), "arguments": c.get("args")}
            if isinstance(c, dict)
            else c
            for c in calls
        ]
        item = dict(item, tool_calls=spelled)
    return openai_chat_message(item, origin, at)


def _response(reply: Any, at: str) -> Message | None:
    if reply is None:
        return None
    if isinstance(reply, str):
        return message("assistant", [Block(TEXT, text=reply)], None)
    if isinstance(reply, dict) and "role" in reply:
        return _message(reply, None, at)
    if isinstance(reply, dict) and isinstance(reply.get("choices"), list) and reply["choices"]:
        first = reply["choices"][0]
        if isinstance(first, dict) and isinstance(first.get("message"), dict):
            return _message(first["message"], None, child(at, "choices", 0, "message"))
    return message("assistant", [Block(OTHER, text=typed.json_text(reply, at))], None)


def _usage(observation: dict[str, Any], pointer: str) -> Usage | None:
    key = "usageDetails" if "usageDetails" in observation else "usage_details"
    details = typed.mapping(observation, key, pointer)
    if details:
        return _details_usage(details, child(pointer, key))
    legacy = typed.mapping(observation, "usage", pointer)
    if not legacy:
        return None
    at = child(pointer, "usage")
    prompt = typed.tokens(legacy, "input", at)
    if prompt is None:
        return None
    output = typed.tokens(legacy, "output", at)
    return Usage(prompt, None, None, output, typed.shallow(legacy, at))


def _details_usage(details: dict[str, Any], at: str) -> Usage | None:
    counts = {key: typed.tokens(details, key, at) for key in details}
    inputs = [key for key in counts if _input_part(key)]
    if not inputs:
        return None
    prompt = typed.token_count(sum(counts[k] or 0 for k in inputs), child(at, "input"))
    read = next((counts[k] for k in _CACHE_READS if counts.get(k) is not None), None)
    if read is None and any(k.startswith("cached_modality_") for k in counts):
        read = sum(counts[k] or 0 for k in counts if k.startswith("cached_modality_"))
    written = next((counts[k] for k in _CACHE_WRITES if counts.get(k) is not None), None)
    outputs = [k for k in counts if "output" in k and "priority" not in k]
    output = (
        typed.token_count(sum(counts[k] or 0 for k in outputs), child(at, "output"))
        if outputs
        else None
    )
    return Usage(prompt, read, written, output, typed.shallow(details, at))


def _input_part(key: str) -> bool:
    """Whether a usage type is one of the disjoint parts of the prompt."""
    if "priority" in key:
        return False
    if key.startswith("cache_creation_") and key != "cache_creation_input_tokens":
        # Anthropic's split of the cache write by TTL, beside its total.
        return False
    return "input" in key or key.startswith("cached_modality_")


# --- Files -------------------------------------------------------------------------------------


def _observations(value: Any, at: str) -> tuple[list[Any], str] | None:
    """(observations, their pointer) of one export value, or None when it holds none."""
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("observations"), list):
        return value["observations"], child(at, "observations")
    if isinstance(value.get("data"), list):
        return value["data"], child(at, "data")
    return None


def _session(value: dict[str, Any], at: str) -> str | None:
    """The session of the trace an export of observations belongs to."""
    trace = value.get("trace")
    if isinstance(trace, dict):
        return _text(trace, "sessionId", "session_id", at=child(at, "trace"))
    if "observations" in value:
        return _text(value, "sessionId", "session_id", at=at)
    return None


def _requests(path: str, line: int, value: Any, at: str) -> Iterator[Request | TypeFault]:
    if _is_observation(value):
        observations, observations_at, session = [value], None, None
    else:
        found = _observations(value, at)
        if found is None:
            return
        observations, observations_at = found
        try:
            session = _session(value, at)
        except TypeFault as fault:
            # Each generation falls back to its own session, or its trace.
            yield fault
            session = None
    requests: list[Request] = []
    for position, observation in enumerate(observations):
        here = at if observations_at is None else child(observations_at, position)
        try:
            if type(observation) is not dict:
                raise typed.wrong_type(observation, here, "object")
            request = observation_request(path, line, here, observation, session)
        except TypeFault as fault:
            yield fault
            continue
        if request is not None:
            requests.append(request)
    requests.sort(key=lambda r: (r.timestamp is None, r.timestamp or 0))
    yield from requests


def _is_observation(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("type"), str)
        and value["type"] in _OBSERVATION_TYPES
        and ("startTime" in value or "start_time" in value)
    )


def _accepts(value: Any) -> bool:
    if _is_observation(value):
        return True
    return (
        isinstance(value, dict)
        and isinstance(value.get("observations"), list)
        and ("htmlPath" in value or "trace" in value or "timestamp" in value)
    )


def _parse(path: str, line: Line) -> Iterable[Request | Problem]:
    return [
        Problem(line.number, item.reason) if isinstance(item, TypeFault) else item
        for item in _requests(path, line.number, line.value, "")
    ]


def _recognises(path: str, head: bytes) -> bool:
    if b'"observations"' in head:
        return any(m in head for m in (b'"traceId"', b'"htmlPath"', b'"projectId"', b'"trace"'))
    return (b'"traceId"' in head and b'"startTime"' in head and b'"type"' in head) or (
        b'"trace"' in head and b'"projectId"' in head and b'"bookmarked"' in head
    )


def _read(path: str, document: Any) -> Iterator[Request | Problem | TypeFault]:
    if isinstance(document, list):
        for position, item in enumerate(document):
            here = f"/{position}"
            if _is_observation(item):
                try:
                    request = observation_request(path, 0, here, item, None)
                except TypeFault as fault:
                    yield fault
                    continue
                if request is not None:
                    yield request
            else:
                yield from _requests(path, 0, item, here)
        return
    if _observations(document, "") is None:
        yield Problem(1, "not a Langfuse export: no `observations` or `data` list")
        return
    yield from _requests(path, 0, document, "")


FORMAT = LineFormat(
    NAME,
    "Langfuse observations or traces, one per line",
    _accepts,
    stand_alone_lines(_parse),
)
DOCUMENT_FORMAT = DocumentFormat(
    NAME + "-document",
    "Langfuse trace exports (the trace view's download, the public API's traces and observations)",
    _recognises,
    _read,
)
