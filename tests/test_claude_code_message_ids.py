"""Claude Code transcripts whose assistant lines carry no `requestId` (older versions, Amazon
Bedrock's `msg_bdrk_…` responses, gateways): a response's lines are joined by message id."""

from __future__ import annotations

from pathlib import Path

import orjson

from ctxlint.config import Settings
from ctxlint.simulate.simulator import Options, Simulator
from ctxlint.trace.loader import TraceReader
from ctxlint.trace.model import Request
from ctxlint.trace.reading import Problem

FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "trace"
    / "clean"
    / "claude_code_without_request_ids.jsonl"
)


def read(path: Path) -> tuple[list[Request], list[Problem]]:
    items = list(TraceReader(str(path)))
    return (
        [item for item in items if isinstance(item, Request)],
        [item for item in items if isinstance(item, Problem)],
    )


def records() -> list[dict]:
    return [orjson.loads(line) for line in FIXTURE.read_bytes().splitlines()]


def write(path: Path, lines: list[dict]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    return path


def test_lines_without_request_ids_are_read_as_one_request_per_message_id():
    requests, problems = read(FIXTURE)
    assert problems == []
    assert [r.origin.line for r in requests] == [3, 7, 11, 13]
    first = requests[0]
    # Three lines, one response: its blocks in order, and the usage of the last line.
    assert [block.kind for block in first.response.blocks] == ["thinking", "text", "tool_call"]
    assert first.usage.output_tokens == 97
    assert first.usage.cached_tokens == 13518 and first.usage.cache_write_tokens == 2210


def test_a_synthetic_error_line_is_neither_a_request_nor_history():
    requests, _ = read(FIXTURE)
    bedrock = requests[2]
    assert bedrock.response.blocks[0].call_id == "toolu_bdrk_01Mv7sQe2Z"
    roles = [m.role for m in bedrock.messages]
    # The API error between "Run the refund tests." and "Try again." was never sent.
    assert roles == ["user", "assistant", "user", "assistant", "user", "user"]
    assert "API Error" not in repr([m.blocks for m in bedrock.messages])


def test_message_ids_group_lines_as_request_ids_do(tmp_path):
    with_ids = records()
    for line in with_ids:
        content = line.get("message")
        if line.get("type") == "assistant" and content["model"] != "<synthetic>":
            line["requestId"] = "req_" + content["id"][-8:]
    expected, _ = read(write(tmp_path / "with.jsonl", with_ids))
    found, _ = read(FIXTURE)
    assert len(found) == len(expected) == 4
    for one, other in zip(found, expected, strict=True):
        assert [m.key for m in one.messages] == [m.key for m in other.messages]
        assert one.response.key == other.response.key
        assert one.usage == other.usage


def test_a_message_id_of_the_wrong_type_is_a_problem_at_its_line(tmp_path):
    lines = records()
    lines[6]["message"]["id"] = 42
    requests, problems = read(write(tmp_path / "t.jsonl", lines))
    assert problems[0].line == 7 and "/message/id" in problems[0].reason
    # The request before it is read; those whose history runs through it are not checked.
    assert [r.origin.line for r in requests] == [3]
    assert [p.line for p in problems[1:]] == [11, 13]
    assert all("line 7" in p.reason for p in problems[1:])


def test_the_simulator_replays_them_against_the_reported_usage():
    results = list(Simulator(Options(), Settings()).run([str(FIXTURE)]))
    assert len(results) == 4
    assert all(r.agrees for r in results)
