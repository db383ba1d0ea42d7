"""What OpenAI's cache does differently per model: the step cached counts come in, how long an
idle prefix is kept, and which reasoning items of the history the model reads (and so which
tokens a prompt holds). Figures come from the "openai" section of providers.json."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from functools import cache
from typing import Any

from ctxlint.simulate.facts import bare_model, provider_facts
from ctxlint.trace.model import THINKING, Message, Request, message

_GPT_VERSION = re.compile(r"gpt-(\d+)(?:\.(\d+))?")


def _facts() -> dict[str, Any]:
    return provider_facts()["providers"]["openai"]


def _version(name: str) -> tuple[int, int] | None:
    found = _GPT_VERSION.match(name)
    return (int(found.group(1)), int(found.group(2) or 0)) if found else None


@cache
def _at_least(model: str | None, first: str) -> bool:
    """Whether `model` is GPT `first` ("gpt-5.5") or a later version."""
    version = _version(bare_model(model))
    return version is not None and version >= (_version(first) or (0, 0))


@cache
def step_tokens(model: str | None) -> int:
    """The step OpenAI's cached counts come in for this model (128 unless listed)."""
    facts = _facts()
    name = bare_model(model)
    table = facts.get("step_tokens_by_model", {})
    key = max((prefix for prefix in table if name.startswith(prefix)), key=len, default=None)
    return int(table[key]) if key else int(facts["step_tokens"])


def retention_seconds(model: str | None, params: dict[str, Any], at: float | None) -> float:
    """How long an unused prefix stays cached: a `prompt_cache_retention` the request records
    wins; otherwise the model's default at the request's time `at` (epoch seconds; None:
    unknown, taken as now): 24 h wherever extended retention exists and is the default, in
    memory elsewhere. Models that only have extended retention ignore the rest."""
    asked = params.get("prompt_cache_retention")
    before = at is not None and at < _default_from()
    return _retention(model, asked if isinstance(asked, str) else None, before)


@cache
def _default_from() -> float:
    since = datetime.fromisoformat(_facts()["default_retention_from"])
    return since.replace(tzinfo=timezone.utc).timestamp()


@cache
def _retention(model: str | None, asked: str | None, before_default: bool) -> float:
    facts = _facts()
    extended = float(facts["extended_ttl_seconds"])
    in_memory = float(facts["idle_ttl_seconds"])
    if _at_least(model, facts["extended_only_from"]):
        return extended
    if asked == "24h":
        return extended
    if asked == "in_memory":
        return in_memory
    if before_default:
        return in_memory
    if facts["default_retention"] == "24h" and _listed(
        bare_model(model), facts["extended_retention_models"]
    ):
        return extended
    return in_memory


def _listed(model: str, names: list[str]) -> bool:
    """Whether the model is one the list names, or a dated or -codex/-pro/-max form of one;
    not a smaller variant (gpt-5-mini is not gpt-5), which the list names where it means it."""
    for name in names:
        rest = model.removeprefix(name)
        if rest != model and not any(small in rest for small in ("mini", "nano")):
            return True
    return False


def lifetime_seconds(model: str | None, params: dict[str, Any], at: float | None) -> float:
    """How long a cached prefix of this model outlives its last use: the breakpoint TTL from
    the breakpoint models on, the retention before them."""
    facts = _facts()
    if "prompt_cache_options" in params or _at_least(model, facts["breakpoint_mode_from"]):
        return float(facts["breakpoint_ttl_seconds"])
    return retention_seconds(model, params, at)


def drops_earlier_reasoning(model: str | None, params: dict[str, Any]) -> bool:
    """Whether the model reads only the current turn's reasoning: every model before the one
    `reasoning.context` came with, and a later one told `current_turn`."""
    reasoning = params.get("reasoning")
    context = reasoning.get("context") if isinstance(reasoning, dict) else None
    if context == "current_turn":
        return True
    if context == "all_turns":
        return False
    return not _at_least(model, _facts()["reasoning_all_turns_from"])


def as_read(request: Request, within: int | None = None) -> Request:
    """The request as a model that drops earlier turns' reasoning reads it: without the
    reasoning before the newest user message (the newest among the first `within` messages
    if given). Reasoning sent back from earlier turns is accepted and ignored, so the prompt
    the provider caches and counts is this one. Messages kept whole stay the same objects
    (the renderer and the cache take them up by identity)."""
    messages = request.messages
    turn = min(len(messages), len(messages) if within is None else within) - 1
    while turn >= 0 and messages[turn].role != "user":
        turn -= 1
    if turn <= 0:
        return request
    read: list[Message] | None = None
    for index in range(turn):
        found = messages[index]
        if not any(block.kind == THINKING for block in found.blocks):
            if read is not None:
                read.append(found)
            continue
        if read is None:
            read = list(messages[:index])
        kept = [block for block in found.blocks if block.kind != THINKING]
        if kept:
            read.append(message(found.role, kept, found.origin))
    if read is None:
        return request
    read.extend(messages[turn:])
    return replace(request, messages=tuple(read))
