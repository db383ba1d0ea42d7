"""The fixer on its own: overlapping edits, results that do not parse, atomic writes."""

from __future__ import annotations

import os

import pytest

from ctxlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from ctxlint.engine import FixMode, check_source
from ctxlint.fix import apply_edits, fix_until_stable, select_edits, write_atomically

from conftest import make_settings


def _diagnostic(start: int, end: int, content: str, applicability=Applicability.SAFE):
    edit = Edit(start, end, content)
    return Diagnostic(
        "CTX002",
        "unsorted-json",
        "m",
        "f.py",
        Location(1, start + 1),
        Location(1, end + 1),
        Fix("t", (edit,), applicability),
        start,
    )


def test_overlapping_fixes_are_skipped_and_applied_later():
    first = _diagnostic(0, 5, "AAAAA")
    overlapping = _diagnostic(3, 8, "BBBBB")
    separate = _diagnostic(10, 12, "CC")
    edits, count = select_edits([overlapping, separate, first], unsafe_fixes=False)
    assert count == 2
    assert [e.content for e in edits] == ["AAAAA", "CC"]


def test_unsafe_and_display_only_fixes():
    unsafe = _diagnostic(0, 1, "x", Applicability.UNSAFE)
    display = _diagnostic(2, 3, "y", Applicability.DISPLAY_ONLY)
    assert select_edits([unsafe, display], unsafe_fixes=False)[1] == 0
    assert select_edits([unsafe, display], unsafe_fixes=True)[1] == 1


def test_edits_follow_the_line_endings_of_the_file():
    text = "a = (\r\n    1,\r\n)\r\n"
    assert apply_edits(text, [Edit(7, 7, "x,\n")]) == "a = (\r\nx,\r\n    1,\r\n)\r\n"
    cr_only = "a = (\r    1,\r)\r"
    assert apply_edits(cr_only, [Edit(6, 6, "x,\n")]) == "a = (\rx,\r    1,\r)\r"


def test_lines_kept_by_an_edit_keep_their_own_endings_in_a_mixed_file():
    text = "x = 1\nv = f(\r\n    a,\n    b,\r\n)\nw = 2\r\n"
    call = text.index("f(")
    end = text.index(")") + 1
    edit = Edit(call, end, "f(\n    a,\n    b,\n    c=1,\n)")
    # The new line takes the ending of the line the edit starts on; the others keep theirs.
    expected = "x = 1\nv = f(\r\n    a,\n    b,\r\n    c=1,\r\n)\nw = 2\r\n"
    assert apply_edits(text, [edit]) == expected


def test_an_edit_on_a_last_line_without_a_break_takes_the_previous_ending():
    text = "a = 1\r\nb = f(x)"
    start = text.index("f(")
    assert apply_edits(text, [Edit(start, len(text), "f(\n    x,\n)")]) == (
        "a = 1\r\nb = f(\r\n    x,\r\n)"
    )
    assert apply_edits("f(x)", [Edit(0, 4, "f(\r\n    x,\r\n)")]) == "f(\n    x,\n)"


def test_a_fix_in_a_mixed_file_changes_no_other_line_ending():
    source = (
        "import json\nimport anthropic\r\nclient = anthropic.Anthropic()\n"
        "def ask(state, q):\r\n"
        "    context = json.dumps(\n        state,\r\n        indent=2,\n    )\r\n"
        "    return client.messages.create(model='m', max_tokens=9,\n"
        "        system='State: ' + context, messages=q)\n"
    )
    settings = make_settings({"unsafe-fixes": True})
    fixed = check_source(source, settings, mode=FixMode.FIX).fixed_text
    expected = source.replace("indent=2,\n", "indent=2,\n        sort_keys=True,\n")
    assert fixed == expected


def test_a_result_that_does_not_parse_leaves_the_text_untouched():
    text = "value = 1\n"

    def check(current: str) -> list[Diagnostic]:
        return [_diagnostic(0, 5, "value (")] if current == text else []

    outcome = fix_until_stable(text, check, lambda t: "(" not in t, unsafe_fixes=False)
    assert outcome.text == text
    assert outcome.applied == 0
    assert "does not parse" in (outcome.problem or "")


def test_fixing_repeats_until_stable():
    def check(current: str) -> list[Diagnostic]:
        return [_diagnostic(0, 0, "#")] if current.count("#") < 3 else []

    outcome = fix_until_stable("x\n", check, lambda t: True, unsafe_fixes=False)
    assert (outcome.text, outcome.applied, outcome.problem) == ("###x\n", 3, None)


def test_fixes_that_never_settle_leave_the_text_untouched():
    # A fix that finds its own result wrong again is a bug: its passes must not pile up in
    # the file (as a misplaced edit once was appended to a file on every pass).
    def check(current: str) -> list[Diagnostic]:
        return [_diagnostic(0, 0, "#")]

    outcome = fix_until_stable("x\n", check, lambda t: True, unsafe_fixes=False)
    assert (outcome.text, outcome.applied) == ("x\n", 0)
    assert outcome.remaining == check("x\n")
    assert "did not settle" in (outcome.problem or "")
    assert "left unchanged" in (outcome.problem or "")


def test_atomic_write_keeps_the_old_file_when_replacing_fails(tmp_path, monkeypatch):
    path = tmp_path / "agent.py"
    path.write_text("old\n")

    def failing_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        write_atomically(str(path), b"new\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["agent.py"]


def test_atomic_write_through_a_symlink_keeps_the_link(tmp_path):
    target = tmp_path / "real.py"
    target.write_text("old\n")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    write_atomically(str(link), b"new\n")
    assert link.is_symlink()
    assert target.read_text() == "new\n"
