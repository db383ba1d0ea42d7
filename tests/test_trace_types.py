"""A field of the wrong type, a number too large for any prompt or a value nested a thousand
levels deep is a CTX900 at its line, and the rest of the trace is still read: the reproducers
of issue 13, through the reader, the checker and the command line."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.config import Settings
from ctxlint.engine import check_paths
from ctxlint.trace.loader import TraceReader, detect
from ctxlint.trace.model import Request
from ctxlint.trace.reading import Problem

from conftest import REPO

CANONICAL = {"ctxlint": 1, "session": "s", "model": "m"}
SWAPS = [[], {}, None, True, 1e308, [[[[[]]]]]]


def deep(levels: int) -> str:
    """JSON text of arrays nested `levels` deep (orjson reads up to 1,024)."""
    return "[" * levels + "]" * levels


def write_lines(path, lines):
    path.write_text("".join(line + "\n" for line in lines))
    return path


def read(path, forced=None) -> tuple[list[Request], list[Problem]]:
    items = list(TraceReader(str(path), forced))
    return (
        [i for i in items if isinstance(i, Request)],
        [i for i in items if isinstance(i, Problem)],
    )


def run(args, cwd):
    before = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(before)


def canonical_line(turns: int, **fields) -> str:
    messages = []
    for number in range(turns):
        messages.append({"role": "user", "content": f"question {number}"})
        messages.append({"role": "assistant", "content": f"answer {number}"})
    return json.dumps({**CANONICAL, "messages": messages[:-1], **fields})


# --- A record of another format's shape after a canonical line ----------------------------


@pytest.mark.parametrize("command", [[], ["sessions"], ["simulate"]])
def test_a_type_list_after_a_canonical_line_is_a_bad_line_not_a_crash(tmp_path, command):
    trace = write_lines(tmp_path / "t.jsonl", [canonical_line(1), '{"type":[]}'])
    result = run([*command, trace], tmp_path)
    assert "internal error" not in result.output
    assert "Traceback" not in result.output
    if not command:
        assert result.exit_code == 1
        assert "t.jsonl:2:1: CTX900" in result.output


@pytest.mark.parametrize(
    "record",
    [
        {"model": "gpt-4.1", "messages": [{"role": "user", "content": [{"type": "text"}]}]},
        {"request": {"model": "m", "input": [{"type": "message"}]}, "response": {}},
        {"type": "user", "uuid": "u", "sessionId": "s", "message": {"content": "hi"}},
        {"type": "event_msg", "payload": {"type": "token_count"}, "timestamp": "t"},
        {"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": []}]}]}]},
        {"context": {"trace_id": "t"}, "attributes": {"gen_ai.system": "openai"}},
        {"call_type": "completion", "messages": [], "startTime": 1, "model": "m"},
    ],
)
def test_telling_formats_apart_survives_any_value_swapped(record):
    from ctxlint.trace.formats import line_format_of

    for pointer in _pointers(record):
        for swap in SWAPS:
            line_format_of(_swapped(record, pointer, swap))


def test_detection_survives_every_swapped_discriminator(tmp_path):
    for key in ("type", "payload", "ctxlint", "messages", "model", "request", "resourceSpans"):
        for swap in SWAPS:
            trace = write_lines(tmp_path / "t.jsonl", [json.dumps({key: swap, "uuid": "u"})])
            detect(str(trace))
            read(trace)


# --- Codex rollouts ------------------------------------------------------------------------


def codex_lines() -> list[dict]:
    def record(kind, payload):
        return {"timestamp": "2026-02-23T12:19:42.561Z", "type": kind, "payload": payload}

    def turn(number):
        return [
            record(
                "response_item",
                {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": f"q{number}"}],
                },
            ),
            record(
                "response_item",
                {
                    "type": "message",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": f"a{number}"}],
                },
            ),
            record(
                "event_msg",
                {
                    "type": "token_count",
                    "info": {
                        "total_token_usage": {"input_tokens": 100 * (number + 1)},
                        "last_token_usage": {"input_tokens": 100, "output_tokens": 5},
                    },
                },
            ),
        ]

    return [
        record("session_meta", {"id": "rollout", "base_instructions": {"text": "be brief"}}),
        record("turn_context", {"model": "gpt-5"}),
        *turn(0),
        *turn(1),
    ]


def write_records(path, records):
    return write_lines(path, [json.dumps(record) for record in records])


def test_codex_item_of_type_zero_loses_what_depends_on_it_only(tmp_path):
    records = codex_lines()
    records[5]["payload"]["type"] = 0  # The second user message.
    requests, problems = read(write_records(tmp_path / "rollout.jsonl", records))
    assert [r.origin.line for r in requests] == [5]
    assert [p.line for p in problems] == [6, 8]
    assert "/payload/type has type integer, expected string" in problems[0].reason
    assert "line 6" in problems[1].reason


@pytest.mark.parametrize("model", [5, ["gpt-5"]])
def test_codex_model_of_the_wrong_type_is_ctx900(tmp_path, model):
    records = codex_lines()
    records[1]["payload"]["model"] = model
    path = write_records(tmp_path / "rollout.jsonl", records)
    requests, problems = read(path)
    assert problems[0].line == 2 and "field model at /payload/model" in problems[0].reason
    assert all(isinstance(r.model, (str, type(None))) for r in requests)
    report = check_paths([str(path)], Settings(root=tmp_path))
    assert [d.code for d in report.diagnostics if d.start.line == 2] == ["CTX900"]


@pytest.mark.parametrize("model", [5, ["gpt-4.1"]])
def test_request_body_model_of_the_wrong_type_is_ctx900(tmp_path, model):
    body = {"messages": [{"role": "user", "content": "hi"}], "metadata": {"session_id": "s"}}
    lines = [json.dumps({"model": "gpt-4.1", **body}), json.dumps({"model": model, **body})]
    requests, problems = read(write_lines(tmp_path / "bodies.jsonl", lines))
    assert [r.origin.line for r in requests] == [1]
    assert [p.line for p in problems] == [2]
    assert "field model at /model" in problems[0].reason


# --- Claude Code transcripts ----------------------------------------------------------------


def claude_lines() -> list[dict]:
    """Two requests in one chain: user u1, response a1 (r1), user u2, response a2 (r2)."""

    def line(uuid, parent, kind, content, request_id=None):
        found = {
            "parentUuid": parent,
            "sessionId": "session",
            "type": kind,
            "uuid": uuid,
            "timestamp": "2026-02-10T21:11:52.438Z",
            "message": {"role": kind, "content": content},
        }
        if request_id:
            found["requestId"] = request_id
            found["message"]["usage"] = {"input_tokens": 10, "output_tokens": 2}
            found["message"]["model"] = "claude-sonnet-4"
        return found

    return [
        line("u1", None, "user", "first question"),
        line("a1", "u1", "assistant", [{"type": "text", "text": "first answer"}], "r1"),
        line("u2", "a1", "user", "second question"),
        line("a2", "u2", "assistant", [{"type": "text", "text": "second answer"}], "r2"),
    ]


def test_claude_code_parent_as_a_list_skips_the_requests_through_it(tmp_path):
    records = claude_lines()
    records[2]["parentUuid"] = ["a1"]
    requests, problems = read(write_records(tmp_path / "session.jsonl", records))
    assert [r.origin.line for r in requests] == [2]
    assert [p.line for p in problems] == [3, 4]
    assert "field parentUuid at /parentUuid has type array, expected string" in problems[0].reason


def test_claude_code_content_of_the_wrong_type_breaks_only_later_histories(tmp_path):
    records = claude_lines()
    records[2]["message"]["content"] = 7
    requests, problems = read(write_records(tmp_path / "session.jsonl", records))
    assert [r.origin.line for r in requests] == [2]
    assert [p.line for p in problems] == [3, 4]
    assert "/message/content has type integer" in problems[0].reason


# --- Inspect AI logs ------------------------------------------------------------------------


def inspect_log(second_events) -> dict:
    event = {
        "event": "model",
        "model": "openai/gpt-4.1",
        "input": [{"role": "user", "content": "hi"}],
        "output": {"usage": {"input_tokens": 10, "output_tokens": 1}},
    }
    return {
        "version": 2,
        "eval": {"task": "t"},
        "samples": [
            {"id": 1, "epoch": 1, "events": [event]},
            {"id": 2, "epoch": 1, "events": second_events},
            {"id": 3, "epoch": 1, "events": [event]},
        ],
    }


def test_inspect_events_as_a_number_loses_that_sample_only(tmp_path):
    path = tmp_path / "log.json"
    path.write_text(json.dumps(inspect_log(5), indent=1))
    requests, problems = read(path)
    assert [r.session for r in requests] == ["1/epoch-1", "3/epoch-1"]
    assert len(problems) == 1
    assert "field events at /samples/1/events has type integer, expected array" in (
        problems[0].reason
    )
    # The line of the field, found in the document's text.
    assert problems[0].line == path.read_text().splitlines().index('   "events": 5') + 1


# --- Any field swapped ----------------------------------------------------------------------


def _pointers(value, pointer=""):
    yield pointer
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _pointers(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _pointers(item, f"{pointer}/{position}")


def _swapped(value, pointer, swap):
    if not pointer:
        return swap
    copy = json.loads(json.dumps(value))
    *parents, last = pointer[1:].split("/")
    target = copy
    for token in parents:
        target = target[int(token) if isinstance(target, list) else token]
    target[int(last) if isinstance(target, list) else last] = swap
    return copy


SWAP_FIXTURES = [
    "ctx001/openai_chat_clock_in_system.jsonl",
    "ctx002/otel_arguments_reserialised.jsonl",
    "ctx003/anthropic_tools_reordered.jsonl",
    "ctx004/litellm_tools_filtered.jsonl",
    "canonical",
    "ctx006/openai_responses_sliding_window.jsonl",
]


@pytest.mark.parametrize("fixture", SWAP_FIXTURES)
def test_every_field_of_a_line_swapped_is_that_line_lost_only(tmp_path, fixture):
    """Each value of the second line, swapped for each kind of wrong value: the reader raises
    nothing and every other line's request is read as before."""
    if fixture == "canonical":
        source = write_lines(tmp_path / "canonical.jsonl", [canonical_line(n) for n in (1, 2, 3)])
    else:
        source = REPO / "fixtures" / "trace" / fixture
    lines = source.read_text().splitlines()
    original, _ = read(source)
    others = [r for r in original if r.origin.line != 2]
    value = json.loads(lines[1])
    path = tmp_path / "t.jsonl"
    for pointer in _pointers(value):
        for swap in [*SWAPS, _DEEP]:
            text = json.dumps(_swapped(value, pointer, swap)).replace(f'"{_DEEP}"', deep(950))
            mutant = [lines[0], text, *lines[2:]]
            requests, _ = read(write_lines(path, mutant))
            kept = [r for r in requests if r.origin.line != 2]
            assert [_identity(r) for r in kept] == [_identity(r) for r in others], pointer


