"""Trace input at its edges: reported sizes no cache could hold, a byte order mark, files with
nothing to list, lines too long to hold, and the simulator's own guards."""

from __future__ import annotations

import gzip
import io
import json
import math
import os
import random
import re
import tracemalloc
from array import array
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from ctxlint.cli import main
from ctxlint.config import Settings
from ctxlint.simulate.prompt_layout import TokenRun
from ctxlint.simulate.simulator import Options, Simulator
from ctxlint.simulate.tokens import Tokenizer
from ctxlint.simulate.tree import common_prefix
from ctxlint.trace import reading, volatile
from ctxlint.trace.loader import TraceReader
from ctxlint.trace.model import Block, Origin, Request, Usage, message
from ctxlint.trace.reading import Problem
from ctxlint.trace.sessions import summarize
from ctxlint.trace.typed import MAX_PROMPT_TOKENS

# The sizes the issue found crashing or exhausting the simulator, as a trace spells them.
REPORTED_SIZES = ("1000000000000000000000", "1e400", "2e10", "20000000000", "1000000000")
# What a replay of a one-line trace may allocate, whatever size it reports: the old stand-in
# for an unrecorded system prompt took 4 bytes per reported token (4 GB for 1e9).
REPLAY_MEMORY = 32 * 2**20


def run(args: list[str], cwd: Path):
    before = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(before)


def canonical(usage: str, session: str = "s", content: str = "hi") -> str:
    """A canonical line with no system prompt recorded, so the simulator stands one in for what
    the reported size holds beyond the messages."""
    return (
        f'{{"ctxlint":1,"session":"{session}","model":"claude-sonnet-4-5",'
        f'"messages":[{{"role":"user","content":"{content}"}}],'
        f'"usage":{{"prompt_tokens":{usage}}}}}\n'
    )


def openai_envelope(usage: str) -> str:
    body = {
        "request": {"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}]},
        "response": {
            "id": "c",
            "object": "chat.completion",
            "created": 1772359201,
            "model": "gpt-4.1",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 20},
        },
    }
    text = orjson.dumps(body).decode()
    return text.replace('"prompt_tokens":0', f'"prompt_tokens":{usage}') + "\n"


