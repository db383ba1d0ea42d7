"""Order sources beyond built sets (file-system listings, annotated sets), LangChain agent
middleware sinks, and functions whose returned tools or skills are watched at the source."""

from __future__ import annotations

import ast

import pytest

from ctxlint.config import Settings
from ctxlint.engine import PythonChecker
from ctxlint.python.index import build_index
from ctxlint.python.middleware import middleware_sinks
from ctxlint.python.prefilter import build_prefilter
from ctxlint.python.unordered import _is_string_set
from ctxlint.registry import select_rules
from ctxlint.source import SourceText

_HEADER = "import os\nimport anthropic\nclient = anthropic.Anthropic()\n"


@pytest.fixture(scope="module")
def checker() -> PythonChecker:
    settings = Settings()
    return PythonChecker(settings, select_rules(list(settings.select), [], []))


def _unordered(checker: PythonChecker, body: str) -> list[tuple[int, str]]:
    source = SourceText.decode_python((_HEADER + body).encode())
    found = checker.check_text("agent.py", source)
    return [(d.start.line, d.message) for d in found if d.code == "CTX003"]


def _unordered_related(
    checker: PythonChecker, body: str
) -> list[tuple[int, str, list[tuple[str, int]]]]:
    """The findings with the places they name (message, line)."""
    source = SourceText.decode_python((_HEADER + body).encode())
    found = checker.check_text("agent.py", source)
    return [
        (d.start.line, d.message, [(r.message, r.start.line) for r in d.related])
        for d in found
        if d.code == "CTX003"
    ]


@pytest.mark.parametrize(
    ("annotation", "is_set"),
    [
        ("set[str]", True),
        ("typing.Set[pathlib.Path]", True),
        ("set", True),
        ("frozenset[str] | None", True),
        ("Optional[AbstractSet[str]]", True),
        ("'set[str]'", True),
        ("set[int]", False),
        ("list[str]", False),
        ("set[str] | list[str]", False),
        ("dict[str, set[str]]", False),
        ("'not valid ('", False),
    ],
)
def test_which_annotations_say_a_value_is_a_set_of_strings(annotation, is_set):
    assert _is_string_set(ast.parse(annotation, mode="eval").body, 0) is is_set


def test_a_listing_names_itself_and_not_the_line_it_is_on(checker):
    body = (
        "def ask(q):\n"
        "    system = '\\n'.join(open(n).read() for n in os.listdir('skills'))\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
    )
    [(line, message, related)] = _unordered_related(checker, body)
    assert line == 5
    assert message == (
        "the file-system order of `os.listdir(...)` decides the order of text in the system prompt"
    )
    # Only the request: the listing is the line flagged.
    assert related == [("sent as the system prompt of client.messages.create", 6)]


def test_a_listing_read_elsewhere_is_a_related_location(checker):
    body = (
        "def ask(q):\n"
        "    names = os.listdir('skills')\n"
        "    system = '\\n'.join(names)\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
    )
    [(line, message, related)] = _unordered_related(checker, body)
    assert line == 6
    assert message.startswith("the file-system order of `os.listdir(...)` decides")
    assert ("listed here", 5) in related


def test_a_walk_is_not_fixed_by_sorting_the_files_alone(checker):
    # The folders are still walked in listing order.
    body = (
        "def ask(q):\n"
        "    parts = []\n"
        "    for root, dirs, files in os.walk('p'):\n"
        "        for f in sorted(files):\n"
        "            parts.append(f)\n"
        "    system = ''.join(parts)\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
    )
    assert [line for line, _ in _unordered(checker, body)] == [6]


def test_a_glob_method_of_another_library_is_not_a_listing(checker):
    body = (
        "import fsspec\n"
        "def ask(q):\n"
        "    system = '\\n'.join(fsspec.glob('*.md'))\n"
        "    return client.messages.create(model='m', max_tokens=9, system=system, messages=q)\n"
    )
    assert _unordered(checker, body) == []


def _middleware_kinds(code: str) -> list[tuple[str, str]]:
    index = build_index(ast.parse(code))
    return [(ast.unparse(s.expression), s.kind) for s in middleware_sinks(index)]


def test_middleware_overrides_and_assignments_are_sinks():
    code = (
        "from langchain.agents.middleware import AgentMiddleware\n"
        "class M(AgentMiddleware):\n"
        "    def wrap_model_call(self, request, handler):\n"
        "        request.tools = tools\n"
        "        other.tools = ignored\n"
        "        def later():\n"
        "            return request.override(tools=nested)\n"
        "        return handler(request.override(messages=msgs, system_message=sm, model=m))\n"
    )
    assert sorted(_middleware_kinds(code)) == [
        ("msgs", "messages"),
        ("sm", "system"),
        ("tools", "tools"),
    ]


def test_middleware_needs_langchain_and_a_handler():
    plain = (
        "class M:\n"
        "    def wrap_model_call(self, request, handler):\n"
        "        return handler(request.override(tools=t))\n"
    )
    assert _middleware_kinds(plain) == []
    elsewhere = "import langchain\ndef build(request):\n    return request.override(tools=t)\n"
    assert _middleware_kinds(elsewhere) == []


def test_the_prefilter_keeps_a_skills_loader_without_an_llm_import():
    prefilter = build_prefilter((), [])
    loader = b"from pathlib import Path\ndef load_skills(d):\n    return list(d.iterdir())\n"
    assert prefilter.wanted(loader)
    assert not prefilter.wanted(b"from pathlib import Path\ndef load(d):\n    return 1\n")


def test_a_listing_is_fixed_by_sorting_it_but_a_scandir_is_not(checker):
    body = (
        "def ask(q):\n"
        "    system = '\\n'.join(open(n).read() for n in os.listdir('skills'))\n"
        "    entries = '\\n'.join(e.name for e in os.scandir('notes'))\n"
        "    return client.messages.create(\n"
        "        model='m', max_tokens=9, system=system + entries, messages=q\n"
        "    )\n"
    )
    source = SourceText.decode_python((_HEADER + body).encode())
    found = [d for d in checker.check_text("agent.py", source) if d.code == "CTX003"]
    fixes = {d.start.line: d.fix for d in found}
    assert sorted(fixes) == [5, 6]
    assert [edit.content for edit in fixes[5].edits] == ["sorted(os.listdir('skills'))"]
    assert fixes[6] is None
