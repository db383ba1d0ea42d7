"""Why a request lost cache it could have kept: the first token that differs from what the
cache holds, mapped back to its place in the request, and the rule that names the cause."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Any

import orjson

from ctxlint.redact import evidence
from ctxlint.simulate.policies import (
    BELOW_MINIMUM,
    EVICTED,
    EXPIRED,
    LOOKBACK,
    NO_BREAKPOINT,
    Served,
)
from ctxlint.simulate.prompt_layout import CONTEXT_PLACE, Prompt, Renderer, TokenRun
from ctxlint.simulate.tokens import PLACEHOLDER_TOKENS
from ctxlint.trace.compare import Step, error_results

# Tokens decoded at a time when counting the characters before a divergence.
_DECODED_AT_A_TIME = 1 << 16

_SHORTFALL = {
    EXPIRED: ("CTX009", "the cache entry expired before this request"),
    LOOKBACK: ("CTX008", "the entry lies more than 20 blocks before every breakpoint"),
    NO_BREAKPOINT: ("CTX008", "the request has no cache breakpoint"),
    EVICTED: (None, "the entry was evicted to make room for others"),
}


@dataclass(slots=True)
class Miss:
    code: str | None
    # Where the first divergent token is: "system[0]", "tools[3].description",
    # "messages[12].content[0]".
    segment: str
    # Character offset of that token within the segment's text.
    offset: int
    tokens_lost: int
    reason: str
    # True when the request differs from the previous one there; False when the cache lost
    # an entry the request repeats (expiry, eviction, lookback): a cache's doing, not the
    # prompt's, and no provider diagnosis of the request's structure names it.
    diverged: bool = True

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "segment": self.segment,
            "offset": self.offset,
            "tokens_lost": self.tokens_lost,
            "reason": self.reason,
        }


def explain_divergence(
    step: Step,
    prompt: Prompt,
    shared: int,
    renderer: Renderer,
    before: Prompt,
) -> Miss | None:
    index = prompt.segment_at(min(shared, prompt.length - 1))
    segment = prompt.segments[index]
    characters = _character_offset(renderer, segment.tokens, shared - prompt.starts[index])
    if index < len(before.segments) and before.segments[index].place == segment.place:
        # Tokens can start before the first changed character ("00" became "01").
        old, new = before.segments[index].text, segment.text
        while characters < min(len(old), len(new)) and old[characters] == new[characters]:
            characters += 1
    offset = max(0, characters - segment.framing)
    place = segment.place
    old_index = before.segment_at(min(shared, before.length - 1))
    old_place = before.segments[old_index].place
    if _section(old_place, renderer) < _section(place, renderer):
        # Something was removed at the front (a tool, a system block): the place is where it
        # was, in the previous request.
        place, offset = old_place, 0
    code, reason = _cause(step, place)
    if place.startswith("tools[") and step.previous is not None:
        place = _tool_place(step, place)
    return Miss(code, place, offset, 0, reason)


def _section(place: str, renderer: Renderer) -> int:
    """Where the part of the request holding `place` comes in the provider's layout."""
    order = ("tools", "system") if renderer.tools_first else ("system", "tools")
    return next((rank for rank, name in enumerate(order) if place.startswith(name)), 2)


def explain_shortfall(served: Served, expected: int, prompt: Prompt) -> Miss | None:
    """Why the cache held less than the prompt kept; None when nothing could have kept it (the
    prefix is shorter than the provider caches)."""
    if served.reason == BELOW_MINIMUM:
        return None
    code, reason = _SHORTFALL.get(served.reason or "", (None, "the cache did not hold it"))
    index = prompt.segment_at(min(served.cached_position, prompt.length - 1))
    lost = max(0, expected - served.cached)
    return Miss(code, prompt.segments[index].place, 0, lost, reason, diverged=False)


# A miss no rule of ctxlint's names: the agent rebuilt what it injects ahead of the first
# message, which the trace does not record, and the cache fell back to the system prompt.
CONTEXT_REBUILT = (
    "the context the agent injects into the first message was rebuilt: the cache fell back "
    "to the system prompt and tools"
)


