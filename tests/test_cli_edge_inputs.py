"""The command on inputs a real project has and a tidy fixture lacks: file names that are not
UTF-8, paths with spaces, files the user may not write."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from test_cli import FLAGGED, run

import ctxlint.files

# A byte that is no UTF-8: Python names such a file with a lone surrogate (surrogateescape).
ODD_NAME = os.fsdecode(b"\xffagent.py")


def _ctxlint(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    # The installed command end to end: the bytes it writes, not what a test runner decodes.
    return subprocess.run(
        [sys.executable, "-m", "ctxlint", *args], cwd=cwd, capture_output=True, timeout=120
    )


@pytest.fixture
def odd_project(tmp_path):
    try:
        (tmp_path / ODD_NAME).write_text(FLAGGED)
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system does not take names that are not UTF-8")
    return tmp_path


@pytest.mark.parametrize("output_format", ["json", "sarif", "gitlab"])
def test_a_file_name_that_is_not_utf8_is_reported_in_json(odd_project, output_format):
    done = _ctxlint(["--output-format", output_format, "."], odd_project)
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert done.returncode == 1
    assert "agent.py" in orjson.loads(done.stdout).__repr__()


def test_a_file_name_that_is_not_utf8_does_not_stop_the_cache(odd_project):
    for _ in range(2):  # the second run reads the cache the first wrote
        done = _ctxlint(["--output-format", "concise", "."], odd_project)
        assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
        assert done.returncode == 1
        assert b"agent.py:5:26: CTX002" in done.stdout


@pytest.mark.parametrize("output_format", ["text", "junit"])
def test_a_file_name_that_is_not_utf8_is_written_to_a_report_file(odd_project, output_format):
    args = ["--no-cache", "--output-format", output_format, "--output-file", "out", "."]
    done = _ctxlint(args, odd_project)
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert done.returncode == 1
    assert "agent.py" in (odd_project / "out").read_text(encoding="utf-8")


def test_sarif_uris_are_percent_encoded(tmp_path):
    # A SARIF artifactLocation.uri is a URI reference: a space is %20, and a colon in the
    # first segment would read as a scheme.
    folder = tmp_path / "my pkg:v2"
    folder.mkdir()
    (folder / "agent.py").write_text(FLAGGED)
    result = run(["--output-format", "sarif", "."], tmp_path)
    document = orjson.loads(result.output)
    (finding,) = document["runs"][0]["results"]
    uri = finding["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20pkg%3Av2/agent.py"


def test_a_fix_does_not_replace_a_file_the_user_may_not_write(tmp_path, monkeypatch):
    # Replacing by rename needs only the folder to be writable: a read-only file would be
    # swapped for a new one (owned by whoever ran ctxlint) although it cannot be written.
    path = tmp_path / "agent.py"
    path.write_text(FLAGGED)
    path.chmod(0o444)
    if os.access(path, os.W_OK):  # root may write anything: act as a user who may not
        real_access = os.access
        monkeypatch.setattr(
            ctxlint.files.os,
            "access",
            lambda p, mode, **kw: False if mode & os.W_OK else real_access(p, mode, **kw),
        )
    for args in (["--fix", "--unsafe-fixes"], ["--add-noqa"]):
        result = run([*args, "agent.py"], tmp_path)
        assert path.read_text() == FLAGGED
        assert result.exit_code == 2
        assert "Permission denied" in result.output


@pytest.fixture
def configured(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ctxlint.toml").write_text('select = ["CTX002"]\n')
    (tmp_path / "other.py").write_text(FLAGGED)
    return tmp_path


@pytest.mark.parametrize(
    "args", [["-", "--stdin-filename", "sub/a.py"], ["--stdin-filename", "sub/a.py"]]
)
def test_show_settings_with_stdin_shows_the_settings_of_the_name_it_stands_for(configured, args):
    result = run([*args, "--show-settings"], configured, stdin="x = 1\n")
    assert result.exit_code == 0, result.output
    assert "Resolved settings for: sub/a.py" in result.output
    assert f"Settings path: {configured / 'sub' / 'ctxlint.toml'}" in result.output


@pytest.mark.parametrize(
    ("args", "listed"),
    [
        (["-"], "python -\n"),
        (["-", "--stdin-filename", "sub/a.py"], "python sub/a.py\n"),
        (["--stdin-filename", "logs/a.jsonl"], "trace  logs/a.jsonl\n"),
    ],
)
def test_show_files_with_stdin_lists_standard_input_alone(configured, args, listed):
    result = run([*args, "--show-files"], configured, stdin="x = 1\n")
    assert result.exit_code == 0, result.output
    assert result.output == listed


def test_github_annotations_name_a_file_by_its_path_from_the_workspace(tmp_path):
    # GitHub attaches an annotation to a file of the repository by its path from the root (the
    # folder the job runs in), as SARIF and GitLab reports already give it.
    (tmp_path / "agent.py").write_text(FLAGGED)
    result = run(["--output-format", "github", str(tmp_path / "agent.py")], tmp_path)
    assert result.output.startswith("::warning file=agent.py,line=5,col=26,"), result.output


@pytest.mark.parametrize(
    "spellings", [["agent.py", "./agent.py"], [".", "./agent.py"], ["agent.py", "{root}/agent.py"]]
)
def test_a_file_named_twice_in_different_spellings_is_checked_once(tmp_path, spellings):
    (tmp_path / "agent.py").write_text(FLAGGED)
    paths = [spelling.format(root=tmp_path) for spelling in spellings]
    result = run(["--output-format", "concise", *paths], tmp_path)
    assert result.output.count(": CTX002 ") == 1, result.output
    assert "Found 1 finding." in result.output
    fixed = run(["--fix", "--unsafe-fixes", "--output-format", "concise", *paths], tmp_path)
    assert fixed.exit_code == 0, fixed.output
    assert "not fixed" not in fixed.output


@pytest.mark.parametrize("how", ["option", "configuration"])
def test_with_unsafe_fixes_on_an_unsafe_fix_is_one_that_fix_applies(tmp_path, how):
    # `--fix` applies it: the summary must not ask for --unsafe-fixes the run already has.
    (tmp_path / "agent.py").write_text(FLAGGED)
    args = ["--unsafe-fixes"] if how == "option" else []
    if how == "configuration":
        (tmp_path / "ctxlint.toml").write_text("unsafe-fixes = true\n")
    concise = run([*args, "--output-format", "concise", "agent.py"], tmp_path)
    assert "agent.py:5:26: CTX002 [*] " in concise.output
    assert "[*] 1 fixable with `ctxlint --fix`." in concise.output
    assert "--unsafe-fixes`" not in concise.output
    text = run([*args, "agent.py"], tmp_path)
    assert "CTX002 [*] " in text.output
    assert "[*] 1 fixable with `ctxlint --fix`." in text.output
    statistics = run([*args, "--statistics", "--output-format", "json", "agent.py"], tmp_path)
    assert orjson.loads(statistics.output)[0]["fixable_count"] == 1
    stdin = run([*args, "-", "--stdin-filename", "agent.py"], tmp_path, stdin=FLAGGED)
    assert "[*] 1 fixable with `ctxlint --fix`." in stdin.output


def test_without_unsafe_fixes_an_unsafe_fix_asks_for_them(tmp_path):
    (tmp_path / "agent.py").write_text(FLAGGED)
    concise = run(["--output-format", "concise", "agent.py"], tmp_path)
    assert "agent.py:5:26: CTX002 `json" in concise.output
    assert "1 more fixable with `ctxlint --fix --unsafe-fixes`." in concise.output


def test_the_summary_after_fixing_counts_the_same_way_whether_or_not_findings_remain(tmp_path):
    # As ruff: "Found 4 (3 fixed, 1 remaining)", and "Found 3 (3 fixed, 0 remaining)".
    (tmp_path / "agent.py").write_text(
        FLAGGED.replace("'State: '", "f'{time.time()} State: '").replace(
            "import json\n", "import json\nimport time\n"
        )
    )
    result = run(["--fix", "--unsafe-fixes", "--output-format", "concise", "agent.py"], tmp_path)
    assert "Found 2 findings (1 fixed, 1 remaining)." in result.output, result.output


def test_an_invalid_ctxlint_toml_is_not_called_a_tool_ctxlint_table(tmp_path):
    (tmp_path / "ctxlint.toml").write_text('ignore = "CTX001"\n')
    (tmp_path / "agent.py").write_text(FLAGGED)
    result = run(["agent.py"], tmp_path)
    assert result.exit_code == 2
    assert "ctxlint.toml: invalid configuration:\n  line 1: ignore:" in result.output
    (tmp_path / "ctxlint.toml").unlink()
    (tmp_path / "pyproject.toml").write_text('[tool.ctxlint]\nignore = "CTX001"\n')
    result = run(["agent.py"], tmp_path)
    assert (
        "pyproject.toml: invalid [tool.ctxlint] configuration:\n  line 2: ignore:" in result.output
    )


def test_the_carets_stand_under_the_finding_after_wide_characters(tmp_path):
    # Each of the 8 CJK characters takes two columns of a terminal.
    (tmp_path / "agent.py").write_text(FLAGGED.replace("'State: '", "'日本語のテキスト: '"))
    result = run(["agent.py"], tmp_path)
    lines = result.output.splitlines()
    source = next(line for line in lines if "json.dumps(state)" in line)
    carets = lines[lines.index(source) + 1]
    before = source[: source.index("json.dumps")]
    assert carets.index("^") == len(before) + 8


def test_help_as_a_word_prints_the_help(tmp_path):
    result = run(["help"], tmp_path)
    assert result.exit_code == 0
    assert "simulate" in result.output and "Commands:" in result.output
    command = run(["help", "rules"], tmp_path)
    assert command.exit_code == 0
    assert "rules [OPTIONS]" in command.output


def test_a_rule_code_in_place_of_a_path_points_at_its_documentation(tmp_path):
    result = run(["CTX001"], tmp_path)
    assert result.exit_code == 2
    assert "did you mean 'ctxlint rule CTX001'?" in result.output
    (tmp_path / "CTX001").mkdir()  # a folder of that name is checked as one
    assert "did you mean" not in run(["CTX001"], tmp_path).output


def test_sessions_on_python_source_says_it_is_python(tmp_path):
    # Not "not Python or a trace format ctxlint reads", as it said, for a file that is Python.
    (tmp_path / "agent.py").write_text(FLAGGED)
    result = run(["sessions", "agent.py"], tmp_path)
    assert result.exit_code == 2
    assert "agent.py: Python source, not a trace (`ctxlint check` checks it)" in result.output
    assert "not Python" not in result.output


def test_diff_says_what_it_leaves_to_unsafe_fixes(tmp_path):
    # Else "Would fix 0 findings." after a check that said "1 more fixable ...".
    (tmp_path / "agent.py").write_text(FLAGGED)
    result = run(["--diff", "agent.py"], tmp_path)
    assert "Would fix 0 findings (1 more with `--unsafe-fixes`)." in result.output
    unsafe = run(["--diff", "--unsafe-fixes", "agent.py"], tmp_path)
    assert "Would fix 1 finding.\n" in unsafe.output


def test_a_glob_with_a_leading_slash_is_taken_from_the_configuration_folder_everywhere(tmp_path):
    # `exclude = ["/build"]` means the build folder beside the configuration; the same
    # spelling in per-file-ignores matched nothing at all.
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "agent.py").write_text(FLAGGED)
    (tmp_path / "ctxlint.toml").write_text('per-file-ignores = { "/tests/**" = ["CTX002"] }\n')
    result = run(["--output-format", "concise", "."], tmp_path)
    assert "All checks passed!" in result.output, result.output


@pytest.mark.parametrize("to_file", [True, False])
def test_a_diff_of_a_file_whose_name_is_not_utf8_keeps_the_name_bytes(tmp_path, to_file):
    try:
        (tmp_path / ODD_NAME).write_text(FLAGGED)
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system does not take names that are not UTF-8")
    args = ["--no-cache", "--diff", "--unsafe-fixes", "."]
    done = subprocess.run(
        [sys.executable, "-m", "ctxlint", *args, *(["--output-file", "out"] if to_file else [])],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        # A UTF-8 terminal that is strict about what it is given, as most desktops are.
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    written = (tmp_path / "out").read_bytes() if to_file else done.stdout
    assert b"--- \xffagent.py\n" in written


@pytest.mark.parametrize(
    "args",
    [[], ["--show-files"], ["--show-settings"], ["sessions"], ["simulate"]],
    ids=["check", "show-files", "show-settings", "sessions", "simulate"],
)
def test_names_that_are_not_utf8_print_on_a_strict_utf8_terminal(tmp_path, args):
    # Most desktops' locales make Python's stdout strict: a lone surrogate made every command
    # that prints a path end in a traceback.
    try:
        (tmp_path / ODD_NAME).write_text(FLAGGED)
        (tmp_path / os.fsdecode(b"\xfftrace.jsonl")).write_bytes(
            Path(__file__)
            .parent.parent.joinpath("fixtures/examples/support_session.jsonl")
            .read_bytes()
        )
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system does not take names that are not UTF-8")
    trace_command = args and args[0] in ("sessions", "simulate")
    target = [os.fsdecode(b"\xfftrace.jsonl")] if trace_command else ["--no-cache", "."]
    done = subprocess.run(
        [sys.executable, "-m", "ctxlint", *args, *target],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert b"trace.jsonl" in done.stdout or b"agent.py" in done.stdout


def test_the_simulated_summary_of_a_trace_whose_name_is_not_utf8_goes_into_the_report_file(
    tmp_path,
):
    name = os.fsdecode(b"\xfftrace.jsonl")
    try:
        (tmp_path / name).write_bytes(
            Path(__file__)
            .parent.parent.joinpath("fixtures/examples/support_session.jsonl")
            .read_bytes()
        )
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system does not take names that are not UTF-8")
    done = _ctxlint(["--output-file", "out", "."], tmp_path)
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert b"Simulated 3 requests" in (tmp_path / "out").read_bytes()
