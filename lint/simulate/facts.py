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


# Providers served by lint/simulate/hosted.py, each with its section in providers.json.
HOSTED_POLICIES = (
    "gemini",
    "vertex",
    "bedrock",
    "azure",
    "xai",
    "qwen",
    "mistral",
    "kimi",
    "groq",
    "fireworks",
)

# The lifetime label of what an implicit (automatic) cache stores: no write premium.
IMPLICIT = "implicit"


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
        # What an implicit cache stores is billed as ordinary input, whatever explicit
        # writes cost on the same model (Qwen bills both kinds).
        if ttl == IMPLICIT:
            write = self.input
        else:
            write = self.cache_write_1h if ttl == "1h" else self.cache_write_5m
        return (
            uncached * self.input
            + cached * self.cache_read
            + written * write
            + output * self.output
        ) / 1_000_000


# Bedrock model ids: an optional cross-region inference profile ("us.", "global."), the
# vendor ("anthropic."), and a version suffix ("-v1:0"), around the vendor's own name.
_BEDROCK_REGION = re.compile(r"^(?:us|eu|apac|au|ca|jp|us-gov|global)\.")
_BEDROCK_VERSION = re.compile(r"-v\d+(?::\d+)?$")


def bare_model(model: str | None) -> str:
    """ "anthropic/claude-sonnet-4", "claude-sonnet-4@20250514" and Bedrock's
    "us.anthropic.claude-sonnet-4-v1:0" -> "claude-sonnet-4"."""
    name = (model or "").rsplit("/", 1)[-1].split("@", 1)[0].lower()
    if "." in name and ("anthropic." in name or _BEDROCK_VERSION.search(name)):
        name = _BEDROCK_VERSION.sub("", _BEDROCK_REGION.sub("", name))
        name = name.removeprefix("anthropic.")
    return name


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
    if "cache_read" not in entry:
        entry["cache_read"] = entry["input"] * _read_multiplier(provider, name)
    if policy in ("openai", "azure") and openai_breakpoint_mode(name):
        five = hour = entry["input"] * facts["providers"]["openai"]["breakpoint_write_multiplier"]
    else:
        # Providers that do not bill writes charge them as ordinary input.
        five = entry.get("cache_write_5m", entry["input"] * write.get("5m", 1.0))
        hour = entry.get("cache_write_1h", entry["input"] * write.get("1h", 1.0))
    return Prices(
        key,
        float(entry["input"]),
        float(entry["output"]),
        float(entry["cache_read"]),
        float(five),
        float(hour),
    )


def _read_multiplier(provider: dict[str, Any], model: str) -> float:
    """A provider's price of a cached token per input token; without one, none is cheaper."""
    by_model = provider.get("read_multiplier_by_model", {})
    key = _longest_prefix(by_model, model)
    return float(by_model[key] if key else provider.get("read_multiplier", 1.0))


def minimum_for(section: dict[str, Any], model: str | None, key: str = "min_cacheable_tokens"):
    """The fewest tokens a provider caches for a model: a number, or a table by model prefix
    with a default; None where the table says the model has no such cache."""
    table = section.get(key, 0)
    if not isinstance(table, dict):
        return table
    found = _longest_prefix({k: v for k, v in table.items() if k != "default"}, bare_model(model))
    return table[found] if found else table.get("default", 0)


def anthropic_minimum(model: str | None) -> int:
    return int(minimum_for(provider_facts()["providers"]["anthropic"], model))


def bedrock_minimum(model: str | None) -> int:
    """Bedrock's own table where it differs from Anthropic's, Anthropic's otherwise."""
    table = provider_facts()["providers"]["bedrock"]["min_cacheable_tokens"]
    key = _longest_prefix(table, bare_model(model))
    return int(table[key]) if key else anthropic_minimum(model)


_GPT_VERSION = re.compile(r"gpt-(\d+)(?:\.(\d+))?")


def openai_breakpoint_mode(model: str | None) -> bool:
    """GPT-5.6 and later cache at breakpoints, not in 128-token steps."""
    found = _GPT_VERSION.match(bare_model(model))
    if not found:
        return False
    first = provider_facts()["providers"]["openai"]["breakpoint_mode_from"]
    major, minor = (int(part) for part in first.removeprefix("gpt-").split("."))
    return (int(found.group(1)), int(found.group(2) or 0)) >= (major, minor)


# Who serves a request, from the provider a trace names, a gateway's route prefix
# ("bedrock/...", "fireworks_ai/...") or else the model's own name: the first that matches.
# Hosts come before model families: Claude on Bedrock meets Bedrock's cache, a Kimi model on
# Groq meets Groq's.
_HOSTS = (
    (("bedrock", "aws", "amazon"), "bedrock"),
    (("azure",), "azure"),
    (("groq",), "groq"),
    (("fireworks",), "fireworks"),
    (("vertex", "google-vertex"), "vertex"),
    (("xai", "x-ai"), "xai"),
    (("dashscope", "alibaba", "aliyun", "qwen"), "qwen"),
    (("moonshot", "kimi"), "kimi"),
    (("mistral",), "mistral"),
    (("gemini", "google"), "gemini"),
)
_FAMILIES = (
    (("anthropic", "claude"), "anthropic"),
    (("deepseek",), "deepseek"),
    (("openai", "gpt", "o1", "o3", "o4", "codex", "chatgpt"), "openai"),
    (("gemini",), "gemini"),
    (("grok",), "xai"),
    (("qwen", "qwq"), "qwen"),
    (("kimi", "moonshot"), "kimi"),
    (("mistral", "codestral", "devstral", "magistral", "ministral", "pixtral"), "mistral"),
    (("amazon.nova", "nova-"), "bedrock"),
)


def infer_policy(provider: str | None, model: str | None) -> str:
    """The cache a request met, from the provider its trace names or else its model."""
    lowered = (model or "").lower()
    route = lowered.split("/", 1)[0] if "/" in lowered else ""
    for candidate in ((provider or "").lower(), route):
        if candidate in ("vllm", "sglang"):
            return candidate
        for prefixes, policy in _HOSTS:
            if candidate.startswith(prefixes):
                # Vertex and Bedrock serve Claude with Anthropic's caching rules; Vertex's
                # own page is about Gemini.
                if policy == "vertex" and "claude" in lowered:
                    return "anthropic"
                return policy
        for prefixes, policy in _FAMILIES:
            if candidate.startswith(prefixes):
                return policy
    if lowered.startswith("accounts/fireworks/"):
        return "fireworks"
    name = bare_model(model)
    if (model or "").lower().split("/")[-1] != name and "claude" in name and "." in lowered:
        # A Bedrock model id ("us.anthropic.claude-...-v1:0") names its host.
        return "bedrock"
    for prefixes, policy in _FAMILIES:
        if name.startswith(prefixes):
            return policy
    return "ideal"


def best_effort(policies) -> list[str]:
    """Which of these policies model a cache the provider documents as best effort: what is
    predicted for them is an expectation, not a promise."""
    facts = provider_facts()["providers"]
    return sorted(name for name in policies if facts.get(name, {}).get("best_effort"))
