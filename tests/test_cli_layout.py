"""The CLI package's shape: every command is registered, start-up stays light, and the plain
functions under the commands can be called without click."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from ctxlint.cli import main
from ctxlint.cli.check import reads_stdin
from ctxlint.cli.simulate import failed_gates
from ctxlint.simulate.totals import Totals

# What `--help` must not pay for: the simulator and its tokenizer, the trace readers, libcst.
HEAVY = ("ctxlint.simulate", "ctxlint.trace", "tiktoken", "libcst", "jsonschema")

COMMANDS = ["check", "rule", "rules", "sessions", "simulate", "schema", "providers"]


def test_every_command_is_registered():
    assert sorted(main.commands) == sorted(COMMANDS)


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
def test_help_imports_nothing_heavy(command):
    # In a child process: this process has long imported everything.
    probe = (
        "import json, sys\n"
        "from ctxlint.cli import main\n"
        f"try:\n    main({[*command, '--help']!r})\n"
        "except SystemExit:\n    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert [name for name in loaded if name.startswith(HEAVY)] == []


@pytest.mark.parametrize(
    ("paths", "stdin_filename", "expected"),
    [((), None, False), (("a.py",), None, False), (("-",), None, True), ((), "x.py", True)],
)
def test_reads_stdin(paths, stdin_filename, expected):
    assert reads_stdin(paths, stdin_filename) is expected


@pytest.mark.parametrize(
    ("paths", "stdin_filename"), [(("-", "a.py"), None), (("a.py",), "x.py"), (("-", "-"), None)]
)
def test_standard_input_with_paths_is_a_value_error(paths, stdin_filename):
    with pytest.raises(ValueError, match="standard input"):
        reads_stdin(paths, stdin_filename)


def _simulated(prompt_tokens: int, cached: int, cost: float) -> SimpleNamespace:
    return SimpleNamespace(overall=Totals(prompt_tokens=prompt_tokens, cached=cached, cost=cost))


def test_failed_gates_name_each_gate_missed():
    half = _simulated(1000, 500, 2.0)
    assert failed_gates(half, None, None) == []
    assert failed_gates(half, 0.5, 2.0) == []
    assert failed_gates(half, 0.6, 1.5) == [
        "simulated hit rate 50.0% is below --min-hit-rate 60.0%",
        "simulated cost $2.0000 is above --max-cost $1.5000",
    ]
    # Nothing simulated is no hit at all, not a pass.
    assert failed_gates(_simulated(0, 0, 0.0), 0.1, None) == [
        "no requests were simulated, so --min-hit-rate 10.0% is not met"
    ]


def test_group_help_lists_every_command_with_its_line():
    from click.testing import CliRunner

    for flag in ("--help", "-h"):
        result = CliRunner().invoke(main, [flag])
        assert result.exit_code == 0
        assert "[OPTIONS] COMMAND [ARGS]" in result.output
        listed = result.output.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
        names = [
            line.split()[0]
            for line in listed.splitlines()
            if line.startswith("  ") and line[2] != " "
        ]
        assert names == COMMANDS
        # Each command's line is a whole phrase, not a sentence cut off by click.
        assert "..." not in listed and "e.g." not in listed


@pytest.mark.parametrize(
    ("word", "meant"),
    [
        ("simulat", "simulate"),
        ("chek", "check"),
        ("sesions", "sessions"),
        ("provider", "providers"),
    ],
)
def test_a_mistyped_command_is_named(tmp_path, monkeypatch, word, meant):
    from click.testing import CliRunner

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [word, "x.jsonl"])
    assert result.exit_code == 2
    assert result.stderr == f"error: no such file or command {word!r}; did you mean {meant!r}?\n"


def test_a_path_close_to_a_command_is_checked_not_taken_for_one(tmp_path, monkeypatch):
    from click.testing import CliRunner

    monkeypatch.chdir(tmp_path)
    (tmp_path / "simulat").mkdir()
    (tmp_path / "simulat" / "a.py").write_text("SYSTEM = 'You are terse.'\n")
    result = CliRunner().invoke(main, ["simulat"])
    assert result.exit_code == 0, result.output
    assert "did you mean" not in result.output


@pytest.mark.parametrize(
    ("word", "exists", "expected"),
    [
        ("simulat", False, "simulate"),
        ("simulat", True, None),
        ("rulez", False, "rule"),
        ("check.py", False, None),  # a file name, missing: said to be missing, not a command
        ("src/simulat", False, None),
        ("zzz", False, None),
        ("--fx", False, None),
    ],
)
def test_mistyped_command(word, exists, expected):
    from ctxlint.cli import mistyped_command

    assert mistyped_command(word, COMMANDS, exists) == expected


def test_rules_output_format_and_its_old_spelling():
    from click.testing import CliRunner

    runner = CliRunner()
    new = runner.invoke(main, ["rules", "--output-format", "json"])
    assert new.exit_code == 0 and new.stderr == ""
    codes = [rule["code"] for rule in json.loads(new.stdout)]
    assert "CTX001" in codes
    old = runner.invoke(main, ["rules", "--format", "json"])
    assert old.exit_code == 0 and old.stdout == new.stdout
    assert "deprecated" in old.stderr
    assert "--format" not in runner.invoke(main, ["rules", "--help"]).output
    disagree = runner.invoke(main, ["rules", "--format", "json", "--output-format", "text"])
    assert disagree.exit_code == 2