def _cause(step: Step, place: str) -> tuple[str | None, str]:
    if place == CONTEXT_PLACE and not step.current.compacted:
        return None, CONTEXT_REBUILT
    if place.startswith("system"):
        if step.system_volatile is not None:
            return "CTX001", "a volatile value in the system prompt changed"
        if any(edit.per_turn and not edit.tool for edit in step.prompt_edits):
            return "CTX011", "per-turn content in the system prompt was rebuilt"
        return None, "the system prompt changed"
    if place.startswith("tools"):
        return _tool_cause(step)
    if place.startswith("messages"):
        return _history_cause(step)
    return None, "content before this point changed"


def _tool_cause(step: Step) -> tuple[str | None, str]:
    for edit in step.prompt_edits:
        if edit.per_turn and edit.tool:
            return "CTX011", f"per-turn content in tool {evidence(edit.tool)!r} was rebuilt"
    for change in step.tool_changes:
        if change.volatile is not None:
            return "CTX001", f"a volatile value in tool {evidence(change.name)!r} changed"
        if change.reserialised:
            return "CTX002", f"tool {evidence(change.name)!r} was serialised in another key order"
    before = [tool.name for tool in (step.previous.tools or ())] if step.previous else []
    after = [tool.name for tool in (step.current.tools or ())]
    if sorted(before) == sorted(after) and before != after:
        return "CTX003", "the same tools were sent in another order"
    if step.tool_changes or before != after:
        return "CTX004", "the tool list changed"
    return None, "the tool definitions changed"


def _history_cause(step: Step) -> tuple[str | None, str]:
    change = step.history
    if change is None:
        return None, "an earlier message was sent differently"
    if change.volatile is not None:
        return "CTX001", "a volatile value in an earlier message changed"
    if change.reserialised:
        return "CTX002", "an earlier message's JSON was serialised differently"
    lost_errors = error_results(change.lost)
    if lost_errors and change.kind in ("dropped", "truncated", "edited"):
        return "CTX010", "a failed tool result was removed from the history"
    return "CTX006", f"the history was {change.kind}"


def _tool_place(step: Step, place: str) -> str:
    """`tools[3]` narrowed to the first key whose value differs from the previous request's
    definition of the same tool."""
    position = int(place[len("tools[") : place.index("]")])
    tools = step.current.tools or ()
    if position >= len(tools):
        return place
    current = tools[position]
    before = {tool.name: tool.definition for tool in step.previous.tools or ()}
    old = before.get(current.name)
    if old is None:
        return place
    try:
        path = _first_difference(orjson.loads(old), orjson.loads(current.definition))
    except orjson.JSONDecodeError:
        return place
    # The keys are the trace's own: quoted as evidence, like any text taken from it.
    return place + "".join(f".{evidence(str(key), 40)}" for key in path) if path else place


def _first_difference(old: Any, new: Any, depth: int = 0) -> list[str]:
    if depth > 3 or not (isinstance(old, dict) and isinstance(new, dict)):
        return []
    for (old_key, old_value), (new_key, new_value) in zip(old.items(), new.items(), strict=False):
        if old_key != new_key:
            return [new_key]
        if old_value != new_value:
            return [new_key, *_first_difference(old_value, new_value, depth + 1)]
    return []


def _character_offset(renderer: Renderer, tokens, count: int) -> int:
    """Characters in the text of the first `count` tokens, decoded a slice at a time: a list
    of Python ints for a block of megabytes would cost 33 bytes a token."""
    if count <= 0 or isinstance(tokens, TokenRun):
        # A stand-in for what the trace did not record: no character of it is known.
        return 0
    # Incremental, so that a character whose bytes two slices share is counted once.
    decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")
    characters = 0
    encoding = renderer.tokenizer.encoding
    for start in range(0, count, _DECODED_AT_A_TIME):
        piece = tokens[start : min(count, start + _DECODED_AT_A_TIME)]
        # A redaction placeholder's tokens stand for text the trace does not hold: none of
        # its characters are counted.
        known = [token for token in piece if token < PLACEHOLDER_TOKENS]
        characters += len(decoder.decode(encoding.decode_bytes(known)))
    return characters + len(decoder.decode(b"", final=True))
