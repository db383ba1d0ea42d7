"""Which `JSON.stringify` calls write keys in an order that can differ between two requests of
one conversation.

`JSON.stringify` writes an object's keys in their insertion order (integer-like keys first),
which is the same on every run of the same code path: an object literal, a spread merge of
fixed objects, or `JSON.parse` of the same text (which keeps the text's order) serialise the
same way each time, and are not flagged. The order varies only when the data's order does:

- an object filled from a collection whose order varies (ctxlint.typescript.unordered): keys
  added as async calls complete, or taken from a glob listing (`Object.fromEntries(...)`);
- a tool call's parsed arguments written back into the history as text
  (`function: { name, arguments: JSON.stringify(part.input) }`). The object is not the text
  the model wrote: SDKs validate it against the tool's schema (zod's `parse` rebuilds an object
  in the schema's key order), and an application keeps its history between turns, often in a
  database whose JSON type reorders keys (PostgreSQL's `jsonb` "does not preserve the order of
  object keys", https://www.postgresql.org/docs/current/datatype-json.html). The history is
  converted again for every request, so a later request can write an old tool call with its
  keys in another order, and the cached prefix ends there. OpenRouter's AI SDK provider fixed
  this with a key-sorting stringify (https://github.com/OpenRouterTeam/ai-sdk-provider/pull/472:
  "when the AI SDK deserializes and re-serializes tool call arguments across turns, key order
  changes can break prompt caching").

A stringify with a replacer is left alone: a function may sort, and an array of keys fixes
the order itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript, matches
from ctxlint.typescript.scope import string_value, unwrapped
from ctxlint.typescript.unordered import OrderSource, order_source

# The names of a tool call's input once it is validated against the tool's schema: the AI
# SDK's `input` (`args` before v5; its `parseToolCall` keeps what the schema's parse returns,
# and zod builds that object in the schema's key order, not the model's), Genkit's
# `toolRequest.input`. A property named `arguments` (pi-ai, OpenAI-style messages) is most
# often the parse of the model's own text, kept as it is in a session file that keeps the
# order: the same text on every request, so it is left alone.
_TOOL_INPUTS = frozenset({"input", "args", "toolInput"})
# A wire format's tool call in the history: `{ type: "function_call", name, arguments }`
# (OpenAI Responses), or the `function` of a Chat Completions tool call.
_CALL_TYPES = frozenset({"function_call"})
_STRINGIFY = "JSON.stringify"
_REPLAYS = """
(pair key: (property_identifier) @key value: (call_expression) @call (#eq? @key "arguments"))
"""


@dataclass(frozen=True, slots=True)
class Unstable:
    """A `JSON.stringify` call whose keys can come in another order, and why."""

    call: Node
    source: OrderSource


def is_stringify(parsed: ParsedScript, call: Node) -> bool:
    function = call.child_by_field_name("function")
    return function is not None and "".join(parsed.text(function).split()) == _STRINGIFY


def stringified(parsed: ParsedScript, call: Node) -> Node | None:
    """The value a `JSON.stringify` call serialises, None when a replacer decides the keys."""
    arguments = call.child_by_field_name("arguments")
    if arguments is None or not arguments.named_children:
        return None
    given = arguments.named_children
    if len(given) > 1 and parsed.text(given[1]) not in ("null", "undefined"):
        return None
    return given[0]


def unstable_stringify(
    parsed: ParsedScript, call: Node, imports: dict[str, str]
) -> OrderSource | None:
    """Why the keys `JSON.stringify(value)` writes come in an order that varies: the value is
    an object filled from a collection of varying order; None otherwise."""
    if call.type != "call_expression" or not is_stringify(parsed, call):
        return None
    value = stringified(parsed, call)
    if value is None:
        return None
    return order_source(parsed, value, imports)


def replayed_arguments(parsed: ParsedScript) -> Iterator[tuple[Node, Node]]:
    """Each `JSON.stringify(call.input)` written as the `arguments` of a tool call in the
    history, with the parsed input it serialises."""
    for captures in matches(parsed, _REPLAYS):
        for call in captures.get("call", ()):
            if not is_stringify(parsed, call):
                continue
            value = stringified(parsed, call)
            if value is None or not _in_tool_call(parsed, call):
                continue
            value = _without_default(value)
            if _is_tool_input(parsed, value):
                yield call, value


def _in_tool_call(parsed: ParsedScript, call: Node) -> bool:
    """Whether the object holding `arguments: <call>` is a tool call of a wire format: the
    `function` of a Chat Completions tool call, or a Responses API `function_call` item, with
    the tool's `name` beside the arguments."""
    pair = call.parent
    literal = pair.parent if pair is not None else None
    if literal is None or literal.type != "object":
        return False
    keys = {}
    for child in literal.named_children:
        if child.type == "pair":
            key = child.child_by_field_name("key")
            if key is not None:
                keys[parsed.text(key)] = child.child_by_field_name("value")
        elif child.type == "shorthand_property_identifier":
            keys[parsed.text(child)] = child
    if "name" not in keys:
        return False
    kind = keys.get("type")
    if kind is not None and string_value(parsed, unwrapped(kind)) in _CALL_TYPES:
        return True
    holder = literal.parent
    if holder is None or holder.type != "pair":
        return False
    key = holder.child_by_field_name("key")
    return key is not None and parsed.text(key) == "function"


def _without_default(value: Node) -> Node:
    """`part.input ?? {}` and `part.input || {}` serialise `part.input`."""
    value = unwrapped(value)
    if value.type == "binary_expression":
        operator = value.child_by_field_name("operator")
        left = value.child_by_field_name("left")
        if operator is not None and operator.type in ("??", "||") and left is not None:
            return unwrapped(left)
    return value


def _is_tool_input(parsed: ParsedScript, value: Node) -> bool:
    """A kept tool call's validated input: `part.input`, `part.toolRequest.input`. A bare
    name (`args`) is left alone: most often a parameter a test or a helper passes a literal
    to, whose order is the literal's."""
    if value.type != "member_expression":
        return False
    name = value.child_by_field_name("property")
    return name is not None and parsed.text(name) in _TOOL_INPUTS
