"""Cache policies: how each provider or engine decides what a request reads from its cache and
what it leaves there. Positions are our tokens; sizes, steps and minimums are provider tokens,
through the request's position map."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from typing import Any

from ctxlint.simulate.calibrate import PositionMap
from ctxlint.simulate.facts import (
    HOSTED_POLICIES,
    anthropic_minimum,
    bare_model,
    openai_breakpoint_mode,
    provider_facts,
)
from ctxlint.simulate.openai_models import retention_seconds, step_tokens
from ctxlint.simulate.prompt_layout import Prompt
from ctxlint.simulate.tree import Match, Node, PrefixTree

POLICIES = ("ideal", "anthropic", "openai", "deepseek", "vllm", "sglang", *HOSTED_POLICIES)

# Why a request read less than the cache had seen of its prefix.
EXPIRED = "expired"
EVICTED = "evicted"
LOOKBACK = "lookback"
BELOW_MINIMUM = "below-minimum"
NO_BREAKPOINT = "no-breakpoint"


@dataclass(slots=True)
class Visit:
    """A request as a cache meets it."""

    prompt: Prompt
    positions: PositionMap
    # Seconds; requests without timestamps all share one moment (back to back).
    time: float
    tick: int
    model: str | None
    params: dict[str, Any] = field(default_factory=dict)
    # Cache breakpoints: (segment index whose end is the breakpoint, TTL).
    breakpoints: list[tuple[int, str]] = field(default_factory=list)
    # Output tokens the provider reported, placed after the prompt when the next request
    # shows what they were.
    output_tokens: int | None = None
    # For a prompt extended by its response (see keep_output): the reasoning tokens the
    # response began with, and whether the next request sends that reasoning back.
    reasoning_tokens: int = 0
    reasoning_repeated: bool = False

    @property
    def provider_length(self) -> float:
        return self.positions.at(self.prompt.length)


@dataclass(slots=True)
class Served:
    cached: int
    written: int
    # Our-token position where the read ends.
    cached_position: int
    reason: str | None = None
    ttl: str = "5m"


class Policy:
    name = ""
    # Whether what a model writes is kept, to be read back when the next request repeats it.
    keeps_output = False

    def serve(self, visit: Visit) -> Served:
        raise NotImplementedError

    def keep_output(self, visit: Visit, upto: int) -> None:
        """`visit` is the earlier request extended by its response, as the next request shows
        it; `upto` is where that response ends."""

    def seed(self, visit: Visit, provider_tokens: int) -> None:
        """Start warm: the first `provider_tokens` of this prompt were cached before the trace."""


def model_key(visit: Visit) -> str:
    """Which model's cache a request meets: every model keeps its own (its keys and values
    are its own), so a session that switches model reads nothing the other one left."""
    return _bare_model(visit.model)


# Asked several times per request, of a handful of model names.
_bare_model = cache(bare_model)


class RadixCache(Policy):
    """Token runs kept as they were seen; a read takes the longest held prefix. The ideal
    cache, SGLang (token radix tree), vLLM (full blocks), and OpenAI's automatic caching
    (128-token steps from 1,024, idle expiry) differ only in these parameters."""

    def __init__(
        self,
        name: str,
        step: int = 1,
        minimum: int = 0,
        capacity: int | None = None,
        idle_seconds: float | None = None,
        keeps_output: bool = True,
        keep_last_token: bool = False,
    ) -> None:
        self.name = name
        self.step = step
        self.minimum = minimum
        self.capacity = capacity
        self.idle_seconds = idle_seconds
        self.keeps_output = keeps_output
        # Engines compute at least the last prompt token, so a full hit reads one token less.
        self.keep_last_token = keep_last_token
        self.trees: dict[Any, PrefixTree] = {}
        self.held = 0
        self._by_use: list[tuple[int, int, Node]] = []

    def _tree(self, visit: Visit) -> PrefixTree:
        key = (model_key(visit), routing_value(visit, "prompt_cache_key"))
        tree = self.trees.get(key)
        if tree is None:
            tree = self.trees[key] = PrefixTree()
        return tree

    def _idle(self, visit: Visit) -> float | None:
        return self.idle_seconds

    def _step(self, visit: Visit) -> int:
        return self.step

    def serve(self, visit: Visit) -> Served:
        step = self._step(visit)
        tree = self._tree(visit)
        found = tree.match(visit.prompt)
        held, reason = self._held_prefix(
            found, visit.time, self._known_held(visit, tree, visit.time)
        )
        provider = visit.positions.at(held)
        if self.keep_last_token:
            provider = min(provider, visit.provider_length - 1)
        cached = _round_down(provider, step)
        if cached < self.minimum:
            if cached > 0:
                reason = BELOW_MINIMUM
            cached = 0
        total = _round_down(visit.provider_length, step)
        self._hold(tree, visit, len(visit.prompt.segments))
        written = max(0, total - cached) if total >= self.minimum else 0
        return Served(cached, written, visit.positions.position_of(cached), reason)

    def _known_held(self, visit: Visit, tree: PrefixTree, until: float) -> int:
        """How many leading nodes of the prompt's path are known, without looking, to be held
        whole until `until` at least: those it shares with an earlier prompt this cache held
        whole in the same tree that long, when nothing is ever evicted."""
        if self.capacity is not None or visit.prompt.continues is None:
            return 0
        seen_by, shared = visit.prompt.continues
        held = seen_by.get(self)
        if held is None or held[0] is not tree or held[1] < until:
            return 0
        return shared

    def _held_prefix(self, found: Match, now: float, known: int) -> tuple[int, str | None]:
        """Where the held part of the matched prefix ends, and why it ends there if the tree
        has seen more; the first `known` nodes are held (see _known_held)."""
        path = found.path
        known = min(known, len(path))
        held = path[known - 1].start + len(path[known - 1].tokens) if known else 0
        for index in range(known, len(path)):
            node = path[index]
            if node.expires < now:
                return held, EXPIRED
            length = len(node.tokens)
            if node.stored < length:
                return node.start + node.stored, EVICTED
            held = node.start + length
        node = found.partial
        if node is not None:
            if node.expires < now:
                return held, EXPIRED
            if node.stored < found.partial_tokens:
                return node.start + node.stored, EVICTED
            held = node.start + found.partial_tokens
        return held, None

    def _hold(self, tree: PrefixTree, visit: Visit, segments: int, upto: int | None = None) -> None:
        idle = self._idle(visit)
        expires = visit.time + idle if idle is not None else math.inf
        path = tree.insert(visit.prompt, segments)
        # What is already held whole at least as long needs nothing (a response kept after
        # its prompt; anything held by a cache without expiry).
        first = self._known_held(visit, tree, expires)
        tick = visit.tick
        for index in range(first, len(path)):
            node = path[index]
            length = len(node.tokens)
            if upto is not None and node.start + length > upto:
                length = max(0, upto - node.start)
            if length > node.stored:
                self.held += length - node.stored
                node.stored = length
            node.used = tick
            if expires > node.expires:
                node.expires = expires
        if segments == len(visit.prompt.segments) and (upto is None or upto >= visit.prompt.length):
            visit.prompt.seen_by[self] = (tree, expires)
        if self.capacity is not None and path:
            # Only a path's end can be a leaf now; the nodes above it become candidates
            # when what hangs below them is evicted (see _evict).
            heapq.heappush(self._by_use, (path[-1].used, id(path[-1]), path[-1]))
            self._evict()

    def _evict(self) -> None:
        while self.held > self.capacity and self._by_use:
            used, _, node = heapq.heappop(self._by_use)
            if node.stored == 0 or used != node.used:
                continue
            if any(child.stored for child in node.children.values()):
                continue
            self.held -= node.stored
            node.stored = 0
            parent = node.parent
            if parent is not None and parent.stored:
                heapq.heappush(self._by_use, (parent.used, id(parent), parent))

    def keep_output(self, visit: Visit, upto: int) -> None:
        if self.keeps_output:
            self._hold(self._tree(visit), visit, len(visit.prompt.segments), upto)

    def seed(self, visit: Visit, provider_tokens: int) -> None:
        upto = visit.positions.position_of(provider_tokens)
        segments = visit.prompt.segment_at(max(upto - 1, 0)) + 1
        self._hold(self._tree(visit), visit, segments, upto)


class OpenAICache(RadixCache):
    """Automatic caching from 1,024 tokens in the model's step (128 tokens; 512 on gpt-5.5),
    kept as long as the model's retention or the request's prompt_cache_retention says (see
    openai_models), one cache per model and prompt_cache_key. `idle_seconds` replaces every
    retention with one idle expiry."""

    def __init__(self, idle_seconds: float | None = None) -> None:
        facts = provider_facts()["providers"]["openai"]
        super().__init__(
            "openai",
            step=facts["step_tokens"],
            minimum=facts["min_cacheable_tokens"],
            idle_seconds=idle_seconds,
        )
        self.breakpoints = BreakpointCache.openai()

    def _idle(self, visit: Visit) -> float | None:
        if self.idle_seconds is not None:
            return self.idle_seconds
        # Requests without timestamps all share one moment: no expiry, whatever the lifetime.
        return retention_seconds(visit.model, visit.params, visit.time or None)

    def _step(self, visit: Visit) -> int:
        return step_tokens(visit.model)

    def serve(self, visit: Visit) -> Served:
        if _uses_breakpoints(visit):
            return self.breakpoints.serve(visit)
        return super().serve(visit)

    def keep_output(self, visit: Visit, upto: int) -> None:
        if not _uses_breakpoints(visit):
            super().keep_output(visit, upto)

    def seed(self, visit: Visit, provider_tokens: int) -> None:
        if _uses_breakpoints(visit):
            self.breakpoints.seed(visit, provider_tokens)
        else:
            super().seed(visit, provider_tokens)


def _uses_breakpoints(visit: Visit) -> bool:
    return "prompt_cache_options" in visit.params or openai_breakpoint_mode(visit.model)


class DeepSeekCache(Policy):
    """Entries ("cache prefix units") at the end of each request's input and of its output, and
    at the prefix two requests are found to share, in 64-token steps; a read takes the longest
    entry the prompt repeats whole, never part of one."""

    name = "deepseek"
    keeps_output = True

    def __init__(self) -> None:
        facts = provider_facts()["providers"]["deepseek"]
        self.unit = facts["unit_tokens"]
        self.lifetime = facts["ttl_seconds"]
        self.whole_reasoning_from = _epoch(facts["reasoning_resent_whole_from"])
        self.trees: dict[str, PrefixTree] = {}

    def _tree(self, visit: Visit) -> PrefixTree:
        return _model_tree(self.trees, visit)

    def serve(self, visit: Visit) -> Served:
        tree = self._tree(visit)
        found = tree.match(visit.prompt)
        best, expired = _best_mark(found, visit.time, lookback=None, ends=None)
        cached = int(best[1]) if best else 0
        if best:
            _refresh(best, visit.time + self.lifetime)
        path = tree.insert(visit.prompt)
        # The prefix shared with an earlier request becomes a unit of its own.
        shared = visit.positions.at(found.length)
        if shared - cached >= self.unit:
            self._mark(path, visit, _round_down(shared, self.unit))
        end = _round_down(visit.provider_length, self.unit)
        self._mark(path, visit, end)
        reason = EXPIRED if expired and expired > cached else None
        return Served(cached, max(0, end - cached), visit.positions.position_of(cached), reason)

    def _mark(self, path: list[Node], visit: Visit, provider_position: int) -> None:
        if provider_position <= 0:
            return
        position = visit.positions.position_of(provider_position)
        # The node whose tokens hold the one before `position`: the entry ends inside or at
        # the end of it.
        index = visit.prompt.segment_at(max(position - 1, 0))
        if index < len(path):
            node = path[index]
            node.mark(position - node.start, visit.time + self.lifetime, provider_position)

    def keep_output(self, visit: Visit, upto: int) -> None:
        if visit.reasoning_tokens and not self._reasoning_resent_whole(visit):
            # The unit at the end of the output holds the reasoning as it was generated; a
            # prompt that does not repeat it token for token never matches that unit whole.
            return
        path = self._tree(visit).insert(visit.prompt)
        self._mark(path, visit, _round_down(visit.positions.at(upto), self.unit))

    def _reasoning_resent_whole(self, visit: Visit) -> bool:
        """Whether a prompt that sends the reasoning back repeats it as it was generated: not
        on the reasoner DeepSeek served before V4 (see providers.json). Without timestamps,
        as now."""
        return visit.reasoning_repeated and (
            visit.time == 0.0 or visit.time >= self.whole_reasoning_from
        )

    def seed(self, visit: Visit, provider_tokens: int) -> None:
        self._mark(self._tree(visit).insert(visit.prompt), visit, provider_tokens)


def _epoch(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp()


class BreakpointCache(Policy):
    """Entries only where a request puts a breakpoint; a read at each breakpoint looks back a
    bounded number of blocks for an entry the prompt repeats whole. Anthropic, and OpenAI from
    GPT-5.6 on (no lookback bound, an implicit breakpoint after the newest message)."""

    def __init__(
        self,
        name: str,
        lookback: int | None,
        lifetimes: dict[str, float],
        max_writes: int,
        minimum_of: Any,
        implicit_last: bool = False,
        fixed_ttl: str | None = None,
        routing_key: str | None = None,
    ) -> None:
        self.name = name
        # A request field that routes requests to machines, each with a cache of its own.
        self.routing_key = routing_key
        self.lookback = lookback
        self.lifetimes = lifetimes
        self.max_writes = max_writes
        self.minimum_of = minimum_of
        self.implicit_last = implicit_last
        self.fixed_ttl = fixed_ttl
        self.trees: dict[str, PrefixTree] = {}

    @classmethod
    def anthropic(cls) -> BreakpointCache:
        facts = provider_facts()["providers"]["anthropic"]
        return cls(
            "anthropic",
            facts["lookback_blocks"],
            {ttl: float(seconds) for ttl, seconds in facts["ttl_seconds"].items()},
            facts["max_breakpoints"],
            anthropic_minimum,
        )

    @classmethod
    def openai(cls) -> BreakpointCache:
        facts = provider_facts()["providers"]["openai"]
        minimum = facts["min_cacheable_tokens"]
        return cls(
            "openai",
            None,
            {"30m": float(facts["breakpoint_ttl_seconds"])},
            facts["breakpoint_max_writes"],
            lambda model: minimum,
            implicit_last=True,
            fixed_ttl="30m",
            # As in the older prefix cache, OpenAI routes by prompt_cache_key with the prefix:
            # two keys meet two caches (a pydantic-ai cassette pair sent the same prompt 5 s
            # apart under two keys, and the second read nothing).
            routing_key="prompt_cache_key",
        )

    def _breakpoints(self, visit: Visit) -> list[tuple[int, str]]:
        found = list(visit.breakpoints)
        if self.fixed_ttl is not None:
            found = [(segment, self.fixed_ttl) for segment, _ in found]
        if self.implicit_last:
            last = _last_message_segment(visit.prompt)
            if last is not None and all(segment != last for segment, _ in found):
                found.append((last, self.fixed_ttl or "5m"))
        return sorted(found)

    def serve(self, visit: Visit) -> Served:
        breakpoints = self._breakpoints(visit)
        if not breakpoints:
            return Served(0, 0, 0, NO_BREAKPOINT)
        tree = _model_tree(self.trees, visit, self.routing_key)
        found = tree.match(visit.prompt)
        ends = [segment for segment, _ in breakpoints]
        best, expired = _best_mark(found, visit.time, self.lookback, ends)
        cached_position = 0
        cached = 0
        reason = None
        if best is not None:
            node, offset = best[2], best[3]
            cached_position = node.start + offset
            cached = round(visit.positions.at(cached_position))
            _refresh(best, visit.time + self._lifetime(best[4]))
        if expired and expired > cached:
            reason = EXPIRED
        elif self.lookback is not None:
            unbounded, _ = _best_mark(found, visit.time, None, None)
            if unbounded is not None and unbounded[1] > cached + 0.5:
                reason = LOOKBACK
        minimum = self.minimum_of(visit.model)
        path = tree.insert(visit.prompt)
        written_to = cached
        ttl = "5m"
        for segment, segment_ttl in breakpoints[-self.max_writes :]:
            end = visit.prompt.starts[segment + 1]
            provider_end = round(visit.positions.at(end))
            if provider_end < minimum:
                if reason is None and provider_end > cached:
                    reason = BELOW_MINIMUM
                continue
            node = path[segment]
            lifetime = self._lifetime(segment_ttl)
            node.mark(len(node.tokens), visit.time + lifetime, provider_end, segment_ttl)
            written_to = max(written_to, provider_end)
            ttl = segment_ttl
        return Served(cached, max(0, written_to - cached), cached_position, reason, ttl)

    def _lifetime(self, ttl: str | None) -> float:
        return self.lifetimes.get(ttl or "", min(self.lifetimes.values()))

    def seed(self, visit: Visit, provider_tokens: int) -> None:
        position = visit.positions.position_of(provider_tokens)
        path = _model_tree(self.trees, visit, self.routing_key).insert(visit.prompt)
        for node in path:
            if node.start < position <= node.end:
                ttl = max(self.lifetimes, key=self.lifetimes.get)
                expires = visit.time + self.lifetimes[ttl]
                node.mark(position - node.start, expires, provider_tokens, ttl)
                return


def routing_value(visit: Visit, name: str | None) -> str | None:
    """The routing field's value as a key; a trace may hold any JSON there."""
    value = visit.params.get(name) if name else None
    return value if value is None or isinstance(value, str) else repr(value)


