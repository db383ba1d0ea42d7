"""Real recorded sessions in ../shared/traces (read in place, skipped when absent): what each
holds, what the provider reported, and which findings they give."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import orjson
import pytest

from ctxlint.config import Settings
from ctxlint.engine import check_paths
from ctxlint.trace.harness import harness_events
from ctxlint.trace.loader import TraceReader
from ctxlint.trace.model import Request

from conftest import SHARED

TRACES = SHARED / "traces"
pytestmark = pytest.mark.skipif(not TRACES.is_dir(), reason="../shared/traces is not here")
MAIN_SESSION = "258c7280-ae70-4798-800f-63464d01a85d"

# Requests per session, as the traces' README counts them.
EXPECTED = {
    f"claude-code/{MAIN_SESSION}.jsonl": [152],
    f"claude-code/{MAIN_SESSION}/subagents/agent-a881341.jsonl": [3],
    f"claude-code/{MAIN_SESSION}/subagents/agent-acompact-fffbd0.jsonl": [1],
    "claude-code/short.jsonl": [1],
    "claude-code/tool_heavy.jsonl": [4],
    "claude-code/subagent.jsonl": [12],
    "codex/rollout-2026-02-23T12-41-04-019c8a4d-8f45-7010-8b5d-7fad920aa6f9.jsonl": [28],
    "codex/rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl": [6],
    "codex/rollout-2026-02-23T13-19-38-019c8a70-dda7-7f33-98ea-f30553347322.jsonl": [1],
    "mini-swe-agent/deepseek_chat_dev/pvlib__pvlib-python-1154.traj.json": [73],
    "mini-swe-agent/deepseek_chat_dev/pydicom__pydicom-1256.traj.json": [49],
    "mini-swe-agent/deepseek_chat_dev/sqlfluff__sqlfluff-2419.traj.json": [48],
    "mini-swe-agent/deepseek_lite_dev_noparallel/pydicom__pydicom-1256.traj.json": [53],
    "mini-swe-agent/deepseek_reasoner_dev/pvlib__pvlib-python-1606.traj.json": [4],
    "inspect-ai/2025-05-12T20-27-36-04-00_browser.json": [5],
}


def _read(path: Path) -> tuple[list[Request], list]:
    requests, problems = [], []
    for item in TraceReader(str(path)):
        (requests if isinstance(item, Request) else problems).append(item)
    return requests, problems


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sessions_and_requests_match_the_readme(name):
    requests, problems = _read(TRACES / name)
    assert problems == []
    per_session = Counter(request.session for request in requests)
    assert sorted(per_session.values()) == sorted(EXPECTED[name])


def test_claude_code_compaction_is_the_only_history_edit():
    path = str(TRACES / "claude-code" / f"{MAIN_SESSION}.jsonl")
    report = check_paths([path], Settings(harness_findings=True))
    edits = [d for d in report.diagnostics if d.code == "CTX006"]
    assert len(edits) == 1
    assert "compacted" in edits[0].message
    # The first request after the `compact_boundary` line (1256) and the summary (1257).
    assert edits[0].start.line == 1261


def test_claude_codes_own_compaction_is_held_back_by_default():
    """Claude Code compacts a long session by design: no finding its user can act on."""
    path = str(TRACES / "claude-code" / f"{MAIN_SESSION}.jsonl")
    report = check_paths([path], Settings())
    assert [d for d in report.diagnostics if d.code in ("CTX006", "CTX012")] == []
    # The compaction twice: its cost to the cache (CTX006), the references its summary lost
    # (CTX012).
    assert report.harness_findings == {path: 2}
    assert harness_events(path) == 2


def test_claude_codes_compaction_summary_names_few_of_the_files_it_read():
    """The summary after the compaction keeps what was done, not every path read: of the
    results it replaced, those whose file or URL it names nowhere are CTX012's, held back as
    the product's design."""
    path = str(TRACES / "claude-code" / f"{MAIN_SESSION}.jsonl")
    report = check_paths([path], Settings(harness_findings=True, select=("CTX012",)))
    [lost] = report.diagnostics
    assert lost.start.line == 1261
    assert lost.message.startswith("the summary that replaced the `")
    assert "keeps no reference to `…" in lost.message