# Stands for a value nested 950 deep, which no JSON writer of Python's writes.
_DEEP = "nested-950-deep"


def _identity(request: Request) -> tuple:
    """What a request says, without where its repeated messages were first read."""
    return (
        request.origin,
        request.session,
        request.format,
        tuple(m.key for m in request.messages),
        request.system,
        request.tools,
        request.params,
        request.model,
        request.usage,
        request.timestamp,
    )


# --- Nesting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [900, 1000])
@pytest.mark.parametrize(
    "where",
    ["arguments", "params", "raw", "tools", "content", "system"],
)
def test_values_nested_a_thousand_deep_are_ctx900_everywhere(tmp_path, where, levels):
    nested = _DEEP
    call = {"type": "tool_call", "name": "f", "id": "c1", "arguments": {"x": 1}}
    first = {
        **CANONICAL,
        "system": "sys",
        "tools": [{"name": "f", "parameters": {}}],
        "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": [call]}],
        "usage": {"prompt_tokens": 10, "raw": {"input_tokens": 10}},
        "params": {"tool_choice": "auto"},
    }
    broken = json.loads(json.dumps(first))
    if where == "arguments":
        broken["messages"][1]["content"][0]["arguments"] = nested
    elif where == "params":
        broken["params"]["tool_choice"] = {"x": nested}
    elif where == "raw":
        broken["usage"]["raw"] = {"x": nested}
    elif where == "tools":
        broken["tools"][0]["parameters"] = {"x": nested}
    elif where == "content":
        broken["messages"][0]["content"] = nested
    else:
        broken["system"] = nested
    broken_text = json.dumps(broken).replace(f'"{_DEEP}"', deep(levels))
    path = write_lines(tmp_path / "t.jsonl", [json.dumps(first), broken_text, json.dumps(first)])
    requests, problems = read(path)
    assert [r.origin.line for r in requests] == [1, 3]
    assert [p.line for p in problems] == [2]
    for command in ([], ["sessions"], ["simulate"]):
        result = run([*command, path], tmp_path)
        assert "internal error" not in result.output
        assert "Traceback" not in result.output


