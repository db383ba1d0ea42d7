"""A byte scan that tells, before any parsing, whether a Python file can hold a finding.

On large trees most files import no LLM SDK, build no role message and name no system prompt;
they never reach the parser. The scan uses `bytes.find` (memchr speed) for a few needles and
looks only at the bytes around each hit: Python's `re` reads about 150 MB/s, too slow to run
over a whole site-packages. It errs towards letting a file through: the analysis decides,
this only saves it work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ctxlint.python.sink_names import LLM_CALL_NAMES, SINK_CALL_NAMES
from ctxlint.python.triggers import ConfiguredSink, Trigger

_SDKS = (
    b"openai",
    b"anthropic",
    b"litellm",
    b"langchain",
    b"genai",
    b"generativeai",
    b"pydantic_ai",
    b"smolagents",
    b"agents",
    b"autogen",
    b"groq",
    b"together",
    b"fireworks",
    b"cerebras",
    b"mistralai",
    b"ollama",
    # Agent frameworks (framework_sinks.py).
    b"agentscope",
    b"crewai",
    b"google.adk",
    b"strands",
    b"semantic_kernel",
    b"langgraph",
    b"llama_index",
    b"haystack",
)
# An SDK import matters only with a call that can be a sink: `.create(`, `Agent(`...
_SINK_CALLS = (
    b"create(",
    b"stream(",
    b"parse(",
    b"generate_content",
    b"completion(",
    b"responses(",
    b"Agent(",
    b"Config(",
    b"Model(",
    b"Message(",
    b"from_messages",
    b"from_template",
    b"bind_tools",
    b"wrap_model_call",  # LangChain agent middleware (middleware.py)
    b"dynamic_prompt",
    b"super().__init__",  # `super().__init__(sys_prompt=...)` of a framework's agent class
    b"from_system(",
)
# A call is a sink by its whole name: `urlparse(` and `BaseModel(` hold `parse(` and `Model(`
# but call no model. The model-layer names too: their history arguments are sent lists.
_CALL_NAMES = frozenset(name.encode() for name in (*SINK_CALL_NAMES, *LLM_CALL_NAMES))
_IDENTIFIER_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
# Dict keys of messages, content blocks and tool definitions, seen between quotes.
_QUOTED_KEYS = (b"role", b"input_schema", b"tool_result", b"function_call_output")
# Words a file that sends a cached prefix spells: `system=`, a "system" role, SystemMessage,
# `instructions=`, `system_instruction`, `tools=`, `functions=`, a "developer" role.
_PREFIX_WORDS = (
    b"system",
    b"System",
    b"SYSTEM",
    b"instruction",
    b"tools",
    b"functions",
    b"developer",
)
_SYSTEM_SUFFIXES = (b"prompt", b"message", b"instruction")


@dataclass(frozen=True, slots=True)
class NeedleSet:
    """Needles grouped under a word they contain (`messages` for `messages.pop(`): a file is
    scanned once per word, and for a group's needles only when the word is there."""

    groups: tuple[tuple[bytes, tuple[bytes, ...]], ...] = ()

    @classmethod
    def of(cls, needles: Iterable[bytes]) -> NeedleSet:
        anchors: dict[bytes, bytes] = {}
        for needle in set(needles):
            words = re.findall(rb"[A-Za-z_]{3,}", needle)
            anchors[needle] = max(words, key=len) if words else needle
        # `time` also stands for `time_ns` and `ctime`: one scan for all three.
        shortest = sorted(set(anchors.values()), key=len)
        grouped: dict[bytes, list[bytes]] = {}
        for needle, anchor in sorted(anchors.items()):
            anchor = next(a for a in shortest if a in anchor)
            grouped.setdefault(anchor, []).append(needle)
        return cls(tuple((anchor, tuple(group)) for anchor, group in sorted(grouped.items())))

    def found_in(self, data: bytes) -> bool:
        for anchor, needles in self.groups:
            if anchor in data and any(needle in data for needle in needles):
                return True
        return False

    def __iter__(self):
        return (needle for _, needles in self.groups for needle in needles)


@dataclass(frozen=True, slots=True)
class Prefilter:
    # Extra names that make a file worth parsing: the user's own LLM-call wrappers.
    configured_names: tuple[bytes, ...]
    # What the selected rules look for; None when some rule can fire on any file.
    needles: NeedleSet | None
    pattern: re.Pattern[bytes] | None
    standalone_needles: NeedleSet = NeedleSet()
    standalone_attributes: tuple[bytes, ...] = ()

    def wanted(self, data: bytes) -> bool:
        if self.standalone_needles.found_in(data):
            return True
        if any(_reads_attribute(data, name) for name in self.standalone_attributes):
            return True
        return self._may_hold_prompt_code(data) and self._may_hold_a_source(data)

    def may_send_prompts(self, data: bytes) -> bool:
        """Whether the file may hold a sink, whatever sources it holds: one that imports
        project modules is parsed too, as the source may sit in one of them."""
        return self._may_hold_prompt_code(data)

    def may_send_a_prefix(self, data: bytes) -> bool:
        """Whether the file may send a system prompt, instructions or tools (what a value of
        another module is followed into, today): a word every such sink spells, or a call
        the configuration names."""
        return any(word in data for word in _PREFIX_WORDS) or any(
            name in data for name in self.configured_names
        )

    def may_edit_a_history(self, data: bytes) -> bool:
        """Whether the file may rewrite a history another module sends (a window, a pop): what
        the standalone rules look for, in a file that also keeps messages."""
        return self.standalone_needles.found_in(data) and _keeps_messages(data)

    def may_hold_a_source(self, data: bytes) -> bool:
        """Whether the file may hold what a rule flags (a clock read...), sink or not."""
        return self._may_hold_a_source(data)

    def _may_hold_prompt_code(self, data: bytes) -> bool:
        return (
            _has_quoted_key(data)
            or _names_a_system_prompt(data)
            or _builds_a_message(data)
            or _defines_a_prompt_part_getter(data)
            or any(name in data for name in self.configured_names)
            or (_calls_a_sink(data) and _imports_an_sdk(data))
            # The project's own model layer: `provider.complete(system=s, messages=h)`.
            or (b"system=" in data and b"messages=" in data)
        )

    def _may_hold_a_source(self, data: bytes) -> bool:
        if self.needles is None:
            return True
        if self.needles.found_in(data):
            return True
        return self.pattern is not None and self.pattern.search(data) is not None


