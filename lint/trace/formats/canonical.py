"""ctxlint's own trace format: one request per JSON line, validated against trace.schema.json."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

from ctxlint.trace.formats import LineFormat
from ctxlint.trace.formats.common import (
    as_int,
    cache_ttl,
    child,
    json_text,
    media_hash,
    parse_time,
    provider_of_model,
)
from ctxlint.trace.model import (
    MEDIA,
    TEXT,
    THINKING,
    TOOL_CALL,
    TOOL_RESULT,
    Block,
    Message,
    Origin,
    Request,
    Usage,
    message,
    tool,
)
from ctxlint.trace.reading import Line, Problem

NAME = "ctxlint"


def schema_text() -> str:
    return resources.files("ctxlint").joinpath("trace.schema.json").read_text("utf-8")


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema  # Imported here: slow to import, and only canonical traces need it.

    return jsonschema.Draft202012Validator(json.loads(schema_text()))


def _accepts(value: Any) -> bool:
    return isinstance(value, dict) and value.get("ctxlint") == 1


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path

    def feed(self, line: Line) -> Iterable[Request | Problem]:
        value = line.value
        validator = _validator()
        if not validator.is_valid(value):
            error = min(validator.iter_errors(value), key=lambda e: len(e.absolute_path))
            where = "/" + "/".join(str(p) for p in error.absolute_path)
            return [
                Problem(line.number, f"not a valid ctxlint trace line at {where}: {error.message}")
            ]
        return [self.request(line.number, value)]

    def finish(self) -> Iterable[Request | Problem]:
        return ()

    def request(self, number: int, value: dict[str, Any]) -> Request:
        messages = tuple(
            _message(item, Origin(number, child("", "messages", position)))
            for position, item in enumerate(value["messages"])
        )
        system = value.get("system")
        if isinstance(system, str):
            system_blocks: tuple[Block, ...] | None = (Block(TEXT, text=system),) if system else ()
        elif isinstance(system, list):
            system_blocks = tuple(_block(item) for item in system)
        else:
            system_blocks = None
        tools = value.get("tools")
        usage = value.get("usage")
        response = value.get("response")
        return Request(
            path=self.path,
            origin=Origin(number, ""),
            session=value["session"],
            format=NAME,
            messages=messages,
            timestamp=parse_time(value.get("timestamp")),
            finished=parse_time(value.get("finished")),
            provider=value.get("provider") or provider_of_model(value.get("model")),
            model=value.get("model"),
            system=system_blocks,
            tools=None
            if tools is None
            else tuple(tool(t["name"], t, cache_ttl(t.get("cache_control"))) for t in tools),
            params=dict(value.get("params") or {}),
            response=None if response is None else _message(response, Origin(number, "/response")),
            usage=None
            if usage is None
            else Usage(
                as_int(usage.get("prompt_tokens")),
                as_int(usage.get("cached_tokens")),
                as_int(usage.get("cache_write_tokens")),
                as_int(usage.get("output_tokens")),
                usage.get("raw") or usage,
            ),
            history_complete=value.get("history", "complete") == "complete",
            compacted=bool(value.get("compacted")),
        )


def _message(item: dict[str, Any], origin: Origin) -> Message:
    content = item["content"]
    if isinstance(content, str):
        blocks: tuple[Block, ...] = (Block(TEXT, text=content),) if content else ()
    else:
        blocks = tuple(_block(part) for part in content)
    return message(item["role"], blocks, origin)


def _block(part: dict[str, Any]) -> Block:
    kind = part["type"]
    ttl = cache_ttl(part.get("cache_control"))
    if kind == "text":
        return Block(TEXT, text=part["text"], cache_ttl=ttl)
    if kind == "thinking":
        return Block(THINKING, text=part["text"], cache_ttl=ttl)
    if kind == "tool_call":
        return Block(
            TOOL_CALL,
            name=part["name"],
            call_id=part.get("id", ""),
            arguments=json_text(part["arguments"]),
            cache_ttl=ttl,
        )
    if kind == "tool_result":
        content = part["content"]
        text = content if isinstance(content, str) else json_text(content)
        return Block(
            TOOL_RESULT,
            text=text,
            call_id=part.get("tool_call_id", ""),
            is_error=bool(part.get("is_error")),
            cache_ttl=ttl,
        )
    return Block(MEDIA, text=part.get("sha256") or media_hash(part), cache_ttl=ttl)


FORMAT = LineFormat(
    NAME,
    "ctxlint's canonical JSONL: one request per line (`ctxlint schema` prints its JSON Schema)",
    _accepts,
    _Reader,
)
