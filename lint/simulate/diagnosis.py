"""The provider's own word on a request's cache use beside ctxlint's: where each says the
request diverged from the earlier one, and whether the two agree.

Anthropic's cache diagnostics name the first part of the request that differs from the one
named by `diagnostics.previous_message_id`: the model, the system prompt, the tools or the
messages (https://platform.claude.com/docs/en/build-with-claude/cache-diagnostics). OpenAI's
prompt cache diagnostics (Responses API, GPT-5.6 and later) give a reason for a miss against
`prompt_cache_options.comparison_response_id`: the model, the tools, the input, compaction, or
a setting (https://developers.openai.com/api/docs/guides/prompt-caching/diagnostics). Both
compare the requests' structure, not what the cache held, so they are set beside ctxlint's
divergences only, never beside an expiry or an eviction. No rule code is taken from the
provider: its place is compared with the place ctxlint's own rule names.
"""

from __future__ import annotations

from collections.abc import Iterable

from ctxlint.simulate.facts import provider_facts
from ctxlint.simulate.results import RequestResult
from ctxlint.trace.model import Diagnosis

MODEL = "model"
SYSTEM = "system"
TOOLS = "tools"
MESSAGES = "messages"
# No divergence: the provider found none where it looked.
NONE = "none"


def _places(provider: str) -> dict[str, list[str]]:
    """Per verdict, the places it names (providers.json); a verdict not listed there
    (previous_message_not_found, unavailable, comparison_response_not_found, Anthropic's null
    reason, which also stands for a comparison still running, or a word added since) is
    inconclusive and is not compared."""
    found = provider_facts()["cache_diagnostics"].get(provider)
    return found["places"] if isinstance(found, dict) else {}


def provider_places(diagnosis: Diagnosis) -> tuple[str, ...] | None:
    """Where the provider says the request diverged; None when its verdict is inconclusive."""
    places = _places(diagnosis.provider).get(diagnosis.verdict)
    return None if places is None else tuple(places)


def ctxlint_place(result: RequestResult, previous_model: str | None) -> str:
    """Where ctxlint finds the request diverging from the previous one of its session."""
    if previous_model is not None and result.model != previous_model:
        return MODEL
    miss = result.miss
    if miss is None or not miss.diverged:
        return NONE
    for place in (SYSTEM, TOOLS, MESSAGES):
        if miss.segment.startswith(place):
            return place
    return NONE


def compare_diagnoses(results: Iterable[RequestResult]) -> None:
    """Sets each diagnosed result's `diagnosis_agrees` (results in trace order)."""
    latest_model: dict[tuple[str, str], str | None] = {}
    for result in results:
        key = (result.path, result.session)
        previous_model = latest_model.get(key)
        latest_model[key] = result.model
        if result.diagnosis is None:
            continue
        places = provider_places(result.diagnosis)
        if places is None or result.index == 0:
            # Inconclusive, or the earlier request it was compared with is not in the trace.
            result.diagnosis_agrees = None
            continue
        result.diagnosis_agrees = ctxlint_place(result, previous_model) in places


def describe(diagnosis: Diagnosis) -> str:
    """The provider's verdict as a reader sees it beside ctxlint's cause."""
    missed = f", {diagnosis.missed_tokens:,} tokens missed" if diagnosis.missed_tokens else ""
    if diagnosis.verdict == NONE:
        return f"{diagnosis.provider} names no divergence"
    return f"{diagnosis.provider} says {diagnosis.verdict.replace('_', ' ')}{missed}"
