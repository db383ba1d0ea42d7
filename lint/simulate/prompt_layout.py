"""A request rendered as its provider lays it out before tokenizing: segments in provider order
(Anthropic: tools, system, messages; the others: system, tools, messages), one per content
block, each tokenized once per distinct content."""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from ctxlint.simulate.tokens import Tokenizer
from ctxlint.trace.model import MEDIA, TOOL_CALL, TOOL_RESULT, Block, Message, Request

# Stands in for content a trace does not record (Claude Code keeps no system prompt or tools):
# a run of this id, as long as the reported sizes say the missing part is. No encoding has it.
UNRECORDED_TOKEN = 0xFFFFFFFF
# The one a sub-agent's system prompt and tools stand-in is made of: a sub-agent is sent its
# own system prompt and tools, which share no prefix with the main agent's (between the
# redaction placeholders' range and the context stand-ins').
SUB_AGENT_UNRECORDED_TOKEN = 0xFEFFFFFF

TOOLS_FIRST = frozenset({"anthropic"})
# The keys of `unrecorded` for the context an agent injects into the first user message
# without recording it, and for how many times it was rebuilt (see unrecorded.py).
CONTEXT = "context"
CONTEXT_GENERATION = "context_generation"
# Set when the stand-ins are a sub-agent's (see SUB_AGENT_UNRECORDED_TOKEN).
SUB_AGENT = "sub_agent"
# Where a miss inside that context is placed.
CONTEXT_PLACE = "messages[0].context"


class TokenRun:
    """`length` copies of one token, held as the token and the count, so that a stand-in as
    long as a reported size says costs nothing in proportion to that size. It measures, slices
    and compares (with arrays and other runs) as the array of those tokens would."""

    __slots__ = ("length", "token")

    def __init__(self, token: int, length: int) -> None:
        self.token = token
        self.length = max(0, length)

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[int]:
        return repeat(self.token, self.length)

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, slice):
            return TokenRun(self.token, len(range(*key.indices(self.length))))
        if -self.length <= key < self.length:
            return self.token
        raise IndexError("token run index out of range")

    def __repr__(self) -> str:
        return f"TokenRun({self.token}, {self.length})"

    def _compare(self, other: object) -> int | None:
        """-1, 0 or 1 as this run sorts before, with or after `other`, as sequences do."""
        if isinstance(other, TokenRun):
            leading = other.length if other.token == self.token else 0
        elif isinstance(other, (array, list, tuple)):
            leading = _leading(other, self.token, self.length)
        else:
            return None
        if leading < min(self.length, len(other)):
            return -1 if self.token < other[leading] else 1
        return (self.length > len(other)) - (self.length < len(other))

    def __eq__(self, other: object) -> bool:
        order = self._compare(other)
        return NotImplemented if order is None else order == 0

    def __ne__(self, other: object) -> bool:
        order = self._compare(other)
        return NotImplemented if order is None else order != 0

    def __lt__(self, other: object) -> bool:
        order = self._compare(other)
        return NotImplemented if order is None else order < 0

    def __le__(self, other: object) -> bool:
        order = self._compare(other)
        return NotImplemented if order is None else order <= 0

    def __gt__(self, other: object) -> bool:
        order = self._compare(other)
        return NotImplemented if order is None else order > 0

    def __ge__(self, other: object) -> bool:
        order = self._compare(other)
        return NotImplemented if order is None else order >= 0

    __hash__ = None  # type: ignore[assignment]  # unhashable, as an array is


def _leading(tokens: Sequence[int], token: int, limit: int) -> int:
    """How many of the first `limit` tokens are `token`. Tokenized text never holds the stand-in
    token, so for every array met in practice this stops at the first."""
    count = 0
    for found in tokens:
        if count >= limit or found != token:
            break
        count += 1
    return count


@dataclass(frozen=True, slots=True)
class Segment:
    # Where the segment comes from, as a path into the request: "system[0]", "tools[3]",
    # "messages[12].content[1]"; "system" or "tools" alone when the trace did not record them.
    place: str
    # What is tokenized, and the segment's identity in a cache.
    text: str
    tokens: array | TokenRun
    # The content block the segment is (Anthropic's lookback counts blocks).
    block: int
    # The TTL of a cache breakpoint at the end of this block, if there is one.
    breakpoint: str | None = None
    message: int | None = None
    # Characters of framing before the content (role and kind markers), so that an offset
    # into the segment can be given as an offset into what the trace recorded.
    framing: int = 0


