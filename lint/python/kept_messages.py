"""Messages sent once and then kept as the text they were: the newest user message appended
to a history that outlives the request (`self.cur_messages += [dict(role="user",
content=inp)]`, later_messages.py), a message added by `conversation.add(...)`, or one added
by a method of the module handed the text (`self.send_message(inp)`).

The order a value was built in matters to the cache when that order can be sent again
differently; text appended once is re-sent as it was, so an unordered collection printed into
it breaks nothing (CTX003 leaves such sinks alone). A message rebuilt for every request (a
list made in the function, `[files_message, *history]`) is not kept and stays a sink.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ctxlint.python.index import ModuleIndex, Scope
from ctxlint.python.later_messages import added_to_conversation
from ctxlint.python.names import own_function
from ctxlint.python.sinks import Sink

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule

# Methods that add one message to a conversation under way (`self.conversation.add(...)`).
_ADDING_METHODS = frozenset({"add", "append", "add_message", "append_message", "add_user_message"})


def _contents_kept_as_sent(index: ModuleIndex) -> set[int]:
    """The contents (by id) of the messages added to a history that outlives the request
    (`self.cur_messages += [dict(role="user", content=inp)]`, later_messages.py): sent once as
    the newest message, then kept as the text they were, so the order they were built in is
    not sent again in another order."""
    added = index.derived(added_to_conversation)
    found: set[int] = set()
    for node, _ in index.dicts:
        if id(node) in added:
            found.update(
                id(value)
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant) and key.value == "content"
            )
    for site in index.calls:
        if id(site.call) in added:
            found.update(id(k.value) for k in site.call.keywords if k.arg == "content")
            found.update(id(argument) for argument in site.call.args[:1])
    return found


def kept_as_sent(module: PythonModule, sink: Sink) -> bool:
    """Whether the sink is the content of a message added to a conversation under way, also
    through a method of the module that adds it (`self.send_message(inp)` appending
    `dict(role="user", content=inp)` to the kept history)."""
    kept = module.index.derived(_contents_kept_as_sent)
    if id(sink.expression) in kept or _added_by_method(sink):
        return True
    if sink.kind != "content" or sink.call is None:
        return False
    callee = own_function(sink.call.func, sink.scope)
    if callee is None:
        return False
    # The callee's own messages made of what it is handed (`content=inp`).
    parameters = set(callee.parameter_names[1:] if callee.class_info else callee.parameter_names)
    inner = [
        s
        for s in module.sinks
        if s.kind == "content"
        and _within(s.scope, callee.scope)
        and any(isinstance(n, ast.Name) and n.id in parameters for n in ast.walk(s.expression))
    ]
    return bool(inner) and all(id(s.expression) in kept or _added_by_method(s) for s in inner)


def _within(scope: Scope | None, outer: Scope) -> bool:
    for _ in range(64):
        if scope is None:
            return False
        if scope is outer:
            return True
        scope = scope.parent
    return False


def _added_by_method(sink: Sink) -> bool:
    """The content of `conversation.add(role, content)`: one message added, kept as sent."""
    call = sink.call
    return (
        sink.kind == "content"
        and call is not None
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in _ADDING_METHODS
    )
