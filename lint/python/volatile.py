"""Which values change from one LLM call to the next: clock reads and random ids, judged by
how they are formatted and whether they are computed once per process."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, NamedTuple

from ctxlint.python.flow import Reached
from ctxlint.python.names import qualified_name
from ctxlint.python.timeformat import shows_a_field, shows_time_of_day, sliced

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule

_CLOCK_READS = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "time.time",
        "time.time_ns",
        "time.ctime",
        "time.asctime",
        "time.localtime",
        "time.gmtime",
        "time.strftime",
        "time.monotonic",
        "time.perf_counter",
        "django.utils.timezone.now",
        "django.utils.timezone.localtime",
        "pendulum.now",
        "arrow.now",
        "arrow.utcnow",
        "pandas.Timestamp.now",
    }
)
_DATE_READS = frozenset({"datetime.date.today", "pendulum.today"})
_RANDOM_MODULE_CALLS = frozenset(
    {
        "random",
        "randint",
        "randrange",
        "choice",
        "choices",
        "sample",
        "uniform",
        "getrandbits",
        "randbytes",
        "gauss",
        "triangular",
    }
)
_RANDOM_READS = frozenset({"uuid.uuid1", "uuid.uuid4", "os.urandom", "os.getrandom"})


def how_volatile(reached: Reached, module: PythonModule) -> str | None:
    """How the call's value varies ("changes every second", ...), or None if it is stable
    enough to keep in the prefix."""
    if reached.trail.runs_once or reached.trail.kept_when_added or reached.scope.runs_once():
        return None
    call = reached.node
    assert isinstance(call, ast.Call)
    qualified = qualified_name(call.func, reached.scope)
    if qualified is None:
        return None
    module_name, _, function = qualified.rpartition(".")
    if (
        qualified in _RANDOM_READS
        or module_name == "secrets"
        or (module_name == "random" and function in _RANDOM_MODULE_CALLS)
    ):
        if _fills_a_missing_id(call, reached, module):
            return None
        return "returns a new random value on every call"
    daily = "changes every day" if module.settings.flag_daily_values else None
    if qualified in _DATE_READS:
        return daily
    if qualified not in _CLOCK_READS:
        return None
    shown = shown_time(reached, module)
    if shown is not None and not shows_time_of_day(shown.part):
        # Literal text alone (`.isoformat()[4:5]`) does not change at all.
        return daily if shows_a_field(shown.part) else None
    return "reads the clock"


def _fills_a_missing_id(call: ast.Call, reached: Reached, module: PythonModule) -> bool:
    """`call.get("id") or str(uuid4())`, `item.id or uuid4().hex`: a random id made only when
    the record read first has none. Where it has one (a stored message, a tool call), the
    value is that record's own id, the same on every request."""
    parents = module.fact(_expression_parents)
    child: ast.expr = call
    parent = parents.get(id(call))
    # The id as text: `str(uuid4())`, `uuid4().hex`.
    while (isinstance(parent, ast.Attribute) and parent.attr in ("hex", "int")) or (
        isinstance(parent, ast.Call)
        and parent.args == [child]
        and qualified_name(parent.func, reached.scope) == "str"
    ):
        child, parent = parent, parents.get(id(parent))
    if not isinstance(parent, ast.BoolOp) or not isinstance(parent.op, ast.Or):
        return False
    position = next((i for i, value in enumerate(parent.values) if value is child), 0)
    return position > 0 and all(_reads_an_id(value) for value in parent.values[:position])


def _reads_an_id(value: ast.expr) -> bool:
    """A read of an existing id: `x["id"]`, `x.get("tool_call_id")`, `x.id`, `call_id`."""
    name = None
    if isinstance(value, ast.Name):
        name = value.id
    elif isinstance(value, ast.Attribute):
        name = value.attr
    elif isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Constant):
        name = value.slice.value
    elif (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "get"
        and value.args
        and isinstance(value.args[0], ast.Constant)
    ):
        name = value.args[0].value
    return isinstance(name, str) and (name.lower() == "id" or name.lower().endswith("_id"))


class ShownTime(NamedTuple):
    """How a clock read is shown: the format it is printed with (strftime's, an f-string
    spec, .isoformat()'s), and the format of the part of that text that reaches the prompt,
    less than the whole after a slice (`.isoformat()[:10]` shows "%Y-%m-%d")."""

    printed: str
    part: str
    # Whether a slice is taken of the printed text, even one whose extent is unknown (then
    # `part` is the whole format): a fix that changes the format would move what it keeps.
    cut: bool


