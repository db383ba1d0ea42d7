"""Trace input end to end: formats built from the providers' documentation, bad input, the
`sessions` and `schema` commands, and trace findings in every reporter."""

from __future__ import annotations

import gzip
import json
import os

import jsonschema
import orjson
import pytest
from click.testing import CliRunner

from ctxlint.cli import TRACE_FORMATS, main
from ctxlint.trace.formats import format_names
from ctxlint.trace.loader import TraceReader
from ctxlint.trace.model import Request

from conftest import REPO


def run(args, cwd):
    """The command as a user in `cwd` would type it."""
    before = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(before)


def line(**fields):
    return json.dumps({"ctxlint": 1, "session": "s1", **fields})


def user(text):
    return {"role": "user", "content": text}


def requests_of(path):
    return [item for item in TraceReader(str(path)) if isinstance(item, Request)]


def test_findings_exit_one_and_point_at_the_line(tmp_path):
    trace = tmp_path / "run.jsonl"
    trace.write_text(
        line(system="Now 2026-01-01 10:00", messages=[user("a")])
        + "\n"
        + line(system="Now 2026-01-01 10:01", messages=[user("a"), user("b")])
        + "\n"
    )
    result = run([trace], tmp_path)
    assert result.exit_code == 1
    assert f"{trace}: session s1 (1 finding)" in result.output
    assert f"{trace}:2:1: CTX001" in result.output


@pytest.mark.parametrize("output_format", ["json", "sarif", "github"])
def test_every_reporter_points_at_the_trace_line(tmp_path, output_format):
    trace = REPO / "fixtures/trace/ctx006/openai_responses_sliding_window.jsonl"
    result = run([trace, "--output-format", output_format], tmp_path)
    assert result.exit_code == 1
    if output_format == "json":
        (found,) = orjson.loads(result.output)
        assert found["location"]["row"] == 3
        assert found["session"] and found["pointer"] == "/input/1"
    elif output_format == "sarif":
        (found,) = orjson.loads(result.output)["runs"][0]["results"]
        assert found["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
        assert found["properties"]["pointer"] == "/input/1"
    else:
        assert "line=3" in result.output and "at /input/1" in result.output


def test_unknown_format_is_ctx900_and_exit_two(tmp_path):
    trace = tmp_path / "notes.jsonl"
    trace.write_text('{"note": "not a request"}\n{"note": "nor this"}\n')
    result = run([trace], tmp_path)
    assert result.exit_code == 2
    assert "CTX900 unknown trace format" in result.output


def test_bad_lines_are_reported_and_the_rest_is_read(tmp_path):
    trace = tmp_path / "run.jsonl"
    good = line(messages=[user("a")])
    trace.write_bytes(f"{good}\nnot json\n{good}\n".encode() + b'{"ctxlint": 1, "ses')
    result = run([trace, "--output-format", "json"], tmp_path)
    found = orjson.loads(result.output)
    assert [(d["location"]["row"], d["code"]) for d in found] == [(2, "CTX900"), (4, "CTX900")]
    assert "truncated last line" in found[1]["message"]
    # Something was read, so the file is not "unreadable": findings, exit 1, not 2.
    assert result.exit_code == 1


def test_gzip_is_read_transparently(tmp_path):
    plain = REPO / "fixtures/trace/ctx001/openai_chat_clock_in_system.jsonl"
    packed = tmp_path / "run.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert run([packed], tmp_path).output.replace(str(packed), "X") == run(
        [plain], tmp_path
    ).output.replace(str(plain), "X")


def test_a_folder_walk_checks_traces_and_passes_over_other_json(tmp_path):
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}\n')
    (tmp_path / "otel.json").write_text(
        (REPO / "fixtures/trace/clean/otel_input_messages.jsonl").read_text().splitlines()[0]
    )
    (tmp_path / "run.jsonl").write_text(line(messages=[user("a")]) + "\n")
    result = run(["--output-format", "json", "."], tmp_path)
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout) == []
    # package.json was passed over, and the run says so.
    note = "note: passed over 1 file that is not Python, a prompt file or a known trace format"
    assert note in result.stderr


def test_forcing_a_format(tmp_path):
    trace = tmp_path / "run.jsonl"
    trace.write_text(line(messages=[user("a")]) + "\n")
    forced = run([trace, "--trace-format", "openai", "--output-format", "json"], tmp_path)
    assert [d["code"] for d in orjson.loads(forced.output)] == ["CTX900"]
    assert run([trace, "--trace-format", "nonsense"], tmp_path).exit_code == 2


def test_help_lists_every_format():
    assert sorted(TRACE_FORMATS.split(", ")) == sorted(format_names())


