"""Wrapper summaries: a function that forwards a parameter into an LLM call is itself a sink.

Projects rarely call the SDK where they build the prompt: they call their own provider layer,
`provider.chat(messages=m, tools=t)`, `chat_with_retry(**kwargs)`, `self.llm.generate(system=s)`.
A summary says, for one function, which of its parameters reach which sink kind:

    WrapperSinks = dict[FunctionInfo, dict[str, SinkKind]]

keyed by the name a caller passes the value under (a parameter's name; for a `**kwargs`
parameter spread into the call, each keyword the call takes; for a plain parameter spread into
the call, `request.system`: the entry a caller's request dict holds under that key).
`wrapper_summaries` computes them
for a module from its sinks, to a fixed point (a wrapper of a wrapper), and `summary_sinks`
turns the calls of summarised functions into sinks. Both take the summaries as data, so that a
project-wide pass can apply summaries computed for another module's functions to this module's
call sites (`summary_sinks(index, summaries_of_imported_functions, resolve=...)`).

Call sites are resolved by a local function name, `self.method`, or, on a receiver of unknown
class, by a method name defined once in the module. Anything else is not a wrapper call.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from ctxlint.python.carriers import ARGUMENT_METHODS, RECEIVER_METHODS
from ctxlint.python.index import Binding, FunctionInfo, ModuleIndex, Scope, class_of_self
from ctxlint.python.names import lookup
from ctxlint.python.requests import request_entries, spread_parameter, spread_plain_parameter
from ctxlint.python.summaries import callee_of
from ctxlint.python.timeformat import shows_time_of_day

if TYPE_CHECKING:
    from ctxlint.python.sinks import Sink, SinkKind

WrapperSinks = dict[FunctionInfo, dict[str, "SinkKind"]]
# (the call spreading `**kwargs`, its scope, the sink kind of each keyword the call takes)
Spread = tuple[ast.Call, Scope, dict[str, "SinkKind"]]
Resolver = Callable[[ast.Call, Scope], "FunctionInfo | None"]

_SINK_KINDS = frozenset({"system", "tools", "messages", "content"})
# Local steps from a sink back to a parameter (`full = [*messages]`, then `messages`).
_MAX_STEPS = 6
# A local name bound more often than this is not followed back to a parameter.
_MAX_BINDINGS = 8
# A wrapper of a wrapper of a wrapper...: rounds of the fixed point.
_MAX_ROUNDS = 4
# Method names too common to resolve by name alone on an unknown receiver.
_COMMON_METHODS = frozenset(
    {"append", "extend", "update", "get", "pop", "insert", "add", "copy", "format", "join"}
)


def wrapper_summaries(
    index: ModuleIndex,
    sinks: Iterable[Sink],
    spreads: Iterable[Spread] = (),
    imported: WrapperSinks | None = None,
    resolve: Resolver | None = None,
    call_names: frozenset[str] = frozenset(),
) -> tuple[WrapperSinks, list[Sink]]:
    """The summaries of the module's functions, and the sinks their calls add.

    `imported` holds summaries of other modules' functions, and `resolve` maps a call of this
    module to such a function (or to one of its own; by default `local_resolver`): a
    project-wide pass passes both, so that calls of another module's wrappers are sinks here
    and this module's functions that forward into them are wrappers in turn."""
    summaries: WrapperSinks = dict(imported or {})
    for call, scope, roles in spreads:
        parameter = next(
            (spread_parameter(k.value, scope) for k in call.keywords if k.arg is None), None
        )
        function = _function_of(scope)
        # `def send(request): create(**request)`: the entries of the caller's dict.
        plain = next(
            (spread_plain_parameter(k.value, scope) for k in call.keywords if k.arg is None), None
        )
        prefix = "" if parameter is not None else f"{plain}."
        if (parameter is not None or plain is not None) and function is not None:
            summary = summaries.setdefault(function, {})
            for key, kind in roles.items():
                if not key.isdigit() and kind in _SINK_KINDS:
                    summary.setdefault(prefix + key, kind)
    added: list[Sink] = []
    pending = list(sinks)
    resolve = resolve or local_resolver(index)
    for _ in range(_MAX_ROUNDS):
        changed = _summarise(pending, summaries) | _spread_forwards(index, summaries, resolve)
        if not changed and added:
            break
        seen = {(id(sink.expression), sink.kind) for sink in added}
        pending = [
            sink
            for sink in summary_sinks(index, summaries, resolve, call_names)
            if (id(sink.expression), sink.kind) not in seen
        ]
        if not pending:
            break
        added.extend(pending)
    own = {function: summary for function, summary in summaries.items() if summary}
    for function in imported or ():
        own.pop(function, None)
    return own, added


