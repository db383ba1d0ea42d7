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
        "simulated hit rate 0.0% is below --min-hit-rate 10.0%"
    ]
