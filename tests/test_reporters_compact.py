"""The compact views of the findings: `--output-format concise` (a line each; its snapshots
are test_reporters' with every format) and `--statistics` (a count per rule), and the colour
decision."""

from __future__ import annotations

import json
import os
import re

import pytest
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.cli.color import use_color
from ctxlint.config import Settings
from ctxlint.engine import check_paths
from ctxlint.reporters import render
from ctxlint.reporters.statistics import render_statistics, render_statistics_json, rule_counts

from conftest import REPO

EXAMPLE = "fixtures/examples/support_agent.py"
SNAPSHOTS = REPO / "tests" / "snapshots"
CONCISE_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>CTX\d{3})( \[\*\])? \S"
)


@pytest.fixture
def report(monkeypatch):
    monkeypatch.chdir(REPO)
    return check_paths([EXAMPLE], Settings(root=REPO))


def _matches_snapshot(rendered: str, name: str) -> None:
    snapshot = SNAPSHOTS / name
    if os.environ.get("CTXLINT_UPDATE_SNAPSHOTS"):
        snapshot.write_text(rendered)
    assert rendered == snapshot.read_text()


def test_statistics_snapshot(report):
    _matches_snapshot(render_statistics(report), "support_agent.statistics")


def test_concise_is_one_line_per_finding_then_the_summary(report):
    lines = render("concise", report).splitlines()
    findings = report.diagnostics
    assert len(findings) > 1, "the example has findings"
    for line, finding in zip(lines, findings, strict=False):
        match = CONCISE_LINE.match(line)
        assert match, line
        assert (match["path"], int(match["line"]), match["code"]) == (
            finding.path,
            finding.start.line,
            finding.code,
        )
    assert lines[len(findings)].startswith(f"Found {len(findings)} findings")
    assert render("concise", report, quiet=True).count("\n") == len(findings)
    assert "\x1b[" not in render("concise", report)
    assert "\x1b[" in render("concise", report, color=True)


def test_statistics_count_each_rule_commonest_first(report):
    counts = rule_counts(report)
    assert sum(row.count for row in counts) == len(report.diagnostics)
    for row in counts:
        assert row.count == sum(d.code == row.code for d in report.diagnostics)
    assert [(-row.count, row.code) for row in counts] == sorted((-r.count, r.code) for r in counts)
    rows = json.loads(render_statistics_json(report))
    assert [(row["code"], row["count"]) for row in rows] == [(r.code, r.count) for r in counts]
    assert set(rows[0]) == {"code", "name", "count", "fixable", "fixable_count"}


def test_statistics_layout_is_ruffs():
    from ctxlint.diagnostics import Applicability, Diagnostic, Fix, Location
    from ctxlint.engine import FileResult, Report

    def finding(code: str, name: str, line: int, applicability=None) -> Diagnostic:
        fix = Fix("fix it", (), applicability) if applicability is not None else None
        at = Location(line, 1)
        return Diagnostic(code, name, "message", "a.py", at, at, fix=fix)

    diagnostics = [finding("CTX002", "unsorted-json", n, Applicability.SAFE) for n in range(12)]
    diagnostics += [finding("CTX001", "volatile-value-in-prefix", 20, Applicability.UNSAFE)]
    report = Report(results=[FileResult("a.py", diagnostics=diagnostics)], files_checked=1)
    assert render_statistics(report, quiet=True) == (
        "12\tCTX002\t[*] unsorted-json\n 1\tCTX001\t[ ] volatile-value-in-prefix\n"
    )
    # No rule with a safe fix: no column of markers, as in ruff.
    unsafe_only = Report(results=[FileResult("a.py", diagnostics=diagnostics[-1:])])
    assert render_statistics(unsafe_only, quiet=True) == "1\tCTX001\tvolatile-value-in-prefix\n"


def test_statistics_and_concise_from_the_command_line(monkeypatch):
    monkeypatch.chdir(REPO)
    runner = CliRunner()
    counted = runner.invoke(main, ["--statistics", "--no-cache", EXAMPLE])
    assert counted.exit_code == 1
    first = counted.stdout.splitlines()[0].split("\t")
    assert len(first) == 3 and first[0].strip().isdigit() and first[1].startswith("CTX")
    assert "Found" in counted.stdout
    as_json = runner.invoke(
        main, ["--statistics", "--output-format", "json", "--no-cache", EXAMPLE]
    )
    assert as_json.exit_code == 1
    assert {row["code"] for row in json.loads(as_json.stdout)} == {
        d["code"]
        for d in json.loads(runner.invoke(main, ["--output-format", "json", EXAMPLE]).stdout)
    }
    concise = runner.invoke(main, ["--output-format", "concise", "--no-cache", EXAMPLE])
    assert concise.exit_code == 1
    assert CONCISE_LINE.match(concise.stdout.splitlines()[0])
    assert runner.invoke(main, ["--statistics", "--exit-zero", EXAMPLE]).exit_code == 0


@pytest.mark.parametrize(
    ("choice", "terminal", "environ", "expected"),
    [
        ("auto", True, {}, True),
        ("auto", False, {}, False),
        ("auto", True, {"NO_COLOR": "1"}, False),
        ("auto", True, {"NO_COLOR": ""}, True),  # set but empty: no preference
        ("auto", False, {"FORCE_COLOR": "1"}, True),
        ("auto", False, {"FORCE_COLOR": ""}, False),
        ("auto", False, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ("auto", True, {"TERM": "dumb"}, False),
        ("always", False, {"NO_COLOR": "1"}, True),  # the flag is this run's word
        ("never", True, {"FORCE_COLOR": "1"}, False),
    ],
)
def test_use_color(choice, terminal, environ, expected):
    assert use_color(choice, terminal, environ) is expected


def test_color_option_reaches_the_output(monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    runner = CliRunner()
    # CliRunner's output is no terminal.
    assert "\x1b[" not in runner.invoke(main, [EXAMPLE]).stdout
    assert "\x1b[" in runner.invoke(main, ["--color", "always", EXAMPLE]).stdout
    forced = runner.invoke(main, [EXAMPLE], env={"FORCE_COLOR": "1"})
    assert "\x1b[" in forced.stdout
    both = runner.invoke(main, [EXAMPLE], env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in both.stdout
    assert runner.invoke(main, ["--color", "sometimes", EXAMPLE]).exit_code == 2
