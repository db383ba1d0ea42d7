"""Each provider's usage object read into one meaning: the whole prompt (cached part
included), the cached part, the written part, the output. Payloads are small hand-written
copies of the shapes the providers document."""

from __future__ import annotations

import orjson
import pytest

from ctxlint.trace.formats.usage import provider_usage
from ctxlint.trace.loader import TraceReader
from ctxlint.trace.model import Request
from ctxlint.trace.reading import Problem
from ctxlint.trace.typed import TypeFault


def counts(raw, default="openai"):
    usage = provider_usage(raw, "/usage", default)
    return usage.prompt_tokens, usage.cached_tokens, usage.cache_write_tokens, usage.output_tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Gemini REST usageMetadata: the prompt count holds the cached part; thoughts are output.
        (
            {
                "promptTokenCount": 5120,
                "cachedContentTokenCount": 4096,
                "candidatesTokenCount": 80,
                "thoughtsTokenCount": 300,
                "totalTokenCount": 5500,
            },
            (5120, 4096, None, 380),
        ),
        # Gemini leaves the cached count out when nothing was read.
        ({"promptTokenCount": 900, "candidatesTokenCount": 12}, (900, 0, None, 12)),
        # The Python SDK's snake_case names.
        (
            {
                "prompt_token_count": 3000,
                "cached_content_token_count": 2048,
                "candidates_token_count": 5,
            },
            (3000, 2048, None, 5),
        ),
        # Bedrock Converse: inputTokens leaves out what was read and written.
        (
            {
                "inputTokens": 20,
                "outputTokens": 40,
                "totalTokens": 3560,
                "cacheReadInputTokens": 3000,
                "cacheWriteInputTokens": 500,
            },
            (3520, 3000, 500, 40),
        ),
        # ... unless totalTokens shows the input count already held them.
        (
            {
                "inputTokens": 3520,
                "outputTokens": 40,
                "totalTokens": 3560,
                "cacheReadInputTokens": 3000,
            },
            (3520, 3000, 0, 40),
        ),
        # xAI, Groq, Fireworks, Mistral: OpenAI's shape.
        (
            {
                "prompt_tokens": 125,
                "completion_tokens": 48,
                "prompt_tokens_details": {"text_tokens": 125, "cached_tokens": 98},
            },
            (125, 98, None, 48),
        ),
        # Kimi (Moonshot) puts the cached count at the top level.
        (
            {"prompt_tokens": 2000, "completion_tokens": 30, "cached_tokens": 1792},
            (2000, 1792, None, 30),
        ),
        # Qwen's explicit cache reports what it created beside what it read.
        (
            {
                "prompt_tokens": 3019,
                "completion_tokens": 104,
                "prompt_tokens_details": {
                    "cached_tokens": 0,
                    "cache_creation_input_tokens": 1500,
                    "cache_type": "ephemeral",
                },
            },
            (3019, 0, 1500, 104),
        ),
        # xAI's Responses API.
        (
            {
                "input_tokens": 125,
                "output_tokens": 48,
                "input_tokens_details": {"cached_tokens": 98},
            },
            (125, 98, None, 48),
        ),
        # Anthropic (and Claude on Bedrock's InvokeModel): input_tokens is the uncached tail.
        (
            {
                "input_tokens": 50,
                "cache_read_input_tokens": 100000,
                "cache_creation_input_tokens": 248,
                "output_tokens": 503,
            },
            (100298, 100000, 248, 503),
        ),
    ],
)
def test_each_providers_usage_reads_as_the_whole_prompt_and_its_cached_part(raw, expected):
    assert counts(raw) == expected


def test_a_bare_usage_reads_the_same_as_either_shape():
    assert counts({"input_tokens": 10, "output_tokens": 2}, "anthropic")[:2] == (10, 0)
    assert counts({"input_tokens": 10, "output_tokens": 2})[0] == 10


@pytest.mark.parametrize(
    "raw",
    [
        {"promptTokenCount": "many"},
        {"inputTokens": -1},
        {"cachedContentTokenCount": 1.5, "promptTokenCount": 3},
    ],
)
def test_a_count_of_the_wrong_type_is_a_fault_at_its_place(raw):
    with pytest.raises(TypeFault) as fault:
        provider_usage(raw, "/response/usage")
    assert "/response/usage/" in str(fault.value)


def test_a_gemini_response_in_an_openai_envelope_is_read_with_its_usage(tmp_path):
    # A proxy log of Gemini's OpenAI-compatible endpoint that kept the native usageMetadata.
    value = {
        "request": {"model": "gemini-2.5-pro", "messages": [{"role": "user", "content": "hi"}]},
        "response": {
            "choices": [{"message": {"role": "assistant", "content": "hello"}}],
            "usageMetadata": {
                "promptTokenCount": 4100,
                "cachedContentTokenCount": 2048,
                "candidatesTokenCount": 3,
            },
        },
    }
    path = tmp_path / "gemini.jsonl"
    path.write_bytes(orjson.dumps(value) + b"\n")
    (request,) = [item for item in TraceReader(str(path)) if isinstance(item, Request)]
    assert (request.usage.prompt_tokens, request.usage.cached_tokens) == (4100, 2048)
    assert request.usage.output_tokens == 3


def test_a_kimi_usage_of_the_wrong_shape_is_a_problem_not_a_crash(tmp_path):
    value = {
        "request": {"model": "kimi-k3", "messages": [{"role": "user", "content": "hi"}]},
        "response": {"usage": {"prompt_tokens": 10, "cached_tokens": "all"}},
    }
    path = tmp_path / "kimi.jsonl"
    path.write_bytes(orjson.dumps(value) + b"\n")
    items = list(TraceReader(str(path)))
    problems = [item for item in items if isinstance(item, Problem)]
    assert problems and problems[0].line == 1
    assert "/response/usage/cached_tokens" in problems[0].reason
