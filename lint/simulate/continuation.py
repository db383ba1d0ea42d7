"""What of a request's prompt the cache could serve: how it continues the previous request of
its session (that prompt extended by the response it got), how far a read could reach, and
where the request asked for cache entries."""

from __future__ import annotations

import operator
from dataclasses import dataclass

from ctxlint.simulate.calibrate import PositionMap
from ctxlint.simulate.policies import Policy, Visit
from ctxlint.simulate.prompt_layout import Prompt, Renderer
from ctxlint.trace.model import THINKING, Message, Request


@dataclass(slots=True)
class Previous:
    """The latest request of a session and model, as it was replayed."""

    request: Request
    prompt: Prompt
    positions: PositionMap
    visit: Visit
    renderer: Renderer
    policy: Policy


def continue_previous(
    previous: Previous | None, request: Request, prompt: Prompt, ideal: Policy
) -> tuple[tuple[Prompt, PositionMap] | None, int]:
    """The previous prompt extended by the response it got, as this request shows that
    response (the assistant messages right after the previous messages), and where that
    response ends. The policies that keep outputs (the previous request's and `ideal`) store
    it now."""
    if previous is None:
        return None, 0
    before = previous.request.messages
    base = previous.prompt
    without_generation = Prompt(base.segments[:-1], base.starts[:-1])
    end = without_generation.length
    count = len(before)
    messages = request.messages
    if len(messages) <= count or not _same_messages(messages, before):
        return (without_generation, previous.positions), end
    response_end = count
    while response_end < len(messages) and messages[response_end].role == "assistant":
        response_end += 1
    if response_end == count:
        return (without_generation, previous.positions), end
    segments = previous.renderer.render_messages(messages[count:response_end], count)
    extended = Prompt(
        list(without_generation.segments),
        list(without_generation.starts),
        continues=(base.seen_by, len(without_generation.segments)),
    )
    for segment in segments:
        extended.segments.append(segment)
        extended.starts.append(extended.starts[-1] + len(segment.tokens))
    positions = previous.positions
    output = previous.visit.output_tokens
    reasoning = reasoning_tokens(previous.request)
    repeated = any(
        block.kind == THINKING for shown in messages[count:response_end] for block in shown.blocks
    )
    if output and reasoning and not repeated:
        # Reported output counts the reasoning too; a prompt without it holds only the rest.
        output = max(0, output - reasoning)
    if output:
        # The reported prompt includes the turn's opening, which the response repeats.
        reported_end = positions.at(base.length) + output
        positions = positions.continued(end, extended.length, reported_end, 1.0)
    else:
        positions = positions.continued(end, extended.length, None, 1.0)
    visit = Visit(
        extended,
        positions,
        previous.visit.time,
        previous.visit.tick,
        previous.visit.model,
        previous.visit.params,
        reasoning_tokens=reasoning,
        reasoning_repeated=repeated,
    )
    previous.policy.keep_output(visit, extended.length)
    if previous.policy is not ideal:
        ideal.keep_output(visit, extended.length)
    return (extended, positions), extended.length


def reasoning_tokens(request: Request) -> int:
    """The reasoning tokens a request's response began with, as its usage reports them within
    the output (Chat Completions and DeepSeek: completion_tokens_details; Responses:
    output_tokens_details); 0 when not reported or not a count."""
    raw = request.usage.raw if request.usage is not None else None
    if not isinstance(raw, dict):
        return 0
    for key in ("completion_tokens_details", "output_tokens_details"):
        details = raw.get(key)
        count = details.get("reasoning_tokens") if isinstance(details, dict) else None
        if type(count) is int and count > 0:
            return count
    return 0


def expected_reach(previous: Previous, kept_output_end: int, policy: Policy) -> int:
    """Our-token position up to which a request continuing `previous` could read the cache."""
    if policy.keeps_output and kept_output_end:
        return kept_output_end
    return previous.prompt.starts[-2]


def breakpoints(request: Request, prompt: Prompt) -> list[tuple[int, str]]:
    """Where the request asked for cache entries: its blocks' breakpoints; the last block with
    top-level automatic caching; and where the trace records none but the provider reported
    cache use, the breakpoints agents place (end of system and tools, and last block)."""
    found = [(index, prompt.segments[index].breakpoint) for index in prompt.breakpoint_segments]
    last_block = len(prompt.segments) - 2
    if last_block < 0:
        return found
    automatic = request.params.get("cache_control")
    if isinstance(automatic, dict):
        ttl = str(automatic.get("ttl") or "5m")
        if all(index != last_block for index, _ in found):
            found.append((last_block, ttl))
    usage = request.usage
    if not found and usage and (usage.cached_tokens or usage.cache_write_tokens):
        hour = usage.raw.get("cache_creation", {}) if isinstance(usage.raw, dict) else {}
        ttl = "1h" if isinstance(hour, dict) and hour.get("ephemeral_1h_input_tokens") else "5m"
        # The system prompt and tools come before the first message.
        last_preamble = min(prompt.message_segments[0], last_block) - 1
        if last_preamble >= 0:
            found.append((last_preamble, ttl))
        found.append((last_block, ttl))
    return sorted(set(found))


def _same_messages(messages: tuple[Message, ...], before: tuple[Message, ...]) -> bool:
    """Whether `messages` starts with the messages `before`: readers hand back the same
    objects for what a line repeats, so identity settles it in C and content only if not."""
    if all(map(operator.is_, messages, before)):
        return True
    return all(one.key == other.key for one, other in zip(messages, before, strict=False))
