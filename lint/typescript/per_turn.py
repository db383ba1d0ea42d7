"""Per-turn content in TypeScript and JavaScript: values made again on every turn of a
conversation that reach the cached prefix (what CTX011 reports), as on the Python side
(ctxlint.python.per_turn, turn_values): memory and retrieval search results, the user's
newest message, the conversation's length, the last response's token usage, a task list the
agent keeps changing, a count of its turns.

The walk from a prefix value is the text it is composed of (template parts, `+`, a
variable's value and what is added to it later, a ternary's branches and its condition, a
local function's returns). A value only handed to a call of unknown meaning (`format(x)`,
`core.run({ count })`) is followed to find a search, whose results are this turn's whatever is
done with them, but not to find a length or a count, which such a call may never write.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tree_sitter import Node

from ctxlint.typescript.additions import added_later
from ctxlint.typescript.flow import values_elsewhere
from ctxlint.typescript.module import ScriptModule
from ctxlint.typescript.parse import ParsedScript
from ctxlint.typescript.retrieval import is_retrieval, is_turn_input_name, retrieval_label
from ctxlint.typescript.scope import (
    FUNCTIONS,
    binding,
    declaration,
    enclosing_function,
    in_a_function,
    is_parameter_of,
    object_properties,
    resolved,
    returned,
    string_value,
    unwrapped,
)
from ctxlint.typescript.sinks import Sink
from ctxlint.typescript.turn_state import is_task_list, is_turn_counter, loop_count

if TYPE_CHECKING:
    from ctxlint.typescript.project import ScriptProject

_DEPTH = 14
_TYPES = frozenset(
    {
        "type_annotation",
        "type_arguments",
        "type_parameters",
        "formal_parameters",
        "comment",
        "regex",
    }
)
# A conversation, by the name it is kept under (`parsed.messages`, `this.history`).
_HISTORY = re.compile(r"(?i)^_*(messages|msgs|history|chat_?history|conversation|turns)$")
# Counts of a response's tokens (the AI SDK's `usage.inputTokens`, OpenAI's `prompt_tokens`).
_TOKEN_COUNTS = frozenset(
    {
        "inputTokens",
        "outputTokens",
        "totalTokens",
        "promptTokens",
        "completionTokens",
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "prompt_tokens",
        "completion_tokens",
        "tokensUsed",
    }
)
# Calls that only turn their arguments into text: what is written stays in the prompt.
_TEXT_CALLS = frozenset({"String", "stringify", "join", "concat", "trim", "trimEnd", "trimStart"})
_TASK_RENDERER = re.compile(r"(?i)todo|task|plan|checklist")
_PI_HOOK = "`before_agent_start`"


@dataclass(frozen=True, slots=True)
class PerTurnSource:
    """Per-turn content as a finding names it: `shown` is where the prompt's text takes it in,
    `made` where it is searched when that is elsewhere."""

    shown: Node
    what: str
    verb: str = "is"
    made: Node | None = None
    # The file `shown` and `made` are in: the sink's, or one it imports (with the project).
    parsed: ParsedScript | None = None


def per_turn_sources(module: ScriptModule, sink: Sink) -> Iterator[PerTurnSource]:
    """The per-turn values a prefix sink's value is made of, in the sink's file and, given
    the module's project, in the files it imports."""
    if _one_question(module, sink) or not in_a_function(sink.value):
        return
    hook = enclosing_function(sink.value) if sink.callee == _PI_HOOK else None
    for where, node, shown, composed in _parts(module.parsed, sink, module.project, hook):
        if node.type == "call_expression":
            if is_retrieval(where, node, hook) and not _in_constructor(node):
                made = node if node is not shown else None
                yield PerTurnSource(shown, retrieval_label(where, node), "are", made, where)
            continue
        if not composed or _in_constructor(node):
            continue
        what = _turn_value(where, node, hook)
        # A loop around the request counts turns only in the request's own file.
        if what is None and where is module.parsed:
            what = loop_count(where, node, sink.call)
        if what is not None:
            yield PerTurnSource(shown, what, parsed=where)