def peak_allocated(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# Reported sizes ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", REPORTED_SIZES)
@pytest.mark.parametrize("write", [canonical, openai_envelope], ids=["canonical", "openai"])
@pytest.mark.parametrize("command", [["simulate"], []], ids=["simulate", "check"])
def test_a_reported_size_beyond_any_context_is_named_not_simulated(tmp_path, size, write, command):
    trace = tmp_path / "t.jsonl"
    trace.write_text(write(size) + write("40"))
    run([*command, trace], tmp_path)  # tokenizer and modules loaded outside the measure
    outcome = {}
    peak = peak_allocated(lambda: outcome.setdefault("result", run([*command, trace], tmp_path)))
    result = outcome["result"]
    assert peak < REPLAY_MEMORY
    assert "Traceback" not in result.output and "internal error" not in result.output
    # Never simulated as a size (a cost of thousands of dollars or more); `simulate` says
    # which line it left out.
    assert not re.search(r"\$\d{1,3}(,\d{3})+", result.output)
    if command:
        assert "t.jsonl:1:" in result.output


@pytest.mark.parametrize(
    "value",
    [10**21, 10**400, 2 * 10**10, 10**9, 2e10, 1e308, math.inf, -math.inf, math.nan, -1],
    ids=["1e21", "1e400", "2e10", "1e9", "2e10-float", "1e308", "inf", "-inf", "nan", "-1"],
)
@pytest.mark.parametrize(
    "field", ["prompt_tokens", "cached_tokens", "cache_write_tokens", "output_tokens"]
)
def test_the_simulator_leaves_out_a_count_it_cannot_compute_with(value, field):
    """Defence in depth: whatever number a reader lets through reaches no float, no cost and
    no allocation."""
    simulator = Simulator(Options(), Settings())
    asked = message("user", [Block("text", "hi")], None)
    answered = message("assistant", [Block("text", "ok")], None)
    first = Request("t.jsonl", Origin(1), "s", "ctxlint", (asked,), model="claude-sonnet-4-5")
    first.usage = Usage(prompt_tokens=900, cached_tokens=0, output_tokens=5)
    # A Usage refuses such a count when made; one changed afterwards is what is left to guard.
    object.__setattr__(first.usage, field, value)
    second = Request(
        "t.jsonl", Origin(2), "s", "ctxlint", (asked, answered, asked), model="claude-sonnet-4-5"
    )
    second.usage = Usage(prompt_tokens=950, cached_tokens=900, output_tokens=5)
    simulator.replay(first)  # loads the tokenizer outside the measure
    simulator = Simulator(Options(), Settings())
    results = []
    peak = peak_allocated(lambda: results.extend(map(simulator.replay, (first, second))))
    assert peak < REPLAY_MEMORY
    for result in results:
        for figure in (result.prompt_tokens, result.cost, result.cost_ideal, result.output_tokens):
            assert math.isfinite(figure) and 0 <= figure <= MAX_PROMPT_TOKENS
    reported = {"cached_tokens": results[0].cached_reported}
    reported["cache_write_tokens"] = results[0].written_reported
    assert reported.get(field) is None
    ((path, problem),) = simulator.problems
    assert (path, problem.line) == ("t.jsonl", 1)
    assert field in problem.reason and len(problem.reason) < 160


def test_a_stand_in_compares_as_the_array_it_stands_for():
    run_of = TokenRun(7, 5)
    assert len(run_of) == 5 and list(run_of) == [7] * 5 and run_of[-1] == 7
    assert run_of[1:3] == TokenRun(7, 2) and len(run_of[2:]) == 3
    expanded = [7] * 5
    for other in ([], [7, 7], [7] * 5, [7] * 6, [3], [7, 7, 9], [9], [7, 3, 1, 1, 1, 1]):
        as_array = array("I", other)
        assert (run_of == as_array) is (expanded == other)
        assert (run_of < as_array) is (expanded < other)
        assert (run_of >= as_array) is (expanded >= other)
        assert (as_array < run_of) is (other < expanded)
        assert common_prefix(run_of, as_array) == common_prefix(expanded, other)
    assert common_prefix(TokenRun(7, 10**12), TokenRun(7, 10**9)) == 10**9


# Reading ---------------------------------------------------------------------------------


def requests_and_problems(path: Path) -> tuple[list[Request], list[Problem]]:
    items = list(TraceReader(str(path)))
    requests = [item for item in items if isinstance(item, Request)]
    return requests, [item for item in items if isinstance(item, Problem)]


TRAJECTORY = {
    "messages": [
        {"role": "system", "content": "You fix bugs."},
        {"role": "user", "content": "Fix it."},
        {"role": "assistant", "content": "Done.", "extra": {"response": {"model": "gpt-4.1"}}},
    ]
}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("t.jsonl", (canonical("40") + canonical("90", content="again")).encode()),
        ("t.jsonl.gz", gzip.compress((canonical("40") + canonical("90")).encode())),
        ("t.traj.json", orjson.dumps(TRAJECTORY)),
        ("t.traj.json.gz", gzip.compress(orjson.dumps(TRAJECTORY))),
    ],
    ids=["jsonl", "jsonl-gzip", "document", "document-gzip"],
)
def test_a_byte_order_mark_before_the_json_is_skipped(tmp_path, name, content):
    plain = tmp_path / name
    plain.write_bytes(content)
    marked = tmp_path / f"marked-{name}"
    if name.endswith(".gz"):
        marked.write_bytes(gzip.compress(b"\xef\xbb\xbf" + gzip.decompress(content)))
    else:
        marked.write_bytes(b"\xef\xbb\xbf" + content)
    expected, _ = requests_and_problems(plain)
    found, problems = requests_and_problems(marked)
    assert expected and problems == []
    assert [r.messages for r in found] == [r.messages for r in expected]
    assert [r.usage for r in found] == [r.usage for r in expected]
    result = run(["sessions", marked], tmp_path)
    assert result.exit_code == 0 and "warning" not in result.output


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("t.jsonl.gz", (canonical("40") + canonical("90", content="again")).encode()),
        ("t.traj.json.gz", orjson.dumps(TRAJECTORY)),
    ],
    ids=["lines", "document"],
)
def test_a_gzip_trace_damaged_anywhere_is_a_problem_never_an_exception(tmp_path, name, content):
    # The standard library raises EOFError and zlib.error from any read of damaged gzip, the
    # first one (done to skip a byte order mark) included; whoever reads a trace must meet
    # only OSError, so that no caller can miss one.
    packed = gzip.compress(content)
    damaged = tmp_path / name
    for position in range(len(packed)):
        flipped = packed[:position] + bytes([packed[position] ^ 0xFF]) + packed[position + 1 :]
        for data, cut in ((packed[:position], True), (flipped, False)):
            damaged.write_bytes(data)
            try:
                with reading.open_trace(str(damaged)) as stream:
                    stream.read()
            except OSError:
                pass
            _, problems = requests_and_problems(damaged)
            summarize(str(damaged))
            reading.blank_text(str(damaged))
            if cut and position > 0:
                assert problems, (position, data)


