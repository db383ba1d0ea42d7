"""Which JavaScript expressions change on every call: a clock read shown with its time of day
(`new Date()`, `Date.now()`, `.toISOString()`, `.toLocaleString()`, `moment().format()`), and a
random value (`crypto.randomUUID()`, `Math.random()`, `nanoid()`). A clock read shown as a
date only (`.toLocaleDateString()`, `.toISOString().slice(0, 10)`, `dayjs().format("YYYY-MM-DD")`)
changes once a day.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ctxlint.typescript.date_libraries import (
    NOW_CALLS,
    formatted_by_date_fns,
    library_date_only,
    reads_now,
)
from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.scope import string_value, unwrapped

CLOCK = "reads the clock"
RANDOM = "returns a new random value on every call"
DAILY = "changes every day"

_CLOCK_CALLS = frozenset({"Date.now", "performance.now"})
_RANDOM_CALLS = frozenset(
    {
        "Math.random",
        "crypto.randomUUID",
        "randomUUID",
        "nanoid",
        "uuid",
        "uuidv4",
        "uuid.v4",
        "v4",
        "ulid",
        "createId",
        "cuid",
    }
)
# Methods of a Date that show the date alone.
_DATE_ONLY = frozenset(
    {
        "toDateString",
        "getFullYear",
        "getMonth",
        "getDate",
        "getDay",
        "getUTCFullYear",
        "getUTCMonth",
        "getUTCDate",
        "getUTCDay",
    }
)
# `Intl` formatting: what it shows is told by its options. `toLocaleDateString` shows the time
# too when the options name an hour; `toLocaleString` shows the date alone when they name
# date fields and no time.
_LOCALE_FORMATS = frozenset({"toLocaleString", "toLocaleDateString", "toLocaleTimeString"})
_DATE_WORDS = ("year", "month", "day", "weekday", "dateStyle")
# Methods that keep only the start of a string: `.slice(0, 10)` of an ISO time is its date.
_CUTS = frozenset({"slice", "substring", "substr"})
_TIME_WORDS = ("hour", "minute", "second", "timeStyle")


@dataclass(frozen=True, slots=True)
class Volatile:
    """The read (`new Date()`), how it changes, and the whole expression it is shown by."""

    read: Node
    volatility: str
    shown: Node


def chain(node: Node) -> tuple[Node, list[tuple[str, Node | None]]]:
    """The expression a method chain starts from, and the methods (or `[index]`s) applied to
    it in order, each with its arguments: `new Date().toISOString().slice(0, 10)` is
    `new Date()` with `toISOString ()` and `slice (0, 10)`."""
    applied: list[tuple[str, Node | None]] = []
    current = unwrapped(node)
    while True:
        if current.type == "call_expression":
            function = current.child_by_field_name("function")
            if function is not None and unwrapped(function).type == "member_expression":
                member = unwrapped(function)
                name = member.child_by_field_name("property")
                target = member.child_by_field_name("object")
                if name is not None and target is not None and not _is_read(member):
                    applied.append((name.text.decode(), current.child_by_field_name("arguments")))
                    current = unwrapped(target)
                    continue
        elif current.type == "subscript_expression":
            target = current.child_by_field_name("object")
            if target is not None:
                applied.append(("[]", current.child_by_field_name("index")))
                current = unwrapped(target)
                continue
        elif current.type == "member_expression":
            target = current.child_by_field_name("object")
            name = current.child_by_field_name("property")
            if target is not None and name is not None and not _is_read(current):
                applied.append((name.text.decode(), None))
                current = unwrapped(target)
                continue
        break
    applied.reverse()
    return current, applied


def through_variable(read: Node, shown: Node | None) -> Node | None:
    """`shown` when it shows a variable `read` initialises (`now.toISOString()` for `const
    now = new Date()`); None when it is the method chain `read` starts itself."""
    if shown is None or chain(shown)[0].id == read.id:
        return None
    return shown


def _is_read(member: Node) -> bool:
    """`Date.now`, `crypto.randomUUID`, `moment.utc`: a member that is itself the read."""
    return _dotted(member) in _CLOCK_CALLS | _RANDOM_CALLS | NOW_CALLS


def _dotted(node: Node) -> str:
    return "".join(node.text.decode(errors="replace").split())


def volatile(
    parsed: ParsedScript, node: Node, flag_daily: bool, shown: Node | None = None
) -> Volatile | None:
    """How the expression `node` changes from call to call, when it starts from a clock read
    or a random value; None when it does not, or shows only the date and dates are accepted.
    `shown`: where the value of a variable `node` initialises is used, with what methods."""
    read, applied = chain(node)
    shown = through_variable(read, shown)
    if shown is not None:
        applied = applied + chain(shown)[1]
    library = _library_read(parsed, read)
    kind = CLOCK if library else _read_kind(read)
    if kind is None:
        return None
    if kind == RANDOM:
        return Volatile(read, RANDOM, node)
    if library:
        date_only = library_date_only(parsed, applied)
        # `moment().toISOString().slice(0, 10)`: the cut of an ISO time, as for a Date.
        if date_only is False and _date_only(parsed, read, applied):
            date_only = True
    else:
        date_only = _date_only(parsed, read, applied)
    if date_only is None:
        return None  # A format that cannot be read is not judged.
    if date_only:
        return Volatile(read, DAILY, node) if flag_daily else None
    return Volatile(read, CLOCK, node)


def _library_read(parsed: ParsedScript, read: Node) -> bool:
    """`moment()`, `dayjs()`: a date library's object of now (ctxlint.typescript.date_libraries)."""
    if read.type != "call_expression":
        return False
    function = read.child_by_field_name("function")
    return function is not None and reads_now(parsed, read, _dotted(unwrapped(function)))


