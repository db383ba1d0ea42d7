"""Python analysis does work linear in the LLM calls of a file: counted, never timed."""

from __future__ import annotations

import cProfile
import importlib.util
import pstats

import pytest

from ctxlint.config import Settings
from ctxlint.engine import PythonChecker
from ctxlint.python import anthropic_requests
from ctxlint.python.module import PythonModule
from ctxlint.registry import all_rules, select_rules
from ctxlint.source import SourceText

from conftest import REPO


def _load_generator():
    # The bench's generator, so that the test and the bench measure the same files.
    spec = importlib.util.spec_from_file_location("python_scale", REPO / "bench/python_scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_generator = _load_generator()
generate = _generator.generate


@pytest.fixture(scope="module")
def checker() -> PythonChecker:
    # Every rule by its exact code: informational findings (CTX008's missing breakpoint) are
    # made only then, and the generated file is meant to exercise them too.
    settings = Settings(select=tuple(rule.code for rule in all_rules()))
    return PythonChecker(settings, select_rules(list(settings.select), [], []))


def _function_calls(checker: PythonChecker, calls: int, shape: str = "units") -> int:
    """How many Python function calls checking a generated file with `calls` LLM calls makes:
    a measure of work that does not depend on the machine's speed."""
    source = SourceText.decode_python(generate(calls, shape).encode())
    profiler = cProfile.Profile()
    profiler.runcall(checker.check_text, "generated.py", source)
    return pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]


@pytest.mark.parametrize("shape", _generator.SHAPES)
def test_the_work_of_one_more_llm_call_does_not_grow_with_the_file(checker, shape):
    # The marginal work per call, from 21 to 42 calls and from 42 to 84: equal when the work
    # is linear (the fixed cost of a file cancels out), larger when some work is done per pair
    # of calls. The generated units repeat exactly, so linear work gives equal margins to the
    # call: the bound catches even one dictionary look-up per pair of calls. Besides the mix
    # of units, the shapes where every call reaches what all the others do: one class's
    # shared history (read directly or through a method), a script rebinding `messages` before
    # each call, one loop making them all.
    _function_calls(checker, 7, shape)  # what the first file imports and caches is not its work
    work = {calls: _function_calls(checker, calls, shape) for calls in (21, 42, 84)}
    marginal_small = (work[42] - work[21]) / 21
    marginal_large = (work[84] - work[42]) / 42
    assert marginal_large <= 1.001 * marginal_small, (marginal_small, marginal_large)


def test_the_generated_file_exercises_every_python_rule(checker):
    source = SourceText.decode_python(generate(14).encode())
    found = {diagnostic.code for diagnostic in checker.check_text("generated.py", source)}
    python_rules = {rule.code for rule in checker.rules if rule.code != "CTX900"}
    # CTX005 (tool-name prefixes) and CTX007 (uniform few-shot) look at shapes a file of LLM
    # calls need not have; every other rule must have found something to work on.
    assert python_rules - found <= {"CTX005", "CTX007"}


def test_whether_breakpoints_are_set_elsewhere_is_decided_once_per_file(checker, monkeypatch):
    decided: list[PythonModule] = []
    original = anthropic_requests._mentions_beyond_literal_breakpoints

    def counting(module: PythonModule) -> bool:
        decided.append(module)
        return original(module)

    monkeypatch.setattr(anthropic_requests, "_mentions_beyond_literal_breakpoints", counting)
    source = SourceText.decode_python(generate(70).encode())
    found = checker.check_text("generated.py", source)
    assert sum(1 for d in found if d.code == "CTX008") > 1
    assert len(decided) == 1


def test_a_module_fact_is_computed_once_however_often_it_is_asked(checker):
    import ast

    text = generate(7)
    module = PythonModule("m.py", SourceText(text), ast.parse(text), Settings())
    computed: list[int] = []

    def count_functions(module: PythonModule) -> int:
        computed.append(1)
        return len(module.index.functions)

    answers = {module.fact(count_functions) for _ in range(5)}
    assert answers == {len(module.index.functions)}
    assert len(computed) == 1


def test_the_names_a_loop_changes_are_walked_once_per_loop(checker, monkeypatch):
    # CTX004 imports it where it checks a file (ctxlint.registry says why): patched at home.
    from ctxlint.python import tool_list_changes

    walked: list[object] = []
    original = tool_list_changes.names_changed_in

    def counting(module, loop):
        walked.append(loop)
        return original(module, loop)

    monkeypatch.setattr(tool_list_changes, "names_changed_in", counting)
    calls = "".join(
        f"        if step == {n}:\n"
        "            reply = client.messages.create(model='m', max_tokens=9, tools=tools,\n"
        "                                           messages=history)\n"
        "            tools.append(execute(reply))\n"
        for n in range(6)
    )
    text = (
        "import anthropic\nclient = anthropic.Anthropic()\n"
        "def run(history, execute):\n    tools = []\n    step = 0\n"
        "    while True:\n        step += 1\n" + calls
    )
    found = checker.check_text("loop.py", SourceText.decode_python(text.encode()))
    assert sum(1 for d in found if d.code == "CTX004") == 6
    assert len(walked) == 1