def claude_code_line(uuid: str, parent: str | None, text: str, request: str = "") -> dict:
    line = {
        "type": "assistant" if request else "user",
        "uuid": uuid,
        "parentUuid": parent,
        "sessionId": "s",
        "timestamp": "2026-02-10T21:11:52.438Z",
        "message": {"role": "assistant" if request else "user", "content": text},
    }
    if request:
        line["requestId"] = request
        line["message"]["usage"] = {"input_tokens": 10, "output_tokens": 2}
    return line


def claude_code_chain(*branches: tuple[str, int]) -> list[dict]:
    """Conversations of `turns` question-and-answer pairs each, one after the other."""
    records = []
    for name, turns in branches:
        parent = None
        for turn in range(turns):
            records.append(claude_code_line(f"{name}u{turn}", parent, f"{name}question {turn}"))
            answer = f"{name}answer {turn}"
            records.append(claude_code_line(f"{name}a{turn}", f"{name}u{turn}", answer, answer))
            parent = f"{name}a{turn}"
    return records


def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def test_a_claude_code_line_of_a_type_not_known_is_passed_through(tmp_path):
    # Claude Code adds kinds of line from version to version; one linked into the chain was
    # "not a record" and the history of every later request was cut where it stood.
    records = claude_code_chain(("", 2))
    expected, _ = requests_and_problems(
        write_lines(tmp_path / "plain.jsonl", [orjson.dumps(r) for r in records])
    )
    added = {"type": "turn-marker", "uuid": "m", "parentUuid": "a0", "sessionId": "s"}
    records[2]["parentUuid"] = "m"
    lines = [orjson.dumps(r) for r in records]
    lines.insert(2, orjson.dumps(added))
    found, problems = requests_and_problems(write_lines(tmp_path / "t.jsonl", lines))
    assert problems == []
    assert [[m.key for m in r.messages] for r in found] == [
        [m.key for m in r.messages] for r in expected
    ]


@pytest.mark.parametrize(
    "damage",
    [
        lambda record: b'{"type": "user", "uuid": "u1", "parentUuid": "a0", "sessi',
        lambda record: orjson.dumps({k: v for k, v in record.items() if k != "uuid"}),
        lambda record: orjson.dumps({**record, "uuid": None}),
        lambda record: orjson.dumps({**record, "type": "user-v2"}),
    ],
    ids=["not-json", "uuid-missing", "uuid-null", "type-unknown-with-message"],
)
def test_a_claude_code_line_that_cannot_be_read_costs_only_the_requests_through_it(
    tmp_path, damage
):
    # The requests after line 3 run through it, and their history is not known: they are
    # not checked (a history cut there gave a false CTX006). The first request, and a later
    # conversation that does not run through it, are read as they are.
    records = claude_code_chain(("", 3), ("other ", 2))
    lines = [orjson.dumps(r) for r in records]
    lines[2] = damage(records[2])
    found, problems = requests_and_problems(write_lines(tmp_path / "t.jsonl", lines))
    assert [r.origin.line for r in found] == [2, 8, 10]
    assert [p.line for p in problems] == [3, 4, 6]
    other = found[2].messages
    assert [m.text() for m in other] == ["other question 0", "other answer 0", "other question 1"]


