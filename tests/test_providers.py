"""Provider facts and the hosted providers' caches: every fact has a source and a date, the
`ctxlint providers` table, which cache a request meets, and how each hosted cache behaves."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.config import Settings
from ctxlint.simulate.fact_table import Fact, facts_table
from ctxlint.simulate.facts import (
    anthropic_minimum,
    bedrock_minimum,
    infer_policy,
    prices_for,
    provider_facts,
)
from ctxlint.simulate.simulator import Options, Simulator
from ctxlint.simulate.text_report import render_text
from ctxlint.simulate.totals import summarise

from conftest import LONG, REPO, turns

# About 900 tokens: below every documented Gemini minimum, above Qwen's.
SHORT = " ".join(f"w{number}" for number in range(300))


def line(session: str = "s", time: str = "2026-03-02T09:00:00Z", **fields) -> bytes:
    value = {"ctxlint": 1, "session": session, "timestamp": time, **fields}
    value.setdefault("messages", [{"role": "user", "content": "hi"}])
    return orjson.dumps(value) + b"\n"


def simulate(tmp_path: Path, lines: list[bytes], **options):
    path = tmp_path / "trace.jsonl"
    path.write_bytes(b"".join(lines))
    simulator = Simulator(Options(**options), Settings())
    return list(simulator.run([str(path)]))


# The data file -----------------------------------------------------------------------------


def test_every_fact_names_its_source_and_date():
    rows = facts_table()
    unsourced = [f"{row.section}.{row.name}" for row in rows if not row.sourced]
    assert unsourced == []
    # Every provider section and every price is in the table.
    sections = {row.section for row in rows}
    assert set(provider_facts()["providers"]) | {"models"} <= sections
    assert sum(row.section == "models" for row in rows) == len(provider_facts()["models"])


@pytest.mark.parametrize(
    ("source", "as_of"),
    [
        ("", "2026-12-03"),
        ("the docs", "2026-12-03"),
        ("https://example.com", ""),
        ("https://example.com", "soon"),
    ],
)
def test_a_fact_without_an_address_or_a_date_is_unsourced(source, as_of):
    assert not Fact("p", "f", 1, source, as_of).sourced


def test_a_fact_of_its_own_takes_its_own_source_over_the_sections():
    rows = {(row.section, row.name): row for row in facts_table(["mistral", "openai"])}
    step = rows[("mistral", "step_tokens")]
    assert "pydantic-ai" in step.source and "32-token" in step.note
    # The openai section names one source for all its facts.
    openai = provider_facts()["providers"]["openai"]
    assert rows[("openai", "step_tokens")].source == openai["source"]


def test_the_command_prints_facts_with_sources_as_text_and_json():
    text = CliRunner().invoke(main, ["providers", "groq"])
    assert text.exit_code == 0
    assert "groq\n  policy:" in text.output
    assert "idle_ttl_seconds: 7200" in text.output
    assert "https://console.groq.com/docs/prompt-caching (2026-12-03)" in text.output
    done = CliRunner().invoke(main, ["providers", "gemini", "--output-format", "json"])
    rows = orjson.loads(done.output)
    assert {row["section"] for row in rows} == {"gemini", "models"}
    minimum = next(row for row in rows if row["fact"] == "min_cacheable_tokens")
    assert minimum["value"]["gemini-2.5"] == 2048
    assert all(row["source"].startswith("https://") and row["as_of"] for row in rows)


def test_the_prices_are_one_table_a_row_per_model():
    text = CliRunner().invoke(main, ["providers", "gemini"]).output
    table = text.split("models ($ per million tokens)\n", 1)[1].splitlines()
    assert table[0].split()[:4] == ["MODEL", "PROVIDER", "INPUT", "OUTPUT"]
    lines = [line for line in table[1:] if not line.startswith("      ")]
    prices = [fact for fact in facts_table(["gemini"]) if fact.section == "models"]
    assert prices and [line.split()[0] for line in lines] == [fact.name for fact in prices]
    for line, fact in zip(lines, prices, strict=True):
        cells = line.split()
        assert float(cells[2]) == fact.value["input"] and float(cells[3]) == fact.value["output"]
    # Each price column ends where its title does.
    end = table[0].index("OUTPUT") + len("OUTPUT")
    assert {list(re.finditer(r"\S+", line))[3].end() for line in lines} == {end}


def test_the_command_refuses_an_unknown_provider():
    done = CliRunner().invoke(main, ["providers", "nonesuch"])
    assert done.exit_code == 2
    assert "unknown provider nonesuch" in done.output


def test_anthropic_minimums_follow_the_current_model_list():
    assert anthropic_minimum("claude-opus-5-5") == 512
    assert anthropic_minimum("claude-haiku-5-5") == 512
    assert anthropic_minimum("claude-sonnet-5") == 1024
    assert anthropic_minimum("claude-opus-4-7") == 2048
    assert anthropic_minimum("claude-opus-4-6") == 4096
    assert anthropic_minimum("claude-opus-4-20250514") == 1024
    assert anthropic_minimum("claude-haiku-4-5-20251001") == 4096
    # Bedrock's table differs for Opus 4.7 and names Nova; Anthropic's holds otherwise.
    assert bedrock_minimum("us.anthropic.claude-opus-4-7-v1:0") == 4096
    assert bedrock_minimum("anthropic.claude-sonnet-4-6") == 1024
    assert bedrock_minimum("amazon.nova-pro-v1:0") == 1000


def test_prices_of_a_bedrock_model_id_are_its_claude_models():
    bedrock = prices_for("global.anthropic.claude-opus-4-8-v1:0", "bedrock", {})
    assert (bedrock.model, bedrock.known, bedrock.cache_read) == ("claude-opus-4-8", True, 0.5)


def test_a_price_row_without_a_read_price_takes_the_providers_multiplier():
    prices = prices_for("devstral-medium", "mistral", {"devstral-medium": {"input": 0.4}})
    assert prices.cache_read == pytest.approx(0.04)


@pytest.mark.parametrize(
    ("provider", "model", "policy"),
    [
        (None, "gemini-2.5-pro", "gemini"),
        ("google", "gemini-3.8-flash", "gemini"),
        ("vertex_ai", "gemini-2.5-flash", "vertex"),
        ("vertex_ai", "claude-opus-4-5@20251101", "anthropic"),
        ("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0", "bedrock"),
        (None, "bedrock/us.anthropic.claude-sonnet-4-5-v1:0", "bedrock"),
        (None, "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock"),
        ("azure", "gpt-4o", "azure"),
        (None, "azure/gpt-5.2", "azure"),
        (None, "grok-4.20-reasoning", "xai"),
        (None, "qwen3-coder-plus", "qwen"),
        ("dashscope", "qwen-max", "qwen"),
        (None, "devstral-medium-2507", "mistral"),
        (None, "codestral-latest", "mistral"),
        (None, "kimi-k3", "kimi"),
        ("moonshot", "kimi-k2.6", "kimi"),
        ("groq", "moonshotai/kimi-k2-instruct", "groq"),
        (None, "groq/openai/gpt-oss-120b", "groq"),
        ("fireworks_ai", "accounts/fireworks/models/kimi-k2p6", "fireworks"),
        (None, "accounts/fireworks/models/qwen3-coder-480b", "fireworks"),
        ("anthropic", "claude-sonnet-4-6", "anthropic"),
        (None, "gpt-5.5", "openai"),
        (None, "deepseek-chat", "deepseek"),
        (None, "llama-3.1-8b", "ideal"),
    ],
)
def test_the_cache_a_request_meets_comes_from_its_host_then_its_model(provider, model, policy):
    assert infer_policy(provider, model) == policy


# The hosted caches -------------------------------------------------------------------------


def test_gemini_reads_a_repeated_prefix_only_from_the_models_minimum(tmp_path):
    # Gemini's reads come some requests late (read_lag_requests by model): four for a model
    # not measured, so of five requests the fifth is the first to read what the first left.
    def cached(model, system, count=5):
        lines = [line(model=model, system=system, messages=turns(n)) for n in range(1, count + 1)]
        return [result.cached_predicted for result in simulate(tmp_path, lines)]

    reads = cached("gemini-2.5-flash", LONG)
    assert reads[:4] == [0, 0, 0, 0] and reads[4] > 2048
    assert cached("gemini-2.5-flash", SHORT) == [0] * 5
    # No implicit cache before Gemini 2.5.
    assert cached("gemini-1.5-pro", LONG) == [0] * 5
    # Measured: six requests late on 3.1 Pro.
    reads = cached("gemini-3.1-pro-preview", LONG + " " + LONG, count=7)
    assert reads[:6] == [0] * 6 and reads[6] > 4096


# Hand-written, shaped after real sessions: the fourth to sixth requests report reading the
# first to third prompts; the two before them report nothing.
GEMINI_LAG = REPO / "tests/data/gemini_cli_cache_lag.json"


def test_gemini_3_flash_reads_an_earlier_prompt_without_its_answer_three_requests_late():
    simulator = Simulator(Options(), Settings())
    results = [r for r in simulator.run([str(GEMINI_LAG)]) if hasattr(r, "cached_predicted")]
    assert [r.policy for r in results] == ["gemini"] * 6
    assert all(r.agrees for r in results)
    prompts = [r.prompt_tokens for r in results]
    reads = [r.cached_predicted for r in results]
    # Every request repeats the whole of the one before; still the next two read nothing.
    assert reads[:3] == [0, 0, 0]
    # The fourth reads the first prompt to its end, not the answer that followed it.
    for late, early in ((3, 0), (4, 1), (5, 2)):
        assert abs(reads[late] - prompts[early]) <= 16


def test_xai_keeps_a_cache_per_conversation_id_in_128_token_steps(tmp_path):
    def second(conv_ids):
        lines = [
            line(model="grok-4", system=LONG, messages=turns(n), params={"x-grok-conv-id": cid})
            for n, cid in zip((1, 2), conv_ids, strict=True)
        ]
        return simulate(tmp_path, lines)[1].cached_predicted

    same = second(("a", "a"))
    assert same > 0 and same % 128 == 0
    assert second(("a", "b")) == 0


def test_groq_expires_what_two_hours_went_unused(tmp_path):
    def second(later):
        lines = [
            line(model="x", provider="groq", system=LONG, messages=turns(1)),
            line(model="x", provider="groq", system=LONG, messages=turns(2), time=later),
        ]
        return simulate(tmp_path, lines)[1].cached_predicted

    assert second("2026-03-02T10:59:00Z") > 0
    assert second("2026-03-02T11:01:00Z") == 0


def test_qwen_bills_explicit_writes_at_a_premium_and_implicit_ones_as_input(tmp_path):
    price = {"qwen-max": {"input": 1.0, "output": 1.0, "cache_read": 0.2, "cache_write_5m": 1.25}}

    def first(params):
        lines = [line(model="qwen-max", system=LONG, messages=turns(1), params=params)]
        return simulate(tmp_path, lines, prices=price)[0]

    implicit = first({})
    explicit = first({"cache_control": {"type": "ephemeral"}})
    assert implicit.written_predicted > 0 and explicit.written_predicted > 0
    assert implicit.cost == pytest.approx(implicit.prompt_tokens / 1e6)
    assert explicit.cost > implicit.cost


def test_bedrock_does_not_cache_opus_4_7_below_its_own_minimum(tmp_path):
    # Between Anthropic's 2,048 and Bedrock's 4,096 for Opus 4.7.
    system = " ".join(f"w{number}" for number in range(1500))
    params = {"cache_control": {"type": "ephemeral"}}

    def written(policy):
        lines = [line(model="claude-opus-4-7", system=system, params=params)]
        result = simulate(tmp_path, lines, policy=policy)[0]
        assert 2048 < result.prompt_tokens < 4096
        return result.written_predicted

    assert written("anthropic") > 0
    assert written("bedrock") == 0


def test_a_best_effort_cache_is_reported_as_an_expectation(tmp_path):
    def notes(model):
        lines = [line(model=model, system=LONG, messages=turns(n)) for n in (1, 2)]
        return render_text(summarise(simulate(tmp_path, lines)))

    assert "gemini is an expectation, not a promise" in notes("gemini-2.5-pro")
    assert "expectation" not in notes("claude-sonnet-4-6")


def test_mistral_reads_the_cassettes_prompt_in_whole_32_token_blocks(tmp_path):
    # The one recorded Mistral exchange with usage: its request and response bodies, put in
    # the OpenAI reader's envelope (read in place; nothing is copied into the project).
    from conftest import SHARED

    cassette = (
        SHARED
        / "traces"
        / "pydantic-ai-cassettes"
        / "test_mistral__test_mistral_history_uses_prompt_cache.yaml"
    )
    if not cassette.is_file():
        pytest.skip("../shared/traces is not here")
    import yaml

    interactions = yaml.safe_load(cassette.read_text())["interactions"]
    lines = [
        orjson.dumps(
            {"request": item["request"]["parsed_body"], "response": item["response"]["parsed_body"]}
        )
        + b"\n"
        for item in interactions
    ]
    results = simulate(tmp_path, lines)
    assert [result.policy for result in results] == ["mistral", "mistral"]
    assert [result.cached_reported for result in results] == [0, 224]
    assert [result.cached_predicted for result in results] == [0, 224]
