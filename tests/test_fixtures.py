"""Larger cases in fixtures/: each file's findings match the .expected file beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxlint.config import Settings
from ctxlint.engine import PythonChecker, check_paths
from ctxlint.registry import all_rules
from ctxlint.rule import InputKind

from conftest import REPO

FIXTURES = sorted((REPO / "fixtures" / "python").glob("*/*.py"))
TRACE_FIXTURES = sorted(
    path for path in (REPO / "fixtures" / "trace").glob("*/*") if path.suffix != ".expected"
)
# Fixtures whose findings come from the analysis (CTX900 comes from the parser); fixtures
# with no expected finding are there to show what a rule leaves alone.
ANALYSED = [
    path
    for path in FIXTURES
    if path.parent.name != "ctx900" and path.with_suffix(".expected").read_text().strip()
]


def _expected(path: Path) -> list[str]:
    # `session.jsonl.gz` is described by `session.expected`, as `agent.py` by `agent.expected`.
    stem = path.name.split(".")[0]
    return (path.parent / f"{stem}.expected").read_text().split("\n")[:-1]


def _settings(path: Path) -> Settings:
    """A rule's fixtures are checked with the rule selected by its code, as one who asks for
    its informational findings does (CTX008's missing breakpoint), and with the findings
    about what an agent product does by design (a pi compaction, a Gemini CLI rewind)."""
    folder = path.parent.name.upper()
    rule = (folder,) if folder.startswith("CTX") else ()
    return Settings(root=REPO, extend_select=rule, harness_findings=True)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_findings(path):
    report = check_paths([str(path)], _settings(path))
    found = [f"{d.start.line}:{d.start.column} {d.code}" for d in report.diagnostics]
    assert found == _expected(path)


@pytest.mark.parametrize("path", TRACE_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_trace_fixture_findings(path):
    report = check_paths([str(path)], _settings(path))
    found = [f"{d.start.line}:{d.start.column} {d.code}" for d in report.diagnostics]
    assert found == _expected(path)


def test_every_rule_has_a_fixture():
    python = {path.parent.name.upper() for path in FIXTURES}
    traces = {path.parent.name.upper() for path in TRACE_FIXTURES}
    for rule in all_rules():
        if InputKind.PYTHON in rule.input_kinds():
            assert rule.code in python, f"{rule.code} has no Python fixture"
        if InputKind.TRACE in rule.input_kinds() or rule.meta:
            assert rule.code in traces, f"{rule.code} has no trace fixture"


@pytest.mark.parametrize("path", ANALYSED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_prefilter_keeps_files_with_findings(path):
    """The prefilter only saves work: a file with a finding must never be skipped by it."""
    checker = PythonChecker(Settings(), all_rules())
    assert checker.wanted(path.read_bytes())


def test_prefilter_keeps_every_invalid_example():
    for rule in all_rules():
        checker = PythonChecker(Settings(), [rule])
        for case in rule.invalid_cases():
            if case.kind is not InputKind.PYTHON:
                continue
            assert checker.wanted(case.source.encode()), f"{rule.code}: {case.source}"


def test_prefilter_skips_code_without_prompts():
    checker = PythonChecker(Settings(), all_rules())
    assert not checker.wanted(b"import json\nprint(json.dumps({'a': set()}))\n")
    # A sink-shaped call alone is not enough without an SDK import...
    assert not checker.wanted(b"import twilio\nclient.messages.create(body=time.time())\n")
    # ...and with one it is.
    assert checker.wanted(b"import anthropic\nc.messages.create(system=str(time.time()))\n")