def codex_rollout(input_tokens: list) -> list[bytes]:
    """A rollout of one request per count, each ended by a token_count event that Codex
    repeats, unchanged, after the next input."""
    stamp = {"timestamp": "2026-02-23T11:41:00.000Z"}
    lines = [
        {"type": "session_meta", "payload": {"id": "r", "model_provider": "openai"}, **stamp},
        {"type": "turn_context", "payload": {"model": "gpt-5-codex"}, **stamp},
    ]
    event = None
    total = 0
    for number, count in enumerate(input_tokens):
        for role, kind in (("user", "input_text"), ("assistant", "output_text")):
            content = [{"type": kind, "text": f"{role} {number}"}]
            item = {"type": "message", "role": role, "content": content}
            lines.append({"type": "response_item", "payload": item, **stamp})
            if role == "user" and event is not None:
                lines.append(event)
        total += 100
        info = {"total_token_usage": {"total": total}, "last_token_usage": {"input_tokens": count}}
        event = {"type": "event_msg", "payload": {"type": "token_count", "info": info}, **stamp}
        lines.append(event)
    return [orjson.dumps(line) for line in lines]


def test_a_wrong_usage_in_a_codex_rollout_loses_its_request_and_no_history(tmp_path):
    good, _ = requests_and_problems(write_lines(tmp_path / "good.jsonl", codex_rollout([5] * 3)))
    bad = write_lines(tmp_path / "bad.jsonl", codex_rollout([5, "5", 5]))
    found, problems = requests_and_problems(bad)
    # The request the event ends is lost; its repeat after the next input is still a repeat,
    # not a request made up of the wrong span.
    assert [r.origin.line for r in found] == [r.origin.line for r in good[::2]]
    assert [r.messages for r in found] == [r.messages for r in good[::2]]
    assert [p.line for p in problems] == [good[1].origin.line]


class RecordingStream(io.BytesIO):
    """A stream that remembers the most bytes it handed over at once."""

    largest = 0

    def _seen(self, data: bytes) -> bytes:
        self.largest = max(self.largest, len(data))
        return data

    def readline(self, size: int | None = -1) -> bytes:
        return self._seen(super().readline(size))

    def read(self, size: int | None = -1) -> bytes:
        return self._seen(super().read(size))

    def __next__(self) -> bytes:
        return self._seen(super().__next__())


def test_a_line_longer_than_the_cap_is_skipped_without_being_held(monkeypatch):
    monkeypatch.setattr(reading, "MAX_LINE_BYTES", 1000)
    long_line = canonical("40", content="x" * 5000)
    stream = RecordingStream((canonical("40") + long_line + canonical("90")).encode())
    items = list(reading.read_lines(stream))
    assert [type(item).__name__ for item in items] == ["Line", "Problem", "Line"]
    assert [item.number if isinstance(item, reading.Line) else item.line for item in items] == [
        1,
        2,
        3,
    ]
    assert "longer than 1,000 bytes" in items[1].reason
    assert stream.largest <= 1001


def test_a_line_as_long_as_the_cap_is_read(monkeypatch):
    line = canonical("40").rstrip("\n").encode()
    monkeypatch.setattr(reading, "MAX_LINE_BYTES", len(line))
    items = list(reading.read_lines(io.BytesIO(line + b"\n" + line)))
    assert [type(item).__name__ for item in items] == ["Line", "Line"]


