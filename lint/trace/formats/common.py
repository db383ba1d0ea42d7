"""What several formats share: OpenAI- and Anthropic-shaped messages, tools and usage, times,
media hashes, and how requests without a session id are told apart."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import datetime, timezone
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.model import (
    MEDIA,
    OTHER,
    TEXT,
    THINKING,
    TOOL_CALL,
    TOOL_RESULT,
    Block,
    Diagnosis,
    Message,
    Origin,
    Tool,
    Usage,
    message,
    tool,
)


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 text, or epoch seconds / milliseconds / nanoseconds; None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            seconds = float(value)
            if seconds > 1e17:
                seconds /= 1e9
            elif seconds > 1e11:
                seconds /= 1e3
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value:
        text = value.strip()
        if text.isdigit():
            # Longer than any epoch: int() refuses past 4,300 digits, float() past 308.
            return parse_time(int(text)) if len(text) <= 20 else None
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        # Python before 3.11 takes at most 6 fractional digits.
        text = re.sub(r"(\.\d{6})\d+", r"\1", text)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def time_at(value: dict[str, Any], key: str, at: str) -> datetime | None:
    """A time field (text or epoch number); a value of another type is a fault."""
    return parse_time(typed.one_of(value, key, at, typed.TIME_KINDS))


def media_hash(value: Any, pointer: str) -> str:
    """A stable stand-in for an image or file: the hash of its data or address."""
    data = typed.json_text(value, pointer).encode("utf-8", "surrogatepass")
    return "sha256:" + hashlib.sha256(data).hexdigest()


def provider_of_model(model: str | None, default: str | None = None) -> str | None:
    lowered = (model or "").lower().rsplit("/", 1)[-1]
    if lowered.startswith("claude"):
        return "anthropic"
    if lowered.startswith("deepseek"):
        return "deepseek"
    if lowered.startswith("gemini"):
        return "google"
    if lowered.startswith(("mistral", "codestral", "magistral", "devstral")):
        return "mistral"
    if lowered.startswith(("gpt", "o1", "o3", "o4", "chatgpt", "codex")):
        return "openai"
    return default


def model_at(value: dict[str, Any], key: str, at: str) -> str | None:
    """The model named in a field; None when it is absent or empty."""
    return typed.text(value, key, at) or None


def cache_params(value: dict[str, Any], names: tuple[str, ...], at: str) -> dict[str, Any]:
    """The request fields that decide caching, as recorded: each is compared between requests
    and printed, so each must be of a type the rules read and no deeper than JSON is written."""
    found: dict[str, Any] = {}
    for name in names:
        if name in value:
            kinds = _PARAM_KINDS.get(name, _ANY_PARAM)
            param = value[name]
            if type(param) not in kinds:
                named = " or ".join(typed.kind_of(k()) for k in kinds if k is not type(None))
                raise typed.wrong_type(param, child(at, name), named)
            found[name] = typed.shallow(param, child(at, name))
    return found


_ANY_PARAM = (str, int, float, bool, list, dict, type(None))
# Parameters whose value a rule or the simulator reads, by the types their APIs allow.
_PARAM_KINDS: dict[str, tuple[type, ...]] = {
    "prompt_cache_key": (str, type(None)),
    "prompt_cache_retention": (str, type(None)),
    "cache_control": (dict, type(None)),
    "tool_choice": (str, dict, type(None)),
    "parallel_tool_calls": (bool, type(None)),
    "reasoning_effort": (str, type(None)),
}


child = typed.child


# --- OpenAI Chat Completions -------------------------------------------------------------------


def openai_chat_messages(items: Any, line: int, pointer: str) -> tuple[Message, ...]:
    """The messages of an array (None when absent gives none)."""
    if items is None:
        return ()
    if type(items) is not list:
        raise typed.wrong_type(items, pointer, "array")
    return tuple(
        openai_chat_message(item, Origin(line, child(pointer, position)), child(pointer, position))
        for position, item in typed.objects(items, pointer)
    )


def openai_chat_message(item: dict[str, Any], origin: Origin | None, at: str) -> Message:
    role = typed.text(item, "role", at) or "user"
    blocks: list[Block] = []
    content = typed.one_of(item, "content", at, _CONTENT_KINDS)
    if role == "tool" or role == "function":
        text = _openai_content_text(content, child(at, "content"))
        call_id = typed.identifier(item, "tool_call_id", at) or typed.text(item, "name", at)
        blocks.append(
            Block(
                TOOL_RESULT,
                text=text,
                call_id=call_id or "",
                is_error=bool(item.get("is_error") or item.get("error")),
                pointer=child(at, "content"),
            )
        )
    else:
        blocks.extend(openai_content_blocks(content, child(at, "content")))
    reasoning = item.get("reasoning_content")
    if isinstance(reasoning, str) and reasoning:
        blocks.insert(0, Block(THINKING, text=reasoning))
    calls = typed.array(item, "tool_calls", at) or ()
    for position, call in typed.objects(calls, child(at, "tool_calls")):
        here = child(at, "tool_calls", position)
        function = typed.mapping(call, "function", here) or {}
        function_at = child(here, "function")
        # Chat Completions keeps them in `function`, some recorders on the call itself.
        holder, holder_at = (function, function_at) if "arguments" in function else (call, here)
        read_at = child(holder_at, "arguments")
        arguments = typed.json_text(holder.get("arguments", ""), read_at)
        name = typed.text(function, "name", function_at) or typed.text(call, "name", here)
        blocks.append(
            Block(
                TOOL_CALL,
                name=name or "",
                call_id=typed.identifier(call, "id", here, ""),
                arguments=arguments,
                pointer=read_at,
            )
        )
    legacy = typed.mapping(item, "function_call", at)
    if legacy is not None:
        here = child(at, "function_call")
        blocks.append(
            Block(
                TOOL_CALL,
                name=typed.text(legacy, "name", here, ""),
                arguments=typed.json_text(legacy.get("arguments", ""), child(here, "arguments")),
            )
        )
    return message(role, blocks, origin)


# Content is text or an array of parts; other JSON is kept as it is, serialised.
_CONTENT_KINDS = (str, list, dict, int, float, bool)


def openai_content_blocks(content: Any, at: str) -> list[Block]:
    if content is None:
        return []
    if isinstance(content, str):
        return [Block(TEXT, text=content, pointer=at)] if content else []
    if not isinstance(content, list):
        return [Block(OTHER, text=typed.json_text(content, at))]
    blocks: list[Block] = []
    for position, part in enumerate(content):
        here = child(at, position)
        if isinstance(part, str):
            blocks.append(Block(TEXT, text=part, pointer=here))
            continue
        if not isinstance(part, dict):
            raise typed.wrong_type(part, here, "string or object")
        kind = typed.text(part, "type", here)
        ttl = cache_ttl(part, here)
        if kind in ("text", "input_text", "output_text", "refusal"):
            text = typed.text(part, "text", here) or typed.text(part, "refusal", here) or ""
            key = "refusal" if kind == "refusal" else "text"
            blocks.append(Block(TEXT, text=text, cache_ttl=ttl, pointer=child(here, key)))
        elif kind in ("image_url", "input_image", "input_audio", "file", "input_file", "image"):
            blocks.append(Block(MEDIA, text=media_hash(part, here), cache_ttl=ttl))
        else:
            blocks.append(Block(OTHER, text=typed.json_text(part, here), cache_ttl=ttl))
    return blocks


def _openai_content_text(content: Any, at: str) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(block.text for block in openai_content_blocks(content, at))


def openai_tools(items: Any, at: str) -> tuple[Tool, ...] | None:
    """Chat Completions (`{"type": "function", "function": {...}}`) and Responses (flat) tools;
    None when they are not recorded."""
    if items is None:
        return None
    if type(items) is not list:
        raise typed.wrong_type(items, at, "array")
    tools: list[Tool] = []
    for position, item in typed.objects(items, at):
        here = child(at, position)
        function = typed.mapping(item, "function", here)
        if function is not None:
            name = typed.text(function, "name", child(here, "function"))
        else:
            name = typed.text(item, "name", here)
        name = name or typed.text(item, "type", here) or ""
        tools.append(tool(name, item, None, here))
    return tuple(tools)


def openai_usage(raw: Any, at: str) -> Usage | None:
    """Chat Completions, Responses and DeepSeek usage, and the providers that copy its shape
    (lint/trace/formats/usage.py): the prompt count is the whole prompt."""
    if raw is None:
        return None
    if type(raw) is not dict:
        raise typed.wrong_type(raw, at, "object")
    key = "prompt_tokens" if "prompt_tokens" in raw else "input_tokens"
    prompt = typed.tokens(raw, key, at)
    details_key = (
        "prompt_tokens_details" if raw.get("prompt_tokens_details") else "input_tokens_details"
    )
    details = typed.mapping(raw, details_key, at) or {}
    details_at = child(at, details_key)
    cached = typed.tokens(details, "cached_tokens", details_at)
    if cached is None:
        cached = typed.tokens(raw, "prompt_cache_hit_tokens", at)
    if cached is None:
        # Kimi (Moonshot) reports the cached part at the top level.
        cached = typed.tokens(raw, "cached_tokens", at)
    if cached is None and "cache_read_input_tokens" in raw:
        # LiteLLM passes Anthropic's counts through beside its own OpenAI-style prompt count.
        cached = typed.tokens(raw, "cache_read_input_tokens", at)
    written = typed.tokens(raw, "cache_creation_input_tokens", at)
    if written is None:
        # OpenAI and OpenRouter: cache_write_tokens; Qwen's explicit cache:
        # cache_creation_input_tokens.
        written = (
            typed.tokens(details, "cache_write_tokens", details_at)
            or typed.tokens(details, "cache_creation_tokens", details_at)
            or typed.tokens(details, "cache_creation_input_tokens", details_at)
        )
    output_key = "completion_tokens" if "completion_tokens" in raw else "output_tokens"
    output = typed.tokens(raw, output_key, at)
    return Usage(prompt, cached, written, output, typed.shallow(raw, at))


# --- Anthropic Messages -----------------------------------------------------------------------


def cache_ttl(part: dict[str, Any], at: str) -> str | None:
    """The TTL of a part's cache breakpoint (`cache_control`), or None without one."""
    control = typed.mapping(part, "cache_control", at)
    if control is None:
        return None
    return typed.text(control, "ttl", child(at, "cache_control")) or "5m"