@dataclass(slots=True)
class Prompt:
    segments: list[Segment]
    # Token position where each segment starts; the last entry is the prompt's length.
    starts: list[int]
    # Index of each message's first segment, and last the index after the last message's.
    message_segments: list[int] = field(default_factory=list)
    # Indices of the segments that end in a cache breakpoint.
    breakpoint_segments: list[int] = field(default_factory=list)
    # What each cache that met this prompt whole keeps about it, keyed by the cache: a prefix
    # tree, the prompt's path of nodes there; a radix cache, until when it holds the prompt.
    seen_by: dict[Any, Any] = field(default_factory=dict)
    # An earlier prompt's `seen_by`, and how many leading segments this prompt shares with
    # it: a cache takes up this prompt where it left that one (a tree walk starts where that
    # prompt's path leaves off, not at the root).
    continues: tuple[dict[Any, Any], int] | None = None
    # The stand-ins it was rendered with: a later prompt reuses its segments only with the
    # same ones.
    unrecorded: dict[str, int] | None = None

    @property
    def length(self) -> int:
        return self.starts[-1]

    def segment_at(self, position: int) -> int:
        """Index of the segment holding token `position` (bisection over the starts)."""
        low, high = 0, len(self.segments) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= position:
                low = middle
            else:
                high = middle - 1
        return low


class Renderer:
    def __init__(self, tokenizer: Tokenizer, provider_order: str) -> None:
        self.tokenizer = tokenizer
        self.tools_first = provider_order in TOOLS_FIRST
        # Per message: each block's text and how much of it is framing. The same string
        # objects come back every time, so their hashes are computed once.
        self._message_texts: dict[bytes, tuple[tuple[str, int], ...]] = {}

    def render(
        self,
        request: Request,
        unrecorded: dict[str, int] | None = None,
        previous: tuple[Request, Prompt] | None = None,
    ) -> Prompt:
        """`unrecorded` gives, for "system" and "tools" when the trace lacks them, how many
        tokens stand in for them. `previous` is an earlier request rendered by this renderer
        with the same `unrecorded`: the segments of what the two share are taken from it, so
        a growing session costs the work of its new messages, not of its whole history."""
        unrecorded = unrecorded or {}
        kept = 0
        if previous is not None and (previous[1].unrecorded or {}) == unrecorded:
            kept = _kept_messages(request, previous[0])
        continues = None
        if previous is not None and kept:
            before = previous[1]
            cut = before.message_segments[kept]
            segments = before.segments[:cut]
            starts = before.starts[: cut + 1]
            message_segments = before.message_segments[:kept]
            breakpoints = [index for index in before.breakpoint_segments if index < cut]
            continues = (before.seen_by, cut)
            first_new = cut
        else:
            segments, starts, message_segments, breakpoints = [], [0], [], []
            parts = (self._tools, self._system) if self.tools_first else (self._system, self._tools)
            for part in parts:
                part(request, segments, unrecorded)
            for segment in segments:
                starts.append(starts[-1] + len(segment.tokens))
            first_new = 0
        for position in range(kept, len(request.messages)):
            message_segments.append(len(segments))
            if position == 0 and unrecorded.get(CONTEXT, 0) > 0:
                self._context(request.messages[0], segments, unrecorded)
            self._message(position, request.messages[position], segments)
        message_segments.append(len(segments))
        for index in range(first_new, len(segments)):
            if segments[index].breakpoint is not None:
                breakpoints.append(index)
        for segment in segments[len(starts) - 1 :]:
            starts.append(starts[-1] + len(segment.tokens))
        return Prompt(
            segments,
            starts,
            message_segments,
            breakpoints,
            continues=continues,
            unrecorded=unrecorded,
        )

    def render_messages(self, messages: tuple[Message, ...], first_position: int) -> list[Segment]:
        segments: list[Segment] = []
        for offset, found in enumerate(messages):
            self._message(first_position + offset, found, segments)
        return segments

    def _system(self, request: Request, segments: list[Segment], unrecorded: dict) -> None:
        if request.system is None:
            self._unrecorded("system", segments, unrecorded)
            return
        for index, block in enumerate(request.system):
            header = "<|system|>" if index == 0 else ""
            text = header + block.text
            segments.append(
                Segment(
                    f"system[{index}]",
                    text,
                    self.tokenizer.tokens(text),
                    _next_block(segments),
                    block.cache_ttl,
                    framing=len(header),
                )
            )

    def _tools(self, request: Request, segments: list[Segment], unrecorded: dict) -> None:
        if request.tools is None:
            self._unrecorded("tools", segments, unrecorded)
            return
        for index, found in enumerate(request.tools):
            text = "<|tool|>" + found.definition
            segments.append(
                Segment(
                    f"tools[{index}]",
                    text,
                    self.tokenizer.tokens(text),
                    _next_block(segments),
                    found.cache_ttl,
                    framing=len("<|tool|>"),
                )
            )

    def _unrecorded(self, part: str, segments: list[Segment], unrecorded: dict) -> None:
        size = unrecorded.get(part, 0)
        if size > 0:
            token = SUB_AGENT_UNRECORDED_TOKEN if unrecorded.get(SUB_AGENT) else UNRECORDED_TOKEN
            tokens = TokenRun(token, size)
            identity = f"\x00{part}:{size}" + (":sub-agent" if unrecorded.get(SUB_AGENT) else "")
            segments.append(Segment(part, identity, tokens, _next_block(segments)))

    def _context(self, first: Message, segments: list[Segment], unrecorded: dict) -> None:
        """The stand-in for context injected ahead of the first message: it is sent again
        with every request, but a new first message (a compaction) or a rebuild makes it
        another text, which no cache holds."""
        size = unrecorded[CONTEXT]
        identity = f"\x00context:{size}:{unrecorded.get(CONTEXT_GENERATION, 0)}:{first.key.hex()}"
        tokens = TokenRun(context_token(identity), size)
        # All framing: no character of it is recorded.
        segments.append(
            Segment(CONTEXT_PLACE, identity, tokens, _next_block(segments), None, 0, len(identity))
        )

    def _message(self, position: int, found: Message, segments: list[Segment]) -> None:
        texts = self._message_texts.get(found.key)
        if texts is None:
            header = f"<|{found.role}|>"
            texts = []
            for index, block in enumerate(found.blocks):
                prefix, content, suffix = block_parts(block)
                lead = (header if index == 0 else "") + prefix
                texts.append((lead + content + suffix, len(lead)))
            texts = self._message_texts[found.key] = tuple(texts) or ((header, len(header)),)
        for index, (text, framing) in enumerate(texts):
            block = found.blocks[index] if index < len(found.blocks) else None
            segments.append(
                Segment(
                    f"messages[{position}].content[{index}]",
                    text,
                    self.tokenizer.tokens(text),
                    _next_block(segments),
                    block.cache_ttl if block is not None else None,
                    position,
                    framing,
                )
            )


