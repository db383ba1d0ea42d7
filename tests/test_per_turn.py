"""Per-turn content in the prefix (CTX011) beyond its examples: the simulator names it as the
cause of the misses it makes, a rewritten prompt is told from a replaced one, and the real
shared traces (whose prompts never change) stay silent."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from ctxlint.config import Settings
from ctxlint.engine import check_paths
from ctxlint.simulate.simulator import Options, Simulator
from ctxlint.trace.per_turn import _changed_spans, _section_heading

from conftest import LONG, SHARED, turns

BASE = "You are the support agent for Acme. Answer briefly and cite the order number. "


def _lines(systems: list[str]) -> bytes:
    return b"".join(
        orjson.dumps(
            {
                "ctxlint": 1,
                "session": "s",
                "timestamp": f"2026-03-02T09:00:0{number}Z",
                "model": "claude-sonnet-4-5",
                "system": [
                    {"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}
                ],
                "messages": turns(number + 1),
            }
        )
        + b"\n"
        for number, system in enumerate(systems)
    )


def _simulate(tmp_path: Path, systems: list[str]) -> list:
    path = tmp_path / "trace.jsonl"
    path.write_bytes(_lines(systems))
    return list(Simulator(Options(), Settings()).run([str(path)]))


def test_the_simulator_names_rebuilt_memories_as_the_cause(tmp_path):
    systems = [f"{BASE}{LONG}\nRelevant memories:\n- {fact}" for fact in ("tea", "a kettle")]
    results = _simulate(tmp_path, systems)
    miss = results[1].miss
    assert (miss.code, miss.segment) == ("CTX011", "system[0]")
    assert "per-turn content" in miss.reason


def test_the_simulator_names_a_rebuilt_tool_description_as_the_cause(tmp_path):
    lines = [
        orjson.dumps(
            {
                "ctxlint": 1,
                "session": "s",
                "timestamp": f"2026-03-02T09:00:0{number}Z",
                "model": "claude-sonnet-4-5",
                "system": [{"type": "text", "text": BASE + LONG}],
                "tools": [
                    {
                        "name": "lookup",
                        "description": f"Look up. <context>{hint}</context>",
                        "input_schema": {"type": "object"},
                        "cache_control": {"type": "ephemeral"},
                    }
                ],
                "messages": turns(number + 1),
            }
        )
        + b"\n"
        for number, hint in enumerate(("order 1 shipped", "order 2 lost"))
    ]
    path = tmp_path / "trace.jsonl"
    path.write_bytes(b"".join(lines))
    miss = list(Simulator(Options(), Settings()).run([str(path)]))[1].miss
    assert miss.code == "CTX011"
    assert miss.reason == "per-turn content in tool 'lookup' was rebuilt"


def test_the_simulator_leaves_a_one_off_switch_without_a_rule(tmp_path):
    systems = [f"{BASE}{LONG}\nTone: formal.", f"{BASE}{LONG}\nTone: casual."]
    miss = _simulate(tmp_path, systems)[1].miss
    assert miss.code is None and miss.reason == "the system prompt changed"


def test_the_check_reports_a_rewritten_prompt_once_per_session(tmp_path):
    path = tmp_path / "trace.jsonl"
    systems = [f"{BASE}\n## Todo\n- step {'x' * number}" for number in range(1, 6)]
    path.write_bytes(_lines(systems))
    found = [d for d in check_paths([str(path)], Settings()).diagnostics if d.code == "CTX011"]
    assert [d.start.line for d in found] == [2]
    assert 'under "Todo"' in found[0].message


def test_a_prompt_replaced_whole_is_not_a_rewritten_section():
    assert _changed_spans("You plan the work.", "You write the code.") is None
    spans = _changed_spans(BASE + "Facts: tea", BASE + "Facts: kettle")
    assert spans == ((len(BASE) + 7, len(BASE) + 10), (len(BASE) + 7, len(BASE) + 13))


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("Be brief.\nRelevant memories:\n- tea", "Relevant memories"),
        ("Be brief.\n## Todo list\n- [ ] a", "Todo list"),
        ("Be brief.\n<retrieved_context>doc</retrieved_context>", "retrieved_context"),
        ("Be brief.\n## Style\n- formal", None),
    ],
)
def test_the_section_heading_over_a_change(text, heading):
    start = len(text) - 3
    assert _section_heading(text, start, len(text)) == heading


@pytest.mark.skipif(not (SHARED / "traces").is_dir(), reason="../shared/traces is not here")
def test_real_shared_traces_have_no_per_turn_content():
    report = check_paths([str(SHARED / "traces")], Settings())
    assert not [d for d in report.diagnostics if d.code == "CTX011"]
