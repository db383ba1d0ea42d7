"""`--diff`: a unified diff that patch and git apply to give the fixed text, in linear time."""

from __future__ import annotations

import difflib
import gc
import random
import re
import shutil
import subprocess

import pytest

from ctxlint import unified_diff as diff_module
from ctxlint.engine import FixMode, PythonChecker, check_source
from ctxlint.registry import select_rules
from ctxlint.source import SourceText
from ctxlint.unified_diff import line_opcodes, unified_diff

from conftest import make_settings

_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n")
_NO_NEWLINE = "\\ No newline at end of file\n"


def apply_diff(old: str, diff: str) -> str:
    """Apply a unified diff as patch does (lines end at \\n), refusing anything patch would
    refuse: a context or removed line that is not the text's, a hunk whose counts are wrong."""
    if not diff:
        return old
    old_lines = _patch_lines(old)
    diff_lines = _patch_lines(diff)
    assert diff_lines[0].startswith("--- ") and diff_lines[1].startswith("+++ ")
    result: list[str] = []
    taken = 0
    index = 2
    while index < len(diff_lines):
        header = _HUNK.fullmatch(diff_lines[index])
        assert header, f"not a hunk header: {diff_lines[index]!r}"
        old_start, old_count, _, new_count = (
            int(value) if value is not None else 1 for value in header.groups()
        )
        index += 1
        # A range of length 0 names the line before the hunk.
        first = old_start - 1 if old_count else old_start
        assert first >= taken, "hunks overlap or go backwards"
        result.extend(old_lines[taken:first])
        taken = first
        seen_old = seen_new = 0
        while index < len(diff_lines) and not diff_lines[index].startswith("@@"):
            line = diff_lines[index]
            index += 1
            mark, body = line[0], line[1:]
            assert mark in " -+", f"not a line of a hunk: {line!r}"
            assert body.endswith("\n"), "a diff line runs into the next one"
            if index < len(diff_lines) and diff_lines[index] == _NO_NEWLINE:
                # The line has no line break in its file: the diff added one to end it.
                body = body[:-1]
                index += 1
            if mark in " -":
                assert taken < len(old_lines) and old_lines[taken] == body
                taken += 1
                seen_old += 1
            if mark in " +":
                result.append(body)
                seen_new += 1
        assert (seen_old, seen_new) == (old_count, new_count)
    result.extend(old_lines[taken:])
    return "".join(result)


def _patch_lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


# Lines that repeat (as in generated code), lines unique to one place, and characters that
# str.splitlines takes for line breaks but Python and patch do not.
_REPEATED = ["x = 1", "pass", "", "    return y", "# comment", "    history.append(m)"]
_ODD = ["\x0c", "a\x1cb", "s = '\x85'", "t = '\u2028'", "\x0b# vertical tab", "u = '\x1d\x1e'"]
_ENDINGS = {
    "lf": ["\n"],
    "crlf": ["\r\n"],
    "cr": ["\r"],
    "mixed": ["\n", "\r\n", "\r"],
}


def _line(draw: random.Random, serial: list[int]) -> str:
    kind = draw.random()
    if kind < 0.6:
        return draw.choice(_REPEATED)
    if kind < 0.75:
        return draw.choice(_ODD)
    serial[0] += 1
    return f"call_{serial[0]}()"


def _text(lines: list[str], endings: list[str], draw: random.Random, final: bool) -> str:
    ended = [line + draw.choice(endings) for line in lines]
    if ended and not final:
        ended[-1] = lines[-1]
    return "".join(ended)


def generated_pair(seed: int, size: int = 40) -> tuple[str, str]:
    """An old text and an edited copy: lines inserted, removed, replaced, their line endings
    changed; either may be empty or lack its last line break."""
    draw = random.Random(seed)
    serial = [0]
    endings = _ENDINGS[draw.choice(list(_ENDINGS))]
    lines = [_line(draw, serial) for _ in range(draw.randrange(size))]
    old = _text(lines, endings, draw, final=draw.random() < 0.8)
    edited = list(lines)
    for _ in range(draw.randrange(6)):
        at = draw.randrange(len(edited) + 1)
        action = draw.randrange(3)
        if action == 0:
            edited.insert(at, _line(draw, serial))
        elif edited and at < len(edited):
            if action == 1:
                del edited[at]
            else:
                edited[at] = _line(draw, serial)
    new = _text(edited, endings, draw, final=draw.random() < 0.8)
    return old, new


def _changed_lines(opcodes) -> int:
    return sum(
        (old_end - old_start) + (new_end - new_start)
        for tag, old_start, old_end, new_start, new_end in opcodes
        if tag != "equal"
    )


# The diff leads from the old text to the new ---------------------------------------------


