"""Messages written to a memory store, not sent: `memory.add(messages=[{"role": "user",
"content": text}], user_id=u)` (mem0 and stores shaped like it) hands a conversation to an
indexing API that extracts facts from it. The message dicts built for such a call are no part
of a model request, so they are not sinks.

Only a call that names its owner (`user_id=`, `agent_id=`, `run_id=`) counts: mem0 refuses an
`add` without one, while a conversation memory's `add(message)` keeps the message for the next
request. A list bound to a name counts only when every read of the name in its function is such
a call.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ctxlint.python.index import CallSite, ModuleIndex, Scope
from ctxlint.python.names import lookup
from ctxlint.python.retrieval import receiver_words

_MEMORY_WORDS = frozenset({"memory", "memories", "mem", "mem0"})
_ADD_METHODS = frozenset({"add", "aadd"})
# The keywords that scope a write to a user, an agent or a run.
_OWNER_KEYWORDS = frozenset({"user_id", "agent_id", "run_id"})
# How deep a conditional choosing between lists is followed.
_MAX_DEPTH = 4


def written_to_memory(index: ModuleIndex) -> set[int]:
    """The ids of the message dicts and message calls that only a memory store's `add` gets."""
    found: set[int] = set()
    for site in _add_calls(index):
        argument = _messages_argument(site.call, site.scope)
        if isinstance(argument, ast.List):
            found.update(_messages_of(argument, 0))
        elif isinstance(argument, ast.Name):
            found.update(_messages_bound_to(argument.id, site.scope, index))
    return found


def _add_calls(index: ModuleIndex) -> list[CallSite]:
    return [site for method in _ADD_METHODS for site in index.calls_by_name.get(method, ())]


def _messages_argument(call: ast.Call, scope: Scope) -> ast.expr | None:
    """The conversation handed to `memory.add(...)` (first positional or `messages=`), when the
    call is a memory store's owner-scoped write."""
    function = call.func
    if not (isinstance(function, ast.Attribute) and function.attr in _ADD_METHODS):
        return None
    keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
    if not keywords.keys() & _OWNER_KEYWORDS:
        return None
    if not receiver_words(function, scope) & _MEMORY_WORDS:
        return None
    if "messages" in keywords:
        return keywords["messages"]
    return call.args[0] if call.args else None


def _messages_of(value: ast.expr, depth: int) -> Iterator[int]:
    """The messages listed in a value: a list display's items, through `a if c else b`."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, ast.List):
        yield from (id(item) for item in value.elts if isinstance(item, (ast.Dict, ast.Call)))
    elif isinstance(value, ast.IfExp):
        yield from _messages_of(value.body, depth + 1)
        yield from _messages_of(value.orelse, depth + 1)


def _messages_bound_to(name: str, scope: Scope, index: ModuleIndex) -> set[int]:
    """The messages of the lists a local name is assigned, when the function reads the name
    nowhere but in memory writes."""
    function = scope.function
    if function is None:
        return set()
    bindings = lookup(name, scope)
    if not bindings or any(b.kind != "assign" or b.scope is not scope for b in bindings):
        return set()
    written = set()
    for site in _add_calls(index):
        if site.scope is scope:
            argument = _messages_argument(site.call, site.scope)
            if isinstance(argument, ast.Name) and argument.id == name:
                written.add(id(argument))
    for node in ast.walk(function.node):
        if (
            isinstance(node, ast.Name)
            and node.id == name
            and isinstance(node.ctx, ast.Load)
            and id(node) not in written
        ):
            return set()
    found: set[int] = set()
    for binding in bindings:
        if isinstance(binding.value, ast.expr):
            found.update(_messages_of(binding.value, 0))
    return found
