"""SWE-agent trajectories (`<instance>.traj`, JSON): `trajectory` is one step per model call
and `history` the messages of the run, each tagged with the `agent` that holds it.

SWE-agent 1.x records in each step the messages it sent (`query`, after its history
processors): a step with a query is read as that request. Older trajectories (0.x) have no
query: each non-demonstration assistant message of `history` is then the response to a request
made of every message of its agent before it. History processors (such as keeping only the
last five observations) may have shortened what was sent, so such a history is an upper bound
of the prompt (on the shared pydicom run, the rebuilt prompts add up to within 0.1 % of the
`tokens_sent` the agent counted: nothing was cut there). No trajectory records usage per call
(`info.model_stats` holds only totals), so nothing is compared with the provider; the trace
rules still apply."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import DocumentFormat
from ctxlint.trace.formats.common import child, openai_chat_message, provider_of_model
from ctxlint.trace.model import TEXT, Block, Message, Origin, Request, message
from ctxlint.trace.reading import Problem
from ctxlint.trace.typed import TypeFault

NAME = "swe-agent"
_PRIMARY = "primary"


def _recognises(path: str, head: bytes) -> bool:
    if path.lower().endswith((".jsonl", ".jsonl.gz")):
        # JSON lines whose first line is too long to parse from the head: a line format's.
        return False
    if head.lstrip()[:1] != b"{" or b'"trajectory"' not in head:
        return False
    if path.lower().endswith((".traj", ".traj.gz")):
        return True
    # Every step starts with its action and observation, in 0.x and 1.x alike.
    return b'"action"' in head and b'"observation"' in head


def _read(path: str, document: Any) -> Iterator[Request | Problem | TypeFault]:
    if type(document) is not dict or type(document.get("trajectory")) is not list:
        yield Problem(1, "not a SWE-agent trajectory: no `trajectory` list")
        return
    instance = os.path.basename(path).split(".traj")[0]
    try:
        model = _model(document)
    except TypeFault as fault:
        yield fault
        model = None
    steps = document["trajectory"]
    if any(type(step) is dict and step.get("query") for step in steps):
        yield from _from_queries(path, steps, instance, model)
        return
    history = document.get("history")
    if type(history) is not list:
        yield TypeFault("/history", "no query in any step and no `history` list: nothing to read")
        return
    yield from _from_history(path, history, instance, model)


def _model(document: dict[str, Any]) -> str | None:
    """The model, where a 1.x trajectory keeps the run's configuration (as JSON text)."""
    from ctxlint.trace.reading import decode_json_text

    config = typed.one_of(document, "replay_config", "", (str, dict))
    if isinstance(config, str):
        config = decode_json_text(config)
    if type(config) is not dict:
        return None
    agent = config.get("agent")
    model = agent.get("model") if type(agent) is dict else None
    name = model.get("name") if type(model) is dict else None
    return name if type(name) is str and name else None


def _from_queries(
    path: str, steps: list[Any], instance: str, model: str | None
) -> Iterator[Request | TypeFault]:
    for position, step in enumerate(steps):
        pointer = f"/trajectory/{position}"
        try:
            if type(step) is not dict:
                raise typed.wrong_type(step, pointer, "object")
            query = typed.array(step, "query", pointer)
            if not query:
                continue
            every = _messages(query, child(pointer, "query"))
            response = typed.text(step, "response", pointer, "")
            reply = message("assistant", [Block(TEXT, text=response)], Origin(0, pointer))
            # Tools sent by function calling are in the agent's configuration, not recorded.
            yield _request(path, pointer, instance, model, every, reply, None)
        except TypeFault as fault:
            yield fault


def _from_history(
    path: str, history: list[Any], instance: str, model: str | None
) -> Iterator[Request | TypeFault]:
    # Each agent (the main one, a reviewer...) keeps its own conversation.
    seen: dict[str, list[Message]] = {}
    # Once a message of an agent cannot be read, no later request of that agent can be.
    damaged: dict[str, TypeFault] = {}
    for position, item in enumerate(history):
        pointer = f"/history/{position}"
        try:
            if type(item) is not dict:
                raise typed.wrong_type(item, pointer, "object")
            agent = typed.text(item, "agent", pointer) or _PRIMARY
        except TypeFault as fault:
            # Whose message it was is unknown: every agent's history may miss it.
            for name in seen:
                damaged.setdefault(name, fault)
            damaged.setdefault(_PRIMARY, fault)
            yield fault
            continue
        messages = seen.setdefault(agent, [])
        try:
            found = openai_chat_message(_as_chat(item, pointer), Origin(0, pointer), pointer)
        except TypeFault as fault:
            damaged.setdefault(agent, fault)
            yield fault
            continue
        if found.role == "assistant" and not item.get("is_demo"):
            if agent in damaged:
                yield TypeFault(
                    pointer,
                    f"request not checked: its history includes {damaged[agent].pointer}, "
                    "which could not be read",
                )
            else:
                session = instance if agent == _PRIMARY else f"{instance}/{agent}"
                # 0.x sent no tool definitions: its commands are described in the system prompt.
                yield _request(path, pointer, session, model, messages, found, ())
        messages.append(found)


def _as_chat(item: dict[str, Any], at: str) -> dict[str, Any]:
    """A history item as the chat message SWE-agent sends: `tool_call_ids` (a list) becomes
    the one `tool_call_id` a tool message answers."""
    ids = typed.array(item, "tool_call_ids", at)
    if not ids or "tool_call_id" in item:
        return item
    return {**item, "tool_call_id": ids[0]}


def _messages(items: list[Any], at: str) -> list[Message]:
    return [
        openai_chat_message(_as_chat(item, child(at, n)), Origin(0, child(at, n)), child(at, n))
        for n, item in typed.objects(items, at)
    ]


def _request(
    path: str,
    pointer: str,
    session: str,
    model: str | None,
    every: list[Message],
    reply: Message,
    tools: tuple[()] | None,
) -> Request:
    head = 0
    while head < len(every) and every[head].role == "system":
        head += 1
    return Request(
        path=path,
        origin=Origin(0, pointer),
        session=session,
        format=NAME,
        messages=tuple(every[head:]),
        provider=provider_of_model(model),
        model=model,
        system=tuple(block for found in every[:head] for block in found.blocks),
        tools=tools,
        response=reply,
        usage=None,
    )


FORMAT = DocumentFormat(NAME, "SWE-agent trajectories (*.traj)", _recognises, _read)
