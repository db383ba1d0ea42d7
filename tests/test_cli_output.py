"""What `ctxlint` says around its findings: never "All checks passed!" when that is not true,
a warning when nothing was found to check, and a count of what a folder walk passed over."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.cli.check_output import passed_over_note
from ctxlint.engine import FileResult, Report
from ctxlint.reporters.text import passed, render_text

CLEAN = "import anthropic\nSYSTEM_PROMPT = 'You are terse.'\n"
FLAGGED = (
    "import json\nimport anthropic\nclient = anthropic.Anthropic()\n"
    "def ask(state, q):\n"
    "    system = 'State: ' + json.dumps(state)\n"
    "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
)


def run(args: list[str], cwd, monkeypatch):
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_an_empty_folder_warns_and_passes_nothing(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    result = run(["empty"], tmp_path, monkeypatch)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "warning: no Python files, prompt files or traces found\n"
    as_json = run(["--output-format", "json", "empty"], tmp_path, monkeypatch)
    assert json.loads(as_json.stdout) == []
    assert "no Python files, prompt files or traces found" in as_json.stderr


def test_a_walk_counts_the_files_it_passed_over(tmp_path, monkeypatch):
    (tmp_path / "agent.py").write_text(CLEAN)
    (tmp_path / "notes.txt").write_text("json.dumps(x)\n")
    (tmp_path / "README.md").write_text("# agent\n")
    (tmp_path / "package.json").write_text('{"name": "agent"}\n')  # JSON, but no trace
    (tmp_path / "rows.jsonl").write_text('{"id": 1}\n{"id": 2}\n')  # JSON lines, no trace
    result = run(["."], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.stdout == "All checks passed!\n"
    assert result.stderr.startswith(
        "note: passed over 4 files that are not Python, a prompt file or a known trace format ("
    )
    assert run(["-q", "."], tmp_path, monkeypatch).stderr == ""


def test_only_files_passed_over_is_nothing_checked(tmp_path, monkeypatch):
    (tmp_path / "rows.jsonl").write_text('{"id": 1}\n')
    result = run(["."], tmp_path, monkeypatch)
    assert result.exit_code == 0
    assert "All checks passed!" not in result.output
    assert "warning: no Python files, prompt files or traces found" in result.stderr
    assert "note: passed over 1 file that is not Python" in result.stderr


def test_passed_over_note_names_the_commonest_suffixes():
    paths = ["a.md", "b.md", "c.txt", "d.toml", "e.toml", "f.toml", "LICENSE", "g.cfg"]
    assert passed_over_note(paths) == (
        "passed over 8 files that are not Python, a prompt file or a known trace format "
        "(.toml, .md, .txt, …)"
    )
    assert passed_over_note(["LICENSE"]) == (
        "passed over 1 file that is not Python, a prompt file or a known trace format"
    )


# Markdown and text named on the command line are prompt files (tests/test_prompt_discovery.py).
@pytest.mark.parametrize("name", ["notes.log", "data.csv"])
def test_a_named_file_of_no_format_ctxlint_reads_is_said_to_be_one(tmp_path, monkeypatch, name):
    # Plain text is often valid Python ("# agent", a lone word): it was parsed and "passed".
    (tmp_path / name).write_text("# agent\n")
    result = run(["--output-format", "json", name], tmp_path, monkeypatch)
    assert [(f["code"], f["filename"]) for f in json.loads(result.stdout)] == [("CTX900", name)]
    assert "not Python or a trace format ctxlint reads" in json.loads(result.stdout)[0]["message"]
    assert result.exit_code == 2
    assert "All checks passed!" not in run([name], tmp_path, monkeypatch).stdout


@pytest.mark.parametrize(
    ("name", "first_line"), [("deploy", ""), ("tool.sh", "#!/usr/bin/env python3\n")]
)
def test_a_python_script_named_without_py_is_checked_as_python(
    tmp_path, monkeypatch, name, first_line
):
    (tmp_path / name).write_text(first_line + "def f(:\n")
    result = run(["--output-format", "json", name], tmp_path, monkeypatch)
    findings = json.loads(result.stdout)
    assert [f["code"] for f in findings] == ["CTX900"]
    assert "syntax error" in findings[0]["message"]


def _report(**fields) -> Report:
    return Report(files_checked=fields.pop("files_checked", 1), **fields)


def test_all_checks_passed_only_when_something_was_checked_and_nothing_went_wrong():
    assert passed(_report())
    assert render_text(_report()) == "All checks passed!\n"
    assert not passed(_report(files_checked=0))
    assert render_text(_report(files_checked=0)) == ""
    assert not passed(_report(errors=["x.py: not fixed: read-only"]))
    failed = FileResult("x.py", problems=["internal error while checking: KeyError: 'a'"])
    report = _report(results=[failed])
    assert not passed(report)
    assert render_text(report) == "No findings, but ctxlint failed on 1 file (see the warnings).\n"
    # A problem that is no failure (a fix left out) does not keep the run from passing.
    assert passed(_report(results=[FileResult("x.py", problems=["fix skipped: overlaps"])]))


def test_simulate_refuses_python_source(tmp_path, monkeypatch):
    (tmp_path / "agent.py").write_text(CLEAN)
    result = run(["simulate", "agent.py"], tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: agent.py: Python source, not a trace (`ctxlint check` checks it)\n"
    )


def test_simulate_on_json_that_is_no_trace_says_so(tmp_path, monkeypatch):
    (tmp_path / "package.json").write_text('{"name": "agent"}\n')
    result = run(["simulate", "package.json"], tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert result.stdout == ""  # no empty report of 0 requests
    assert (
        "package.json:1: unknown trace format: not Python or a trace format ctxlint reads"
        in result.stderr
    )
    assert "error: no requests could be read" in result.stderr


def test_simulate_on_a_folder_without_traces_warns(tmp_path, monkeypatch):
    (tmp_path / "agent.py").write_text(CLEAN)
    result = run(["simulate", "."], tmp_path, monkeypatch)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "warning: no traces found\n"


def test_a_walk_does_not_go_into_caches(tmp_path, monkeypatch):
    (tmp_path / "agent.py").write_text(CLEAN)
    first = run(["."], tmp_path, monkeypatch)
    assert (tmp_path / ".ctxlint_cache" / "CACHEDIR.TAG").exists()
    # Another tool's cache, tagged the same way, holding a copy of flagged Python.
    cache = tmp_path / ".tool_cache"
    cache.mkdir()
    (cache / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n")
    (cache / "copy.py").write_text(FLAGGED)
    second = run(["."], tmp_path, monkeypatch)
    # Neither ctxlint's own cache files nor the other cache's are counted or checked.
    assert first.stderr == second.stderr == ""
    assert second.exit_code == 0 and second.stdout == "All checks passed!\n"
    # Named, a folder is checked whatever it holds.
    assert run([".tool_cache"], tmp_path, monkeypatch).exit_code == 1
