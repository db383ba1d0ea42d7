"""The prefix sinks of two more SDKs: LangChain.js (with LangGraph's prebuilt agent) and
Google's Gen AI SDK, each counted only in a file that imports it (but for a Gen AI wrapper
called with the SDK's own request shape, below).

LangChain.js (`@langchain/core` 1.x types, and
https://reference.langchain.com/javascript/langchain/index/CreateAgentParams/systemPrompt,
https://reference.langchain.com/javascript/langchain-langgraph/prebuilt/CreateReactAgentParams,
read 2026-12-03):
- `new SystemMessage(text)` and `new SystemMessage({content})` (`@langchain/core/messages`,
  or `langchain` v1, which re-exports it);
- `SystemMessagePromptTemplate.fromTemplate(template)`;
- a `["system", text]` tuple in a list of messages (`ChatPromptTemplate.fromMessages([...])`,
  `model.invoke([...])`);
- `model.bindTools(tools)`: the tool definitions;
- `model.invoke(messages)`, `.stream(messages)`, and a LangGraph agent's
  `agent.invoke({messages})`: the messages sent;
- `createReactAgent({llm, tools, prompt})` of `@langchain/langgraph/prebuilt` (`prompt`, and
  its older names `stateModifier` and `messageModifier`), and `createAgent({model, tools,
  systemPrompt})` of `langchain` v1 (`prompt` in its first releases).

Google Gen AI (`@google/genai` 2.x types, and https://googleapis.github.io/js-genai/ read
2026-12-03): `ai.models.generateContent({model, contents, config: {systemInstruction, tools}})`
and `generateContentStream`, `ai.chats.create({model, history, config})`, `chat.sendMessage
({message, config})` (a per-request config replaces the chat's), `ai.caches.create({model,
config: {systemInstruction, tools, contents}})`, `ai.live.connect({model, config})`; and the
older `@google/generative-ai` (https://ai.google.dev/api/generate-content, still found in apps):
`genAI.getGenerativeModel({model, systemInstruction, tools})`,
`model.startChat({history, systemInstruction, tools})` and
`model.generateContent({contents, systemInstruction, tools})`. The `contents` and `history`
sent are the messages. A wrapper's `.generateContent({model, contents, config})` (gemini-cli's
`ContentGenerator` takes the SDK's `GenerateContentParameters`) counts without the import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ctxlint.typescript.parse import ParsedScript, matches
from ctxlint.typescript.scope import object_properties, resolved, string_value, unwrapped
from ctxlint.typescript.sinks import HISTORY, SYSTEM_PROMPT, TOOLS, Sink, shortened_callee

_LANGCHAIN = ("@langchain/", "langchain")
_LANGGRAPH = ("@langchain/langgraph",)
_GENAI = ("@google/genai",)
_OLD_GENAI = ("@google/generative-ai",)

# Functions called by the name they were imported as: the modules, then the properties of
# their options that are the system prompt, the tool definitions, the messages.
_AGENT_FACTORIES = {
    "createReactAgent": (_LANGGRAPH, ("prompt", "stateModifier", "messageModifier"), ("tools",)),
    "createAgent": (("langchain",), ("systemPrompt", "prompt"), ("tools",)),
}
# Gen AI calls by how the callee ends: the options are `{config: {systemInstruction, tools}}`,
# and the property holding the messages sent.
_GENAI_CALLS = {
    ".models.generateContent": "contents",
    ".models.generateContentStream": "contents",
    ".chats.create": "history",
    # The contents of a cache are stored with it, not a history that grows.
    ".caches.create": "",
    ".live.connect": "",
    ".sendMessage": "",
    ".sendMessageStream": "",
}
# The older SDK: the options themselves hold `systemInstruction` and `tools`.
_OLD_GENAI_CALLS = {
    ".getGenerativeModel": "",
    ".startChat": "history",
    # A `GenerateContentRequest` may set its own system instruction and tools.
    ".generateContent": "contents",
    ".generateContentStream": "contents",
}
_SYSTEM_ROLES = ("system", "developer")
_AROUND_DOTS = re.compile(r"\s*(\??\.)\s*")
# Methods given a list of messages: a chat model's, and the prompt template's.
_MESSAGE_LIST_METHODS = ("invoke", "stream", "fromMessages")
# A wrapper around `models.generateContent` (gemini-cli's `ContentGenerator`) is called with
# the same `GenerateContentParameters`: such options are recognised without the import.
_GENAI_SHAPED = (".generateContent", ".generateContentStream")


def framework_sinks(parsed: ParsedScript, imports: dict[str, str]) -> list[Sink]:
    """The sinks of LangChain.js and Google Gen AI calls in the file, in the file's order.
    `imports`: each imported name to its module, as ctxlint.typescript.sinks reads them."""
    modules = {value for key, value in imports.items() if key.startswith("\0")}
    langchain = any(_module_matches(module, _LANGCHAIN) for module in modules)
    genai = any(_module_matches(module, _GENAI) for module in modules)
    old_genai = any(_module_matches(module, _OLD_GENAI) for module in modules)
    if langchain:
        source = _CANDIDATES
    elif genai or old_genai or b"generateContent" in parsed.data:
        source = _GENAI_CANDIDATES
    else:
        return []  # Most files parsed are of other SDKs: no query is run over them.
    sinks: list[Sink] = []
    # Arrays and `new`s are candidates only in the LangChain query.
    for node in _candidates(parsed, source):
        if node.type == "array":
            sinks.extend(_system_tuple(parsed, node))
        elif node.type == "new_expression":
            sinks.extend(_system_message(parsed, node, imports))
        else:
            if langchain:
                sinks.extend(_langchain_call(parsed, node, imports))
            sinks.extend(_genai_call(parsed, node, genai, old_genai))
    return sinks


def _module_matches(module: str, wanted: tuple[str, ...]) -> bool:
    return any(module == name or module.startswith(name.rstrip("/") + "/") for name in wanted)


def _imported_from(imports: dict[str, str], name: str, wanted: tuple[str, ...]) -> bool:
    return _module_matches(imports.get(name, ""), wanted)


def _system_message(parsed: ParsedScript, new: Node, imports: dict[str, str]) -> Iterator[Sink]:
    """`new SystemMessage(text)` or `new SystemMessage({content})`."""
    constructor = new.child_by_field_name("constructor")
    name = parsed.text(constructor) if constructor is not None else ""
    if name not in ("SystemMessage", "SystemMessageChunk"):
        return
    if not _imported_from(imports, name, _LANGCHAIN):
        return
    argument = _first_argument(new)
    if argument is None:
        return
    fields = resolved(parsed, argument)
    if fields is not None and fields.type == "object":
        content = object_properties(parsed, fields).get("content")
        if content is not None:
            yield Sink(new, f"new {name}", SYSTEM_PROMPT, content)
        return
    yield Sink(new, f"new {name}", SYSTEM_PROMPT, argument)


def _system_tuple(parsed: ParsedScript, tuple_: Node) -> Iterator[Sink]:
    """`["system", text]` as an element of a list of messages: LangChain's shorthand for a
    system message, whichever call the list is given to."""
    elements = tuple_.named_children
    if len(elements) != 2 or string_value(parsed, elements[0]) not in _SYSTEM_ROLES:
        return
    listed = tuple_.parent
    if listed is None or listed.type != "array":
        return
    call = _call_given(listed)
    callee = _callee(parsed, call) if call is not None else "a list of messages"
    yield Sink(call or listed, shortened_callee(callee), SYSTEM_PROMPT, elements[1])


def _system_objects(parsed: ParsedScript, call: Node) -> Iterator[Sink]:
    """`{role: "system", content}` in the list of messages given to `model.invoke([...])`,
    `.stream([...])` or `ChatPromptTemplate.fromMessages([...])`."""
    listed = resolved(parsed, _first_argument(call))
    if listed is None or listed.type != "array":
        return
    callee = shortened_callee(_callee(parsed, call))
    for element in listed.named_children:
        message = resolved(parsed, element)
        if message is None or message.type != "object":
            continue
        properties = object_properties(parsed, message)
        role = properties.get("role")
        content = properties.get("content")
        if content is not None and string_value(parsed, role) in _SYSTEM_ROLES:
            yield Sink(call, callee, SYSTEM_PROMPT, content)


def _sent_history(parsed: ParsedScript, call: Node, argument: Node) -> Iterator[Sink]:
    """The conversation a chat model (`model.invoke(messages)`) or a LangGraph agent
    (`agent.invoke({messages})`) is given: the history CTX006 follows. A string, a dict of
    template variables and a call's result are not a history kept by the code."""
    value = unwrapped(argument)
    callee = shortened_callee(_callee(parsed, call))
    if value.type == "object":
        messages = object_properties(parsed, value).get("messages")
        if messages is not None:
            yield Sink(call, callee, HISTORY, messages)
    elif value.type in ("array", "identifier", "member_expression"):
        resolved_value = resolved(parsed, value)
        if resolved_value is None or resolved_value.type not in ("object", "string"):
            yield Sink(call, callee, HISTORY, value)