def anthropic_blocks(content: Any, at: str) -> list[Block]:
    if content is None:
        return []
    if isinstance(content, str):
        return [Block(TEXT, text=content, pointer=at)] if content else []
    if not isinstance(content, list):
        raise typed.wrong_type(content, at, "string or array")
    blocks: list[Block] = []
    # Every message of a transcript comes here: the loop is kept free of calls it can avoid.
    for position, part in enumerate(content):
        here = f"{at}/{position}"
        if type(part) is not dict:
            raise typed.wrong_type(part, here, "object")
        kind = typed.text(part, "type", here) or ""
        ttl = None if part.get("cache_control") is None else cache_ttl(part, here)
        if kind == "text":
            text = typed.text(part, "text", here, "")
            blocks.append(Block(TEXT, text=text, cache_ttl=ttl, pointer=f"{here}/text"))
        elif kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
            blocks.append(
                Block(
                    TOOL_CALL,
                    name=typed.text(part, "name", here, ""),
                    call_id=typed.identifier(part, "id", here, ""),
                    arguments=typed.json_text(part.get("input", {}), child(here, "input")),
                    cache_ttl=ttl,
                    pointer=f"{here}/input",
                )
            )
        elif kind == "tool_result" or kind.endswith("_tool_result"):
            inner = part.get("content")
            inner_at = child(here, "content")
            text = inner if isinstance(inner, str) else _joined(anthropic_blocks(inner, inner_at))
            blocks.append(
                Block(
                    TOOL_RESULT,
                    text=text,
                    call_id=typed.identifier(part, "tool_use_id", here, ""),
                    is_error=bool(part.get("is_error")),
                    cache_ttl=ttl,
                    pointer=inner_at,
                )
            )
        elif kind in ("thinking", "redacted_thinking"):
            thought = typed.text(part, "thinking", here) or typed.text(part, "data", here) or ""
            blocks.append(Block(THINKING, text=thought))
        elif kind in ("image", "document", "file"):
            source = "source" if "source" in part else None
            media = media_hash(part[source], child(here, source)) if source else None
            blocks.append(Block(MEDIA, text=media or media_hash(part, here), cache_ttl=ttl))
        else:
            blocks.append(Block(OTHER, text=typed.json_text(part, here), cache_ttl=ttl))
    return blocks