def _summarise(sinks: Iterable[Sink], summaries: WrapperSinks) -> bool:
    """Record each parameter that a sink sends, directly or through local steps that keep it
    whole (`full = [system_message, *messages]`, `f"{base}\\n{extra}"`)."""
    changed = False
    for sink in sinks:
        for name, function in parameters_in(sink.expression, sink.scope, sink.kind):
            summary = summaries.setdefault(function, {})
            if name not in summary:
                summary[name] = sink.kind
                changed = True
    return changed


def parameters_in(
    expression: ast.expr, scope: Scope, kind: str, depth: int = 0
) -> Iterator[tuple[str, FunctionInfo]]:
    """The parameters (name, function) whose whole value `expression` sends."""
    if depth > _MAX_STEPS:
        return
    if isinstance(expression, ast.Name):
        function_scope = _function_scope(scope)
        if function_scope is None or function_scope.kind not in ("function", "lambda"):
            return  # module and class names are no parameters, nor made of any
        bindings = lookup(expression.id, scope)
        if len(bindings) > _MAX_BINDINGS:
            return
        if len(bindings) == 1 and bindings[0].kind == "param":
            function = bindings[0].function
            if function is not None and not isinstance(function.node, ast.Lambda):
                yield expression.id, function
        elif bindings and all(_local_assignment(b, scope) for b in bindings):
            for binding in bindings:
                yield from parameters_in(binding.value, binding.scope, kind, depth + 1)  # type: ignore[arg-type]
    elif isinstance(expression, (ast.List, ast.Tuple)):
        for element in expression.elts:
            if isinstance(element, ast.Starred):
                yield from parameters_in(element.value, scope, kind, depth + 1)
    elif isinstance(expression, ast.BinOp) and isinstance(expression.op, ast.Add):
        yield from parameters_in(expression.left, scope, kind, depth + 1)
        yield from parameters_in(expression.right, scope, kind, depth + 1)
    elif isinstance(expression, ast.JoinedStr) and kind in ("system", "content"):
        for part in expression.values:
            if isinstance(part, ast.FormattedValue) and _keeps_the_time(part.format_spec):
                yield from parameters_in(part.value, scope, kind, depth + 1)
    elif (
        isinstance(expression, ast.Call)
        and isinstance(expression.func, ast.Attribute)
        and expression.func.attr in RECEIVER_METHODS
        and kind in ("system", "content")
        and _keeps_the_time_of(expression)
    ):
        # `PROMPT.format(context=context)`, `self.current_date.strftime(...)`: text made of
        # the receiver (and the arguments of a template's method).
        yield from parameters_in(expression.func.value, scope, kind, depth + 1)
        if expression.func.attr in ARGUMENT_METHODS:
            for argument in [*expression.args, *(k.value for k in expression.keywords)]:
                if not isinstance(argument, ast.Starred):
                    yield from parameters_in(argument, scope, kind, depth + 1)
    elif isinstance(expression, ast.Call) and len(expression.args) == 1:
        function = expression.func
        if isinstance(function, ast.Name) and function.id in ("list", "tuple", "str"):
            yield from parameters_in(expression.args[0], scope, kind, depth + 1)
    elif isinstance(expression, ast.Attribute) and kind in ("system", "tools"):
        yield from _kept_on_self(expression, scope, kind, depth)
    elif (
        isinstance(expression, ast.Call)
        and not expression.args
        and not expression.keywords
        and kind in ("system", "tools")
    ):
        yield from _built_by_own_method(expression, scope, kind, depth)


