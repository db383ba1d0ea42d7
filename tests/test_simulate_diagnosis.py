"""The provider's own cache diagnostics (Anthropic's `diagnostics`, OpenAI's
`prompt_cache_diagnostics`): read from the traces that record them, shown beside ctxlint's
cause, and counted where the two name the same place or not."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.config import Settings
from ctxlint.simulate.run import simulate_files
from ctxlint.simulate.simulator import Options
from ctxlint.trace.loader import TraceReader
from ctxlint.trace.model import Diagnosis, Request
from ctxlint.trace.reading import Problem

from conftest import REPO

FIXTURES = REPO / "fixtures" / "diagnostics"
ANTHROPIC = FIXTURES / "anthropic_messages.jsonl"
OPENAI = FIXTURES / "openai_responses.jsonl"


def read(path: Path) -> tuple[list[Request], list[Problem]]:
    requests, problems = [], []
    for item in TraceReader(str(path)):
        (problems if isinstance(item, Problem) else requests).append(item)
    return requests, problems


def write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_anthropic_and_openai_diagnostics_are_read_as_recorded():
    requests, problems = read(ANTHROPIC)
    assert problems == []
    assert [r.usage.diagnosis for r in requests] == [
        Diagnosis("anthropic", "none"),
        Diagnosis("anthropic", "none"),
        Diagnosis("anthropic", "tools_changed", 2344),
        Diagnosis("anthropic", "system_changed", 2340),
    ]
    requests, problems = read(OPENAI)
    assert problems == []
    assert [r.usage.diagnosis for r in requests] == [
        None,
        Diagnosis("openai", "cache_hit"),
        Diagnosis("openai", "tools_changed", 2262),
        Diagnosis("openai", "comparison_response_not_found"),
    ]


def test_claude_code_lines_carry_the_diagnostics_of_their_response(tmp_path):
    def line(uuid, parent, kind, content, request_id=None, diagnostics=None):
        found = {
            "parentUuid": parent,
            "sessionId": "session",
            "type": kind,
            "uuid": uuid,
            "timestamp": "2026-11-20T10:00:00.000Z",
            "message": {"role": kind, "content": content},
        }
        if request_id:
            found["requestId"] = request_id
            found["message"].update(
                usage={"input_tokens": 10, "output_tokens": 2},
                model="claude-sonnet-4-6",
                diagnostics=diagnostics,
            )
        return found

    reason = {"type": "messages_changed", "cache_missed_input_tokens": 1800}
    path = write(
        tmp_path / "session.jsonl",
        [
            line("u1", None, "user", "first question"),
            line("a1", "u1", "assistant", [{"type": "text", "text": "one"}], "r1"),
            line("u2", "a1", "user", "second question"),
            line(
                "a2",
                "u2",
                "assistant",
                [{"type": "text", "text": "two"}],
                "r2",
                {"cache_miss_reason": reason},
            ),
        ],
    )
    requests, problems = read(path)
    assert problems == []
    assert [r.usage.diagnosis for r in requests] == [
        None,
        Diagnosis("anthropic", "messages_changed", 1800),
    ]


def test_diagnostics_of_the_wrong_shape_are_a_problem_at_their_line(tmp_path):
    lines = records(ANTHROPIC)
    lines[2]["response"]["diagnostics"] = {"cache_miss_reason": "tools_changed"}
    lines[3]["response"]["diagnostics"]["cache_miss_reason"]["cache_missed_input_tokens"] = "many"
    requests, problems = read(write(tmp_path / "bad.jsonl", lines))
    assert [r.origin.line for r in requests] == [1, 2]
    assert [p.line for p in problems] == [3, 4]
    assert "/response/diagnostics/cache_miss_reason has type string" in problems[0].reason
    assert "cache_missed_input_tokens" in problems[1].reason
    openai = records(OPENAI)
    openai[1]["response"]["prompt_cache_diagnostics"] = ["cache_hit"]
    requests, problems = read(write(tmp_path / "bad_openai.jsonl", openai))
    assert [p.line for p in problems] == [2] and len(requests) == 3
    assert "prompt_cache_diagnostics has type array" in problems[0].reason


def test_the_provider_and_ctxlint_agree_where_they_name_the_same_place():
    found = simulate_files([str(ANTHROPIC), str(OPENAI)], Options(), Settings())
    compared = [
        (r.diagnosis.verdict, r.miss and r.miss.segment, r.diagnosis_agrees)
        for r in found.requests
        if r.diagnosis
    ]
    assert compared == [
        # The first request's comparison is with one the trace does not hold; Anthropic's
        # null reason is no verdict (it also stands for a comparison still running).
        ("none", None, None),
        ("none", None, None),
        ("tools_changed", "tools[2]", True),
        ("system_changed", "system[0]", True),
        ("cache_hit", None, True),
        ("tools_changed", "tools[2]", True),
        ("comparison_response_not_found", None, None),
    ]
    overall = found.overall
    assert (overall.diagnosed, overall.diagnoses_compared, overall.diagnoses_agreeing) == (7, 4, 4)


def test_a_provider_verdict_ctxlint_does_not_share_counts_against_it(tmp_path):
    lines = records(ANTHROPIC)[:2]
    # The second request only appends to the first: ctxlint finds no divergence.
    lines[1]["response"]["diagnostics"] = {
        "cache_miss_reason": {"type": "messages_changed", "cache_missed_input_tokens": 40}
    }
    # The same session goes on with another model.
    third = json.loads(json.dumps(lines[1]))
    third["request"]["model"] = third["response"]["model"] = "claude-haiku-4-5"
    third["response"]["diagnostics"] = {
        "cache_miss_reason": {"type": "model_changed", "cache_missed_input_tokens": 2300}
    }
    path = write(tmp_path / "trace.jsonl", [*lines, third])
    found = simulate_files([str(path)], Options(), Settings())
    assert [r.diagnosis_agrees for r in found.requests] == [None, False, True]
    text = CliRunner().invoke(main, ["simulate", str(path)]).output
    assert "anthropic says messages changed, 40 tokens missed: ctxlint's cause differs" in text
    assert "anthropic says model changed, 2,300 tokens missed: ctxlint agrees" in text
    assert "ctxlint's cause agrees with the provider's on 1 of 2 compared (50.0%)" in text


def test_json_and_page_carry_the_provider_verdict_and_the_agreement(tmp_path):
    result = CliRunner().invoke(main, ["simulate", str(ANTHROPIC), "--output-format", "json"])
    report = orjson.loads(result.output)
    assert report["summary"]["provider_diagnostics"] == {
        "requests": 4,
        "compared": 2,
        "agreeing": 2,
        "rate": 1.0,
    }
    assert report["requests"][2]["provider_diagnosis"] == {
        "provider": "anthropic",
        "verdict": "tools_changed",
        "missed_tokens": 2344,
        "agrees": True,
    }
    page = tmp_path / "report.html"
    CliRunner().invoke(main, ["simulate", str(ANTHROPIC), "-q", "--html", str(page)])
    html = page.read_text()
    assert "<h2>The provider's diagnosis beside ctxlint's</h2>" in html
    assert "anthropic says system changed, 2,340 tokens missed" in html
