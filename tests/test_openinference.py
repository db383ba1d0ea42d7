"""OpenInference spans: Phoenix's span JSON, OTLP exports and span dataframe rows read as one
request per LLM span, with the cache counts of the specification and faults at their place."""

from __future__ import annotations

import json

from ctxlint.trace.loader import TraceReader, detect
from ctxlint.trace.model import TOOL_CALL, TOOL_RESULT, Request
from ctxlint.trace.reading import Problem

from conftest import REPO

PHOENIX = REPO / "fixtures/trace/clean/openinference_phoenix_spans.jsonl"


def read(path) -> tuple[list[Request], list[Problem]]:
    items = list(TraceReader(str(path)))
    return (
        [i for i in items if isinstance(i, Request)],
        [i for i in items if isinstance(i, Problem)],
    )


def spans() -> list[dict]:
    return [json.loads(line) for line in PHOENIX.read_text().splitlines()]


def test_each_llm_span_is_a_request_and_other_spans_are_not():
    requests, problems = read(PHOENIX)
    assert problems == []
    assert detect(str(PHOENIX)).name == "openinference"
    assert [r.origin.line for r in requests] == [2, 4, 5]
    last = requests[-1]
    assert last.session == "chat-4411"
    assert (last.provider, last.model) == ("anthropic", "claude-sonnet-4-5-20250929")
    assert last.system_text().startswith("You are the billing assistant")
    assert [m.role for m in last.messages] == ["user", "assistant", "tool", "assistant", "user"]
    call, result = last.messages[1].blocks[0], last.messages[2].blocks[0]
    assert (call.kind, call.name, call.call_id) == (TOOL_CALL, "get_invoice", "toolu_01Hq7")
    assert (result.kind, result.call_id) == (TOOL_RESULT, "toolu_01Hq7")
    assert [t.name for t in last.tools] == ["get_invoice"]
    assert last.timestamp.isoformat() == "2026-04-02T14:21:40.130000+00:00"
    assert last.finished.isoformat() == "2026-04-02T14:21:42.007000+00:00"


def test_usage_follows_the_specification():
    requests, _ = read(PHOENIX)
    usage = requests[1].usage
    assert (usage.prompt_tokens, usage.cached_tokens, usage.cache_write_tokens) == (1547, 1398, 149)
    assert usage.output_tokens == 24


def test_a_prompt_count_without_its_cached_parts_gets_them_added(tmp_path):
    span = spans()[3]
    # As the Claude Agent SDK instrumentation records it: Anthropic's uncached input_tokens.
    span["attributes"]["llm.token_count.prompt"] = 0
    path = tmp_path / "spans.jsonl"
    path.write_text(json.dumps(span) + "\n")
    (request,), _ = read(path)
    assert request.usage.prompt_tokens == 1398 + 149


def _otlp(attributes: dict) -> dict:
    values = []
    for key, value in attributes.items():
        kind = "intValue" if isinstance(value, int) else "stringValue"
        values.append({"key": key, "value": {kind: str(value) if kind == "intValue" else value}})
    span = {
        "traceId": "5b8aa5a2d2c872e8321cf37308d69df2",
        "spanId": "051581bf3cb55c13",
        "name": "ChatCompletion",
        "startTimeUnixNano": "1775139601010000000",
        "endTimeUnixNano": "1775139603402000000",
        "attributes": values,
    }
    return {"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]}


def test_otlp_exports_hand_openinference_spans_to_this_reader(tmp_path):
    attributes = {
        key: value
        for key, value in spans()[3]["attributes"].items()
        if key != "llm.invocation_parameters"
    }
    attributes["llm.provider"] = "azure"
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(_otlp(attributes)) + "\n")
    (request,), problems = read(path)
    assert problems == []
    assert (request.format, request.provider, request.session) == (
        "openinference",
        "azure",
        "chat-4411",
    )
    assert request.usage.cached_tokens == 1398
    assert request.timestamp.isoformat() == "2026-04-02T14:20:01.010000+00:00"


