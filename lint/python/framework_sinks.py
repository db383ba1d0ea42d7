"""Agent frameworks' prompt sinks: the constructors that take an agent's system prompt,
instructions or tools, by qualified name, and `super().__init__(...)` in a class built on one.

An agent framework renders what its agent class is given (`sys_prompt=`, `backstory=`,
`instruction=`) into the system prompt of every request the agent makes: a clock read or this
turn's retrieval passed there breaks the cached prefix as surely as in an SDK call. Agent code
often subclasses the framework's agent and hands the prompt up through `super().__init__`, so a
call of the base class's constructor counts as a call of the framework class.

The table lists keyword arguments only: positions differ between a framework's versions.
"""

from __future__ import annotations

import ast

from ctxlint.python.index import Scope
from ctxlint.python.names import qualified_name

# Qualified class or function name -> which keyword arguments become which sink kind.
_AGENTSCOPE_AGENT = {"sys_prompt": "system"}
_CREWAI_AGENT = {"role": "system", "goal": "system", "backstory": "system", "tools": "tools"}
_ADK_AGENT = {
    "instruction": "system",
    "global_instruction": "system",
    "static_instruction": "system",
    "tools": "tools",
}
_AUTOGEN_AGENT = {"system_message": "system", "tools": "tools"}
_STRANDS_AGENT = {"system_prompt": "system", "tools": "tools"}
_SEMANTIC_KERNEL_AGENT = {"instructions": "system"}

FRAMEWORK_CALLS: dict[str, dict[str, str]] = {
    **{
        f"agentscope.{package}.{name}": _AGENTSCOPE_AGENT
        for package in ("agent", "agents")
        for name in ("ReActAgent", "DialogAgent", "AgentBase", "ReActAgentBase", "UserAgent")
    },
    "crewai.Agent": _CREWAI_AGENT,
    "crewai.agent.Agent": _CREWAI_AGENT,
    **{
        f"google.adk.agents.{name}": _ADK_AGENT
        for name in ("Agent", "LlmAgent", "llm_agent.LlmAgent", "llm_agent.Agent")
    },
    "autogen_agentchat.agents.AssistantAgent": _AUTOGEN_AGENT,
    "autogen.AssistantAgent": _AUTOGEN_AGENT,
    "autogen.ConversableAgent": _AUTOGEN_AGENT,
    "strands.Agent": _STRANDS_AGENT,
    "strands.agent.Agent": _STRANDS_AGENT,
    "semantic_kernel.agents.ChatCompletionAgent": _SEMANTIC_KERNEL_AGENT,
    # `create_react_agent(model, tools, prompt=...)`: a string prompt is the system message.
    "langgraph.prebuilt.create_react_agent": {"prompt": "system", "1": "tools", "tools": "tools"},
    "langchain.agents.create_agent": {"system_prompt": "system", "tools": "tools"},
    "llama_index.core.agent.workflow.FunctionAgent": {"system_prompt": "system", "tools": "tools"},
    "llama_index.core.agent.workflow.ReActAgent": {"system_prompt": "system", "tools": "tools"},
    "haystack.dataclasses.ChatMessage.from_system": {"0": "system", "text": "system"},
    "haystack.dataclasses.chat_message.ChatMessage.from_system": {"0": "system", "text": "system"},
}
# Methods of a framework's agent that replace its system prompt, on an agent of any name, in
# a module that imports the framework: method -> (package, sink arguments).
FRAMEWORK_METHODS: dict[str, tuple[str, dict[str, str]]] = {
    # autogen 0.2: `assistant.update_system_message(text)`.
    "update_system_message": ("autogen", {"0": "system", "system_message": "system"}),
}
# Top-level packages whose import says a module builds agents on a framework.
FRAMEWORK_PACKAGES = frozenset(
    {"agentscope", "crewai", "google", "autogen_agentchat", "autogen", "strands", "semantic_kernel",
     "langgraph", "langchain", "llama_index", "haystack"}
)  # fmt: skip
# The last names of the calls above, and `__init__` for `super().__init__(...)`: the cheap
# look at a call's name before anything is resolved.
FRAMEWORK_CALL_NAMES = frozenset(
    {*(name.rsplit(".", 1)[-1] for name in FRAMEWORK_CALLS), *FRAMEWORK_METHODS, "__init__"}
)


def framework_roles(qualified: str) -> dict[str, str] | None:
    return FRAMEWORK_CALLS.get(qualified)


def framework_method_roles(call: ast.Call, top_levels: set[str]) -> dict[str, str] | None:
    function = call.func
    if not isinstance(function, ast.Attribute) or function.attr not in FRAMEWORK_METHODS:
        return None
    package, roles = FRAMEWORK_METHODS[function.attr]
    return roles if package in top_levels else None


def base_class_roles(call: ast.Call, scope: Scope) -> dict[str, str] | None:
    """For `super().__init__(...)` in a class whose base is a framework's agent class, that
    class's sink arguments: `class Helper(ReActAgent): ... super().__init__(sys_prompt=p)`."""
    function = call.func
    if not (
        isinstance(function, ast.Attribute)
        and function.attr == "__init__"
        and isinstance(function.value, ast.Call)
        and isinstance(function.value.func, ast.Name)
        and function.value.func.id == "super"
    ):
        return None
    current: Scope | None = scope
    while current is not None and current.kind == "comprehension":
        current = current.parent
    info = current.function if current is not None else None
    owner = info.class_info if info is not None else None
    if owner is None:
        return None
    found: dict[str, str] | None = None
    for base in owner.node.bases:
        qualified = qualified_name(base, owner.scope.parent or owner.scope)
        roles = FRAMEWORK_CALLS.get(qualified) if qualified is not None else None
        if roles is not None:
            if found is not None and roles is not found:
                return None  # two framework bases: which one `super()` runs is not told here
            found = roles
    return found
