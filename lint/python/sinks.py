"""Prompt sinks: the places in Python code where a value becomes part of an LLM request.

A sink is an expression plus what it becomes: the system prompt or instructions and the tool
definitions sit at the front of every request (the cached prefix); messages and message content
come after. Calls are recognised through imports, so `twilio_client.messages.create` is not a
sink while `anthropic_client.messages.create` is.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from ctxlint.python.framework_sinks import (
    FRAMEWORK_CALL_NAMES,
    FRAMEWORK_PACKAGES,
    base_class_roles,
    framework_method_roles,
    framework_roles,
)
from ctxlint.python.index import (
    Binding,
    CallSite,
    ModuleIndex,
    Scope,
    class_of_self,
    decorator_name,
)
from ctxlint.python.later_messages import added_to_conversation
from ctxlint.python.middleware import middleware_sinks
from ctxlint.python.names import attribute_chain, lookup, qualified_name
from ctxlint.python.requests import request_entries, spread_parameter
from ctxlint.python.template_sinks import template_variable_sinks
from ctxlint.python.wrappers import (
    Resolver,
    Spread,
    WrapperSinks,
    local_resolver,
    parameters_in,
    wrapper_summaries,
)

SinkKind = Literal["system", "tools", "messages", "content"]
_PREFIX_KINDS = frozenset({"system", "tools"})
_KIND_LABELS = {
    "system": "the system prompt",
    "tools": "the tool definitions",
    "messages": "the messages",
    "content": "the message content",
}


@dataclass(frozen=True, slots=True)
class Sink:
    expression: ast.expr
    scope: Scope
    kind: SinkKind
    # How the finding names the place: "the system prompt of client.messages.create (line 40)".
    description: str
    # The LLM call the expression is an argument of, when it is one.
    call: ast.Call | None = None

    @property
    def in_prefix(self) -> bool:
        return self.kind in _PREFIX_KINDS


@dataclass(frozen=True, slots=True)
class ConfiguredSink:
    """A user's own LLM-call wrapper, from `prompt-sinks` in the configuration."""

    call: str
    prefix: tuple[str, ...]
    prompt: tuple[str, ...]


# API families: which method paths (after the client) take which arguments.
_OPENAI_CHAT = {"messages": "messages", "tools": "tools", "functions": "tools"}
_OPENAI_RESPONSES = {"instructions": "system", "input": "messages", "tools": "tools"}
_ANTHROPIC_MESSAGES = {"system": "system", "messages": "messages", "tools": "tools"}
_GOOGLE_GENERATE = {"contents": "messages", "config": "genai-config"}
# `messages.count_tokens` and `models.count_tokens` are left out: a token count is never served
# from the cache nor writes it, and what it counts is sent for real elsewhere, where it is seen.
_METHOD_FAMILIES: dict[str, tuple[str, dict[str, str]]] = {
    **{f"chat.completions.{m}": ("openai", _OPENAI_CHAT) for m in ("create", "parse", "stream")},
    **{f"responses.{m}": ("openai", _OPENAI_RESPONSES) for m in ("create", "parse", "stream")},
    **{f"messages.{m}": ("anthropic", _ANTHROPIC_MESSAGES) for m in ("create", "stream", "parse")},
    **{
        f"models.{m}": ("google", _GOOGLE_GENERATE)
        for m in ("generate_content", "generate_content_stream")
    },
}
_PATH_NOISE = frozenset({"beta", "with_raw_response", "with_streaming_response", "aio"})

_CLIENT_CLASSES = {
    "openai": {"OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI", "Client", "AsyncClient"},
    "anthropic": {
        "Anthropic",
        "AsyncAnthropic",
        "AnthropicBedrock",
        "AsyncAnthropicBedrock",
        "AnthropicVertex",
        "AsyncAnthropicVertex",
        "Client",
        "AsyncClient",
    },
    "google": {"Client"},
    "litellm": {"Router"},
}
_CLIENT_MODULES = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google.genai": "google",
    "litellm": "litellm",
}
# SDKs whose clients speak the OpenAI wire format; an unresolved receiver of
# `.chat.completions.create` in a module that imports one of them is taken as a client.
_OPENAI_COMPATIBLE_SDKS = frozenset(
    {"openai", "litellm", "groq", "together", "fireworks", "cerebras", "mistralai", "ollama"}
)

