"""Positions come from the line model `ast` uses: lines end at `\\r\\n`, `\\r` or `\\n` (nothing
else), and columns count characters where ast counts UTF-8 bytes."""

from __future__ import annotations

import ast
import os
import random
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.config import Settings
from ctxlint.engine import FixMode, check_source
from ctxlint.python.module import PythonModule
from ctxlint.source import SourceText, UnreadableSource, split_lines
from ctxlint.suppression import noqa_lines

from conftest import REPO, make_settings

# What str.splitlines() also breaks at, and Python's tokenizer does not.
NOT_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _ast_lines(text: str) -> list[str]:
    """The lines as ast numbers them, by a route independent of SourceText."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def run(args: list[str], cwd: Path):
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(previous)


# Line model ---------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n"])
def test_every_newline_convention_gives_the_lines_ast_gives(newline):
    text = newline.join(["a = 1", "b = 'é'", "", "c = 3"]) + newline
    source = SourceText(text)
    assert [source.line_text(n) for n in range(1, 6)] == ["a = 1", "b = 'é'", "", "c = 3", ""]
    third = ast.parse(text).body[2]
    offset = source.offset(third.lineno, third.col_offset)
    assert text[offset:].startswith("c = 3")
    assert source.location(offset).line == 4


def test_characters_splitlines_breaks_at_are_not_line_breaks():
    text = f"s = '{NOT_LINE_BREAKS}'  # {NOT_LINE_BREAKS}\rt = 2\n"
    source = SourceText(text)
    assert source.line_text(1) == f"s = '{NOT_LINE_BREAKS}'  # {NOT_LINE_BREAKS}"
    assert source.line_text(2) == "t = 2"
    second = ast.parse(text).body[1]
    assert (second.lineno, source.location(source.offset(2, 0)).line) == (2, 2)


def test_a_crlf_pair_is_one_break_and_a_lone_cr_is_one_too():
    source = SourceText("a\r\r\nb\n\rc")
    assert [source.line_text(n) for n in (1, 2, 3, 4, 5)] == ["a", "", "b", "", "c"]
    assert source.location(len("a\r\r\nb\n\r")).line == 5


def test_columns_count_characters_before_the_finding_on_its_line(tmp_path):
    (tmp_path / "agent.py").write_text(
        "import json\nimport anthropic\nclient = anthropic.Anthropic()\n"
        "def ask(state, q):\n"
        "    system = 'Café 漢字 😀: ' + json.dumps(state)\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n",
        encoding="utf-8",
    )
    result = run(["agent.py"], tmp_path)
    column = len("    system = 'Café 漢字 😀: ' + ") + 1
    assert f"agent.py:5:{column}: CTX002" in result.output
    # The excerpt's caret sits under `json.dumps(state)` on a terminal, where 漢, 字 and 😀
    # each take two columns.
    marker = next(line for line in result.output.splitlines() if "^" in line)
    code = next(line for line in result.output.splitlines() if line.startswith("5 | "))
    before = code[: code.index("json.dumps(state)")]
    wide = sum(unicodedata.east_asian_width(char) in "WF" for char in before)
    assert wide == 3
    assert marker.index("^") == len(before) + wide


# Property: SourceText agrees with ast on every node --------------------------------------------

_BREAKS = ["\n", "\r", "\r\n"]
_WORDS = ["x", "café", "名前", "ok", "Ω", "😀", "ß", "e\u0301"]
_STATEMENTS = [
    "{a} = {b!r}",
    "{a} = f({b!r}, k={a})",
    "{a} = [{b!r},{n}    {b!r},{n}]",
    "{a} = ({b!r}  # {b} {odd}{n}     + {b!r})",
    "{a} = '''{b}{n}{b}{odd}{n}'''",
    "{a} = f'{b} {{{a}!r}} {b}'",
    "if {a}:{n}    {a} = {a}.{a}({b!r})",
    "def {a}({a}=1):{n}    return {a}  # {odd}",
    "{a} = {{{b!r}: {a}, 'k': [{a} for {a} in {a}]}}",
    "{a} = '{odd}'; {a} = ({b!r},)",
    "\x0c{a} = 1",
]


def _generated_source(seed: int) -> str:
    choose = random.Random(seed).choice
    lines = []
    for _ in range(choose([1, 3, 8])):
        template = choose(_STATEMENTS)
        word = choose(_WORDS)
        # Identifiers must be identifiers; the combining accent and emoji go into strings only.
        name = word if word.isidentifier() else "v"
        lines.append(
            template.format(
                a=name,
                b=choose(_WORDS) * choose([1, 3]),
                n=choose(_BREAKS),
                odd=choose(NOT_LINE_BREAKS),
            )
        )
        if choose([False, False, True]):
            lines.append("")
    return "".join(line + choose(_BREAKS) for line in lines)


@pytest.mark.parametrize("seed", range(200))
def test_source_text_locates_every_node_where_ast_does(seed):
    text = _generated_source(seed)
    tree = ast.parse(text)
    source = SourceText(text)
    module = PythonModule("generated.py", source, tree, Settings())
    expected_lines = _ast_lines(text)
    assert [source.line_text(n) for n in range(1, len(expected_lines) + 1)] == expected_lines
    for node in ast.walk(tree):
        if getattr(node, "end_col_offset", None) is None:
            continue
        assert module.text_of(node) == ast.get_source_segment(text, node), ast.dump(node)
        start = source.location(module.start_offset(node))
        end = source.location(module.end_offset(node))
        assert (start.line, end.line) == (node.lineno, node.end_lineno)
        before = source.line_text(start.line)[: start.column - 1]
        assert len(before.encode("utf-8")) == node.col_offset


# Decoding and suppression read the same lines ------------------------------------------------


def test_a_decoding_error_is_located_on_cr_only_lines():
    with pytest.raises(UnreadableSource) as raised:
        SourceText.decode_python(b"a = 1\rb = 'caf\xc3\xa9'\rc = '\xff'\r")
    assert (raised.value.line, raised.value.column) == (3, 6)


def test_a_coding_cookie_counts_on_the_first_two_cr_only_lines_only():
    # As Python itself decides (compile() of these bytes).
    source = SourceText.decode_python(
        "#!/bin/python\r# coding: latin-1\rs = 'é'\r".encode("latin-1")
    )
    assert source.encoding == "iso-8859-1"
    assert source.line_text(3) == "s = 'é'"
    with pytest.raises(UnreadableSource) as raised:
        SourceText.decode_python("# one\rx = 1\r# coding: latin-1\rs = 'é'\r".encode("latin-1"))
    assert (raised.value.line, raised.value.column) == (4, 6)


@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n"])
def test_noqa_comments_are_read_on_the_line_ast_numbers(newline):
    text = newline.join(["a = 1", "b = 2  # noqa: CTX002", "c = (3,  # noqa", "  4)", ""])
    assert noqa_lines(text) == {2: frozenset({"CTX002"}), 3: frozenset({"*"})}


def test_noqa_lines_of_text_the_tokenizer_rejects_follow_the_same_lines():
    text = "a = '''\u2028\rb = 2  # noqa: CTX002\r"
    assert noqa_lines(text) == {2: frozenset({"CTX002"})}


# End to end: a file whose lines end in \r ---------------------------------------------------

_CR_ONLY_JSON = (
    "import json\rimport anthropic\rclient = anthropic.Anthropic()\r"
    "def ask(state, q):\r"
    "    system = 'État: ' + json.dumps(state)\r"
    "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\r"
)
_CR_ONLY_CLOCK = (
    "import anthropic\rfrom datetime import datetime\rclient = anthropic.Anthropic()\r"
    "def ask(q):\r"
    '    system = "Now: " + datetime.now().strftime("%Y-%m-%d %H:%M")\r'
    '    return client.messages.create(model="m", max_tokens=9, system=system, messages=q)\r'
)


def test_findings_in_a_cr_only_file_are_reported_on_their_line(tmp_path):
    (tmp_path / "agent.py").write_bytes(_CR_ONLY_JSON.encode())
    result = run(["agent.py"], tmp_path)
    assert "agent.py:5:25: CTX002" in result.output
    assert "5 |     system = 'État: ' + json.dumps(state)\n" in result.output
    assert "\r" not in result.output


def test_fixing_a_cr_only_file_edits_the_finding_once_and_keeps_its_endings(tmp_path):
    path = tmp_path / "agent.py"
    path.write_bytes(_CR_ONLY_JSON.encode())
    run(["--fix", "--unsafe-fixes", "agent.py"], tmp_path)
    fixed = _CR_ONLY_JSON.replace("json.dumps(state)", "json.dumps(state, sort_keys=True)")
    assert path.read_bytes() == fixed.encode()
    run(["--fix", "--unsafe-fixes", "agent.py"], tmp_path)
    assert path.read_bytes() == fixed.encode()


def test_the_clock_fix_in_a_cr_only_file_settles_in_place(tmp_path):
    path = tmp_path / "agent.py"
    path.write_bytes(_CR_ONLY_CLOCK.encode())
    result = run(["--fix", "--unsafe-fixes", "agent.py"], tmp_path)
    assert "did not settle" not in result.output
    fixed = path.read_bytes().decode()
    # Only the format on line 5 changed: same lines, same endings, the tail untouched.
    assert fixed.count("\r") == _CR_ONLY_CLOCK.count("\r") and "\n" not in fixed
    assert fixed.endswith("messages=q)\r")
    assert "%H" not in fixed and "%Y-%m-%d" in fixed.split("\r")[4]
    ast.parse(fixed)
    run(["--fix", "--unsafe-fixes", "agent.py"], tmp_path)
    assert path.read_bytes().decode() == fixed


def test_a_cr_only_file_found_by_walking_a_folder_is_checked(tmp_path):
    # The prefilter looks for the SDK's import on its own line: a line that ends in \r.
    (tmp_path / "agent.py").write_bytes(('"""An agent."""\r' + _CR_ONLY_JSON).encode())
    result = run(["."], tmp_path)
    assert "agent.py:6:25: CTX002" in result.output


def test_a_diff_splits_lines_where_python_does(tmp_path):
    # A form feed on its own line and a \x1c in a comment are no line breaks: str.splitlines
    # made the diff of such a file print lines that are not the file's.
    source = (
        _CR_ONLY_JSON.replace("\r", "\n")
        .replace("def ask", "\x0c\ndef ask")
        .replace("json.dumps(state)\n", "json.dumps(state)  # a\x1cb\n")
    )
    (tmp_path / "agent.py").write_text(source, encoding="utf-8")
    result = run(["--diff", "--unsafe-fixes", "agent.py"], tmp_path)
    assert "\n \x0c\n def ask(state, q):\n" in result.output
    assert "\n-    system = 'État: ' + json.dumps(state)  # a\x1cb\n" in result.output
    assert (
        "\n+    system = 'État: ' + json.dumps(state, sort_keys=True)  # a\x1cb\n" in result.output
    )


@pytest.mark.parametrize("text", ["", "a", "a\n", "a\r\nb\rc\nd", "a\x0cb\u2028\r\r\n"])
def test_lines_with_their_breaks_join_back_into_the_text(text):
    lines = split_lines(text, keepends=True)
    assert "".join(lines) == text
    assert [line.rstrip("\r\n") for line in lines] == _ast_lines(text)[: len(lines)]


# Every fixture, saved with other line endings, is fixed the same way ------------------------

_FIXTURES = sorted(
    path
    for path in [*REPO.glob("fixtures/python/*/*.py"), *REPO.glob("fixtures/examples/*.py")]
    if path.parent.name != "ctx900"
)


def _with_endings(text: str, endings: list[str]) -> str:
    lines = text.split("\n")
    return (
        "".join(line + endings[number % len(endings)] for number, line in enumerate(lines[:-1]))
        + lines[-1]
    )


# CRLF alone is tested with the encoding (test_cli); here what mixes with a lone \r.
@pytest.mark.parametrize(
    "endings", [["\r"], ["\n", "\r\n"], ["\r\n", "\r"]], ids=["cr", "lf-crlf", "crlf-cr"]
)
@pytest.mark.parametrize("path", _FIXTURES, ids=lambda path: path.name)
def test_a_file_with_other_line_endings_gets_the_same_findings_and_fixes(path, endings):
    original = path.read_text(encoding="utf-8")
    variant = _with_endings(original, endings)
    settings = make_settings({"unsafe-fixes": True}, root=REPO)
    expected = check_source(original, settings, str(path), FixMode.FIX)
    found = check_source(variant, settings, str(path), FixMode.FIX)
    assert [(d.code, d.start, d.end) for d in found.diagnostics] == [
        (d.code, d.start, d.end) for d in expected.diagnostics
    ]
    if expected.fixed_text is None:
        assert found.fixed_text is None
        return
    assert _ast_lines(found.fixed_text) == _ast_lines(expected.fixed_text)
    if len(endings) == 1:
        # A file with one kind of line ending keeps it.
        assert found.fixed_text.replace(endings[0], "") == expected.fixed_text.replace("\n", "")
    again = check_source(found.fixed_text, settings, str(path), FixMode.FIX)
    assert again.fixed_text is None
