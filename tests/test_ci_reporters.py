"""The CI reporters: GitLab Code Quality JSON and JUnit XML, against what GitLab and JUnit
readers take (snapshots, the documented shape, fingerprints that survive moved lines)."""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ElementTree

import pytest

from ctxlint.config import OUTPUT_FORMATS, Settings
from ctxlint.engine import check_paths
from ctxlint.reporters import render
from ctxlint.results import FileResult, Report

from conftest import REPO

EXAMPLE = "fixtures/examples/support_agent.py"
SNAPSHOTS = REPO / "tests" / "snapshots"
# https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}
FLAGGED = (
    "import json\nimport anthropic\nclient = anthropic.Anthropic()\n"
    "def ask(state, q):\n"
    "    system = 'State: ' + json.dumps(state)\n"
    "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
)
NOT_A_TRACE = '{"text": "a dataset row", "label": 1}\n'


@pytest.fixture
def report(monkeypatch):
    monkeypatch.chdir(REPO)
    return check_paths([EXAMPLE], Settings(root=REPO))


def test_formats_are_offered_by_the_command_line_and_the_configuration():
    schema = json.loads((REPO / "lint" / "config.schema.json").read_text())
    assert "gitlab" in OUTPUT_FORMATS and "junit" in OUTPUT_FORMATS
    assert schema["properties"]["output-format"]["enum"] == list(OUTPUT_FORMATS)


def _check(folder, names) -> Report:
    return check_paths(names, Settings(root=folder))


def test_gitlab_issues_have_the_documented_shape(report):
    issues = json.loads(render("gitlab", report))
    assert len(issues) == len(report.diagnostics) > 0
    for issue, diagnostic in zip(issues, report.diagnostics, strict=True):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["check_name"] == diagnostic.code
        assert issue["description"].startswith(f"{diagnostic.code}: {diagnostic.message}")
        assert issue["severity"] in GITLAB_SEVERITIES
        assert issue["location"]["path"] == EXAMPLE
        assert issue["location"]["lines"]["begin"] == diagnostic.start.line
        assert issue["location"]["lines"]["end"] >= issue["location"]["lines"]["begin"]
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


def test_gitlab_fingerprints_survive_lines_added_above(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "agent.py").write_text(FLAGGED)
    before = json.loads(render("gitlab", _check(tmp_path, ["agent.py"])))
    (tmp_path / "agent.py").write_text("# a comment\n\n\n" + FLAGGED)
    after = json.loads(render("gitlab", _check(tmp_path, ["agent.py"])))
    assert before and [i["location"]["lines"]["begin"] + 3 for i in before] == [
        i["location"]["lines"]["begin"] for i in after
    ]
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    # A finding in another file, or of another rule, is another issue.
    (tmp_path / "other.py").write_text(FLAGGED)
    both = json.loads(render("gitlab", _check(tmp_path, ["agent.py", "other.py"])))
    assert len({i["fingerprint"] for i in both}) == len(both) == 2 * len(before)


def test_gitlab_tells_identical_findings_in_one_file_apart(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    again = FLAGGED[FLAGGED.index("def ask") :].replace("def ask", "def ask_again")
    (tmp_path / "agent.py").write_text(FLAGGED + again)
    issues = json.loads(render("gitlab", _check(tmp_path, ["agent.py"])))
    # The same finding twice, told apart in the messages only by the lines they name.
    descriptions = [re.sub(r"\d+", "N", issue["description"]) for issue in issues]
    assert len(descriptions) == 2 and descriptions[0] == descriptions[1]
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]


def test_gitlab_paths_are_relative_to_where_ctxlint_runs(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "agent.py").write_text(FLAGGED)
    monkeypatch.chdir(tmp_path)
    report = _check(tmp_path, [str(tmp_path / "src" / "agent.py")])
    [issue] = json.loads(render("gitlab", report))
    assert issue["location"]["path"] == "src/agent.py"


def test_gitlab_unreadable_input_ranks_above_findings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rows.jsonl").write_text(NOT_A_TRACE)
    [issue] = json.loads(render("gitlab", _check(tmp_path, ["rows.jsonl"])))
    assert issue["check_name"] == "CTX900" and issue["severity"] == "critical"


def _junit(report: Report) -> ElementTree.Element:
    rendered = render("junit", report)
    assert rendered.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ElementTree.fromstring(rendered.encode("utf-8"))


