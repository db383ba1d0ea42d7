"""Retention by provider and model after a long idle gap, --idle-ttl for every cache, and
redaction placeholders whose stated length no prompt could hold."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from ctxlint.config import Settings
from ctxlint.simulate.simulator import Options, Simulator
from ctxlint.simulate.tokens import Tokenizer
from ctxlint.trace.typed import MAX_PROMPT_TOKENS

from conftest import LONG

# 2026-07-01, after OpenAI made 24 h retention the default for its listed models.
JULY = 1782900000
TWO_HOURS = 7200


def _two_requests(tmp_path: Path, gap: float, options: dict | None = None, **fields) -> list:
    lines = [
        {
            "ctxlint": 1,
            "session": "s",
            "timestamp": JULY + offset,
            "system": "Rules. " + LONG,
            "messages": [{"role": "user", "content": "hello"}],
            **fields,
        }
        for offset in (0, gap)
    ]
    path = tmp_path / "trace.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    return list(Simulator(Options(**(options or {})), Settings()).run([str(path)]))


@pytest.mark.parametrize(
    ("fields", "kept"),
    [
        ({"model": "gpt-5"}, True),
        ({"model": "gpt-4.1-2025-04-14"}, True),
        # Smaller variants are not on OpenAI's list of 24 h models.
        ({"model": "gpt-5-mini"}, False),
        ({"model": "gpt-4.1-nano"}, False),
        # Azure keeps its own in-memory retention: cleared within 10 minutes idle.
        ({"model": "gpt-4.1", "provider": "azure"}, False),
    ],
)
def test_a_two_hour_gap_keeps_the_prefix_only_under_24_hour_retention(tmp_path, fields, kept):
    first, second = _two_requests(tmp_path, TWO_HOURS, **fields)
    assert first.cached_predicted == 0
    assert (second.cached_predicted > 1024) is kept


@pytest.mark.parametrize("provider", ["qwen", "kimi"])
def test_idle_ttl_is_one_expiry_for_every_request(tmp_path, provider):
    model = {"qwen": "qwen3-max", "kimi": "kimi-k2.6"}[provider]
    params = {"prompt_cache_options": {"ttl": "1h"}} if provider == "kimi" else {}
    kept = _two_requests(tmp_path, 600, model=model, provider=provider, params=params)
    expired = _two_requests(
        tmp_path, 600, model=model, provider=provider, params=params, options={"idle_seconds": 60}
    )
    assert kept[1].cached_predicted > 1024
    assert expired[1].cached_predicted == 0


def test_a_placeholder_stands_for_no_more_than_a_prompt_can_hold():
    tokens = Tokenizer("o200k_base").tokens("[REDACTED_TEXT len=999999999 sha=abcdef12]")
    assert len(tokens) == MAX_PROMPT_TOKENS
