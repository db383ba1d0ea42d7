"""What several formats share: OpenAI- and Anthropic-shaped messages, tools and usage, times,
media hashes, and how requests without a session id are told apart."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from typing import Any

import orjson

from ctxlint.trace.model import (
    MEDIA,
    OTHER,
    TEXT,
    THINKING,
    TOOL_CALL,
    TOOL_RESULT,
    Block,
    Message,
    Origin,
    Tool,
    Usage,
    message,
    pointer_token,
    tool,
)


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 text, or epoch seconds / milliseconds / nanoseconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = float(value)
        if seconds > 1e17:
            seconds /= 1e9
        elif seconds > 1e11:
            seconds /= 1e3
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value:
        text = value.strip()
        if text.isdigit():
            return parse_time(int(text))
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


def as_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)


def json_text(value: Any) -> str:
    """Content that is not text, serialised as recorded (key order kept)."""
    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return str(value)


def media_hash(value: Any) -> str:
    """A stable stand-in for an image or file: the hash of its data or address."""
    return "sha256:" + hashlib.sha256(json_text(value).encode("utf-8", "surrogatepass")).hexdigest()


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


def child(pointer: str, *keys: str | int) -> str:
    return pointer + "".join("/" + pointer_token(key) for key in keys)


# --- OpenAI Chat Completions -------------------------------------------------------------------


def openai_chat_messages(items: Any, line: int, pointer: str) -> tuple[Message, ...]:
    if not isinstance(items, list):
        return ()
    found: list[Message] = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        origin = Origin(line, child(pointer, position))
        found.append(openai_chat_message(item, origin))
    return tuple(found)


def openai_chat_message(item: dict[str, Any], origin: Origin | None) -> Message:
    role = str(item.get("role") or "user")
    blocks: list[Block] = []
    content = item.get("content")
    if role == "tool" or role == "function":
        text = _openai_content_text(content)
        blocks.append(
            Block(
                TOOL_RESULT,
                text=text,
                call_id=str(item.get("tool_call_id") or item.get("name") or ""),
                is_error=bool(item.get("is_error") or item.get("error")),
            )
        )
    else:
        blocks.extend(openai_content_blocks(content))
    reasoning = item.get("reasoning_content")
    if isinstance(reasoning, str) and reasoning:
        blocks.insert(0, Block(THINKING, text=reasoning))
    for call in item.get("tool_calls") or ():
        if not isinstance(call, dict):
            continue
        function = call.get("function") if isinstance(call.get("function"), dict) else {}
        arguments = function.get("arguments", call.get("arguments", ""))
        blocks.append(
            Block(
                TOOL_CALL,
                name=str(function.get("name") or call.get("name") or ""),
                call_id=str(call.get("id") or ""),
                arguments=json_text(arguments),
            )
        )
    legacy = item.get("function_call")
    if isinstance(legacy, dict):
        blocks.append(
            Block(
                TOOL_CALL,
                name=str(legacy.get("name") or ""),
                arguments=json_text(legacy.get("arguments", "")),
            )
        )
    return message(role, blocks, origin)


def openai_content_blocks(content: Any) -> list[Block]:
    if content is None:
        return []
    if isinstance(content, str):
        return [Block(TEXT, text=content)] if content else []
    if not isinstance(content, list):
        return [Block(OTHER, text=json_text(content))]
    blocks: list[Block] = []
    for part in content:
        if isinstance(part, str):
            blocks.append(Block(TEXT, text=part))
            continue
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        ttl = cache_ttl(part.get("cache_control"))
        if kind in ("text", "input_text", "output_text", "refusal"):
            blocks.append(
                Block(TEXT, text=str(part.get("text") or part.get("refusal") or ""), cache_ttl=ttl)
            )
        elif kind in ("image_url", "input_image", "input_audio", "file", "input_file", "image"):
            blocks.append(Block(MEDIA, text=media_hash(part), cache_ttl=ttl))
        else:
            blocks.append(Block(OTHER, text=json_text(part), cache_ttl=ttl))
    return blocks


def _openai_content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(block.text for block in openai_content_blocks(content))


def openai_tools(items: Any) -> tuple[Tool, ...] | None:
    """Chat Completions (`{"type": "function", "function": {...}}`) and Responses (flat) tools."""
    if not isinstance(items, list):
        return None
    tools: list[Tool] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        function = item.get("function") if isinstance(item.get("function"), dict) else item
        name = function.get("name") or item.get("type") or ""
        tools.append(tool(str(name), item))
    return tuple(tools)


def openai_usage(raw: Any) -> Usage | None:
    """Chat Completions, Responses and DeepSeek usage: the prompt count is the whole prompt."""
    if not isinstance(raw, dict):
        return None
    prompt = as_int(raw.get("prompt_tokens", raw.get("input_tokens")))
    details = raw.get("prompt_tokens_details") or raw.get("input_tokens_details") or {}
    cached = as_int(details.get("cached_tokens")) if isinstance(details, dict) else None
    if cached is None:
        cached = as_int(raw.get("prompt_cache_hit_tokens"))
    if cached is None and "cache_read_input_tokens" in raw:
        # LiteLLM passes Anthropic's counts through beside its own OpenAI-style prompt count.
        cached = as_int(raw.get("cache_read_input_tokens"))
    written = as_int(raw.get("cache_creation_input_tokens"))
    if written is None and isinstance(details, dict):
        written = as_int(details.get("cache_write_tokens") or details.get("cache_creation_tokens"))
    output = as_int(raw.get("completion_tokens", raw.get("output_tokens")))
    return Usage(prompt, cached, written, output, raw)


# --- Anthropic Messages -----------------------------------------------------------------------


def cache_ttl(control: Any) -> str | None:
    if not isinstance(control, dict):
        return None
    return str(control.get("ttl") or "5m")


def anthropic_blocks(content: Any) -> list[Block]:
    if isinstance(content, str):
        return [Block(TEXT, text=content)] if content else []
    if not isinstance(content, list):
        return []
    blocks: list[Block] = []
    for part in content:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        ttl = cache_ttl(part.get("cache_control"))
        if kind == "text":
            blocks.append(Block(TEXT, text=str(part.get("text") or ""), cache_ttl=ttl))
        elif kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
            blocks.append(
                Block(
                    TOOL_CALL,
                    name=str(part.get("name") or ""),
                    call_id=str(part.get("id") or ""),
                    arguments=json_text(part.get("input", {})),
                    cache_ttl=ttl,
                )
            )
        elif kind == "tool_result" or str(kind).endswith("_tool_result"):
            inner = part.get("content")
            text = inner if isinstance(inner, str) else _joined(anthropic_blocks(inner))
            blocks.append(
                Block(
                    TOOL_RESULT,
                    text=text,
                    call_id=str(part.get("tool_use_id") or ""),
                    is_error=bool(part.get("is_error")),
                    cache_ttl=ttl,
                )
            )
        elif kind in ("thinking", "redacted_thinking"):
            blocks.append(Block(THINKING, text=str(part.get("thinking") or part.get("data") or "")))
        elif kind in ("image", "document", "file"):
            blocks.append(Block(MEDIA, text=media_hash(part.get("source", part)), cache_ttl=ttl))
        else:
            blocks.append(Block(OTHER, text=json_text(part), cache_ttl=ttl))
    return blocks


def _joined(blocks: list[Block]) -> str:
    return "\n".join(block.text for block in blocks)


def anthropic_messages(items: Any, line: int, pointer: str) -> tuple[Message, ...]:
    if not isinstance(items, list):
        return ()
    found: list[Message] = []
    for position, item in enumerate(items):
        if isinstance(item, dict):
            origin = Origin(line, child(pointer, position))
            found.append(
                message(
                    str(item.get("role") or "user"), anthropic_blocks(item.get("content")), origin
                )
            )
    return tuple(found)


def anthropic_system(value: Any) -> tuple[Block, ...]:
    if value is None:
        return ()
    return tuple(anthropic_blocks(value))


def anthropic_tools(items: Any) -> tuple[Tool, ...] | None:
    if not isinstance(items, list):
        return None
    return tuple(
        tool(
            str(item.get("name") or item.get("type") or ""),
            item,
            cache_ttl(item.get("cache_control")),
        )
        for item in items
        if isinstance(item, dict)
    )


def anthropic_usage(raw: Any) -> Usage | None:
    """Anthropic's `input_tokens` leaves out what was read from or written to the cache."""
    if not isinstance(raw, dict):
        return None
    uncached = as_int(raw.get("input_tokens"))
    read = as_int(raw.get("cache_read_input_tokens")) or 0
    written = as_int(raw.get("cache_creation_input_tokens")) or 0
    prompt = None if uncached is None else uncached + read + written
    return Usage(prompt, read, written, as_int(raw.get("output_tokens")), raw)


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