def _call_given(listed: Node) -> Node | None:
    """The call a list is written as the argument of; None for a list kept in a variable,
    which is then reported where it is written."""
    arguments = listed.parent
    if arguments is None or arguments.type != "arguments":
        return None
    return arguments.parent


def _langchain_call(parsed: ParsedScript, call: Node, imports: dict[str, str]) -> Iterator[Sink]:
    function = call.child_by_field_name("function")
    if function is None:
        return
    function = unwrapped(function)
    callee = _callee(parsed, call)
    if function.type == "identifier":
        found = _AGENT_FACTORIES.get(callee)
        if found is None or not _imported_from(imports, callee, found[0]):
            return
        yield from _option_sinks(parsed, call, callee, _first_argument(call), *found[1:])
        return
    if function.type != "member_expression":
        return
    method = function.child_by_field_name("property")
    name = parsed.text(method) if method is not None else ""
    argument = _first_argument(call)
    if argument is None:
        return
    if name == "bindTools":
        yield Sink(call, shortened_callee(callee), TOOLS, argument)
    elif name in _MESSAGE_LIST_METHODS:
        yield from _system_objects(parsed, call)
        if name != "fromMessages":
            yield from _sent_history(parsed, call, argument)
    elif name == "fromTemplate" and callee.endswith("SystemMessagePromptTemplate.fromTemplate"):
        yield Sink(call, "SystemMessagePromptTemplate.fromTemplate", SYSTEM_PROMPT, argument)


