"""Findings that are off unless asked for: informational ones (made only for a rule selected by
its exact code) and, in an agent product's transcript, what the product does by design."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.config import Settings
from ctxlint.engine import check_paths, check_source
from ctxlint.registry import explicitly_selected
from ctxlint.trace.harness import harness_events

from conftest import make_settings

_LONG_SYSTEM = (
    "import anthropic\nclient = anthropic.Anthropic()\n"
    "SYSTEM = '''" + "Follow the style guide. " * 180 + "'''\n"
    "def ask(q):\n"
    "    return client.messages.create(model='m', max_tokens=9, system=SYSTEM, messages=q)\n"
)


@pytest.mark.parametrize(
    ("table", "explicit"),
    [
        ({}, False),
        ({"select": ["CTX"]}, False),
        ({"select": ["ALL"]}, False),
        ({"select": ["CTX00"]}, False),
        ({"select": ["CTX008"]}, True),
        ({"select": ["ctx008 "]}, True),
        ({"extend-select": ["CTX008"]}, True),
        ({"select": ["CTX001", "CTX008"]}, True),
    ],
)
def test_a_rule_is_explicitly_selected_only_by_its_exact_code(table, explicit):
    assert explicitly_selected("CTX008", make_settings(table)) is explicit


def _missing_breakpoint(table: dict) -> list[str]:
    found = check_source(_LONG_SYSTEM, make_settings(table)).diagnostics
    return [d.message for d in found if d.code == "CTX008"]


def test_a_missing_breakpoint_is_reported_only_when_ctx008_is_asked_for_by_code():
    assert _missing_breakpoint({}) == []
    assert _missing_breakpoint({"select": ["CTX00"]}) == []
    assert _missing_breakpoint({"select": ["CTX008"]}) != []
    assert _missing_breakpoint({"extend-select": ["CTX008"]}) != []


def _compacted_trace(path, format_fields: dict) -> None:
    """Two requests of one session, the second over a compacted history."""
    first = [
        {"role": "user", "content": "Fix the failing test in tests/test_io.py"},
        {"role": "assistant", "content": "Reading the test first."},
        {"role": "user", "content": "Go on"},
    ]
    second = [{"role": "user", "content": "Summary: the test fails on Windows paths."}]
    lines = [
        {"ctxlint": 1, "session": "s1", "messages": first, **format_fields},
        {"ctxlint": 1, "session": "s1", "messages": second, "compacted": True, **format_fields},
    ]
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))


def test_the_users_own_agent_compacting_is_reported(tmp_path):
    trace = tmp_path / "agent.jsonl"
    _compacted_trace(trace, {})
    report = check_paths([str(trace)], Settings(root=tmp_path))
    assert [d.code for d in report.diagnostics] == ["CTX006"]
    assert report.harness_findings == {}
    assert harness_events(str(trace)) == 0


def test_a_harness_products_own_compaction_is_held_back_unless_asked_for(tmp_path, monkeypatch):
    trace = tmp_path / "agent.jsonl"
    _compacted_trace(trace, {})
    # As a Claude Code transcript would be read: the product compacted its own history.
    from ctxlint.trace import harness

    monkeypatch.setattr(harness, "HARNESS_FORMATS", frozenset({"ctxlint"}))
    report = check_paths([str(trace)], Settings(root=tmp_path))
    assert report.diagnostics == []
    assert report.harness_findings == {str(trace): 1}
    assert harness_events(str(trace)) == 1
    shown = check_paths([str(trace)], Settings(root=tmp_path, harness_findings=True))
    assert [d.code for d in shown.diagnostics] == ["CTX006"]


def test_harness_findings_is_an_option_of_the_configuration_and_the_command_line(
    tmp_path, monkeypatch
):
    trace = tmp_path / "agent.jsonl"
    _compacted_trace(trace, {})
    from ctxlint.trace import harness

    monkeypatch.setattr(harness, "HARNESS_FORMATS", frozenset({"ctxlint"}))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    quiet = runner.invoke(main, ["check", "-q", "--no-cache", str(trace)])
    assert "CTX006" not in quiet.output and quiet.exit_code == 0
    flagged = runner.invoke(main, ["check", "-q", "--no-cache", "--harness-findings", str(trace)])
    assert "CTX006" in flagged.output and flagged.exit_code == 1
    (tmp_path / "pyproject.toml").write_text("[tool.ctxlint]\nharness-findings = true\n")
    configured = runner.invoke(main, ["check", "-q", "--no-cache", str(trace)])
    assert "CTX006" in configured.output


def test_the_simulated_summary_says_what_was_held_back(tmp_path, monkeypatch):
    trace = tmp_path / "agent.jsonl"
    _compacted_trace(trace, {})
    from ctxlint.trace import harness

    monkeypatch.setattr(harness, "HARNESS_FORMATS", frozenset({"ctxlint"}))
    monkeypatch.chdir(tmp_path)
    held_back = CliRunner().invoke(main, ["check", "--no-cache", str(trace)])
    assert held_back.exit_code == 0, held_back.output
    [line] = [line for line in held_back.output.splitlines() if "by design" in line]
    assert "1 finding on what the agent product itself does" in line
    assert "--harness-findings" in line
    shown = CliRunner().invoke(main, ["check", "--no-cache", "--harness-findings", str(trace)])
    assert "by design" not in shown.output


def test_a_finding_per_file_ignores_turns_off_is_not_counted_as_held_back(tmp_path, monkeypatch):
    # --harness-findings would not show it either: the summary must not promise it would.
    trace = tmp_path / "agent.jsonl"
    _compacted_trace(trace, {})
    from ctxlint.trace import harness

    monkeypatch.setattr(harness, "HARNESS_FORMATS", frozenset({"ctxlint"}))
    ignoring = Settings(root=tmp_path, per_file_ignores=(("agent.jsonl", ("CTX006",)),))
    assert check_paths([str(trace)], ignoring).harness_findings == {}
    assert harness_events(str(trace), ignoring) == 0
