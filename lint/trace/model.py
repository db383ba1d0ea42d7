"""The trace model every format adapter produces: requests made of messages made of blocks.

What a format does not record is None ("unknown"), never an empty value: a Claude Code
transcript has no tool definitions, which is not the same as a request sent with no tools.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ctxlint.trace.typed import MAX_PROMPT_TOKENS, serialised, token_count

# Block kinds. Media is kept as a stable hash of its bytes or address, never the data itself.
TEXT = "text"
TOOL_CALL = "tool_call"
TOOL_RESULT = "tool_result"
MEDIA = "media"
THINKING = "thinking"
OTHER = "other"


@dataclass(frozen=True, slots=True)
class Block:
    kind: str
    # Text, tool-result content, thinking text, a media hash, or other content as JSON.
    text: str = ""
    name: str = ""
    call_id: str = ""
    # Tool-call arguments exactly as recorded (usually JSON text): their bytes are what is cached.
    arguments: str = ""
    is_error: bool = False
    # The cache breakpoint on this block, as its TTL ("5m", "1h"); None without one. A
    # breakpoint is not content: it moves between requests without changing the prefix.
    cache_ttl: str | None = None
    # Where the block's text (or a tool call's arguments, a tool result's content) was read:
    # a JSON pointer into the line (or document) the request was read from, "" when the
    # reader does not say. Not content either.
    pointer: str = field(default="", compare=False)

    def identity(self) -> tuple[str, str, str, str, str, bool]:
        return (self.kind, self.text, self.name, self.call_id, self.arguments, self.is_error)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where something was read: a line of the file, and a JSON pointer into that line's JSON
    (or into the whole document for a JSON file)."""

    line: int
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    role: str
    blocks: tuple[Block, ...]
    origin: Origin | None = None
    # A digest of role and content (not of breakpoints or origin): equal keys, equal message.
    key: bytes = field(default=b"", compare=False)

    def text(self) -> str:
        return "\n".join(b.text or b.arguments for b in self.blocks if b.text or b.arguments)


def message(role: str, blocks: tuple[Block, ...] | list[Block], origin: Origin | None) -> Message:
    blocks = tuple(blocks)
    # One update of the whole text hashes as the same updates part by part would, with a
    # tenth of the calls: every message of every trace is hashed.
    parts = [role]
    for block in blocks:
        for part in block.identity():
            parts.append("\x00")
            parts.append(str(part))
        parts.append("\x01")
    data = "".join(parts).encode("utf-8", "surrogatepass")
    return Message(role, blocks, origin, hashlib.blake2b(data, digest_size=16).digest())


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    # The definition as sent, serialised in its recorded key order: order changes are changes.
    definition: str
    cache_ttl: str | None = None
    # Where the definition was read (a JSON pointer), "" when the reader does not say.
    pointer: str = field(default="", compare=False)


def tool(name: str, definition: Any, cache_ttl: str | None = None, pointer: str = "") -> Tool:
    """A tool as defined at `pointer`; a definition nested too deep to serialise is a fault."""
    if isinstance(definition, dict):
        definition = {k: v for k, v in definition.items() if k != "cache_control"}
    return Tool(name, serialised(definition, pointer).decode(), cache_ttl, pointer)


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What the provider itself said about the request's cache use, comparing it with an
    earlier request it was asked to (Anthropic's `diagnostics`, OpenAI's
    `prompt_cache_diagnostics`): its own word for the verdict, kept as recorded."""

    provider: str
    # Anthropic: cache_miss_reason.type, or "none" when it is null (no divergence, or the
    # comparison was still running). OpenAI: the miss reason, or the type of any other result.
    verdict: str
    # The provider's estimate of the input tokens the divergence cost, where it gives one.
    missed_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts as one meaning for every provider: `prompt_tokens` is the whole prompt,
    `cached_tokens` the part read from the cache, `cache_write_tokens` the part written to it.
    `raw` keeps what the provider reported, in its own terms."""

    prompt_tokens: int | None = None
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None
    output_tokens: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)
    diagnosis: Diagnosis | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Readers take counts through typed.tokens; this keeps any other way of making a
        # Usage from handing the simulator a count no request can hold.
        for name in ("prompt_tokens", "cached_tokens", "cache_write_tokens", "output_tokens"):
            count = getattr(self, name)
            if count is not None and not (type(count) is int and 0 <= count <= MAX_PROMPT_TOKENS):
                token_count(count, f"/usage/{name}")


