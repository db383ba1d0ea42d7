"""CTX009: an idle gap between two requests of a session outlasts the provider's cache."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ctxlint.diagnostics import Diagnostic
from ctxlint.redact import evidence
from ctxlint.rule import Rule

if TYPE_CHECKING:
    from ctxlint.trace.compare import Step
    from ctxlint.trace.model import Request

# How long an unused cache entry lives, in seconds. Anthropic: 5 minutes, or 1 hour for a
# breakpoint with `"ttl": "1h"`. OpenAI: per model and request, as the simulator has it (see
# ctxlint.simulate.openai_models).
_ANTHROPIC_DEFAULT = 5 * 60
_ANTHROPIC_LONG = 60 * 60
# A request that still read at least this share of the previous prompt from the cache kept it
# (another session, or a keep-alive, refreshed it): no finding.
_SURVIVED = 0.5


class CacheExpiryGap(Rule):
    """
    ## What it does
    Flags, in recorded traces, an idle gap between two consecutive requests of a session that
    is longer than the provider keeps a cached prefix: Anthropic 5 minutes (1 hour where the
    request's breakpoints ask for `"ttl": "1h"`); OpenAI what the model and the request's
    `prompt_cache_retention` give: 10 minutes in memory (gpt-4o, o-series, any model before
    29 May 2026, or `"in_memory"`), up to 24 hours of extended retention (the default for
    gpt-4.1 and the GPT-5 family since 29 May 2026, and the only one from gpt-5.5 on), 30
    minutes at the breakpoints of GPT-5.6 and later. The finding gives the gap, the lifetime, and the prefix
    tokens that had to be written (or read uncached) again. A request whose reported usage
    shows it still read the cache is not flagged.

    This rule has no Python detector: the gap only exists at run time.

    ## Why is this bad?
    After the lifetime passes, the cache entry is evicted and the next request pays for the
    whole prefix again: at full price on OpenAI, at 1.25 times (2 times for 1-hour entries) the
    input price on Anthropic, and with the latency of processing it. An agent that waits on a
    slow tool, a human approval or a scheduled job loses its cache on every wait.

    ## Example
    ```jsonl
    {"ctxlint": 1, "session": "s1", "provider": "anthropic", "timestamp": "2026-01-01T10:00:00Z", "messages": [{"role": "user", "content": "Start"}]}
    {"ctxlint": 1, "session": "s1", "provider": "anthropic", "timestamp": "2026-01-01T10:20:00Z", "messages": [{"role": "user", "content": "Start"}, {"role": "assistant", "content": "Waiting for approval"}, {"role": "user", "content": "Approved"}]}
    ```

    Use instead: keep waits shorter than the cache lifetime, ask for the 1-hour lifetime
    (`"cache_control": {"type": "ephemeral", "ttl": "1h"}`) or 24-hour retention where waits
    are long, or send a cheap keep-alive request before the lifetime ends.

    ## References
    - [Anthropic: prompt caching, cache lifetime](https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching)
    - [OpenAI: prompt caching, retention](https://platform.openai.com/docs/guides/prompt-caching)
    """

    code = "CTX009"
    name = "cache-expiry-gap"
    summary = "An idle gap between two requests outlasts the provider's cache lifetime"
    # How long a session waits is its user's or workflow's, whichever harness made it.
    judges_prompt_assembly = False

    def check_trace(self, step: Step) -> Iterator[Diagnostic]:
        previous, current = step.previous, step.current
        since = previous and (previous.finished or previous.timestamp)
        if previous is None or since is None or current.timestamp is None:
            return
        lifetime = _lifetime(step, previous)
        gap = (current.timestamp - since).total_seconds()
        if lifetime is None or gap <= lifetime:
            return
        usage, before = current.usage, previous.usage
        prior = before.prompt_tokens if before else None
        if (
            usage is not None
            and usage.cached_tokens
            and prior
            and usage.cached_tokens >= _SURVIVED * prior
        ):
            return
        if usage is not None and usage.cache_write_tokens:
            cost = f": {usage.cache_write_tokens:,} prefix tokens written again"
        elif usage is not None and usage.prompt_tokens is not None:
            uncached = usage.prompt_tokens - (usage.cached_tokens or 0)
            cost = f": {uncached:,} prefix tokens processed uncached"
        elif prior:
            cost = f": about {prior:,} prefix tokens processed again"
        else:
            cost = ""
        provider = evidence(current.provider or "the provider")
        yield step.diagnostic(
            self,
            f"idle {_duration(gap)}, past {provider}'s {_duration(lifetime)} cache lifetime{cost}",
            help=_help(previous.provider, lifetime),
            related=step.previous_location("the previous request"),
        )


def _help(provider: str | None, lifetime: float) -> str:
    longer = {
        "anthropic": ', ask for the 1-hour lifetime ("ttl": "1h")',
        "openai": ", ask for 24-hour retention (prompt_cache_retention)",
    }.get(provider or "", "")
    return (
        f"Keep waits under {_duration(lifetime)}{longer}, or send a keep-alive request before then"
    )


def _lifetime(step: Step, previous: Request) -> float | None:
    provider = previous.provider
    if provider == "anthropic":
        memo = step.session.memo
        if _asks_for_an_hour(previous):
            memo["CTX009:1h"] = True
        return _ANTHROPIC_LONG if memo.get("CTX009:1h") else _ANTHROPIC_DEFAULT
    if provider == "openai":
        from ctxlint.simulate.openai_models import lifetime_seconds

        at = previous.timestamp.timestamp() if previous.timestamp else None
        return lifetime_seconds(previous.model, previous.params, at)
    if provider == "azure":
        from ctxlint.simulate.facts import provider_facts

        # Azure keeps OpenAI's in-memory retention, not OpenAI's 24 h default.
        return float(provider_facts()["providers"]["azure"]["idle_ttl_seconds"])
    # DeepSeek's disk cache lasts hours; self-hosted engines evict by memory, not time.
    return None


def _asks_for_an_hour(request: Request) -> bool:
    if request.usage is not None:
        creation = request.usage.raw.get("cache_creation")
        if isinstance(creation, dict) and creation.get("ephemeral_1h_input_tokens"):
            return True
    blocks = [*(request.system or ()), *(b for m in request.messages for b in m.blocks)]
    return any(b.cache_ttl == "1h" for b in blocks) or any(
        t.cache_ttl == "1h" for t in request.tools or ()
    )


def _duration(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"
