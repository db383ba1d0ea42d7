"""Adding a keyword argument keeps the call's layout, commas and comments."""

from __future__ import annotations

import ast
import io
import tokenize

import pytest

from ctxlint.engine import FixMode, check_source
from ctxlint.python.rewrite import add_keyword_argument, bit_or_operand

from conftest import make_settings

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


# The property every rewrite must keep, over generated call layouts: the result parses, each
# comment of the original is in it exactly once, and the call is the same call plus the new
# keyword. Comments sit after the opening parenthesis, after any argument (with or without
# its comma), on a line of their own before an argument or before `)`; noqa comments, a
# nested call with its own comment, and strings and f-strings holding `#` are among them.
ARGUMENT_LISTS = [
    [],
    ["x"],
    ["d", "default=str"],
    ["d", "default=str", "indent=2"],
    ['"a # not a comment"', "g(y, z)"],
    ["f'{a}#{b}'", "*args"],
    ["g(\n        a,  # inside the nested call\n        b,\n    )", "y"],
    ["(y for y in z)", "key=lambda v: v"],
]


def _comment_places(count: int) -> list[tuple[str, int]]:
    places = [("open", 0), ("close", 0)]
    for position in range(count):
        places += [("after", position), ("above", position)]
    return places


def _comment(place: tuple[str, int]) -> str:
    kind, position = place
    if kind == "after" and position == 1:
        return f"# noqa: CTX002 {kind} {position}"
    return f"# {kind} {position}"


def _layout(function, arguments, one_per_line, trailing_comma, comments) -> str:
    """A call to `function` with the arguments laid out one way, comments at `comments`."""
    text = f"{function}("
    line_break = one_per_line
    if ("open", 0) in comments:
        text += "  " + _comment(("open", 0))
        line_break = True
    for position, argument in enumerate(arguments):
        if ("above", position) in comments:
            text += "\n    " + _comment(("above", position))
            line_break = True
        if line_break:
            text += "\n    "
        elif position:
            text += " "
        text += argument
        if position < len(arguments) - 1 or trailing_comma:
            text += ","
        line_break = one_per_line
        if ("after", position) in comments:
            text += "  " + _comment(("after", position))
            line_break = True
    if ("close", 0) in comments:
        text += "\n    " + _comment(("close", 0))
        line_break = True
    return text + ("\n)" if line_break else ")")


def _generated_calls():
    for arguments in ARGUMENT_LISTS:
        places = _comment_places(len(arguments))
        comment_sets = [(), *((p,) for p in places)]
        comment_sets += [(a, b) for i, a in enumerate(places) for b in places[i + 1 :]]
        comment_sets.append(tuple(places))
        for one_per_line in (False, True):
            for trailing_comma in (False, True) if arguments else (False,):
                for comments in comment_sets:
                    yield _layout("json.dumps", arguments, one_per_line, trailing_comma, comments)


def _comments(source: str) -> list[str]:
    tokens = tokenize.generate_tokens(io.StringIO(f"({source})").readline)
    return sorted(token.string for token in tokens if token.type == tokenize.COMMENT)


def _call_without(source: str, keyword: str) -> tuple[int, str]:
    """How many times the call passes `keyword`, and the call without it."""
    call = ast.parse(f"({source})", mode="eval").body
    assert isinstance(call, ast.Call)
    passed = [k for k in call.keywords if k.arg == keyword]
    call.keywords = [k for k in call.keywords if k.arg != keyword]
    return len(passed), ast.dump(call)


GENERATED_CALLS = sorted(set(_generated_calls()))


def test_the_generated_layouts_are_many_and_all_parse():
    assert len(GENERATED_CALLS) > 500
    for call in GENERATED_CALLS:
        ast.parse(f"({call})", mode="eval")


