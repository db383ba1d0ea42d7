"""The stand-in for what Claude Code does not record: its system prompt and tools, then the
context it injects into the first user message, which a compaction or a background task's
notification rebuilds while the system prompt stays cached."""

from __future__ import annotations

from pathlib import Path

import orjson

from ctxlint.config import Settings
from ctxlint.simulate.explain import CONTEXT_REBUILT
from ctxlint.simulate.prompt_layout import CONTEXT, Renderer
from ctxlint.simulate.simulator import Options, Simulator
from ctxlint.simulate.tokens import Tokenizer, TokenizerChoice
from ctxlint.simulate.unrecorded import rebuilds_context, stand_ins
from ctxlint.trace.model import TEXT, Block, Origin, Request, Usage, message

SESSION = "5f0c9d2e-8a41-4b7e-9c3d-0e6f1a2b3c4d"
# The system prompt and tools hold 12,000 tokens; earlier sessions of the agent left the
# first 10,000 of them (the part no session changes) in the cache.
SHARED_BY_SESSIONS, SYSTEM_AND_TOOLS = 10_000, 12_000


class Transcript:
    """A Claude Code transcript written line by line, with the usage Anthropic reports."""

    def __init__(self) -> None:
        self.lines: list[dict] = []
        self.parent: str | None = None
        self.total = 0
        self.minute = 0

    def _line(self, kind: str, **fields) -> dict:
        self.minute += 1
        line = {
            "type": kind,
            "uuid": f"{kind[0]}{len(self.lines)}",
            "parentUuid": self.parent,
            "sessionId": SESSION,
            "version": "2.1.38",
            "timestamp": f"2026-02-10T10:{self.minute:02d}:00.000Z",
            **fields,
        }
        self.lines.append(line)
        self.parent = line["uuid"]
        return line

    def user(self, content, **fields) -> None:
        self._line("user", message={"role": "user", "content": content}, **fields)

    def compact(self) -> None:
        self.parent = None
        self._line("system", subtype="compact_boundary", content="Conversation compacted")

    def answer(self, text: str, read: int, grown: int) -> None:
        """A response to a prompt `grown` tokens longer than the last, of which `read` came
        from the cache and the rest was written to it."""
        self.total += grown
        usage = {
            "input_tokens": 3,
            "cache_read_input_tokens": read,
            "cache_creation_input_tokens": self.total - read - 3,
            "cache_creation": {"ephemeral_1h_input_tokens": self.total - read - 3},
            "output_tokens": 40,
        }
        self._line(
            "assistant",
            requestId=f"req_{len(self.lines)}",
            message={
                "id": f"msg_{len(self.lines)}",
                "role": "assistant",
                "model": "claude-opus-4-6",
                "content": [{"type": "text", "text": text}],
                "usage": usage,
            },
        )
        self.total += 40

    def write(self, path: Path) -> Path:
        path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in self.lines))
        return path


def notification(task: str) -> str:
    return (
        f"<task-notification>\n<task-id>{task}</task-id>\n<status>completed</status>\n"
        f'<summary>Background command "Run the tests" completed (exit code 0)</summary>\n'
        "</task-notification>\nRead the output file to retrieve the result."
    )


def session(tmp_path: Path) -> Path:
    transcript = Transcript()
    transcript.user("Start the server in the background and fix the failing test.")
    # What the first prompt holds beyond its message: system prompt, tools, injected context.
    transcript.answer("Starting it.", SHARED_BY_SESSIONS, 16_000)
    transcript.user("The server is up. " * 40)
    read = transcript.total
    transcript.answer("It is running; now the test.", read, 600)
    transcript.user(notification("b0be39e"))
    transcript.answer("The tests finished.", SYSTEM_AND_TOOLS, 120)
    transcript.user("Good. Commit it.")
    read = transcript.total
    transcript.answer("Committed.", read, 30)
    transcript.compact()
    transcript.user(
        "This session is being continued from a previous conversation. Summary: " + "x " * 300,
        isCompactSummary=True,
    )
    transcript.total = SYSTEM_AND_TOOLS + 4_000
    transcript.answer("Continuing.", SYSTEM_AND_TOOLS, 500)
    return transcript.write(tmp_path / f"{SESSION}.jsonl")


