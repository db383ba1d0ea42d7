"""The trace formats ctxlint reads, and telling a file's format from its content.

A line format reads JSON lines one at a time through a stateful reader; a document format
reads one JSON document. Both produce Requests, or Problems for what they cannot use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from ctxlint.trace.model import Request
from ctxlint.trace.reading import Line, Problem
from ctxlint.trace.typed import TypeFault


class LineReader(Protocol):
    def feed(self, line: Line) -> Iterable[Request | Problem]: ...

    def finish(self) -> Iterable[Request | Problem]: ...

    # A line of the file the reader was not given: not JSON, too long, or not a record of its
    # format. What it held is unknown; a reader whose records link to earlier ones must not
    # take its absence for the start of a history.
    def passed_over(self, number: int) -> None: ...


class _StandAloneLines:
    """The reader of a format whose every line is complete in itself."""

    def __init__(self, path: str, parse: Callable[[str, Line], Iterable[Request | Problem]]):
        self.path = path
        self.parse = parse

    def feed(self, line: Line) -> Iterable[Request | Problem]:
        return self.parse(self.path, line)

    def finish(self) -> Iterable[Request | Problem]:
        return ()

    def passed_over(self, number: int) -> None:
        pass


def stand_alone_lines(
    parse: Callable[[str, Line], Iterable[Request | Problem]],
) -> Callable[[str], LineReader]:
    return lambda path: _StandAloneLines(path, parse)


@dataclass(frozen=True, slots=True)
class LineFormat:
    name: str
    description: str
    # Whether one line's JSON value is a record of this format; it sees any JSON value, so it
    # looks at types before values (a list is not hashable, a number has no `.get`).
    accepts: Callable[[Any], bool]
    reader: Callable[[str], LineReader]


@dataclass(frozen=True, slots=True)
class DocumentFormat:
    name: str
    description: str
    # Whether a file is of this format, from its path and first few kilobytes only.
    recognises: Callable[[str, bytes], bool]
    # A request that cannot be built is yielded as its TypeFault, and the rest read on.
    read: Callable[[str, Any], Iterator[Request | Problem | TypeFault]]
    # How the file's bytes become the value `read` takes, for a document that is not JSON
    # (a YAML cassette); it raises ReadFailure with the line of the fault. None: JSON.
    decode: Callable[[bytes], Any] | None = None


def line_formats() -> tuple[LineFormat, ...]:
    """In the order they are tried: the most specific shapes first."""
    from ctxlint.trace.formats import (
        anthropic,
        canonical,
        claude_code,
        codex,
        gemini_cli,
        langfuse,
        litellm,
        openai,
        openhands_eval,
        openinference,
        otel,
        pi,
    )

    return (
        canonical.FORMAT,
        claude_code.FORMAT,
        codex.FORMAT,
        pi.FORMAT,
        gemini_cli.FORMAT,
        otel.LINES_FORMAT,
        openinference.LINES_FORMAT,
        langfuse.FORMAT,
        litellm.FORMAT,
        openhands_eval.FORMAT,
        anthropic.FORMAT,
        openai.FORMAT,
    )


def document_formats() -> tuple[DocumentFormat, ...]:
    from ctxlint.trace.formats import (
        cline,
        gemini_cli,
        inspect_ai,
        langfuse,
        mini_swe_agent,
        opencode,
        openhands,
        openinference,
        otel,
        swe_agent,
        vcr,
    )

    return (
        mini_swe_agent.FORMAT,
        inspect_ai.FORMAT,
        otel.DOCUMENT_FORMAT,
        cline.FORMAT,
        opencode.FORMAT,
        gemini_cli.DOCUMENT_FORMAT,
        openinference.DOCUMENT_FORMAT,
        langfuse.DOCUMENT_FORMAT,
        openhands.FORMAT,
        swe_agent.FORMAT,
        vcr.FORMAT,
    )


def format_names() -> tuple[str, ...]:
    return tuple(f.name for f in line_formats()) + tuple(f.name for f in document_formats())


def line_format_of(value: Any) -> LineFormat | None:
    for candidate in line_formats():
        if candidate.accepts(value):
            return candidate
    return None


# A JSON Schema describes documents, as genkit's schema of its trace spans names `traceId`,
# `startTime` and `type`: it is never a trace, whatever words its properties share with one.
_JSON_SCHEMA = b"json-schema.org/"


def document_format_of(path: str, head: bytes) -> DocumentFormat | None:
    if _JSON_SCHEMA in head[:512] and b'"$schema"' in head[:512]:
        return None
    for candidate in document_formats():
        if candidate.recognises(path, head):
            return candidate
    return None


def by_name(name: str) -> LineFormat | DocumentFormat | None:
    for candidate in (*line_formats(), *document_formats()):
        if candidate.name == name:
            return candidate
    return None
