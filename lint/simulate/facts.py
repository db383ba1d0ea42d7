"""Provider cache facts and model prices, from the data file that ships in the package (each
figure with its source and date), with prices overridable from configuration."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import orjson


@cache
def provider_facts() -> dict[str, Any]:
    return orjson.loads(resources.files("ctxlint.simulate").joinpath("providers.json").read_bytes())


@dataclass(frozen=True, slots=True)
class Prices:
    """USD per million tokens."""

    model: str
    input: float
    output: float
    cache_read: float
    cache_write_5m: float
    cache_write_1h: float
    # False when the model is not in the price list and these are a stand-in.
    known: bool = True

    def cost(self, uncached: int, cached: int, written: int, output: int, ttl: str) -> float:
        write = self.cache_write_1h if ttl == "1h" else self.cache_write_5m
        return (
            uncached * self.input
            + cached * self.cache_read
            + written * write
            + output * self.output
        ) / 1_000_000


def bare_model(model: str | None) -> str:
    """ "anthropic/claude-sonnet-4" and "claude-sonnet-4@20250514" -> "claude-sonnet-4"."""
    return (model or "").rsplit("/", 1)[-1].split("@", 1)[0].lower()


def _longest_prefix(table: dict[str, Any], model: str) -> str | None:
    return max((key for key in table if model.startswith(key)), key=len, default=None)


def prices_for(model: str | None, policy: str, overrides: dict[str, dict[str, Any]]) -> Prices:
    """`overrides` (from configuration) add models or replace some figures of listed ones."""
    facts = provider_facts()
    name = bare_model(model)
    table = dict(facts["models"])
    for key, figures in overrides.items():
        table[key.lower()] = {**table.get(key.lower(), {}), **figures}
    key = _longest_prefix(table, name)
    if key is None:
        # An unknown model is priced as nothing rather than as a guess; the report says so.
        return Prices(name or "unknown", 0.0, 0.0, 0.0, 0.0, 0.0, known=False)
    entry = {"input": 0.0, "output": 0.0, **table[key]}
    provider = facts["providers"].get(entry.get("provider", policy), {})
    write = provider.get("write_multiplier", {})
    if policy == "openai" and openai_breakpoint_mode(name):
        five = hour = entry["input"] * facts["providers"]["openai"]["breakpoint_write_multiplier"]
    else:
        # Providers that do not bill writes charge them as ordinary input.
        five = entry.get("cache_write_5m", entry["input"] * write.get("5m", 1.0))
        hour = entry.get("cache_write_1h", entry["input"] * write.get("1h", 1.0))
    return Prices(
        key,
        float(entry["input"]),
        float(entry["output"]),
        float(entry.get("cache_read", entry["input"])),
        float(five),
        float(hour),
    )


def anthropic_minimum(model: str | None) -> int:
    table = provider_facts()["providers"]["anthropic"]["min_cacheable_tokens"]
    key = _longest_prefix({k: v for k, v in table.items() if k != "default"}, bare_model(model))
    return int(table[key] if key else table["default"])


_GPT_VERSION = re.compile(r"gpt-(\d+)(?:\.(\d+))?")


def openai_breakpoint_mode(model: str | None) -> bool:
    """GPT-5.6 and later cache at breakpoints, not in 128-token steps."""
    found = _GPT_VERSION.match(bare_model(model))
    if not found:
        return False
    first = provider_facts()["providers"]["openai"]["breakpoint_mode_from"]
    major, minor = (int(part) for part in first.removeprefix("gpt-").split("."))
    return (int(found.group(1)), int(found.group(2) or 0)) >= (major, minor)


def infer_policy(provider: str | None, model: str | None) -> str:
    """The cache a request met, from the provider its trace names or else its model."""
    name = bare_model(model)
    for candidate in (provider or "", name):
        candidate = candidate.lower()
        if candidate.startswith(("anthropic", "claude", "bedrock")):
            return "anthropic"
        if candidate.startswith("deepseek"):
            return "deepseek"
        if candidate.startswith(("openai", "azure", "gpt", "o1", "o3", "o4", "codex", "chatgpt")):
            return "openai"
        if candidate in ("vllm", "sglang"):
            return candidate
    return "ideal"
