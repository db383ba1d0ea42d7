"""OpenHands trajectories, SWE-agent `.traj` files and VCR cassettes: what each reader makes of
the hand-written fixtures, of the shapes around them, and of the real files in ../shared/traces
(those tests skip when it is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ctxlint.config import Settings
from ctxlint.discovery import find_inputs
from ctxlint.engine import check_paths
from ctxlint.trace.loader import TraceReader
from ctxlint.trace.model import TEXT, TOOL_CALL, TOOL_RESULT, Request
from ctxlint.trace.reading import Problem

from conftest import REPO, SHARED

CLEAN = REPO / "fixtures" / "trace" / "clean"
TRACES = SHARED / "traces"
shared = pytest.mark.skipif(not TRACES.is_dir(), reason="../shared/traces is not here")


def _read(path: Path) -> tuple[list[Request], list[Problem]]:
    requests, problems = [], []
    for item in TraceReader(str(path)):
        (requests if isinstance(item, Request) else problems).append(item)
    return requests, problems


# --- OpenHands ----------------------------------------------------------------------------------


def test_openhands_one_request_per_response_with_its_history():
    requests, problems = _read(CLEAN / "openhands_events.json")
    assert problems == []
    # Events 5 and 6 are two tool calls of one response: one request.
    assert len(requests) == 3
    first, second, third = requests
    assert [m.role for m in first.messages] == ["user"]
    assert first.system[0].text.startswith("You are OpenHands agent")
    assert [t.name for t in first.tools] == ["execute_bash", "finish"]
    assert [m.role for m in second.messages] == ["user", "assistant", "tool"]
    assert second.messages[1].blocks[0].text == "Let me look at the repository first."
    assert second.messages[2].blocks[0].call_id == "toolu_01"
    # The two calls of one response go out as one message, then both results in call order.
    calls = [b.call_id for b in third.messages[3].blocks if b.kind == TOOL_CALL]
    assert calls == ["toolu_02", "toolu_03"]
    # An empty text beside tool calls is not sent.
    assert all(b.kind != TEXT for b in third.messages[3].blocks)
    assert [b.call_id for m in third.messages[4:] for b in m.blocks] == ["toolu_02", "toolu_03"]
    # A command's output is framed as OpenHands sends it.
    assert third.messages[5].blocks[0].text == (
        "....\n4 passed in 0.12s\n[Command finished with exit code 0]"
    )
    assert {r.format for r in requests} == {"openhands"}
    assert {r.session for r in requests} == {"openhands_events"}


def test_openhands_litellm_usage_counts_the_whole_prompt():
    requests, _ = _read(CLEAN / "openhands_events.json")
    usage = requests[1].usage
    assert (usage.prompt_tokens, usage.cached_tokens, usage.cache_write_tokens) == (2520, 2406, 110)
    assert requests[1].provider == "anthropic"
    assert requests[1].model == "claude-sonnet-4-20250514"


def _events(*extra: dict) -> list[dict]:
    events = json.loads((CLEAN / "openhands_events.json").read_text())
    return events + list(extra)


def test_an_agent_message_without_a_response_is_a_request_without_usage(tmp_path):
    reply = {
        "id": 10,
        "timestamp": "2025-10-09T10:01:00",
        "source": "agent",
        "message": "Anything else?",
        "action": "message",
        "args": {"content": "Anything else?", "image_urls": None, "wait_for_response": True},
    }
    path = tmp_path / "run.json"
    path.write_text(json.dumps(_events(reply), indent=1))
    requests, problems = _read(path)
    assert problems == []
    last = requests[-1]
    assert last.usage is None
    assert last.model == "claude-sonnet-4-20250514"
    assert last.response.text() == "Anything else?"
    # The finish before it goes back as the assistant's text, not as a tool call.
    assert last.messages[-1].role == "assistant"
    assert [b.kind for b in last.messages[-1].blocks] == [TEXT]
    assert last.messages[-1].text() == "The tests pass; nothing to change."


def _totals(prompt: int, read: int, write: int, output: int) -> dict:
    usage = {
        "model": "litellm_proxy/claude-sonnet-4-20250514",
        "prompt_tokens": prompt,
        "completion_tokens": output,
        "cache_read_tokens": read,
        "cache_write_tokens": write,
        "context_window": 200000,
        "per_turn_token": 0,
        "response_id": "",
    }
    return {"accumulated_cost": 0.01, "accumulated_token_usage": usage}


def test_running_totals_give_the_usage_of_a_call_with_no_response_recorded(tmp_path):
    events = json.loads((CLEAN / "openhands_events.json").read_text())
    # The fixture's finish event holds the totals after its three calls: one more call.
    assert events[-1]["llm_metrics"]["accumulated_token_usage"]["prompt_tokens"] == 7632
    reply = {
        "id": 10,
        "timestamp": "2025-10-09T10:01:00",
        "source": "agent",
        "message": "Anything else?",
        "action": "message",
        "args": {"content": "Anything else?", "image_urls": None, "wait_for_response": True},
        "llm_metrics": _totals(7632 + 2750, 4922 + 2688, 2698 + 58, 134 + 12),
    }
    repeated = {**reply, "id": 11, "llm_metrics": reply["llm_metrics"]}
    path = tmp_path / "run.json"
    path.write_text(json.dumps([*events, reply, repeated], indent=1))
    requests, problems = _read(path)
    assert problems == []
    usage = requests[3].usage
    assert (usage.prompt_tokens, usage.cached_tokens, usage.cache_write_tokens) == (2750, 2688, 58)
    assert usage.output_tokens == 12
    # Totals that did not move tell no call's usage.
    assert requests[4].usage is None
    # The response recorded beside the totals is what counts for the calls that have one.
    assert requests[2].usage.prompt_tokens == 2702


def test_a_condensation_forgets_events_and_puts_its_summary_in_their_place(tmp_path):
    events = json.loads((CLEAN / "openhands_events.json").read_text())[:5]
    condensation = {
        "id": 5,
        "timestamp": "2025-10-09T10:00:12",
        "source": "agent",
        "message": "Summary: listed the files",
        "action": "condensation",
        "args": {
            "forgotten_event_ids": None,
            "forgotten_events_start_id": 3,
            "forgotten_events_end_id": 4,
            "summary": "The repository holds README.md, setup.py, src and tests.",
            "summary_offset": 1,
        },
    }
    again = json.loads(json.dumps(events[3]))
    again["id"] = 6
    response = again["tool_call_metadata"]["model_response"]
    response["id"] = "chatcmpl-after"
    path = tmp_path / "condensed.json"
    path.write_text(json.dumps([*events, condensation, again], indent=1))
    requests, problems = _read(path)
    assert problems == []
    after = requests[-1]
    assert after.compacted and not requests[0].compacted
    assert [m.role for m in after.messages] == ["user", "user"]
    assert after.messages[1].text().startswith("The repository holds")


def test_an_event_of_the_wrong_type_loses_only_the_requests_after_it(tmp_path):
    events = json.loads((CLEAN / "openhands_events.json").read_text())
    events[4]["tool_call_metadata"] = ["not", "an", "object"]
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps(events, indent=1))
    requests, problems = _read(path)
    assert len(requests) == 1 and requests[0].usage.prompt_tokens == 2410
    reasons = [p.reason for p in problems]
    wrong = "field tool_call_metadata at /4/tool_call_metadata has type array"
    assert any(wrong in r for r in reasons)
    assert sum("request not checked" in r for r in reasons) == 2
    # Each problem is placed at the line of the event it is about.
    assert all(p.line > 1 for p in problems)


def test_json_with_a_source_and_a_timestamp_is_not_taken_for_openhands():
    head = b'[{"source": "web", "timestamp": "2025-01-01", "action": "click"}]'
    assert detect_head(head) is None
    events = b'[\n  {\n    "id": 0,\n    "timestamp": "x",\n    "source": "user",\n'
    events += b'    "action": "message"'
    assert detect_head(events) == "openhands"


def detect_head(head: bytes) -> str | None:
    from ctxlint.trace.formats import document_format_of

    found = document_format_of("events.json", head)
    return found.name if found else None


@shared
def test_shared_openhands_trajectories():
    expected = {
        "basic.json": (2, 2),
        "basic_gui_mode.json": (5, 4),
        "basic_interactions.json": (3, 1),
        "wrong_initial_state.json": (4, 4),
    }
    for name, (count, with_usage) in expected.items():
        requests, problems = _read(TRACES / "openhands" / name)
        assert problems == [], name
        assert len(requests) == count, name
        assert sum(r.usage is not None for r in requests) == with_usage, name
        for request in requests:
            if request.usage is None or request.provider != "anthropic":
                continue
            raw = request.usage.raw
            # LiteLLM's prompt_tokens already holds Anthropic's cache reads and writes.
            assert request.usage.prompt_tokens == raw["prompt_tokens"]
            assert (
                raw["prompt_tokens"]
                > raw["cache_read_input_tokens"] + raw["cache_creation_input_tokens"]
            )
            assert request.usage.cached_tokens == raw["cache_read_input_tokens"]
            assert request.usage.cache_write_tokens == raw["cache_creation_input_tokens"]
    # OpenHands of January 2025 recorded an edit's diff but sent the editor's message.
    requests, _ = _read(TRACES / "openhands" / "basic.json")
    sent = requests[1].messages[-1].blocks[0]
    assert sent.kind == TOOL_RESULT
    assert sent.text == "File created successfully at: /workspace/game_2048.py"
    requests, _ = _read(TRACES / "openhands" / "basic_interactions.json")
    assert [r.model for r in requests] == ["gpt-4o-2024-08-06"] * 3
    assert [r.usage.cached_tokens for r in requests if r.usage] == [2304]


@shared
def test_shared_openhands_reads_match_what_the_model_reported():
    """Each Claude call reads what the one before it read and wrote: the histories the reader
    builds grow as the provider saw them grow."""
    from ctxlint.simulate.simulator import Options, Simulator

    paths = [str(TRACES / "openhands" / n) for n in ("basic.json", "wrong_initial_state.json")]
    results = [r for r in Simulator(Options(), Settings()).run(paths) if hasattr(r, "agrees")]
    compared = [r for r in results if r.agrees is not None]
    assert len(compared) == 6
    assert all(r.agrees for r in compared)


def test_openhands_evaluation_output_is_one_session_per_instance(tmp_path):
    requests, problems = _read(CLEAN / "openhands_eval_output.jsonl")
    assert problems == []
    assert [(r.session, r.origin.line) for r in requests] == [
        ("demo__demo-101", 1),
        ("demo__demo-101", 1),
        ("demo__demo-101", 1),
        ("demo__demo-102", 2),
    ]
    assert {r.format for r in requests} == {"openhands-eval"}
    assert requests[1].origin.pointer == "/history/5"
    assert requests[3].usage.cached_tokens == 2406
    # A line that cannot be read loses its instance only.
    lines = (CLEAN / "openhands_eval_output.jsonl").read_text().splitlines()
    broken = json.loads(lines[0])
    broken["history"][3]["tool_call_metadata"]["model_response"]["usage"] = "many"
    old_style = json.loads(lines[1])
    old_style["history"] = [[old_style["history"][1], {}]]
    path = tmp_path / "output.jsonl"
    path.write_text("\n".join([json.dumps(broken), lines[1], json.dumps(old_style)]) + "\n")
    requests, problems = _read(path)
    assert [r.session for r in requests] == ["demo__demo-102"]
    assert problems[0].line == 1 and "field usage at /history/3" in problems[0].reason
    assert problems[-1].line == 3 and "not a record of format openhands-eval" in problems[-1].reason


# --- SWE-agent ----------------------------------------------------------------------------------


def test_swe_agent_history_makes_one_request_per_response():
    requests, problems = _read(CLEAN / "swe_agent_history.traj")
    assert problems == []
    assert len(requests) == 3
    assert [len(r.messages) for r in requests] == [2, 4, 6]
    assert requests[0].system[0].text.startswith("SETTING: You are an autonomous programmer")
    # The demonstration was sent as a user message, and is no request of its own.
    assert requests[0].messages[0].text().startswith("Here is a demonstration")
    assert requests[2].response.text().startswith("The fix is in place")
    assert all(r.usage is None and r.tools == () and r.model is None for r in requests)
    assert {r.session for r in requests} == {"swe_agent_history"}


def test_swe_agent_queries_are_the_requests_sent(tmp_path):
    query = [
        {"role": "system", "content": "You are a helpful assistant.", "agent": "main"},
        {"role": "user", "content": [{"type": "text", "text": "Fix the bug."}], "agent": "main"},
        {
            "role": "assistant",
            "content": "Looking.",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "bash", "arguments": "{}"},
                }
            ],
            "agent": "main",
            "message_type": "action",
        },
        {
            "role": "tool",
            "content": "ok",
            "tool_call_ids": ["call_1"],
            "agent": "main",
            "message_type": "observation",
        },
    ]
    step = {"action": "ls", "observation": "ok", "response": "Done.", "thought": "", "query": query}
    config = {"agent": {"model": {"name": "claude-sonnet-4-20250514"}}}
    document = {
        "trajectory": [step, {**step, "query": []}],
        "history": [],
        "info": {},
        "replay_config": json.dumps(config),
    }
    path = tmp_path / "instance.traj"
    path.write_text(json.dumps(document))
    requests, problems = _read(path)
    assert problems == []
    assert len(requests) == 1
    request = requests[0]
    assert request.model == "claude-sonnet-4-20250514" and request.provider == "anthropic"
    assert request.tools is None
    assert [m.role for m in request.messages] == ["user", "assistant", "tool"]
    assert request.messages[2].blocks[0].kind == TOOL_RESULT
    assert request.messages[2].blocks[0].call_id == "call_1"


def test_swe_agent_agents_keep_their_own_sessions(tmp_path):
    document = json.loads((CLEAN / "swe_agent_history.traj").read_text())
    document["history"] += [
        {"role": "system", "content": "You review patches.", "agent": "reviewer"},
        {"role": "user", "content": "Review this patch.", "agent": "reviewer"},
        {"role": "assistant", "content": "Looks right.", "agent": "reviewer"},
    ]
    path = tmp_path / "x.traj"
    path.write_text(json.dumps(document))
    requests, _ = _read(path)
    reviewer = [r for r in requests if r.session == "x/reviewer"]
    assert len(reviewer) == 1 and [m.text() for m in reviewer[0].messages] == ["Review this patch."]


def test_a_swe_agent_message_of_the_wrong_type_loses_what_follows_it(tmp_path):
    document = json.loads((CLEAN / "swe_agent_history.traj").read_text())
    document["history"][4]["content"] = None
    document["history"][4]["role"] = ["user"]
    path = tmp_path / "bad.traj"
    path.write_text(json.dumps(document, indent=1))
    requests, problems = _read(path)
    assert len(requests) == 1
    assert "field role at /history/4/role has type array" in problems[0].reason
    assert problems[0].line > 1


@shared
def test_shared_swe_agent_trajectory():
    path = TRACES / "swe-agent" / "pydicom__pydicom-1458.traj"
    requests, problems = _read(path)
    assert problems == []
    info = json.loads(path.read_text())["info"]
    assert len(requests) == info["model_stats"]["api_calls"] == 12
    # Demonstration and issue, then one response and one observation per step.
    assert [len(r.messages) for r in requests] == [2 + 2 * n for n in range(12)]
    assert requests[-1].response.text().startswith("The `reproduce_bug.py` script has been")
    # The rebuilt prompts are what was sent: their text, counted with GPT-4's tokenizer (the
    # run's cost fits GPT-4 Turbo's prices), adds up to the tokens the agent counted as sent.
    from ctxlint.simulate.tokens import load_encoding

    encoding = load_encoding("cl100k_base")
    counted = sum(
        len(encoding.encode(r.system_text()))
        + sum(len(encoding.encode(m.text())) for m in r.messages)
        for r in requests
    )
    assert abs(counted - info["model_stats"]["tokens_sent"]) < 0.01 * counted


# --- VCR cassettes ------------------------------------------------------------------------------


def test_a_cassette_reads_its_model_calls_only():
    requests, problems = _read(CLEAN / "vcr_anthropic.yaml")
    assert problems == []
    # The model list (GET) and the overloaded reply (529) are no requests a model served.
    assert len(requests) == 2
    cold, warm = requests
    assert {r.format for r in requests} == {"vcr-cassette"}
    assert {r.provider for r in requests} == {"anthropic"}
    assert cold.usage.prompt_tokens == 12 + 1210 and cold.usage.cache_write_tokens == 1210
    # The warm reply was recorded gzipped, as vcrpy keeps bytes.
    assert warm.usage.cached_tokens == 1210 and warm.usage.prompt_tokens == 1240
    assert cold.system[0].cache_ttl == "5m"
    assert [m.role for m in warm.messages] == ["user", "assistant", "user"]
    assert warm.timestamp.isoformat() == "2025-10-09T10:00:40+00:00"
    # Each request is placed at the line its interaction starts on.
    text = (CLEAN / "vcr_anthropic.yaml").read_text().splitlines()
    assert [text[r.origin.line - 1] for r in requests] == ["- request:", "- request:"]
    assert cold.origin.line < warm.origin.line


def _cassette() -> dict:
    return yaml.safe_load((CLEAN / "vcr_anthropic.yaml").read_text())


@pytest.mark.parametrize(
    "swapped", [[], {}, None, True, 1e308, "text", -1, [[[[[]]]]], b"\x1f\x8b broken"]
)
@pytest.mark.parametrize(
    "where",
    [
        ("request",),
        ("request", "body"),
        ("request", "uri"),
        ("request", "method"),
        ("response",),
        ("response", "body"),
        ("response", "body", "string"),
        ("response", "status"),
        ("response", "status", "code"),
        ("response", "headers"),
        ("response", "headers", "date"),
    ],
)
def test_a_value_of_the_wrong_type_loses_only_its_interaction(tmp_path, where, swapped):
    cassette = _cassette()
    target = cassette["interactions"][1]
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = swapped
    path = tmp_path / "cassette.yaml"
    path.write_text(yaml.safe_dump(cassette, sort_keys=False))
    requests, problems = _read(path)
    warm = [r for r in requests if r.usage and r.usage.cached_tokens == 1210]
    assert len(warm) == 1
    assert [m.role for m in warm[0].messages] == ["user", "assistant", "user"]
    assert all(p.line > 1 for p in problems)


@pytest.mark.parametrize(
    ("text", "line", "wording"),
    [
        ("interactions:\n- request:\n    uri: [unclosed\n  response: {}\n", 4, "not valid YAML"),
        ("interactions:\n- request: !!python/object:os.system {}\n", 2, "constructor"),
        ("interactions:\n- a: &a [*a]\n", 2, "nested too deep"),
    ],
)
def test_bad_yaml_is_a_finding_at_its_line(tmp_path, text, line, wording):
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    requests, problems = _read(path)
    assert requests == []
    assert len(problems) == 1 and problems[0].line == line and wording in problems[0].reason


def test_aliases_that_unfold_into_billions_of_values_are_refused(tmp_path):
    lines = ["interactions: []", "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [{', '.join([f'*{previous}'] * 10)}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    _, problems = _read(path)
    assert len(problems) == 1 and "aliases" in problems[0].reason


def test_a_folder_walk_reads_cassettes_and_passes_over_other_yaml(tmp_path):
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "ci.yml").write_text("on: [push]\njobs:\n  test: {runs-on: x}\n")
    (tmp_path / "broken.yaml").write_text("key: [unclosed\n")
    (tmp_path / "cassette.yaml").write_bytes((CLEAN / "vcr_anthropic.yaml").read_bytes())
    (tmp_path / "run.traj").write_bytes((CLEAN / "swe_agent_history.traj").read_bytes())
    (tmp_path / "notes.traj").write_text("not json at all")
    found = find_inputs([str(tmp_path)], Settings(root=tmp_path))
    assert sorted(Path(f.path).name for f in found.files) == ["cassette.yaml", "run.traj"]
    report = check_paths([str(tmp_path)], Settings(root=tmp_path))
    assert [d.code for d in report.diagnostics] == []


def test_yaml_named_on_the_command_line_is_read_as_a_trace(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("name: demo\n")
    report = check_paths([str(config)], Settings(root=tmp_path))
    assert [d.code for d in report.diagnostics] == ["CTX900"]
    assert "unknown trace format" in report.diagnostics[0].message


def test_a_json_string_body_and_a_parsed_body_read_alike(tmp_path):
    cassette = _cassette()
    interaction = cassette["interactions"][1]
    interaction["request"]["parsed_body"] = json.loads(interaction["request"].pop("body"))
    answer = interaction["response"].pop("body")["string"]
    interaction["response"]["parsed_body"] = json.loads(answer)
    path = tmp_path / "parsed.yaml"
    path.write_text(yaml.safe_dump(cassette, sort_keys=False))
    parsed, problems = _read(path)
    raw, _ = _read(CLEAN / "vcr_anthropic.yaml")
    assert problems == []
    assert [m.key for m in parsed[0].messages] == [m.key for m in raw[0].messages]
    assert parsed[0].usage == raw[0].usage and parsed[0].system == raw[0].system


@shared
def test_shared_cassettes():
    folder = TRACES / "pydantic-ai-cassettes"
    facts = {}
    for path in sorted(folder.glob("*.yaml")):
        requests, problems = _read(path)
        assert problems == [], path.name
        facts[path.name.split("__")[0]] = [
            (r.provider, r.usage.prompt_tokens, r.usage.cached_tokens) for r in requests
        ]
    assert facts["test_anthropic"] == [("anthropic", 1114, 1111), ("anthropic", 1532, 1111)]
    assert facts["test_deepseek"] == [
        ("deepseek", 563, 512),
        ("deepseek", 875, 0),
        ("deepseek", 976, 896),
    ]
    assert facts["test_mistral"] == [("mistral", 253, 0), ("mistral", 268, 224)]
    assert facts["test_openai_prompt_cache"] == [("openai", 4020, 0), ("openai", 4020, 4012)]
    chat, _ = _read(folder / "test_openai_prompt_cache__test_openai_chat_prompt_cache_e2e.yaml")
    assert chat[0].usage.cache_write_tokens == 4012
    assert chat[0].params["prompt_cache_options"] == {"mode": "explicit", "ttl": "30m"}


@shared
def test_shared_deepseek_cassette_shows_the_tool_list_change_that_broke_its_cache():
    path = (
        TRACES
        / "pydantic-ai-cassettes"
        / ("test_deepseek__test_deepseek_deferred_capability_with_thinking.yaml")
    )
    report = check_paths([str(path)], Settings())
    assert [(d.code, d.start.line) for d in report.diagnostics] == [("CTX004", 122)]
    requests, _ = _read(path)
    # The request after the change read nothing from the cache.
    assert requests[1].usage.cached_tokens == 0


@shared
def test_every_trace_in_the_shared_folder_has_a_known_format():
    """What is left unknown is the agentlogs formats another reader covers, and no file that
    is not a trace is reported."""
    from click.testing import CliRunner

    from ctxlint.cli import main

    result = CliRunner().invoke(main, ["sessions", str(TRACES)])
    unknown = [line for line in result.output.splitlines() if "unknown trace format" in line]
    left = {Path(line.split(":")[1]).parent.name for line in unknown}
    assert left <= {"cline", "opencode", "pi"}
    found = find_inputs([str(TRACES)], Settings())
    names = {Path(f.path).name for f in found.files}
    assert {"README.md", "manifest.json", "LICENSE"}.isdisjoint(names)
    assert {"pydicom__pydicom-1458.traj", "basic.json"} <= names
    assert sum(name.endswith(".yaml") for name in names) == 6


def _stream(*events: dict) -> str:
    return "".join(f"event: {e.get('type', 'chunk')}\ndata: {json.dumps(e)}\n\n" for e in events)


def test_a_streamed_reply_is_read_as_the_body_it_adds_up_to(tmp_path):
    cassette = _cassette()
    anthropic = cassette["interactions"][2]
    start = {
        "type": "message_start",
        "message": {
            "model": "claude-sonnet-4-5-20250929",
            "content": [],
            "usage": {
                "input_tokens": 30,
                "cache_read_input_tokens": 1210,
                "cache_creation_input_tokens": 0,
                "output_tokens": 1,
            },
        },
    }
    anthropic["response"]["body"]["string"] = _stream(
        start,
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": "2.2 "},
        },
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ok"}},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn"},
            "usage": {"output_tokens": 9},
        },
        {"type": "message_stop"},
    )
    chat = {
        "request": {
            "body": json.dumps(
                {"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "Hi"}]}
            ),
            "method": "POST",
            "uri": "https://api.openai.com/v1/chat/completions",
        },
        "response": {
            "body": {
                "string": "".join(
                    f"data: {json.dumps(chunk)}\n\n"
                    for chunk in (
                        {
                            "object": "chat.completion.chunk",
                            "choices": [{"delta": {"content": "He"}}],
                        },
                        {
                            "object": "chat.completion.chunk",
                            "choices": [{"delta": {"content": "y"}}],
                        },
                        {
                            "object": "chat.completion.chunk",
                            "choices": [],
                            "usage": {
                                "prompt_tokens": 1100,
                                "completion_tokens": 2,
                                "prompt_tokens_details": {"cached_tokens": 1024},
                            },
                        },
                    )
                )
                + "data: [DONE]\n\n"
            },
            "status": {"code": 200, "message": "OK"},
        },
    }
    cassette["interactions"].append(chat)
    path = tmp_path / "streamed.yaml"
    path.write_text(yaml.safe_dump(cassette, sort_keys=False))
    requests, problems = _read(path)
    assert problems == []
    warm, streamed_chat = requests[1], requests[2]
    assert warm.response.text() == "2.2 ok"
    assert (warm.usage.prompt_tokens, warm.usage.cached_tokens) == (1240, 1210)
    assert warm.usage.output_tokens == 9
    assert streamed_chat.response.text() == "Hey"
    assert (streamed_chat.usage.prompt_tokens, streamed_chat.usage.cached_tokens) == (1100, 1024)
    assert streamed_chat.provider == "openai"
