"""The words of every finding on the rules' own examples: a short message saying what is wrong,
a help saying what to do, the places involved as related locations rather than in the text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ctxlint.engine import check_paths, check_source
from ctxlint.registry import all_rules, select_rules
from ctxlint.rule import InputKind
from ctxlint.trace.checker import TraceChecker

from conftest import make_settings

# A quoted value (a timestamp, a tool name) is evidence of its own length: it counts as this.
_QUOTED = re.compile(r"`[^`]*`")
_QUOTE_WIDTH = 12
MESSAGE_LIMIT = 100
HELP_LIMIT = 160


def _findings(rule, case, folder: Path):
    settings = make_settings({"select": [rule.code], **case.settings})
    if case.kind is InputKind.TRACE:
        path = folder / "example.jsonl"
        path.write_text(case.source, encoding="utf-8")
        checked = TraceChecker(settings, select_rules([rule.code], [], [])).check_file(str(path))
        return [d for d in checked.diagnostics if d.code == rule.code]
    if case.kind is InputKind.TYPESCRIPT:
        path = folder / case.filename
        path.write_text(case.source, encoding="utf-8")
        report = check_paths([str(path)], settings)
        return [d for d in report.diagnostics if d.code == rule.code]
    return [d for d in check_source(case.source, settings).diagnostics if d.code == rule.code]


def _cases():
    for rule in all_rules():
        if rule.meta:
            continue
        for number, case in enumerate(rule.invalid_cases(), start=1):
            yield pytest.param(rule, case, id=f"{rule.code}-invalid-{number}")


def _width(message: str) -> int:
    return len(_QUOTED.sub("`" + "x" * (_QUOTE_WIDTH - 2) + "`", message))


@pytest.mark.parametrize(("rule", "case"), list(_cases()))
def test_a_finding_says_what_is_wrong_briefly_and_what_to_do(rule, case, tmp_path):
    for finding in _findings(rule, case, tmp_path):
        message = finding.message
        assert _width(message) <= MESSAGE_LIMIT, message
        # Where the value is sent, or which earlier request: a related location, not words.
        assert not re.search(r"\(line \d+\)", message), message
        assert finding.help, f"{rule.code}: no help for {message!r}"
        assert len(finding.help) <= HELP_LIMIT, finding.help
        assert finding.help[0].isupper(), finding.help
        assert not finding.help.endswith("."), finding.help
