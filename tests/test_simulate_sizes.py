"""Sizes the simulator gives what a trace does not hold as text: redaction placeholders, and
the stand-in for an unrecorded prefix when a later prompt is counted smaller."""

from __future__ import annotations

from pathlib import Path

import orjson

from ctxlint.config import Settings
from ctxlint.simulate.calibrate import PositionMap
from ctxlint.simulate.simulator import Options, Simulator
from ctxlint.simulate.tokens import CHARACTERS_PER_TOKEN, PLACEHOLDER_TOKENS, Tokenizer

from conftest import turns


def test_a_placeholder_stands_for_as_many_tokens_as_the_text_it_replaced():
    tokenizer = Tokenizer("o200k_base")
    found = tokenizer.tokens("[REDACTED_TEXT len=13131 sha=036b7e47]")
    assert len(found) == round(13131 / CHARACTERS_PER_TOKEN)
    assert all(token >= PLACEHOLDER_TOKENS for token in found)
    # Encrypted reasoning is base64: many more tokens to the character.
    encrypted = tokenizer.tokens("[REDACTED_ENCRYPTED_CONTENT len=2700 sha=5600c5d8]")
    assert len(encrypted) > 2 * round(2700 / CHARACTERS_PER_TOKEN)


def test_the_text_around_a_placeholder_is_encoded_as_it_is():
    tokenizer = Tokenizer("o200k_base")
    found = tokenizer.tokens("Run this: [REDACTED_ARGUMENTS len=40 sha=df6be51a] now.")
    before, after = tokenizer.encode("Run this: "), tokenizer.encode(" now.")
    assert found[: len(before)] == before
    assert found[len(found) - len(after) :] == after
    assert len(found) == len(before) + 10 + len(after)


def test_placeholders_match_only_when_they_stand_for_the_same_text():
    tokenizer = Tokenizer("o200k_base")
    one = tokenizer.tokens("[REDACTED_TEXT len=400 sha=036b7e47]")
    same = Tokenizer("o200k_base").tokens("[REDACTED_TEXT len=400 sha=036b7e47]")
    other = tokenizer.tokens("[REDACTED_TEXT len=400 sha=6c446686]")
    assert one == same
    assert one[0] != other[0]


def test_a_change_after_a_placeholder_is_placed_in_the_recorded_text(tmp_path: Path):
    def request(second: int) -> bytes:
        system = f"[REDACTED_TEXT len=8000 sha=0a1b2c3d] Now: 2026-03-02T09:00:0{second}Z."
        value = {
            "ctxlint": 1,
            "session": "s",
            "timestamp": f"2026-03-02T09:00:0{second}Z",
            "model": "gpt-4o-mini",
            "system": system,
            "messages": turns(second + 1),
        }
        return orjson.dumps(value) + b"\n"

    path = tmp_path / "trace.jsonl"
    path.write_bytes(request(0) + request(1))
    results = list(Simulator(Options(), Settings()).run([str(path)]))
    miss = results[1].miss
    assert miss.segment == "system[0]"
    assert miss.offset == len("[REDACTED_TEXT len=8000 sha=0a1b2c3d] Now: 2026-03-02T09:00:0")
    # The cache held the 2,000 tokens the placeholder stands for, in 128-token steps.
    assert 1900 <= results[1].cached_predicted <= 2000


def test_a_prompt_counted_smaller_than_its_shared_part_keeps_the_earliest_anchors():
    # A stand-in of 1,000 of our tokens measured as 8,000 provider tokens, then messages.
    stand_in = PositionMap([0, 1000, 1500, 3000], [0.0, 8000.0, 8600.0, 10000.0])
    # The next prompt shares 2,900 tokens with it (9,907 provider tokens by this map), yet
    # the provider counts 9,000 for the whole of it.
    squeezed = stand_in.continued(shared=2900, length=3100, provider_length=9000, scale=1.0)
    assert squeezed.at(1000) == 8000
    assert squeezed.at(1500) == 8600
    assert squeezed.at(3100) == 9000
    assert squeezed.position_of(8000) == 1000
    # Counted smaller than even the stand-in: only the start of the map is kept.
    tiny = stand_in.continued(shared=2900, length=3100, provider_length=5000, scale=1.0)
    assert tiny.at(3100) == 5000 and tiny.at(0) == 0