# Calls identified by their qualified name, and the arguments that are sinks
# (keyword names, or "0", "1" for positions).
_QUALIFIED_CALLS: dict[str, dict[str, str]] = {
    "litellm.completion": _OPENAI_CHAT,
    "litellm.acompletion": _OPENAI_CHAT,
    "litellm.responses": _OPENAI_RESPONSES,
    "litellm.aresponses": _OPENAI_RESPONSES,
    "pydantic_ai.Agent": {"instructions": "system", "system_prompt": "system", "tools": "tools"},
    "pydantic_ai.agent.Agent": {
        "instructions": "system",
        "system_prompt": "system",
        "tools": "tools",
    },
    "agents.Agent": {"instructions": "system", "tools": "tools"},
    "google.genai.types.GenerateContentConfig": {"system_instruction": "system", "tools": "tools"},
    "google.generativeai.GenerativeModel": {"system_instruction": "system", "tools": "tools"},
}
_LANGCHAIN_MESSAGES = {
    "SystemMessage": "system",
    "HumanMessage": "content",
    "AIMessage": "content",
    "ToolMessage": "content",
    "ChatMessage": "content",
    "FunctionMessage": "content",
}
_SMOLAGENTS_AGENTS = {"CodeAgent", "ToolCallingAgent", "MultiStepAgent"}

_SINK_CALL_NAMES = frozenset(
    {
        *(path.rsplit(".", 1)[-1] for path in _METHOD_FAMILIES),
        *(name.rsplit(".", 1)[-1] for name in _QUALIFIED_CALLS),
        *_LANGCHAIN_MESSAGES,
        *_SMOLAGENTS_AGENTS,
        *FRAMEWORK_CALL_NAMES,
        "from_messages",
        "from_template",
        "bind_tools",
    }
)
# Libraries whose import says a module talks to LLMs (beyond the SDKs above).
_LLM_LIBRARIES = frozenset(
    {
        *_OPENAI_COMPATIBLE_SDKS,
        "anthropic",
        "pydantic_ai",
        "smolagents",
        "agents",
        "google",
        "instructor",
        "dspy",
        "crewai",
        "mirascope",
        "marvin",
        "haystack",
        "semantic_kernel",
        *FRAMEWORK_PACKAGES,
    }
)
# Keyword arguments whose name says they carry a system prompt, whatever the callee.
_SYSTEM_KEYWORDS = frozenset(
    {"system_prompt", "system_message", "system_instruction", "system_instructions"}
)
_SYSTEM_NAME = re.compile(
    r"^_*(?:[a-z0-9]+_)*?"
    r"system_?(?:prompt|message|instructions?)(?:_?(?:template|text|str|tmpl|v\d+))?$",
    re.IGNORECASE,
)
# `system_instructions` is also what tracing code extracts from a request
# (`_span_system_instructions(span)`): after another word, only a builder's verb says it is sent.
_SYSTEM_INSTRUCTIONS_NAME = re.compile(
    r"^_*(?:(?:build|get|make|render|create|format|generate|compose|default|base)_)?"
    r"system_?instructions?(?:_?(?:template|text|str|tmpl|v\d+))?$",
    re.IGNORECASE,
)
# A first word that makes the name a flag, a count or an action on a prompt rather than the
# prompt: `use_system_prompt`, `max_system_prompt`, `add_system_message(messages, text)`.
_NOT_A_PROMPT_WORDS = frozenset(
    {
        "use", "include", "has", "is", "enable", "disable", "skip", "no", "num", "n", "len",
        "max", "min", "with", "should", "add", "insert", "append", "prepend", "inject", "set",
        "update", "remove", "strip", "drop", "apply", "count", "supports", "allow", "print",
        "log", "validate", "check", "save", "load", "write", "read", "parse", "rebuild",
        "refresh", "reload", "reset", "restore", "clear", "delete", "edit", "replace",
        "override", "persist", "store", "sync", "swap", "patch",
    }
)  # fmt: skip
_PREFIX_ROLES = frozenset({"system", "developer"})
# Words in the import path of a message class that say it is a message for a model.
_MESSAGE_MODULE_WORDS = frozenset(
    {"llm", "llms", "agent", "agents", "chat", "prompt", "prompts", "message", "messages",
     "model", "models", "provider", "providers", "schema", "schemas", "ai", "completion"}
)  # fmt: skip