def _turn_value(parsed: ParsedScript, node: Node, hook: Node | None) -> str | None:
    """What a name, a member read or an index is, when it changes from one turn to the next."""
    if node.type == "identifier":
        return "the user's newest message" if _sent_as_user_turn(parsed, node) else None
    if node.type == "subscript_expression":
        index = node.child_by_field_name("index")
        target = node.child_by_field_name("object")
        # `messages[messages.length - 1]`: the message the user just sent.
        if index is not None and target is not None and "length" in parsed.text(index):
            return "the newest message" if _is_history(parsed, target) else None
        return None
    if node.type != "member_expression":
        return None
    target = node.child_by_field_name("object")
    name = node.child_by_field_name("property")
    if target is None or name is None:
        return None
    prop = parsed.text(name)
    if prop == "length" and _is_history(parsed, target):
        return "the conversation's length"
    if prop in _TOKEN_COUNTS:
        return "the last response's token usage"
    if prop == "prompt" and hook is not None and is_parameter_of(parsed, target, hook):
        # pi's `BeforeAgentStartEvent.prompt`: what the user just submitted.
        return "the user's newest message"
    if target.type == "this":
        if is_task_list(parsed, node):
            return "the task list"
        if is_turn_counter(parsed, node):
            return "the turn count"
    return None


def _parts(
    parsed: ParsedScript, sink: Sink, project: ScriptProject | None, hook: Node | None = None
) -> Iterator[tuple[ParsedScript, Node, Node, bool]]:
    """Each node the sink's value is made of, with the file it is in, the expression that
    shows it in the prompt's text and whether it is composed into the text (not only handed
    to a call). Given the project, into what the file imports: a builder's returns, a const,
    a method of the project's classes; there a part shows itself (a finding is placed in the
    file that holds the part)."""
    start = unwrapped(sink.value)
    # Until a name shows it, a part written in the text shows itself.
    Pending = tuple[ParsedScript, Node, "Node | None", bool, int]
    if start.type in FUNCTIONS:
        pending: list[Pending] = [(parsed, value, None, True, 0) for value in returned(start)]
    else:
        pending = [(parsed, start, None, True, 0)]
    seen: set[tuple[str, int, bool]] = set()
    while pending:
        where, node, shown, composed, depth = pending.pop()
        node = unwrapped(node)
        key = (where.path, node.id, composed)
        if key in seen or depth > _DEPTH or node.type in _TYPES:
            continue
        seen.add(key)
        kind = node.type
        yield where, node, shown or node, composed
        if kind in ("call_expression", "new_expression"):
            for part, part_shown, part_composed, part_depth in _call_parts(
                where, node, shown, composed, depth
            ):
                pending.append((where, part, part_shown, part_composed, part_depth))
            # A search's own returns are its results, already reported at the call.
            if project is not None and not is_retrieval(where, node, hook):
                pending.extend(
                    (other, value, None, composed, depth + 1)
                    for other, value in values_elsewhere(project, where, node)
                )
        elif kind in ("identifier", "shorthand_property_identifier"):
            # A name the text takes in is what a finding shows, until the walk leaves the text.
            here = node if composed else shown
            for value in _values(where, node):
                pending.append((where, value, here, composed, depth + 1))
            if project is not None:
                pending.extend(
                    (other, value, None, composed, depth + 1)
                    for other, value in values_elsewhere(project, where, node)
                )
        elif kind in FUNCTIONS:
            pending.extend((where, value, shown, composed, depth + 1) for value in returned(node))
        elif kind in ("member_expression", "subscript_expression"):
            target = node.child_by_field_name("object")
            if target is not None:
                pending.append((where, target, shown, composed, depth + 1))
            if project is not None and kind == "member_expression":
                pending.extend(
                    (other, value, None, composed, depth + 1)
                    for other, value in values_elsewhere(project, where, node)
                )
        elif kind != "object":
            # An object written where text is expected is a block list or an option bag.
            pending.extend((where, child, shown, composed, depth) for child in node.named_children)
        else:
            for value in object_properties(where, node).values():
                pending.append((where, value, shown, composed, depth + 1))


