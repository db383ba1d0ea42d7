"""The byte prefilter never spares a file that holds a sink: every TypeScript example of every
rule and every TS/JS file of the project fixtures in which the parsed file's sinks are found
passes it. A sink added to ctxlint.typescript.sinks without its needles fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxlint.registry import all_rules
from ctxlint.rule import InputKind
from ctxlint.typescript import is_script, worth_parsing
from ctxlint.typescript.parse import parse_script
from ctxlint.typescript.sinks import find_sinks

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
    return bool(find_sinks(parse_script(name, data)))


@pytest.mark.parametrize(("name", "data"), [*_examples(), *_fixture_files()])
def test_a_file_with_a_sink_passes_the_prefilter(name, data):
    if not _has_sinks(name, data):
        pytest.skip("no sink in this file")
    assert worth_parsing(data)


def test_the_examples_hold_sinks_to_check():
    """The test above checks something: most TypeScript examples send a request."""
    examples = [example.values for example in _examples()]
    assert sum(_has_sinks(name, data) for name, data in examples) >= 10