# Methods that, by their name, send a conversation to a model: `self.model.query(messages)`,
# `llm.chat(history)`. Agents rarely call an SDK where they keep their history; they call
# their own model layer, often in another module.
_LLM_CALL_NAMES = frozenset(
    {
        "query",
        "chat",
        "achat",
        "complete",
        "acomplete",
        "completion",
        "acompletion",
        "generate",
        "agenerate",
        "invoke",
        "ainvoke",
        "predict",
        "send_completion",
        "send_messages",
        "call_llm",
        "llm_call",
        "get_completion",
        "get_response",
        "chat_completion",
        "stream",
        "astream",
    }
)
_HISTORY_NAME = re.compile(
    r"(?:^|_)(?:messages|msgs|history|conversation|chat_history|transcript)$"
)


def is_system_prompt_name(name: str) -> bool:
    """`system_prompt`, `agent_system_prompt`, `get_system_message`, `SYSTEM_PROMPT_TEMPLATE`."""
    if _SYSTEM_NAME.match(name) is None:
        return False
    if "instruction" in name.lower() and _SYSTEM_INSTRUCTIONS_NAME.match(name) is None:
        return False
    first = name.lstrip("_").split("_", 1)[0].lower()
    return first == "system" or first not in _NOT_A_PROMPT_WORDS


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
        llm_like = last in _LLM_CALL_NAMES
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
                if name is not None and id(argument) not in already and _HISTORY_NAME.search(name):
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
        label = f"the request body (line {node.lineno})"
        for key, kind in (("messages", "messages"), ("tools", "tools")):
            value = keys.get(key)
            if value is not None and id(value) not in already:
                found.append(Sink(value, scope, kind, f"the {key} of {label}"))  # type: ignore[arg-type]
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
    label = f"the {kind} of {_callee_text(call.func)} (line {call.lineno})"
    return Sink(value, scope, kind, label, call)


def _list_name(expression: ast.expr) -> str | None:
    if isinstance(expression, ast.Name):
        return expression.id
    if isinstance(expression, ast.Attribute) and isinstance(expression.value, ast.Name):
        return expression.attr
    return None


def find_sinks(index: ModuleIndex, configured: tuple[ConfiguredSink, ...] = ()) -> list[Sink]:
    return analyse_sinks(index, configured).sinks


def wrapper_sinks(index: ModuleIndex, configured: tuple[ConfiguredSink, ...] = ()) -> WrapperSinks:
    """Which parameters of the module's functions reach which sink kind, keyed by the name a
    caller passes the value under. `PythonModule.wrappers` is the same, computed once."""
    return analyse_sinks(index, configured).wrappers


@dataclass(frozen=True, slots=True)
class SinkAnalysis:
    sinks: list[Sink]
    # Which parameters of the module's functions reach which sink kind (see wrappers.py).
    wrappers: WrapperSinks


def analyse_sinks(
    index: ModuleIndex,
    configured: tuple[ConfiguredSink, ...] = (),
    imported_wrappers: WrapperSinks | None = None,
    resolve: Resolver | None = None,
    call_names: frozenset[str] = frozenset(),
) -> SinkAnalysis:
    """The module's sinks, including the calls of its own wrappers, and the wrapper summaries.
    `imported_wrappers` and `resolve` let a project-wide pass add other modules' wrappers
    (see `wrapper_summaries`)."""
    finder = _SinkFinder(index, configured)
    sinks: list[Sink] = []
    for site in index.calls:
        if finder.may_be_sink(site.call):
            sinks.extend(finder.call_sinks(site.call, site.scope))
    for node, scope in index.dicts:
        sinks.extend(finder.dict_sinks(node, scope))
    # The values a LangChain system prompt template's variables are given (template_sinks.py).
    for value, value_scope, variable, call in template_variable_sinks(index):
        label = f'the "{variable}" variable of the system prompt template'
        description = f"{label} filled by {_callee_text(call.func)} (line {call.lineno})"
        sinks.append(Sink(value, value_scope, "system", description, call))
    # LangChain agent middleware (middleware.py); `system_prompt=` is already a sink above.
    known = {id(sink.expression) for sink in sinks}
    for found in middleware_sinks(index):
        if id(found.expression) not in known:
            sink = Sink(found.expression, found.scope, found.kind, found.description, found.call)  # type: ignore[arg-type]
            sinks.append(sink)
    for name, value, scope in index.named_assignments:
        if finder.names_a_system_prompt(name):
            sinks.append(Sink(value, scope, "system", f"{name} (line {value.lineno})"))
    for function in index.functions:
        node = function.node
        if isinstance(node, ast.Lambda):
            continue
        if (
            finder.names_a_system_prompt(node.name)
            or finder.is_prompt_decorated(node, function.enclosing)
        ) and not finder.kept_in_history(node, function.enclosing):
            label = f"the system prompt returned by {node.name}() (line {node.lineno})"
            for value in function.returns:
                if not _is_result_record(value):
                    sinks.append(Sink(value, function.scope, "system", label))
    summaries, wrapper_calls = wrapper_summaries(
        index, sinks, finder.spreads, imported_wrappers, resolve, call_names
    )
    already = {(id(sink.expression), sink.kind) for sink in sinks}
    sinks.extend(s for s in wrapper_calls if (id(s.expression), s.kind) not in already)
    return SinkAnalysis(sinks, summaries)


