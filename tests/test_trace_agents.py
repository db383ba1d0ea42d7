"""The readers of coding agents' own session files: pi session JSONL, opencode sessions (export
and storage folder) and Cline task history. Fixtures are hand-written after each tool's real
layout; the real logs in ../shared/traces/agentlogs are read in place when they are there."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ctxlint.trace.loader import TraceReader
from ctxlint.trace.model import MEDIA, TEXT, THINKING, TOOL_CALL, TOOL_RESULT, Request
from ctxlint.trace.reading import Problem
from ctxlint.trace.sessions import summarize

from conftest import REPO, SHARED

FIXTURES = REPO / "fixtures" / "trace"
PI = FIXTURES / "ctx006" / "pi_compaction.jsonl"
OPENCODE = FIXTURES / "clean" / "opencode_export.json"
STORAGE = FIXTURES / "clean" / "opencode_storage" / "storage"
CLINE = FIXTURES / "clean" / "cline_task"
AGENTLOGS = SHARED / "traces" / "agentlogs"
needs_agentlogs = pytest.mark.skipif(
    not AGENTLOGS.is_dir(), reason="../shared/traces/agentlogs is not here"
)


def _read(path: Path) -> tuple[str | None, list[Request], list[Problem]]:
    reader = TraceReader(str(path))
    items = list(reader)
    requests = [i for i in items if isinstance(i, Request)]
    return reader.format, requests, [i for i in items if isinstance(i, Problem)]


def _storage_session() -> Path:
    return next((STORAGE / "session").glob("*/ses_*.json"))


# --- pi --------------------------------------------------------------------------------------


def test_pi_requests_follow_the_tree_and_start_again_at_a_compaction():
    form, requests, problems = _read(PI)
    assert form == "pi" and problems == []
    assert [r.origin.line for r in requests] == [5, 7, 10, 12]
    first, second, failed, retried = requests
    assert [m.role for m in second.messages] == ["user", "assistant", "tool"]
    assert second.messages[2].blocks[0].kind == TOOL_RESULT
    # pi's input leaves the cache out: the whole prompt is the sum.
    assert (first.usage.prompt_tokens, first.usage.cache_write_tokens) == (4129, 4120)
    assert (second.usage.prompt_tokens, second.usage.cached_tokens) == (4241, 4120)
    assert failed.compacted and not retried.compacted
    summary = failed.messages[0].text()
    assert summary.startswith("The conversation history before this point was compacted")
    assert "test_discount_rounding fails" in summary
    # The entry the compaction kept, then what came after it.
    assert failed.messages[1].text() == "One test fails: test_discount_rounding."
    assert failed.usage is None
    # The call that failed is not sent again.
    assert [m.text() for m in retried.messages[2:]] == ["Fix it.", "Try again, please."]
    assert first.params == {"thinking_level": "medium"}
    # pi's Anthropic client marks the newest message as a breakpoint, and only that one.
    assert [m.blocks[-1].cache_ttl for m in second.messages] == [None, None, "5m"]
    assert first.timestamp < first.finished


def test_pi_line_of_the_wrong_type_loses_only_what_depends_on_it(tmp_path):
    lines = PI.read_text().splitlines()
    entry = json.loads(lines[6])
    entry["message"]["usage"]["cacheRead"] = "lots"
    lines[6] = json.dumps(entry)
    broken = tmp_path / "session.jsonl"
    broken.write_text("\n".join(lines) + "\n")
    _, requests, problems = _read(broken)
    assert [p.line for p in problems] == [7]
    assert "cacheRead" in problems[0].reason
    assert [r.origin.line for r in requests] == [5, 10, 12]


@needs_agentlogs
def test_pi_real_sessions():
    _, crud, problems = _read(AGENTLOGS / "pi" / "crud.jsonl")
    assert problems == [] and len(crud) == 5
    assert {r.model for r in crud} == {"claude-opus-4-5"}
    # No request of these sessions read or wrote the cache.
    assert [r.usage.cached_tokens for r in crud] == [0] * 5
    assert crud[0].usage.prompt_tokens == 2992
    _, branched, _ = _read(AGENTLOGS / "pi" / "branched.jsonl")
    assert len(branched) == 6
    by_line = {r.origin.line: r for r in branched}
    # Line 12 goes back to the answer of line 7: the second branch's history leaves out 8-11.
    assert len(by_line[11].messages) == 7
    assert [m.origin.line for m in by_line[13].messages] == [4, 5, 6, 7, 12]
    # Going back in the tree starts a branch of its own, so no request is compared with the
    # other branch's (the user chose another path; the agent edited nothing).
    assert by_line[13].session == by_line[15].session != by_line[11].session
    assert by_line[13].session.startswith(by_line[11].session + "/branch-")
    _, image, _ = _read(AGENTLOGS / "pi" / "image.jsonl")
    assert len(image) == 2
    assert any(b.kind == MEDIA for m in image[1].messages for b in m.blocks)


# --- opencode --------------------------------------------------------------------------------


def test_opencode_export_one_request_per_step():
    form, requests, problems = _read(OPENCODE)
    assert form == "opencode" and problems == []
    assert len(requests) == 3
    first, second, third = requests
    assert first.messages[0].text().startswith("Rename apply_discount")
    # Parts are read in id order though written otherwise: the first step called grep.
    assert [m.role for m in second.messages] == ["user", "assistant", "tool"]
    thinking, call = second.messages[1].blocks
    assert thinking.kind == THINKING and thinking.text.startswith("gAAAAA")
    assert call.kind == TOOL_CALL and call.name == "grep"
    assert second.messages[2].blocks[0].text.startswith("shop/cart.py:12")
    # The ignored user part is not sent.
    assert third.messages[-1].text() == "Go ahead."
    assert [m.role for m in third.messages] == ["user", "assistant", "tool", "assistant", "user"]
    assert (first.usage.prompt_tokens, first.usage.cached_tokens) == (9122, 0)
    assert (second.usage.prompt_tokens, second.usage.cached_tokens) == (9228, 9088)
    assert third.system is None and third.tools is None
    assert third.model == "gpt-5.1-codex" and third.provider == "openai"


def test_opencode_storage_reads_as_its_export():
    form, stored, problems = _read(_storage_session())
    assert form == "opencode" and problems == []
    _, exported, _ = _read(OPENCODE)
    assert [[m.key for m in r.messages] for r in stored] == [
        [m.key for m in r.messages] for r in exported
    ]
    assert [r.usage for r in stored] == [r.usage for r in exported]


def test_opencode_storage_part_of_the_wrong_type_is_named(tmp_path):
    copy = tmp_path / "storage"
    shutil.copytree(STORAGE, copy)
    finish = next(copy.glob("part/*/prt_c51a00fa0009Kl.json"))
    part = json.loads(finish.read_text())
    part["tokens"]["cache"] = ["read"]
    finish.write_text(json.dumps(part))
    session = next((copy / "session").glob("*/ses_*.json"))
    _, requests, problems = _read(session)
    assert len(requests) == 2
    assert len(problems) == 1
    assert "prt_c51a00fa0009Kl.json at /tokens/cache" in problems[0].reason


def test_opencode_tool_error_and_compaction():
    document = json.loads(OPENCODE.read_text())
    tool_error = document["messages"][3]
    follow_up = {
        "info": dict(tool_error["info"], id="msg_c51a0a4ba001Zz", finish="stop"),
        "parts": [
            {"id": "prt_c51a0a4bb001Aa", "type": "step-start"},
            {"id": "prt_c51a0a4bc001Bb", "type": "text", "text": "Done."},
            {
                "id": "prt_c51a0a4bd001Cc",
                "type": "step-finish",
                "tokens": {"input": 5, "output": 2, "cache": {"read": 9344, "write": 0}},
            },
        ],
    }
    document["messages"].append(follow_up)
    _, requests, _ = _read_document(document)
    last = requests[-1]
    result = last.messages[-1].blocks[0]
    assert result.kind == TOOL_RESULT and result.is_error
    assert result.text == "oldString not found in content"


def _read_document(document: dict, name: str = "session.json"):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(json.dumps(document))
        return _read(path)


@needs_agentlogs
def test_opencode_real_exports():
    _, crud, problems = _read(AGENTLOGS / "opencode" / "crud.json")
    assert problems == [] and len(crud) == 5
    assert [r.usage.cached_tokens for r in crud] == [0, 17920, 17920, 18048, 18048]
    assert [r.usage.prompt_tokens for r in crud][:2] == [17857, 140 + 17920]
    _, all_tools, problems = _read(AGENTLOGS / "opencode" / "all-tools.json")
    assert problems == [] and len(all_tools) == 14
    assert sum(r.usage.cached_tokens for r in all_tools) == 142720
    # The `execute` tool failed; the calls after it send its error back.
    errors = [b for m in all_tools[-1].messages for b in m.blocks if b.kind == TOOL_RESULT]
    assert sum(b.is_error for b in errors) == 1


# --- Cline -----------------------------------------------------------------------------------


def test_cline_task_folder_usage_from_ui_messages():
    form, requests, problems = _read(CLINE / "api_conversation_history.json")
    assert form == "cline" and problems == []
    first, second = requests
    assert first.session == "cline_task"
    assert (first.usage.prompt_tokens, first.usage.cached_tokens) == (7 + 10930 + 310, 10930)
    assert first.usage.cache_write_tokens == 310
    assert second.usage.cached_tokens == 11240
    assert first.timestamp.isoformat().startswith("2026-03-02T09:21:40")
    assert first.model == "claude-sonnet-4-5-20250929" and first.provider == "anthropic"
    # Thinking without a signature is not sent back.
    assert [b.kind for b in second.messages[1].blocks] == [TOOL_CALL]
    # Cline's Anthropic client puts breakpoints on the last two user messages.
    assert [m.blocks[-1].cache_ttl for m in second.messages] == ["5m", None, "5m"]
    assert second.system is None and second.tools is None


def test_cline_without_ui_messages_knows_the_prompt_not_the_cached_part(tmp_path):
    shutil.copy(CLINE / "api_conversation_history.json", tmp_path)
    _, requests, _ = _read(tmp_path / "api_conversation_history.json")
    assert [r.usage.prompt_tokens for r in requests] == [7 + 11240, 7 + 11402]
    # Sent when the message before it was written.
    assert requests[1].timestamp.isoformat().startswith("2026-03-02T09:21:44.300")
    assert [r.usage.cached_tokens for r in requests] == [None, None]
    (session,) = summarize(str(tmp_path / "api_conversation_history.json")).sessions
    assert (session.prompt_tokens, session.cached_tokens) == (7 + 11240 + 7 + 11402, None)


def test_cline_deleted_range_and_a_bad_usage_entry(tmp_path):
    for name in ("api_conversation_history.json", "task_metadata.json"):
        shutil.copy(CLINE / name, tmp_path)
    ui = json.loads((CLINE / "ui_messages.json").read_text())
    ui[3]["conversationHistoryDeletedRange"] = [2, 2]
    first = json.loads(ui[1]["text"])
    first["cacheReads"] = "many"
    ui[1]["text"] = json.dumps(first)
    (tmp_path / "ui_messages.json").write_text(json.dumps(ui))
    _, requests, problems = _read(tmp_path / "api_conversation_history.json")
    assert len(problems) == 1 and "ui_messages.json" in problems[0].reason
    assert "cacheReads" in problems[0].reason
    # The first request keeps its own record's usage; the second sends the first exchange only.
    assert requests[0].usage.cached_tokens is None
    assert len(requests[1].messages) == 2


@needs_agentlogs
def test_cline_real_task():
    form, requests, problems = _read(AGENTLOGS / "cline" / "crud.json")
    assert form == "cline" and problems == []
    assert len(requests) == 21
    assert {r.model for r in requests} == {"claude-opus-4-6"}
    # `prompt` is the uncached tail; `cached` (reads and writes together) the rest.
    assert requests[0].usage.prompt_tokens == 19 + 10386
    assert requests[-1].usage.prompt_tokens == 19 + 123464
    assert all(r.usage.cached_tokens is None for r in requests)
    assert [len(r.messages) for r in requests[:3]] == [1, 3, 5]


@needs_agentlogs
def test_no_agentlogs_file_is_of_unknown_format():
    from ctxlint.config import Settings
    from ctxlint.engine import check_paths

    report = check_paths([str(AGENTLOGS)], Settings(root=AGENTLOGS))
    said = [d.message for d in report.diagnostics] + report.warnings + report.errors
    assert [m for m in said if "unknown trace format" in m] == []
    # Every Cline, opencode and pi file was read for requests; the task metadata is no trace.
    read = {Path(p).relative_to(AGENTLOGS).as_posix() for p in report.traces}
    for name in ("cline/crud.json", "opencode/crud.json", "opencode/all-tools.json"):
        assert name in read
    assert {"pi/crud.jsonl", "pi/branched.jsonl", "pi/image.jsonl"} <= read
    assert "cline/crud_metadata.json" not in read


def test_formats_are_told_from_content_not_names(tmp_path):
    renamed = tmp_path / "history.json"
    shutil.copy(CLINE / "api_conversation_history.json", renamed)
    assert _read(renamed)[0] == "cline"
    session = tmp_path / "anything.json"
    shutil.copy(OPENCODE, session)
    assert _read(session)[0] == "opencode"
    lines = tmp_path / "log.jsonl"
    shutil.copy(PI, lines)
    assert _read(lines)[0] == "pi"
    assert {b.kind for b in _read(lines)[1][0].messages[0].blocks} == {TEXT}


def test_cline_records_without_history_index_are_matched_in_order(tmp_path):
    shutil.copy(CLINE / "api_conversation_history.json", tmp_path)
    ui = json.loads((CLINE / "ui_messages.json").read_text())
    for item in ui:
        item.pop("conversationHistoryIndex", None)
    # A request that failed before any usage came back answers nothing.
    ui.insert(1, {"ts": 1772443300005, "type": "say", "say": "api_req_started", "text": "{}"})
    (tmp_path / "ui_messages.json").write_text(json.dumps(ui))
    _, requests, _ = _read(tmp_path / "api_conversation_history.json")
    assert [r.usage.cached_tokens for r in requests] == [10930, 11240]


def test_opencode_message_without_steps_is_one_call():
    document = json.loads(OPENCODE.read_text())
    answer = document["messages"][3]
    answer["parts"] = [p for p in answer["parts"] if not p["type"].startswith("step-")]
    _, requests, problems = _read_document(document)
    assert problems == [] and len(requests) == 3
    assert requests[-1].usage.cached_tokens == answer["info"]["tokens"]["cache"]["read"]
    assert requests[-1].origin.pointer == "/messages/3/info"


def test_opencode_history_starts_again_at_a_completed_compaction():
    document = json.loads(OPENCODE.read_text())
    template = document["messages"][3]["info"]
    tokens = {"input": 30, "output": 20, "cache": {"read": 0, "write": 0}}

    def step(message_id: str, text: str) -> list[dict]:
        return [
            {"id": f"prt_{message_id}1", "type": "step-start"},
            {"id": f"prt_{message_id}2", "type": "text", "text": text},
            {"id": f"prt_{message_id}3", "type": "step-finish", "tokens": tokens},
        ]

    def user(message_id: str, part: dict) -> dict:
        return {"info": {"id": message_id, "role": "user"}, "parts": [dict(part, id="prt_x")]}

    def answer(message_id: str, parent: str, text: str, summary: bool = False) -> dict:
        info = dict(template, id=message_id, parentID=parent, finish="stop", summary=summary)
        return {"info": info, "parts": step(message_id, text)}

    document["messages"] += [
        user("msg_d0001", {"type": "compaction", "auto": True}),
        answer("msg_d0002", "msg_d0001", "We renamed the helper.", summary=True),
        user("msg_d0003", {"type": "text", "text": "Now run the tests."}),
        answer("msg_d0004", "msg_d0003", "All pass."),
    ]
    _, requests, problems = _read_document(document)
    assert problems == []
    summarising, after = requests[-2], requests[-1]
    # The call that wrote the summary still sent the whole history.
    assert summarising.messages[0].text().startswith("Rename apply_discount")
    assert not summarising.compacted
    assert [m.text() for m in after.messages] == [
        "What did we do so far?",
        "We renamed the helper.",
        "Now run the tests.",
    ]
    assert after.compacted


def test_pi_version_1_entries_follow_each_other(tmp_path):
    """Version 1 sessions have no tree: pi links each entry to the line before it, and a
    compaction names the first kept entry by its position in the file."""
    entries = [json.loads(line) for line in PI.read_text().splitlines()]
    old = []
    for entry in entries[1:]:
        del entry["id"], entry["parentId"]
    for entry in entries:
        if entry["type"] == "compaction":
            entry["firstKeptEntryIndex"] = 6
            del entry["firstKeptEntryId"]
        if entry["type"] == "session":
            entry["version"] = 1
        old.append(json.dumps(entry))
    session = tmp_path / "old.jsonl"
    session.write_text("\n".join(old) + "\n")
    form, requests, problems = _read(session)
    assert form == "pi" and problems == []
    _, current, _ = _read(PI)
    assert [[m.key for m in r.messages] for r in requests] == [
        [m.key for m in r.messages] for r in current
    ]
