"""The caches of hosted providers beyond Anthropic, OpenAI and DeepSeek: each is one of the
existing caches (a prefix tree read in steps, or entries at breakpoints) with the provider's
own parameters from providers.json, where each has its source."""

from __future__ import annotations

from typing import Any

from ctxlint.simulate.facts import (
    IMPLICIT,
    bedrock_minimum,
    minimum_for,
    provider_facts,
)
from ctxlint.simulate.policies import (
    BreakpointCache,
    Policy,
    RadixCache,
    Served,
    Visit,
    make_policy,
    model_key,
)
from ctxlint.simulate.tree import PrefixTree


class ImplicitCache(RadixCache):
    """Automatic prefix caching as a provider documents it: a minimum by model (none for a
    model without such a cache), a step, an idle lifetime where one is documented, and one
    tree per routing key a request carries, since these providers keep entries per server and
    route a conversation by that key. What it stores is billed as plain input.

    `read_lag_requests` (a number, or a table by model prefix) makes a prompt readable only
    from the k-th later request of the same cache: Gemini's reads fall a few requests behind
    the previous prompt (measured, see providers.json); 1, the default, is the plain cache."""

    def __init__(self, name: str, section: dict[str, Any]) -> None:
        super().__init__(
            name,
            step=int(section.get("step_tokens") or 1),
            idle_seconds=section.get("idle_ttl_seconds"),
            keeps_output=bool(section.get("keeps_output", True)),
        )
        self.section = section
        self.routing_keys = tuple(section.get("routing_keys", ("prompt_cache_key",)))
        self.extended_seconds = section.get("extended_ttl_seconds")
        self.read_lag = 1
        # Holds not yet readable, per tree: (the tree's serve count when made, the hold).
        self._pending: dict[int, list[tuple[int, tuple]]] = {}
        self._serves: dict[int, int] = {}
        self._deferring = False

    def _tree(self, visit: Visit):
        key = next(
            (str(visit.params[name]) for name in self.routing_keys if visit.params.get(name)),
            None,
        )
        # Caches are per model as well as per server.
        tree = self.trees.get((model_key(visit), key))
        if tree is None:
            tree = self.trees[(model_key(visit), key)] = PrefixTree()
        return tree

    def _idle(self, visit: Visit) -> float | None:
        if self.extended_seconds and _asks_hour(visit.params):
            return float(self.extended_seconds)
        return self.idle_seconds

    def serve(self, visit: Visit) -> Served:
        minimum = minimum_for(self.section, visit.model)
        if minimum is None:
            return Served(0, 0, 0, None, IMPLICIT)
        self.minimum = int(minimum)
        lag = minimum_for(self.section, visit.model, "read_lag_requests")
        self.read_lag = max(1, int(lag or 1))
        served = super().serve(visit) if self.read_lag == 1 else self._serve_late(visit)
        served.ttl = IMPLICIT
        return served

    def _serve_late(self, visit: Visit) -> Served:
        """Serve from what the requests up to `read_lag` back left, then leave this prompt
        to become readable `read_lag` requests later."""
        tree = self._tree(visit)
        count = self._serves[id(tree)] = self._serves.get(id(tree), 0) + 1
        pending = self._pending.setdefault(id(tree), [])
        while pending and pending[0][0] <= count - self.read_lag:
            super()._hold(*pending.pop(0)[1])
        self._deferring = True
        try:
            return super().serve(visit)
        finally:
            self._deferring = False

    def _hold(self, tree: PrefixTree, visit: Visit, segments: int, upto: int | None = None) -> None:
        if self._deferring:
            count = self._serves[id(tree)]
            self._pending.setdefault(id(tree), []).append((count, (tree, visit, segments, upto)))
            return
        super()._hold(tree, visit, segments, upto)


def _asks_hour(params: dict[str, Any]) -> bool:
    """Whether a request asks for the longer lifetime a provider offers."""
    options = params.get("prompt_cache_options")
    if isinstance(options, dict) and str(options.get("ttl", "")).lower() in ("1h", "3600s"):
        return True
    return params.get("prompt_cache_retention") in ("24h", "1h")


class ImplicitOrExplicit(Policy):
    """Qwen: implicit caching, or for a request that marks cache_control breakpoints, entries
    at those breakpoints only; the provider applies one or the other to each request."""

    keeps_output = True

    def __init__(self, name: str, section: dict[str, Any]) -> None:
        self.name = name
        self.implicit = ImplicitCache(name, section)
        minimum = int(section["explicit_min_cacheable_tokens"])
        self.explicit = BreakpointCache(
            name,
            int(section["explicit_lookback_blocks"]),
            {ttl: float(seconds) for ttl, seconds in section["explicit_ttl_seconds"].items()},
            int(section["explicit_max_breakpoints"]),
            lambda model: minimum,
        )

    @staticmethod
    def _marked(visit: Visit) -> bool:
        return bool(visit.prompt.breakpoint_segments) or isinstance(
            visit.params.get("cache_control"), dict
        )

    def serve(self, visit: Visit) -> Served:
        return (self.explicit if self._marked(visit) else self.implicit).serve(visit)

    def keep_output(self, visit: Visit, upto: int) -> None:
        if not self._marked(visit):
            self.implicit.keep_output(visit, upto)

    def seed(self, visit: Visit, provider_tokens: int) -> None:
        (self.explicit if self._marked(visit) else self.implicit).seed(visit, provider_tokens)


def hosted_policy(name: str, idle: float | None = None) -> Policy:
    facts = provider_facts()["providers"]
    section = facts[name]
    if name == "bedrock":
        return BreakpointCache(
            "bedrock",
            int(section["lookback_blocks"]),
            {ttl: float(seconds) for ttl, seconds in section["ttl_seconds"].items()},
            int(section["max_breakpoints"]),
            bedrock_minimum,
        )
    if name == "azure":
        # Azure OpenAI documents OpenAI's caching (1,024 tokens, 128-token steps, breakpoints
        # from GPT-5.6) with its own retention: cleared within 5 to 10 minutes idle, and not
        # OpenAI's 24 h default, which is a change of OpenAI's own service.
        own = idle if idle is not None else float(section["idle_ttl_seconds"])
        policy = make_policy("openai", idle=own)
        policy.name = "azure"
        return policy
    if name == "qwen":
        qwen = ImplicitOrExplicit(name, section)
        if idle is not None:
            qwen.implicit.idle_seconds = idle
            qwen.implicit.extended_seconds = None
            qwen.explicit.lifetimes = {ttl: idle for ttl in qwen.explicit.lifetimes}
        return qwen
    policy = ImplicitCache(name, section)
    if idle is not None:
        # One expiry for every request, as --idle-ttl says: a longer one asked for too.
        policy.idle_seconds = idle
        policy.extended_seconds = None
    return policy
