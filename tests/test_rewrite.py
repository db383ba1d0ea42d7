"""Adding a keyword argument keeps the call's layout, commas and comments."""

from __future__ import annotations

import ast

import pytest

from ctxlint.python.rewrite import add_keyword_argument, bit_or_operand

CASES = [
    ("json.dumps(x)", "json.dumps(x, sort_keys=True)"),
    ("json.dumps()", "json.dumps(sort_keys=True)"),
    ("json.dumps(x,)", "json.dumps(x, sort_keys=True,)"),
    ("json.dumps(x, *args)", "json.dumps(x, *args, sort_keys=True)"),
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


@pytest.mark.parametrize(
    "call",
    [
        "json.dumps(x, **options)",
        "json.dumps(\n    x,\n    **options,\n)",
        "json.dumps(x, sort_keys=False)",
        "json.dumps(\n    x,\n    sort_keys=False,\n)",
    ],
)
def test_a_call_that_may_pass_the_keyword_already_gets_no_rewrite(call):
    # A second sort_keys does not parse; one after **options is a TypeError when they hold it.
    assert add_keyword_argument(call, "sort_keys", "True") is None


def test_a_call_with_lines_ending_in_cr_keeps_its_layout():
    rewritten = add_keyword_argument("json.dumps(\r    x,\r)", "sort_keys", "True")
    assert rewritten is not None
    assert rewritten.replace("\r", "\n") == "json.dumps(\n    x,\n    sort_keys=True,\n)"


# Evaluated with `a` falsy and truthy, `b` an int, `f` a flag.
OPERANDS = [
    "a if f else b",
    "a or b",
    "a and b",
    "not a",
    "a < b",
    "(y := a)",
    "a | b",
    "a + b",
    "a ^ b",
    "a & b",
    "a << 1",
    "-a",
    "~a",
    "d[a]",
    "g(a)",
    "(a if f else b)",
    "await_free if f else 0",
]


@pytest.mark.parametrize("a", [0, 1])
@pytest.mark.parametrize("f", [True, False])
@pytest.mark.parametrize("expression", OPERANDS)
def test_an_operand_of_bit_or_keeps_its_value(expression, f, a):
    names = {"a": a, "b": 2, "f": f, "d": {0: 1, 1: 3}, "g": abs, "await_free": 5}
    node = ast.parse(expression, mode="eval").body
    # What a rule has at hand: the node's own span, which leaves out its parentheses.
    source = ast.get_source_segment(expression, node)
    combined = f"{bit_or_operand(node, source)} | 16"
    assert eval(combined, {}, dict(names)) == eval(f"({expression}) | 16", {}, dict(names))