# Keys of a dict that holds a prompt or a message (`{"role": ..., "content": ...}`, a text
# block, a request's system field).
_PROMPT_KEYS = frozenset(
    {"role", "content", "text", "type", "parts", "system", "instructions", "prompt", "messages"}
)


def _is_result_record(value: ast.expr) -> bool:
    """A dict display with none of a prompt's keys (`{"ok": True, "prompt_details": ...}`):
    what a function named for the system prompt returns about it (an inspection tool's
    result), not the prompt."""
    return (
        isinstance(value, ast.Dict)
        and bool(value.keys)
        and all(isinstance(key, ast.Constant) and isinstance(key.value, str) for key in value.keys)
        and not any(key.value in _PROMPT_KEYS for key in value.keys)  # type: ignore[union-attr]
    )


class _SinkFinder:
    def __init__(self, index: ModuleIndex, configured: tuple[ConfiguredSink, ...]) -> None:
        self.index = index
        self.configured = configured
        # Calls that spread `**something` into an LLM call, for the wrapper summaries.
        self.spreads: list[Spread] = []
        # Messages yielded or appended to a kept history: the end of the request, not its front.
        self.added_later = added_to_conversation(index)
        top_levels = {name.split(".")[0] for name in index.imported_modules}
        self.top_levels = top_levels
        self.imports_openai_compatible = bool(top_levels & _OPENAI_COMPATIBLE_SDKS)
        self.imports_anthropic = "anthropic" in top_levels
        self.imports_google_genai = any(
            name == "google.genai" or name.startswith("google.genai.")
            for name in index.imported_modules
        )
        self.imports_langchain = any(name.startswith("langchain") for name in top_levels)
        self.imports_pydantic_ai = "pydantic_ai" in top_levels
        self.imports_llm_library = (
            bool(top_levels & _LLM_LIBRARIES)
            or self.imports_google_genai
            or any(name.startswith("google.generativeai") for name in index.imported_modules)
            or any(name.startswith(("langchain", "autogen", "llama_index")) for name in top_levels)
        )
        # The last names a sink call can have, including local aliases of imported ones.
        self.sink_names = set(_SINK_CALL_NAMES)
        self.sink_names.update(sink.call.rsplit(".", 1)[-1] for sink in configured)
        for binding_list in index.module_scope.bindings.values():
            for binding in binding_list:
                qualified = binding.qualified_name
                if (
                    binding.kind == "import"
                    and qualified
                    and (qualified.rsplit(".", 1)[-1] in self.sink_names)
                ):
                    self.sink_names.add(binding.name)

    def names_a_system_prompt(self, name: str) -> bool:
        """`system_prompt` says so anywhere; `system_message` also names other things (a chat
        app's notices), so it counts only in a module that uses an LLM library."""
        if not is_system_prompt_name(name):
            return False
        lowered = name.lower()
        return "prompt" in lowered or "instruction" in lowered or self.imports_llm_library

    def may_be_sink(self, call: ast.Call) -> bool:
        """A cheap look at the callee's last name and the keywords, before any resolving."""
        function = call.func
        last = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        if last in self.sink_names:
            return True
        names = {keyword.arg for keyword in call.keywords}
        if {"system", "messages"} <= names and last in _LLM_CALL_NAMES:
            return True
        return bool(names & _SYSTEM_KEYWORDS) or {"role", "content"} <= names

    # Calls --------------------------------------------------------------------------------

    def call_sinks(self, call: ast.Call, scope: Scope) -> Iterator[Sink]:
        callee = _callee_text(call.func)
        message = _message_constructor(call) if self.may_build_message(call, scope) else None
        if message is not None:
            kind, content = message
            label = "a system message" if kind == "system" else "a message"
            if kind == "system" and id(call) in self.added_later:
                kind, label = "content", "a system message added to the conversation"
            yield Sink(
                content, scope, kind, f"{label} built by {callee} (line {call.lineno})", call
            )
            return
        for keyword in call.keywords:
            if keyword.arg in _SYSTEM_KEYWORDS and self.names_a_system_prompt(keyword.arg):
                description = _describe("system", callee, call)
                yield Sink(keyword.value, scope, "system", description, call)
        roles = self.call_roles(call, scope)
        if not roles:
            yield from _model_layer_system(call, scope, callee)
            return
        if id(call) in self.added_later and roles.keys() == {"0", "content"}:
            # A message class (`SystemMessage(text)`) built onto a conversation under way.
            roles = dict.fromkeys(roles, "content")
        for position, argument in enumerate(call.args):
            kind = roles.get(str(position))
            if kind is not None and not isinstance(argument, ast.Starred):
                yield from self.argument_sinks(argument, kind, scope, callee, call)
        for keyword in call.keywords:
            if keyword.arg is None:
                yield from self.spread_sinks(keyword.value, roles, scope, callee, call)
                continue
            kind = roles.get(keyword.arg)
            if kind is not None and keyword.arg not in _SYSTEM_KEYWORDS:
                yield from self.argument_sinks(keyword.value, kind, scope, callee, call)

    def spread_sinks(
        self, spread: ast.expr, roles: dict[str, str], scope: Scope, callee: str, call: ast.Call
    ) -> Iterator[Sink]:
        """`create(**request)`: each entry of the request dict is the argument of its key."""
        self.spreads.append((call, scope, roles))  # type: ignore[arg-type]
        for entry in request_entries(spread, scope, self.index):
            kind = roles.get(entry.key)
            if kind is not None:
                yield from self.argument_sinks(entry.value, kind, entry.scope, callee, call)

    def argument_sinks(
        self, argument: ast.expr, kind: str, scope: Scope, callee: str, call: ast.Call
    ) -> Iterator[Sink]:
        if kind == "genai-config":
            if isinstance(argument, ast.Dict):
                config = {"system_instruction": "system", "tools": "tools"}
                for key, value in zip(argument.keys, argument.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value in config:
                        kind = config[key.value]
                        description = _describe(kind, callee, call)
                        yield Sink(value, scope, kind, description, call)  # type: ignore[arg-type]
            return
        if kind == "prompt-template":
            yield from self.template_sinks(argument, scope, callee, call)
            return
        yield Sink(argument, scope, kind, _describe(kind, callee, call), call)  # type: ignore[arg-type]

    def template_sinks(
        self, argument: ast.expr, scope: Scope, callee: str, call: ast.Call
    ) -> Iterator[Sink]:
        """`ChatPromptTemplate.from_messages([("system", text), ("human", text)])`."""
        if not isinstance(argument, (ast.List, ast.Tuple)):
            return
        for element in argument.elts:
            if (
                isinstance(element, ast.Tuple)
                and len(element.elts) == 2
                and isinstance(element.elts[0], ast.Constant)
            ):
                role = element.elts[0].value
                kind: SinkKind = "system" if role in ("system", "developer") else "content"
                yield Sink(element.elts[1], scope, kind, _describe(kind, callee, call), call)

    def call_roles(self, call: ast.Call, scope: Scope) -> dict[str, str] | None:
        function = call.func
        if isinstance(function, ast.Attribute) and function.attr == "__init__":
            return base_class_roles(call, scope)
        qualified = qualified_name(function, scope)
        if qualified is not None:
            roles = self.qualified_roles(qualified)
            if roles is not None:
                return roles
        for configured in self.configured:
            if _configured_matches(configured.call, qualified, function):
                roles = dict.fromkeys(configured.prompt, "messages")
                roles.update(dict.fromkeys(configured.prefix, "system"))
                for name in configured.prefix:
                    if name == "tools":
                        roles[name] = "tools"
                return roles
        if not isinstance(function, ast.Attribute):
            return None
        if function.attr == "bind_tools" and self.imports_langchain:
            return {"0": "tools", "tools": "tools"}
        framework = framework_method_roles(call, self.top_levels)
        if framework is not None:
            return framework
        return self.method_roles(call, scope)

    def qualified_roles(self, qualified: str) -> dict[str, str] | None:
        if qualified in _QUALIFIED_CALLS:
            return _QUALIFIED_CALLS[qualified]
        found = framework_roles(qualified)
        if found is not None:
            return found
        head, _, last = qualified.rpartition(".")
        if head.startswith("langchain") and last in _LANGCHAIN_MESSAGES:
            kind = _LANGCHAIN_MESSAGES[last]
            return {"0": kind, "content": kind}
        if head.startswith("langchain") and qualified.endswith("ChatPromptTemplate.from_messages"):
            return {"0": "prompt-template", "messages": "prompt-template"}
        if head.startswith("langchain") and qualified.endswith(
            "SystemMessagePromptTemplate.from_template"
        ):
            return {"0": "system", "template": "system"}
        if head.startswith("smolagents") and last in _SMOLAGENTS_AGENTS:
            return {"instructions": "system", "tools": "tools"}
        return None

    def method_roles(self, call: ast.Call, scope: Scope) -> dict[str, str] | None:
        found = _family_and_receiver(call.func)
        if found is None:
            return None
        (provider, roles), root = found
        receiver = self.receiver_provider(root, scope, depth=0)
        if receiver == provider or (receiver == "litellm" and provider == "openai"):
            return roles
        if receiver is not None:
            return None
        # The receiver could not be resolved: accept only where the module makes it likely.
        if provider == "openai" and self.imports_openai_compatible:
            return roles
        if provider == "anthropic" and self.imports_anthropic:
            return roles if self.passes_messages(call, scope) else None
        if provider == "google" and self.imports_google_genai:
            return roles
        return None

    def may_build_message(self, call: ast.Call, scope: Scope) -> bool:
        """`dict(role=..., content=...)` anywhere; another class only where the module talks to
        an LLM or imports the class from a module named for it (`from .llm.schema import
        Message`): a chat UI's own `ChatMessage(role="system", content="Cleared.")` is a notice."""
        function = call.func
        if isinstance(function, ast.Name) and function.id == "dict" and not lookup("dict", scope):
            return True
        if self.imports_llm_library:
            return True
        qualified = qualified_name(function, scope)
        if qualified is None:
            return False
        words = set(re.split(r"[._]", qualified.lower()))
        return bool(words & _MESSAGE_MODULE_WORDS)

    def passes_messages(self, call: ast.Call, scope: Scope) -> bool:
        """`messages=` given, by keyword or in a spread request dict (or forwarded `**kwargs`):
        what tells `anthropic_client.messages.create` from an SMS client's."""
        for keyword in call.keywords:
            if keyword.arg == "messages":
                return True
            if keyword.arg is None and (
                spread_parameter(keyword.value, scope)
                or any(
                    e.key == "messages" for e in request_entries(keyword.value, scope, self.index)
                )
            ):
                return True
        return False

    def receiver_provider(self, root: ast.expr, scope: Scope, depth: int) -> str | None:
        """ "openai", "anthropic", ... for a client; "other" for something known not to be
        one; None when it cannot be told."""
        if depth > 4:
            return None
        if isinstance(root, ast.Call):
            qualified = qualified_name(root.func, scope)
            if qualified is not None:
                return _provider_of_class(qualified)
            return self.returned_provider(root.func, scope, depth)
        if isinstance(root, ast.Name):
            return self.bindings_provider(lookup(root.id, scope), depth)
        if isinstance(root, ast.Attribute) and isinstance(root.value, ast.Name):
            owner = class_of_self(root.value, scope)
            if owner is not None:
                found = [
                    self.receiver_provider(value, value_scope, depth + 1)
                    for value, value_scope in owner.attributes.get(root.attr, [])
                ]
                return _combine(found)
        return None

    def bindings_provider(self, bindings: list[Binding], depth: int) -> str | None:
        found: list[str | None] = []
        for binding in bindings:
            if binding.kind == "import" and binding.qualified_name:
                found.append(_CLIENT_MODULES.get(binding.qualified_name, "other"))
            elif binding.kind == "assign" and binding.value is not None and not binding.target_path:
                found.append(self.receiver_provider(binding.value, binding.scope, depth + 1))
            elif binding.kind == "param" and binding.annotation is not None:
                annotation = binding.annotation
                qualified = qualified_name(annotation, binding.scope)
                found.append(_provider_of_class(qualified) if qualified else None)
            else:
                found.append(None)
        return _combine(found)

    def returned_provider(self, function: ast.expr, scope: Scope, depth: int) -> str | None:
        if not isinstance(function, ast.Name):
            return None
        for binding in lookup(function.id, scope):
            if binding.kind == "function" and binding.function is not None:
                info = binding.function
                return _combine(
                    [self.receiver_provider(v, info.scope, depth + 1) for v in info.returns]
                )
        return None

    def is_prompt_decorated(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope
    ) -> bool:
        """`@agent.system_prompt` / `@agent.instructions` (pydantic-ai): the return value is
        rendered into the system prompt on every run."""
        if not self.imports_pydantic_ai:
            return False
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if isinstance(target, ast.Attribute) and decorator_name(decorator) in (
                "system_prompt",
                "instructions",
            ):
                return True
        return False

    def kept_in_history(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> bool:
        """`@agent.system_prompt` without `dynamic=True` (pydantic-ai): run once when a
        conversation starts and kept in its message history, which later runs pass back
        (`message_history=`) without running it again; every request of the conversation
        sends the same text. A dynamic one is run again on every run and rewrites its part,
        unless `on_change='append'` sends the change after the history instead."""
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if not (
                isinstance(target, ast.Attribute)
                and decorator_name(decorator) == "system_prompt"
                and self._is_pydantic_agent(target.value, scope)
            ):
                continue
            options = {
                keyword.arg: keyword.value
                for keyword in (decorator.keywords if isinstance(decorator, ast.Call) else ())
            }
            dynamic = options.get("dynamic")
            on_change = options.get("on_change")
            if isinstance(on_change, ast.Constant) and on_change.value == "append":
                return True
            return dynamic is None or (isinstance(dynamic, ast.Constant) and dynamic.value is False)
        return False

    def _is_pydantic_agent(self, receiver: ast.expr, scope: Scope) -> bool:
        """`agent` bound once to `Agent(...)` of pydantic-ai (or, inside pydantic-ai itself,
        of `..agent`)."""
        if not isinstance(receiver, ast.Name):
            return False
        bindings = lookup(receiver.id, scope)
        if len(bindings) != 1 or not isinstance(bindings[0].value, ast.Call):
            return False
        called = qualified_name(bindings[0].value.func, bindings[0].scope) or ""
        if not called.endswith("Agent"):
            return False
        return called.startswith("pydantic_ai.") or (
            called.startswith(".") and not self.imports_llm_library
        )

    # Dict literals ------------------------------------------------------------------------

    def dict_sinks(self, node: ast.Dict, scope: Scope) -> Iterator[Sink]:
        entries: dict[str, ast.expr] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                entries[key.value] = value
        if not entries:
            return
        role = _constant_string(entries.get("role"))
        if "role" in entries and "content" in entries:
            kind: SinkKind = "system" if role in _PREFIX_ROLES else "content"
            label = f"{_article(role)} {role} message" if role else "a message"
            if kind == "system" and id(node) in self.added_later:
                kind, label = "content", f"{label} added to the conversation"
            yield Sink(entries["content"], scope, kind, f"{label} (line {node.lineno})")
            return
        block_type = _constant_string(entries.get("type"))
        if (block_type == "function" and _is_tool_definition(entries)) or (
            "name" in entries and "input_schema" in entries
        ):
            yield Sink(node, scope, "tools", f"a tool definition (line {node.lineno})")
        elif block_type == "tool_result" and "content" in entries:
            yield Sink(entries["content"], scope, "content", f"a tool result (line {node.lineno})")
        elif block_type == "function_call_output" and "output" in entries:
            yield Sink(entries["output"], scope, "content", f"a tool result (line {node.lineno})")
        for key, value in entries.items():
            if key in _SYSTEM_KEYWORDS and self.names_a_system_prompt(key):
                yield Sink(value, scope, "system", f'the "{key}" entry (line {node.lineno})')


def _model_layer_system(call: ast.Call, scope: Scope, callee: str) -> Iterator[Sink]:
    """`provider.complete(model=m, system=s, messages=h)`: the project's own model layer,
    named as a model call and handed a history, takes `system=` as the system prompt."""
    function = call.func
    last = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
    if last in _LLM_CALL_NAMES and "messages" in keywords and "system" in keywords:
        yield Sink(keywords["system"], scope, "system", _describe("system", callee, call), call)


def _is_tool_definition(entries: dict[str, ast.expr]) -> bool:
    """`{"type": "function", "function": {"name", "parameters"}}` defines a tool; the same
    shape with an "id" and "arguments" is a tool *call* in an assistant message."""
    if "id" in entries or "call_id" in entries or "arguments" in entries:
        return False
    inner = entries.get("function")
    if isinstance(inner, ast.Dict):
        keys = {k.value for k in inner.keys if isinstance(k, ast.Constant)}
        return "arguments" not in keys
    return "function" in entries or "parameters" in entries


def _family_and_receiver(function: ast.expr) -> tuple[tuple[str, dict[str, str]], ast.expr] | None:
    """The API family of a method path and the client it is called on: for
    `self.llm_client.messages.create`, the Anthropic messages API on `self.llm_client`."""
    path: list[str] = []
    node = function
    while isinstance(node, ast.Attribute) and len(path) < 4:
        if node.attr not in _PATH_NOISE:
            path.insert(0, node.attr)
            family = _METHOD_FAMILIES.get(".".join(path))
            if family is not None:
                return family, _without_noise(node.value)
        node = node.value
    return None


def _without_noise(receiver: ast.expr) -> ast.expr:
    # `client.beta.messages.create`: the client is `client`.
    while isinstance(receiver, ast.Attribute) and receiver.attr in _PATH_NOISE:
        receiver = receiver.value
    return receiver


def _message_constructor(call: ast.Call) -> tuple[SinkKind, ast.expr] | None:
    """`Message(role="system", content=text)`, `ChatMessage(role=Role.SYSTEM, content=text)`:
    any call with `role=` and `content=` builds a chat message, whatever the framework."""
    keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
    role, content = keywords.get("role"), keywords.get("content")
    if role is None or content is None:
        return None
    return ("system" if _names_a_prefix_role(role) else "content"), content


def _names_a_prefix_role(role: ast.expr) -> bool:
    constant = _constant_string(role)
    if constant is not None:
        return constant in _PREFIX_ROLES
    # `Role.SYSTEM`, `MessageRole.DEVELOPER`, `SYSTEM_ROLE`: the name says which role.
    name = role.attr if isinstance(role, ast.Attribute) else getattr(role, "id", "")
    words = set(name.lower().split("_"))
    return bool(words & _PREFIX_ROLES)


def _article(word: str) -> str:
    # By sound: "an assistant", "a user".
    return "an" if word[:1].lower() in "aeio" else "a"


def _configured_matches(pattern: str, qualified: str | None, function: ast.expr) -> bool:
    if pattern.startswith("*."):
        return isinstance(function, ast.Attribute) and function.attr == pattern[2:]
    return qualified == pattern


def _provider_of_class(qualified: str) -> str:
    module, _, last = qualified.rpartition(".")
    top = module.split(".")[0]
    for provider, names in _CLIENT_CLASSES.items():
        if last in names and (top == provider or module.startswith("google.genai")):
            if provider == "google" and not module.startswith("google.genai"):
                continue
            return provider
    return _CLIENT_MODULES.get(qualified, "other")


def _combine(found: list[str | None]) -> str | None:
    known = {value for value in found if value is not None}
    if len(known) == 1 and None not in found:
        return known.pop()
    providers = known - {"other"}
    return providers.pop() if len(providers) == 1 else None


def _constant_string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def callee_text(function: ast.expr) -> str:
    """`client.messages.create`, `get_client().chat`: the callee as findings name it."""
    return _callee_text(function)


def _callee_text(function: ast.expr) -> str:
    root, attributes = attribute_chain(function)
    if isinstance(root, ast.Name):
        head = root.id
    elif isinstance(root, ast.Call):
        head = _callee_text(root.func) + "()"
    else:
        head = "…"
    return ".".join([head, *attributes])


def describe_sink(kind: str, callee: str, call: ast.Call) -> str:
    """How a finding names a sink: "the system prompt of client.messages.create (line 40)"."""
    return _describe(kind, callee, call)


def _describe(kind: str, callee: str, call: ast.Call) -> str:
    label = _KIND_LABELS.get(kind, f"the {kind}")
    return f"{label} of {callee} (line {call.lineno})"
