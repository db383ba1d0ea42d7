"""Rewrites of small pieces of source through libcst, which keeps comments, commas and layout
the way the author wrote them."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst


def add_keyword_argument(call_source: str, name: str, value_source: str) -> str | None:
    """`json.dumps(x, indent=2)` + sort_keys=True -> `json.dumps(x, indent=2, sort_keys=True)`,
    following the call's own style for multi-line argument lists and trailing commas. None
    where the call may pass the keyword already: by name (a second one does not parse) or in
    `**options` (a second one is a TypeError whenever the mapping holds it)."""
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
        last = arguments[-1]
        separator = _separator(call, arguments)
        if isinstance(last.comma, cst.Comma):
            # Trailing comma: the new argument takes it (less any comment, which stays on
            # the old last argument's line), and the old last one gets a separator like its
            # neighbours'.
            trailing = last.comma
            after = trailing.whitespace_after
            if isinstance(after, cst.ParenthesizedWhitespace) and after.first_line.comment:
                kept = separator.whitespace_after
                if isinstance(kept, cst.ParenthesizedWhitespace):
                    separator = separator.with_changes(
                        whitespace_after=kept.with_changes(first_line=after.first_line)
                    )
                bare = cst.TrailingWhitespace(newline=cst.Newline())
                trailing = trailing.with_changes(
                    whitespace_after=after.with_changes(first_line=bare)
                )
            arguments[-1] = last.with_changes(comma=separator)
            arguments.append(new_argument.with_changes(comma=trailing))
        else:
            # The space between the last argument and `)` moves behind the new one.
            arguments[-1] = last.with_changes(
                comma=separator, whitespace_after_arg=cst.SimpleWhitespace("")
            )
            arguments.append(
                new_argument.with_changes(whitespace_after_arg=last.whitespace_after_arg)
            )
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


def _separator(call: cst.Call, arguments: list[cst.Arg]) -> cst.Comma:
    """A comma like the ones between the call's arguments, or for a single argument, one
    that puts the next argument where the first one starts."""
    import libcst as cst

    if len(arguments) > 1 and isinstance(arguments[0].comma, cst.Comma):
        comma = arguments[0].comma
        after = comma.whitespace_after
        if isinstance(after, cst.ParenthesizedWhitespace) and after.first_line.comment:
            # Copy the layout, not the comment that follows the first argument.
            after = after.with_changes(first_line=cst.TrailingWhitespace(newline=cst.Newline()))
            comma = comma.with_changes(whitespace_after=after)
        return comma
    if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=call.whitespace_before_args)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