def _joined(blocks: list[Block]) -> str:
    return "\n".join(block.text for block in blocks)


def anthropic_messages(items: Any, line: int, pointer: str) -> tuple[Message, ...]:
    if type(items) is not list:
        raise typed.wrong_type(items, pointer, "array")
    found: list[Message] = []
    for position, item in typed.objects(items, pointer):
        here = child(pointer, position)
        role = typed.text(item, "role", here) or "user"
        blocks = anthropic_blocks(item.get("content"), child(here, "content"))
        found.append(message(role, blocks, Origin(line, here)))
    return tuple(found)


def anthropic_system(value: Any, at: str) -> tuple[Block, ...]:
    return tuple(anthropic_blocks(value, at))


def anthropic_tools(items: Any, at: str) -> tuple[Tool, ...] | None:
    if items is None:
        return None
    if type(items) is not list:
        raise typed.wrong_type(items, at, "array")
    found = []
    for position, item in typed.objects(items, at):
        here = child(at, position)
        name = typed.text(item, "name", here) or typed.text(item, "type", here) or ""
        found.append(tool(name, item, cache_ttl(item, here), here))
    return tuple(found)


def whole_prompt(
    uncached: int | None, read: int | None, written: int | None, at: str
) -> int | None:
    """The whole prompt of a usage that, as Anthropic's, counts only the uncached part: what
    was read from and written to the cache added back. `at` names the uncached count, which
    the sum must stay a count of, as each part does."""
    if uncached is None:
        return None
    return typed.token_count(uncached + (read or 0) + (written or 0), at)


