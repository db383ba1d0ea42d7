"""Langfuse exports: the trace view's download, the API's traces and observation lists, and
observations one per line, read as one request per GENERATION with the usage parts summed."""

from __future__ import annotations

import json

from ctxlint.trace.loader import TraceReader, detect
from ctxlint.trace.model import TOOL_CALL, TOOL_RESULT, Request
from ctxlint.trace.reading import Problem

from conftest import REPO

DOWNLOAD = REPO / "fixtures/trace/clean/langfuse_trace_download.json"


def read(path) -> tuple[list[Request], list[Problem]]:
    items = list(TraceReader(str(path)))
    return (
        [i for i in items if isinstance(i, Request)],
        [i for i in items if isinstance(i, Problem)],
    )


def download() -> dict:
    return json.loads(DOWNLOAD.read_text())


def test_the_trace_download_reads_each_generation_as_a_request():
    requests, problems = read(DOWNLOAD)
    assert problems == []
    assert detect(str(DOWNLOAD)).name == "langfuse-document"
    assert [r.origin.pointer for r in requests] == [f"/observations/{n}" for n in (1, 3, 4)]
    last = requests[-1]
    assert last.session == "conv-20260610-41877"
    assert (last.provider, last.model) == ("openai", "gpt-5-mini-2025-08-07")
    assert last.system_text().startswith("You are Orbit")
    assert [t.name for t in last.tools] == ["track_shipment"]
    assert [m.role for m in last.messages] == ["user", "assistant", "tool", "assistant", "user"]
    assert last.messages[1].blocks[0].kind == TOOL_CALL
    assert last.messages[2].blocks[0].kind == TOOL_RESULT
    assert last.response.text() == "I can request a redirect; which office address?"
    assert last.timestamp.isoformat() == "2026-06-10T08:42:18.320000+00:00"


def test_usage_parts_add_up_to_the_whole_prompt():
    requests, _ = read(DOWNLOAD)
    usage = requests[1].usage
    # `input` is what was not read from the cache: 103 + 1,280 cached.
    assert (usage.prompt_tokens, usage.cached_tokens, usage.cache_write_tokens) == (
        1383,
        1280,
        None,
    )
    assert requests[2].usage.output_tokens == 14 + 128


def test_api_trace_and_observation_lists(tmp_path):
    exported = download()
    trace = dict(
        exported["trace"], observations=exported["observations"], htmlPath="/project/p/traces/t"
    )
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(trace))
    requests, _ = read(path)
    assert [r.session for r in requests] == ["conv-20260610-41877"] * 3
    # The observations API (v2) names the model `providedModelName` and knows no session.
    rows = []
    for row in exported["observations"]:
        row = dict(row)
        if "model" in row:
            row["providedModelName"] = row.pop("model")
        rows.append(row)
    path = tmp_path / "observations.json"
    path.write_text(json.dumps({"data": rows, "meta": {"cursor": None}}, indent=2))
    requests, problems = read(path)
    assert problems == []
    assert {(r.session, r.model) for r in requests} == {
        ("b6f1d3a2-58c4-4e0b-9a7d-2c1e5f3b8d90", "gpt-5-mini-2025-08-07")
    }


def _anthropic_observation(**usage) -> dict:
    body = {
        "system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
        "messages": [
            {"role": "user", "content": "Read notes.md"},
            {
                "role": "assistant",
                "content": [
                    {
                        "type": "tool_use",
                        "id": "toolu_1",
                        "name": "read",
                        "input": {"path": "notes.md"},
                    }
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1", "content": "todo: ship"}
                ],
            },
        ],
    }
    return {
        "id": "o1",
        "traceId": "t1",
        "type": "GENERATION",
        "startTime": "2026-06-01T10:00:00Z",
        "model": "claude-haiku-4-5",
        "input": json.dumps(json.dumps(body)),
        "usageDetails": usage,
    }


def test_observation_lines_with_anthropic_content_and_usage(tmp_path):
    observation = _anthropic_observation(
        input=12,
        cache_read_input_tokens=2048,
        cache_creation_input_tokens=310,
        cache_creation_ephemeral_5m_input_tokens=310,
        output=40,
    )
    path = tmp_path / "observations.jsonl"
    path.write_text(
        json.dumps({"id": "s", "type": "SPAN", "startTime": "x"})
        + "\n"
        + json.dumps(observation)
        + "\n"
    )
    (request,), problems = read(path)
    assert problems == []
    assert request.system_text() == "Be brief."
    assert [b.kind for m in request.messages for b in m.blocks] == ["text", TOOL_CALL, TOOL_RESULT]
    usage = request.usage
    assert (usage.prompt_tokens, usage.cached_tokens, usage.cache_write_tokens) == (
        12 + 2048 + 310,
        2048,
        310,
    )


def test_langchain_usage_and_tool_calls(tmp_path):
    observation = _anthropic_observation(
        input=500, input_cache_read=7000, input_cache_creation=0, output=9
    )
    observation["input"] = [
        {"role": "user", "content": "weather in Oslo?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"name": "weather", "args": {"city": "Oslo"}, "id": "c9"}],
        },
    ]
    path = tmp_path / "observations.jsonl"
    path.write_text(json.dumps(observation) + "\n")
    (request,), _ = read(path)
    call = request.messages[1].blocks[0]
    assert (call.name, call.call_id, call.arguments) == ("weather", "c9", '{"city":"Oslo"}')
    assert (request.usage.prompt_tokens, request.usage.cached_tokens) == (7500, 7000)


def test_a_value_of_the_wrong_type_loses_only_its_observation(tmp_path):
    exported = download()
    exported["observations"][3]["usageDetails"]["input_cached_tokens"] = "1280"
    exported["observations"][4]["startTime"] = {"at": "now"}
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(exported, indent=2))
    requests, problems = read(path)
    assert [r.origin.pointer for r in requests] == ["/observations/1"]
    reasons = [p.reason for p in problems]
    assert reasons == [
        "field input_cached_tokens at /observations/3/usageDetails/input_cached_tokens has type "
        "string, expected a whole number of tokens",
        "field startTime at /observations/4/startTime has type object, expected string or integer "
        "or number",
    ]
    text = path.read_text().splitlines()
    assert '"input_cached_tokens": "1280"' in text[problems[0].line - 1]


def test_tool_definitions_langfuse_found_stand_in_for_tools_not_in_the_input(tmp_path):
    observation = _anthropic_observation(input=10, output=1)
    observation["toolDefinitions"] = {"read": '{"name":"read","input_schema":{"type":"object"}}'}
    empty = dict(observation, id="o2", toolDefinitions={}, input="[]")
    path = tmp_path / "observations.jsonl"
    path.write_text(json.dumps(observation) + "\n" + json.dumps(empty) + "\n")
    with_tools, without = read(path)[0]
    assert [t.name for t in with_tools.tools] == ["read"]
    assert without.tools is None


def test_a_json_schema_of_trace_spans_is_not_taken_for_an_export(tmp_path):
    # The shape of genkit's schema of its spans: the words of a Langfuse export, as properties.
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$defs": {
            "SpanData": {
                "type": "object",
                "properties": {"traceId": {"type": "string"}, "startTime": {"type": "number"}},
            }
        },
    }
    path = tmp_path / "spans.json"
    path.write_text(json.dumps(schema, indent=2))
    assert detect(str(path)) is None
    del schema["$schema"]
    path.write_text(json.dumps(schema, indent=2))
    assert detect(str(path)) is not None  # what the schema line alone tells apart
