"""OpenAI's cache per model in the simulator: earlier turns' reasoning dropped at a new user
turn, cached counts in the model's step, retention by model and by request, one cache per
model, and the one definition of agreement."""

from __future__ import annotations

from pathlib import Path

import orjson

from ctxlint.config import Settings
from ctxlint.simulate import openai_models
from ctxlint.simulate.results import agrees
from ctxlint.simulate.simulator import Options, Simulator
from ctxlint.trace.model import TEXT, THINKING, Block, Origin, Request, message

from conftest import LONG


def line(time: str, **fields) -> bytes:
    value = {"ctxlint": 1, "session": "s", "timestamp": f"2026-03-02T{time}Z", **fields}
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
