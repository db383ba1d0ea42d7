"""`ctxlint --fix --unsafe-fixes` on TypeScript and JavaScript: CTX001 cuts a clock read's time
of day to the date only where the date left is the text printed before, applies it atomically
through the CLI as for Python files, and a second run changes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctxlint.cli import main

HEADER = (
    'import moment from "moment";\n'
    'import { format } from "date-fns";\n'
    'import { generateText } from "ai";\n'
)


def _agent(shown: str) -> str:
    return HEADER + (
        "export function ask(model, prompt) {\n"
        f"  return generateText({{ model, system: `Now: ${{{shown}}}`, prompt }});\n"
        "}\n"
    )


def _run(folder: Path, *args: str, stdin: bytes | None = None):
    previous = os.getcwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(
            main, ["--select", "CTX001", *args], input=stdin, catch_exceptions=False
        )
    finally:
        os.chdir(previous)


@pytest.mark.parametrize(
    ("shown", "fixed"),
    [
        ("new Date()", "new Date().toDateString()"),
        ("new Date", "new Date().toDateString()"),
        ("new Date().toISOString()", "new Date().toISOString().slice(0, 10)"),
        ("new Date().toString()", "new Date().toDateString()"),
        ('new Date().toLocaleString("en-GB")', 'new Date().toLocaleDateString("en-GB")'),
        (
            'new Date().toLocaleString(undefined, { timeZone: "UTC" })',
            'new Date().toLocaleDateString(undefined, { timeZone: "UTC" })',
        ),
        ("moment().format()", 'moment().format("YYYY-MM-DD")'),
        ("moment.utc().toISOString()", "moment.utc().toISOString().slice(0, 10)"),
        ("moment().format('YYYY-MM-DD HH:mm:ss')", "moment().format('YYYY-MM-DD')"),
        ('moment().format("dddd, MMMM Do YYYY, h:mm a")', 'moment().format("dddd, MMMM Do YYYY")'),
        ("format(new Date(), 'yyyy-MM-dd HH:mm')", "format(new Date(), 'yyyy-MM-dd')"),
        ("format(new Date(), \"yyyy-MM-dd'T'HH:mm:ssXXX\")", 'format(new Date(), "yyyy-MM-dd")'),
        ("format(new Date(), 'PPpp')", "format(new Date(), 'PP')"),
    ],
)
def test_unsafe_fixes_cut_the_time_to_the_date(tmp_path, shown, fixed):
    path = tmp_path / "agent.ts"
    path.write_text(_agent(shown), encoding="utf-8")
    # Unsafe: --fix alone leaves the file as it is and says how to apply it.
    result = _run(tmp_path, "--fix", "agent.ts")
    assert result.exit_code == 1
    assert path.read_text(encoding="utf-8") == _agent(shown)
    assert "fixable with `ctxlint --fix --unsafe-fixes`" in result.output
    result = _run(tmp_path, "--fix", "--unsafe-fixes", "agent.ts")
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == _agent(fixed)
    again = _run(tmp_path, "--fix", "--unsafe-fixes", "agent.ts")
    assert again.exit_code == 0
    assert path.read_text(encoding="utf-8") == _agent(fixed)


@pytest.mark.parametrize(
    "shown",
    [
        # A number, not a date printed.
        "Date.now()",
        # Options naming a time field: the date method would print the hour too.
        'new Date().toLocaleString("en-US", { hour: "2-digit" })',
        "new Date().toLocaleString(undefined, options)",
        # moment's own `toString` and a time alone: no date to keep.
        "moment()",
        "moment().format('HH:mm')",
        # Escaped text, and a time before the date: the cut is not clearly right.
        "moment().format('[at] HH:mm [on] YYYY-MM-DD')",
        "format(new Date(), 'HH:mm yyyy-MM-dd')",
        # The text is made by another function: its other callers print it too.
        "stamp(new Date())",
        # A tag gets the value itself, not its text.
        "html`${new Date()}`",
    ],
)
def test_no_fix_where_the_date_left_is_not_clearly_the_one_printed(tmp_path, shown):
    path = tmp_path / "agent.ts"
    path.write_text(_agent(shown), encoding="utf-8")
    result = _run(tmp_path, "--fix", "--unsafe-fixes", "agent.ts")
    assert path.read_text(encoding="utf-8") == _agent(shown)
    assert "fixed" not in result.output


def test_no_fix_for_a_value_kept_in_a_variable(tmp_path):
    text = HEADER + (
        "export function ask(model, prompt) {\n"
        "  const now = new Date().toISOString();\n"
        "  log(now);\n"
        "  return generateText({ model, system: `Now: ${now}`, prompt });\n"
        "}\n"
    )
    path = tmp_path / "agent.ts"
    path.write_text(text, encoding="utf-8")
    result = _run(tmp_path, "--fix", "--unsafe-fixes", "agent.ts")
    assert result.exit_code == 1
    assert path.read_text(encoding="utf-8") == text


def test_diff_shows_the_fix_and_writes_nothing(tmp_path):
    path = tmp_path / "agent.js"
    path.write_text(_agent("new Date()"), encoding="utf-8")
    result = _run(tmp_path, "--diff", "--unsafe-fixes", "agent.js")
    assert "+  return generateText({ model, system: `Now: ${new Date().toDateString()}`" in (
        result.output
    )
    assert path.read_text(encoding="utf-8") == _agent("new Date()")


def test_characters_line_endings_and_a_byte_order_mark_are_kept(tmp_path):
    # Offsets count characters: text before the edit that is several bytes per character.
    source = "\ufeff// Zeitstempel für den Prompt ✓\r\n" + _agent("new Date()").replace(
        "\n", "\r\n"
    )
    path = tmp_path / "agent.ts"
    path.write_bytes(source.encode("utf-8"))
    _run(tmp_path, "--fix", "--unsafe-fixes", "agent.ts")
    expected = source.replace("${new Date()}", "${new Date().toDateString()}")
    assert path.read_bytes() == expected.encode("utf-8")


def test_a_file_that_does_not_parse_is_left_as_it_is(tmp_path):
    text = _agent("new Date()") + "export const broken = (;\n"
    path = tmp_path / "agent.ts"
    path.write_text(text, encoding="utf-8")
    result = _run(tmp_path, "--fix", "--unsafe-fixes", "agent.ts")
    assert path.read_text(encoding="utf-8") == text
    assert "CTX001" in result.output


def test_standard_input_is_echoed_fixed(tmp_path):
    source = _agent("new Date().toISOString()").encode()
    result = _run(
        tmp_path, "-", "--stdin-filename", "agent.ts", "--fix", "--unsafe-fixes", stdin=source
    )
    assert result.stdout_bytes == _agent("new Date().toISOString().slice(0, 10)").encode()


def test_the_text_a_template_placeholder_is_replaced_by(tmp_path):
    # LangGraph.js's agent templates: `System time: {system_time}` filled on every call.
    text = HEADER + (
        'const PROMPT = "You help.\\nSystem time: {system_time}";\n'
        "export function ask(model, prompt) {\n"
        '  const system = PROMPT.replace("{system_time}", new Date().toISOString());\n'
        "  return generateText({ model, system, prompt });\n"
        "}\n"
    )
    path = tmp_path / "graph.ts"
    path.write_text(text, encoding="utf-8")
    _run(tmp_path, "--fix", "--unsafe-fixes", "graph.ts")
    fixed = text.replace("toISOString()", "toISOString().slice(0, 10)")
    assert path.read_text(encoding="utf-8") == fixed
    # A replacement function's argument is not the text put in.
    other = text.replace("new Date().toISOString()", "stamp, new Date().toISOString()")
    path.write_text(other, encoding="utf-8")
    _run(tmp_path, "--fix", "--unsafe-fixes", "graph.ts")
    assert path.read_text(encoding="utf-8") == other
