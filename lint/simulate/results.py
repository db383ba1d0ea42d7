"""What a simulation is asked to do (Options) and what it finds for each request
(RequestResult), with the cost of a request as predicted and as reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ctxlint.redact import identifier
from ctxlint.simulate.explain import Miss
from ctxlint.simulate.facts import Prices
from ctxlint.simulate.policies import Served
from ctxlint.trace.model import Diagnosis, Request


@dataclass(frozen=True, slots=True)
class Options:
    # None: the policy of each request's provider.
    policy: str | None = None
    replicas: int = 1
    routing: str = "sticky"
    warm_start: str = "reported"
    capacity: int | None = None
    block: int | None = None
    idle_seconds: float | None = None
    prices: dict[str, dict[str, float]] = field(default_factory=dict)
    trace_format: str | None = None


@dataclass(slots=True)
class RequestResult:
    path: str
    line: int
    session: str
    index: int
    model: str | None
    policy: str
    prompt_tokens: int
    cached_predicted: int
    written_predicted: int
    cached_reported: int | None
    written_reported: int | None
    output_tokens: int
    cost: float
    cost_reported: float | None
    ideal_cached: int
    cost_ideal: float
    miss: Miss | None = None
    # The prompt size the provider reported (None: not reported).
    prompt_reported: int | None = None
    # What the provider said of this request's cache use (see diagnosis.py).
    diagnosis: Diagnosis | None = None
    # Whether ctxlint's own cause agrees with it; None when there is nothing to compare.
    diagnosis_agrees: bool | None = None

    @property
    def agrees(self) -> bool | None:
        if self.cached_reported is None:
            return None
        return agrees(self.cached_predicted, self.cached_reported, self.prompt_reported)

    def as_json(self) -> dict[str, Any]:
        return {
            "session": identifier(self.session),
            "index": self.index,
            "path": self.path,
            "line": self.line,
            "model": None if self.model is None else identifier(self.model),
            "policy": self.policy,
            "prompt_tokens": self.prompt_tokens,
            "cached_predicted": self.cached_predicted,
            "written_predicted": self.written_predicted,
            "cached_reported": self.cached_reported,
            "written_reported": self.written_reported,
            "agrees": self.agrees,
            "cost": round(self.cost, 6),
            "miss": self.miss.as_json() if self.miss else None,
            "provider_diagnosis": None
            if self.diagnosis is None
            else {
                "provider": self.diagnosis.provider,
                "verdict": self.diagnosis.verdict,
                "missed_tokens": self.diagnosis.missed_tokens,
                "agrees": self.diagnosis_agrees,
            },
        }


def agrees(predicted: int, reported: int, prompt_reported: int | None) -> bool:
    """Whether a predicted cached count agrees with the reported one: within 128 tokens (one
    OpenAI step) or 2 % of the reported prompt, whichever is more. The share is of the prompt,
    not of the cached count, so that a request that read little is held to the same tolerance
    as one of the same size that read much. The one definition every report and test uses."""
    return abs(predicted - reported) <= max(128, 0.02 * (prompt_reported or 0))


def predicted_cost(prices: Prices, prompt_tokens: int, served: Served, output: int) -> float:
    """What a request costs when the cache serves it as `served` says."""
    uncached = max(0, prompt_tokens - served.cached - served.written)
    return prices.cost(uncached, served.cached, served.written, output, served.ttl)


def reported_cost(prices: Prices, request: Request, output: int) -> float | None:
    """What a request cost by the usage the provider reported (None: no prompt size reported,
    or not how much of it was read from the cache, which decides most of the cost)."""
    usage = request.usage
    if usage is None or usage.prompt_tokens is None or usage.cached_tokens is None:
        return None
    cached = usage.cached_tokens
    written = usage.cache_write_tokens or 0
    uncached = max(0, usage.prompt_tokens - cached - written)
    raw = usage.raw.get("cache_creation") if isinstance(usage.raw, dict) else None
    ttl = "1h" if isinstance(raw, dict) and raw.get("ephemeral_1h_input_tokens") else "5m"
    return prices.cost(uncached, cached, written, output, ttl)
