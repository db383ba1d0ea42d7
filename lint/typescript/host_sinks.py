"""System prompts handed to a host framework instead of an SDK call: an agent host's hook that
returns or fills the system prompt of the next request, and an HTTP proxy's request body.

- pi (`@mariozechner/pi-coding-agent` and its forks): an extension's
  `pi.on("before_agent_start", handler)` may return `{ systemPrompt }`, which "replaces the
  system prompt for this turn" (`BeforeAgentStartEventResult`,
  packages/coding-agent/src/core/extensions/types.ts of badlogic/pi-mono, read 2026-12-03). The
  handler is also met as a function of its own, given the event (`BeforeAgentStartEvent`, or a
  parameter typed `{ prompt: string; systemPrompt: string }`) and returning `{ systemPrompt }`.
- opencode (`@opencode-ai/plugin`): a plugin's `"experimental.chat.system.transform": async
  (input, output) => {...}` fills `output.system: string[]`, the system prompt of each LLM
  call (`Hooks`, packages/plugin/src/index.ts of sst/opencode).
- opencode's agent configuration (`AgentConfig` of `@opencode-ai/sdk`): its `prompt` is the
  agent's system prompt (https://opencode.ai/docs/agents/, "prompt": a custom system prompt
  for the agent; the generated type, https://hexdocs.pm/opencode_sdk/OpenCode.Generated.AgentConfig.html,
  read 2026-12-03). A plugin builds it in a function declared to return `AgentConfig`, or
  in an object typed so (`const agent: AgentConfig = {...}`, `{...} satisfies AgentConfig`).
- A request body written by hand: `JSON.stringify({ ...body, system, messages })` in a proxy
  or a client without an SDK; `system` (Anthropic's Messages API) or `instructions` (OpenAI's
  Responses API) beside the conversation (`messages`, `input`) is the system prompt.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ctxlint.typescript import looks_like_a_test, writes_a_request_body
from ctxlint.typescript.parse import ParsedScript, descendants, matches
from ctxlint.typescript.scope import (
    FUNCTIONS,
    declaration,
    function_of,
    object_properties,
    resolved,
    returned,
    string_value,
    unwrapped,
)
from ctxlint.typescript.sinks import HISTORY, SYSTEM_PROMPT, Sink, imported_modules

_PI_EVENT = "before_agent_start"
_OPENCODE_HOOK = "experimental.chat.system.transform"
# The key of pi's result, and what a pi handler of its own is given.
_PI_RESULT = "systemPrompt"
_PI_EVENT_TYPE = "BeforeAgentStartEvent"
_PI_PACKAGE = "pi-coding-agent"
# The system prompt of a hand-written body, by the conversation it is sent with; a body
# without a `model`, its own or spread into it, is not a request (qm sends `{system,
# messages}` to its own capture log).
_BODY_KEYS = (("system", ("messages",)), ("instructions", ("input",)))
_ADDING = ("push", "unshift", "splice", "concat")
_OPENCODE_PACKAGES = "@opencode-ai/"
_AGENT_CONFIG = "AgentConfig"
# opencode's `output: { system: string[] }`, the system prompt's parts a transform fills.
_SYSTEM_PARTS_TYPE = re.compile(rb"\{\s*system\s*:\s*string\[\]\s*[;,]?\s*\}")

_HOOK_CALLS = """
((call_expression
   function: (member_expression property: (property_identifier) @method)
   arguments: (arguments . (string) @event)) @call
 (#eq? @method "on"))
"""
_HOOK_PAIRS = "((pair key: (string) @key) @pair)"
_STRINGIFY = """
((call_expression
   function: (member_expression
     object: (identifier) @object property: (property_identifier) @method)) @call
 (#eq? @object "JSON") (#eq? @method "stringify"))
"""
# `const agent: AgentConfig = {...}` and `{...} satisfies AgentConfig`.
_TYPED_OBJECTS = """
(variable_declarator type: (type_annotation) @type value: (object) @object)
(satisfies_expression (object) @object (_) @type)
"""
# The function kinds of both grammars (`function` is an older name, absent from these).
_FUNCTION_QUERY = " ".join(
    f"({kind}) @function"
    for kind in (
        "function_declaration",
        "function_expression",
        "arrow_function",
        "method_definition",
    )
)


def host_sinks(parsed: ParsedScript) -> list[Sink]:
    """The system prompts this file hands to a host framework or writes into a request body."""
    data = parsed.data
    found: list[Sink] = []
    if b"before_agent_start" in data:
        found.extend(_pi_hook_results(parsed))
    if b"BeforeAgentStart" in data or b"systemPrompt" in data:
        found.extend(_pi_handler_functions(parsed, {sink.value.id for sink in found}))
    if _OPENCODE_HOOK.encode() in data or b"system: string[]" in data:
        found.extend(_opencode_system_parts(parsed))
    if _AGENT_CONFIG.encode() in data and _OPENCODE_PACKAGES.encode() in data:
        found.extend(_opencode_agent_prompts(parsed))
    # The prefilter's test of a body (its keys in the object stringified): the query walks
    # the whole tree, and an SDK's tests stringify many objects that are no request.
    if writes_a_request_body(data):
        found.extend(_request_bodies(parsed))
    return found


def _pi_hook_results(parsed: ParsedScript) -> Iterator[Sink]:
    for captures in matches(parsed, _HOOK_CALLS):
        call, event = captures["call"][0], captures["event"][0]
        if string_value(parsed, event) != _PI_EVENT:
            continue
        arguments = call.child_by_field_name("arguments")
        handlers = arguments.named_children[1:2] if arguments is not None else []
        for handler in handlers:
            function = _function_of(parsed, handler)
            if function is not None:
                for value in _returned_property(parsed, function, _PI_RESULT):
                    yield Sink(call, f"`{_PI_EVENT}`", SYSTEM_PROMPT, value)


def _pi_handler_functions(parsed: ParsedScript, known: set[int]) -> Iterator[Sink]:
    """A function given pi's event and returning its result, in a file that imports pi: the
    hook's handler, registered elsewhere (`pi.on("before_agent_start", e => build(e))`)."""
    imports = imported_modules(parsed)
    if not any(_PI_PACKAGE in module for module in imports.values()):
        return
    for captures in matches(parsed, _FUNCTION_QUERY):
        function = captures["function"][0]
        if not _given_pi_event(parsed, function):
            continue
        for value in _returned_property(parsed, function, _PI_RESULT):
            if value.id not in known:
                known.add(value.id)
                # Shown where it is returned: the function may be long.
                returned_at = value.parent if value.parent is not None else function
                yield Sink(returned_at, f"`{_PI_EVENT}`", SYSTEM_PROMPT, value)


def _given_pi_event(parsed: ParsedScript, function: Node) -> bool:
    parameters = function.child_by_field_name("parameters")
    first = parameters.named_children[0] if parameters and parameters.named_children else None
    annotation = first.child_by_field_name("type") if first is not None else None
    if annotation is None:
        return False
    text = parsed.text(annotation)
    if _PI_EVENT_TYPE in text:
        return True
    # `event: { prompt: string; systemPrompt: string }`, the event's shape written out.
    members = {
        parsed.text(name)
        for signature in descendants(annotation)
        if signature.type == "property_signature"
        and (name := signature.child_by_field_name("name")) is not None
    }
    return {"prompt", _PI_RESULT} <= members


def _opencode_system_parts(parsed: ParsedScript) -> Iterator[Sink]:
    """What a system transform hook adds to `output.system`: each value pushed, or the list
    assigned (`output.system = [...]`, `output.system[0] = text`). The hook is the value of
    its key in the plugin's hooks, or a function typed as one (`output: { system: string[]
    }`), also when a factory declared to return one returns it."""
    hooks: dict[int, Node] = {}
    if _OPENCODE_HOOK.encode() in parsed.data:
        for captures in matches(parsed, _HOOK_PAIRS):
            pair = captures["pair"][0]
            if string_value(parsed, captures["key"][0]) != _OPENCODE_HOOK:
                continue
            value = pair.child_by_field_name("value")
            function = _function_of(parsed, value) if value is not None else None
            if function is not None:
                hooks[function.id] = function
    if _SYSTEM_PARTS_TYPE.search(parsed.data):
        for captures in matches(parsed, _FUNCTION_QUERY):
            function = captures["function"][0]
            if _typed_as_transform(parsed, function):
                hooks[function.id] = function
                continue
            declared = function.child_by_field_name("return_type")
            if declared is not None and _SYSTEM_PARTS_TYPE.search(declared.text or b""):
                for value in returned(function):
                    inner = _function_of(parsed, value)
                    if inner is not None:
                        hooks[inner.id] = inner
    for function in hooks.values():
        parameters = function.child_by_field_name("parameters")
        if parameters is None or len(parameters.named_children) < 2:
            continue
        output = parameters.named_children[1].child_by_field_name("pattern")
        if output is None or output.type != "identifier":
            continue
        target = f"{parsed.text(output)}.system"
        for node, added in _added_to(parsed, function, target):
            yield Sink(node, f"`{_OPENCODE_HOOK}`", SYSTEM_PROMPT, added)


def _typed_as_transform(parsed: ParsedScript, function: Node) -> bool:
    parameters = function.child_by_field_name("parameters")
    if parameters is None or len(parameters.named_children) < 2:
        return False
    annotation = parameters.named_children[1].child_by_field_name("type")
    return annotation is not None and bool(
        _SYSTEM_PARTS_TYPE.fullmatch(
            parsed.data[annotation.start_byte : annotation.end_byte].lstrip(b": \t\n")
        )
    )


def _added_to(parsed: ParsedScript, function: Node, target: str) -> Iterator[tuple[Node, Node]]:
    body = function.child_by_field_name("body")
    pending = [body] if body is not None else []
    while pending:
        node = pending.pop()
        if node.type == "call_expression":
            callee = node.child_by_field_name("function")
            arguments = node.child_by_field_name("arguments")
            if (
                callee is not None
                and callee.type == "member_expression"
                and arguments is not None
                and _same(parsed, callee.child_by_field_name("object"), target)
                and parsed.text(callee.child_by_field_name("property")) in _ADDING
            ):
                added = arguments.named_children
                if parsed.text(callee.child_by_field_name("property")) == "splice":
                    added = added[2:]  # `splice(at, 0, text)`: a position and a count first
                for argument in added:
                    yield node, argument
        elif node.type == "assignment_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            assigned = left is not None and (
                _same(parsed, left, target)
                or (left.type == "subscript_expression"
                    and _same(parsed, left.child_by_field_name("object"), target))
            )  # fmt: skip
            if assigned and right is not None:
                yield node, right
        pending.extend(node.named_children)


def _opencode_agent_prompts(parsed: ParsedScript) -> Iterator[Sink]:
    """The `prompt` of each opencode agent configuration the file builds: returned by a function
    declared to return `AgentConfig`, or written as an object typed `AgentConfig`."""
    imports = imported_modules(parsed)
    if looks_like_a_test(parsed.path) or not any(
        module.startswith(_OPENCODE_PACKAGES) for module in imports.values()
    ):
        return  # a test builds agents to assert on their configuration, sends none
    label = "an opencode agent configuration"
    for captures in matches(parsed, _FUNCTION_QUERY):
        function = captures["function"][0]
        if _names_agent_config(parsed, function.child_by_field_name("return_type")):
            for value in _returned_property(parsed, function, "prompt"):
                returned_at = value.parent if value.parent is not None else function
                yield Sink(returned_at, label, SYSTEM_PROMPT, value)
    for captures in matches(parsed, _TYPED_OBJECTS):
        literal, annotation = captures["object"][0], captures["type"][0]
        if _names_agent_config(parsed, annotation):
            value = object_properties(parsed, literal).get("prompt")
            if value is not None:
                yield Sink(literal, label, SYSTEM_PROMPT, value)


def _names_agent_config(parsed: ParsedScript, annotation: Node | None) -> bool:
    """`AgentConfig` or `Promise<AgentConfig>`; not a record or a list of them."""
    if annotation is None:
        return False
    text = "".join(parsed.text(annotation).lstrip(":").split())
    return text in (_AGENT_CONFIG, f"Promise<{_AGENT_CONFIG}>")


def _request_bodies(parsed: ParsedScript) -> Iterator[Sink]:
    for captures in matches(parsed, _STRINGIFY):
        call = captures["call"][0]
        arguments = call.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments and arguments.named_children else None
        body = resolved(parsed, first) if first is not None else None
        if body is None or body.type != "object":
            continue
        properties = object_properties(parsed, body)
        if "model" not in properties and not _spreads(body):
            continue  # every LLM API asks for the model: without it, a log or a capture
        for system_key, conversation_keys in _BODY_KEYS:
            value = properties.get(system_key)
            if value is not None and any(key in properties for key in conversation_keys):
                yield Sink(call, "the request body", SYSTEM_PROMPT, value)
                # The conversation beside it is the history sent after the prefix.
                for key in conversation_keys:
                    if key in properties:
                        yield Sink(call, "the request body", HISTORY, properties[key])


def _spreads(body: Node) -> bool:
    """Whether the body takes properties from another object (a proxy's `{...parsed, system}`):
    the model may be among them."""
    return any(child.type == "spread_element" for child in body.named_children)


def _function_of(parsed: ParsedScript, node: Node) -> Node | None:
    """The function a handler is: written in place, or a local one named."""
    node = unwrapped(node)
    if node.type in FUNCTIONS:
        return node
    if node.type != "identifier":
        return None
    bound = declaration(parsed, node)
    return function_of(bound) if bound is not None else None


def _returned_property(parsed: ParsedScript, function: Node, key: str) -> Iterator[Node]:
    for value in returned(function):
        literal = resolved(parsed, value)
        if literal is not None and literal.type == "object":
            found = object_properties(parsed, literal).get(key)
            if found is not None:
                yield found


def _same(parsed: ParsedScript, node: Node | None, target: str) -> bool:
    return node is not None and "".join(parsed.text(node).split()) == target
