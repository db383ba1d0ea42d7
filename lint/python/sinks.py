"""Prompt sinks: the places in Python code where a value becomes part of an LLM request.

A sink is an expression plus what it becomes: the system prompt or instructions and the tool
definitions sit at the front of every request (the cached prefix); messages and message content
come after. Calls are recognised through imports, so `twilio_client.messages.create` is not a
sink while `anthropic_client.messages.create` is.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ctxlint.python.index import ModuleIndex
from ctxlint.python.middleware import middleware_sinks
from ctxlint.python.sent_lists import find_sent_lists
from ctxlint.python.sink_finder import SinkFinder
from ctxlint.python.sink_names import is_system_prompt_name
from ctxlint.python.sink_types import (
    ConfiguredSink,
    Sink,
    SinkKind,
    callee_text,
    describe_sink,
)
from ctxlint.python.template_sinks import template_variable_sinks
from ctxlint.python.wrappers import Resolver, WrapperSinks, wrapper_summaries

__all__ = [
    "ConfiguredSink",
    "Sink",
    "SinkAnalysis",
    "SinkKind",
    "analyse_sinks",
    "callee_text",
    "describe_sink",
    "find_sent_lists",
    "find_sinks",
    "is_system_prompt_name",
    "wrapper_sinks",
]


def find_sinks(index: ModuleIndex, configured: tuple[ConfiguredSink, ...] = ()) -> list[Sink]:
    return analyse_sinks(index, configured).sinks


def wrapper_sinks(index: ModuleIndex, configured: tuple[ConfiguredSink, ...] = ()) -> WrapperSinks:
    """Which parameters of the module's functions reach which sink kind, keyed by the name a
    caller passes the value under. `PythonModule.wrappers` is the same, computed once."""
    return analyse_sinks(index, configured).wrappers


@dataclass(frozen=True, slots=True)
class SinkAnalysis:
    sinks: list[Sink]
    # Which parameters of the module's functions reach which sink kind (see wrappers.py).
    wrappers: WrapperSinks


def analyse_sinks(
    index: ModuleIndex,
    configured: tuple[ConfiguredSink, ...] = (),
    imported_wrappers: WrapperSinks | None = None,
    resolve: Resolver | None = None,
    call_names: frozenset[str] = frozenset(),
) -> SinkAnalysis:
    """The module's sinks, including the calls of its own wrappers, and the wrapper summaries.
    `imported_wrappers` and `resolve` let a project-wide pass add other modules' wrappers
    (see `wrapper_summaries`)."""
    finder = SinkFinder(index, configured)
    sinks: list[Sink] = []
    for site in index.calls:
        if finder.may_be_sink(site.call):
            sinks.extend(finder.call_sinks(site.call, site.scope))
    for node, scope in index.dicts:
        sinks.extend(finder.dict_sinks(node, scope))
    # The values a LangChain system prompt template's variables are given (template_sinks.py).
    for value, value_scope, variable, call in template_variable_sinks(index):
        label = f'the "{variable}" variable of the system prompt template'
        description = f"{label} filled by {callee_text(call.func)}"
        sinks.append(Sink(value, value_scope, "system", description, call))
    # LangChain agent middleware (middleware.py); `system_prompt=` is already a sink above.
    known = {id(sink.expression) for sink in sinks}
    for found in middleware_sinks(index):
        if id(found.expression) not in known:
            sink = Sink(found.expression, found.scope, found.kind, found.description, found.call)  # type: ignore[arg-type]
            sinks.append(sink)
    for name, value, scope in index.named_assignments:
        if finder.names_a_system_prompt(name):
            sinks.append(Sink(value, scope, "system", f"the system prompt, kept in `{name}`"))
    for function in index.functions:
        node = function.node
        if isinstance(node, ast.Lambda):
            continue
        if (
            finder.names_a_system_prompt(node.name)
            or finder.is_prompt_decorated(node, function.enclosing)
        ) and not finder.kept_in_history(node, function.enclosing):
            label = f"the system prompt returned by {node.name}()"
            for value in function.returns:
                if not _is_result_record(value):
                    sinks.append(Sink(value, function.scope, "system", label))
    summaries, wrapper_calls = wrapper_summaries(
        index, sinks, finder.spreads, imported_wrappers, resolve, call_names
    )
    already = {(id(sink.expression), sink.kind) for sink in sinks}
    sinks.extend(s for s in wrapper_calls if (id(s.expression), s.kind) not in already)
    return SinkAnalysis(sinks, summaries)


# Keys of a dict that holds a prompt or a message (`{"role": ..., "content": ...}`, a text
# block, a request's system field).
_PROMPT_KEYS = frozenset(
    {"role", "content", "text", "type", "parts", "system", "instructions", "prompt", "messages"}
)


def _is_result_record(value: ast.expr) -> bool:
    """A dict display with none of a prompt's keys (`{"ok": True, "prompt_details": ...}`):
    what a function named for the system prompt returns about it (an inspection tool's
    result), not the prompt."""
    return (
        isinstance(value, ast.Dict)
        and bool(value.keys)
        and all(isinstance(key, ast.Constant) and isinstance(key.value, str) for key in value.keys)
        and not any(key.value in _PROMPT_KEYS for key in value.keys)  # type: ignore[union-attr]
    )