def _keeps_the_time(format_spec: ast.expr | None) -> bool:
    """Whether `{value:spec}` keeps a time as fine as it is: a summary says only that the
    parameter reaches the sink, so a spec that cuts a clock read to the day (`{now:%Y-%m-%d}`)
    must not make the caller's `datetime.now()` a finding. No spec keeps the value whole."""
    if format_spec is None:
        return True
    if not isinstance(format_spec, ast.JoinedStr) or len(format_spec.values) != 1:
        return False
    text = format_spec.values[0]
    return isinstance(text, ast.Constant) and shows_time_of_day(str(text.value))


def _keeps_the_time_of(call: ast.Call) -> bool:
    """`now.strftime("%H:%M")` keeps the time of day, `now.date()` and a day's format do not."""
    method = call.func.attr  # type: ignore[attr-defined]
    if method == "date":
        return False
    if method == "strftime":
        literal = call.args[0] if call.args else None
        return (
            isinstance(literal, ast.Constant)
            and isinstance(literal.value, str)
            and shows_time_of_day(literal.value)
        )
    return True


def _kept_on_self(
    expression: ast.Attribute, scope: Scope, kind: str, depth: int
) -> Iterator[tuple[str, FunctionInfo]]:
    """`self.env_context`, set from a parameter (`self.env_context = env_context` in
    `__init__`): the value a caller hands the constructor or the setter is what is sent. Only
    for the prefix, which an agent object keeps: a history kept on self is appended to."""
    owner = class_of_self(expression.value, scope)
    assigned = owner.attributes.get(expression.attr, ()) if owner is not None else ()
    if len(assigned) > _MAX_BINDINGS:
        return
    for value, value_scope in assigned:
        if isinstance(value, ast.Name):
            yield from parameters_in(value, value_scope, kind, depth + 1)


def _built_by_own_method(
    call: ast.Call, scope: Scope, kind: str, depth: int
) -> Iterator[tuple[str, FunctionInfo]]:
    """`self._build_prompt()`: what the class's own method returns, from what it keeps."""
    function = call.func
    if not isinstance(function, ast.Attribute):
        return
    owner = class_of_self(function.value, scope)
    method = owner.methods.get(function.attr) if owner is not None else None
    if method is None or isinstance(method.node, ast.Lambda):
        return
    for value in method.returns:
        yield from parameters_in(value, method.scope, kind, depth + 1)


def _local_assignment(binding: Binding, scope: Scope) -> bool:
    return (
        binding.kind == "assign"
        and isinstance(binding.value, ast.expr)
        and not binding.target_path
        and binding.scope is _function_scope(scope)
    )


def _spread_forwards(index: ModuleIndex, summaries: WrapperSinks, resolve: Resolver) -> bool:
    """`def chat_with_retry(**kwargs): return chat(**kwargs)`: what `chat` sends by keyword,
    `chat_with_retry` sends too."""
    changed = False
    for name in {function.name for function in summaries}:
        for site in index.calls_by_name.get(name, ()):
            if not any(
                k.arg is None and spread_parameter(k.value, site.scope) for k in site.call.keywords
            ):
                continue
            callee = resolve(site.call, site.scope)
            caller = _function_of(site.scope)
            if callee is None or caller is None or callee is caller or callee not in summaries:
                continue
            summary = summaries.setdefault(caller, {})
            for key, kind in list(summaries[callee].items()):
                if key not in summary:
                    summary[key] = kind
                    changed = True
    return changed


def summary_sinks(
    index: ModuleIndex,
    summaries: WrapperSinks,
    resolve: Resolver,
    call_names: frozenset[str] = frozenset(),
) -> list[Sink]:
    """A sink for each argument that a call of a summarised function passes into a sink
    (calls named as the function, or by one of `call_names`, which `resolve` answers)."""
    from ctxlint.python.sinks import Sink, callee_text, describe_sink

    if not summaries:
        return []
    names = {_called_as(function) for function in summaries} | call_names
    found: list[Sink] = []
    for name in names:
        for site in index.calls_by_name.get(name, ()):
            function = resolve(site.call, site.scope)
            summary = summaries.get(function) if function is not None else None
            if not summary:
                continue
            callee = callee_text(site.call.func)
            forwarded = _forwarded(site.call, site.scope, function, summary, index)
            for value, value_scope, kind in forwarded:
                description = describe_sink(kind, callee)
                found.append(Sink(value, value_scope, kind, description, site.call))
    return found


