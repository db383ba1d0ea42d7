"""The calls of a TypeScript or JavaScript file that send an LLM request, and which of their
arguments are the cached prefix: the system prompt (or instructions) and the tool definitions.

Each SDK's sinks are taken from its documented signatures, and a call counts only in a file
that imports the SDK (a `.messages.create()` of some other library is not Anthropic's):
- `openai`: `client.chat.completions.create({messages, tools})`, and
  `client.responses.create({instructions, tools, input})`;
- `@anthropic-ai/sdk`: `client.messages.create({system, tools, messages})`, and `.stream`;
- the Vercel AI SDK `ai`: `generateText`, `streamText`, `generateObject`, `streamObject`
  (`{instructions, system, prompt, messages, tools}`: `system` is the deprecated name of
  `instructions` in vercel/ai's `Prompt` type), and `new ToolLoopAgent({instructions, tools})`
  (https://ai-sdk.dev/docs/agents/building-agents, read 2026-12-03);
- `@openai/agents` and Mastra (`@mastra/core`): `new Agent({instructions, tools})`, where
  `instructions` may be a function called on every run
  (https://mastra.ai/docs/agents/dynamic-agents, read 2026-12-03).

In `messages` (and the Responses API's `input`), a message whose role is `system` or
`developer` is the system prompt too.

The history sent after the prefix, `messages` (or `input`) of a call, is recorded too, as
the part "the messages": CTX006 follows the changes made to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript, matches
from ctxlint.typescript.scope import object_properties, resolved, string_value

_OPENAI = ("openai",)
_ANTHROPIC = ("@anthropic-ai/sdk", "@anthropic-ai/")
_AI_SDK = ("ai",)
_AGENTS = ("@openai/agents", "@mastra/core")

# The member calls, by how the callee ends: the SDK that must be imported, the properties
# that are the system prompt, those that are the tool definitions, those holding messages.
_MEMBER_SINKS = (
    ((".chat.completions.create", ".chat.completions.stream", ".chat.completions.parse"),
     _OPENAI, (), ("tools",), ("messages",)),
    ((".responses.create", ".responses.stream", ".responses.parse"),
     _OPENAI, ("instructions",), ("tools",), ("input",)),
    ((".messages.create", ".messages.stream"),
     _ANTHROPIC, ("system",), ("tools",), ()),
)  # fmt: skip
# Calls of a function imported by name.
# The AI SDK's `Prompt` (packages/ai/src/prompt/prompt.ts): `instructions`, and `system` kept
# as its deprecated name; `prompt` may be a list of messages too.
_AI_PROMPT = (_AI_SDK, ("system", "instructions"), ("tools",), ("messages", "prompt"))
_FUNCTION_SINKS = dict.fromkeys(
    ("generateText", "streamText", "generateObject", "streamObject"), _AI_PROMPT
)
# Classes constructed with `new`, by the name they were imported as.
_CLASS_SINKS = {
    "Agent": (_AGENTS, ("instructions",), ("tools",), ()),
    "ToolLoopAgent": (_AI_SDK, ("instructions", "system"), ("tools",), ()),
    "Experimental_Agent": (_AI_SDK, ("system",), ("tools",), ()),
}
_SYSTEM_ROLES = ("system", "developer")
SYSTEM_PROMPT = "the system prompt"
TOOLS = "the tool definitions"
# The conversation sent after the prefix: `messages` (the Responses API's `input`). The AI
# SDK's `prompt` is left out: it is most often the user's text, not a kept history.
HISTORY = "the messages"
_HISTORY_KEYS = ("messages", "input")


@dataclass(frozen=True, slots=True)
class Sink:
    """A value sent in the cached prefix: the call that sends it, what it is sent as (the
    system prompt, the tool definitions), and the expression of the value."""

    call: Node
    callee: str
    part: str
    value: Node
    # A value sent because its name says it is the system prompt (ctxlint.typescript.
    # named_prompts): what it is sent as, and `call` is the name, not a call.
    described: str = ""

    @property
    def in_tools(self) -> bool:
        return self.part == TOOLS

    @property
    def in_history(self) -> bool:
        return self.part == HISTORY

    @property
    def by_name(self) -> bool:
        return bool(self.described)

    @property
    def label(self) -> str:
        return self.described or f"{self.part} of {self.callee}"


def imported_modules(parsed: ParsedScript) -> dict[str, str]:
    """Each name the file binds by an import or a `require`, to the module it comes from;
    and under "" the modules imported for their effect or by a namespace. Found once per
    file (the sinks and several rules ask); not to be changed by the caller."""
    known = parsed.memo.get("imports")
    if known is None:
        known = parsed.memo["imports"] = _imported_modules(parsed)
    return known


def _imported_modules(parsed: ParsedScript) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in parsed.root.children:
        if node.type == "import_statement":
            source = node.child_by_field_name("source")
            module = string_value(parsed, source) if source is not None else None
            if module is None:
                continue
            names.setdefault("", "")
            names[f"\0{module}"] = module
            for name in _bound_names(node):
                names[parsed.text(name)] = module
    # The query walks the whole tree: not asked of a file that never calls `require(`.
    requires = _candidates(parsed, _REQUIRE) if _REQUIRE_CALL.search(parsed.data) else []
    for call in requires:
        arguments = call.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments and arguments.named_children else None
        module = string_value(parsed, first) if first is not None else None
        if module is not None:
            names[f"\0{module}"] = module
            declarator = call.parent
            if declarator is not None and declarator.type == "variable_declarator":
                for name in _pattern_names(declarator.child_by_field_name("name")):
                    names[parsed.text(name)] = module
    return names


def find_sinks(parsed: ParsedScript, project=None) -> list[Sink]:
    """The file's sinks; given the run's ScriptProject, the calls of wrappers it imports
    too (ctxlint.typescript.wrappers)."""
    from ctxlint.typescript.framework_sinks import framework_sinks  # It imports Sink from here.

    imports = imported_modules(parsed)
    modules = {value for key, value in imports.items() if key.startswith("\0")}
    sinks: list[Sink] = []
    for node in _candidates(parsed):
        if node.type == "call_expression":
            spec = _call_spec(parsed, node, imports, modules)
        elif node.type == "new_expression":
            spec = _new_spec(parsed, node, imports)
        else:
            continue
        if spec is None:
            continue
        callee, system_keys, tool_keys, message_keys = spec
        arguments = node.child_by_field_name("arguments")
        if arguments is None or not arguments.named_children:
            continue
        properties = _request_properties(parsed, arguments.named_children[0])
        if properties is None:
            continue
        for key, value in properties.items():
            if key in _HISTORY_KEYS and node.type == "call_expression":
                sinks.append(Sink(node, callee, HISTORY, value))
            if key in system_keys:
                sinks.append(Sink(node, callee, SYSTEM_PROMPT, value))
            elif key in tool_keys:
                sinks.append(Sink(node, callee, TOOLS, value))
            elif key in message_keys:
                sinks.extend(
                    Sink(node, callee, SYSTEM_PROMPT, content)
                    for content in _system_contents(parsed, value)
                )
    sinks += framework_sinks(parsed, imports)
    # The project's own wrappers of these calls, in this file and imported.
    from ctxlint.typescript.wrappers import wrapper_sinks

    sinks.extend(wrapper_sinks(parsed, sinks, project))
    # A value sent by a call is that call's sink, whatever it is named (`systemPrompt:`).
    sent = {sink.value.id for sink in sinks}
    sinks.extend(s for s in _named_sinks(parsed, modules) if s.value.id not in sent)
    return sinks


_LLM_MODULES = (*_OPENAI, *_ANTHROPIC, *_AI_SDK, *_AGENTS, "@langchain/", "@google/genai")


def _named_sinks(parsed: ParsedScript, modules: set[str]) -> Iterator[Sink]:
    from ctxlint.typescript import looks_like_a_test, names_a_system_prompt
    from ctxlint.typescript.named_prompts import named_prompts

    # A test reads prompts back to assert on them; the one it names is never sent in earnest.
    if looks_like_a_test(parsed.path) or not names_a_system_prompt(parsed.data, True):
        return
    imports_llm = any(_module_matches(module, _LLM_MODULES) for module in modules)
    for name, label, value in named_prompts(parsed, imports_llm):
        yield Sink(name, parsed.text(name), SYSTEM_PROMPT, value, label)


def _request_properties(parsed: ParsedScript, request: Node) -> dict[str, Node] | None:
    """The properties of a request: an object literal (spreads included), or one merged by
    `Object.assign({}, base, { tools })`, a later object's property replacing an earlier."""
    found = resolved(parsed, request)
    if found is None:
        return None
    if found.type == "object":
        return object_properties(parsed, found)
    function = found.child_by_field_name("function") if found.type == "call_expression" else None
    arguments = found.child_by_field_name("arguments") if function is not None else None
    if function is None or arguments is None or parsed.text(function) != "Object.assign":
        return None
    merged: dict[str, Node] = {}
    for part in arguments.named_children:
        literal = resolved(parsed, part)
        if literal is not None and literal.type == "object":
            merged.update(object_properties(parsed, literal))
    return merged or None


