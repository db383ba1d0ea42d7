"""Values a TypeScript or JavaScript file names as the system prompt, with or without an SDK
call in the file: `function buildSystemPrompt()`, `const SYSTEM_PROMPT = ...`, a class's
`systemPrompt` field or getter, an object's `systemPrompt:` property, `this.systemPrompt = x`,
and the argument of `agent.setSystemPrompt(x)`.

Agents rarely build the prompt where they call the SDK: a builder in one module returns it,
the agent loop (or a host's hook, a framework's config) sends it. The name is what the two
places share, and the Python side reads it the same way: a camelCase name is split into
snake words and judged by `ctxlint.python.sink_names.is_system_prompt_name`, so the two
languages agree on `systemPromptTokens` (a count), `isSystemPrompt` (a flag) and
`nonSystemMessages` (every message but that one).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ctxlint.python.sink_names import is_system_prompt_name
from ctxlint.typescript.parse import ParsedScript, matches
from ctxlint.typescript.scope import FUNCTIONS, object_properties, returned, unwrapped

# `buildSystemPrompt` -> `build_System_Prompt`; `XMLSystemPrompt` -> `XML_System_Prompt`.
_LOWER_UPPER = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ACRONYM_END = re.compile(r"(?<=[A-Z])(?=[A-Z][a-z])")
# Setters whose argument becomes the system prompt.
_SETTER_WORDS = ("set", "update", "replace", "override")


def snake_words(name: str) -> str:
    """A JavaScript name in the snake case the Python names are judged in."""
    spaced = _ACRONYM_END.sub("_", _LOWER_UPPER.sub("_", name.lstrip("#$")))
    return spaced.lower()


def names_system_prompt(name: str, imports_llm: bool) -> bool:
    """`systemPrompt` says so anywhere; `systemMessage` also names other things (a chat app's
    notices), so it counts only in a file that imports an LLM SDK, as on the Python side."""
    snake = snake_words(name)
    if not is_system_prompt_name(snake):
        return False
    return "prompt" in snake or "instruction" in snake or imports_llm


# An option whose value is added to the system prompt: `appendSystemPrompt: text` (the Claude
# Agent SDK's and pi's options). As a property it is the text, not an action on a prompt.
_ADDING_WORDS = ("append", "prepend")


def _option_name(holder: Node, name: str) -> str:
    if holder.type != "pair":
        return name
    words = snake_words(name).split("_", 1)
    return words[1] if len(words) == 2 and words[0] in _ADDING_WORDS else name


def _passed_to_a_call(holder: Node) -> bool:
    """`createAgent({ systemPrompt })`: an option passed straight to a call is judged by the
    callee (an SDK's own table, or the project's wrapper of one), not by its name; a property
    elsewhere (a hook's result, a config returned or kept) is judged by its name."""
    literal = holder.parent
    return (
        holder.type == "pair"
        and literal is not None
        and literal.parent is not None
        and (literal.parent.type == "arguments")
    )


def _setter_target(name: str) -> str | None:
    """`setSystemPrompt` -> `system_prompt`: the name of what a setter sets."""
    words = snake_words(name).split("_", 1)
    if len(words) == 2 and words[0] in _SETTER_WORDS:
        return words[1]
    return None


def named_prompts(parsed: ParsedScript, imports_llm: bool) -> Iterator[tuple[Node, str, Node]]:
    """Each value named as the system prompt: (the name, the label, the value). A function's
    value is the function (what it returns is the prompt)."""
    seen: set[int] = set()
    for captures in matches(parsed, _query(parsed.grammar)):
        names, holders = captures.get("name", ()), captures.get("holder", ())
        if not names or not holders:
            continue
        name_node, holder = names[0], holders[0]
        name = parsed.text(name_node)
        if holder.type == "call_expression":
            target = _setter_target(name)
            arguments = holder.child_by_field_name("arguments")
            if target is None or arguments is None or not arguments.named_children:
                continue
            if not names_system_prompt(target, imports_llm):
                continue
            value = arguments.named_children[0]
            label = f"the system prompt set by {name}()"
        else:
            if not names_system_prompt(_option_name(holder, name), imports_llm):
                continue
            if _passed_to_a_call(holder):
                continue
            value = _held_value(holder)
            value = _prompt_text(parsed, value) if value is not None else None
            if value is None:
                continue
            if unwrapped(value).type in FUNCTIONS:
                label = f"the system prompt returned by {name}()"
            else:
                label = f"the system prompt, kept in `{name}`"
        if value.id not in seen:
            seen.add(value.id)
            yield name_node, label, value


def _prompt_text(parsed: ParsedScript, value: Node) -> Node | None:
    """Where the text of a named prompt is: the value itself, the `content` of a message
    object (`const systemMessage = { role: "system", content }`); None for a record a
    function builds (`createSystemMessage()` returning `{ type: "system", uuid, timestamp }`
    for a transcript), which is not sent as it is."""
    bare = unwrapped(value)
    if bare.type == "object":
        return object_properties(parsed, bare).get("content")
    if bare.type in FUNCTIONS:
        values = [unwrapped(v) for v in returned(bare)]
        if values and all(v.type == "object" for v in values):
            return None
    return value


def _held_value(holder: Node) -> Node | None:
    kind = holder.type
    if kind in FUNCTIONS:
        return holder
    if kind == "assignment_expression":
        return holder.child_by_field_name("right")
    return holder.child_by_field_name("value")


_SYSTEM_WORD = '(#match? @name "[Ss]ystem|SYSTEM")'
_COMMON = [
    "(function_declaration name: (identifier) @name) @holder",
    "(generator_function_declaration name: (identifier) @name) @holder",
    "(variable_declarator name: (identifier) @name value: (_)) @holder",
    "(method_definition name: (property_identifier) @name) @holder",
    "(pair key: (property_identifier) @name) @holder",
    "(assignment_expression left: (member_expression property: (property_identifier) @name))"
    " @holder",
    "(call_expression function: (identifier) @name) @holder",
    "(call_expression function: (member_expression property: (property_identifier) @name)) @holder",
]
_FIELDS = {
    "javascript": "(field_definition property: (property_identifier) @name value: (_)) @holder",
    "typescript": "(public_field_definition name: (property_identifier) @name value: (_)) @holder",
    "tsx": "(public_field_definition name: (property_identifier) @name value: (_)) @holder",
}


def _query(grammar: str) -> str:
    patterns = [*_COMMON, _FIELDS.get(grammar, _FIELDS["typescript"])]
    return "\n".join(f"({pattern} {_SYSTEM_WORD})" for pattern in patterns)