def _genai_call(parsed: ParsedScript, call: Node, genai: bool, old_genai: bool) -> Iterator[Sink]:
    callee = _callee(parsed, call)
    tables = (
        (_GENAI_CALLS, True) if genai else None,
        (_OLD_GENAI_CALLS, False) if old_genai else None,
    )
    for table, nested in filter(None, tables):
        ending = next((end for end in table if callee.endswith(end)), None)
        if ending is not None:
            yield from _genai_options(parsed, call, shortened_callee(callee), table[ending], nested)
            return
    if callee.endswith(_GENAI_SHAPED) and _genai_shaped(parsed, call):
        yield from _genai_options(parsed, call, shortened_callee(callee), "contents", True)


def _genai_shaped(parsed: ParsedScript, call: Node) -> bool:
    """Options of the Gen AI `GenerateContentParameters` shape: `{model, contents, config}`."""
    request = resolved(parsed, _first_argument(call))
    if request is None or request.type != "object":
        return False
    return {"model", "contents", "config"} <= object_properties(parsed, request).keys()


def _genai_options(
    parsed: ParsedScript, call: Node, callee: str, history_key: str, nested: bool
) -> Iterator[Sink]:
    """The sinks of a Gen AI call's options: its messages, and the system instruction and
    tools of its `config` (of the options themselves in the older SDK)."""
    request = resolved(parsed, _first_argument(call))
    if request is None or request.type != "object":
        return
    config = properties = object_properties(parsed, request)
    if history_key and history_key in properties:
        yield Sink(call, callee, HISTORY, properties[history_key])
    if nested:
        config_node = resolved(parsed, properties.get("config"))
        if config_node is None or config_node.type != "object":
            return
        config = object_properties(parsed, config_node)
    if "systemInstruction" in config:
        yield Sink(call, callee, SYSTEM_PROMPT, config["systemInstruction"])
    if "tools" in config:
        yield Sink(call, callee, TOOLS, config["tools"])


def _option_sinks(
    parsed: ParsedScript,
    call: Node,
    callee: str,
    options: Node | None,
    system_keys: tuple[str, ...],
    tool_keys: tuple[str, ...],
) -> Iterator[Sink]:
    request = resolved(parsed, options)
    if request is None or request.type != "object":
        return
    for key, value in object_properties(parsed, request).items():
        if key in system_keys:
            yield Sink(call, callee, SYSTEM_PROMPT, value)
        elif key in tool_keys:
            yield Sink(call, callee, TOOLS, value)


def _first_argument(call: Node) -> Node | None:
    arguments = call.child_by_field_name("arguments")
    if arguments is None or not arguments.named_children:
        return None
    first = arguments.named_children[0]
    return None if first.type == "comment" else first


def _callee(parsed: ParsedScript, call: Node) -> str:
    function = call.child_by_field_name("function") or call.child_by_field_name("constructor")
    if function is None:
        return "this call"
    # `a\n  .b` is `a.b`, and `new X(…).invoke` keeps its space.
    return _AROUND_DOTS.sub(r"\1", " ".join(parsed.text(function).split()))


def _quoted(names) -> str:
    return " ".join(f'"{name}"' for name in sorted(names))


_GENAI_METHODS = {ending.rsplit(".", 1)[1] for ending in (*_GENAI_CALLS, *_OLD_GENAI_CALLS)}
_GENAI_CANDIDATES = f"""
((call_expression function: (member_expression property: (property_identifier) @name)) @call
 (#any-of? @name {_quoted(_GENAI_METHODS)}))
"""
_CANDIDATES = f"""
((call_expression function: (identifier) @name) @call (#any-of? @name {_quoted(_AGENT_FACTORIES)}))
((call_expression function: (member_expression property: (property_identifier) @name)) @call
 (#any-of? @name {_quoted({"bindTools", "fromTemplate", *_MESSAGE_LIST_METHODS, *_GENAI_METHODS})}))
((new_expression constructor: (identifier) @name) @call
 (#any-of? @name "SystemMessage" "SystemMessageChunk"))
((array . [(string) (template_string)] @role) @call (#match? @role "^.(system|developer).$"))
"""


def _candidates(parsed: ParsedScript, source: str) -> list[Node]:
    found: dict[int, Node] = {}
    for captures in matches(parsed, source):
        for node in captures.get("call", ()):
            found.setdefault(node.id, node)
    return sorted(found.values(), key=lambda node: node.start_byte)
