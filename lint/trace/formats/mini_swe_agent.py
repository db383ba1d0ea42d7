"""mini-swe-agent trajectories (`*.traj.json`): the final message list of one run, where each
assistant message is the response to a request made of every message before it. The provider's
raw response (with usage) is kept under each assistant message's `extra.response`. The bash
tool's definition is fixed inside the agent and not recorded: unknown."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import DocumentFormat
from ctxlint.trace.formats.common import (
    child,
    model_at,
    openai_chat_message,
    openai_usage,
    provider_of_model,
    time_at,
)
from ctxlint.trace.model import TOOL_RESULT, Block, Message, Origin, Request, message
from ctxlint.trace.reading import Problem
from ctxlint.trace.typed import TypeFault

NAME = "mini-swe-agent"
_RETURN_CODE = re.compile(r"^\s*<returncode>(-?\d+)</returncode>")


def _recognises(path: str, head: bytes) -> bool:
    return path.lower().endswith((".traj.json", ".traj.json.gz")) or b'"mini-swe-agent' in head


def _read(path: str, document: Any) -> Iterator[Request | Problem | TypeFault]:
    if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
        yield Problem(1, "not a mini-swe-agent trajectory: no `messages` list")
        return
    try:
        session = typed.identifier(document, "instance_id", "")
    except TypeFault as fault:
        yield fault
        return
    session = session or os.path.basename(path).split(".traj")[0]
    converted: list[Message] = []
    system: tuple[Block, ...] = ()
    # Every request is made of the messages before it: once one is unreadable, so is the
    # history of every request after it.
    damaged: TypeFault | None = None
    for position, item in enumerate(document["messages"]):
        pointer = f"/messages/{position}"
        try:
            if type(item) is not dict:
                raise typed.wrong_type(item, pointer, "object")
            if item.get("role") == "exit":
                continue
            found = _observation(openai_chat_message(item, Origin(0, pointer), pointer))
        except TypeFault as fault:
            damaged = damaged or fault
            yield fault
            continue
        if found.role == "system" and not converted:
            system = found.blocks
            continue
        if found.role == "assistant" and damaged is not None:
            yield TypeFault(
                pointer,
                f"request not checked: its history includes {damaged.pointer}, "
                "which could not be read",
            )
        elif found.role == "assistant":
            # What the provider reported is the request's own: the history goes on without it.
            try:
                yield _request(path, pointer, item, session, tuple(converted), system, found)
            except TypeFault as fault:
                yield fault
        converted.append(found)


def _request(
    path: str,
    pointer: str,
    item: dict[str, Any],
    session: str,
    history: tuple[Message, ...],
    system: tuple[Block, ...],
    found: Message,
) -> Request:
    extra = typed.mapping(item, "extra", pointer) or {}
    extra_at = child(pointer, "extra")
    raw = typed.mapping(extra, "response", extra_at) or {}
    raw_at = child(extra_at, "response")
    model = model_at(raw, "model", raw_at)
    return Request(
        path=path,
        origin=Origin(0, pointer),
        session=session,
        format=NAME,
        messages=history,
        timestamp=time_at(raw, "created", raw_at),
        provider=provider_of_model(model),
        model=model,
        system=system,
        tools=None,
        response=found,
        usage=openai_usage(raw.get("usage"), child(raw_at, "usage")),
    )


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