def test_claude_code_requests_merge_their_lines_and_usage():
    requests, _ = _read(TRACES / "claude-code" / f"{MAIN_SESSION}.jsonl")
    first = requests[0]
    raw = first.usage.raw
    # Anthropic leaves cached tokens out of input_tokens: the whole prompt adds them back.
    whole = (
        raw["input_tokens"] + raw["cache_read_input_tokens"] + raw["cache_creation_input_tokens"]
    )
    assert first.usage.prompt_tokens == whole
    assert first.usage.cached_tokens == raw["cache_read_input_tokens"]
    # The transcript records no system prompt or tools: unknown, not empty.
    assert first.system is None and first.tools is None
    # Histories only grow inside the main chain, except across the compaction.
    for before, after in itertools.pairwise(requests):
        if not after.compacted:
            assert len(after.messages) > len(before.messages)


def test_codex_takes_the_system_prompt_from_session_meta_and_skips_repeated_counts():
    path = next((TRACES / "codex").glob("rollout-2026-02-23T20-34-25-*.jsonl"))
    requests, _ = _read(path)
    assert all(r.system and r.system[0].text.startswith("[REDACTED_TEXT") for r in requests)
    assert requests[0].usage.prompt_tokens == 42772
    assert requests[0].usage.cached_tokens == 3456
    assert requests[1].usage.cached_tokens == 42880
    # Each request's history is the previous one plus the response and the tool output.
    assert len(requests[1].messages) == len(requests[0].messages) + 4


def test_mini_swe_agent_usage_is_deepseeks_whole_prompt():
    path = TRACES / "mini-swe-agent/deepseek_reasoner_dev/pvlib__pvlib-python-1606.traj.json"
    requests, _ = _read(path)
    document = orjson.loads(path.read_bytes())
    replies = [m for m in document["messages"] if m["role"] == "assistant"]
    for request, reply in zip(requests, replies, strict=True):
        usage = reply["extra"]["response"]["usage"]
        assert request.usage.prompt_tokens == usage["prompt_tokens"]
        assert request.usage.cached_tokens == usage["prompt_tokens_details"]["cached_tokens"]


def test_inspect_reads_the_raw_call_with_attachments_resolved():
    requests, _ = _read(TRACES / "inspect-ai/2025-05-12T20-27-36-04-00_browser.json")
    assert {r.model for r in requests} == {"gpt-4o-mini"}
    assert all(r.tools and r.tools[0].name == "web_browser_go" for r in requests)
    text = requests[0].messages[0].text()
    assert text and not text.startswith("attachment://")


def test_every_shared_trace_is_checked_without_a_crash():
    report = check_paths([str(TRACES)], Settings())
    assert not [p for r in report.results for p in r.problems]
    # Other JSON in the folder (OpenHands trajectories, a manifest) is passed over.
    assert not [d for d in report.diagnostics if d.code == "CTX900"]


CASSETTES = TRACES / "pydantic-ai-cassettes"


@pytest.mark.parametrize("name", sorted(p.name for p in CASSETTES.glob("*.yaml")))
def test_cassette_bodies_read_as_raw_provider_requests(name, tmp_path):
    """Real Anthropic and OpenAI request/response pairs, recorded by VCR, written one envelope
    per line: the raw-body formats read them and normalise the usage."""
    yaml = pytest.importorskip("yaml")
    interactions = yaml.safe_load((CASSETTES / name).read_text())["interactions"]
    lines = []
    for interaction in interactions:
        request = interaction["request"].get("parsed_body")
        response = interaction["response"].get("parsed_body")
        lines.append(orjson.dumps({"request": request, "response": response}))
    trace = tmp_path / "bodies.jsonl"
    trace.write_bytes(b"\n".join(lines) + b"\n")
    requests, problems = _read(trace)
    assert problems == [] and len(requests) == len(interactions)
    for request, interaction in zip(requests, interactions, strict=True):
        usage = interaction["response"]["parsed_body"]["usage"]
        if "anthropic" in interaction["request"]["uri"]:
            assert request.format == "anthropic"
            whole = (
                usage["input_tokens"]
                + usage["cache_read_input_tokens"]
                + usage["cache_creation_input_tokens"]
            )
            assert request.usage.prompt_tokens == whole
        else:
            assert request.format == "openai"
            assert request.usage.prompt_tokens == usage.get(
                "prompt_tokens", usage.get("input_tokens")
            )