def _module_matches(module: str, wanted: tuple[str, ...]) -> bool:
    return any(module == name or module.startswith(name.rstrip("/") + "/") for name in wanted)


def _call_spec(parsed: ParsedScript, call: Node, imports: dict[str, str], modules: set[str]):
    function = call.child_by_field_name("function")
    if function is None:
        return None
    if function.type == "identifier":
        name = parsed.text(function)
        found = _FUNCTION_SINKS.get(name)
        if found is None or not _module_matches(imports.get(name, ""), found[0]):
            return None
        return (name, *found[1:])
    if function.type != "member_expression":
        return None
    callee = "".join(parsed.text(function).split())
    for endings, sdk, system_keys, tool_keys, message_keys in _MEMBER_SINKS:
        if callee.endswith(endings) and any(_module_matches(m, sdk) for m in modules):
            return (shortened_callee(callee), system_keys, tool_keys, message_keys)
    return None


def _new_spec(parsed: ParsedScript, new: Node, imports: dict[str, str]):
    constructor = new.child_by_field_name("constructor")
    if constructor is None or constructor.type != "identifier":
        return None
    name = parsed.text(constructor)
    found = _CLASS_SINKS.get(name)
    if found is None or not _module_matches(imports.get(name, ""), found[0]):
        return None
    return (f"new {name}", *found[1:])


