"""The edit that cuts a clock read's time of day down to the date in TypeScript and JavaScript,
offered only where the date text it leaves is provably the one the reader saw before: the
start of what was printed, in the same time zone.

- `${new Date()}` prints `Date.prototype.toString()`, which is `toDateString()`, a space and
  `toTimeString()` (ECMA-262, Date.prototype.toString): `new Date().toDateString()`.
- `.toISOString()` (of a Date, moment or dayjs) is UTC ISO 8601: its first 10 characters are
  the UTC date, `.slice(0, 10)`.
- `.toString()` becomes `.toDateString()`; `.toLocaleString(locale, options)` becomes
  `.toLocaleDateString(locale, options)` when the options name no time field (ECMA-402 fills
  in the same numeric year, month and day for both).
- moment or dayjs `.format()` prints `YYYY-MM-DDTHH:mm:ssZ`: `.format("YYYY-MM-DD")`.
- A format literal (moment, dayjs, date-fns) that is a date, one separator (a space, `T`,
  `, `) and a time of day at its end keeps the date: `"YYYY-MM-DD HH:mm"` becomes
  `"YYYY-MM-DD"`, date-fns `"PPpp"` becomes `"PP"`.

Only a value used whole as text is cut (a template's `${…}`, a `+`, the text a `.replace()`
puts in): kept in a variable
or passed to a function, it may be read for its time elsewhere. Every such fix is unsafe (the
model no longer sees the time of day); none keeps the meaning.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from ctxlint.diagnostics import Edit
from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import unwrapped
from ctxlint.typescript.volatile import Volatile, chain

_ISO = ("toISOString", "toJSON")
_RENAMED = {"toString": "toDateString", "toLocaleString": "toLocaleDateString"}
_TIME_OPTIONS = (
    "hour",
    "minute",
    "second",
    "timeStyle",
    "dayPeriod",
    "fractionalSecondDigits",
    "timeZoneName",
)
# A format literal: date tokens, one separator, then time tokens alone (with a zone).
_MOMENT_CUT = re.compile(r"(?P<date>[YMDdQWwEeGgo/.\- ,]*[YMDd][YMDdo]*)(?: |T|, )[HhkmsSAaZz:. ]+")
_DATE_FNS_CUT = re.compile(
    r"(?P<date>[yYuMLdDEeicwIRQq/.\- ,]*[yMdLE][yMdLEo]*)(?: |'T'|, )[HhKkmsSaBbXxOz:. ]+"
)
_DATE_FNS_LOCALIZED = re.compile(r"(?P<date>P{1,4})p{1,4}")
# date-fns formatters: the index of the pattern among their arguments.
_DATE_FNS_FORMATS = {"format": 1, "formatInTimeZone": 2}


def date_only_edit(parsed: ParsedScript, found: Volatile) -> Edit | None:
    """The edit showing the read `found` as its date alone; None where that is not clear."""
    shown = found.shown
    read, applied = chain(shown)
    if read.id != found.read.id:
        return None
    formatter = _date_fns_call(parsed, read)
    if formatter is not None:
        if not _as_text(formatter):
            return None
        index = _DATE_FNS_FORMATS[parsed.text(formatter.child_by_field_name("function"))]
        return _pattern_edit(parsed, formatter, _DATE_FNS_CUT, index)
    if not _as_text(shown):
        return None
    library = read.type == "call_expression"
    if not applied:
        if read.type != "new_expression":
            return None  # `Date.now()` is a number; `${moment()}` prints its own format.
        # `new Date` without parentheses is called by them first: `new Date.x()` is not.
        called = read.child_by_field_name("arguments") is not None
        return _insert(parsed, shown.end_byte, ("" if called else "()") + ".toDateString()")
    method, arguments = applied[-1]
    if len(applied) > 1 and not library:
        return None
    if method in _ISO:
        return _insert(parsed, shown.end_byte, ".slice(0, 10)")
    if method in _RENAMED and not library and _no_time_options(parsed, arguments):
        return _rename(parsed, shown, _RENAMED[method])
    if method == "format" and library and arguments is not None:
        if not arguments.named_children:
            return _replace(parsed, arguments, '("YYYY-MM-DD")')
        return _pattern_edit(parsed, shown, _MOMENT_CUT, 0)
    return None


def _as_text(node: Node) -> bool:
    """Whether the value is used whole as text: a template's `${…}`, or a `+` operand."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is None:
        return False
    if parent.type == "template_substitution":
        # A tagged template hands the value itself to its tag, which may not print it whole.
        template = parent.parent
        return (
            template is None or template.parent is None or template.parent.type != "call_expression"
        )
    if parent.type == "arguments":
        return _replacement(parent, node)
    operator = parent.child_by_field_name("operator")
    return parent.type == "binary_expression" and operator is not None and operator.type == "+"


