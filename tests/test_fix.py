"""The fixer on its own: overlapping edits, results that do not parse, atomic writes."""

from __future__ import annotations

import os

import pytest

from ctxlint import fix as fix_module
from ctxlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from ctxlint.fix import apply_edits, fix_until_stable, select_edits, write_atomically


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


def test_a_result_that_does_not_parse_leaves_the_text_untouched():
    text = "value = 1\n"

    def check(current: str) -> list[Diagnostic]:
        return [_diagnostic(0, 5, "value (")] if current == text else []

    outcome = fix_until_stable(text, check, lambda t: "(" not in t, unsafe_fixes=False)
    assert outcome.text == text
    assert outcome.applied == 0
    assert "does not parse" in (outcome.problem or "")


def test_fixing_repeats_until_stable_and_is_bounded():
    calls = []

    def check(current: str) -> list[Diagnostic]:
        calls.append(current)
        return [_diagnostic(0, 0, "#")]  # never settles

    outcome = fix_until_stable("x\n", check, lambda t: True, unsafe_fixes=False)
    assert outcome.text == "#" * fix_module.MAX_PASSES + "x\n"
    assert "did not settle" in (outcome.problem or "")


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
