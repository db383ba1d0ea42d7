"""The `ctxlint` command end to end: exit codes, options, stdin, fix mode and configuration."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ctxlint.cli import main

from conftest import REPO, make_settings

FLAGGED = (
    "import json\nimport anthropic\nclient = anthropic.Anthropic()\n"
    "def ask(state, q):\n"
    "    system = 'State: ' + json.dumps(state)\n"
    "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
)
FIXED = FLAGGED.replace("json.dumps(state)", "json.dumps(state, sort_keys=True)")
CLEAN = "import anthropic\nSYSTEM_PROMPT = 'You are terse.'\n"
UNSAFE_ONLY = (
    "import anthropic\nclient = anthropic.Anthropic()\nTOOLS = {'a', 'b'}\n"
    "def build_system_prompt():\n    return ', '.join(TOOLS)\n"
)


def run(args: list[str], cwd: Path, stdin: str | None = None):
    runner = CliRunner()
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, args, input=stdin, catch_exceptions=False)
    finally:
        os.chdir(previous)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "agent.py").write_text(FLAGGED)
    (tmp_path / "clean.py").write_text(CLEAN)
    return tmp_path


def test_exit_one_with_findings_zero_when_clean(project):
    result = run(["agent.py"], project)
    assert result.exit_code == 1
    assert "agent.py:5:26: CTX002" in result.output
    assert "Found 1 finding." in result.output
    clean = run(["clean.py"], project)
    assert clean.exit_code == 0
    assert "All checks passed!" in clean.output


def test_default_path_is_the_current_folder(project):
    result = run([], project)
    assert result.exit_code == 1
    assert "agent.py" in result.output


def test_exit_zero_and_selection(project):
    assert run(["--exit-zero", "agent.py"], project).exit_code == 0
    assert run(["--ignore", "CTX002", "agent.py"], project).exit_code == 0
    assert run(["--select", "CTX001,CTX003", "agent.py"], project).exit_code == 0
    # The more specific prefix wins, as in ruff.
    assert run(["--ignore", "CTX", "--select", "CTX002", "agent.py"], project).exit_code == 1


def test_usage_errors_exit_two(project):
    assert run(["--output-format", "xml"], project).exit_code == 2
    missing = run(["nowhere.py", "agent.py"], project)
    assert missing.exit_code == 2
    assert "nowhere.py: no such file or directory" in missing.output
    # The files that exist are still checked.
    assert "agent.py:5:26: CTX002" in missing.output


def test_output_file_and_json(project):
    result = run(["--output-format", "json", "--output-file", "out.json", "agent.py"], project)
    assert result.exit_code == 1
    items = json.loads((project / "out.json").read_text())
    assert [item["code"] for item in items] == ["CTX002"]
    # sort_keys=True raises on keys of mixed types: unsafe (see CTX002 Fix safety).
    assert items[0]["fix"]["applicability"] == "unsafe"


def test_output_file_dash_is_standard_output(project):
    result = run(["--output-format", "json", "--output-file", "-", "agent.py"], project)
    assert result.exit_code == 1
    assert [item["code"] for item in json.loads(result.stdout)] == ["CTX002"]
    assert not (project / "-").exists()


def test_quiet_leaves_out_the_summary(project):
    result = run(["-q", "agent.py"], project)
    assert "CTX002" in result.output
    assert "Found" not in result.output


def test_stdin_uses_the_stdin_filename(project):
    result = run(["-", "--stdin-filename", "src/bot.py"], project, stdin=FLAGGED)
    assert result.exit_code == 1
    assert "src/bot.py:5:26: CTX002" in result.output


def test_stdin_fix_prints_the_fixed_source(project):
    runner = CliRunner()
    os.chdir(project)
    result = runner.invoke(
        main, ["-", "--fix", "--unsafe-fixes"], input=FLAGGED, catch_exceptions=False
    )
    assert result.stdout.startswith(FIXED)


def test_fix_writes_the_file_and_a_second_fix_changes_nothing(project):
    path = project / "agent.py"
    result = run(["--fix", "--unsafe-fixes", "agent.py"], project)
    assert result.exit_code == 0, result.output
    assert path.read_text() == FIXED
    again = run(["--fix", "--unsafe-fixes", "agent.py"], project)
    assert again.exit_code == 0
    assert path.read_text() == FIXED


def test_diff_prints_and_writes_nothing(project):
    result = run(["--diff", "--unsafe-fixes", "agent.py"], project)
    assert result.exit_code == 1
    assert "+    system = 'State: ' + json.dumps(state, sort_keys=True)" in result.output
    assert (project / "agent.py").read_text() == FLAGGED


def test_unsafe_fixes_need_the_flag(project):
    path = project / "tools.py"
    path.write_text(UNSAFE_ONLY)
    assert run(["--fix", "tools.py"], project).exit_code == 1
    assert path.read_text() == UNSAFE_ONLY
    assert run(["--fix", "--unsafe-fixes", "tools.py"], project).exit_code == 0
    assert "', '.join(sorted(TOOLS))" in path.read_text()


def test_fix_keeps_encoding_line_endings_and_mode(project):
    path = project / "legacy.py"
    text = "# -*- coding: latin-1 -*-\n# café\n" + FLAGGED
    path.write_bytes(text.replace("\n", "\r\n").encode("latin-1"))
    path.chmod(0o751)
    assert run(["--fix", "--unsafe-fixes", "legacy.py"], project).exit_code == 0
    data = path.read_bytes()
    assert data.decode("latin-1") == ("# -*- coding: latin-1 -*-\n# café\n" + FIXED).replace(
        "\n", "\r\n"
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert not [p for p in project.iterdir() if p.name.startswith(".ctxlint-")]


def test_fix_keeps_a_byte_order_mark(project):
    path = project / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf" + FLAGGED.encode())
    assert run(["--fix", "--unsafe-fixes", "bom.py"], project).exit_code == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + FIXED.encode()


def test_noqa_suppresses_on_its_line(project):
    path = project / "agent.py"
    path.write_text(FLAGGED.replace("json.dumps(state)\n", "json.dumps(state)  # noqa: CTX002\n"))
    assert run(["agent.py"], project).exit_code == 0
    path.write_text(FLAGGED.replace("json.dumps(state)\n", "json.dumps(state)  # noqa\n"))
    assert run(["agent.py"], project).exit_code == 0
    path.write_text(FLAGGED.replace("json.dumps(state)\n", "json.dumps(state)  # noqa: CTX001\n"))
    assert run(["agent.py"], project).exit_code == 1
    # Inside a string it is not a comment.
    path.write_text(FLAGGED.replace("'State: '", "'State: # noqa '"))
    assert run(["agent.py"], project).exit_code == 1


def test_unreadable_files_are_reported_and_the_rest_checked(project):
    (project / "broken.py").write_bytes(b"x = '\xff\xfe'\n")
    (project / "syntax.py").write_text("def f(:\n")
    result = run(["broken.py", "syntax.py", "agent.py"], project)
    assert result.exit_code == 1
    assert "broken.py:1:6: CTX900 not valid utf-8: byte 0xff" in result.output
    assert "syntax.py:1:7: CTX900 syntax error" in result.output
    assert "agent.py:5:26: CTX002" in result.output
    assert "Traceback" not in result.output


def test_nothing_readable_exits_two(project):
    (project / "syntax.py").write_text("def f(:\n")
    assert run(["syntax.py"], project).exit_code == 2


def test_config_in_the_nearest_pyproject(project):
    (project / "pyproject.toml").write_text('[tool.ctxlint]\nignore = ["CTX002"]\n')
    sub = project / "pkg"
    sub.mkdir()
    shutil.copy(project / "agent.py", sub / "agent.py")
    assert run(["agent.py"], sub).exit_code == 0
    # An explicit --config wins.
    (project / "other.toml").write_text('[tool.ctxlint]\nselect = ["CTX"]\n')
    assert run(["--config", "../other.toml", "agent.py"], sub).exit_code == 1


def test_per_file_ignores_and_excludes(project):
    (project / "pyproject.toml").write_text(
        '[tool.ctxlint]\nper-file-ignores = { "agent.py" = ["CTX002"] }\n'
        'extend-exclude = ["generated"]\n'
    )
    generated = project / "generated"
    generated.mkdir()
    (generated / "agent.py").write_text(FLAGGED)
    (project / "sub").mkdir()
    (project / "sub" / "agent2.py").write_text(FLAGGED)
    result = run(["."], project)
    assert result.exit_code == 1
    assert "sub/agent2.py" in result.output
    assert "generated" not in result.output
    assert "\nagent.py" not in result.output and not result.output.startswith("agent.py")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[tool.ctxlint]\nselekt = ["CTX"]\n', "unknown key 'selekt'"),
        ("[tool.ctxlint]\nunsafe-fixes = 'yes'\n", "unsafe-fixes: 'yes' is not of type 'boolean'"),
        ('[tool.ctxlint]\nselect = ["E501"]\n', "select.0"),
        ("[tool.ctxlint\n", "invalid TOML"),
        ("[tool.ctxlint]\nmin-tool-set = 1\n", "min-tool-set: 1 is less than the minimum of 2"),
        ('[tool.ctxlint]\ncompaction-functions = ["a.b.c"]\n', "compaction-functions.0"),
    ],
)
def test_bad_configuration_exits_two_naming_the_file(project, content, message):
    (project / "pyproject.toml").write_text(content)
    result = run(["agent.py"], project)
    assert result.exit_code == 2
    assert "pyproject.toml" in result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_each_configuration_problem_is_on_its_own_line(project):
    (project / "pyproject.toml").write_text(
        '[tool.ctxlint]\nselekt = ["CTX"]\nunsafe-fixes = "yes"\n'
    )
    result = run(["agent.py"], project)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert "  line 2: (table): unknown key 'selekt'" in lines
    assert "  line 3: unsafe-fixes: 'yes' is not of type 'boolean'" in lines


def test_rule_documentation_and_rule_list(project):
    doc = run(["rule", "CTX001"], project)
    assert doc.exit_code == 0
    assert "## What it does" in doc.output and "## Why is this bad?" in doc.output
    assert run(["rule", "volatile-value-in-prefix"], project).exit_code == 0
    assert run(["rule", "CTX999"], project).exit_code == 2
    listing = run(["rules"], project)
    assert "CTX002  unsorted-json" in listing.output
    assert "safe" in listing.output


def test_installed_command(tmp_path):
    """The console script itself, as a user or a hook runs it."""
    command = shutil.which("ctxlint")
    assert command, "ctxlint is not installed"
    (tmp_path / "agent.py").write_text(FLAGGED)
    version = subprocess.run([command, "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and "ctxlint" in version.stdout
    checked = subprocess.run([command, "agent.py"], cwd=tmp_path, capture_output=True, text=True)
    assert checked.returncode == 1
    assert "CTX002" in checked.stdout
    as_module = subprocess.run(
        [sys.executable, "-m", "ctxlint", "rules"], capture_output=True, text=True, cwd=REPO
    )
    assert as_module.returncode == 0 and "CTX001" in as_module.stdout


def test_fix_and_diff_together_are_refused(project):
    # ruff lets --diff win silently; a CI step asking for both would believe files were fixed.
    result = run(["--fix", "--diff", "agent.py"], project)
    assert result.exit_code == 2
    assert "--fix and --diff" in result.output
    assert (project / "agent.py").read_text() == FLAGGED


def test_stdin_filename_alone_reads_standard_input(project):
    # As ruff does: --stdin-filename means the source comes from standard input.
    result = run(["--stdin-filename", "src/bot.py"], project, stdin=FLAGGED)
    assert result.exit_code == 1, result.output
    assert "src/bot.py:5:26: CTX002" in result.output


@pytest.mark.parametrize(
    "args",
    [["-", "agent.py"], ["agent.py", "-"], ["--stdin-filename", "x.py", "agent.py"], ["-", "-"]],
)
def test_standard_input_mixed_with_paths_is_refused(project, args):
    result = run(args, project, stdin=FLAGGED)
    assert result.exit_code == 2
    assert "standard input" in result.output
    assert "no such file" not in result.output
    assert "CTX002" not in result.output


def test_stdin_fix_keeps_the_encoding_and_a_byte_order_mark(project):
    latin = ("# -*- coding: latin-1 -*-\n# café\n" + FLAGGED).encode("latin-1")
    fixed = ("# -*- coding: latin-1 -*-\n# café\n" + FIXED).encode("latin-1")
    fix = ["-", "--fix", "--unsafe-fixes"]
    result = CliRunner().invoke(main, fix, input=latin, catch_exceptions=False)
    assert result.stdout_bytes == fixed
    bom = b"\xef\xbb\xbf"
    result = CliRunner().invoke(main, fix, input=bom + FLAGGED.encode())
    assert result.stdout_bytes == bom + FIXED.encode()
    # Nothing to fix: the bytes come back as they were.
    result = CliRunner().invoke(main, fix, input=latin.replace(b"(state)", b"(1)"))
    assert result.stdout_bytes == latin.replace(b"(state)", b"(1)")


def _ctxlint(args: list[str], cwd: Path, prefix: tuple[str, ...] = (), **limits):
    """The command in a child process: a hang or a runaway read fails the test, not the suite."""

    def limit_memory() -> None:
        import resource

        cap = 2 * 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    return subprocess.run(
        [*prefix, sys.executable, "-m", "ctxlint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit_memory,
        **limits,
    )


def test_a_fifo_named_on_the_command_line_is_refused_not_read(project):
    os.mkfifo(project / "pipe.py")
    os.mkfifo(project / "pipe.jsonl")
    result = _ctxlint(["pipe.py", "pipe.jsonl", "agent.py"], project)
    assert result.returncode == 2, result.stderr
    assert "pipe.py: not a regular file (a named pipe)" in result.stderr
    assert "pipe.jsonl: not a regular file (a named pipe)" in result.stderr
    assert "agent.py:5:26: CTX002" in result.stdout
    assert "Found 1 finding.\n2 paths could not be checked (see the errors)." in result.stdout


def test_a_run_with_a_path_not_checked_does_not_say_all_checks_passed(project):
    os.mkfifo(project / "pipe.py")
    result = _ctxlint(["pipe.py", "clean.py"], project)
    assert result.returncode == 2, result.stderr
    assert "All checks passed!" not in result.stdout
    assert "No findings, but 1 path could not be checked (see the errors)." in result.stdout
    # The same run without the pipe passes: it is the path not checked that is reported.
    assert "All checks passed!" in _ctxlint(["clean.py"], project).stdout


@pytest.mark.parametrize("command", ["simulate", "sessions"])
def test_trace_commands_refuse_a_fifo_too(project, command):
    os.mkfifo(project / "pipe.jsonl")
    result = _ctxlint([command, "pipe.jsonl"], project)
    assert result.returncode == 2, result.stderr
    assert "pipe.jsonl: not a regular file (a named pipe)" in result.stderr


def test_a_device_named_on_the_command_line_is_refused_not_read(project):
    result = _ctxlint(["/dev/zero", "agent.py"], project)
    assert result.returncode == 2, result.stderr
    assert "/dev/zero: not a regular file (a character device)" in result.stderr
    assert "MemoryError" not in result.stderr
    assert "agent.py:5:26: CTX002" in result.stdout


def test_fifos_met_while_walking_are_passed_over(project):
    os.mkfifo(project / "pipe.py")
    result = _ctxlint(["."], project)
    assert result.returncode == 1
    assert "pipe.py" not in result.stdout + result.stderr


def test_a_source_file_over_the_size_cap_is_a_finding_and_not_read(project):
    import tracemalloc

    from ctxlint.engine import check_paths
    from ctxlint.files import MAX_SOURCE_BYTES

    big = project / "generated.py"
    with big.open("wb") as stream:
        stream.write(b"#" * MAX_SOURCE_BYTES + b"\n")
    result = run(["generated.py", "agent.py"], project)
    assert result.exit_code == 1
    assert "generated.py:1:1: CTX900 file too large: 10.0 MiB" in result.output
    assert "agent.py:5:26: CTX002" in result.output
    tracemalloc.start()
    try:
        check_paths([str(big)], make_settings(root=project))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MAX_SOURCE_BYTES // 2


def test_standard_input_over_the_size_cap_is_a_finding_as_a_file_is(project):
    from ctxlint.files import MAX_SOURCE_BYTES

    flood = b"#" * (MAX_SOURCE_BYTES + 1)
    result = CliRunner().invoke(main, ["-"], input=flood, catch_exceptions=False)
    assert result.exit_code == 2
    assert "-:1:1: CTX900 more than 10.0 MiB: too large to check" in result.output
    assert "All checks passed!" not in result.output
    # With --fix an editor takes what is printed for its buffer: all of it, unchanged.
    fixed = CliRunner().invoke(main, ["--fix", "-"], input=flood, catch_exceptions=False)
    assert fixed.exit_code == 2
    assert fixed.stdout_bytes == flood


def _trace(*contents: str) -> str:
    requests = [
        {"ctxlint": 1, "session": "s", "model": "gpt-4.1", "system": system, "messages": []}
        for system in contents
    ]
    return "".join(json.dumps(request) + "\n" for request in requests)


def test_a_trace_on_standard_input_is_read_as_the_trace_it_is_named_as(project):
    # JSON lines are Python dict literals: read as Python, a trace "passed" every check.
    trace = _trace(
        "You are terse. Today is 2026-01-05 10:00:01.",
        "You are terse. Today is 2026-01-05 10:00:02.",
    )
    (project / "t.jsonl").write_text(trace)
    as_file = run(["t.jsonl"], project)
    piped = run(["--stdin-filename", "logs/t.jsonl", "-"], project, stdin=trace)
    assert as_file.exit_code == piped.exit_code == 1, piped.output
    assert "t.jsonl: session s" in as_file.output
    assert "logs/t.jsonl: session s" in piped.output
    assert "ctxlint-stdin" not in piped.output
    # per-file-ignores apply to the name given, as they do to Python read from stdin.
    (project / "pyproject.toml").write_text(
        '[tool.ctxlint.per-file-ignores]\n"logs/*.jsonl" = ["CTX"]\n'
    )
    ignored = run(["--stdin-filename", "logs/t.jsonl", "-"], project, stdin=trace)
    assert ignored.exit_code == 0, ignored.output
    # With --fix nothing in a trace is fixed: it comes back as it was.
    fixed = CliRunner().invoke(
        main, ["--fix", "--stdin-filename", "t.jsonl", "-"], input=trace.encode()
    )
    assert fixed.stdout_bytes == trace.encode()


def test_json_on_standard_input_that_is_no_trace_is_a_finding(project):
    result = run(["--stdin-filename", "data.json", "-"], project, stdin='{"a": 1}')
    assert result.exit_code == 2, result.output
    assert "data.json:1:1: CTX900 unknown trace format" in result.output


def _without_read_permission() -> tuple[str, ...]:
    """A prefix that runs a command unable to read what its mode bits forbid: root drops the
    capabilities that let it read anything; another user needs none."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: every file is readable")
    dropped = "-dac_override,-dac_read_search"
    prefix = (setpriv, f"--bounding-set={dropped}", f"--inh-caps={dropped}")
    probe = subprocess.run([*prefix, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot drop the capabilities that make every file readable")
    return prefix


def test_an_unreadable_file_named_is_a_finding_and_the_rest_is_checked(project):
    prefix = _without_read_permission()
    (project / "secret.py").write_text("x = 1\n")
    (project / "secret.py").chmod(0)
    (project / "secret.jsonl").write_text("{}\n")
    (project / "secret.jsonl").chmod(0)
    result = _ctxlint(["secret.py", "secret.jsonl", "agent.py"], project, prefix)
    assert "secret.py:1:1: CTX900 cannot read: Permission denied" in result.stdout, result.stderr
    assert "secret.jsonl:1:1: CTX900 cannot read: Permission denied" in result.stdout
    assert "agent.py:5:26: CTX002" in result.stdout
    assert result.returncode == 1


def test_unreadable_folders_are_named(project):
    prefix = _without_read_permission()
    locked = project / "locked"
    locked.mkdir()
    (locked / "agent.py").write_text(FLAGGED)
    nested = project / "tree" / "private"
    nested.mkdir(parents=True)
    (nested / "agent.py").write_text(FLAGGED)
    (project / "tree" / "open.py").write_text(FLAGGED)
    locked.chmod(0)
    nested.chmod(0)
    try:
        named = _ctxlint(["locked", "agent.py"], project, prefix)
        walked = _ctxlint(["tree"], project, prefix)
    finally:
        locked.chmod(0o755)
        nested.chmod(0o755)
    assert named.returncode == 2
    assert "error: locked: cannot read the folder: Permission denied" in named.stderr
    assert "agent.py:5:26: CTX002" in named.stdout
    # Met while walking: a warning that says the folder was not checked; the rest is.
    assert walked.returncode == 1
    assert "warning: tree/private: cannot read the folder: Permission denied" in walked.stderr
    assert "tree/open.py:5:26: CTX002" in walked.stdout


def test_diff_goes_to_the_output_file_as_a_report_would(project):
    printed = run(["--diff", "--unsafe-fixes", "agent.py"], project)
    written = run(["--diff", "--unsafe-fixes", "--output-file", "fixes.patch", "agent.py"], project)
    assert printed.exit_code == written.exit_code == 1
    assert "+    system = 'State: ' + json.dumps(state, sort_keys=True)" in printed.stdout
    assert (project / "fixes.patch").read_text() == printed.stdout
    assert written.stdout == ""
    assert (project / "agent.py").read_text() == FLAGGED


@pytest.mark.parametrize(
    "args", [["--config", "", "agent.py"], ["simulate", "--config", "", "t.jsonl"]]
)
def test_an_empty_config_path_is_refused(project, args):
    # `--config "$CTXLINT_CONFIG"` with the variable unset used the configuration found here.
    (project / "pyproject.toml").write_text('[tool.ctxlint]\nignore = ["CTX002"]\n')
    result = run(args, project)
    assert result.exit_code == 2, result.output
    assert "--config" in result.output and "empty path" in result.output


def _float_options():
    from ctxlint.cli import main as group

    return [
        (name, param)
        for name, command in group.commands.items()
        for param in command.params
        if isinstance(param.type, click.types.FloatParamType)
    ]


def test_every_float_option_refuses_nan_and_infinity():
    # A comparison with nan is always false: `--min-hit-rate nan` turned the CI gate off.
    from ctxlint.cli.common import FiniteFloatRange

    options = _float_options()
    assert {param.name for _, param in options} >= {"min_hit_rate", "max_cost", "idle_ttl"}
    for command, param in options:
        assert isinstance(param.type, FiniteFloatRange), (command, param.name)
        for value in ("nan", "inf", "-inf", "NaN"):
            result = CliRunner().invoke(main, [command, param.opts[0], value, "t.jsonl"])
            assert result.exit_code == 2, (command, param.name, value)
            assert "not a finite number" in result.output or "not in the range" in result.output


@pytest.mark.parametrize("command", [[], ["sessions"], ["simulate"]])
def test_a_path_in_a_warning_shows_its_control_characters_as_escapes(tmp_path, command):
    # A file name is not ctxlint's own: one holding an escape sequence (clear the screen,
    # set the clipboard) must not reach the terminal through the warnings on stderr either.
    name = "t\x1b]52;c;eA==\x07.jsonl"
    (tmp_path / name).write_text(
        '{"ctxlint":1,"session":"s","model":"m","messages":[{"role":"user","content":"a"}]}\n'
        "not json\n"
    )
    result = run([*command, name], tmp_path)
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]52" in result.output