@dataclass(slots=True)
class Request:
    path: str
    origin: Origin
    session: str
    format: str
    messages: tuple[Message, ...]
    index: int = 0
    timestamp: datetime | None = None
    # When the response was complete, where the format records it; idle gaps start here.
    finished: datetime | None = None
    provider: str | None = None
    model: str | None = None
    system: tuple[Block, ...] | None = None
    tools: tuple[Tool, ...] | None = None
    # What decides caching besides content: tool_choice, thinking, prompt_cache_key,
    # prompt_cache_retention, top-level cache_control...
    params: dict[str, Any] = field(default_factory=dict)
    response: Message | None = None
    usage: Usage | None = None
    # False when earlier turns live with the provider (`previous_response_id`) and the
    # recorded messages are only the newest ones.
    history_complete: bool = True
    # The format recorded that the history was compacted (summarised) before this request.
    compacted: bool = False

    def system_text(self) -> str | None:
        if self.system is None:
            return None
        return "\n".join(block.text for block in self.system)

    def system_pointer(self, offset: int) -> tuple[str, int]:
        """Where character `offset` of system_text() was read: a JSON pointer to the string
        that holds it (as the reader recorded it: "/system", "/system/1/text",
        "/messages/0/content", "/instructions") and the offset inside that string. A block
        whose reader recorded no pointer is taken to be at "/system" (one block) or
        "/system/N/text"."""
        blocks = self.system or ()
        start = 0
        for position, block in enumerate(blocks):
            end = start + len(block.text)
            if offset <= end or position == len(blocks) - 1:
                if block.pointer:
                    return block.pointer, offset - start
                where = f"{self.origin.pointer}/system"
                return (f"{where}/{position}/text" if len(blocks) > 1 else where), offset - start
            # system_text() joins the blocks with one newline.
            start = end + 1
        return f"{self.origin.pointer}/system", offset

    def tool_pointer(self, name: str) -> str:
        """Where the definition of the tool called `name` was read (the tools list when the
        tool is not in it; the request when it sent no tools, since a pointer to a list that
        is not there names nothing)."""
        tools = self.tools or ()
        for position, found in enumerate(tools):
            if found.name == name:
                return found.pointer or f"{self.origin.pointer}/tools/{position}"
        # The list is where its definitions were read: not "/tools" in every format
        # (LiteLLM keeps it under /model_parameters, OpenTelemetry in an attribute).
        recorded = [found.pointer for found in tools if found.pointer]
        if recorded:
            return recorded[0].rsplit("/", 1)[0]
        return f"{self.origin.pointer}/tools" if tools else self.origin.pointer

    def message_pointer(self, position: int) -> str:
        found = self.messages[position].origin if position < len(self.messages) else None
        if found is not None and found.line != self.origin.line:
            return self.origin.pointer
        if found is not None and found.pointer:
            return found.pointer
        return f"{self.origin.pointer}/messages/{position}"

    def pointer_in_message(self, position: int, pointer: str) -> str:
        """`pointer`, a place inside message `position`, as a place in this request's line:
        a transcript that writes one message a line (Claude Code, Codex, pi, Gemini CLI)
        keeps the message on a line of its own, which no pointer into the request's line
        reaches; then the request itself."""
        found = self.messages[position].origin if position < len(self.messages) else None
        if found is not None and found.line != self.origin.line:
            return self.origin.pointer
        return pointer or self.message_pointer(position)


def pointer_token(key: str | int) -> str:
    """One reference token of a JSON pointer (RFC 6901)."""
    return str(key).replace("~", "~0").replace("/", "~1")
