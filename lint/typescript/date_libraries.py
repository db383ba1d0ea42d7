"""The clock reads of the date libraries (moment, dayjs, date-fns), and whether the text they
format shows a time of day or the date alone.

- `moment()` and `dayjs()` called without an argument (and `moment.utc()`, `dayjs.utc()`) read
  the clock (https://momentjs.com/docs/#/parsing/now/, https://day.js.org/docs/en/parse/now);
  `.format()` without a format prints the ISO 8601 time, a format shows the time when a token
  of it names an hour, minute, second, am/pm or timestamp (`H h k m s S A a X x`, the locale
  formats `LT LTS LLL LLLL lll llll`); text in `[brackets]` is literal
  (https://momentjs.com/docs/#/displaying/format/, https://day.js.org/docs/en/display/format,
  read 2026-12-03). `.startOf("day")` (or a longer unit) is the start of the day: the same
  all day.
- date-fns `format(date, pattern)` (and date-fns-tz `formatInTimeZone(date, zone, pattern)`):
  Unicode tokens, where `H h K k m s S a b B p t T` are of the time of day and text in
  'single quotes' is literal (https://date-fns.org/docs/format, read 2026-12-03).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import resolved, string_value
from ctxlint.typescript.sinks import imported_modules

# Callees that read the clock, by the module their first name is imported from.
_NOW_CALLS = {
    "moment": ("moment", "moment-timezone"),
    "moment.utc": ("moment", "moment-timezone"),
    "dayjs": ("dayjs",),
    "dayjs.utc": ("dayjs",),
}
NOW_CALLS = frozenset(_NOW_CALLS)
# Methods of a moment or dayjs object that print (or count) its time: the time of day shows.
_TIME_OUTPUTS = frozenset(
    {"toISOString", "toJSON", "toString", "unix", "valueOf", "toDate", "calendar"}
)
# Getters of a part of the date (`dayjs().year()`); given a value, they set it instead.
_DATE_GETTERS = frozenset({"year", "month", "date", "day", "week", "isoWeek", "dayOfYear"})
_DAY_UNITS = frozenset(
    {"day", "date", "d", "isoWeek", "week", "w", "month", "M", "quarter", "year", "y"}
)

_MOMENT_LITERAL = re.compile(r"\[[^\]]*\]")
_MOMENT_TIME = re.compile(r"[HhkmsSAaXx]|LT|LLL|lll")
_DATE_FNS_LITERAL = re.compile(r"'[^']*'")
_DATE_FNS_TIME = re.compile(r"[HhKkmsSabBptT]")
# date-fns formatters: the index of the pattern among their arguments.
_DATE_FNS_FORMATS = {"format": (1, ("date-fns",)), "formatInTimeZone": (2, ("date-fns-tz",))}


def _imported_from(parsed: ParsedScript, name: str, modules: tuple[str, ...]) -> bool:
    module = imported_modules(parsed).get(name, "")
    return any(module == wanted or module.startswith(wanted + "/") for wanted in modules)


def reads_now(parsed: ParsedScript, call: Node, callee: str) -> bool:
    """Whether `moment()`, `dayjs()`, `moment.utc()` (of the imported library) reads now."""
    modules = _NOW_CALLS.get(callee)
    arguments = call.child_by_field_name("arguments")
    if modules is None or (arguments is not None and arguments.named_children):
        return False
    return _imported_from(parsed, callee.split(".")[0], modules)


def library_date_only(parsed: ParsedScript, applied: list[tuple[str, Node | None]]) -> bool | None:
    """Whether the methods applied to a moment or dayjs read show the date alone: True, False
    (a time of day), or None when a format cannot be read (it is not judged)."""
    for name, arguments in applied:
        if name == "startOf":
            unit = _argument_string(parsed, arguments, 0)
            if unit in _DAY_UNITS:
                return True
        elif name == "format":
            pattern = _argument_string(parsed, arguments, 0)
            if arguments is None or not arguments.named_children:
                return False  # The ISO 8601 time.
            if pattern is None:
                return None
            return not _MOMENT_TIME.search(_MOMENT_LITERAL.sub("", pattern))
        elif name in _TIME_OUTPUTS:
            return False
        elif name in _DATE_GETTERS and (arguments is None or not arguments.named_children):
            return True
    return False


def formatted_by_date_fns(parsed: ParsedScript, read: Node) -> tuple[bool, bool | None]:
    """Whether a clock read is given to date-fns `format`, and then whether its pattern shows
    the date alone (None when the pattern cannot be read: it is not judged)."""
    arguments = read.parent
    call = arguments.parent if arguments is not None else None
    if call is None or arguments.type != "arguments" or call.type != "call_expression":
        return False, None
    function = call.child_by_field_name("function")
    if function is None or function.type != "identifier":
        return False, None
    name = parsed.text(function)
    found = _DATE_FNS_FORMATS.get(name)
    given = arguments.named_children
    if found is None or not given or given[0].id != read.id:
        return False, None
    if not _imported_from(parsed, name, found[1]):
        return False, None
    pattern = _argument_string(parsed, arguments, found[0])
    if pattern is None:
        return True, None
    return True, not _DATE_FNS_TIME.search(_DATE_FNS_LITERAL.sub("", pattern))


def _argument_string(parsed: ParsedScript, arguments: Node | None, index: int) -> str | None:
    if arguments is None or len(arguments.named_children) <= index:
        return None
    return string_value(parsed, resolved(parsed, arguments.named_children[index]))
