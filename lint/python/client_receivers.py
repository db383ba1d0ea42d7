"""Which provider's client a method is called on: `client = anthropic.Anthropic()` makes
`client.messages.create` the Anthropic messages API; an SMS client's `messages.create` is not."""

from __future__ import annotations

import ast

from ctxlint.python.index import Binding, Scope, class_of_self
from ctxlint.python.names import lookup, qualified_name

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


def receiver_provider(root: ast.expr, scope: Scope, depth: int) -> str | None:
    """ "openai", "anthropic", ... for a client; "other" for something known not to be
    one; None when it cannot be told."""
    if depth > 4:
        return None
    if isinstance(root, ast.Call):
        qualified = qualified_name(root.func, scope)
        if qualified is not None:
            return _provider_of_class(qualified)
        return _returned_provider(root.func, scope, depth)
    if isinstance(root, ast.Name):
        return _bindings_provider(lookup(root.id, scope), depth)
    if isinstance(root, ast.Attribute) and isinstance(root.value, ast.Name):
        owner = class_of_self(root.value, scope)
        if owner is not None:
            found = [
                receiver_provider(value, value_scope, depth + 1)
                for value, value_scope in owner.attributes.get(root.attr, [])
            ]
            return _combine(found)
    return None


def _bindings_provider(bindings: list[Binding], depth: int) -> str | None:
    found: list[str | None] = []
    for binding in bindings:
        if binding.kind == "import" and binding.qualified_name:
            found.append(_CLIENT_MODULES.get(binding.qualified_name, "other"))
        elif binding.kind == "assign" and binding.value is not None and not binding.target_path:
            found.append(receiver_provider(binding.value, binding.scope, depth + 1))
        elif binding.kind == "param" and binding.annotation is not None:
            annotation = binding.annotation
            qualified = qualified_name(annotation, binding.scope)
            found.append(_provider_of_class(qualified) if qualified else None)
        else:
            found.append(None)
    return _combine(found)


def _returned_provider(function: ast.expr, scope: Scope, depth: int) -> str | None:
    if not isinstance(function, ast.Name):
        return None
    for binding in lookup(function.id, scope):
        if binding.kind == "function" and binding.function is not None:
            info = binding.function
            return _combine([receiver_provider(v, info.scope, depth + 1) for v in info.returns])
    return None


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