def test_junit_has_a_suite_per_file_and_a_failing_case_per_finding(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "agent.py").write_text(FLAGGED)
    (tmp_path / "rows.jsonl").write_text(NOT_A_TRACE)
    report = _check(tmp_path, ["agent.py", "rows.jsonl", "missing.py"])
    root = _junit(report)
    assert root.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert set(suites) == {"agent.py", "rows.jsonl", "ctxlint"}
    agent = suites["agent.py"]
    [case] = agent.findall("testcase")
    [found] = [d for d in report.diagnostics if d.path == "agent.py"]
    failure = case.find("failure")
    assert failure is not None and case.find("error") is None
    assert failure.get("type") == found.code
    assert failure.get("message") == f"{found.code} {found.message}"
    assert failure.text.startswith(f"agent.py:{found.start.line}:{found.start.column}: ")
    assert case.get("file") == "agent.py" and case.get("line") == str(found.start.line)
    # A file that could not be read, and a path that is not there, are errors, not failures.
    assert suites["rows.jsonl"].find("testcase/error").get("type") == "CTX900"
    assert "missing.py" in suites["ctxlint"].find("testcase/error").get("message")
    counts = {
        name: [s.get(key) for key in ("tests", "failures", "errors")] for name, s in suites.items()
    }
    assert counts == {
        "agent.py": ["1", "1", "0"],
        "rows.jsonl": ["1", "0", "1"],
        "ctxlint": ["1", "0", "1"],
    }
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "2")


def test_junit_of_a_clean_run_is_one_passing_case(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "agent.py").write_text("SYSTEM_PROMPT = 'You are terse.'\n")
    root = _junit(_check(tmp_path, ["agent.py"]))
    [case] = root.findall("testsuite/testcase")
    assert list(case) == [] and case.get("name") == "no findings in 1 file"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "0")


def test_junit_stays_well_formed_whatever_a_path_or_message_holds(tmp_path, monkeypatch):
    # XML 1.0 cannot hold a control character, even escaped; a file name can.
    monkeypatch.chdir(tmp_path)
    name = "rows\x1b[2J\x07 <&>.jsonl"
    (tmp_path / name).write_text(NOT_A_TRACE)
    root = _junit(_check(tmp_path, [name]))
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "rows\\x1b[2J\\x07 <&>.jsonl"


def _with_help(report: Report) -> Report:
    [first, *_] = report.diagnostics
    helped = dataclasses.replace(first, help="Sort the keys: json.dumps(..., sort_keys=True)")
    return Report(results=[FileResult(first.path, diagnostics=[helped])], files_checked=1)


def test_help_reaches_every_ci_format(report):
    helped = _with_help(report)
    assert "\nhelp: Sort the keys" in _junit(helped).find("testsuite/testcase/failure").text
    [issue] = json.loads(render("gitlab", helped))
    assert issue["description"].endswith(". Sort the keys: json.dumps(..., sort_keys=True)")


def test_junit_failure_says_what_to_do_and_where_else_to_look(report):
    cases = _junit(report).findall("testsuite/testcase")
    first = next(d for d in report.diagnostics if d.help and d.related)
    where = (str(first.start.line), f"{first.code} ({first.name}) at {first.start.line}:")
    case = next(c for c in cases if (c.get("line"), c.get("name")[: len(where[1])]) == where)
    body = case.find("failure").text.splitlines()
    assert body[1:] == [
        f"help: {first.help}",
        *(f"note: {r.message}: {r.path}:{r.start.line}:{r.start.column}" for r in first.related),
    ]


def test_a_trace_finding_names_its_session_and_place(tmp_path, monkeypatch):
    trace = REPO / "fixtures/trace/ctx006/openai_responses_sliding_window.jsonl"
    monkeypatch.chdir(REPO)
    report = _check(REPO, [str(trace.relative_to(REPO))])
    [found] = report.diagnostics
    case = _junit(report).find("testsuite/testcase")
    assert case.get("line") == "3"
    assert f"session {found.session}, at {found.pointer}" in case.find("failure").text
    [issue] = json.loads(render("gitlab", report))
    assert issue["location"]["lines"]["begin"] == 3
    assert f"session {found.session}, at {found.pointer}" in issue["description"]
