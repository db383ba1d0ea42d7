"""OpenAI's cache per model in the simulator: earlier turns' reasoning dropped at a new user
turn, cached counts in the model's step, retention by model and by request, one cache per
model, and the one definition of agreement."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from ctxlint.config import Settings
from ctxlint.simulate import openai_models
from ctxlint.simulate.results import agrees
from ctxlint.simulate.simulator import Options, Simulator
from ctxlint.trace.model import TEXT, THINKING, Block, Origin, Request, message

from conftest import LONG


def line(time: str, **fields) -> bytes:
    """`time` is a time of 2 March 2026, or a whole timestamp."""
    when = time if "T" in time else f"2026-03-02T{time}Z"
    value = {"ctxlint": 1, "session": "s", "timestamp": when, **fields}
    return orjson.dumps(value) + b"\n"


def simulate(tmp_path: Path, lines: list[bytes], **options) -> list:
    path = tmp_path / "trace.jsonl"
    path.write_bytes(b"".join(lines))
    return list(Simulator(Options(**options), Settings()).run([str(path)]))


def reasoning(text: str) -> dict:
    return {"type": "thinking", "text": text}


def test_agreement_is_within_128_tokens_or_2_percent_of_the_reported_prompt():
    # 2 % of a 30,000-token prompt is 600: a read 400 short of a small reported count agrees.
    assert agrees(1400, 1000, 30_000)
    assert not agrees(1700, 1000, 30_000)
    # Below 6,400 prompt tokens the 128-token step is the tolerance.
    assert agrees(1128, 1000, 5000) and not agrees(1129, 1000, 5000)
    assert agrees(128, 0, None) and not agrees(129, 0, None)


def _request(messages, model="gpt-5.2-codex", params=None) -> Request:
    return Request(
        "t", Origin(1), "s", "canonical", tuple(messages), model=model, params=params or {}
    )


def _text(role: str, text: str):
    return message(role, [Block(TEXT, text=text)], None)


def test_reasoning_before_the_newest_user_message_is_what_the_model_does_not_read():
    first, second = _text("user", "q1"), _text("user", "q2")
    thought = message("assistant", [Block(THINKING, text="plan")], None)
    mixed = message("assistant", [Block(THINKING, text="why"), Block(TEXT, text="a1")], None)
    current = message("assistant", [Block(THINKING, text="now")], None)
    request = _request([first, thought, mixed, second, current])
    read = openai_models.as_read(request)
    assert [m.role for m in read.messages] == ["user", "assistant", "user", "assistant"]
    assert read.messages[0] is first and read.messages[2] is second and read.messages[3] is current
    assert [b.kind for b in read.messages[1].blocks] == [TEXT]
    # Within the first turn nothing is dropped, and the request itself is handed back.
    within = _request([first, thought, mixed])
    assert openai_models.as_read(within) is within


def test_which_models_drop_earlier_turns_reasoning():
    drops = openai_models.drops_earlier_reasoning
    assert drops("gpt-5.2-codex", {}) and drops("o3", {}) and drops("gpt-5.5", {})
    # GPT-5.6 renders earlier turns' reasoning unless told `current_turn`.
    assert not drops("gpt-5.6-terra", {})
    assert drops("gpt-5.6-terra", {"reasoning": {"context": "current_turn"}})
    assert not drops("gpt-5.6", {"reasoning": {"context": "all_turns"}})


def _turns(tmp_path: Path, model: str) -> list:
    system = "Rules. " + LONG
    turn_one = [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": [reasoning("think " * 400)]},
        {"role": "assistant", "content": "a1 " + "y " * 300},
    ]
    lines = [
        line("09:00:00", model=model, system=system, messages=turn_one[:1]),
        line(
            "09:00:10",
            model=model,
            system=system,
            messages=[*turn_one, {"role": "user", "content": "q2"}],
        ),
    ]
    return simulate(tmp_path, lines)


def test_a_new_user_turn_reads_only_up_to_the_first_dropped_reasoning(tmp_path):
    dropping = _turns(tmp_path, "gpt-5.2-codex")
    keeping = _turns(tmp_path, "gpt-5.6-terra")
    first_prompt = dropping[0].prompt_tokens
    # The read stops where the reasoning was: the end of the first prompt, in 128-token steps.
    assert dropping[1].cached_predicted == first_prompt // 128 * 128
    assert dropping[1].miss is not None and "reasoning" in dropping[1].miss.reason
    assert dropping[1].miss.code is None
    # The reasoning is not counted in the prompt either.
    assert dropping[1].prompt_tokens < keeping[1].prompt_tokens


def _growing(model: str, times: list[str], **fields) -> list[bytes]:
    """Requests of one session, each the previous one plus an answer and a question."""
    system = "Rules. " + LONG
    lines, messages = [], [{"role": "user", "content": "q0 " + "x " * 40}]
    for number, time in enumerate(times):
        lines.append(line(time, model=model, system=system, messages=list(messages), **fields))
        messages += [
            {"role": "assistant", "content": f"a{number} " + "y " * 150},
            {"role": "user", "content": f"q{number + 1}"},
        ]
    return lines


def test_gpt_5_5_reads_in_512_token_steps_and_gpt_5_3_in_128(tmp_path):
    for model, step in (("gpt-5.5", 512), ("gpt-5.3-codex", 128)):
        results = simulate(tmp_path, _growing(model, ["09:00:00", "09:00:10", "09:00:20"]))
        reads = [r.cached_predicted for r in results[1:]]
        assert all(read > 0 and read % step == 0 for read in reads), (model, reads)
        # The read reaches the previous prompt and the response that followed it.
        assert reads[0] > results[0].prompt_tokens - step
    assert openai_models.step_tokens("gpt-5.5-pro") == 512
    assert openai_models.step_tokens("gpt-4o") == 128


def test_retention_is_the_model_default_unless_the_request_asks(tmp_path):
    times = ["09:00:00", "09:40:00"]
    summer = [f"2026-07-02T{time}Z" for time in times]
    # gpt-5.2 keeps an idle prefix up to 24 h by default (organisations without ZDR), since
    # the default changed on 2026-05-29; in memory before.
    assert simulate(tmp_path, _growing("gpt-5.2", summer))[1].cached_predicted > 1024
    assert simulate(tmp_path, _growing("gpt-5.2", times))[1].cached_predicted == 0
    asked = {"prompt_cache_retention": "in_memory"}
    expired = simulate(tmp_path, _growing("gpt-5.2", times, params=asked))[1]
    assert expired.cached_predicted == 0 and expired.miss.code == "CTX009"
    # gpt-5.5 has only the 24 h retention: asking for memory changes nothing.
    kept = simulate(tmp_path, _growing("gpt-5.5", times, params=asked))[1]
    assert kept.cached_predicted > 1024
    # gpt-4o has no extended retention: in memory, 10 minutes at most.
    assert simulate(tmp_path, _growing("gpt-4o", times))[1].cached_predicted == 0
    # An explicit idle expiry replaces every retention.
    short = simulate(tmp_path, _growing("gpt-5.5", times), idle_seconds=600)[1]
    assert short.cached_predicted == 0


def test_every_model_has_its_own_cache(tmp_path):
    system = "Rules. " + LONG
    marked = [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}]
    cases = [
        (None, "gpt-5.2", "gpt-5-mini", system),
        (None, "claude-sonnet-4-5", "claude-opus-4-6", marked),
        (None, "deepseek-chat", "deepseek-reasoner", system),
        ("ideal", "gpt-5.2", "gpt-5-mini", system),
        ("vllm", "gpt-5.2", "gpt-5-mini", system),
        ("sglang", "gpt-5.2", "gpt-5-mini", system),
    ]
    for policy, main, other, system_field in cases:
        # The main model, a sub-task on another model with the same prefix, the main again.
        lines = [
            line("09:00:00", model=main, system=system_field, messages=turns_of(1)),
            line("09:00:05", model=other, system=system_field, messages=turns_of(1)),
            line("09:00:10", model=main, system=system_field, messages=turns_of(2)),
        ]
        results = simulate(tmp_path, lines, policy=policy, warm_start="cold")
        assert results[1].cached_predicted == 0, (policy, main)
        assert results[2].cached_predicted > 1024, (policy, main)
        # One model alone reads its own prefix on the second request.
        same = simulate(tmp_path, [lines[0], lines[0]], policy=policy, warm_start="cold")
        assert same[1].cached_predicted > 1024, (policy, main)


def turns_of(count: int) -> list[dict]:
    return [
        message
        for number in range(count)
        for message in (
            {"role": "user", "content": f"question {number} " + "x " * 50},
            {"role": "assistant", "content": f"answer {number}"},
        )
    ][:-1]


SHARED_CODEX = Path(__file__).resolve().parents[2] / "shared" / "traces" / "agentlogs" / "codex"


@pytest.mark.skipif(not SHARED_CODEX.is_dir(), reason="../shared/traces is absent")
def test_the_codex_image_session_shrinks_and_reads_to_the_dropped_reasoning_at_new_turns():
    path = SHARED_CODEX / "images.jsonl"
    results = list(Simulator(Options(), Settings()).run([str(path)]))
    by_line = {result.line: result for result in results}
    # Third turn (line 69 asks "commit"): the read stops where turn two's reasoning was.
    third = by_line[76]
    assert third.cached_reported == third.cached_predicted == 18176
    assert "reasoning" in third.miss.reason
    # Second turn: the documented rule reads up to the first dropped item, right after the
    # image message (10,112); OpenAI reported only the instructions and tools (6,656). The
    # rollout records nothing that changed there: this one stays a disagreement.
    second = by_line[62]
    assert (second.cached_predicted, second.cached_reported) == (10112, 6656)
    # Within a turn the reads pass over the image.
    assert by_line[19].cached_predicted == by_line[19].cached_reported == 10112


def test_within_a_later_turn_another_change_keeps_its_own_cause(tmp_path):
    turn_one = [
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": [reasoning("think " * 400)]},
        {"role": "assistant", "content": "a1 " + "y " * 300},
        {"role": "user", "content": "q2"},
    ]
    lines = [
        line(f"09:00:0{second}", model="gpt-5.2", system=system + LONG, messages=messages)
        for second, (system, messages) in enumerate(
            [
                ("Rules. ", turn_one),
                ("Rules. ", [*turn_one, {"role": "assistant", "content": "a2"}]),
                # Same turn: only the system prompt changes.
                ("Other rules. ", [*turn_one, {"role": "assistant", "content": "a2"}]),
            ]
        )
    ]
    results = simulate(tmp_path, lines)
    assert results[2].miss.segment.startswith("system")
    assert "reasoning" not in results[2].miss.reason


def test_gpt_5_6_breakpoints_are_kept_per_prompt_cache_key(tmp_path):
    """OpenAI routes by prompt_cache_key with the prefix: the same prompt under another key
    meets another machine's cache."""
    system = "Rules. " + LONG
    messages = [{"role": "user", "content": "q0 " + "x " * 40}]
    lines = [
        line(
            time,
            model="gpt-5.6",
            system=system,
            messages=messages,
            params={"prompt_cache_key": key},
        )
        for time, key in (("09:00:00", "chat"), ("09:00:05", "responses"), ("09:00:10", "chat"))
    ]
    first, other_key, same_key = simulate(tmp_path, lines)
    assert first.cached_predicted == 0
    assert other_key.cached_predicted == 0
    assert same_key.cached_predicted > 1024
