"""Runs every rule's examples (ids like CTX001-invalid-2): the Python ones embedded in the rule
module, the trace ones kept as files in rules/cases/<code>/, and the prompt-file and TypeScript
ones (embedded, each with the file name it is read under) through the engine as `ctxlint FILE`
checks them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import tomllib

from ctxlint.config import validate
from ctxlint.discovery import find_inputs
from ctxlint.engine import FixMode, check_paths, check_source
from ctxlint.registry import all_rules, select_rules
from ctxlint.rule import InputKind
from ctxlint.rule_cases import CASES
from ctxlint.trace.checker import TraceChecker

from conftest import make_settings


def _cases(kind: str):
    for rule in all_rules():
        cases = rule.valid_cases() if kind == "valid" else rule.invalid_cases()
        for number, case in enumerate(cases, start=1):
            yield pytest.param(rule, case, id=f"{rule.code}-{kind}-{number}")


def _settings(rule, case, unsafe: bool = False):
    table = {"select": [rule.code], "unsafe-fixes": unsafe, **case.settings}
    # An example's settings are what a user would write: they must pass the schema too.
    validate(table, Path(f"{rule.code}-example"))
    return make_settings(table)


def _table(folder: Path) -> dict:
    table = tomllib.loads((folder / "cases.toml").read_text(encoding="utf-8"))
    return {"valid": table.get("valid", []), "invalid": table.get("invalid", [])}


def _words(diagnostic) -> str:
    """Everything a finding tells its reader: the message, what to do, and the other places
    it names with their lines, as `message_contains` may quote any of them."""
    related = [f"{r.message} (line {r.start.line})" for r in diagnostic.related]
    return " ".join([diagnostic.message, diagnostic.help or "", *related])


def _trace_findings(rule, case, folder: Path):
    """Every finding on the example trace: it must also read without a CTX900."""
    path = folder / "example.jsonl"
    path.write_text(case.source, encoding="utf-8")
    settings = _settings(rule, case)
    checked = TraceChecker(settings, select_rules(["CTX"], [], [])).check_file(str(path))
    assert [d.message for d in checked.diagnostics if d.code == "CTX900"] == []
    assert checked.requests == len(case.source.splitlines())
    return [d for d in checked.diagnostics if d.code == rule.code]


def _assert_placed_and_worded(case, found) -> None:
    if case.line is not None:
        assert case.line in [d.start.line for d in found], [str(d) for d in found]
    if case.message_contains is not None:
        messages = [_words(d) for d in found]
        assert any(case.message_contains in m for m in messages), messages


def _prompt_file(case, folder: Path, kind: InputKind = InputKind.PROMPT) -> tuple[Path, list[Path]]:
    """The example written under its file name, which must read as a prompt file (or the
    kind given), and the other files of its project (the Python that renders it) beside it."""
    assert case.filename, f"a {kind.value} example needs the file name it is read under"
    path = folder / case.filename
    others = [folder / name for name in case.files]
    for written, text in [(path, case.source), *zip(others, case.files.values(), strict=True)]:
        written.parent.mkdir(parents=True, exist_ok=True)
        written.write_text(text, encoding="utf-8")
    [found] = find_inputs([str(path)], make_settings({}, folder)).files
    assert found.kind is kind, f"{case.filename} is not read as {kind.value}"
    return path, others


def _prompt_settings(rule, case, folder: Path, unsafe: bool = False):
    table = {"select": [rule.code, "CTX900"], "unsafe-fixes": unsafe, **case.settings}
    validate(table, Path(f"{rule.code}-example"))
    return make_settings(table, folder)


def _prompt_findings(rule, case, folder: Path):
    """Every finding on the example prompt file (or TypeScript file), checked with its
    project's other files as `ctxlint FILE...` checks them: the run must also read without a
    CTX900."""
    path, others = _prompt_file(case, folder, case.kind)
    named = [str(path), *map(str, others)]
    report = check_paths(named, _prompt_settings(rule, case, folder))
    assert [d.message for d in report.diagnostics if d.code == "CTX900"] == []
    assert report.files_checked == len(named)
    return [d for d in report.diagnostics if d.code == rule.code and d.path == str(path)]


def _check_prompt_fix(rule, case, folder: Path) -> None:
    """With --fix (and unsafe fixes), the file becomes `fixed`, still reads as a template,
    and a second --fix changes nothing."""
    path = folder / case.filename
    named = [str(path), *(str(folder / name) for name in case.files)]
    settings = _prompt_settings(rule, case, folder, unsafe=True)
    report = check_paths(named, settings, FixMode.FIX)
    assert [d.message for d in report.diagnostics if d.code == "CTX900"] == []
    if case.fixed is not None:
        assert path.read_text(encoding="utf-8") == case.fixed
        again = check_paths(named, settings, FixMode.FIX)
        assert sum(r.fixes_applied for r in again.results) == 0, "a second --fix changed it"


@pytest.mark.parametrize(("rule", "case"), list(_cases("valid")))
def test_valid(rule, case, tmp_path):
    if case.kind is InputKind.TRACE:
        assert _trace_findings(rule, case, tmp_path) == []
        return
    if case.kind in (InputKind.PROMPT, InputKind.TYPESCRIPT):
        assert _prompt_findings(rule, case, tmp_path) == []
        return
    ast.parse(case.source)
    result = check_source(case.source, _settings(rule, case))
    assert [d for d in result.diagnostics if d.code == rule.code] == []


@pytest.mark.parametrize(("rule", "case"), list(_cases("invalid")))
def test_invalid(rule, case, tmp_path):
    if case.kind is InputKind.TRACE:
        found = _trace_findings(rule, case, tmp_path)
        assert found, f"{rule.code} did not flag:\n{case.source}"
        _assert_placed_and_worded(case, found)
        return
    if case.kind is InputKind.PROMPT:
        found = _prompt_findings(rule, case, tmp_path)
        assert found, f"{rule.code} did not flag {case.filename}:\n{case.source}"
        _assert_placed_and_worded(case, found)
        _check_prompt_fix(rule, case, tmp_path)
        return
    if case.kind is InputKind.TYPESCRIPT:
        found = _prompt_findings(rule, case, tmp_path)
        assert found, f"{rule.code} did not flag {case.filename}:\n{case.source}"
        _assert_placed_and_worded(case, found)
        _check_prompt_fix(rule, case, tmp_path)
        return
    ast.parse(case.source)
    result = check_source(case.source, _settings(rule, case))
    found = [d for d in result.diagnostics if d.code == rule.code]
    assert found, f"{rule.code} did not flag:\n{case.source}"
    if case.line is not None:
        assert case.line in [d.start.line for d in found], [str(d) for d in found]
    if case.message_contains is not None:
        messages = [_words(d) for d in found]
        assert any(case.message_contains in m for m in messages), messages
    if case.fixed is not None:
        fixed = check_source(case.source, _settings(rule, case, unsafe=True), mode=FixMode.FIX)
        assert fixed.fixed_text == case.fixed
        again = check_source(fixed.fixed_text, _settings(rule, case, unsafe=True), mode=FixMode.FIX)
        assert again.fixed_text is None, "a second --fix changed the file again"
    else:
        fixed = check_source(case.source, _settings(rule, case, unsafe=True), mode=FixMode.FIX)
        if fixed.fixed_text is not None:
            ast.parse(fixed.fixed_text)


def test_every_rule_has_examples():
    for rule in all_rules():
        if rule.meta:
            continue
        valid, invalid = rule.valid_cases(), rule.invalid_cases()
        assert valid, f"{rule.code} has no VALID examples"
        assert invalid, f"{rule.code} has no INVALID examples"
        for kind in rule.input_kinds():
            assert any(c.kind is kind for c in valid), f"{rule.code}: no VALID {kind.value}"
            assert any(c.kind is kind for c in invalid), f"{rule.code}: no INVALID {kind.value}"


def test_every_case_file_belongs_to_a_rule_and_names_its_traces():
    """A case folder for a code no rule has, or a trace no case names, is an example that
    silently never runs."""
    codes = {rule.code.lower() for rule in all_rules()}
    for folder in CASES.iterdir():
        assert folder.name in codes, folder
        named = {case["trace"] for kind in ("valid", "invalid") for case in _table(folder)[kind]}
        traces = {path.name for path in folder.glob("*.jsonl")}
        assert traces == named, folder
