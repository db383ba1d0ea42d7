"""What names say about a call or a value: the provider APIs and which of their arguments are
sinks, the framework classes, the names of system prompts, histories and model calls, and the
shapes of a message or a tool definition."""

from __future__ import annotations

import ast
import re

from ctxlint.python.framework_sinks import FRAMEWORK_CALL_NAMES, FRAMEWORK_PACKAGES
from ctxlint.python.sink_types import SinkKind

# API families: which method paths (after the client) take which arguments.
OPENAI_CHAT = {"messages": "messages", "tools": "tools", "functions": "tools"}
OPENAI_RESPONSES = {"instructions": "system", "input": "messages", "tools": "tools"}
ANTHROPIC_MESSAGES = {"system": "system", "messages": "messages", "tools": "tools"}
GOOGLE_GENERATE = {"contents": "messages", "config": "genai-config"}
# `messages.count_tokens` and `models.count_tokens` are left out: a token count is never served
# from the cache nor writes it, and what it counts is sent for real elsewhere, where it is seen.
METHOD_FAMILIES: dict[str, tuple[str, dict[str, str]]] = {
    **{f"chat.completions.{m}": ("openai", OPENAI_CHAT) for m in ("create", "parse", "stream")},
    **{f"responses.{m}": ("openai", OPENAI_RESPONSES) for m in ("create", "parse", "stream")},
    **{f"messages.{m}": ("anthropic", ANTHROPIC_MESSAGES) for m in ("create", "stream", "parse")},
    **{
        f"models.{m}": ("google", GOOGLE_GENERATE)
        for m in ("generate_content", "generate_content_stream")
    },
}
PATH_NOISE = frozenset({"beta", "with_raw_response", "with_streaming_response", "aio"})

# SDKs whose clients speak the OpenAI wire format; an unresolved receiver of
# `.chat.completions.create` in a module that imports one of them is taken as a client.
OPENAI_COMPATIBLE_SDKS = frozenset(
    {"openai", "litellm", "groq", "together", "fireworks", "cerebras", "mistralai", "ollama"}
)

