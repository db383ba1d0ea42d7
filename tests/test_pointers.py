"""Where a trace finding points: each reader records the JSON pointer of the system prompt's
text and of each tool definition, so `Request.system_pointer` and `tool_pointer` name the
string (and the character in it) that differs, whatever shape the format gives it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from ctxlint.config import Settings
from ctxlint.registry import select_rules
from ctxlint.trace.checker import TraceChecker
from ctxlint.trace.loader import TraceReader
from ctxlint.trace.model import Request
from ctxlint.trace.yaml_document import load_yaml

from conftest import SHARED

_HISTORY = [{"role": "user", "content": "Where is my order?"}]
_PREAMBLE = "You are the support agent for Acme. Answer briefly and cite the order number."


def _resolve(document, pointer: str):
    """The value a JSON pointer (RFC 6901) names in `document`; a pointer that goes on into
    a string goes into the JSON it holds, as readers name places in bodies kept as text."""
    value = document
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, str):
            value = json.loads(value)
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value


def _requests(tmp_path, *bodies) -> list[Request]:
    path = tmp_path / "trace.jsonl"
    path.write_text("".join(json.dumps(body) + "\n" for body in bodies), encoding="utf-8")
    return [item for item in TraceReader(str(path)) if isinstance(item, Request)]


def _canonical(system) -> dict:
    return {"ctxlint": 1, "session": "s", "model": "m", "system": system, "messages": _HISTORY}


def _anthropic(system) -> dict:
    return {"model": "claude-sonnet-4-5", "max_tokens": 64, "system": system, "messages": _HISTORY}


def _chat(content) -> dict:
    messages = [{"role": "system", "content": content}, *_HISTORY]
    return {"model": "gpt-4.1", "messages": messages}


_TWO_BLOCKS = [
    {"type": "text", "text": _PREAMBLE},
    {"type": "text", "text": "Relevant memories:\n- likes tea"},
]
# Chat Completions content parts have the same shape as Anthropic text blocks.
_TWO_PARTS = _TWO_BLOCKS

# A request body of each format, and the pointer of the string that holds "likes tea".
CASES = {
    "canonical-string": (_canonical(_PREAMBLE + "\nRelevant memories:\n- likes tea"), "/system"),
    "canonical-blocks": (_canonical(_TWO_BLOCKS), "/system/1/text"),
    "anthropic-string": (_anthropic(_PREAMBLE + "\nRelevant memories:\n- likes tea"), "/system"),
    "anthropic-blocks": (_anthropic(_TWO_BLOCKS), "/system/1/text"),
    "anthropic-envelope": (
        {"request": _anthropic(_TWO_BLOCKS), "response": {"content": []}},
        "/request/system/1/text",
    ),
    "openai-chat-string": (
        _chat(_PREAMBLE + "\nRelevant memories:\n- likes tea"),
        "/messages/0/content",
    ),
    "openai-chat-parts": (_chat(_TWO_PARTS), "/messages/0/content/1/text"),
    "openai-responses": (
        {
            "model": "gpt-5",
            "instructions": _PREAMBLE + "\nRelevant memories:\n- likes tea",
            "input": _HISTORY,
        },
        "/instructions",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_system_pointer_names_the_string_that_holds_the_text(tmp_path, name):
    body, expected = CASES[name]
    [request] = _requests(tmp_path, body)
    text = request.system_text() or ""
    offset = text.index("likes tea")
    pointer, inside = request.system_pointer(offset)
    assert pointer == expected
    assert _resolve(body, pointer)[inside:].startswith("likes tea")


def test_an_openai_system_prompt_in_two_messages_points_into_the_second(tmp_path):
    body = _chat(_PREAMBLE)
    body["messages"].insert(1, {"role": "developer", "content": "Todo:\n- [ ] refund"})
    [request] = _requests(tmp_path, body)
    text = request.system_text() or ""
    pointer, inside = request.system_pointer(text.index("refund"))
    assert pointer == "/messages/1/content"
    assert _resolve(body, pointer)[inside:] == "refund"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {
                **_anthropic(_PREAMBLE),
                "tools": [
                    {"name": "search", "input_schema": {"type": "object"}},
                    {"name": "lookup", "input_schema": {"type": "object"}},
                ],
            },
            "/tools/1",
        ),
        (
            {
                **_chat(_PREAMBLE),
                "tools": [
                    {"type": "function", "function": {"name": "search", "parameters": {}}},
                    {"type": "function", "function": {"name": "lookup", "parameters": {}}},
                ],
            },
            "/tools/1",
        ),
    ],
    ids=["anthropic", "openai-chat"],
)
def test_the_tool_pointer_names_the_definition(tmp_path, body, expected):
    [request] = _requests(tmp_path, body)
    assert request.tool_pointer("lookup") == expected
    definition = _resolve(body, expected)
    assert (definition.get("function") or definition)["name"] == "lookup"


def _findings(tmp_path, code: str, *bodies):
    path = tmp_path / "session.jsonl"
    path.write_text("".join(json.dumps(body) + "\n" for body in bodies), encoding="utf-8")
    checker = TraceChecker(Settings(), select_rules([code], [], []))
    return [d for d in checker.check_file(str(path)).diagnostics if d.code == code]


def _turns(make, systems):
    """Requests of one session, each a turn longer, sending these system prompts."""
    bodies = []
    for turn, system in enumerate(systems):
        body = make(system)
        history = []
        for earlier in range(turn + 1):
            history.append({"role": "user", "content": f"question {earlier}"})
            if earlier < turn:
                history.append({"role": "assistant", "content": f"answer {earlier}"})
        if "messages" in body and body["messages"] and body["messages"][0]["role"] == "system":
            body["messages"] = [body["messages"][0], *history]
        else:
            body["messages"] = history
        bodies.append(body)
    return bodies


def test_a_rebuilt_section_of_an_openai_system_message_is_pointed_at(tmp_path):
    systems = [
        [{"type": "text", "text": _PREAMBLE + "\nRelevant memories:\n- " + fact}]
        for fact in ("likes tea", "ordered a kettle")
    ]
    bodies = _turns(_chat, systems)
    [found] = _findings(tmp_path, "CTX011", *bodies)
    assert found.pointer == "/messages/0/content/0/text"
    assert _resolve(bodies[1], found.pointer)[found.offset :] == "ordered a kettle"
    [previous] = found.related
    assert previous.pointer == "/messages/0/content/0/text"


def test_a_rebuilt_tool_description_is_pointed_at_inside_the_function(tmp_path):
    def chat_with_tool(description):
        body = _chat(_PREAMBLE)
        function = {"name": "lookup", "description": description, "parameters": {}}
        body["tools"] = [{"type": "function", "function": function}]
        return body

    descriptions = [
        "Look up an order.\n<context>\nOrder 1 shipped yesterday</context>",
        "Look up an order.\n<context>\nOrder 2 lost in transit</context>",
    ]
    bodies = _turns(chat_with_tool, descriptions)
    [found] = _findings(tmp_path, "CTX011", *bodies)
    assert found.pointer == "/tools/0/function/description"
    assert _resolve(bodies[1], found.pointer)[found.offset :].startswith("2 lost")


def test_reordered_lines_of_a_system_prompt_are_pointed_at_the_first_that_moved(tmp_path):
    systems = [
        "You can use these tools:\n- search\n- browse\n- shell",
        "You can use these tools:\n- shell\n- search\n- browse",
    ]
    bodies = _turns(_anthropic, systems)
    [found] = _findings(tmp_path, "CTX003", *bodies)
    assert found.pointer == "/system"
    assert _resolve(bodies[1], "/system")[found.offset :].startswith("- shell")


_SHARED_TRACES = SHARED / "traces"
_FIXTURES = Path(__file__).parent.parent / "fixtures" / "trace"
# Codex records the instructions once, in session_meta: on another line than the event that
# stands for each request, so no pointer into the request's line holds them.
_ELSEWHERE = {"codex"}


def _recorded(path: Path):
    """What was recorded in a trace file, for a request read at a line: that line's value, or
    the whole document's."""
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    if path.name.endswith((".jsonl", ".jsonl.gz")):
        lines = data.splitlines()
        return lambda request: json.loads(lines[request.origin.line - 1])
    document = load_yaml(data).value if path.suffix == ".yaml" else json.loads(data)
    return lambda request: document