def shortened_callee(callee: str) -> str:
    """A callee as a message names it: at most 40 characters, its end kept."""
    return callee if len(callee) <= 40 else "…" + callee[-39:]


def _system_contents(parsed: ParsedScript, messages: Node) -> Iterator[Node]:
    """The content of each message of a literal list whose role is system or developer."""
    listed = resolved(parsed, messages)
    if listed is None or listed.type != "array":
        return
    for element in listed.named_children:
        message = resolved(parsed, element)
        if message is None or message.type != "object":
            continue
        properties = object_properties(parsed, message)
        role = properties.get("role")
        if role is None or string_value(parsed, role) not in _SYSTEM_ROLES:
            continue
        content = properties.get("content")
        if content is not None:
            yield content


def _bound_names(statement: Node) -> Iterator[Node]:
    for clause in statement.named_children:
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                yield part
            elif part.type == "namespace_import":
                yield from (c for c in part.named_children if c.type == "identifier")
            elif part.type == "named_imports":
                for specifier in part.named_children:
                    alias = specifier.child_by_field_name("alias")
                    name = alias or specifier.child_by_field_name("name")
                    if name is not None:
                        yield name


def _pattern_names(pattern: Node | None) -> Iterator[Node]:
    if pattern is None:
        return
    if pattern.type == "identifier":
        yield pattern
        return
    for child in pattern.named_children:
        if child.type in ("shorthand_property_identifier_pattern", "identifier"):
            yield child
        elif child.type == "pair_pattern":
            value = child.child_by_field_name("value")
            if value is not None and value.type == "identifier":
                yield value


def _candidates(parsed: ParsedScript, source: str | None = None) -> list[Node]:
    """The calls and `new`s that may be sinks (by the name called), in the file's order."""
    found: dict[int, Node] = {}
    for captures in matches(parsed, source or _CANDIDATES):
        for node in captures.get("call", ()):
            found.setdefault(node.id, node)
    return sorted(found.values(), key=lambda node: node.start_byte)


def _quoted(names) -> str:
    return " ".join(f'"{name}"' for name in sorted(names))


_METHODS = {ending.rsplit(".", 1)[1] for endings, *_ in _MEMBER_SINKS for ending in endings}
_CANDIDATES = f"""
((call_expression function: (identifier) @name) @call (#any-of? @name {_quoted(_FUNCTION_SINKS)}))
((call_expression function: (member_expression property: (property_identifier) @name)) @call
 (#any-of? @name {_quoted(_METHODS)}))
((new_expression constructor: (identifier) @name) @call (#any-of? @name {_quoted(_CLASS_SINKS)}))
"""
_REQUIRE_CALL = re.compile(rb"require\s*\(")
_REQUIRE = '((call_expression function: (identifier) @name) @call (#eq? @name "require"))'
