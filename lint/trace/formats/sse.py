"""A streamed reply (server-sent events, as recorded by an HTTP recorder) put back together as
the one response body the API would have returned without streaming: Anthropic Messages
events, Chat Completions chunks, or the Responses API's `response.completed` event. Only what
the readers use is rebuilt: the text and tool calls of the reply, and its usage."""

from __future__ import annotations

from typing import Any

import orjson


def events(text: str) -> list[Any]:
    """The JSON value of each `data:` line (a `[DONE]` or non-JSON line is passed over)."""
    found = []
    for line in text.splitlines():
        if not line.startswith("data:"):
            continue
        try:
            found.append(orjson.loads(line[5:].strip()))
        except orjson.JSONDecodeError:
            continue
    return found


def response_of(stream: list[Any]) -> dict[str, Any] | None:
    """The response body a stream adds up to, or None when it is no stream of a known API."""
    objects = [event for event in stream if type(event) is dict]
    if not objects:
        return None
    # A type of any other JSON kind (a list) names no event and cannot go in a set.
    kinds = {event.get("type") for event in objects if isinstance(event.get("type"), str)}
    if "response.completed" in kinds or "response.incomplete" in kinds:
        for event in reversed(objects):
            if event.get("type") in ("response.completed", "response.incomplete"):
                found = event.get("response")
                return found if type(found) is dict else None
    if "message_start" in kinds:
        return _anthropic(objects)
    if any(event.get("object") == "chat.completion.chunk" for event in objects):
        return _chat(objects)
    return None


def _anthropic(stream: list[dict[str, Any]]) -> dict[str, Any]:
    usage: dict[str, Any] = {}
    blocks: list[dict[str, Any]] = []
    model = None
    for event in stream:
        kind = event.get("type")
        if kind == "message_start" and type(event.get("message")) is dict:
            start = event["message"]
            model = start.get("model")
            if type(start.get("usage")) is dict:
                usage.update(start["usage"])
        elif kind == "content_block_start" and type(event.get("content_block")) is dict:
            blocks.append(dict(event["content_block"]))
        elif kind == "content_block_delta" and type(event.get("delta")) is dict and blocks:
            _add_delta(blocks[-1], event["delta"])
        elif kind == "message_delta" and type(event.get("usage")) is dict:
            # The final counts; newer streams repeat the input and cache counts here too.
            usage.update(event["usage"])
    for block in blocks:
        partial = block.pop("partial_json", None)
        if block.get("type") == "tool_use" and isinstance(partial, str) and partial:
            try:
                block["input"] = orjson.loads(partial)
            except orjson.JSONDecodeError:
                block["input"] = partial
    return {"model": model, "content": blocks, "usage": usage or None}


def _add_delta(block: dict[str, Any], delta: dict[str, Any]) -> None:
    for key in ("text", "thinking", "partial_json"):
        piece = delta.get(key)
        if isinstance(piece, str):
            previous = block.get(key)
            block[key] = (previous if isinstance(previous, str) else "") + piece


def _chat(stream: list[dict[str, Any]]) -> dict[str, Any]:
    text: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    usage = None
    model = None
    for chunk in stream:
        model = chunk.get("model") if isinstance(chunk.get("model"), str) else model
        if type(chunk.get("usage")) is dict:
            usage = chunk["usage"]
        choices = chunk.get("choices")
        first = choices[0] if type(choices) is list and choices else None
        delta = first.get("delta") if type(first) is dict else None
        if type(delta) is not dict:
            continue
        if isinstance(delta.get("content"), str):
            text.append(delta["content"])
        pieces = delta.get("tool_calls")
        for call in pieces if type(pieces) is list else ():
            if type(call) is not dict:
                continue
            index = call.get("index") if type(call.get("index")) is int else len(calls)
            found = calls.setdefault(index, {"id": "", "type": "function", "function": {}})
            if isinstance(call.get("id"), str):
                found["id"] = call["id"]
            function = call.get("function")
            if type(function) is dict:
                for key in ("name", "arguments"):
                    if isinstance(function.get(key), str):
                        found["function"][key] = found["function"].get(key, "") + function[key]
    answer: dict[str, Any] = {"role": "assistant", "content": "".join(text) or None}
    if calls:
        answer["tool_calls"] = [calls[index] for index in sorted(calls)]
    return {"model": model, "choices": [{"message": answer}], "usage": usage}