def _model_tree(trees: dict, visit: Visit, routing_key: str | None = None) -> PrefixTree:
    key = (model_key(visit), routing_value(visit, routing_key))
    tree = trees.get(key)
    if tree is None:
        tree = trees[key] = PrefixTree()
    return tree


def _last_message_segment(prompt: Prompt) -> int | None:
    for index in range(len(prompt.segments) - 1, -1, -1):
        if prompt.segments[index].message is not None:
            return index
    return None


def _best_mark(found: Match, now: float, lookback: int | None, ends: list[int] | None):
    """The longest live entry the prompt repeats whole, as (node marks, provider position,
    node, offset, ttl), and the provider position of the longest one that had expired.
    With `ends`, only entries within `lookback` segments before one of those ends count.
    Entries further along the prompt are longer, so the search runs from its end back and
    stops at the first node with a live entry."""
    best, expired = None, 0.0
    if found.partial is not None and found.partial.marks:
        best, expired = _live_mark(found.partial, found.partial_tokens, now, lookback, ends, 0.0)
    if best is None:
        for node in reversed(found.path):
            if node.marks:
                best, expired = _live_mark(node, len(node.tokens), now, lookback, ends, expired)
                if best is not None:
                    break
    return best, expired


def _live_mark(
    node: Node, limit: int, now: float, lookback: int | None, ends: list[int] | None, expired: float
):
    """The longest live entry in one node within its first `limit` tokens, and the longest
    expired one so far (see _best_mark)."""
    if ends is not None and not any(
        node.index <= end and (lookback is None or end - node.index < lookback) for end in ends
    ):
        return None, expired
    best = None
    for offset, entry in node.marks.items():
        if offset > limit:
            continue
        expires, provider_position = entry[0], entry[1]
        if expires < now:
            expired = max(expired, provider_position)
            continue
        if best is None or provider_position > best[1]:
            best = (node.marks, provider_position, node, offset, entry[2])
    return best, expired