def _called_as(function: FunctionInfo) -> str:
    """The name a call of the function spells: a constructor is called by its class's name."""
    if function.name == "__init__" and function.class_info is not None:
        return function.class_info.node.name
    return function.name


def _forwarded(
    call: ast.Call,
    scope: Scope,
    function: FunctionInfo,
    summary: dict[str, SinkKind],
    index: ModuleIndex,
) -> Iterator[tuple[ast.expr, Scope, SinkKind]]:
    parameters = function.parameter_names
    if _binds_receiver(function, call):
        parameters = parameters[1:]
    for position, argument in enumerate(call.args):
        if isinstance(argument, ast.Starred):
            return
        if position < len(parameters) and parameters[position] in summary:
            yield argument, scope, summary[parameters[position]]
        elif position < len(parameters):
            yield from _spread_entries(argument, scope, f"{parameters[position]}.", summary, index)
    for keyword in call.keywords:
        if keyword.arg is None:
            yield from _spread_entries(keyword.value, scope, "", summary, index)
        elif keyword.arg in summary:
            yield keyword.value, scope, summary[keyword.arg]
        else:
            yield from _spread_entries(keyword.value, scope, f"{keyword.arg}.", summary, index)


def _spread_entries(
    argument: ast.expr,
    scope: Scope,
    prefix: str,
    summary: dict[str, SinkKind],
    index: ModuleIndex,
) -> Iterator[tuple[ast.expr, Scope, SinkKind]]:
    """The entries of a request dict the caller hands in that the function spreads into its
    call (`send(request)` with `request["system"] = ...`), bounded as request_entries is."""
    if prefix and not any(key.startswith(prefix) for key in summary):
        return
    for entry in request_entries(argument, scope, index):
        if prefix + entry.key in summary:
            yield entry.value, entry.scope, summary[prefix + entry.key]


def _binds_receiver(function: FunctionInfo, call: ast.Call) -> bool:
    node = function.node
    if function.class_info is None or isinstance(node, ast.Lambda):
        return False
    if any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list):
        return False
    # `Helper(x)`: the new instance is `self`, x the first parameter after it.
    return isinstance(call.func, ast.Attribute) or function.name == "__init__"


def local_resolver(index: ModuleIndex) -> Resolver:
    """Resolves a call to the module's own function: `f(...)` by its binding, `self.m(...)`
    through the class, `obj.m(...)` by a method name defined once in the module."""

    def resolve(call: ast.Call, scope: Scope) -> FunctionInfo | None:
        function = call.func
        if isinstance(function, ast.Name):
            return callee_of(call, scope) or constructor_of(function, scope, index)
        if not isinstance(function, ast.Attribute) or class_of_self(function.value, scope):
            return callee_of(call, scope)
        if function.attr in _COMMON_METHODS:
            return None
        candidates = index.functions_by_name.get(function.attr, [])
        if len(candidates) == 1 and candidates[0].class_info is not None:
            return candidates[0]
        return None

    return resolve


def constructor_of(function: ast.Name, scope: Scope, index: ModuleIndex) -> FunctionInfo | None:
    """The `__init__` a call of the module's own class runs (`Helper(env_context=x)`)."""
    bindings = lookup(function.id, scope)
    if len(bindings) != 1 or bindings[0].kind != "class":
        return None
    for owner in index.classes:
        if owner.node is bindings[0].value:
            return owner.methods.get("__init__")
    return None


def _function_scope(scope: Scope) -> Scope | None:
    current: Scope | None = scope
    while current is not None and current.kind == "comprehension":
        current = current.parent
    return current


def _function_of(scope: Scope) -> FunctionInfo | None:
    current = _function_scope(scope)
    return current.function if current is not None else None
