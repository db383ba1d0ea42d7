"""Adding a keyword argument keeps the call's layout, commas and comments."""

from __future__ import annotations

import ast

import pytest

from ctxlint.python.rewrite import add_keyword_argument

CASES = [
    ("json.dumps(x)", "json.dumps(x, sort_keys=True)"),
    ("json.dumps()", "json.dumps(sort_keys=True)"),
    ("json.dumps(x,)", "json.dumps(x, sort_keys=True,)"),
    ("json.dumps(x, **options)", "json.dumps(x, **options, sort_keys=True)"),
    ("json.dumps(\n    x\n)", "json.dumps(\n    x,\n    sort_keys=True\n)"),
    ("json.dumps(\n    x,\n)", "json.dumps(\n    x,\n    sort_keys=True,\n)"),
    (
        "json.dumps(\n    x,  # one\n    indent=2,  # two\n)",
        "json.dumps(\n    x,  # one\n    indent=2,  # two\n    sort_keys=True,\n)",
    ),
    (
        "json.dumps(x,  # keep\n    indent=2)",
        "json.dumps(x,  # keep\n    indent=2,\n    sort_keys=True)",
    ),
]


@pytest.mark.parametrize(("before", "after"), CASES)
def test_add_keyword_argument(before, after):
    rewritten = add_keyword_argument(before, "sort_keys", "True")
    assert rewritten == after
    ast.parse(rewritten)


def test_a_bare_generator_argument_gets_no_rewrite():
    assert add_keyword_argument("f(y for y in z)", "sort_keys", "True") is None
    assert add_keyword_argument("f(\n    y for y in z\n)", "sort_keys", "True") is None
