"""What a value passed to a prompt file's variable is, in the words of the Python rules: a clock
read or a random value (CTX001's detection, with the precision it is shown at), this turn's
data (CTX011's: retrieval results, memories, the user's question, a task list), or something
whose order is not fixed (CTX003's: a set, a file-system listing).

The value is followed back with the project's value flow, as if it were a system prompt:
`now = datetime.now().isoformat(); template.render(local_datetime=now)` reaches the clock."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ctxlint.python.flow import Reached, reach
from ctxlint.python.index import Scope
from ctxlint.python.names import lookup, qualified_name
from ctxlint.python.sinks import Sink
from ctxlint.python.timeformat import TIME_UNITS, finest_unit
from ctxlint.python.volatile import DATETIME_READS

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule
    from ctxlint.python.project import Project

_TIMESPEC_UNITS = {
    "auto": "microsecond",
    "microseconds": "microsecond",
    "milliseconds": "millisecond",
    "seconds": "second",
    "minutes": "minute",
    "hours": "hour",
}
# Parameters that hold what the user just said (retrieval.py's list): the turn's question.
_TURN_INPUT = re.compile(
    r"(?i)^(user_?)?(message|msg|query|question|input|utterance|request_text)$|^user_(text|prompt)$"
)


@dataclass(frozen=True, slots=True)
class Classified:
    volatile: str | None = None
    per_turn: str | None = None
    unordered: str | None = None
    unsorted_keys: str | None = None


class GatedLinks:
    """The project's links for the flow from a passed value, entering only the modules whose
    bytes could hold a clock read, a random value, a retrieval or a set (`_MAY_CLASSIFY`):
    a value helped through a module with none of them is told by what its caller passes."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def callee(self, function: ast.expr, scope: Scope):  # type: ignore[no-untyped-def]
        return self.project.gated_callee(function, scope, _may_classify, by_name=True)

    def index_of(self, scope: Scope):  # type: ignore[no-untyped-def]
        return self.project.index_of(scope)


_MAY_CLASSIFY = (
    # CTX001's clock and random reads, and the formats that print them.
    b"now(",
    b"today(",
    b"time(",
    b"uuid",
    b"random",
    b"secrets",
    b"strftime",
    b"isoformat",
    # CTX011's retrievals, memories and task lists.
    b"search",
    b"retriev",
    b"memor",
    b"recall",
    b"todo",
    # CTX003's sets and listings.
    b"set(",
    b"listdir",
    b"glob",
    b"iterdir",
    b"scandir",
    b"walk(",
)


def _may_classify(data: bytes) -> bool:
    return any(needle in data for needle in _MAY_CLASSIFY)


def classify(
    node: ast.expr, scope: Scope, module: PythonModule, links: GatedLinks | None
) -> Classified:
    """What the value of `node` (an expression of `module`, in `scope`) is, as far as the
    flow sees."""
    from ctxlint.python.volatile import how_volatile

    sink = Sink(node, scope, "system", "a prompt file's variable")
    volatile = per_turn = unordered = None
    clock: tuple[str, Reached, PythonModule] | None = None
    # The calls met on the way: a helper's `timespec` parameter is given by one of them.
    calls: list[ast.Call] = []
    # A mapping met on the way (a dict built, JSON dumped without sorted keys): an unordered
    # source then decides the order of its keys (CTX002), not of items laid out (CTX003).
    mapping = sorted_json = False
    # strftime formats given by a name (`strftime(DATE_FORMAT)`), which the flow does not read.
    formats: list[tuple[ast.expr, Scope]] = []
    for reached in reach(sink, module.index, follow_callables=False, links=links):  # type: ignore[arg-type]
        owner = module.module_of(reached.scope) or module
        mapping = mapping or _is_mapping(reached.node, reached.scope)
        sorted_json = sorted_json or _sorted_json(reached.node, reached.scope)
        if isinstance(reached.node, ast.Call):
            calls.append(reached.node)
            named_format = _named_strftime_format(reached.node)
            if named_format is not None:
                formats.append((named_format, reached.scope))
            if clock is None:
                how = how_volatile(reached, owner)
                if how is not None:
                    clock = (how, reached, owner)
        if per_turn is None:
            per_turn = _per_turn(reached, owner, sink)
        if unordered is None:
            unordered = _unordered(reached, owner, _as_is(node, scope, reached))
    if clock is not None:
        how, reached, owner = clock
        volatile = _with_precision(how, reached, owner, _as_is(node, scope, reached), calls)
        if volatile == "reads the clock" and formats:
            volatile = _by_named_format(formats, module, links)
    if sorted_json:
        # `json.dumps(..., sort_keys=True)` on the way: the keys come out sorted.
        return Classified(volatile, per_turn, None)
    if mapping and unordered is not None:
        return Classified(volatile, per_turn, None, f"a dict filled from {unordered}")
    return Classified(volatile, per_turn, unordered)