def anthropic_usage(raw: Any, at: str) -> Usage | None:
    """Anthropic's `input_tokens` leaves out what was read from or written to the cache."""
    if raw is None:
        return None
    if type(raw) is not dict:
        raise typed.wrong_type(raw, at, "object")
    uncached = typed.tokens(raw, "input_tokens", at)
    read = typed.tokens(raw, "cache_read_input_tokens", at) or 0
    written = typed.tokens(raw, "cache_creation_input_tokens", at) or 0
    prompt = whole_prompt(uncached, read, written, child(at, "input_tokens"))
    output = typed.tokens(raw, "output_tokens", at)
    return Usage(prompt, read, written, output, typed.shallow(raw, at))


# --- The provider's own cache diagnostics --------------------------------------------------------


def with_diagnosis(usage: Usage | None, response: dict[str, Any], at: str) -> Usage | None:
    """`usage` with what the response says of its cache use against an earlier request:
    Anthropic's `diagnostics` (https://platform.claude.com/docs/en/build-with-claude/
    cache-diagnostics) or OpenAI's `prompt_cache_diagnostics` (https://developers.openai.com/
    api/docs/guides/prompt-caching/diagnostics)."""
    if usage is None:
        return None
    found = None
    if response.get("diagnostics") is not None:
        found = anthropic_diagnosis(response["diagnostics"], child(at, "diagnostics"))
    elif response.get("prompt_cache_diagnostics") is not None:
        found = openai_diagnosis(
            response["prompt_cache_diagnostics"], child(at, "prompt_cache_diagnostics")
        )
    return usage if found is None else dataclasses.replace(usage, diagnosis=found)


def anthropic_diagnosis(value: Any, at: str) -> Diagnosis | None:
    """`{"cache_miss_reason": null | {"type": ..., "cache_missed_input_tokens": N}}`."""
    if value is None:
        return None
    if type(value) is not dict:
        raise typed.wrong_type(value, at, "object")
    reason = typed.mapping(value, "cache_miss_reason", at)
    if reason is None:
        return Diagnosis("anthropic", "none")
    reason_at = child(at, "cache_miss_reason")
    verdict = typed.required_text(reason, "type", reason_at)
    return Diagnosis(
        "anthropic", verdict, typed.tokens(reason, "cache_missed_input_tokens", reason_at)
    )


def openai_diagnosis(value: Any, at: str) -> Diagnosis | None:
    """`{"type": "cache_hit" | "cache_miss" | ..., "reason": ..., "cache_missed_tokens": N}`."""
    if type(value) is not dict:
        raise typed.wrong_type(value, at, "object")
    kind = typed.required_text(value, "type", at)
    reason = typed.text(value, "reason", at) if kind == "cache_miss" else None
    return Diagnosis("openai", reason or kind, typed.tokens(value, "cache_missed_tokens", at))


# --- Sessions for formats that record none ----------------------------------------------------

_VOLATILE_RUN = re.compile(r"[0-9a-fA-F]{8,}(?:-[0-9a-fA-F]{4,})*|\d+")


def conversation_key(messages: tuple[Message, ...]) -> str:
    """Raw request bodies carry no session id. A conversation is told by its first user
    message, with digits and ids masked so a timestamp in it does not split the session."""
    for found in messages:
        if found.role == "user":
            text = _VOLATILE_RUN.sub("#", found.text())
            return "conversation-" + hashlib.blake2b(text.encode(), digest_size=6).hexdigest()
    return "conversation"


def attribute_at(attributes: Any, at: str, key: str) -> str:
    """The JSON pointer of attribute `key`'s value: in an OTLP key/value list the entry's
    position and the value's kind (`/attributes/3/value/stringValue`, the JSON text GenAI
    attributes hold), in the SDK's plain dict the key itself."""
    found = child(at, key)
    if isinstance(attributes, list):
        # The last entry of a key wins, as in attribute_map.
        for position, entry in enumerate(attributes):
            if isinstance(entry, dict) and entry.get("key") == key:
                value = entry.get("value")
                found = child(at, position, "value")
                if isinstance(value, dict) and "stringValue" in value:
                    found = child(found, "stringValue")
    return found