def test_text_holding_json_nested_a_thousand_deep_is_compared_without_recursion(tmp_path):
    """Tool arguments and results are text, often JSON: the rules and the simulator decode it
    to compare values and key orders."""
    nested = '{"a":' + deep(950) + "}"
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": nested}}
    history = [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": nested},
    ]
    edited = json.loads(json.dumps(history))
    edited[1]["tool_calls"][0]["function"]["arguments"] = nested.replace(":", ": ")
    edited[2]["content"] = nested.replace(":", ": ")
    lines = [
        json.dumps({"model": "gpt-4.1", "metadata": {"session_id": "s"}, "messages": messages})
        for messages in (history, [*history, {"role": "user", "content": "more"}], edited)
    ]
    path = write_lines(tmp_path / "t.jsonl", lines)
    requests, problems = read(path)
    assert len(requests) == 3 and problems == []
    for command in ([], ["sessions"], ["simulate"]):
        result = run([*command, path], tmp_path)
        assert "internal error" not in result.output
        assert "Traceback" not in result.output


# --- Reported sizes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size", ["1000000000000000000000", "2e10", "1e9", "-5", "10000001", "12.5", "1e400"]
)
@pytest.mark.parametrize("kind", ["canonical", "openai"])
def test_a_prompt_size_no_request_can_hold_is_ctx900(tmp_path, size, kind):
    if kind == "canonical":
        line = canonical_line(1, usage={"prompt_tokens": "SIZE"})
    else:
        body = {"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}]}
        line = json.dumps({"request": body, "response": {"usage": {"prompt_tokens": "SIZE"}}})
    good = line.replace('"SIZE"', "1200")
    path = write_lines(tmp_path / "t.jsonl", [good, line.replace('"SIZE"', size), good])
    requests, problems = read(path)
    assert [r.origin.line for r in requests] == [1, 3]
    assert [p.line for p in problems] == [2]
    for command in ([], ["sessions"], ["simulate"]):
        result = run([*command, path], tmp_path)
        assert "internal error" not in result.output
        assert "Traceback" not in result.output


def test_a_size_within_bounds_is_read(tmp_path):
    path = write_lines(tmp_path / "t.jsonl", [canonical_line(1, usage={"prompt_tokens": 9e6})])
    requests, problems = read(path)
    assert problems == [] and requests[0].usage.prompt_tokens == 9_000_000


@pytest.mark.parametrize(
    ("recorded", "read"),
    [(0, 0), (1200, 1200), (9e6, 9_000_000), (10_000_000, 10_000_000), (None, None)],
)
def test_token_counts_a_request_can_hold_are_read_as_whole_numbers(recorded, read):
    from ctxlint.trace import typed

    found = typed.tokens({"prompt_tokens": recorded}, "prompt_tokens", "/usage")
    assert found == read and type(found) is type(read)


@pytest.mark.parametrize(
    ("recorded", "wording"),
    [
        (True, "has type boolean, expected a whole number of tokens"),
        ("12", "has type string, expected a whole number of tokens"),
        (12.5, "has type number, expected a whole number of tokens"),
        (-1, "is -1 tokens: a count is never negative"),
        (10_000_001, "is 10000001 tokens, more than any model's context holds (10,000,000)"),
        (2e10, "is 2e+10 tokens, more than any model's context holds"),
    ],
)
def test_token_counts_no_request_can_hold_are_faults(recorded, wording):
    from ctxlint.trace import typed

    with pytest.raises(typed.TypeFault) as fault:
        typed.tokens({"prompt_tokens": recorded}, "prompt_tokens", "/usage")
    assert fault.value.pointer == "/usage/prompt_tokens"
    assert fault.value.reason.startswith("field prompt_tokens at /usage/prompt_tokens ")
    assert wording in fault.value.reason


def test_a_fault_names_the_field_by_its_unescaped_key_and_the_pointer_escaped():
    from ctxlint.trace import typed

    with pytest.raises(typed.TypeFault) as fault:
        typed.text({"a/b~c": [1]}, "a/b~c", "/x/0")
    assert fault.value.reason == "field a/b~c at /x/0/a~1b~0c has type array, expected string"
    with pytest.raises(typed.TypeFault) as fault:
        list(typed.objects([{}, "text"], "/messages"))
    assert fault.value.reason == "item 1 at /messages/1 has type string, expected object"
