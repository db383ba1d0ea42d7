"""Issue 13 review: defects still found end to end, through the `ctxlint` command."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ANTHROPIC_KEY = "sk-ant-api03-" + "Q7w8E9r0T1y2U3i4O5p6" * 3
AWS_KEY = "AKIA" + "QWERTYUIOP123456"
# The random parts: none of these may appear in anything ctxlint prints.
SECRET_TAILS = ("Q7w8E9r0T1y2", "QWERTYUIOP12")


def ctxlint(args: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """The command as a user runs it: its own process, bytes in and out."""
    return subprocess.run(
        [sys.executable, "-m", "ctxlint", *args],
        cwd=cwd,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=120,
    )


def printed(result: subprocess.CompletedProcess) -> str:
    return result.stdout.decode("utf-8", "replace") + result.stderr.decode("utf-8", "replace")


def test_credential_after_an_escaped_newline_is_redacted_in_every_format(tmp_path):
    # A tool result is very often JSON text: a key at the start of a line of its output then
    # follows the two characters `\n`, and the `n` before it made the redaction skip it.
    def tool_output(command: str) -> str:
        keys = f"$ {command}\n{ANTHROPIC_KEY}\n\t{AWS_KEY}\n"
        return json.dumps({"stdout": keys, "exit": 0})

    history = [
        {"role": "user", "content": "show the keys"},
        {"role": "assistant", "content": "running"},
        {"role": "tool", "content": tool_output("cat keys.txt")},
        {"role": "assistant", "content": "done"},
        {"role": "user", "content": "thanks"},
    ]
    edited = [dict(message) for message in history]
    edited[2]["content"] = tool_output("cat other.txt")
    edited += [{"role": "assistant", "content": "ok"}, {"role": "user", "content": "more"}]
    requests = [
        {"ctxlint": 1, "session": "s", "model": "gpt-4.1", "system": "sys", "messages": history},
        {"ctxlint": 1, "session": "s", "model": "gpt-4.1", "system": "sys", "messages": edited},
    ]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(r) + "\n" for r in requests))
    for output_format in ("text", "json", "sarif", "github"):
        result = ctxlint(["--output-format", output_format, "t.jsonl"], tmp_path)
        assert result.returncode == 1, printed(result)
        assert "CTX006" in printed(result)
        for tail in SECRET_TAILS:
            assert tail not in printed(result), (output_format, tail)


def test_a_changing_credential_is_not_quoted_as_the_volatile_value(tmp_path):
    # CTX001 quotes the span that changed; cut out of `Bearer …` or `api_key=…`, the span alone
    # has no shape to recognise, and the token was printed whole.
    tokens = [
        "3f2a9c1d7e8b4a6f0c1d2e3f4a5b6c7d",
        "9b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e",
        "a1b2c3d4e5f60718293a4b5c6d7e8f90",
    ]
    for name, template in (("bearer", "Authorization: Bearer {}"), ("named", "api_key={}")):
        requests = [
            {
                "ctxlint": 1,
                "session": "s",
                "model": "gpt-4.1",
                "system": f"You are helpful. {template.format(token)} end",
                "messages": [{"role": "user", "content": "q"}],
            }
            for token in tokens
        ]
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in requests))
        for output_format in ("text", "json", "sarif", "github"):
            result = ctxlint(["--output-format", output_format, f"{name}.jsonl"], tmp_path)
            assert "CTX001" in printed(result), (name, output_format)
            for token in tokens:
                assert token[:12] not in printed(result), (name, output_format)


def test_simulate_and_sessions_json_redact_and_cap_session_ids_and_model_names(tmp_path):
    # The text of both commands redacts and cuts these; their JSON printed them whole.
    requests = [
        {
            "ctxlint": 1,
            "session": ANTHROPIC_KEY,
            "model": "m" * 100_000,
            "messages": [{"role": "user", "content": f"question {number}"}],
            "usage": {"prompt_tokens": 10},
        }
        for number in range(2)
    ]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(r) + "\n" for r in requests))
    for command in (["simulate"], ["sessions"]):
        result = ctxlint([*command, "--output-format", "json", "t.jsonl"], tmp_path)
        assert result.returncode == 0, printed(result)
        json.loads(result.stdout)
        assert SECRET_TAILS[0] not in printed(result), command
        assert len(result.stdout) < 20_000, (command, len(result.stdout))


def test_terminal_control_sequences_from_a_trace_are_not_printed(tmp_path):
    # A hostile trace wrote `ESC ] 52` (set the clipboard), and on a terminal also clear-screen
    # and hidden text, through the session id and model name (click strips only CSI, and only
    # when stdout is not a terminal).
    escape = "\x1b"
    osc = f"{escape}]52;c;cHduZWQ={escape}\\"
    requests = [
        {
            "ctxlint": 1,
            "session": f"s{osc}",
            "model": f"m{osc}",
            "system": "sys",
            "messages": [{"role": "user", "content": f"question {number} {osc}"}],
            "usage": {"prompt_tokens": 100},
        }
        for number in range(3)
    ]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(r) + "\n" for r in requests))
    for command in (["check"], ["sessions"], ["simulate"]):
        result = ctxlint([*command, "t.jsonl"], tmp_path)
        assert b"\x1b" not in result.stdout + result.stderr, command


UNDECODABLE = b'x = "caf\xe9"\n'


def test_unreadable_standard_input_is_a_ctx900_finding_as_a_file_is(tmp_path):
    (tmp_path / "bad.py").write_bytes(UNDECODABLE)
    as_file = json.loads(ctxlint(["--output-format", "json", "bad.py"], tmp_path).stdout)
    assert [(f["code"], f["location"]["row"]) for f in as_file] == [("CTX900", 1)]
    piped = ctxlint(
        ["--output-format", "json", "--stdin-filename", "bad.py", "-"], tmp_path, UNDECODABLE
    )
    assert piped.returncode == 2
    # Today: `[]` on stdout, the error only on stderr; a CI job reading the report sees nothing.
    assert json.loads(piped.stdout) == as_file
    text = ctxlint(["--stdin-filename", "bad.py", "-"], tmp_path, UNDECODABLE)
    assert "All checks passed!" not in printed(text)


def test_a_path_that_is_not_read_is_not_reported_as_passing(tmp_path):
    # Exit 2 and an error on stderr, but "All checks passed!" on stdout: a named pipe, a device,
    # an unreadable folder named on the command line.
    os.mkfifo(tmp_path / "pipe.py")
    result = ctxlint(["pipe.py"], tmp_path)
    assert result.returncode == 2
    assert "not a regular file" in printed(result)
    assert "All checks passed!" not in printed(result)


def test_fix_on_standard_input_that_cannot_be_decoded_prints_it_unchanged(tmp_path):
    # An editor replaces its buffer with what `--fix -` prints: today that is nothing at all.
    result = ctxlint(["--fix", "--stdin-filename", "bad.py", "-"], tmp_path, UNDECODABLE)
    assert result.stdout == UNDECODABLE
    assert result.returncode == 2


def test_a_trace_on_standard_input_is_not_passed_as_python(tmp_path):
    # JSON lines parse as Python (dict literals; `true` and `null` are names): a trace piped in
    # with --stdin-filename t.jsonl was checked as Python and "passed".
    history = [{"role": "user", "content": f"question {number}"} for number in range(3)]
    requests = [
        {"ctxlint": 1, "session": "s", "model": "gpt-4.1", "messages": history[:1]},
        {"ctxlint": 1, "session": "s", "model": "gpt-4.1", "messages": history[1:]},
    ]
    trace = "".join(json.dumps(r) + "\n" for r in requests).encode()
    (tmp_path / "t.jsonl").write_bytes(trace)
    as_file = ctxlint(["t.jsonl"], tmp_path)
    assert as_file.returncode == 1, printed(as_file)
    piped = ctxlint(["--stdin-filename", "t.jsonl", "-"], tmp_path, trace)
    # Read as the trace it is named as, or refused; never "All checks passed!".
    assert piped.returncode != 0, printed(piped)
    assert "All checks passed!" not in printed(piped)


def test_added_keyword_argument_keeps_the_comment_after_a_trailing_comma(tmp_path):
    # A safe fix (plain --fix): the comment after the old last argument was deleted.
    source = (
        "import orjson\nfrom openai import OpenAI\n\noa = OpenAI()\n\n\n"
        "def ask(q, d):\n"
        '    system = "S: " + orjson.dumps(d, default=str,  # keep datetimes readable\n'
        "    ).decode()\n"
        '    return oa.chat.completions.create(model="m", messages=[\n'
        '        {"role": "system", "content": system}, {"role": "user", "content": q}])\n'
    )
    path = tmp_path / "agent.py"
    path.write_text(source)
    result = ctxlint(["--fix", "agent.py"], tmp_path)
    assert result.returncode == 0, printed(result)
    fixed = path.read_text()
    assert "OPT_SORT_KEYS" in fixed
    ast.parse(fixed)
    assert "# keep datetimes readable" in fixed


@pytest.mark.parametrize(
    "option", [["--min-hit-rate", "nan"], ["--max-cost", "nan"], ["--idle-ttl", "nan"]]
)
def test_simulate_rejects_a_number_that_is_not_a_number(tmp_path, option):
    # `--min-hit-rate nan` and `--max-cost nan` passed every trace: the CI gate was off.
    requests = [
        {
            "ctxlint": 1,
            "session": "s",
            "model": "gpt-4.1",
            "messages": [{"role": "user", "content": f"question {number}"}],
            "usage": {"prompt_tokens": 10},
        }
        for number in range(2)
    ]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(r) + "\n" for r in requests))
    result = ctxlint(["simulate", "--provider", "openai", *option, "t.jsonl"], tmp_path)
    assert result.returncode == 2, printed(result)
    assert option[0] in printed(result)


def test_price_that_is_not_a_finite_number_is_a_configuration_error(tmp_path):
    # TOML has nan and inf; the schema's `minimum: 0` lets both through ("cost $nan").
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ctxlint.prices."gpt-4.1"]\ninput = nan\noutput = 1\n'
    )
    (tmp_path / "t.jsonl").write_text(
        json.dumps(
            {
                "ctxlint": 1,
                "session": "s",
                "model": "gpt-4.1",
                "messages": [{"role": "user", "content": "q"}],
            }
        )
        + "\n"
    )
    result = ctxlint(["simulate", "t.jsonl"], tmp_path)
    assert result.returncode == 2, printed(result)
    assert "pyproject.toml" in printed(result)
    assert "$nan" not in printed(result)


def test_diff_honours_or_refuses_output_file(tmp_path):
    # `--diff --output-file fixes.patch` printed the diff to stdout and wrote no file.
    source = (
        "import json\nimport anthropic\nclient = anthropic.Anthropic()\n"
        "def ask(state, q):\n"
        "    system = 'State: ' + json.dumps(state)\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
    )
    (tmp_path / "agent.py").write_text(source)
    result = ctxlint(
        ["--diff", "--unsafe-fixes", "--output-file", "fixes.patch", "agent.py"], tmp_path
    )
    patch = tmp_path / "fixes.patch"
    if result.returncode != 2:
        assert patch.exists(), printed(result)
        assert "+    system = 'State: ' + json.dumps(state, sort_keys=True)" in patch.read_text()


def test_an_empty_config_path_is_an_error_not_the_default_configuration(tmp_path):
    # `--config "$CTXLINT_CONFIG"` with the variable unset silently used another configuration.
    (tmp_path / "agent.py").write_text("x = 1\n")
    result = ctxlint(["--config", "", "agent.py"], tmp_path)
    assert result.returncode == 2, printed(result)


def test_summary_after_fixing_one_finding_is_singular(tmp_path):
    source = (
        "import json\nimport anthropic\nclient = anthropic.Anthropic()\n"
        "def ask(state, q):\n"
        "    system = 'State: ' + json.dumps(state)\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
    )
    (tmp_path / "agent.py").write_text(source)
    result = ctxlint(["--fix", "--unsafe-fixes", "agent.py"], tmp_path)
    assert result.returncode == 0, printed(result)
    assert "Found 1 finding (1 fixed, 0 remaining)." in printed(result)