def test_sessions_json(tmp_path):
    trace = REPO / "fixtures/trace/ctx009/anthropic_idle_gap.jsonl.gz"
    result = run(["sessions", "--output-format", "json", trace], tmp_path)
    assert result.exit_code == 0
    (session,) = orjson.loads(result.output)
    assert set(session) == {
        "path",
        "session",
        "format",
        "requests",
        "models",
        "start",
        "end",
        "reported",
    }
    assert session["format"] == "anthropic" and session["requests"] == 3
    assert session["start"] == "2026-03-01T10:00:00Z" and session["end"] == "2026-03-01T10:12:30Z"
    # Anthropic's input_tokens (40 each) exclude the cache: the prompt adds reads and writes.
    assert session["reported"] == {
        "prompt_tokens": 40 * 3 + 3100 + 3100 + 400 + 3560,
        "cached_tokens": 3100,
        "hit_rate": round(3100 / 10280, 4),
    }


def test_sessions_text_and_unreadable_exit(tmp_path):
    trace = REPO / "fixtures/trace/ctx004/litellm_tools_filtered.jsonl"
    result = run(["sessions", trace], tmp_path)
    assert result.exit_code == 0
    assert "ticket-4711  litellm" in result.output
    broken = tmp_path / "broken.jsonl"
    broken.write_text("nope\n")
    assert run(["sessions", broken], tmp_path).exit_code == 2


def test_schema_command_prints_the_schema_canonical_lines_follow(tmp_path):
    result = run(["schema"], tmp_path)
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in (REPO / "fixtures/trace").glob("*/canonical_*.jsonl"):
        for text in path.read_text().splitlines():
            jsonschema.validate(json.loads(text), schema)


def test_schema_errors_name_the_field(tmp_path):
    trace = tmp_path / "run.jsonl"
    trace.write_text(line(messages=[{"role": "robot", "content": "hi"}]) + "\n")
    result = run([trace], tmp_path)
    assert "not a valid ctxlint trace line at /messages/0/role" in result.output


def test_responses_with_previous_response_id_is_not_a_history_edit(tmp_path):
    trace = tmp_path / "responses.jsonl"
    first = {"model": "gpt-5", "input": [user("a"), user("b")]}
    second = {"model": "gpt-5", "input": [user("c")], "previous_response_id": "resp_1"}
    trace.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n")
    assert run([trace], tmp_path).exit_code == 0


def test_otel_sessions_follow_the_conversation_id(tmp_path):
    def span(conversation, start):
        attributes = {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.conversation.id": conversation,
            "gen_ai.input.messages": json.dumps([{"role": "user", "parts": []}]),
        }
        context = {"trace_id": "0x1", "span_id": "0x2"}
        return json.dumps({"context": context, "start_time": start, "attributes": attributes})

    trace = tmp_path / "spans.jsonl"
    trace.write_text(span("a", "2026-01-01T00:00:00Z") + "\n" + span("b", "2026-01-01T00:00:01Z"))
    assert [r.session for r in requests_of(trace)] == ["a", "b"]


def test_otlp_document(tmp_path):
    export = (REPO / "fixtures/trace/clean/otel_input_messages.jsonl").read_text().splitlines()
    document = tmp_path / "export.json"
    merged = orjson.loads(export[0])
    merged["resourceSpans"] += orjson.loads(export[1])["resourceSpans"]
    document.write_bytes(orjson.dumps(merged, option=orjson.OPT_INDENT_2))
    reader = TraceReader(str(document))
    requests = [item for item in reader if isinstance(item, Request)]
    assert reader.format == "otel-genai-document" and len(requests) == 2
    assert requests[0].usage.prompt_tokens == 1000


def test_document_findings_get_the_line_of_their_pointer(tmp_path):
    messages = [
        {"role": "system", "content": "You fix bugs."},
        {"role": "user", "content": "Fix it"},
        {"role": "assistant", "content": "", "extra": {"response": {"model": "deepseek-chat"}}},
    ]
    document = tmp_path / "run.traj.json"
    document.write_bytes(orjson.dumps({"messages": messages}, option=orjson.OPT_INDENT_2))
    requests = requests_of(document)
    assert len(requests) == 1 and requests[0].origin.pointer == "/messages/2"
    from ctxlint.trace.reading import pointer_lines

    text = document.read_bytes()
    lines = pointer_lines(text, ["/messages/2", "/messages/1/content"])
    numbered = text.decode().splitlines()
    assert '"role": "assistant"' in numbered[lines["/messages/2"]]
    assert '"Fix it"' in numbered[lines["/messages/1/content"] - 1]


def test_a_cut_off_gzip_is_ctx900(tmp_path):
    packed = (REPO / "fixtures/trace/ctx009/anthropic_idle_gap.jsonl.gz").read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    result = run([cut], tmp_path)
    assert "compressed data is truncated or corrupt" in result.output


def test_a_folder_walk_passes_over_json_lines_that_are_no_trace(tmp_path):
    dataset = tmp_path / "evals.jsonl"
    dataset.write_text('{"sentence": "hi", "expected": "ALLOW"}\n' * 3)
    assert run(["."], tmp_path).exit_code == 0
    named = run([dataset], tmp_path)
    assert named.exit_code == 2 and "unknown trace format" in named.output