def _read_kind(read: Node) -> str | None:
    if read.type == "new_expression":
        constructor = read.child_by_field_name("constructor")
        arguments = read.child_by_field_name("arguments")
        # `new Date(stamp)` is the time it is given, not now.
        given = arguments is not None and arguments.named_children
        if constructor is not None and _dotted(constructor) == "Date" and not given:
            return CLOCK
        return None
    if read.type != "call_expression":
        return None
    function = read.child_by_field_name("function")
    if function is None:
        return None
    name = _dotted(unwrapped(function))
    if name in _CLOCK_CALLS:
        return CLOCK
    if name in _RANDOM_CALLS:
        return RANDOM
    return None


def _date_only(
    parsed: ParsedScript, read: Node, applied: list[tuple[str, Node | None]]
) -> bool | None:
    for name, arguments in applied:
        if name in _LOCALE_FORMATS:
            return _locale_date_only(name, arguments)
        if name in _DATE_ONLY:
            return True
    for index, (name, _) in enumerate(applied):
        if name in ("toISOString", "toJSON") and index + 1 < len(applied):
            cut, cut_arguments = applied[index + 1]
            if cut in _CUTS and _literal_numbers(cut_arguments) == [0, 10]:
                return True
            if cut == "split" and _first_string(parsed, cut_arguments) == "T":
                # `.split("T")[0]` is the date; `[1]` the time.
                rest = applied[index + 2 : index + 3]
                return bool(rest) and rest[0][0] == "[]" and _is_zero(rest[0][1])
    if not applied:
        given, date_only = formatted_by_date_fns(parsed, read)
        return date_only if given else _formatted_as_date(read)
    return False


def _locale_date_only(name: str, arguments: Node | None) -> bool:
    options = arguments.text.decode(errors="replace") if arguments is not None else ""
    if name == "toLocaleTimeString" or any(word in options for word in _TIME_WORDS):
        return False
    return name == "toLocaleDateString" or any(word in options for word in _DATE_WORDS)


def _formatted_as_date(read: Node) -> bool:
    """`new Intl.DateTimeFormat("en", {dateStyle: "long"}).format(new Date())`: a clock read
    passed to a `format` whose options name no time of day."""
    arguments = read.parent
    call = arguments.parent if arguments is not None else None
    if call is None or arguments.type != "arguments" or call.type != "call_expression":
        return False
    function = call.child_by_field_name("function")
    if function is None or not _dotted(function).endswith(".format"):
        return False
    return not any(word in call.text.decode(errors="replace") for word in _TIME_WORDS)


def _literal_numbers(arguments: Node | None) -> list[int]:
    if arguments is None:
        return []
    numbers = []
    for argument in arguments.named_children:
        if argument.type != "number":
            return []
        try:
            numbers.append(int(argument.text.decode()))
        except ValueError:
            return []
    return numbers


def _first_string(parsed: ParsedScript, arguments: Node | None) -> str | None:
    if arguments is None or not arguments.named_children:
        return None
    return string_value(parsed, arguments.named_children[0])


def _is_zero(index: Node | None) -> bool:
    return index is not None and index.type == "number" and index.text == b"0"
