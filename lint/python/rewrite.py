"""Rewrites of small pieces of source through libcst, which keeps comments, commas and layout
the way the author wrote them."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst


def add_keyword_argument(call_source: str, name: str, value_source: str) -> str | None:
    """`json.dumps(x, indent=2)` + sort_keys=True -> `json.dumps(x, indent=2, sort_keys=True)`,
    following the call's own style for multi-line argument lists and trailing commas, and
    keeping every comment of the call where it was, once. None where the call may pass the
    keyword already: by name (a second one does not parse) or in `**options` (a second one
    is a TypeError whenever the mapping holds it)."""
    try:
        parsed = ast.parse(f"({call_source})", mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(parsed, ast.Call):
        return None
    if any(keyword.arg in (None, name) for keyword in parsed.keywords):
        return None
    simple = _add_to_one_line_call(call_source, parsed, f"{name}={value_source}")
    if simple is not None:
        return simple
    import libcst as cst  # Only multi-line calls need it; it is slow to import.

    try:
        call = cst.parse_expression(f"({call_source})")
    except cst.ParserSyntaxError:
        return None
    if not isinstance(call, cst.Call):
        return None
    new_argument = cst.Arg(
        keyword=cst.Name(name),
        value=cst.parse_expression(value_source),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    arguments = list(call.args)
    if any(isinstance(a.value, cst.GeneratorExp) and not a.value.lpar for a in arguments):
        return None  # `f(x for x in y)` takes no second argument without new parentheses.
    if not arguments:
        arguments = [new_argument]
    else:
        arguments[-1:] = _append_after(arguments[-1], new_argument, _separator(call, arguments))
    rewritten = call.with_changes(args=arguments, lpar=[], rpar=[])
    return cst.Module(body=[]).code_for_node(rewritten)


# Expressions that bind at least as tightly as `|` (and `a | b | c` is `(a | b) | c`): written
# as they are before a `| flag`; anything else (`a if c else b`, `a or b`, `not a`, a
# comparison, a lambda, `x := v`) is parenthesised.
_TIGHTER_THAN_BIT_OR = (
    ast.BinOp,
    ast.Name,
    ast.Attribute,
    ast.Call,
    ast.Subscript,
    ast.Constant,
    ast.Await,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Set,
)


def bit_or_operand(node: ast.expr, source: str) -> str:
    """The node's source as the left operand of `|`, parenthesised where it binds looser.
    ast leaves a node's own parentheses out of its span, so they are never counted on."""
    if isinstance(node, _TIGHTER_THAN_BIT_OR) or (
        isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.Not)
    ):
        return source
    return f"({source})"


def _add_to_one_line_call(call_source: str, call: ast.Call, argument: str) -> str | None:
    """The common case without libcst: a call on one line, no trailing comma."""
    if "\n" in call_source or "\r" in call_source or not call_source.endswith(")"):
        return None
    inside = call_source[:-1].rstrip()
    if inside.endswith(","):
        return None
    if any(isinstance(argument, ast.GeneratorExp) for argument in call.args):
        return None  # `f(x for x in y)` takes no second argument without new parentheses.
    if not call.args and not call.keywords:
        return f"{inside}{argument})"
    return f"{inside}, {argument})"


def _append_after(last: cst.Arg, new: cst.Arg, separator: cst.Comma) -> list[cst.Arg]:
    """The old last argument and the new one after it. Every comment stays where it was, once:
    one after the old last argument stays on its line, and lines of comments before `)` stay
    before it. On a call laid out one argument per line, the new argument takes a line of
    its own; otherwise it goes on the old last argument's line."""
    import libcst as cst

    trailing = last.comma
    if isinstance(trailing, cst.Comma):
        # The space after the trailing comma leads to `)`: it now follows the new argument.
        before_closing: cst.BaseParenthesizableWhitespace = trailing.whitespace_after
        old_comma = trailing.with_changes(whitespace_after=separator.whitespace_after)
        new = new.with_changes(comma=cst.Comma(whitespace_after=before_closing))
    else:
        before_closing = last.whitespace_after_arg
        old_comma = separator
        last = last.with_changes(whitespace_after_arg=cst.SimpleWhitespace(""))
        new = new.with_changes(whitespace_after_arg=before_closing)
    if isinstance(before_closing, cst.ParenthesizedWhitespace) and isinstance(
        separator.whitespace_after, cst.ParenthesizedWhitespace
    ):
        # A comment ending the old last argument's line stays there; the new argument's line
        # has none, and the comment lines before `)` stay before it.
        old_comma = old_comma.with_changes(
            whitespace_after=separator.whitespace_after.with_changes(
                first_line=before_closing.first_line
            )
        )
        after_new = before_closing.with_changes(first_line=_bare_line_end(before_closing))
        if isinstance(trailing, cst.Comma):
            new = new.with_changes(comma=cst.Comma(whitespace_after=after_new))
        else:
            new = new.with_changes(whitespace_after_arg=after_new)
    return [last.with_changes(comma=old_comma), new]


def _separator(call: cst.Call, arguments: list[cst.Arg]) -> cst.Comma:
    """A comma laid out like the ones between the call's arguments, or for a single argument,
    one that puts the next argument where the first one starts. Only the layout is copied:
    a comment copied with it would be in the result twice."""
    import libcst as cst

    if len(arguments) > 1 and isinstance(arguments[0].comma, cst.Comma):
        layout = arguments[0].comma.whitespace_after
    else:
        layout = call.whitespace_before_args
    if isinstance(layout, cst.ParenthesizedWhitespace):
        return cst.Comma(
            whitespace_after=layout.with_changes(first_line=_bare_line_end(layout), empty_lines=[])
        )
    if len(arguments) > 1 and isinstance(layout, cst.SimpleWhitespace):
        return cst.Comma(whitespace_after=layout)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _bare_line_end(whitespace: cst.ParenthesizedWhitespace) -> cst.TrailingWhitespace:
    """The end of the whitespace's first line without its comment or trailing blanks."""
    import libcst as cst

    return cst.TrailingWhitespace(newline=whitespace.first_line.newline)
