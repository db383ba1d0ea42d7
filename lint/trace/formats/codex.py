"""Codex CLI rollout files (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`).

A rollout records the conversation as Responses API items, not requests. The system prompt is
in `session_meta`; a request ends where a `token_count` event reports new totals (Codex repeats
the event, unchanged, after the next input: those repeats are not requests). The request sent
is every item before the response items that precede that event. Tool definitions are not
recorded: unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import LineFormat
from ctxlint.trace.formats.common import parse_time
from ctxlint.trace.formats.openai import responses_item, responses_items
from ctxlint.trace.model import TEXT, Block, Message, Origin, Request, Usage, message
from ctxlint.trace.reading import Line, Problem
from ctxlint.trace.typed import TypeFault

NAME = "codex"
_RECORD_TYPES = frozenset(
    {"session_meta", "response_item", "event_msg", "turn_context", "compacted"}
)
# What the model produced; anything else in the history was sent to it.
_OUTPUT_ITEMS = frozenset(
    {"reasoning", "function_call", "custom_tool_call", "local_shell_call", "web_search_call"}
)


def _accepts(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("type"), str)
        and value["type"] in _RECORD_TYPES
        and "payload" in value
        and "timestamp" in value
    )


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.session = "session"
        self.system: tuple[Block, ...] | None = None
        self.model: str | None = None
        self.provider = "openai"
        self.history: list[Message] = []
        self.times: list[str | None] = []
        self.output_start: int | None = None
        self.last_totals: Any = None
        self.compacted = False
        # The first line that could not be read since the history was last replaced: every
        # request until then lacks what it held, so none is made up from what is left.
        self.damaged_at: int | None = None

    def feed(self, line: Line) -> Iterable[Request | Problem]:
        try:
            return self._record(line)
        except TypeFault as fault:
            # An event is no part of any history: a fault in one (a usage count of the wrong
            # type) loses at most the request it ends.
            if self.damaged_at is None and line.value["type"] != "event_msg":
                self.damaged_at = line.number
            return [Problem(line.number, fault.reason)]

    def _record(self, line: Line) -> Iterable[Request | Problem]:
        kind = line.value["type"]
        payload = typed.mapping(line.value, "payload", "")
        timestamp = typed.one_of(line.value, "timestamp", "", typed.TIME_KINDS)
        if payload is None:
            return ()
        if kind == "session_meta":
            self.session = typed.identifier(payload, "id", "/payload") or self.session
            provider = typed.text(payload, "model_provider", "/payload")
            self.provider = provider or self.provider
            instructions = typed.one_of(payload, "base_instructions", "/payload", (str, dict))
            if isinstance(instructions, dict):
                instructions = typed.text(instructions, "text", "/payload/base_instructions")
            if isinstance(instructions, str):
                self.system = (Block(TEXT, text=instructions),)
        elif kind == "turn_context":
            self.model = typed.text(payload, "model", "/payload") or self.model
        elif kind == "response_item":
            self._append(payload, line, timestamp)
        elif kind == "compacted":
            self._compact(payload, line, timestamp)
        elif kind == "event_msg" and typed.text(payload, "type", "/payload") == "token_count":
            return self._request_end(payload, line, timestamp)
        return ()

    def _append(self, item: dict[str, Any], line: Line, timestamp: Any) -> None:
        found = responses_item(item, Origin(line.number, "/payload"), "/payload")
        is_output = typed.text(item, "type", "/payload") in _OUTPUT_ITEMS
        is_output = is_output or found.role == "assistant"
        if is_output and self.output_start is None:
            self.output_start = len(self.history)
        elif not is_output:
            self.output_start = None
        self.history.append(found)
        self.times.append(timestamp)

    def _compact(self, payload: dict[str, Any], line: Line, timestamp: Any) -> None:
        replacement = typed.array(payload, "replacement_history", "/payload")
        if replacement is not None:
            history = list(
                responses_items(replacement, line.number, "/payload/replacement_history")
            )
        else:
            summary = typed.text(payload, "message", "/payload", "")
            history = [
                message("user", [Block(TEXT, text=summary)], Origin(line.number, "/payload"))
            ]
        # The history is whole again from here: what an unread line held is gone from it.
        self.history = history
        self.damaged_at = None
        self.times = [timestamp] * len(self.history)
        self.output_start = None
        self.compacted = True

    def _request_end(
        self, payload: dict[str, Any], line: Line, timestamp: Any
    ) -> Iterable[Request | Problem]:
        info = typed.mapping(payload, "info", "/payload")
        if info is None or info.get("total_token_usage") == self.last_totals:
            return ()
        # The request ends here whatever its usage says: the totals that tell a repeat of this
        # event and the end of its response are taken before the usage is read.
        self.last_totals = typed.shallow(info.get("total_token_usage"), "/payload/info")
        end = self.output_start if self.output_start is not None else len(self.history)
        self.output_start = None
        last = typed.mapping(info, "last_token_usage", "/payload/info") or {}
        last_at = "/payload/info/last_token_usage"
        usage = Usage(
            typed.tokens(last, "input_tokens", last_at),
            typed.tokens(last, "cached_input_tokens", last_at),
            None,
            typed.tokens(last, "output_tokens", last_at),
            typed.shallow(last, last_at),
        )
        if self.damaged_at is not None:
            reason = (
                f"request not checked: its history includes line {self.damaged_at}, "
                "which could not be read"
            )
            return [Problem(line.number, reason)]
        response_blocks = [b for found in self.history[end:] for b in found.blocks]
        request = Request(
            path=self.path,
            # The event that reports the request's usage stands for the request.
            origin=Origin(line.number, ""),
            session=self.session,
            format=NAME,
            messages=tuple(self.history[:end]),
            timestamp=parse_time(self.times[end - 1] if end else timestamp),
            finished=parse_time(timestamp),
            provider=self.provider,
            model=self.model,
            system=self.system,
            tools=None,
            response=message("assistant", response_blocks, None) if response_blocks else None,
            usage=usage,
            compacted=self.compacted,
        )
        self.compacted = False
        return [request]

    def finish(self) -> Iterable[Request | Problem]:
        return ()

    def passed_over(self, number: int) -> None:
        # Codex adds record types from version to version, and a line of one it does not know
        # is not taken for a lost history item: the history goes on without it, as before.
        pass


FORMAT = LineFormat(
    NAME,
    "Codex CLI rollout files (~/.codex/sessions/.../rollout-*.jsonl)",
    _accepts,
    _Reader,
)