# Calls identified by their qualified name, and the arguments that are sinks
# (keyword names, or "0", "1" for positions).
QUALIFIED_CALLS: dict[str, dict[str, str]] = {
    "litellm.completion": OPENAI_CHAT,
    "litellm.acompletion": OPENAI_CHAT,
    "litellm.responses": OPENAI_RESPONSES,
    "litellm.aresponses": OPENAI_RESPONSES,
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
LANGCHAIN_MESSAGES = {
    "SystemMessage": "system",
    "HumanMessage": "content",
    "AIMessage": "content",
    "ToolMessage": "content",
    "ChatMessage": "content",
    "FunctionMessage": "content",
}
SMOLAGENTS_AGENTS = {"CodeAgent", "ToolCallingAgent", "MultiStepAgent"}

SINK_CALL_NAMES = frozenset(
    {
        *(path.rsplit(".", 1)[-1] for path in METHOD_FAMILIES),
        *(name.rsplit(".", 1)[-1] for name in QUALIFIED_CALLS),
        *LANGCHAIN_MESSAGES,
        *SMOLAGENTS_AGENTS,
        *FRAMEWORK_CALL_NAMES,
        "from_messages",
        "from_template",
        "bind_tools",
    }
)
# Libraries whose import says a module talks to LLMs (beyond the SDKs above).
LLM_LIBRARIES = frozenset(
    {
        *OPENAI_COMPATIBLE_SDKS,
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
SYSTEM_KEYWORDS = frozenset(
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
# A word before `system` that makes the name mean anything but the system prompt:
# `non_system_message`, `messages_without_system_prompt`.
_NEGATING_WORDS = frozenset({"non", "not", "no", "without", "except", "excluding"})
PREFIX_ROLES = frozenset({"system", "developer"})
# Words in the import path of a message class that say it is a message for a model.
MESSAGE_MODULE_WORDS = frozenset(
    {"llm", "llms", "agent", "agents", "chat", "prompt", "prompts", "message", "messages",
     "model", "models", "provider", "providers", "schema", "schemas", "ai", "completion"}
)  # fmt: skip


# Methods that, by their name, send a conversation to a model: `self.model.query(messages)`,
# `llm.chat(history)`. Agents rarely call an SDK where they keep their history; they call
# their own model layer, often in another module.
LLM_CALL_NAMES = frozenset(
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
HISTORY_NAME = re.compile(r"(?:^|_)(?:messages|msgs|history|conversation|chat_history|transcript)$")


def is_system_prompt_name(name: str) -> bool:
    """`system_prompt`, `agent_system_prompt`, `get_system_message`, `SYSTEM_PROMPT_TEMPLATE`."""
    if _SYSTEM_NAME.match(name) is None:
        return False
    if "instruction" in name.lower() and _SYSTEM_INSTRUCTIONS_NAME.match(name) is None:
        return False
    words = name.lstrip("_").lower().split("_")
    if _NEGATING_WORDS.intersection(words[: _system_word_position(words)]):
        return False  # `_convert_non_system_message`: every message but the system one
    return words[0] == "system" or words[0] not in _NOT_A_PROMPT_WORDS


def _system_word_position(words: list[str]) -> int:
    """Where `system` (or `systemprompt`) starts among a name's words."""
    for position, word in enumerate(words):
        if word.startswith("system"):
            return position
    return len(words)


def is_tool_definition(entries: dict[str, ast.expr]) -> bool:
    """`{"type": "function", "function": {"name", "parameters"}}` defines a tool; the same
    shape with an "id" and "arguments" is a tool *call* in an assistant message."""
    if "id" in entries or "call_id" in entries or "arguments" in entries:
        return False
    inner = entries.get("function")
    if isinstance(inner, ast.Dict):
        keys = {k.value for k in inner.keys if isinstance(k, ast.Constant)}
        return "arguments" not in keys
    return "function" in entries or "parameters" in entries


def family_and_receiver(function: ast.expr) -> tuple[tuple[str, dict[str, str]], ast.expr] | None:
    """The API family of a method path and the client it is called on: for
    `self.llm_client.messages.create`, the Anthropic messages API on `self.llm_client`."""
    path: list[str] = []
    node = function
    while isinstance(node, ast.Attribute) and len(path) < 4:
        if node.attr not in PATH_NOISE:
            path.insert(0, node.attr)
            family = METHOD_FAMILIES.get(".".join(path))
            if family is not None:
                return family, _without_noise(node.value)
        node = node.value
    return None


def _without_noise(receiver: ast.expr) -> ast.expr:
    # `client.beta.messages.create`: the client is `client`.
    while isinstance(receiver, ast.Attribute) and receiver.attr in PATH_NOISE:
        receiver = receiver.value
    return receiver


def message_constructor(call: ast.Call) -> tuple[SinkKind, ast.expr] | None:
    """`Message(role="system", content=text)`, `ChatMessage(role=Role.SYSTEM, content=text)`:
    any call with `role=` and `content=` builds a chat message, whatever the framework."""
    keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
    role, content = keywords.get("role"), keywords.get("content")
    if role is None or content is None:
        return None
    return ("system" if _names_a_prefix_role(role) else "content"), content


def _names_a_prefix_role(role: ast.expr) -> bool:
    constant = constant_string(role)
    if constant is not None:
        return constant in PREFIX_ROLES
    # `Role.SYSTEM`, `MessageRole.DEVELOPER`, `SYSTEM_ROLE`: the name says which role.
    name = role.attr if isinstance(role, ast.Attribute) else getattr(role, "id", "")
    words = set(name.lower().split("_"))
    return bool(words & PREFIX_ROLES)


def configured_matches(pattern: str, qualified: str | None, function: ast.expr) -> bool:
    if pattern.startswith("*."):
        return isinstance(function, ast.Attribute) and function.attr == pattern[2:]
    return qualified == pattern


def constant_string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None