@pytest.mark.parametrize("seed_block", range(10))
def test_applying_the_diff_to_the_old_text_gives_the_new(seed_block):
    for seed in range(seed_block * 200, seed_block * 200 + 200):
        old, new = generated_pair(seed)
        diff = unified_diff(old, new, "agent.py")
        assert apply_diff(old, diff) == new, seed
        assert (diff == "") == (old == new)


@pytest.mark.parametrize("small_gap", [0, 16])
@pytest.mark.parametrize("rounds", [0, 1, 8])
@pytest.mark.parametrize("max_edits", [0, 3, 64])
def test_every_way_of_matching_a_gap_gives_a_diff_that_applies(
    monkeypatch, small_gap, rounds, max_edits
):
    # Small inputs go to difflib whole: here the anchors, the gaps between them, the gaps
    # matched line by line and the gaps replaced whole are what matches them.
    monkeypatch.setattr(diff_module, "_SMALL_GAP", small_gap)
    monkeypatch.setattr(diff_module, "_MAX_ROUNDS", rounds)
    monkeypatch.setattr(diff_module, "_MAX_EDITS", max_edits)
    for seed in range(200):
        old, new = generated_pair(seed, size=80)
        assert apply_diff(old, unified_diff(old, new, "agent.py")) == new, seed


def test_large_repetitive_pairs_apply():
    for seed in range(20):
        old, new = generated_pair(seed, size=3000)
        assert apply_diff(old, unified_diff(old, new, "agent.py")) == new, seed


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("", "a = 1\n"),
        ("a = 1\n", ""),
        ("a = 1", "a = 2"),
        ("a = 1", "a = 1\n"),
        ("a = 1\n", "a = 1"),
        ("x\ny\nz", "x\ny\nz\nw"),
        ("a = 1\rb = 2\r", "a = 1\rb = 3\r"),
        ("a = 1\r\nb = 2\r\n", "a = 1\r\nb = 3\r\n"),
        ("a\x0cb\nc\x85d\n", "a\x0cb\nc\x85e\n"),
    ],
)
def test_edges_apply(old, new):
    assert apply_diff(old, unified_diff(old, new, "agent.py")) == new


# Tools apply it --------------------------------------------------------------------------