def _named_strftime_format(call: ast.Call) -> ast.expr | None:
    function = call.func
    named = call.args and isinstance(call.args[0], (ast.Name, ast.Attribute))
    if isinstance(function, ast.Attribute) and function.attr == "strftime" and named:
        return call.args[0]
    return None


def _by_named_format(
    formats: list[tuple[ast.expr, Scope]], module: PythonModule, links: GatedLinks | None
) -> str | None:
    """The clock's words once a format given by a name is read: a constant of the module, or
    one imported from another module of the project (Skyvern's `CURRENT_DATE_FORMAT`). A
    format that shows no time of day prints a date, which changes once a day: no volatile
    value (as CTX001 takes a literal date format). Unknown formats leave the clock as it is."""
    units = []
    for expression, scope in formats:
        text = _constant_text(expression, scope, module, links)
        if text is None:
            return "reads the clock"
        units.append(finest_unit(text))
    finest = next((unit for unit in TIME_UNITS if unit in units), None)
    return f"reads the clock to the {finest}" if finest is not None else None


def _constant_text(
    expression: ast.expr, scope: Scope, module: PythonModule, links: GatedLinks | None
) -> str | None:
    if isinstance(expression, ast.Name):
        bindings = lookup(expression.id, scope)
        if len(bindings) == 1 and bindings[0].kind == "assign":
            value = bindings[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return value.value
    qualified = qualified_name(expression, scope)
    owner = module.module_of(scope) or module
    if qualified is None or links is None:
        return None
    target = links.project._resolve(qualified, owner.path)
    if target is None or len(target[1]) != 1:
        return None
    imported = links.project.module_at(target[0])
    if imported is None:
        return None
    bindings = imported.index.module_scope.bindings.get(target[1][0], [])
    if len(bindings) == 1 and bindings[0].kind == "assign":
        value = bindings[0].value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
    return None


def _is_mapping(node: ast.AST, scope: Scope) -> bool:
    """A dict built, or `json.dumps` without `sort_keys=True`, which keeps its keys' order."""
    if isinstance(node, (ast.Dict, ast.DictComp)):
        return True
    return _dumps(node, scope) and not _sorted_json(node, scope)


def _dumps(node: ast.AST, scope: Scope) -> bool:
    return isinstance(node, ast.Call) and qualified_name(node.func, scope) == "json.dumps"


def _sorted_json(node: ast.AST, scope: Scope) -> bool:
    return _dumps(node, scope) and any(
        k.arg == "sort_keys" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in node.keywords  # type: ignore[attr-defined]
    )


def _as_is(node: ast.expr, scope: Scope, reached: Reached) -> bool:
    """Whether the value passed is the reached read itself (`now=datetime.now()`, or a name
    given it): the template prints the datetime whole."""
    if reached.node is node:
        return True
    if not isinstance(node, ast.Name):
        return False
    bindings = lookup(node.id, scope)
    return len(bindings) == 1 and bindings[0].value is reached.node


def _with_precision(
    how: str, reached: Reached, module: PythonModule, as_is: bool, calls: list[ast.Call]
) -> str:
    """The clock's words with the precision it is shown at, where the format says it:
    "reads the clock to the microsecond"."""
    if how != "reads the clock":
        return how
    unit = _shown_unit(reached, module, as_is, calls)
    return f"reads the clock to the {unit}" if unit is not None else how


def _shown_unit(
    reached: Reached, module: PythonModule, as_is: bool, calls: list[ast.Call]
) -> str | None:
    from ctxlint.python.volatile import shown_time

    call = reached.node
    assert isinstance(call, ast.Call)
    shaped = reached.trail.time_format_node
    if (
        isinstance(shaped, ast.Call)
        and isinstance(shaped.func, ast.Attribute)
        and shaped.func.attr == "isoformat"
    ):
        timespec = next((k.value for k in shaped.keywords if k.arg == "timespec"), None)
        if len(shaped.args) > 1:
            timespec = shaped.args[1]
        if timespec is None:
            return "microsecond"
        if isinstance(timespec, ast.Name):
            # A helper's parameter (`isoformat(timespec=timespec)`): what the call of the
            # helper met on the way passes under that name.
            name = timespec.id
            passed = {
                k.value.value
                for call in calls
                for k in call.keywords
                if k.arg == name and isinstance(k.value, ast.Constant)
            }
            timespec = ast.Constant(passed.pop()) if len(passed) == 1 else timespec
        if isinstance(timespec, ast.Constant):
            return _TIMESPEC_UNITS.get(str(timespec.value))
        return None
    shown = shown_time(reached, module)
    if shown is None:
        if as_is and qualified_name(call.func, reached.scope) in DATETIME_READS:
            return "microsecond"  # the datetime itself, printed by the template
        return None
    return finest_unit(shown.part)


def _per_turn(reached: Reached, module: PythonModule, sink: Sink) -> str | None:
    from ctxlint.python.retrieval import is_retrieval, retrieval_label, retrievals_under
    from ctxlint.python.turn_values import turn_value_sources

    if reached.trail.runs_once:
        return None
    node, scope = reached.node, reached.scope
    if isinstance(node, ast.Call) and is_retrieval(node, scope):
        return retrieval_label(node, scope)
    if isinstance(node, ast.Attribute) and not _on_self(node, scope):
        for call in retrievals_under(node.value, scope):
            return retrieval_label(call, scope)
    if isinstance(node, ast.Name):
        bindings = lookup(node.id, scope)
        if (
            len(bindings) == 1
            and bindings[0].kind == "param"
            and _TURN_INPUT.match(node.id)
            and not _in_constructor(bindings[0])
        ):
            return "the user's question"
    for value in turn_value_sources(module, sink, reached):
        return value.what
    return None


def _on_self(node: ast.Attribute, scope) -> bool:  # type: ignore[no-untyped-def]
    from ctxlint.python.index import class_of_self

    return class_of_self(node.value, scope) is not None


def _in_constructor(binding) -> bool:  # type: ignore[no-untyped-def]
    function = binding.function
    return function is not None and function.name in ("__init__", "__post_init__", "setup")


def _unordered(reached: Reached, module: PythonModule, as_is: bool) -> str | None:
    from ctxlint.python.unordered import is_unordered_set, unordered_source

    if reached.trail.sorted:
        return None
    if is_unordered_set(reached):
        return "a set"
    trail = reached.trail
    if trail.iterated is None:
        if not as_is:
            # A set met on the way that nothing iterates (`if key in skipped`): its order
            # reaches nothing.
            return None
        # The template iterates the value passed (`{% for x in tags %}`, `| join`).
        trail = replace(trail, iterated=reached.node, iterated_scope=reached.scope)
    source = unordered_source(Reached(reached.node, reached.scope, trail), module.index)
    if source is None:
        return None
    return "a set" if source.kind == "set" else f"a file-system listing ({source.label})"
