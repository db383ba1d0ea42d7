"""Gemini CLI sessions: the legacy JSON document and the JSONL log, read as the requests the CLI
sent, with Gemini's usage in ctxlint's terms and broken values reported at their place."""

from __future__ import annotations

import json

from ctxlint.trace.loader import TraceReader, detect
from ctxlint.trace.model import TOOL_CALL, TOOL_RESULT, Request
from ctxlint.trace.reading import Problem

from conftest import REPO

DOCUMENT = REPO / "fixtures/trace/clean/gemini_cli_session.json"
LOG = REPO / "fixtures/trace/ctx006/gemini_cli_rewind.jsonl"


def read(path) -> tuple[list[Request], list[Problem]]:
    items = list(TraceReader(str(path)))
    return (
        [i for i in items if isinstance(i, Request)],
        [i for i in items if isinstance(i, Problem)],
    )


def kinds(request: Request) -> list[tuple[str, tuple[str, ...]]]:
    return [(m.role, tuple(b.kind for b in m.blocks)) for m in request.messages]


def test_both_layouts_are_told_from_content():
    assert detect(str(DOCUMENT)).name == "gemini-cli-document"
    assert detect(str(LOG)).name == "gemini-cli"


def test_each_model_message_is_a_request_over_the_messages_before_it():
    requests, problems = read(DOCUMENT)
    assert problems == []
    assert [r.origin.pointer for r in requests] == [f"/messages/{n}" for n in (1, 2, 3, 6)]
    assert {r.session for r in requests} == {"5c1f0a9e-2b7d-4e61-9d3a-0f4b8c2e7a11"}
    # Older versions keep tool results only inside the call: they follow the call as sent.
    assert kinds(requests[2]) == [
        ("user", ("text",)),
        ("assistant", (TOOL_CALL,)),
        ("user", (TOOL_RESULT,)),
        ("assistant", (TOOL_CALL,)),
        ("user", (TOOL_RESULT,)),
    ]
    # The `info` message between the turns was shown, never sent.
    assert [m.text() for m in requests[3].messages][-2:] == [
        "CI pins Python 3.10, while you run 3.12 locally; `tomllib` only exists from 3.11.",
        "Fix it so both work.",
    ]
    assert all(r.system is None and r.tools is None for r in requests)
    assert {(r.provider, r.model) for r in requests} == {("google", "gemini-3-flash-preview")}


def test_usage_is_the_whole_prompt_and_output_with_thoughts():
    requests, _ = read(DOCUMENT)
    usage = requests[1].usage
    assert (usage.prompt_tokens, usage.cached_tokens, usage.cache_write_tokens) == (
        9388,
        8190,
        None,
    )
    assert usage.output_tokens == 37 + 95
    assert usage.raw["thoughts"] == 95


def test_a_request_starts_when_the_last_tool_call_before_it_finished():
    requests, _ = read(DOCUMENT)
    assert requests[1].timestamp.isoformat() == "2026-03-02T09:14:11.530000+00:00"
    assert requests[1].finished.isoformat() == "2026-03-02T09:14:18.006000+00:00"
    # After a user message, the request starts when the message was written.
    assert requests[3].timestamp.isoformat() == "2026-03-02T09:16:31.250000+00:00"


def test_the_log_takes_each_message_as_last_written_and_histories_as_they_were():
    requests, problems = read(LOG)
    assert problems == []
    assert [r.origin.line for r in requests] == [5, 7, 9, 12]
    # The call was written again with its tool calls; the results, written as their own
    # message, are not read twice.
    assert kinds(requests[1]) == [
        ("user", ("text",)),
        ("assistant", (TOOL_CALL,)),
        ("user", (TOOL_RESULT,)),
    ]
    # The request made before the rewind saw the prompt later dropped; the one after it not.
    assert requests[2].messages[-1].text() == "Now the one in io.py, please"
    assert requests[3].messages[-1].text() == "Implement the EAGAIN retry with exponential backoff"
    assert len(requests[3].messages) == len(requests[2].messages)


def test_a_replaced_history_is_seen_only_by_later_requests(tmp_path):
    lines = LOG.read_text().splitlines()[:7]
    replaced = json.loads(lines[5])
    replaced["content"] = [
        {
            "functionResponse": {
                "id": "grep_search_1778511732640_0",
                "name": "grep_search",
                "response": {"output": "[masked]"},
            }
        }
    ]
    kept = [json.loads(lines[1]), json.loads(lines[4]), replaced, json.loads(lines[6])]
    later = {
        "id": "aa01",
        "timestamp": "2026-05-11T15:05:00.000Z",
        "type": "gemini",
        "content": "ok",
        "tokens": {"input": 900, "output": 1, "cached": 0},
        "model": "gemini-3.1-pro-preview",
    }
    path = tmp_path / "session.jsonl"
    path.write_text(
        "\n".join([*lines, json.dumps({"$set": {"messages": kept}}), json.dumps(later)])
    )
    requests, problems = read(path)
    assert problems == []
    assert "TODO: retry" in requests[1].messages[2].text()
    assert requests[2].messages[2].text() == '{"output":"[masked]"}'
    # The CLI replaces the history when its context management summarises or masks it.
    assert [r.compacted for r in requests] == [False, False, True]


def test_a_value_of_the_wrong_type_is_a_problem_at_its_place_and_the_rest_is_read(tmp_path):
    document = json.loads(DOCUMENT.read_text())
    document["messages"][2]["tokens"]["input"] = "9388"
    document["messages"][5]["content"] = 42
    path = tmp_path / "session-2026-03-02T09-14-5c1f0a9e.json"
    path.write_text(json.dumps(document, indent=2))
    requests, problems = read(path)
    assert [r.origin.pointer for r in requests] == ["/messages/1", "/messages/3"]
    reasons = [p.reason for p in problems]
    assert reasons[0] == (
        "field input at /messages/2/tokens/input has type string, expected a whole number of tokens"
    )
    assert reasons[1].startswith(
        "request not checked: its history holds the message at /messages/5"
    )
    text = path.read_text().splitlines()
    assert '"input": "9388"' in text[problems[0].line - 1]


def test_a_broken_log_line_loses_only_its_line(tmp_path):
    lines = LOG.read_text().splitlines()
    lines[6] = json.dumps(dict(json.loads(lines[6]), tokens=[]))
    path = tmp_path / "session.jsonl"
    path.write_text("\n".join(lines) + "\n")
    requests, problems = read(path)
    assert [r.origin.line for r in requests] == [5, 9, 12]
    assert [(p.line, p.reason) for p in problems] == [
        (7, "field tokens at /tokens has type array, expected object")
    ]


def test_a_fork_naming_the_model_message_otherwise_is_read(tmp_path):
    """IBM Bob, a fork of the CLI, writes its model messages as `bob-shell`."""
    document = json.loads(DOCUMENT.read_text())
    for record in document["messages"]:
        if record["type"] == "gemini":
            record["type"] = "bob-shell"
    path = tmp_path / "session.json"
    path.write_text(json.dumps(document))
    requests, problems = read(path)
    assert problems == []
    assert [kinds(r) for r in requests] == [kinds(r) for r in read(DOCUMENT)[0]]