def build_prefilter(
    configured: Iterable[ConfiguredSink], triggers: Iterable[Trigger | None]
) -> Prefilter:
    names = tuple(sorted({sink.call.rsplit(".", 1)[-1].encode() for sink in configured}))
    trigger_list = list(triggers)
    standalone = NeedleSet.of(
        [n for t in trigger_list if t is not None and t.standalone for n in t.needles]
        + [n for t in trigger_list if t is not None for n in t.standalone_needles]
    )
    attributes = tuple(
        sorted({a for t in trigger_list if t is not None for a in t.standalone_attributes})
    )
    if not trigger_list or any(trigger is None for trigger in trigger_list):
        return Prefilter(names, None, None, standalone, attributes)
    # `wanted` looks for the standalone needles first: past them, they are known absent.
    needles = NeedleSet.of(
        n for t in trigger_list if t is not None and not t.standalone for n in t.needles
    )
    patterns = [t.pattern for t in trigger_list if t is not None and t.pattern is not None]
    pattern = re.compile(b"|".join(b"(?:" + p + b")" for p in patterns)) if patterns else None
    return Prefilter(names, needles, pattern, standalone, attributes)


def _line_around(data: bytes, position: int) -> bytes:
    # A line also ends at a lone \r, as in ast (ctxlint.source.LINE_BREAK); \r is searched
    # for within the \n-delimited line only, so that the common file costs nothing more.
    start = data.rfind(b"\n", 0, position) + 1
    start = data.rfind(b"\r", start, position) + 1 or start
    end = data.find(b"\n", position)
    end = len(data) if end == -1 else end
    carriage_return = data.find(b"\r", position, end)
    return data[start : end if carriage_return == -1 else carriage_return]


def _reads_attribute(data: bytes, name: bytes) -> bool:
    """`x.name` read off a value (`client.tools`, `f().tools`), neither called, nor followed by
    a longer name or another attribute, nor a module path on an import line or in a string
    (`getLogger("app.tools")`)."""
    needle = b"." + name
    position = data.find(needle)
    while position != -1:
        end = position + len(needle)
        before = data[position - 1 : position]
        after = data[end : end + 1]
        if (
            before
            and (before[0] in _IDENTIFIER_BYTES or before in (b")", b"]"))
            and not (after and (after[0] in _IDENTIFIER_BYTES or after in b".(\"'"))
            and not _line_around(data, position).lstrip().startswith((b"from ", b"import "))
        ):
            return True
        position = data.find(needle, end)
    return False


def _keeps_messages(data: bytes) -> bool:
    return b"messages" in data or b"history" in data


def _calls_a_sink(data: bytes) -> bool:
    """A call named as a sink is (a needle ending in `(` counts only with the whole name before
    it one of the call names), or a `messages=` keyword, which hands a history to a model."""
    if b"messages=" in data:
        return True
    for needle in _SINK_CALLS:
        if not needle.endswith(b"("):
            if needle in data:
                return True
            continue
        position = data.find(needle)
        while position != -1:
            start = position
            # A name that is not ASCII stops the walk early: the file is let through.
            while start > 0 and data[start - 1] in _IDENTIFIER_BYTES:
                start -= 1
            if data[start:position] + needle[:-1] in _CALL_NAMES:
                return True
            position = data.find(needle, position + 1)
    return False


def _imports_an_sdk(data: bytes) -> bool:
    for sdk in _SDKS:
        position = data.find(sdk)
        while position != -1:
            line = _line_around(data, position).lstrip()
            if line.startswith((b"import ", b"from ")) and b"#" not in line[: line.find(sdk)]:
                return True
            position = data.find(sdk, position + len(sdk))
    return False


def _has_quoted_key(data: bytes) -> bool:
    for key in _QUOTED_KEYS:
        position = data.find(key)
        while position != -1:
            before = data[position - 1 : position]
            after = data[position + len(key) : position + len(key) + 1]
            if before in (b'"', b"'") and after == before:
                return True
            position = data.find(key, position + len(key))
    return False


def _builds_a_message(data: bytes) -> bool:
    # `Message(role=..., content=...)`: a message class of any framework, or the project's own.
    return b"role=" in data and b"content=" in data


def _defines_a_prompt_part_getter(data: bytes) -> bool:
    # `def get_discovered_tools(`, `def _load_skills(`: functions whose returned order is
    # watched where they are defined (unordered.py).
    for stem in (b"tools(", b"skill"):
        position = data.find(stem)
        while position != -1:
            if _line_around(data, position).lstrip().startswith((b"def ", b"async def ")):
                return True
            position = data.find(stem, position + len(stem))
    return False


def _names_a_system_prompt(data: bytes) -> bool:
    for stem in (b"ystem", b"YSTEM"):
        position = data.find(stem)
        while position != -1:
            tail = data[position + 5 : position + 18].lower().lstrip(b"_")
            if tail.startswith(_SYSTEM_SUFFIXES):
                return True
            position = data.find(stem, position + 5)
    return False
