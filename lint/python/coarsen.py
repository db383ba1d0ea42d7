"""The edit that cuts a clock read's shown time of day down to the date, made in the source
as written: a strftime literal or an f-string spec keeps its quotes, `.isoformat()` gets
`.date()` before it."""

from __future__ import annotations

import ast
import re

from ctxlint.diagnostics import Edit
from ctxlint.python.flow import Reached
from ctxlint.python.module import PythonModule
from ctxlint.python.names import qualified_name
from ctxlint.python.timeformat import date_only
from ctxlint.python.volatile import shown_time, shows_clock_time


def date_only_edit(module: PythonModule, reached: Reached) -> Edit | None:
    """The edit that shows the reached clock read as a date only, where the result is clearly
    right and differs from the code; None otherwise."""
    if not shows_clock_time(reached, module):
        return None  # A date, or a clock read already shown as a date: nothing to cut.
    shown_as = shown_time(reached, module)
    call = reached.node
    assert isinstance(call, ast.Call) and shown_as is not None
    if shown_as.cut:
        return None  # Cut down to the date, the text would lose what the slice keeps.
    shown = shown_as.printed
    node = reached.trail.time_format_node
    if qualified_name(call.func, reached.scope) == "time.strftime" and call.args:
        node = call.args[0]
    edit: Edit | None = None
    if isinstance(node, ast.Constant) and node.value == shown:
        edit = _literal_edit(module, node)
    elif isinstance(node, ast.FormattedValue):
        edit = _format_spec_edit(module, node, shown)
    elif isinstance(node, ast.Call):
        edit = _date_before_isoformat(module, node)
    if edit is None or module.source.text[edit.start_offset : edit.end_offset] == edit.content:
        return None  # A fix must change the code, or --fix never settles.
    return edit


# A str literal token spelled without escapes, and the blanks around it: its prefix (no b;
# no f, an f-string is a JoinedStr), its quotes and its body, which is then its value.
_PLAIN_STRING = re.compile(
    r"\s*(?P<prefix>[rRuU]?)(?P<quote>'''|\"\"\"|'|\")(?P<body>[^\\]*?)(?P=quote)\s*"
)


def _literal_edit(module: PythonModule, literal: ast.Constant) -> Edit | None:
    """The format literal with the time cut, in the prefix and quotes of its first piece (a
    `repr()` could end an enclosing f-string on Python < 3.12). Only a literal spelled without
    escapes is rewritten; implicitly concatenated pieces become one, unless a comment or a
    line continuation stands between them."""
    source = module.text_of(literal)
    pieces: list[re.Match[str]] = []
    position = 0
    while position < len(source):
        piece = _PLAIN_STRING.match(source, position)
        if piece is None:
            return None  # An escape, a comment, a line continuation.
        pieces.append(piece)
        position = piece.end()
    if "".join(piece.group("body") for piece in pieces) != literal.value:
        return None
    coarse = date_only(literal.value)
    prefix, quote = pieces[0].group("prefix"), pieces[0].group("quote")
    if coarse is None or quote[0] in coarse:
        return None
    return module.replace_edit(literal, f"{prefix}{quote}{coarse}{quote}")


_FIELD_TAIL = re.compile(r"\s*=?\s*(?:![rsa])?:(?P<spec>[^{}]*)}")


def _format_spec_edit(module: PythonModule, field: ast.FormattedValue, shown: str) -> Edit | None:
    """The spec of `{value:spec}` with the time cut. Found from the end of the value: before
    Python 3.12 the spec node carries the position of the whole f-string."""
    match = _FIELD_TAIL.match(module.source.text, module.end_offset(field.value))
    if match is None or match.group("spec") != shown:
        return None  # Not found, or its source is not its value (an escape): leave it.
    coarse = date_only(shown)
    if coarse is None or any(character in coarse for character in "'\"\\"):
        return None
    start, end = match.span("spec")
    return Edit(start, end, coarse, module.source.location(start), module.source.location(end))


# Between a receiver's end and its `isoformat`: closing parentheses, blanks, the dot.
_BEFORE_ISOFORMAT = re.compile(r"(?P<closing>[\s)]*)\.\s*isoformat")


def _date_before_isoformat(module: PythonModule, call: ast.Call) -> Edit | None:
    """`.date()` inserted before `.isoformat()`, which keeps any parentheses around the
    receiver (rebuilding the call from the receiver's text would drop them)."""
    function = call.func
    if not isinstance(function, ast.Attribute) or function.attr != "isoformat":
        return None
    if call.args or call.keywords:
        return None  # isoformat(sep, timespec) has no date() counterpart.
    receiver_end = module.end_offset(function.value)
    between = module.source.text[receiver_end : module.end_offset(function)]
    match = _BEFORE_ISOFORMAT.fullmatch(between)
    if match is None:
        return None  # A comment or a line continuation in the way: leave it.
    at = receiver_end + match.end("closing")
    location = module.source.location(at)
    return Edit(at, at, ".date()", location, location)
