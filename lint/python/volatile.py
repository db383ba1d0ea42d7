"""Which values change from one LLM call to the next: clock reads and random ids, judged by
how they are formatted and whether they are computed once per process."""

from __future__ import annotations

import ast

from ctxlint.python.flow import Reached
from ctxlint.python.names import qualified_name
from ctxlint.python.timeformat import shows_time_of_day

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


def how_volatile(reached: Reached, flag_daily_values: bool) -> str | None:
    """How the call's value varies ("changes every second", ...), or None if it is stable
    enough to keep in the prefix."""
    if reached.trail.runs_once or reached.scope.runs_once():
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
        return "returns a new random value on every call"
    daily = "changes every day"
    if qualified in _DATE_READS:
        return daily if flag_daily_values else None
    if qualified not in _CLOCK_READS:
        return None
    time_format = shown_time_format(reached)
    if time_format is not None and not shows_time_of_day(time_format):
        return daily if flag_daily_values else None
    return "reads the clock"


def shown_time_format(reached: Reached) -> str | None:
    """The strftime format the reached call's value is shown with, where one is known."""
    call = reached.node
    assert isinstance(call, ast.Call)
    if (
        qualified_name(call.func, reached.scope) == "time.strftime"
        and call.args
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    ):
        return call.args[0].value
    return reached.trail.time_format


def shows_clock_time(reached: Reached) -> bool:
    """Whether the value is a clock read shown with its time of day: the only case where
    cutting the shown format down to the date changes it. A date read (`date.today()`) or a
    clock read already shown as a date has no time to cut."""
    call = reached.node
    assert isinstance(call, ast.Call)
    if qualified_name(call.func, reached.scope) not in _CLOCK_READS:
        return False
    time_format = shown_time_format(reached)
    return time_format is not None and shows_time_of_day(time_format)
