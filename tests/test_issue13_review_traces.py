"""Issue 13 review of the trace readers: defects still found end to end, through the `ctxlint`
command, on traces a user can have (a cut-off download, a file named .ndjson, one bad field)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest


def ctxlint(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """The command as a user runs it: its own process, bytes in and out."""
    return subprocess.run(
        [sys.executable, "-m", "ctxlint", *args],
        cwd=cwd,
        input=b"",
        capture_output=True,
        timeout=120,
    )


def printed(result: subprocess.CompletedProcess) -> str:
    return result.stdout.decode("utf-8", "replace") + result.stderr.decode("utf-8", "replace")


def canonical_trace(requests: int = 3) -> bytes:
    history: list[dict] = []
    lines = []
    for number in range(requests):
        history.append({"role": "user", "content": f"question {number} " + "context " * 50})
        line = {"ctxlint": 1, "session": "s", "model": "gpt-4.1", "messages": list(history)}
        lines.append(json.dumps(line) + "\n")
        history.append({"role": "assistant", "content": f"answer {number}"})
    return "".join(lines).encode()


def _no_crash(result: subprocess.CompletedProcess) -> None:
    text = printed(result)
    assert "Traceback" not in text, text
    assert "internal error" not in text, text
    assert "Aborted!" not in text, text


@pytest.mark.parametrize("damage", ["cut after 20 bytes", "first block corrupt"])
def test_a_gzip_trace_damaged_in_its_first_bytes_is_a_ctx900_not_a_crash(tmp_path, damage):
    # open_trace reads the first three decompressed bytes (to skip a byte order mark) outside
    # any handler: EOFError and zlib.error escape. Today: a traceback from `simulate`,
    # "Aborted!" (click's word for EOFError) or a traceback from `sessions`, and "internal
    # error ... All checks passed!" from a plain check. A cut deeper into the file is handled.
    packed = gzip.compress(canonical_trace())
    if damage == "cut after 20 bytes":
        packed = packed[:20]
    else:
        packed = packed[:10] + b"\xff" * 20 + packed[30:]
    (tmp_path / "t.jsonl.gz").write_bytes(packed)
    for args in (["t.jsonl.gz"], ["sessions", "t.jsonl.gz"], ["simulate", "t.jsonl.gz"]):
        result = ctxlint(args, tmp_path)
        _no_crash(result)
        assert "t.jsonl.gz:1" in printed(result), (args, printed(result))
        assert result.returncode == 2, (args, printed(result))
    check = ctxlint(["--output-format", "json", "t.jsonl.gz"], tmp_path)
    assert [f["code"] for f in json.loads(check.stdout)] == ["CTX900"]


def test_a_forced_trace_format_reads_a_file_of_any_name(tmp_path):
    # A trace saved as .ndjson (or .log, .txt) is not a trace by its name, and --trace-format
    # does not change that: `sessions` prints nothing and exits 0, `simulate` simulates 0
    # requests and exits 0, and a plain check parses the JSON lines as Python (dict literals)
    # and says "All checks passed!" of a trace with an unreadable line.
    trace = canonical_trace() + b'{"type": []}\n'
    (tmp_path / "t.ndjson").write_bytes(trace)
    listed = ctxlint(
        ["sessions", "--trace-format", "ctxlint", "--output-format", "json", "t.ndjson"], tmp_path
    )
    assert [row["requests"] for row in json.loads(listed.stdout)] == [3], printed(listed)
    simulated = ctxlint(
        ["simulate", "--trace-format", "ctxlint", "--output-format", "json", "t.ndjson"], tmp_path
    )
    assert len(json.loads(simulated.stdout)["requests"]) == 3, printed(simulated)
    checked = ctxlint(
        ["--trace-format", "ctxlint", "--output-format", "json", "t.ndjson"], tmp_path
    )
    assert ("CTX900", 4) in [(f["code"], f["location"]["row"]) for f in json.loads(checked.stdout)]
    # Not forced: read as the trace it is, or said not to be read; never passed in silence.
    unforced = ctxlint(["sessions", "t.ndjson"], tmp_path)
    assert unforced.returncode != 0 or b'"s"' in unforced.stdout or b" s " in unforced.stdout
    assert "t.ndjson" in printed(unforced)


def claude_code_transcript(turns: int = 4, change_line: int | None = None, change=None) -> bytes:
    lines = []
    parent = None
    for number in range(turns):
        question = {
            "type": "user",
            "uuid": f"u{number}",
            "parentUuid": parent,
            "sessionId": "sess",
            "timestamp": f"2026-02-10T21:12:{2 * number:02d}.000Z",
            "message": {"role": "user", "content": f"question {number} " + "context " * 200},
        }
        answer = {
            "type": "assistant",
            "uuid": f"a{number}",
            "parentUuid": f"u{number}",
            "sessionId": "sess",
            "requestId": f"req{number}",
            "timestamp": f"2026-02-10T21:12:{2 * number + 1:02d}.000Z",
            "message": {
                "role": "assistant",
                "model": "claude-sonnet-4-5",
                "content": [{"type": "text", "text": f"answer {number}"}],
                "usage": {
                    "input_tokens": 10,
                    "cache_read_input_tokens": 300 * number,
                    "cache_creation_input_tokens": 300,
                    "output_tokens": 5,
                },
            },
        }
        lines += [question, answer]
        parent = f"a{number}"
    if change_line is not None:
        lines[change_line - 1].update(change)
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


@pytest.mark.parametrize(
    "change", [{"uuid": None}, {"type": "usr"}], ids=["uuid-null", "type-unknown"]
)
def test_a_claude_code_line_that_is_not_read_does_not_cut_the_later_histories(tmp_path, change):
    # Line 3 (the second question) is dropped: with `"uuid": null` silently (no CTX900 at
    # all), with an unknown `type` as "not a record ... skipped". The next line's parent is then
    # missing, and the history walk takes that for the start of the conversation: every later
    # request is read with its history cut before line 3, and CTX006 reports "the history was
    # cut at message 0", a finding made by the reader, not by the trace. A request whose history
    # runs through a line that could not be read is not checked (as for a wrong-typed line).
    (tmp_path / "good.jsonl").write_bytes(claude_code_transcript())
    good = ctxlint(["--output-format", "json", "good.jsonl"], tmp_path)
    assert json.loads(good.stdout) == [], printed(good)
    (tmp_path / "t.jsonl").write_bytes(claude_code_transcript(change_line=3, change=change))
    result = ctxlint(["--output-format", "json", "t.jsonl"], tmp_path)
    _no_crash(result)
    found = [(f["code"], f["location"]["row"]) for f in json.loads(result.stdout)]
    assert "CTX006" not in [code for code, _ in found], found
    assert ("CTX900", 3) in found, found


def codex_rollout(requests: int = 4, bad_usage_at: int | None = None) -> bytes:
    lines: list[dict] = [
        {
            "type": "session_meta",
            "payload": {
                "id": "rollout-1",
                "model_provider": "openai",
                "base_instructions": {"text": "You are a coding agent."},
            },
        },
        {"type": "turn_context", "payload": {"model": "gpt-5-codex"}},
    ]
    total = 0
    for number in range(requests):
        for role, kind, text in (
            ("user", "input_text", "question"),
            ("assistant", "output_text", "answer"),
        ):
            content = [{"type": kind, "text": f"{text} {number}"}]
            lines.append(
                {
                    "type": "response_item",
                    "payload": {"type": "message", "role": role, "content": content},
                }
            )
        total += 100 * (number + 1)
        last = {"input_tokens": 100 * (number + 1), "cached_input_tokens": 0, "output_tokens": 5}
        if number == bad_usage_at:
            last["input_tokens"] = "100"
        info = {"total_token_usage": {"input_tokens": total}, "last_token_usage": last}
        lines.append({"type": "event_msg", "payload": {"type": "token_count", "info": info}})
    for number, line in enumerate(lines):
        line["timestamp"] = f"2026-02-23T11:41:{number:02d}.000Z"
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def test_a_wrong_usage_count_in_a_codex_rollout_loses_only_its_own_request(tmp_path):
    # The usage of one request is not part of any later request's history, yet a string token
    # count in the first `token_count` event marks the history damaged: every request of the
    # rollout is "not checked", `sessions` lists nothing and exits 2, `simulate` says no
    # request could be read. (A Claude Code transcript with the same fault loses one request.)
    (tmp_path / "good.jsonl").write_bytes(codex_rollout())
    good = ctxlint(["sessions", "--output-format", "json", "good.jsonl"], tmp_path)
    assert [row["requests"] for row in json.loads(good.stdout)] == [4], printed(good)
    (tmp_path / "t.jsonl").write_bytes(codex_rollout(bad_usage_at=0))
    listed = ctxlint(["sessions", "--output-format", "json", "t.jsonl"], tmp_path)
    _no_crash(listed)
    assert "t.jsonl:5" in printed(listed)
    assert [row["requests"] for row in json.loads(listed.stdout)] == [3], printed(listed)


def test_a_document_forced_to_be_read_as_otlp_that_is_not_one_is_a_ctx900(tmp_path):
    # Every other document format says what the file lacks ("not an Inspect AI eval log: no
    # `eval` section"); forced as otel-genai-document, any JSON object reads as zero requests
    # and passes: "All checks passed!", exit 0.
    document = {"version": 2, "eval": {"task": "t"}, "samples": [{"id": 1, "events": []}]}
    (tmp_path / "log.json").write_text(json.dumps(document))
    result = ctxlint(
        ["--trace-format", "otel-genai-document", "--output-format", "json", "log.json"], tmp_path
    )
    assert [f["code"] for f in json.loads(result.stdout)] == ["CTX900"], printed(result)