def _tool_cases() -> list[tuple[str, str]]:
    cases = [generated_pair(seed) for seed in range(40)]
    return [(old, new) for old, new in cases if old != new and old]


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch is not installed")
def test_patch_applies_the_diff(tmp_path):
    for number, (old, new) in enumerate(_tool_cases()):
        (tmp_path / "agent.py").write_bytes(old.encode())
        (tmp_path / "fix.diff").write_bytes(unified_diff(old, new, "agent.py").encode())
        subprocess.run(
            ["patch", "-p0", "--quiet", "-i", "fix.diff"],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )
        assert (tmp_path / "agent.py").read_bytes() == new.encode(), number


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_applies_the_diff(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for number, (old, new) in enumerate(_tool_cases()):
        (tmp_path / "agent.py").write_bytes(old.encode())
        (tmp_path / "fix.diff").write_bytes(unified_diff(old, new, "agent.py").encode())
        subprocess.run(
            ["git", "apply", "-p0", "fix.diff"], cwd=tmp_path, check=True, capture_output=True
        )
        assert (tmp_path / "agent.py").read_bytes() == new.encode(), number


# As short as difflib's ------------------------------------------------------------------


def test_ordinary_edits_give_difflibs_diff_exactly():
    # Distinct lines and a few edits, as a fix makes: difflib's diff is then the shortest one,
    # and what --diff printed before stays what it prints.
    for seed in range(300):
        draw = random.Random(seed)
        old_lines = [f"line_{number} = {draw.randrange(10**6)}\n" for number in range(200)]
        new_lines = list(old_lines)
        for _ in range(draw.randrange(1, 8)):
            at = draw.randrange(len(new_lines))
            new_lines[at] = new_lines[at].replace(" = ", " = sorted(").rstrip("\n") + ")\n"
        expected = "".join(difflib.unified_diff(old_lines, new_lines, "a.py", "a.py"))
        assert unified_diff("".join(old_lines), "".join(new_lines), "a.py") == expected


@pytest.mark.parametrize("small_gap", [0, diff_module._SMALL_GAP])
def test_no_longer_than_difflibs_on_repetitive_text(monkeypatch, small_gap):
    # On lines that repeat, neither finds the shortest diff every time. The anchors here
    # must not cost much more than difflib's longest blocks: over many pairs, as many
    # changed lines give or take a few percent, even with no gap left to difflib.
    monkeypatch.setattr(diff_module, "_SMALL_GAP", small_gap)
    ours = theirs = 0
    for seed in range(400):
        old, new = generated_pair(seed, size=120)
        old_lines, new_lines = _patch_lines(old), _patch_lines(new)
        ours += _changed_lines(line_opcodes(old_lines, new_lines))
        theirs += _changed_lines(
            difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes()
        )
    assert ours <= theirs * 1.05


def test_a_long_run_of_one_repeated_line_is_matched_line_by_line():
    # No line is unique on either side: the two lines changed are shown, not the whole run.
    old = "    pass\n" * 400
    new = (
        "    pass\n" * 100
        + "    return 1\n"
        + "    pass\n" * 199
        + "    return 2\n"
        + "    pass\n" * 99
    )
    diff = unified_diff(old, new, "agent.py")
    assert apply_diff(old, diff) == new
    changed = [line for line in diff.split("\n")[2:] if line.startswith(("-", "+"))]
    assert len(changed) == 4


# Work linear in the file ------------------------------------------------------------------


class _CountedLine(str):
    """A line that counts how often it is hashed or compared: the work of matching lines."""

    work = 0

    def __hash__(self) -> int:
        _CountedLine.work += 1
        return str.__hash__(self)

    def __eq__(self, other: object) -> bool:
        _CountedLine.work += 1
        return str.__eq__(self, other)


def _generated_module(units: int, fixed: bool) -> list[str]:
    """Units of near-identical code, as a generator writes them, each changed by a fix."""
    lines: list[str] = []
    for number in range(units):
        dumped = "json.dumps(state, sort_keys=True)" if fixed else "json.dumps(state)"
        lines += [
            f"def ask_{number}(state, question):\n",
            "    history = [{'role': 'user', 'content': question}]\n",
            f"    system = 'State: ' + {dumped}\n",
            "    reply = client.messages.create(system=system, messages=history)\n",
            "    history.append(reply)\n",
            "    return reply\n",
            "\n",
            "\n",
        ]
    return [_CountedLine(line) for line in lines]


def _work(match, units: int) -> int:
    old, new = _generated_module(units, False), _generated_module(units, True)
    _CountedLine.work = 0
    match(old, new)
    return _CountedLine.work


def test_matching_lines_is_linear_in_the_file():
    small, large = 50, 400
    growth = _work(line_opcodes, large) / _work(line_opcodes, small)
    assert growth <= (large / small) * 1.2

    # The measure tells: difflib's work grows far faster on the same files.
    def by_difflib(old, new):
        return difflib.SequenceMatcher(None, old, new).get_opcodes()

    assert _work(by_difflib, large) / _work(by_difflib, small) > (large / small) * 3


# Through the engine -----------------------------------------------------------------------

_FIXABLE = "import json\nimport anthropic\nclient = anthropic.Anthropic()\n" + (
    "def ask(state, q):\n"
    "    system = 'State: ' + json.dumps(state)\n"
    "    return client.messages.create(model='m', system=system, messages=q)"
)


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("last_line_ends", [True, False])
def test_the_diff_of_a_fix_applies_to_the_file(ending, last_line_ends):
    # Without a final line break difflib glued the last line to the next; with lines ending
    # in \r the diff's lines were ones no tool reads as lines.
    text = _FIXABLE.replace("\n", ending) + ending + "answer = 42" + (ending * last_line_ends)
    settings = make_settings({"unsafe-fixes": True})
    result = check_source(SourceText(text), settings, "agent.py", FixMode.DIFF)
    assert result.diff and result.fixed_text not in (None, text)
    assert apply_diff(text, result.diff) == result.fixed_text


# The cycle collector, paused while a file is analysed, is left as it was found --------------


def _collector_states_seen(monkeypatch, failure: Exception | None = None) -> list[bool]:
    # The engine imports PythonModule where it parses a file (not at its top): patched at home.
    import ctxlint.python.module as home

    seen: list[bool] = []
    made = home.PythonModule

    def module_noting_the_collector(*arguments, **keywords):
        seen.append(gc.isenabled())
        if failure is not None:
            raise failure
        return made(*arguments, **keywords)

    monkeypatch.setattr(home, "PythonModule", module_noting_the_collector)
    return seen


@pytest.mark.parametrize("enabled", [True, False])
def test_check_source_pauses_the_collector_and_restores_it(monkeypatch, enabled):
    seen = _collector_states_seen(monkeypatch)
    settings = make_settings({"unsafe-fixes": True})
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        result = check_source(_FIXABLE + "\n", settings, "agent.py", FixMode.DIFF)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
    assert result.diff
    assert seen and not any(seen)


@pytest.mark.parametrize("enabled", [True, False])
def test_check_text_pauses_the_collector_and_restores_it_when_it_raises(monkeypatch, enabled):
    seen = _collector_states_seen(monkeypatch, failure=RuntimeError("a rule's bug"))
    settings = make_settings()
    checker = PythonChecker(settings, select_rules(["CTX"], [], []))
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(RuntimeError):
            checker.check_text("agent.py", SourceText(_FIXABLE))
        assert gc.isenabled() is enabled
        # check_source reports the same bug as a problem of the file, and restores it too.
        assert check_source(_FIXABLE, settings).problems
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
    assert seen and not any(seen)