def _system_pointers_checked(folder: Path) -> int:
    """How many system pointers of the requests of the traces under `folder` were checked;
    each must name the recorded text the system prompt holds at that offset."""
    checked = 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or not path.name.endswith((".jsonl", ".json", ".yaml", ".gz")):
            continue
        requests = [i for i in TraceReader(str(path)) if isinstance(i, Request)]
        requests = [r for r in requests if r.system and r.format not in _ELSEWHERE]
        recorded_at = _recorded(path) if requests else None
        for request in requests:
            recorded = recorded_at(request)
            text = request.system_text() or ""
            for offset in (0, len(text) // 2, len(text) - 1):
                pointer, inside = request.system_pointer(offset)
                found = _resolve(recorded, pointer)
                assert found[inside : inside + 20] == text[offset : offset + 20], (path, pointer)
                checked += 1
    return checked


def test_system_pointers_of_the_fixture_traces_name_the_recorded_text():
    assert _system_pointers_checked(_FIXTURES)


@pytest.mark.skipif(not _SHARED_TRACES.is_dir(), reason="../shared/traces is not here")
def test_system_pointers_of_real_traces_name_the_recorded_text():
    assert _system_pointers_checked(_SHARED_TRACES)


def test_reserialised_arguments_are_pointed_at_where_they_were_read(tmp_path):
    def chat(arguments, turns):
        function = {"name": "read", "arguments": arguments}
        call = {"id": "c1", "type": "function", "function": function}
        messages = [
            {"role": "user", "content": "Open a.txt"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "c1", "content": "hello"},
        ]
        if turns > 1:
            messages += [
                {"role": "assistant", "content": "It says hello"},
                {"role": "user", "content": "Thanks"},
            ]
        return {"model": "gpt-4.1", "messages": messages}

    bodies = [chat('{"path": "a.txt", "mode": "r"}', 1), chat('{"mode": "r", "path": "a.txt"}', 2)]
    [found] = _findings(tmp_path, "CTX002", *bodies)
    assert found.pointer == "/messages/1/tool_calls/0/function/arguments"
    assert _resolve(bodies[1], found.pointer) == '{"mode": "r", "path": "a.txt"}'
    [previous] = found.related
    assert _resolve(bodies[0], previous.pointer) == '{"path": "a.txt", "mode": "r"}'


def _otlp_span(turn: int, system: str, tools: list[str]) -> dict:
    """One OTLP/JSON export line: span attributes as a list of key/value objects, the GenAI
    messages, instructions and tool definitions each a JSON text in a `stringValue`."""
    parts = [[{"type": "text", "content": f"q{n}"}] for n in range(turn)]
    history = [{"role": "user", "parts": part} for part in parts]
    definitions = [{"type": "function", "name": name, "parameters": {}} for name in tools]
    attributes = {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-4.1",
        "gen_ai.conversation.id": "conversation-1",
        "gen_ai.system_instructions": json.dumps([{"type": "text", "content": system}]),
        "gen_ai.input.messages": json.dumps(history),
        "gen_ai.tool.definitions": json.dumps(definitions),
    }
    span = {
        "traceId": "5b8efff798038103d269b633813fc60c",
        "spanId": f"{turn:016x}",
        "name": "chat gpt-4.1",
        "startTimeUnixNano": str(1772359200000000000 + turn * 10**9),
        "attributes": [{"key": k, "value": {"stringValue": v}} for k, v in attributes.items()],
    }
    return {"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]}


def test_otlp_attribute_pointers_name_the_entry_in_the_key_value_list(tmp_path):
    bodies = [
        _otlp_span(1, _PREAMBLE + " Now: 2026-03-01T10:00:01Z", ["a_x", "a_y", "a_z"]),
        _otlp_span(2, _PREAMBLE + " Now: 2026-03-01T10:00:09Z", ["a_z", "a_y", "a_x"]),
    ]
    [clock] = _findings(tmp_path, "CTX001", *bodies)
    # The offset is where the quoted span starts, the whole timestamp, as CTX011's and CTX003's.
    assert _resolve(bodies[1], clock.pointer)[clock.offset :].startswith("2026-03-01T10:00:09Z")
    [order] = _findings(tmp_path, "CTX003", *bodies)
    assert _resolve(bodies[1], order.pointer)["name"] == "a_z"
    [previous] = order.related
    assert _resolve(bodies[0], previous.pointer)["name"] in {"a_x", "a_y", "a_z"}


@pytest.mark.parametrize(
    ("make", "before", "after", "expected"),
    [
        (_anthropic, ["a_x", "a_y"], None, ""),
        (_chat, ["a_x", "a_y"], [], ""),
    ],
    ids=["anthropic-tools-gone", "openai-tools-emptied"],
)
def test_a_tool_list_emptied_is_pointed_at_a_place_that_exists(
    tmp_path, make, before, after, expected
):
    def with_tools(names):
        body = make(_PREAMBLE)
        if names is not None and make is _anthropic:
            body["tools"] = [{"name": n, "input_schema": {"type": "object"}} for n in names]
        elif names is not None:
            body["tools"] = [
                {"type": "function", "function": {"name": n, "parameters": {}}} for n in names
            ]
        return body

    bodies = _turns(lambda names: with_tools(names), [before, after])
    [found] = _findings(tmp_path, "CTX004", *bodies)
    assert found.pointer == expected
    _resolve(bodies[1], found.pointer)


def test_a_litellm_tool_list_is_pointed_at_under_its_model_parameters(tmp_path):
    def logged(turn: int, names: list[str]) -> dict:
        messages = [{"role": "system", "content": _PREAMBLE}, *_HISTORY * (2 * turn + 1)]
        tools = [{"type": "function", "function": {"name": n, "parameters": {}}} for n in names]
        return {
            "id": f"chatcmpl-{turn}",
            "call_type": "completion",
            "model": "gpt-4.1-mini",
            "startTime": 1772359200.0 + turn,
            "metadata": {"requester_metadata": {"session_id": "ticket-4711"}},
            "messages": messages,
            "response": {"choices": [{"message": {"role": "assistant", "content": "ok"}}]},
            "model_parameters": {"tools": tools},
        }

    bodies = [logged(0, ["kb_search", "kb_read", "kb_close"]), logged(1, ["kb_search", "kb_read"])]
    [found] = _findings(tmp_path, "CTX004", *bodies)
    assert found.pointer == "/model_parameters/tools"
    assert len(_resolve(bodies[1], found.pointer)) == 2


def test_otlp_event_attribute_pointers_name_the_entry_in_the_key_value_list(tmp_path):
    def event(name: str, content: str) -> dict:
        return {"name": name, "attributes": [{"key": "content", "value": {"stringValue": content}}]}

    def span(turn: int, clock: str) -> dict:
        events = [event("gen_ai.system.message", f"{_PREAMBLE} Now: {clock}")]
        events += [event("gen_ai.user.message", f"question {n}") for n in range(turn + 1)]
        attributes = [
            {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
            {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}},
        ]
        body = {
            "traceId": "5b8efff798038103d269b633813fc60c",
            "spanId": f"{turn:016x}",
            "startTimeUnixNano": str(1772359200000000000 + turn * 10**9),
            "attributes": attributes,
            "events": events,
        }
        return {"resourceSpans": [{"scopeSpans": [{"spans": [body]}]}]}

    bodies = [span(0, "2026-03-01T10:00:01Z"), span(1, "2026-03-01T10:00:09Z")]
    [found] = _findings(tmp_path, "CTX001", *bodies)
    assert _resolve(bodies[1], found.pointer)[found.offset :].startswith("2026-03-01T10:00:09Z")


@pytest.mark.parametrize("name", ["ctx006/gemini_cli_rewind.jsonl", "ctx006/pi_compaction.jsonl"])
def test_a_message_read_from_another_line_is_not_pointed_at_in_the_requests_line(name):
    # Transcripts that write one message a line keep message N on a line of its own: a
    # pointer such as /messages/4 into the request's line names nothing (or something else).
    path = _FIXTURES / name
    settings = Settings(harness_findings=True)
    checker = TraceChecker(settings, select_rules(["CTX006"], [], []))
    [found] = checker.check_file(str(path)).diagnostics
    lines = path.read_text(encoding="utf-8").splitlines()
    _resolve(json.loads(lines[found.start.line - 1]), found.pointer)
    for related in found.related:
        _resolve(json.loads(lines[related.start.line - 1]), related.pointer or "")


def test_a_claude_code_message_on_an_earlier_line_is_not_named_by_a_pointer_into_this_one():
    path = _FIXTURES / "clean" / "claude_code_without_request_ids.jsonl"
    request = [i for i in TraceReader(str(path)) if isinstance(i, Request)][-1]
    assert request.messages[0].origin.line != request.origin.line
    # "/message" there would be this line's own message (the reply), not message 0.
    assert request.message_pointer(0) == request.origin.pointer


def _openinference_attributes(clock: str, turns: int) -> dict:
    found = {
        "openinference.span.kind": "LLM",
        "llm.provider": "anthropic",
        "llm.model_name": "claude-sonnet-4-5",
        "session.id": "chat-4411",
        "llm.input_messages.0.message.role": "system",
        "llm.input_messages.0.message.content": f"{_PREAMBLE} Now: {clock}",
    }
    for turn in range(turns):
        found[f"llm.input_messages.{turn + 1}.message.role"] = "user"
        found[f"llm.input_messages.{turn + 1}.message.content"] = f"question {turn}"
    return found


def _nested(flat: dict) -> dict:
    """The attributes as some SDKs export them: messages a list of nested objects."""
    nested = {k: v for k, v in flat.items() if not k.startswith("llm.input_messages.")}
    count = sum(1 for k in flat if k.endswith(".message.role"))
    nested["llm.input_messages"] = [
        {
            "message": {
                "role": flat[f"llm.input_messages.{n}.message.role"],
                "content": flat[f"llm.input_messages.{n}.message.content"],
            }
        }
        for n in range(count)
    ]
    return nested


@pytest.mark.parametrize("shape", ["otlp", "nested"])
def test_openinference_pointers_name_where_the_attribute_is(tmp_path, shape):
    def body(turn: int, clock: str) -> dict:
        attributes = _openinference_attributes(clock, 2 * turn + 1)
        if shape == "nested":
            return {
                "name": "Messages",
                "context": {"trace_id": "7f3c2a1e9b8d4c6fa0e1d2c3b4a59687", "span_id": f"{turn}"},
                "span_kind": "LLM",
                "start_time": f"2026-04-02T14:20:0{turn}.000000+00:00",
                "attributes": _nested(attributes),
            }
        span = {
            "traceId": "7f3c2a1e9b8d4c6fa0e1d2c3b4a59687",
            "spanId": f"{turn:016x}",
            "startTimeUnixNano": str(1775139601000000000 + turn * 10**9),
            "attributes": [{"key": k, "value": {"stringValue": v}} for k, v in attributes.items()],
        }
        return {"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]}

    bodies = [body(0, "2026-04-02T14:20:01Z"), body(1, "2026-04-02T14:20:09Z")]
    [found] = _findings(tmp_path, "CTX001", *bodies)
    assert _resolve(bodies[1], found.pointer)[found.offset :].startswith("2026-04-02T14:20:09Z")
