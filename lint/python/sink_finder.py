"""The sinks of one module's calls and dict displays: provider SDK calls, framework classes,
message constructors, request and message dicts, and pydantic-ai's prompt decorators."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ctxlint.python.client_receivers import receiver_provider
from ctxlint.python.framework_sinks import (
    base_class_roles,
    framework_method_roles,
    framework_roles,
)
from ctxlint.python.index import ModuleIndex, Scope, decorator_name
from ctxlint.python.later_messages import added_to_conversation
from ctxlint.python.memory_writes import written_to_memory
from ctxlint.python.names import lookup, qualified_name
from ctxlint.python.requests import request_entries, spread_parameter
from ctxlint.python.sink_names import (
    LANGCHAIN_MESSAGES,
    LLM_CALL_NAMES,
    LLM_LIBRARIES,
    MESSAGE_MODULE_WORDS,
    OPENAI_COMPATIBLE_SDKS,
    PREFIX_ROLES,
    QUALIFIED_CALLS,
    SINK_CALL_NAMES,
    SMOLAGENTS_AGENTS,
    SYSTEM_KEYWORDS,
    configured_matches,
    constant_string,
    family_and_receiver,
    is_system_prompt_name,
    is_tool_definition,
    message_constructor,
)
from ctxlint.python.sink_types import (
    ConfiguredSink,
    Sink,
    SinkKind,
    callee_text,
    describe_sink,
    kind_label,
)
from ctxlint.python.wrappers import Spread


class SinkFinder:
    """Finds the sinks of one module: the calls, message constructors and dict displays
    that put a value into an LLM request."""

    def __init__(self, index: ModuleIndex, configured: tuple[ConfiguredSink, ...]) -> None:
        self.index = index
        self.configured = configured
        # Calls that spread `**something` into an LLM call, for the wrapper summaries.
        self.spreads: list[Spread] = []
        # Messages yielded or appended to a kept history: the end of the request, not its front.
        self.added_later = added_to_conversation(index)
        # Messages handed to a memory store's `add` (memory_writes.py): stored, never sent.
        self.stored = index.derived(written_to_memory)
        top_levels = {name.split(".")[0] for name in index.imported_modules}
        self.top_levels = top_levels
        self.imports_openai_compatible = bool(top_levels & OPENAI_COMPATIBLE_SDKS)
        self.imports_anthropic = "anthropic" in top_levels
        self.imports_google_genai = any(
            name == "google.genai" or name.startswith("google.genai.")
            for name in index.imported_modules
        )
        self.imports_langchain = any(name.startswith("langchain") for name in top_levels)
        self.imports_pydantic_ai = "pydantic_ai" in top_levels
        self.imports_llm_library = (
            bool(top_levels & LLM_LIBRARIES)
            or self.imports_google_genai
            or any(name.startswith("google.generativeai") for name in index.imported_modules)
            or any(name.startswith(("langchain", "autogen", "llama_index")) for name in top_levels)
        )
        # The last names a sink call can have, including local aliases of imported ones.
        self.sink_names = set(SINK_CALL_NAMES)
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
        if {"system", "messages"} <= names and last in LLM_CALL_NAMES:
            return True
        return bool(names & SYSTEM_KEYWORDS) or {"role", "content"} <= names

    # Calls --------------------------------------------------------------------------------

    def call_sinks(self, call: ast.Call, scope: Scope) -> Iterator[Sink]:
        callee = callee_text(call.func)
        message = message_constructor(call) if self.may_build_message(call, scope) else None
        if message is not None and id(call) in self.stored:
            return
        if message is not None:
            kind, content = message
            part = "" if kind == "system" else "a message"
            if kind == "system" and id(call) in self.added_later:
                kind, part = "content", "a system message added to the conversation"
            described = f"{part or kind_label(kind)} built by {callee}"
            yield Sink(content, scope, kind, described, call, part=part)
            return
        for keyword in call.keywords:
            if keyword.arg in SYSTEM_KEYWORDS and self.names_a_system_prompt(keyword.arg):
                description = describe_sink("system", callee)
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
            if kind is not None and keyword.arg not in SYSTEM_KEYWORDS:
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
                        description = describe_sink(kind, callee)
                        yield Sink(value, scope, kind, description, call)  # type: ignore[arg-type]
            return
        if kind == "prompt-template":
            yield from self.template_sinks(argument, scope, callee, call)
            return
        yield Sink(argument, scope, kind, describe_sink(kind, callee), call)  # type: ignore[arg-type]

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
                yield Sink(element.elts[1], scope, kind, describe_sink(kind, callee), call)

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
            if configured_matches(configured.call, qualified, function):
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
        if qualified in QUALIFIED_CALLS:
            return QUALIFIED_CALLS[qualified]
        found = framework_roles(qualified)
        if found is not None:
            return found
        head, _, last = qualified.rpartition(".")
        if head.startswith("langchain") and last in LANGCHAIN_MESSAGES:
            kind = LANGCHAIN_MESSAGES[last]
            return {"0": kind, "content": kind}
        if head.startswith("langchain") and qualified.endswith("ChatPromptTemplate.from_messages"):
            return {"0": "prompt-template", "messages": "prompt-template"}
        if head.startswith("langchain") and qualified.endswith(
            "SystemMessagePromptTemplate.from_template"
        ):
            return {"0": "system", "template": "system"}
        if head.startswith("smolagents") and last in SMOLAGENTS_AGENTS:
            return {"instructions": "system", "tools": "tools"}
        return None

    def method_roles(self, call: ast.Call, scope: Scope) -> dict[str, str] | None:
        found = family_and_receiver(call.func)
        if found is None:
            return None
        (provider, roles), root = found
        receiver = receiver_provider(root, scope, depth=0)
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
        return bool(words & MESSAGE_MODULE_WORDS)

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
        role = constant_string(entries.get("role"))
        if "role" in entries and "content" in entries and id(node) in self.stored:
            return
        if "role" in entries and "content" in entries:
            kind: SinkKind = "system" if role in PREFIX_ROLES else "content"
            what = f"{_article(role)} {role} message" if role else "a message"
            if kind == "system" and id(node) in self.added_later:
                kind, what = "content", f"{what} added to the conversation"
            content = entries["content"]
            if kind == "system":
                yield Sink(content, scope, kind, f"the system prompt, in {what}")
            else:
                yield Sink(content, scope, kind, what, part=what)
            return
        block_type = constant_string(entries.get("type"))
        if (block_type == "function" and is_tool_definition(entries)) or (
            "name" in entries and "input_schema" in entries
        ):
            yield Sink(node, scope, "tools", "a tool definition")
        elif block_type == "tool_result" and "content" in entries:
            yield Sink(entries["content"], scope, "content", _RESULT, part=_RESULT)
        elif block_type == "function_call_output" and "output" in entries:
            yield Sink(entries["output"], scope, "content", _RESULT, part=_RESULT)
        for key, value in entries.items():
            if key in SYSTEM_KEYWORDS and self.names_a_system_prompt(key):
                described = f'the system prompt, in the "{key}" entry'
                yield Sink(value, scope, "system", described)


def _model_layer_system(call: ast.Call, scope: Scope, callee: str) -> Iterator[Sink]:
    """`provider.complete(model=m, system=s, messages=h)`: the project's own model layer,
    named as a model call and handed a history, takes `system=` as the system prompt."""
    function = call.func
    last = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
    if last in LLM_CALL_NAMES and "messages" in keywords and "system" in keywords:
        yield Sink(keywords["system"], scope, "system", describe_sink("system", callee), call)


_RESULT = "a tool result"


def _article(word: str) -> str:
    # By sound: "an assistant", "a user".
    return "an" if word[:1].lower() in "aeio" else "a"