def _kept_messages(request: Request, previous: Request) -> int:
    """How many leading messages `request` renders exactly as `previous` did: same system
    prompt and tools, then the same messages with the same breakpoints."""
    if request.system != previous.system or request.tools != previous.tools:
        return 0
    count = 0
    for found, old in zip(request.messages, previous.messages, strict=False):
        if found is not old and (
            found.key != old.key
            or any(
                a.cache_ttl != b.cache_ttl for a, b in zip(found.blocks, old.blocks, strict=True)
            )
        ):
            break
        count += 1
    return count


def context_token(identity: str) -> int:
    """The token a context stand-in is made of: one per context, so that two contexts share
    no token, and none an encoding, the system stand-in or a redaction placeholder has."""
    return 0xFF000000 + zlib.crc32(identity.encode()) % 0x00FFFFFF


def _next_block(segments: list[Segment]) -> int:
    return segments[-1].block + 1 if segments else 0


def block_parts(block: Block) -> tuple[str, str, str]:
    """A block as the model reads it, as framing, recorded content, framing. Call ids and
    tool names are sent, so they are content too."""
    if block.kind == TOOL_CALL:
        return f"<|call {block.call_id}|>{block.name}(", block.arguments, ")"
    if block.kind == TOOL_RESULT:
        flag = " error" if block.is_error else ""
        return f"<|result {block.call_id}{flag}|>", block.text, ""
    if block.kind == MEDIA:
        return "<|media ", block.text, "|>"
    return "", block.text, ""
