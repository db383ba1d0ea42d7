"""Rewrites of small pieces of source through libcst, which keeps comments, commas and layout
the way the author wrote them."""

from __future__ import annotations

import libcst as cst


def add_keyword_argument(call_source: str, name: str, value_source: str) -> str | None:
    """`json.dumps(x, indent=2)` + sort_keys=True -> `json.dumps(x, indent=2, sort_keys=True)`,
    following the call's own style for multi-line argument lists and trailing commas."""
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
    if not arguments:
        arguments = [new_argument]
    else:
        last = arguments[-1]
        if isinstance(last.comma, cst.Comma):
            # Trailing comma: the new argument takes it, and the old last one gets a separator
            # like its neighbours'.
            separator = _separator(call, arguments)
            arguments[-1] = last.with_changes(comma=separator)
            arguments.append(new_argument.with_changes(comma=last.comma))
        else:
            arguments[-1] = last.with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
            arguments.append(new_argument)
    rewritten = call.with_changes(args=arguments, lpar=[], rpar=[])
    return cst.Module(body=[]).code_for_node(rewritten)


def _separator(call: cst.Call, arguments: list[cst.Arg]) -> cst.Comma:
    if len(arguments) > 1 and isinstance(arguments[0].comma, cst.Comma):
        return arguments[0].comma
    return cst.Comma(whitespace_after=call.whitespace_before_args)
