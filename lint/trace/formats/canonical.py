"""ctxlint's own trace format: one request per JSON line, validated against trace.schema.json."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ctxlint.trace import typed
from ctxlint.trace.formats import LineFormat
from ctxlint.trace.formats.common import (
    cache_params,
    cache_ttl,
    child,
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
    Tool,
    Usage,
    message,
    tool,
)
from ctxlint.trace.reading import Line, Problem
from ctxlint.trace.schema_check import Unsupported, compile_schema, error_text

NAME = "ctxlint"


def schema_text() -> str:
    return resources.files("ctxlint").joinpath("trace.schema.json").read_text("utf-8")


# The parts of a line that repeat from line to line, checked on their own when a line is
# invalid, so that the error names where in the line it is.
_REPEATED = ("system", "tools", "response")


@lru_cache(maxsize=1)
def _line_is_valid() -> Callable[[Any], bool]:
    schema = json.loads(schema_text())
    try:
        return compile_schema(schema)
    except Unsupported:
        return _validators()[""].is_valid


@lru_cache(maxsize=1)
def _validators() -> dict[str, Any]:
    """A validator for the line without its repeated parts, one per repeated part, and one
    for a single message: jsonschema, to find and word the error in a line found invalid."""
    import jsonschema  # Imported here: slow to import, and only invalid lines need it.

    schema = json.loads(schema_text())
    definitions = schema["$defs"]
    found = {"": jsonschema.Draft202012Validator(schema)}
    for key in _REPEATED:
        part = {**schema["properties"][key], "$defs": definitions}
        found[key] = jsonschema.Draft202012Validator(part)
    message = {"$ref": "#/$defs/message", "$defs": definitions}
    found["message"] = jsonschema.Draft202012Validator(message)
    return found


def _accepts(value: Any) -> bool:
    # The key marks the format; a wrong version is the schema's to report, at its line.
    return isinstance(value, dict) and "ctxlint" in value


# Sessions whose latest line is kept, to reuse the messages the next line repeats.
_RECENT_SESSIONS = 256


@dataclass(slots=True)
class _Latest:
    """A session's latest line: its messages, system prompt and tools as read and as built."""

    raw_messages: list[Any]
    messages: tuple[Message, ...]
    # Positions of the messages holding JSON that is serialised to build them (tool call
    # arguments as objects...): equal as values, they may still differ in key order.
    serialising: list[int]
    raw_system: Any
    system: tuple[Block, ...] | None
    # Tools are serialised: compared as serialised.
    tools_text: bytes
    tools: tuple[Tool, ...] | None


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        # Per session, its latest line: a line repeats the history before it (and mostly the
        # system prompt and tools), and what it repeats is neither checked nor built again.
        self.recent: OrderedDict[Any, _Latest] = OrderedDict()

    def feed(self, line: Line) -> Iterable[Request | Problem]:
        value = line.value
        session = value.get("session")
        latest = self.recent.get(session) if isinstance(session, str) else None
        repeated = self._repeated(value.get("messages"), latest)
        tools_text = typed.serialised(value.get("tools"), "/tools")
        unchanged: set[str] = set()
        if latest is not None:
            if tools_text == latest.tools_text:
                unchanged.add("tools")
            if value.get("system") == latest.raw_system:
                unchanged.add("system")
        fault = self.fault(value, repeated, unchanged)
        if fault is not None:
            return [Problem(line.number, f"not a valid ctxlint trace line at {fault}")]
        return [self.request(line.number, value, repeated, latest, tools_text, unchanged)]

    @staticmethod
    def _repeated(messages: Any, latest: _Latest | None) -> int:
        """How many leading messages the line repeats from its session's latest line."""
        if latest is None or not isinstance(messages, list):
            return 0
        count = 0
        for item, old in zip(messages, latest.raw_messages, strict=False):
            if item != old:
                break
            count += 1
        # Equal values, but serialised alike? (Dicts compare equal in any key order.)
        for position in latest.serialising:
            if position >= count:
                break
            rebuilt = _message(messages[position], None, child("", "messages", position))
            if rebuilt.key != latest.messages[position].key:
                return position
        return count

    def fault(
        self, value: dict[str, Any], repeated: int, unchanged: Iterable[str] = ()
    ) -> str | None:
        """Where the line breaks the schema and how, or None. Each line repeats the history
        before it (its first `repeated` messages), and often the system prompt and tools
        (named in `unchanged`): what it repeats was checked on the line it first came on."""
        messages = value.get("messages")
        unseen = {key: item for key, item in value.items() if key not in unchanged}
        if repeated and isinstance(messages, list):
            unseen["messages"] = messages[repeated:]
        if _line_is_valid()(unseen):
            return None
        # jsonschema walks and prints values recursively: a value too deep for that is a
        # fault of its own, found first.
        typed.check_depth(value, "")
        validators = _validators()
        rest = {k: v for k, v in value.items() if k not in _REPEATED}
        if isinstance(messages, list):
            rest["messages"] = []
        error = _first_error(validators[""], rest)
        if error is not None:
            return _describe("", error)
        for key in _REPEATED:
            if key in value:
                error = _first_error(validators[key], value[key])
                if error is not None:
                    return _describe(f"/{key}", error)
        for position, item in enumerate(messages if isinstance(messages, list) else ()):
            if position < repeated:
                continue
            error = _first_error(validators["message"], item)
            if error is not None:
                return _describe(f"/messages/{position}", error)
        return None

    def finish(self) -> Iterable[Request | Problem]:
        return ()

    def passed_over(self, number: int) -> None:
        # Every line holds its whole request; a line reused from is one that was read.
        pass

    def request(
        self,
        number: int,
        value: dict[str, Any],
        repeated: int,
        latest: _Latest | None,
        tools_text: bytes,
        unchanged: set[str],
    ) -> Request:
        """The line as a request; its first `repeated` messages, and the parts named in
        `unchanged`, are the latest line's."""
        raw = value["messages"]
        kept = latest.messages[:repeated] if latest is not None else ()
        messages = kept + tuple(
            _message(item, Origin(number, pointer), pointer)
            for position, item in enumerate(raw[repeated:], start=repeated)
            for pointer in (child("", "messages", position),)
        )
        serialising = [p for p in latest.serialising if p < repeated] if latest else []
        serialising.extend(
            position for position in range(repeated, len(raw)) if _serialises(raw[position])
        )
        raw_system, raw_tools = value.get("system"), value.get("tools")
        if latest is not None and "system" in unchanged:
            system_blocks = latest.system
        else:
            system_blocks = _system(raw_system, "/system")
        if latest is not None and "tools" in unchanged:
            tools = latest.tools
        else:
            tools = None if raw_tools is None else _tools(raw_tools)
        session = value["session"]
        self.recent[session] = _Latest(
            raw, messages, serialising, raw_system, system_blocks, tools_text, tools
        )
        self.recent.move_to_end(session)
        if len(self.recent) > _RECENT_SESSIONS:
            self.recent.popitem(last=False)
        usage = value.get("usage")
        response = value.get("response")
        params = typed.mapping(value, "params", "") or {}
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
            tools=tools,
            params=cache_params(params, tuple(params), "/params"),
            response=None
            if response is None
            else _message(response, Origin(number, "/response"), "/response"),
            usage=None if usage is None else _usage(usage),
            history_complete=value.get("history", "complete") == "complete",
            compacted=bool(value.get("compacted")),
        )