def _refresh(best, expires: float) -> None:
    marks, _, _, offset, _ = best
    entry = marks[offset]
    marks[offset] = (max(entry[0], expires), entry[1], entry[2])


def _round_down(value: float, step: int) -> int:
    value = int(value + 1e-6)
    return value - value % step if step > 1 else value


def make_policy(
    name: str, capacity: int | None = None, block: int | None = None, idle: float | None = None
) -> Policy:
    facts = provider_facts()["providers"]
    if name == "ideal":
        return RadixCache("ideal")
    if name == "anthropic":
        return BreakpointCache.anthropic()
    if name == "openai":
        return OpenAICache(idle)
    if name == "deepseek":
        return DeepSeekCache()
    if name == "vllm":
        return RadixCache(
            "vllm",
            step=block or facts["vllm"]["block_tokens"],
            capacity=capacity or facts["vllm"]["capacity_tokens"],
            keep_last_token=True,
        )
    if name == "sglang":
        return RadixCache(
            "sglang",
            capacity=capacity or facts["sglang"]["capacity_tokens"],
            keep_last_token=True,
        )
    if name in HOSTED_POLICIES:
        from ctxlint.simulate.hosted import hosted_policy

        return hosted_policy(name, idle)
    raise ValueError(f"unknown cache policy {name!r}; known: {', '.join(POLICIES)}")