def _call_parts(parsed: ParsedScript, call: Node, shown: Node | None, composed: bool, depth: int):
    function = call.child_by_field_name("function") or call.child_by_field_name("constructor")
    arguments = call.child_by_field_name("arguments")
    name = ""
    if function is not None:
        function = unwrapped(function)
        if function.type == "identifier":
            name = parsed.text(function)
            bound = declaration(parsed, function)
            for value in _function_returns(bound):
                yield value, shown, composed, depth + 1
        elif function.type == "member_expression":
            receiver = function.child_by_field_name("object")
            prop = function.child_by_field_name("property")
            name = parsed.text(prop) if prop is not None else ""
            if receiver is not None:
                yield receiver, shown, composed, depth + 1
    # `renderTodos(this.todos)`: a task list's renderer writes the list into the text.
    kept = composed and (name in _TEXT_CALLS or bool(_TASK_RENDERER.search(name)))
    if arguments is not None:
        # Handed to a call that is not known to write it, it is shown by the call.
        given = shown if kept else (shown or call)
        for argument in arguments.named_children:
            yield argument, given, kept, depth + 1


def _values(parsed: ParsedScript, name: Node) -> Iterator[Node]:
    """A variable's value, and what the code after its declaration assigns or adds to it."""
    bound = declaration(parsed, name)
    if bound is None or bound.type != "variable_declarator":
        return
    value = bound.child_by_field_name("value")
    if value is not None and unwrapped(value).type not in FUNCTIONS:
        yield value
    # Latest first, as this walk met them before it shared flow's table of additions: the
    # addition met first decides where a finding is shown.
    yield from reversed(list(added_later(parsed, bound)))


def _function_returns(bound: Node | None) -> Iterator[Node]:
    if bound is None:
        return
    if bound.type in FUNCTIONS:
        yield from returned(bound)
    elif bound.type == "variable_declarator":
        value = bound.child_by_field_name("value")
        if value is not None and unwrapped(value).type in FUNCTIONS:
            yield from returned(unwrapped(value))


def _one_question(module: ScriptModule, sink: Sink) -> bool:
    """The request holds no conversation whose turns could share a prefix: the AI SDK's
    `prompt` alone, or messages written in place (`[system, user]`), as the Python side."""
    if sink.call.type != "call_expression" or sink.callee.startswith("`"):
        return False
    arguments = sink.call.child_by_field_name("arguments")
    first = arguments.named_children[0] if arguments and arguments.named_children else None
    request = resolved(module.parsed, first) if first is not None else None
    if request is None or request.type != "object":
        return False
    properties = object_properties(module.parsed, request)
    sent = [properties[key] for key in ("messages", "input") if key in properties]
    if not sent:
        return "prompt" in properties
    for messages in sent:
        listed = resolved(module.parsed, messages)
        if listed is None or listed.type != "array":
            return False
        if any(element.type != "object" for element in listed.named_children):
            return False
    return True


def _sent_as_user_turn(parsed: ParsedScript, name: Node) -> bool:
    """A parameter named like the user's turn (`userMessage`, `question`) that its function
    also sends as the content of a user message: the turn, copied into the prefix too."""
    text = parsed.text(name)
    bound = binding(parsed, name) if is_turn_input_name(text) else None
    if bound is None or bound[0] != "parameter":
        return False
    pending = [bound[1]]
    while pending:
        node = pending.pop()
        if node.type == "object":
            properties = object_properties(parsed, node)
            role, content = properties.get("role"), properties.get("content")
            if (
                role is not None
                and content is not None
                and string_value(parsed, role) == "user"
                and parsed.text(unwrapped(content)) == text
            ):
                return True
        pending.extend(node.named_children)
    return False


def _is_history(parsed: ParsedScript, node: Node) -> bool:
    node = unwrapped(node)
    if node.type == "member_expression":
        name = node.child_by_field_name("property")
        return name is not None and bool(_HISTORY.match(parsed.text(name)))
    return node.type == "identifier" and bool(_HISTORY.match(parsed.text(node)))


def _in_constructor(node: Node) -> bool:
    function = enclosing_function(node)
    if function is None or function.type != "method_definition":
        return False
    name = function.child_by_field_name("name")
    return name is not None and name.text == b"constructor"
