"""mini-swe-agent trajectories (`*.traj.json`): the final message list of one run, where each
assistant message is the response to a request made of every message before it. The provider's
raw response (with usage) is kept under each assistant message's `extra.response`. The bash
tool's definition is fixed inside the agent and not recorded: unknown."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from ctxlint.trace.formats import DocumentFormat
from ctxlint.trace.formats.common import (
    openai_chat_message,
    openai_usage,
    parse_time,
    provider_of_model,
)
from ctxlint.trace.model import TOOL_RESULT, Block, Message, Origin, Request, message
from ctxlint.trace.reading import Problem

NAME = "mini-swe-agent"
_RETURN_CODE = re.compile(r"^\s*<returncode>(-?\d+)</returncode>")


def _recognises(path: str, head: bytes) -> bool:
    return path.lower().endswith((".traj.json", ".traj.json.gz")) or b'"mini-swe-agent' in head


def _read(path: str, document: Any) -> Iterator[Request | Problem]:
    if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
        yield Problem(1, "not a mini-swe-agent trajectory: no `messages` list")
        return
    session = str(document.get("instance_id") or os.path.basename(path).split(".traj")[0])
    converted: list[Message] = []
    system: tuple[Block, ...] = ()
    for position, item in enumerate(document["messages"]):
        if not isinstance(item, dict) or item.get("role") == "exit":
            continue
        pointer = f"/messages/{position}"
        found = _observation(openai_chat_message(item, Origin(0, pointer)))
        if found.role == "system" and not converted:
            system = found.blocks
            continue
        if found.role == "assistant":
            extra = item.get("extra") if isinstance(item.get("extra"), dict) else {}
            raw = extra.get("response") if isinstance(extra.get("response"), dict) else {}
            model = raw.get("model")
            yield Request(
                path=path,
                origin=Origin(0, pointer),
                session=session,
                format=NAME,
                messages=tuple(converted),
                timestamp=parse_time(raw.get("created")),
                provider=provider_of_model(model),
                model=model,
                system=system,
                tools=None,
                response=found,
                usage=openai_usage(raw.get("usage")),
            )
        converted.append(found)


def _observation(found: Message) -> Message:
    """A command that exited non-zero is the agent's failed action."""
    if not any(b.kind == TOOL_RESULT for b in found.blocks) and found.role != "user":
        return found
    blocks = []
    for block in found.blocks:
        code = _RETURN_CODE.match(block.text)
        if code and code.group(1) != "0" and block.kind == TOOL_RESULT:
            block = Block(TOOL_RESULT, text=block.text, call_id=block.call_id, is_error=True)
        blocks.append(block)
    return message(found.role, blocks, found.origin)


FORMAT = DocumentFormat(NAME, "mini-swe-agent trajectories (*.traj.json)", _recognises, _read)