def _serialises(item: dict[str, Any]) -> bool:
    """Whether building the message serialises JSON from it (see _block)."""
    content = item["content"]
    if isinstance(content, str):
        return False
    for part in content:
        kind = part["type"]
        if kind == "tool_call" and not isinstance(part["arguments"], str):
            return True
        if kind == "tool_result" and not isinstance(part["content"], str):
            return True
        if kind not in ("text", "thinking", "tool_call", "tool_result") and not part.get("sha256"):
            return True
    return False


def _system(system: Any, at: str) -> tuple[Block, ...] | None:
    if isinstance(system, str):
        return (Block(TEXT, text=system, pointer=at),) if system else ()
    if isinstance(system, list):
        return tuple(_block(item, child(at, position)) for position, item in enumerate(system))
    return None


def _tools(raw_tools: list[dict[str, Any]]) -> tuple[Tool, ...]:
    return tuple(
        tool(item["name"], item, cache_ttl(item, pointer), pointer)
        for position, item in enumerate(raw_tools)
        for pointer in (child("/tools", position),)
    )


def _usage(usage: dict[str, Any]) -> Usage:
    """Counts the schema found whole and not negative, and that must also fit a context."""
    return Usage(
        typed.tokens(usage, "prompt_tokens", "/usage"),
        typed.tokens(usage, "cached_tokens", "/usage"),
        typed.tokens(usage, "cache_write_tokens", "/usage"),
        typed.tokens(usage, "output_tokens", "/usage"),
        typed.shallow(usage.get("raw") or usage, "/usage"),
    )


def _first_error(validator: Any, value: Any) -> tuple[str, str] | None:
    """(JSON pointer, message) of the outermost error, or None when the value is valid."""
    if validator.is_valid(value):
        return None
    error = min(validator.iter_errors(value), key=lambda e: len(e.absolute_path))
    return "".join(f"/{part}" for part in error.absolute_path), error_text(error)


def _describe(prefix: str, error: tuple[str, str]) -> str:
    where, message = error
    return f"{prefix}{where}: {message}" if prefix or where else f"/: {message}"


def _message(item: dict[str, Any], origin: Origin | None, at: str) -> Message:
    content = item["content"]
    if isinstance(content, str):
        where = child(at, "content")
        blocks: tuple[Block, ...] = (Block(TEXT, text=content, pointer=where),) if content else ()
    else:
        blocks = tuple(
            _block(part, child(at, "content", position)) for position, part in enumerate(content)
        )
    return message(item["role"], blocks, origin)


def _block(part: dict[str, Any], at: str) -> Block:
    """A block the schema found valid: its types are known, its nesting is not."""
    kind = part["type"]
    ttl = cache_ttl(part, at)
    if kind == "text":
        return Block(TEXT, text=part["text"], cache_ttl=ttl, pointer=child(at, "text"))
    if kind == "thinking":
        return Block(THINKING, text=part["text"], cache_ttl=ttl, pointer=child(at, "text"))
    if kind == "tool_call":
        return Block(
            TOOL_CALL,
            name=part["name"],
            call_id=part.get("id", ""),
            arguments=typed.json_text(part["arguments"], child(at, "arguments")),
            cache_ttl=ttl,
            pointer=child(at, "arguments"),
        )
    if kind == "tool_result":
        content = part["content"]
        text = typed.json_text(content, child(at, "content"))
        return Block(
            TOOL_RESULT,
            text=text,
            call_id=part.get("tool_call_id", ""),
            is_error=bool(part.get("is_error")),
            cache_ttl=ttl,
            pointer=child(at, "content"),
        )
    return Block(MEDIA, text=part.get("sha256") or media_hash(part, at), cache_ttl=ttl)


FORMAT = LineFormat(
    NAME,
    "ctxlint's canonical JSONL: one request per line (`ctxlint schema` prints its JSON Schema)",
    _accepts,
    _Reader,
)