# Reads whose str() is "2031-07-19 14:47:58.123456", as isoformat() with a blank for the T.
DATETIME_READS = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "django.utils.timezone.now",
        "pandas.Timestamp.now",
    }
)


def shown_time(reached: Reached, module: PythonModule) -> ShownTime | None:
    """How the reached clock read is shown, where the format it is printed with is known."""
    call = reached.node
    assert isinstance(call, ast.Call)
    printed = reached.trail.time_format
    # The expression whose value is the text the format prints, where there is one.
    text: ast.AST | None = reached.trail.time_format_node
    qualified = qualified_name(call.func, reached.scope)
    parents = module.fact(_expression_parents)
    if (
        qualified == "time.strftime"
        and call.args
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    ):
        printed, text = call.args[0].value, call
    elif isinstance(text, ast.Constant):
        # strftime's literal: the call it is the format of prints the text.
        text = parents.get(id(text))
    elif printed is None and qualified in DATETIME_READS:
        text = parents.get(id(call))
        if not _is_str_of(text, call, reached):
            return None
        printed = "%Y-%m-%d %H:%M:%S"
    if printed is None:
        return None
    start, stop, cut = 0, None, False
    # Slices taken of the printed text, innermost first: `.isoformat()[:19][:10]`.
    parent = parents.get(id(text)) if isinstance(text, ast.Call) else None
    while isinstance(parent, ast.Subscript) and parent.value is text:
        cut = True
        extent = _constant_extent(parent.slice)
        if extent is None:
            return ShownTime(printed, printed, cut=True)
        start, stop = start + extent[0], _inner_stop(start, stop, extent[1])
        text, parent = parent, parents.get(id(parent))
    if not cut:
        return ShownTime(printed, printed, cut=False)
    part = sliced(printed, start, stop) if stop is not None else None
    # Where what the slices keep is unknown, they show at most the whole text.
    return ShownTime(printed, printed if part is None else part, cut=True)


def shows_clock_time(reached: Reached, module: PythonModule) -> bool:
    """Whether the value is a clock read shown with its time of day: the only case where
    cutting the shown format down to the date changes it. A date read (`date.today()`) or a
    clock read already shown as a date has no time to cut."""
    call = reached.node
    assert isinstance(call, ast.Call)
    if qualified_name(call.func, reached.scope) not in _CLOCK_READS:
        return False
    shown = shown_time(reached, module)
    return shown is not None and shows_time_of_day(shown.part)


def _expression_parents(module: PythonModule) -> dict[int, ast.expr]:
    """The expression each expression of the module is directly part of."""
    parents: dict[int, ast.expr] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.expr):
            for child in ast.iter_child_nodes(node):
                parents[id(child)] = node
    return parents


def _is_str_of(call: ast.AST | None, argument: ast.Call, reached: Reached) -> bool:
    """Whether `call` is the built-in `str(argument)`."""
    return (
        isinstance(call, ast.Call)
        and call.args == [argument]
        and not call.keywords
        and qualified_name(call.func, reached.scope) == "str"
    )


def _constant_extent(index: ast.expr) -> tuple[int, int | None] | None:
    """The characters `[index]` keeps, as (start, stop) from the text's start (stop None: to
    its end), when they do not depend on the text's length: constant bounds of at least 0,
    no step. None otherwise (`[-6:]`, `[:n]`)."""

    def bound(value: ast.expr | None) -> int | None:
        if value is None:
            return None
        if isinstance(value, ast.Constant) and type(value.value) is int and value.value >= 0:
            return value.value
        raise ValueError

    try:
        if isinstance(index, ast.Slice):
            if index.step is not None:
                return None
            return bound(index.lower) or 0, bound(index.upper)
        position = bound(index)
    except ValueError:
        return None
    return None if position is None else (position, position + 1)


def _inner_stop(start: int, stop: int | None, inner_stop: int | None) -> int | None:
    """Where a slice whose stop is `inner_stop`, taken of the text [start:stop], stops."""
    if inner_stop is None:
        return stop
    return start + inner_stop if stop is None else min(stop, start + inner_stop)