def test_a_line_too_long_is_a_ctx900_at_its_line(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_LINE_BYTES", 1000)
    trace = tmp_path / "t.jsonl"
    trace.write_text(canonical("40") + canonical("40", content="x" * 5000) + canonical("90"))
    result = run(["--output-format", "json", trace], tmp_path)
    findings = orjson.loads(result.stdout)
    assert [(f["code"], f["location"]["row"]) for f in findings] == [("CTX900", 2)]
    simulated = run(["simulate", "--output-format", "json", trace], tmp_path)
    assert orjson.loads(simulated.stdout)["summary"]["requests"] == 2


def test_a_json_document_larger_than_the_cap_is_a_ctx900_without_being_read_whole(
    tmp_path, monkeypatch
):
    document = tmp_path / "log.json"
    document.write_bytes(b'{"version": 2, "eval": {}, "samples": [' + b" " * 5000 + b"]}")
    read_sizes: list[int] = []
    opened = reading.open_trace

    def recording(path):
        stream = opened(path)
        original = stream.read
        stream.read = lambda size=-1: read_sizes.append(size) or original(size)
        return stream

    monkeypatch.setattr(reading, "open_trace", recording)
    monkeypatch.setattr(reading, "MAX_DOCUMENT_BYTES", 1000)
    with pytest.raises(reading.ReadFailure) as failure:
        reading.read_document(str(document))
    assert failure.value.problem == reading.Problem(
        1, "JSON document too large to read whole: more than 1,000 bytes"
    )
    assert read_sizes == [1001]
    # At the cap itself a document is read as before.
    monkeypatch.setattr(reading, "MAX_DOCUMENT_BYTES", document.stat().st_size)
    assert reading.read_document(str(document))[1]["version"] == 2


def test_a_json_document_too_large_is_reported_at_its_first_line(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_DOCUMENT_BYTES", 1000)
    document = tmp_path / "log.json"
    document.write_bytes(b'{"version": 2, "eval": {}, "samples": [' + b" " * 5000 + b"]}")
    result = run(["--output-format", "json", document], tmp_path)
    findings = orjson.loads(result.stdout)
    assert [(f["code"], f["location"]["row"]) for f in findings] == [("CTX900", 1)]
    assert "too large to read whole" in findings[0]["message"]


# Files with nothing to list ------------------------------------------------------------------

NOTHING_TO_LIST = {
    "empty.jsonl": (b"", "empty file"),
    "blank.jsonl": (b"  \n\n\t \n", "only blank lines"),
    "blank.jsonl.gz": (gzip.compress(b"\n \n"), "only blank lines"),
    # A Claude Code transcript whose only line is a summary: read, but no request in it.
    "summary.jsonl": (
        b'{"type":"summary","summary":"Earlier work","leafUuid":"u1"}\n',
        "a claude-code trace with no requests",
    ),
}


@pytest.mark.parametrize("name", NOTHING_TO_LIST)
@pytest.mark.parametrize("command", ["sessions", "simulate"])
def test_a_trace_with_nothing_to_list_says_so_and_is_not_an_error(tmp_path, name, command):
    content, said = NOTHING_TO_LIST[name]
    trace = tmp_path / name
    trace.write_bytes(content)
    result = run([command, trace], tmp_path)
    assert result.exit_code == 0, result.output
    assert f"note: {trace}: {said}" in result.stderr


@pytest.mark.parametrize("command", ["sessions", "simulate"])
def test_a_trace_of_no_known_format_is_an_error(tmp_path, command):
    trace = tmp_path / "other.jsonl"
    trace.write_text('{"name":"not a trace"}\n')
    result = run([command, trace], tmp_path)
    assert result.exit_code == 2
    assert f"{trace}:1: unknown trace format" in result.stderr


@pytest.mark.parametrize("command", ["sessions", "simulate"])
def test_a_command_that_reads_only_traces_reads_a_file_named_as_anything(tmp_path, command):
    # Discovery took a name of no trace suffix for Python, which these commands pass over:
    # nothing listed, exit 0, whatever the file held.
    (tmp_path / "t.log").write_text(canonical("40") + canonical("90", content="again"))
    listed = run([command, "--output-format", "json", "t.log"], tmp_path)
    assert listed.exit_code == 0, listed.output
    found = orjson.loads(listed.stdout)
    assert (found[0]["requests"] if command == "sessions" else len(found["requests"])) == 2
    (tmp_path / "tool.py").write_text("print('hi')\n")
    named = run([command, "tool.py"], tmp_path)
    # Both commands say what the file is, not "not Python or a trace format ctxlint reads".
    assert named.exit_code == 2 and "tool.py: Python source, not a trace" in named.stderr


def test_a_forced_trace_format_reads_standard_input_of_any_name(tmp_path):
    trace = canonical("40") + '{"type": []}\n'
    for name in ("-", "t.log"):
        args = ["--trace-format", "ctxlint", "--output-format", "json", "--stdin-filename", name]
        before = os.getcwd()
        os.chdir(tmp_path)
        try:
            result = CliRunner().invoke(main, args, input=trace, catch_exceptions=False)
        finally:
            os.chdir(before)
        found = [(f["code"], f["location"]["row"]) for f in orjson.loads(result.stdout)]
        assert found == [("CTX900", 2)], (name, result.output)


def test_sessions_lists_what_it_can_beside_a_file_with_nothing(tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "t.jsonl").write_text(canonical("40"))
    result = run(["sessions", tmp_path / "empty.jsonl", tmp_path / "t.jsonl"], tmp_path)
    assert result.exit_code == 0
    assert "empty file" in result.stderr and "ctxlint" in result.stdout


# The simulated summary after a plain check ---------------------------------------------------


def test_a_fault_in_the_simulator_costs_the_summary_not_the_findings(tmp_path, monkeypatch):
    trace = tmp_path / "t.jsonl"
    clock = (
        '{"ctxlint":1,"session":"s","system":"Now %s","messages":[{"role":"user","content":"a"}]}'
    )
    trace.write_text(clock % "10:00" + "\n" + clock % "10:01" + "\n")

    def broken(self, request, recorded=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(Simulator, "replay", broken)
    result = run([trace], tmp_path)
    # A fault of ctxlint's own exits 2 as one while checking a file does; the findings stand.
    assert result.exit_code == 2
    assert f"{trace}:2:1: CTX001" in result.stdout
    assert f"warning: {trace}:1: no simulated summary: internal error: RuntimeError: boom" in (
        result.stderr
    )
    assert "Simulated" not in result.output


# Memory per request ------------------------------------------------------------------------

# Characters where tokenizers' pre-tokenization rules differ: letters of both cases, digits,
# contractions, whitespace of every kind, punctuation, accented and combining letters, CJK,
# emoji, and the special token's spelling.
PIECES = [
    *"aZq09 \n\r\t'\".,/:{}+=-_",
    "'s",
    "'LL",
    "  ",
    "\n\n",
    " \n",
    "é",
    "e\u0301",
    "日本語",
    "🙂",
    "ß",
    "123456",
    "<|endoftext|>",
    "don't",
    "HTTPServer",
]


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
def test_a_long_text_encoded_in_pieces_has_the_tokens_of_the_whole(encoding):
    tokenizer = Tokenizer(encoding)
    chooser = random.Random(13)
    generated = ["".join(chooser.choices(PIECES, k=chooser.randint(1, 120))) for _ in range(300)]
    written = [
        (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8"),
        Path(__file__).read_text(encoding="utf-8"),
    ]
    for texts, pieces in ((generated, (1, 7)), (written, (50, 1000))):
        for text in texts:
            whole = array("I", tokenizer.encoding.encode_ordinary(text))
            for piece in pieces:
                assert tokenizer.encode(text, piece) == whole, (piece, text[:200])


def test_encoding_a_long_text_holds_about_its_tokens_not_a_python_int_each():
    tokenizer = Tokenizer("o200k_base")
    text = " ".join(f"w{number % 9973}x" for number in range(60_000))
    piece = 2**14
    tokenizer.encode("warm up")
    found = []
    peak = peak_allocated(lambda: found.append(tokenizer.encode(text, piece)))
    # The array itself (4 bytes a token, grown by an eighth at a time), one piece's list and
    # its slice of the text; a list of the whole text's tokens alone took 8 times the array.
    assert len(text) > 20 * piece
    assert peak < 2 * 4 * len(found[0]) + 40 * piece


@pytest.mark.parametrize(
    "text", ["a" * 30_000, "日本語の文章" * 5_000], ids=["one-letter", "japanese"]
)
def test_a_long_run_with_nowhere_to_cut_is_cut_anyway_at_the_same_places(text):
    tokenizer = Tokenizer("o200k_base")
    whole = tokenizer.encoding.encode_ordinary(text)
    pieces = tokenizer.encode(text, 1000, 4000)
    cuts = len(text) // 4000
    assert cuts >= 5
    # Merges across a cut are lost: a token or two per cut, never more.
    assert abs(len(pieces) - len(whole)) <= 2 * cuts
    # Where it is cut depends on the text before, so a longer text starts with its tokens.
    assert tokenizer.encode(text + "more", 1000, 4000)[: len(pieces) - 2] == pieces[:-2]


VOLATILE_PIECES = [
    *"ab 0.:-\n\t'\"/",
    "word",
    "Word",
    "2026-03-02T09:00:00Z",
    "10:01",
    "req_01abc234",
    "1772359201",
    "  ",
    "é",
    "日本",
    "deadbeef01",
]


def _edited(text: str, chooser: random.Random) -> str:
    for _ in range(chooser.randint(1, 3)):
        start = chooser.randint(0, len(text))
        end = min(len(text), start + chooser.randint(0, 6))
        inserted = "".join(chooser.choices(VOLATILE_PIECES, k=chooser.randint(0, 2)))
        text = text[:start] + inserted + text[end:]
    return text


def test_volatile_change_splits_only_what_differs_and_finds_what_the_whole_texts_give(
    monkeypatch,
):
    chooser = random.Random(7)
    pairs = []
    for _ in range(1500):
        pieces = chooser.choices(VOLATILE_PIECES, k=chooser.randint(0, 30))
        before = "".join(pieces)
        pairs.append((before, _edited(before, chooser)))
        for _ in range(chooser.randint(1, 3)):
            if pieces:
                pieces[chooser.randrange(len(pieces))] = chooser.choice(VOLATILE_PIECES[-5:])
        pairs.append((before, "".join(pieces)))
    pairs += [("a b", "a b b"), ("a b", "a X b"), ("x.y.z", "x.y.y.z"), ("aa aa", "aa"), ("", "a")]
    found = [volatile.volatile_change(before, after) for before, after in pairs]
    # The same, splitting the whole of both texts into tokens, as before.
    monkeypatch.setattr(volatile, "_common_start", lambda before, after: 0)
    monkeypatch.setattr(volatile, "_common_end", lambda b, a, start: (len(b), len(a)))
    whole = [volatile.volatile_change(before, after) for before, after in pairs]
    assert found == whole
    assert sum(change is not None for change in found) > 30


def test_volatile_change_in_a_long_text_splits_only_around_the_change():
    before = "Log line 17 of the build at 2026-03-02T09:00:00Z went fine.\n" * 20_000
    after = before[:600_000] + before[600_000:].replace("09:00:00Z", "09:00:05Z", 1)
    peak = peak_allocated(lambda: volatile.volatile_change(before, after))
    # The texts' tokens as strings took some 60 bytes a character; now a stretch at a time.
    assert peak < len(before) // 4
    change = volatile.volatile_change(before, after)
    assert change is not None and (change.before, change.after) == (
        "2026-03-02T09:00:00Z",
        "2026-03-02T09:00:05Z",
    )


def test_characters_before_a_divergence_are_counted_a_slice_at_a_time(monkeypatch):
    from ctxlint.simulate import explain
    from ctxlint.simulate.prompt_layout import Renderer

    renderer = Renderer(Tokenizer("o200k_base"), "openai")
    text = "Résumé 🙂 日本語のテキスト, ok. " * 40
    tokens = renderer.tokenizer.tokens(text)
    expected = [
        len(
            renderer.tokenizer.encoding.decode_bytes(list(tokens[:count])).decode("utf-8", "ignore")
        )
        for count in range(len(tokens) + 1)
    ]
    monkeypatch.setattr(explain, "_DECODED_AT_A_TIME", 3)
    found = [explain._character_offset(renderer, tokens, count) for count in range(len(tokens) + 1)]
    assert found == expected


def test_a_record_of_another_format_is_named_in_words_that_read_right(tmp_path):
    # "a record of format openai in a anthropic file": no article fits every format's name.
    from ctxlint.trace.loader import TraceReader
    from ctxlint.trace.reading import Problem

    body = {"model": "claude-sonnet-4-5", "max_tokens": 9, "system": "S", "messages": []}
    chat = {"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}]}
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps(body) + "\n" + json.dumps(chat) + "\n")
    [problem] = [item for item in TraceReader(str(path)) if isinstance(item, Problem)]
    assert problem.reason == (
        "mixed formats: a record of format openai in a file of format anthropic; skipped"
    )