def test_a_rebuilt_context_falls_back_to_the_system_prompt_and_tools(tmp_path):
    results = list(Simulator(Options(), Settings()).run([str(session(tmp_path))]))
    assert len(results) == 5
    first, grown, notified, after, compacted = results
    assert first.agrees and grown.agrees
    # The first fallback reads to the boundary the session started with, the shared part.
    assert abs(notified.cached_predicted - SHARED_BY_SESSIONS) < 50
    assert notified.cached_reported == SYSTEM_AND_TOOLS and not notified.agrees
    assert notified.miss.reason == CONTEXT_REBUILT
    assert notified.miss.segment == "messages[0].context"
    # It shows where the boundary lies: the request after it reads all of it again, and the
    # compaction falls back to the boundary it showed, a compaction's own miss.
    assert after.agrees and after.miss is None
    assert compacted.agrees and compacted.miss.code == "CTX006"


def request(format: str, cached: int, last: str = "Fix the test.", **fields) -> Request:
    return Request(
        path="t.jsonl",
        origin=Origin(1, ""),
        session="s",
        format=format,
        messages=(message("user", [Block(TEXT, text=last)], Origin(1, "")),),
        model="claude-opus-4-6",
        usage=Usage(prompt_tokens=20_000, cached_tokens=cached),
        **fields,
    )


def test_the_stand_in_is_split_at_the_first_read_only_for_claude_code():
    renderer = Renderer(Tokenizer("o200k_base"), "anthropic")
    choice = TokenizerChoice("o200k_base")
    split = stand_ins(request("claude-code", 12_000), renderer, choice)
    assert split["system"] == 12_000 and split["system"] + split[CONTEXT] > 19_900
    # Nothing read from earlier sessions: where the boundary lies is not known.
    assert CONTEXT not in stand_ins(request("claude-code", 0), renderer, choice)
    # Other agents inject nothing unrecorded into the first message.
    assert CONTEXT not in stand_ins(request("canonical", 12_000), renderer, choice)


def test_what_rebuilds_the_context():
    with_context = {"system": 100, CONTEXT: 50}
    assert rebuilds_context(request("claude-code", 0, notification("a1")), with_context)
    assert rebuilds_context(request("claude-code", 0, compacted=True), with_context)
    assert not rebuilds_context(request("claude-code", 0), with_context)
    assert not rebuilds_context(request("claude-code", 0, notification("a1")), {"system": 100})


def test_a_sub_agent_shares_no_unrecorded_prefix_with_the_main_agent(tmp_path):
    """A sub-agent is sent a system prompt and tools of its own: its stand-in must not read
    what the main agent's stand-in left in the cache."""
    transcript = Transcript()
    transcript.user("Look into the failing test.")
    transcript.answer("Asking a sub-agent.", SHARED_BY_SESSIONS, 16_000)
    # The sub-agent's first request, written to the same file, read nothing from the cache.
    transcript.parent, transcript.total = None, 0
    sidechain = {"isSidechain": True, "agentId": "a1b2c3"}
    transcript.user("Find where the test fails.", **sidechain)
    # Its stand-in is longer than the main agent's system prompt and tools, whose end is cached.
    transcript.answer("It fails in parse().", 0, 14_000)
    transcript.lines[-1].update(sidechain)
    results = list(
        Simulator(Options(), Settings()).run([str(transcript.write(tmp_path / "s.jsonl"))])
    )
    main, sub = results
    assert sub.session.endswith("/agent-a1b2c3")
    assert main.cached_predicted > 0
    assert sub.cached_reported == 0 and sub.cached_predicted == 0 and sub.agrees
