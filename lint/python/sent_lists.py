"""Histories and tool lists handed to the project's own model layer rather than to an SDK."""

from __future__ import annotations

import ast

from ctxlint.python.index import CallSite, ModuleIndex, Scope
from ctxlint.python.names import lookup
from ctxlint.python.sink_names import HISTORY_NAME, LLM_CALL_NAMES
from ctxlint.python.sink_types import Sink, SinkKind, callee_text, describe_sink, kind_label
from ctxlint.python.wrappers import local_resolver, parameters_in


def find_sent_lists(index: ModuleIndex, sinks: list[Sink]) -> list[Sink]:
    """Histories and tool lists handed to a model layer rather than to an SDK: a `messages=`
    keyword, or a history-named list passed to a call named like a model call
    (`self.model.query(self.messages)`), and `tools=` passed to such a call. A call known not
    to send is left out: a class built with `messages=` (`Conversation(messages=m)`), or a
    function of the module that forwards none of its parameters to a model call."""
    already = {id(sink.expression) for sink in sinks}
    # Each candidate with the call site it is an argument of.
    candidates: list[tuple[Sink, CallSite]] = []
    for site in index.calls:
        call = site.call
        function = call.func
        last = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        llm_like = last in LLM_CALL_NAMES
        # Only a model-like call or a `messages=` keyword can be a candidate: the look-up of
        # the callee's bindings is spared for the other calls, nearly all of them.
        if not llm_like and not any(keyword.arg == "messages" for keyword in call.keywords):
            continue
        if _constructs(call, site.scope):
            continue
        for keyword in call.keywords:
            value = keyword.value
            if id(value) in already:
                continue
            if keyword.arg == "messages" or (
                llm_like and keyword.arg in ("history", "chat_history")
            ):
                candidates.append((_sent(value, site.scope, "messages", call), site))
            elif keyword.arg == "tools" and llm_like:
                candidates.append((_sent(value, site.scope, "tools", call), site))
        if llm_like:
            for argument in call.args:
                name = _list_name(argument)
                if name is not None and id(argument) not in already and HISTORY_NAME.search(name):
                    candidates.append((_sent(argument, site.scope, "messages", call), site))
    forwarders = {
        function
        for sink, _ in candidates
        for _, function in parameters_in(sink.expression, sink.scope, sink.kind)
    }
    # A call of the module's own function sends only if that function forwards the value.
    resolve = local_resolver(index)
    found = [
        sink
        for sink, site in candidates
        if (callee := resolve(site.call, site.scope)) is None or callee in forwarders
    ]
    # Request bodies built as dicts and sent with `**params` or as JSON.
    for node, scope in index.dicts:
        keys = {
            k.value: v
            for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant) and isinstance(k.value, str)
        }
        if "model" not in keys:
            continue
        for key, kind in (("messages", "messages"), ("tools", "tools")):
            value = keys.get(key)
            if value is not None and id(value) not in already:
                described = f"{kind_label(kind)} of a request body"
                found.append(Sink(value, scope, kind, described))  # type: ignore[arg-type]
    return found


def _constructs(call: ast.Call, scope: Scope) -> bool:
    """A class built with `messages=` holds them; it sends nothing (`LettaResponse(...)`)."""
    function = call.func
    last = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    if last[:1].isupper():
        return True
    return isinstance(function, ast.Name) and any(
        binding.kind == "class" for binding in lookup(function.id, scope)
    )


def _sent(value: ast.expr, scope: Scope, kind: SinkKind, call: ast.Call) -> Sink:
    return Sink(value, scope, kind, describe_sink(kind, callee_text(call.func)), call)


def _list_name(expression: ast.expr) -> str | None:
    if isinstance(expression, ast.Name):
        return expression.id
    if isinstance(expression, ast.Attribute) and isinstance(expression.value, ast.Name):
        return expression.attr
    return None
