"""A conversation object whose system prompt is replaced while the conversation goes on, for
CTX011: `conversation = Conversation(system=A)`, turns sent, then `conversation.system = B`
and more turns sent. Every request after the swap misses the cache from its first token: the
largest requests of the conversation, its last ones, pay for the whole history again.

Looked for within one function, on a local name made by a call given a system prompt: an
object whose system prompt is set where it is made, used before the swap (a turn) and after
it (another turn), with no reset of its history between them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ctxlint.python.index import ModuleIndex
from ctxlint.python.own_nodes import own_nodes

# Keywords and attributes that hold a conversation's system prompt.
_SYSTEM_FIELDS = frozenset(
    {"system", "system_prompt", "system_message", "instructions", "system_instruction"}
)
# `system=` also names an operating system: the new value must say it is a prompt.
_PROMPT_WORDS = re.compile(r"(?i)prompt|system|instruction|persona")
# Calls on the object that start its history afresh: what follows is a new conversation.
_RESETS = re.compile(r"(?i)^(clear|reset|restart|new|fork|copy|clone)")
# Calls that run a conversation handed to them, or methods that send its next turn.
_SENDS = re.compile(
    r"(?i)^a?(send|run|chat|ask|step|complete|generate|invoke|query|respond|reply|stream|call)"
)
_HISTORY_FIELDS = re.compile(r"(?i)messages|history|turns|items")
_CONSTRUCTORS = frozenset({"__init__", "__post_init__", "setup"})
_MAX_NODES = 20000


@dataclass(frozen=True, slots=True)
class Swap:
    """`conversation.system = B` (the assignment), after `made` set it first."""

    assignment: ast.Assign
    name: str
    field: str
    made: ast.Call


# `conversation.system = B` as the text spells it: a module without one has no swap to find.
_SWAP_TEXT = re.compile(
    r"\.(?:system|system_prompt|system_message|instructions|system_instruction)[ \t]*=[^=]"
)


def may_swap(text: str) -> bool:
    """Whether the module's text assigns a system prompt field of an object at all: the
    search below walks every function, and most modules assign none."""
    return _SWAP_TEXT.search(text) is not None


def system_swaps(index: ModuleIndex) -> Iterator[Swap]:
    for function in index.functions:
        node = function.node
        if isinstance(node, ast.Lambda) or function.name in _CONSTRUCTORS:
            continue
        nodes = list(own_nodes(node, _MAX_NODES + 1))
        if len(nodes) > _MAX_NODES:
            continue
        made = _made_with_a_system_prompt(nodes)
        if not made:
            continue
        for assignment in nodes:
            swap = _swap_of(assignment, made)
            if swap is not None and _used_around(nodes, swap):
                yield swap


def _made_with_a_system_prompt(nodes: list[ast.AST]) -> dict[str, tuple[ast.Call, set[str]]]:
    """Local names assigned once, from a call given a system prompt by keyword."""
    made: dict[str, tuple[ast.Call, set[str]]] = {}
    assigned: dict[str, int] = {}
    for node in nodes:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if not isinstance(target, ast.Name):
            continue
        assigned[target.id] = assigned.get(target.id, 0) + 1
        value = node.value
        if isinstance(value, ast.Call):
            fields = {k.arg for k in value.keywords if k.arg in _SYSTEM_FIELDS}
            if fields:
                made[target.id] = (value, fields)  # type: ignore[assignment]
    return {name: found for name, found in made.items() if assigned[name] == 1}


def _swap_of(node: ast.AST, made: dict[str, tuple[ast.Call, set[str]]]) -> Swap | None:
    if not isinstance(node, ast.Assign) or len(node.targets) != 1:
        return None
    target = node.targets[0]
    if not (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.attr in _SYSTEM_FIELDS
        and target.value.id in made
    ):
        return None
    call, fields = made[target.value.id]
    if target.attr not in fields or node.lineno <= call.lineno:
        return None
    first = next(k.value for k in call.keywords if k.arg == target.attr)
    if ast.dump(first) == ast.dump(node.value):
        return None
    if target.attr == "system" and not _PROMPT_WORDS.search(ast.unparse(node.value)):
        return None
    return Swap(node, target.value.id, target.attr, call)


def _used_around(nodes: list[ast.AST], swap: Swap) -> bool:
    """The object took part in a call between its making and the swap, and after the swap,
    and nothing started its history afresh after the swap."""
    before = after = False
    line = swap.assignment.lineno
    for node in nodes:
        if isinstance(node, ast.Call) and _involves(node, swap.name):
            position = node.lineno
            if swap.made.lineno < position < line:
                before = before or _runs(node, swap.name)
            elif position > line:
                if _starts_afresh(node, swap.name):
                    return False
                after = True
        elif isinstance(node, ast.Assign) and node.lineno > line:
            for target in node.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == swap.name
                    and _HISTORY_FIELDS.search(target.attr)
                ):
                    return False
    return before and after


def _involves(call: ast.Call, name: str) -> bool:
    function = call.func
    if isinstance(function, ast.Attribute) and _is_name(function.value, name):
        return True
    arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
    return any(_is_name(argument, name) for argument in arguments)


def _runs(call: ast.Call, name: str) -> bool:
    """The conversation is handed to a call (a loop that drives it), or told to send."""
    function = call.func
    if isinstance(function, ast.Attribute) and _is_name(function.value, name):
        return _SENDS.match(function.attr) is not None
    return True


def _starts_afresh(call: ast.Call, name: str) -> bool:
    function = call.func
    return (
        isinstance(function, ast.Attribute)
        and _is_name(function.value, name)
        and _RESETS.match(function.attr) is not None
    )


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name