def _replacement(arguments: Node, node: Node) -> bool:
    """`template.replace("{time}", value)`: the value is the text put in, whole (a date's text
    holds no `$` that would make it a replacement pattern)."""
    call = arguments.parent
    function = call.child_by_field_name("function") if call is not None else None
    if function is None or function.type != "member_expression":
        return False
    method = function.child_by_field_name("property")
    given = arguments.named_children
    return (
        method is not None
        and method.text in (b"replace", b"replaceAll")
        and len(given) == 2
        and given[1].id == node.id
    )


def _date_fns_call(parsed: ParsedScript, read: Node) -> Node | None:
    """The date-fns `format(read, pattern)` call the read is given to, if any."""
    arguments = read.parent
    call = arguments.parent if arguments is not None else None
    if call is None or arguments.type != "arguments" or call.type != "call_expression":
        return None
    function = call.child_by_field_name("function")
    if function is None or parsed.text(function) not in _DATE_FNS_FORMATS:
        return None
    return call if arguments.named_children[0].id == read.id else None


def _pattern_edit(
    parsed: ParsedScript, call: Node, cut: re.Pattern[str], index: int
) -> Edit | None:
    """The pattern literal written as the call's argument `index`, cut to its date part."""
    arguments = call.child_by_field_name("arguments")
    if arguments is None or len(arguments.named_children) <= index:
        return None
    literal = unwrapped(arguments.named_children[index])
    if literal.type != "string":
        return None  # A pattern kept in a const may format other values too.
    text = parsed.text(literal)
    quote, body = text[0], text[1:-1]
    if "\\" in body or "[" in body:
        return None
    matched = cut.fullmatch(body)
    if matched is None and cut is _DATE_FNS_CUT:
        matched = _DATE_FNS_LOCALIZED.fullmatch(body)
    if matched is None:
        return None
    return _replace(parsed, literal, quote + matched["date"] + quote)


def _no_time_options(parsed: ParsedScript, arguments: Node | None) -> bool:
    """Arguments written as literals (a locale, options) that name no time field."""
    if arguments is None:
        return False
    for argument in arguments.named_children:
        if argument.type not in ("string", "undefined", "object", "array"):
            return False
        if argument.type == "object" and any(
            word in parsed.text(argument) for word in _TIME_OPTIONS
        ):
            return False
    return True


def _rename(parsed: ParsedScript, shown: Node, name: str) -> Edit | None:
    function = shown.child_by_field_name("function")
    member = unwrapped(function) if function is not None else None
    method = member.child_by_field_name("property") if member is not None else None
    if method is None:
        return None
    return _replace(parsed, method, name)


def _insert(parsed: ParsedScript, at_byte: int, content: str) -> Edit:
    offset = _characters(parsed, at_byte)
    location = _location_at(parsed, at_byte)
    return Edit(offset, offset, content, location, location)


def _replace(parsed: ParsedScript, node: Node, content: str) -> Edit:
    return Edit(
        _characters(parsed, node.start_byte),
        _characters(parsed, node.end_byte),
        content,
        parsed.location(node.start_point),
        parsed.location(node.end_point),
    )


def _characters(parsed: ParsedScript, byte: int) -> int:
    """A byte offset of the file as an offset in characters, as the fixer counts them."""
    return len(parsed.data[:byte].decode("utf-8", errors="replace"))


def _location_at(parsed: ParsedScript, byte: int):
    row = parsed.data.count(b"\n", 0, byte)
    line_start = parsed.data.rfind(b"\n", 0, byte) + 1
    return parsed.location((row, byte - line_start))