@pytest.mark.parametrize("keyword", ["sort_keys", "cache_control"])
def test_adding_a_keyword_keeps_every_comment_once_and_the_call(keyword):
    failures = []
    for call in GENERATED_CALLS:
        rewritten = add_keyword_argument(call, keyword, "True")
        if rewritten is None:
            failures.append((call, "no rewrite"))
            continue
        try:
            kept = _call_without(rewritten, keyword)
        except SyntaxError:
            failures.append((call, rewritten))
            continue
        _, original = _call_without(call, keyword)
        if kept != (1, original) or _comments(rewritten) != _comments(call):
            failures.append((call, rewritten))
    assert failures == [], f"{len(failures)} layouts, the first: {failures[:3]}"


# Operands of `|` as rules find them inside a call's parentheses, some spanning lines with
# comments of their own.
BIT_OR_OPERANDS = [
    "a",
    "a | b",
    "(a  # why a\n     | b)",
    "(a if f  # the flag\n     else b)",
    "(a  # first\n     or b)",
    "not a",
    "-a",
    "(\n        a  # inside\n    )",
    "g(a,  # the argument\n      b)",
    "(y := a)",
    "lambda: a",
    "a < b",
]


@pytest.mark.parametrize("operand", BIT_OR_OPERANDS)
def test_an_operand_of_bit_or_keeps_its_comments_and_meaning(operand):
    call = f"orjson.dumps(d, option={operand},  # options\n)"
    node = ast.parse(call, mode="eval").body.keywords[0].value
    start = _offset(call, node.lineno, node.col_offset)
    end = _offset(call, node.end_lineno, node.end_col_offset)
    rewritten = call[:start] + bit_or_operand(node, call[start:end]) + " | FLAG" + call[end:]
    assert _comments(rewritten) == _comments(call)
    new_value = ast.parse(rewritten, mode="eval").body.keywords[0].value
    expected = ast.BinOp(left=node, op=ast.BitOr(), right=ast.Name("FLAG", ast.Load()))
    assert ast.dump(new_value) == ast.dump(expected)


def _offset(text: str, line: int, column: int) -> int:
    lines = text.splitlines(keepends=True)
    return sum(len(previous) for previous in lines[: line - 1]) + column


_ANTHROPIC = "import anthropic\nclient = anthropic.Anthropic()\n"
_LONG_SYSTEM = "SYSTEM = '''" + "Follow the style guide. " * 180 + "'''\n"


@pytest.mark.parametrize(
    ("source", "code", "added", "unsafe"),
    [
        (
            "import orjson\n" + _ANTHROPIC + "def ask(q, d):\n"
            "    system = orjson.dumps(d, default=str,  # keep datetimes readable\n"
            "    ).decode()\n"
            "    return client.messages.create(model='m', max_tokens=9, system=system,\n"
            "        messages=q)\n",
            "CTX002",
            "option=orjson.OPT_SORT_KEYS,",
            False,
        ),
        (
            "import json\n" + _ANTHROPIC + "def ask(q, d):\n"
            "    system = json.dumps(d, indent=2,  # c\n"
            "    )\n"
            "    return client.messages.create(model='m', max_tokens=9, system=system,\n"
            "        messages=q)\n",
            "CTX002",
            "sort_keys=True,",
            True,
        ),
        (
            _ANTHROPIC + _LONG_SYSTEM + "def ask(q):\n"
            "    return client.messages.create(model='m', max_tokens=9, system=SYSTEM,\n"
            "        messages=q,  # c\n"
            "    )\n",
            "CTX008",
            'cache_control={"type": "ephemeral"},',
            True,
        ),
    ],
    ids=["orjson-safe", "json-unsafe", "cache-control"],
)
def test_a_rule_fix_adding_a_keyword_keeps_the_comment(source, code, added, unsafe):
    settings = make_settings({"select": [code], "unsafe-fixes": unsafe})
    fixed = check_source(source, settings, mode=FixMode.FIX).fixed_text
    assert fixed is not None and added in fixed
    ast.parse(fixed)
    assert _comments(fixed) == _comments(source)
