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


def test_a_fix_that_rewrites_text_to_itself_is_no_fix():
    # A rule that offers an edit leaving the text as it was would otherwise be counted as a
    # fix, found again, and reported as never settling.
    def check(current: str) -> list[Diagnostic]:
        return [_diagnostic(0, 1, "x")]

    outcome = fix_until_stable("x\n", check, lambda t: True, unsafe_fixes=False)
    assert (outcome.text, outcome.applied, outcome.problem) == ("x\n", 0, None)
    assert outcome.remaining == check("x\n")


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


# Fixes keep the code's meaning --------------------------------------------------------------

_JSON_HEADER = "import json, orjson\nimport anthropic\nclient = anthropic.Anthropic()\n"
_SEND = "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"


def _only_finding(source: str, code: str) -> Diagnostic:
    result = check_source(source, make_settings({"select": [code]}))
    found = [d for d in result.diagnostics if d.code == code]
    assert len(found) == 1, [d.message for d in result.diagnostics]
    return found[0]


def _dumps_in_system_prompt(call: str, parameters: str = "state, q") -> str:
    return f"{_JSON_HEADER}def ask({parameters}):\n    system = 'State: ' + {call}\n{_SEND}"


def test_sort_keys_is_an_unsafe_fix():
    # json sorts the keys before it turns them into strings: {1: "a", "b": 2} raises.
    finding = _only_finding(_dumps_in_system_prompt("json.dumps(state)"), "CTX002")
    assert finding.fix is not None
    assert finding.fix.applicability is Applicability.UNSAFE
    with pytest.raises(TypeError):
        __import__("json").dumps({1: "a", "b": 2}, sort_keys=True)


@pytest.mark.parametrize(
    "call",
    [
        "orjson.dumps(state).decode()",
        "orjson.dumps(state, option=None).decode()",
        "orjson.dumps(state, option=options).decode()",
        "orjson.dumps(state, None, orjson.OPT_INDENT_2).decode()",
    ],
)
def test_the_orjson_fix_is_safe_and_sorts_with_any_options_the_call_may_be_given(call):
    import orjson

    source = _dumps_in_system_prompt(call, "state, q, options=None")
    assert _only_finding(source, "CTX002").fix.applicability is Applicability.SAFE
    fixed = check_source(source, make_settings({"select": ["CTX002"]}), mode=FixMode.FIX)
    expression = fixed.fixed_text.splitlines()[4].split(" + ", 1)[1]
    for options in (None, 0, orjson.OPT_INDENT_2):
        names = {"orjson": orjson, "state": {"b": 2, "a": 1}, "options": options}
        assert eval(expression, names).replace("\n", "").replace(" ", "") == '{"a":1,"b":2}'
    # Sorting never raises where the options let orjson take keys other than strings.
    both = orjson.OPT_NON_STR_KEYS | orjson.OPT_SORT_KEYS
    assert orjson.dumps({"b": 2, 1: "a"}, option=both) == b'{"1":"a","b":2}'


@pytest.mark.parametrize(
    "call",
    [
        "json.dumps(state, **options)",
        "json.dumps(\n        state,\n        **options,\n    )",
        "orjson.dumps(state, **options).decode()",
        "orjson.dumps(state, *options).decode()",
        "orjson.dumps(state, None, *options).decode()",
    ],
)
def test_a_call_whose_options_may_hold_the_setting_is_not_flagged(call):
    # `**options` may well sort the keys: a finding there could not be confirmed, and a
    # fix adding a second sort_keys would raise TypeError.
    source = _dumps_in_system_prompt(call, "state, q, options")
    result = check_source(source, make_settings({"select": ["CTX002"]}))
    assert result.diagnostics == []
    # The same call without the unknown options is flagged: the silence is theirs.
    plain = call.replace(", **options", "").replace("**options,", "").replace(", *options", "")
    assert _only_finding(_dumps_in_system_prompt(plain, "state, q, options"), "CTX002")


_SET_IN_PROMPT = (
    "import anthropic\nclient = anthropic.Anthropic()\n{prelude}"
    "def ask(q, names{parameter}):\n{local}"
    "    tools = [{{'name': n}} for n in set(names)]\n"
    "    return client.messages.create(model='m', max_tokens=9, tools=tools, messages=q)\n"
)


@pytest.mark.parametrize(
    ("prelude", "parameter", "local"),
    [
        ("", ", sorted=None", ""),
        ("", "", "    sorted = None\n"),
        ("from mylib import sorted\n", "", ""),
        ("def sorted(items):\n    return items\n", "", ""),
        ("import mylib as builtins\n", ", sorted=None", ""),
    ],
)
def test_the_sort_fix_does_not_call_a_shadowed_sorted(prelude, parameter, local):
    source = _SET_IN_PROMPT.format(prelude=prelude, parameter=parameter, local=local)
    assert _only_finding(source, "CTX003").fix is None


def test_the_sort_fix_calls_sorted_by_its_name_where_it_is_the_builtin():
    source = _SET_IN_PROMPT.format(prelude="from builtins import sorted\n", parameter="", local="")
    fix = _only_finding(source, "CTX003").fix
    assert fix is not None and fix.edits[0].content == "sorted(set(names))"
