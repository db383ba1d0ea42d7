"""What a walk for one key looks under: every mention of it, once, in a fraction of the tree."""

from __future__ import annotations

import ast
import textwrap

from ctxlint.config import Settings
from ctxlint.python.breakpoints import functions_that_may_add
from ctxlint.python.module import PythonModule
from ctxlint.python.statement_shapes import roots_spelling
from ctxlint.source import SourceText

_MODULE = """\
import functools

MARK = {"cache_control": {"type": "ephemeral"}}


@functools.lru_cache(typed="cache_control")  # above the def line
def decorated():
    return 1


def unrelated(blocks):
    for block in blocks:
        print(block)


class Serializer:
    def convert(self, blocks):
        try:
            blocks[-1]["cache_control"] = {"type": "ephemeral"}
        except KeyError("cache_control"):
            blocks[0]["cache_control"] = None
        match blocks:
            case [{"cache_control": mark}] if mark != "cache_control":
                return mark
        return blocks

    def send(self, blocks):
        return self.convert(blocks)

    def outer(self, blocks):
        def inner():
            return self.send(blocks)

        return inner()
"""


def _module(text: str) -> PythonModule:
    source = SourceText.decode_python(textwrap.dedent(text).encode())
    return PythonModule("m.py", source, ast.parse(source.text), Settings())


def _mentions(nodes) -> list[tuple[int, int]]:
    return sorted(
        (node.lineno, node.col_offset)
        for node in nodes
        if isinstance(node, ast.Constant) and node.value == "cache_control"
    )


def test_the_roots_hold_every_mention_once_and_leave_the_rest():
    module = _module(_MODULE)
    roots = roots_spelling(module, "cache_control")
    # Load and Store are one shared object each: not nodes of their own.
    under = [n for root in roots for n in ast.walk(root) if not isinstance(n, ast.expr_context)]
    assert _mentions(under) == _mentions(ast.walk(module.tree))
    assert len(under) == len({id(node) for node in under})  # nothing walked twice
    # Functions that do not spell the key are not walked.
    assert not any(isinstance(root, ast.FunctionDef) for root in roots)
    assert "unrelated" not in {getattr(n, "name", "") for n in under}
    assert roots_spelling(_module("x = 1\n"), "cache_control") == []


def test_functions_that_may_add_follow_callers_of_helpers_that_spell_the_key():
    module = _module(_MODULE)
    module.project = None
    names = [function.name for function in functions_that_may_add(module)]
    # convert spells it; send calls convert; outer's nested inner calls send (outer holds it).
    assert names == ["convert", "send", "outer", "inner"]
