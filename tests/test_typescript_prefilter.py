"""The byte prefilter never spares a file the rules would read: every TypeScript example of every
rule and every TS/JS file of the project fixtures that, parsed, holds a sink or a history sent
(ctxlint.typescript.module), or that the run checks without one (a converter writing tool
arguments, a helper setting breakpoints), passes it. A sink added without its needles fails
here."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxlint.registry import all_rules
from ctxlint.rule import InputKind
from ctxlint.typescript import is_script, sets_breakpoints, worth_parsing, writes_tool_arguments
from ctxlint.typescript.module import ScriptModule
from ctxlint.typescript.parse import parse_script

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _examples():
    for rule in all_rules():
        cases = [*rule.valid_cases(), *rule.invalid_cases()]
        for number, case in enumerate(cases, start=1):
            if case.kind is not InputKind.TYPESCRIPT:
                continue
            files = {case.filename or "agent.ts": case.source, **case.files}
            for name, text in files.items():
                if is_script(name):
                    yield pytest.param(name, text.encode(), id=f"{rule.code}-{number}-{name}")


def _fixture_files():
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and is_script(path.name):
            name = str(path.relative_to(FIXTURES))
            yield pytest.param(str(path), path.read_bytes(), id=name)


def _has_sinks(name: str, data: bytes) -> bool:
    """Whether the run would check the file with its rules (ctxlint.typescript_run)."""
    module = ScriptModule.of(parse_script(name, data))
    read_anyway = writes_tool_arguments(data) or sets_breakpoints(data)
    return bool(module.sinks or module.histories or read_anyway)


@pytest.mark.parametrize(("name", "data"), [*_examples(), *_fixture_files()])
def test_a_file_with_a_sink_passes_the_prefilter(name, data):
    if not _has_sinks(name, data):
        pytest.skip("no sink in this file")
    assert worth_parsing(data)


def test_the_examples_hold_sinks_to_check():
    """The test above checks something: many TypeScript examples send a request."""
    examples = [example.values for example in _examples()]
    assert sum(_has_sinks(name, data) for name, data in examples) >= 10