def test_dataframe_rows_with_nested_messages(tmp_path):
    span = spans()[3]
    flat = span["attributes"]
    row = {
        "name": "Messages",
        "span_kind": "LLM",
        "start_time": 1775139603695,
        "end_time": 1775139605221,
        "context.span_id": span["context"]["span_id"],
        "context.trace_id": span["context"]["trace_id"],
        "attributes.llm.input_messages": [
            {
                "message.role": "system",
                "message.content": flat["llm.input_messages.0.message.content"],
            },
            {
                "message.role": "user",
                "message.content": flat["llm.input_messages.1.message.content"],
            },
        ],
        "attributes.llm.model_name": flat["llm.model_name"],
        "attributes.llm.token_count.prompt": 1547.0,
        "attributes.llm.token_count.prompt_details.cache_read": 1398.0,
        "attributes.llm.token_count.completion": None,
    }
    path = tmp_path / "spans.json"
    path.write_text(json.dumps([row], indent=1))
    assert detect(str(path)).name == "openinference-document"
    (request,), problems = read(path)
    assert problems == []
    assert request.session == span["context"]["trace_id"]
    assert [m.text() for m in request.messages] == ["Why was I charged twice in March?"]
    assert (request.usage.prompt_tokens, request.usage.cached_tokens) == (1547, 1398)
    assert request.timestamp.isoformat() == "2026-04-02T14:20:03.695000+00:00"


def test_nested_attributes_read_as_flat_ones(tmp_path):
    span = spans()[1]
    span["attributes"] = {
        "openinference": {"span": {"kind": "LLM"}},
        "llm": {
            "model_name": "gpt-5-mini",
            "input_messages": [{"message": {"role": "user", "content": "hi"}}],
            "token_count": {"prompt": 812, "prompt_details": {"cache_read": 768}},
        },
    }
    path = tmp_path / "spans.jsonl"
    path.write_text(json.dumps(span) + "\n")
    (request,), _ = read(path)
    assert (request.provider, request.messages[0].text()) == ("openai", "hi")
    assert (request.usage.prompt_tokens, request.usage.cached_tokens) == (812, 768)


def test_a_value_of_the_wrong_type_loses_only_its_span(tmp_path):
    lines = PHOENIX.read_text().splitlines()
    broken = json.loads(lines[3])
    broken["attributes"]["llm.input_messages.1.message.role"] = ["user"]
    lines[3] = json.dumps(broken)
    other = json.loads(lines[4])
    other["attributes"]["llm.token_count.prompt_details.cache_read"] = "1547"
    lines[4] = json.dumps(other)
    path = tmp_path / "spans.jsonl"
    path.write_text("\n".join(lines) + "\n")
    requests, problems = read(path)
    assert [r.origin.line for r in requests] == [2]
    assert [(p.line, p.reason) for p in problems] == [
        (
            4,
            "field llm.input_messages.1.message.role at "
            "/attributes/llm.input_messages.1.message.role has type array, expected string",
        ),
        (
            5,
            "field llm.token_count.prompt_details.cache_read at "
            "/attributes/llm.token_count.prompt_details.cache_read has type string, "
            "expected a whole number of tokens",
        ),
    ]


def test_a_sub_agent_is_a_session_of_its_own(tmp_path):
    _, main_call, tool, second_call, _ = spans()
    main_call["parent_id"] = second_call["parent_id"] = "root"
    root = dict(spans()[0], context={"trace_id": "t", "span_id": "root"}, span_kind="AGENT")
    root["parent_id"] = None
    called = dict(tool, context={"trace_id": "t", "span_id": "sub"}, span_kind="AGENT")
    called["name"], called["parent_id"] = "researcher", "root"
    sub_call = dict(second_call, context={"trace_id": "t", "span_id": "sc"}, parent_id="sub")
    path = tmp_path / "spans.json"
    path.write_text(json.dumps({"data": [root, main_call, called, sub_call, second_call]}))
    requests, problems = read(path)
    assert problems == []
    assert [r.session for r in requests] == ["chat-4411", "chat-4411/researcher:sub", "chat-4411"]


def test_phoenix_spans_without_convention_attributes_are_lines_of_the_export(tmp_path):
    """Phoenix's span API moves `openinference.span.kind` out to `span_kind`: a chain span
    may then hold nothing of the conventions, and is no stray line."""
    lines = PHOENIX.read_text().splitlines()
    chain = json.loads(lines[0])
    del chain["attributes"]["openinference.span.kind"]
    chain["attributes"].pop("session.id")
    path = tmp_path / "spans.jsonl"
    path.write_text("\n".join([json.dumps(chain), *lines[1:]]) + "\n")
    requests, problems = read(path)
    assert problems == []
    assert len(requests) == 3
