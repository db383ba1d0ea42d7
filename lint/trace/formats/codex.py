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

from ctxlint.trace.formats import LineFormat
from ctxlint.trace.formats.common import as_int, parse_time
from ctxlint.trace.formats.openai import responses_item, responses_items
from ctxlint.trace.model import TEXT, Block, Message, Origin, Request, Usage, message
from ctxlint.trace.reading import Line, Problem

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
        and value.get("type") in _RECORD_TYPES
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

    def feed(self, line: Line) -> Iterable[Request | Problem]:
        kind = line.value["type"]
        payload = line.value["payload"]
        if not isinstance(payload, dict):
            return ()
        if kind == "session_meta":
            self.session = str(payload.get("id") or self.session)
            self.provider = str(payload.get("model_provider") or self.provider)
            instructions = payload.get("base_instructions")
            if isinstance(instructions, dict):
                instructions = instructions.get("text")
            if isinstance(instructions, str):
                self.system = (Block(TEXT, text=instructions),)
        elif kind == "turn_context":
            self.model = payload.get("model") or self.model
        elif kind == "response_item":
            self._append(payload, line)
        elif kind == "compacted":
            self._compact(payload, line)
        elif kind == "event_msg" and payload.get("type") == "token_count":
            return self._request_end(payload, line)
        return ()

    def _append(self, item: dict[str, Any], line: Line) -> None:
        found = responses_item(item, Origin(line.number, "/payload"))
        is_output = item.get("type") in _OUTPUT_ITEMS or found.role == "assistant"
        if is_output and self.output_start is None:
            self.output_start = len(self.history)
        elif not is_output:
            self.output_start = None
        self.history.append(found)
        self.times.append(line.value.get("timestamp"))

    def _compact(self, payload: dict[str, Any], line: Line) -> None:
        replacement = payload.get("replacement_history")
        if isinstance(replacement, list):
            self.history = list(
                responses_items(replacement, line.number, "/payload/replacement_history")
            )
        else:
            summary = str(payload.get("message") or "")
            self.history = [
                message("user", [Block(TEXT, text=summary)], Origin(line.number, "/payload"))
            ]
        self.times = [line.value.get("timestamp")] * len(self.history)
        self.output_start = None
        self.compacted = True

    def _request_end(self, payload: dict[str, Any], line: Line) -> Iterable[Request]:
        info = payload.get("info")
        if not isinstance(info, dict) or info.get("total_token_usage") == self.last_totals:
            return ()
        self.last_totals = info.get("total_token_usage")
        end = self.output_start if self.output_start is not None else len(self.history)
        response_blocks = [b for found in self.history[end:] for b in found.blocks]
        last = (
            info.get("last_token_usage") if isinstance(info.get("last_token_usage"), dict) else {}
        )
        usage = Usage(
            as_int(last.get("input_tokens")),
            as_int(last.get("cached_input_tokens")),
            None,
            as_int(last.get("output_tokens")),
            last,
        )
        request = Request(
            path=self.path,
            # The event that reports the request's usage stands for the request.
            origin=Origin(line.number, ""),
            session=self.session,
            format=NAME,
            messages=tuple(self.history[:end]),
            timestamp=parse_time(self.times[end - 1] if end else line.value.get("timestamp")),
            finished=parse_time(line.value.get("timestamp")),
            provider=self.provider,
            model=self.model,
            system=self.system,
            tools=None,
            response=message("assistant", response_blocks, None) if response_blocks else None,
            usage=usage,
            compacted=self.compacted,
        )
        self.compacted = False
        self.output_start = None
        return [request]

    def finish(self) -> Iterable[Request | Problem]:
        return ()


FORMAT = LineFormat(
    NAME,
    "Codex CLI rollout files (~/.codex/sessions/.../rollout-*.jsonl)",
    _accepts,
    _Reader,
)
