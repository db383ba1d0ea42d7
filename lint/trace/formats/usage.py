"""Provider usage in one meaning (Usage): the whole prompt, cached part included; the part read
from the cache; the part written to it; the output. Each provider names these its own way, and
some leave the cached part out of their prompt count: told apart here by the field names of
a raw response's usage object."""

from __future__ import annotations

from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats.common import anthropic_usage, child, openai_usage
from ctxlint.trace.model import Usage

# Gemini's usageMetadata, as the REST API (camelCase) and the Python SDK (snake_case) write it.
_GEMINI_PROMPT = ("promptTokenCount", "prompt_token_count")
_GEMINI_FIELDS = {
    "cached": ("cachedContentTokenCount", "cached_content_token_count"),
    "candidates": ("candidatesTokenCount", "candidates_token_count"),
    "thoughts": ("thoughtsTokenCount", "thoughts_token_count"),
}
_OPENAI_SHAPE = ("prompt_tokens", "prompt_tokens_details", "input_tokens_details")
# Where a response keeps its usage object.
_RESPONSE_USAGE = ("usage", "usageMetadata", "usage_metadata")


def response_usage(response: dict[str, Any], at: str, default: str = "openai") -> Usage | None:
    """The usage of a raw response, whichever provider's field holds it."""
    for key in _RESPONSE_USAGE:
        if response.get(key) is not None:
            return provider_usage(response[key], child(at, key), default)
    return None


def provider_usage(raw: Any, at: str, default: str = "openai") -> Usage | None:
    """Any provider's usage object. OpenAI and those that copy its shape (Azure, xAI, Groq,
    Fireworks, Mistral, Kimi, Qwen, DeepSeek, Gemini's OpenAI endpoint) count the whole
    prompt; Anthropic, and Bedrock's Converse, leave out what was read from or written to
    the cache; Gemini counts the whole prompt under its own names. `default` is the shape of
    a usage object too bare to tell (input and output counts only): they agree then."""
    if raw is None:
        return None
    if type(raw) is not dict:
        raise typed.wrong_type(raw, at, "object")
    if any(key in raw for key in _GEMINI_PROMPT):
        return gemini_usage(raw, at)
    if "inputTokens" in raw or "cacheReadInputTokens" in raw:
        return bedrock_usage(raw, at)
    if any(
        key in raw for key in ("prompt_tokens", "prompt_tokens_details", "input_tokens_details")
    ):
        return openai_usage(raw, at)
    if "cache_read_input_tokens" in raw or "cache_creation_input_tokens" in raw:
        return anthropic_usage(raw, at)
    return anthropic_usage(raw, at) if default == "anthropic" else openai_usage(raw, at)


def _first(raw: dict[str, Any], names: tuple[str, ...], at: str) -> int | None:
    for name in names:
        if name in raw:
            return typed.tokens(raw, name, at)
    return None


def gemini_usage(raw: dict[str, Any], at: str) -> Usage:
    """promptTokenCount holds the cached part (cachedContentTokenCount, left out when nothing
    was read); thoughts are billed as output, as the candidates are. Gemini bills no cache
    writes: what an implicit cache stores costs what input costs."""
    prompt = _first(raw, _GEMINI_PROMPT, at)
    cached = _first(raw, _GEMINI_FIELDS["cached"], at)
    if cached is None and prompt is not None:
        cached = 0
    candidates = _first(raw, _GEMINI_FIELDS["candidates"], at)
    thoughts = _first(raw, _GEMINI_FIELDS["thoughts"], at)
    output = (
        None if candidates is None and thoughts is None else (candidates or 0) + (thoughts or 0)
    )
    return Usage(prompt, cached, None, output, typed.shallow(raw, at))


def bedrock_usage(raw: dict[str, Any], at: str) -> Usage:
    """Bedrock Converse: inputTokens is what was neither read from nor written to the cache
    (cacheReadInputTokens, cacheWriteInputTokens), as Anthropic's input_tokens is; where
    totalTokens shows the input count held the cached part, it is taken as the whole."""
    uncached = typed.tokens(raw, "inputTokens", at)
    read = typed.tokens(raw, "cacheReadInputTokens", at) or 0
    written = typed.tokens(raw, "cacheWriteInputTokens", at) or 0
    output = typed.tokens(raw, "outputTokens", at)
    total = typed.tokens(raw, "totalTokens", at)
    prompt = None
    if uncached is not None:
        inclusive = (read or written) and total is not None and total == uncached + (output or 0)
        prompt = uncached if inclusive else uncached + read + written
        typed.token_count(prompt, child(at, "inputTokens"))
    return Usage(prompt, read, written, output, typed.shallow(raw, at))
