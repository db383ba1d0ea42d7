"""A byte scan that tells, before any parsing, whether a Python file can hold prompt code.

On large trees most files import no LLM SDK, build no role message and name no system prompt;
they never reach the parser. The scan errs towards letting a file through: the analysis is
what decides, this only saves it work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ctxlint.python.sinks import ConfiguredSink

_SDKS = (
    r"openai|anthropic|litellm|langchain\w*|google\.genai|google\.generativeai|pydantic_ai"
    r"|smolagents|agents|autogen\w*|groq|together|fireworks|cerebras|mistralai|ollama"
)
_PATTERN = (
    # An import of an LLM SDK, at any indentation, alone or in a list.
    rf"^[ \t]*(?:from[ \t]+(?:{_SDKS})\b|import[ \t][^\n#]*\b(?:{_SDKS})\b)"
    rf"|^[ \t]*from[ \t]+google[ \t]+import[ \t][^\n#]*\bgenai\b"
    # Message and content-block dicts, tool definitions.
    r"""|["'](?:role|input_schema|tool_result|function_call_output)["']"""
    # Names that say they hold a system prompt.
    r"|[Ss][Yy][Ss][Tt][Ee][Mm]_?(?:[Pp][Rr][Oo][Mm][Pp][Tt]|[Mm][Ee][Ss][Ss][Aa][Gg][Ee]"
    r"|[Ii][Nn][Ss][Tt][Rr][Uu][Cc][Tt][Ii][Oo][Nn])"
)
_DEFAULT = re.compile(_PATTERN.encode(), re.MULTILINE)


def prompt_code_filter(configured: Iterable[ConfiguredSink] = ()) -> re.Pattern[bytes]:
    """The scan for these settings: configured sinks add their call's last name."""
    extra = sorted({sink.call.rsplit(".", 1)[-1] for sink in configured})
    if not extra:
        return _DEFAULT
    names = "|".join(re.escape(name) for name in extra)
    return re.compile((_PATTERN + rf"|\b(?:{names})\b").encode(), re.MULTILINE)


def may_contain_prompt_code(data: bytes, pattern: re.Pattern[bytes] = _DEFAULT) -> bool:
    return pattern.search(data) is not None
