"""Inputs found in review to crash or mislead the readers added for issue 15: values of a
JSON kind that cannot be hashed where a name was expected, YAML nested past what the C
loader survives, and files of other kinds that look like a trace at first sight."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from ctxlint.trace.loader import TraceReader
from ctxlint.trace.model import Request
from ctxlint.trace.reading import Problem


def _read(path: Path) -> tuple[str | None, list[Request], list[Problem]]:
    reader = TraceReader(str(path))
    items = list(reader)
    requests = [item for item in items if isinstance(item, Request)]
    return reader.format, requests, [item for item in items if isinstance(item, Problem)]


def _cassette_with_stream(body: str) -> str:
    return (
        "interactions:\n- request:\n    method: POST\n"
        "    uri: https://api.anthropic.com/v1/messages\n"
        '    body: \'{"model": "claude-sonnet-4", "max_tokens": 10,'
        ' "messages": [{"role": "user", "content": "hi"}]}\'\n'
        "  response:\n    status: {code: 200, message: OK}\n"
        f"    body: {{string: {orjson.dumps(body).decode()}}}\n"
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("span.jsonl", orjson.dumps({"span_kind": [], "context": {}, "attributes": {"x": 1}})),
        (
            "langfuse.json",
            orjson.dumps(
                {
                    "id": "t1",
                    "projectId": "p",
                    "observations": [
                        {
                            "id": "o1",
                            "traceId": "t1",
                            "type": "GENERATION",
                            "startTime": "2024-01-01T00:00:00Z",
                            "model": "gpt-4o",
                            "input": [{"role": "user", "content": [{"type": []}]}],
                            "output": "ok",
                            "usageDetails": {"input": 10, "output": 2},
                        }
                    ],
                }
            ),
        ),
        ("stream.yaml", _cassette_with_stream('data: {"type": []}\n').encode()),
        (
            "deep.yaml",
            (
                "interactions:\n- request:\n    body: " + "[" * 100_000 + "]" * 100_000 + "\n"
            ).encode(),
        ),
    ],
)
def test_a_hostile_value_is_a_problem_or_nothing_never_a_crash(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    _read(path)  # Raises on a crash; a segfault would end the test run.


def test_deep_yaml_is_refused_at_its_line(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("interactions:\n- request:\n    body: " + "{a: " * 60_000 + "1" + "}" * 60_000)
    _, requests, problems = _read(path)
    assert requests == [] and [p.line for p in problems] == [3]
    assert "nested too deep" in problems[0].reason


def test_a_chat_list_mentioning_task_tags_is_not_a_cline_history(tmp_path):
    path = tmp_path / "prompts.json"
    path.write_bytes(
        orjson.dumps(
            [
                {"role": "system", "content": "You are helpful"},
                {"role": "user", "content": "<task>fix the bug</task>"},
            ]
        )
    )
    assert _read(path)[0] != "cline"


def test_a_config_with_an_interactions_mapping_is_not_a_cassette(tmp_path):
    path = tmp_path / "otel.yaml"
    path.write_text("interactions:\n  enabled: true\n")
    assert _read(path)[0] != "vcr-cassette"
