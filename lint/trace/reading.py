"""Reading trace files: gzip by content, a byte order mark skipped, JSON lines one at a time (each
at most MAX_LINE_BYTES long), whole JSON documents, and the line a JSON pointer sits on. Every
fault becomes a Problem with a line; nothing raises."""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from ctxlint.redact import bounded
from ctxlint.trace.typed import MAX_DEPTH, TypeFault, check_depth

_GZIP_MAGIC = b"\x1f\x8b"
# Editors on Windows start UTF-8 files with one; JSON parsers (orjson too) refuse it.
_BYTE_ORDER_MARK = b"\xef\xbb\xbf"
# The longest line read as one request. The largest real transcript lines (a turn with a few
# screenshots) are a few megabytes; a line longer than this is a fault or an attack (a file of
# one endless line), and holding it, then its parse, would take gigabytes.
MAX_LINE_BYTES = 64 * 2**20
# How much of a line too long to read is held at a time while it is skipped.
_SKIP_CHUNK = 2**20
# The largest JSON document read whole. Real Inspect and mini-swe-agent logs are megabytes to
# a few hundred; parsed, a document takes several times its size, so a larger one (or an
# endless stream that passes for a file) would take the machine's memory.
MAX_DOCUMENT_BYTES = 1024 * 2**20


@dataclass(frozen=True, slots=True)
class Problem:
    """Why part of a trace could not be read; becomes a CTX900 finding."""

    line: int
    reason: str

    def __post_init__(self) -> None:
        # A reason reaches findings, warnings and the simulator's report: whatever a reader
        # quoted in it, it holds no credential and has a bounded size.
        object.__setattr__(self, "reason", bounded(self.reason))


class ReadFailure(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.reason)
        self.problem = problem


class CorruptCompression(OSError):
    """Compressed data that breaks off or does not decompress. An OSError, so that whoever
    reads a trace meets it where every other fault of reading a file is already handled."""


class _GzipTrace(gzip.GzipFile):
    """A gzip file whose decompression faults are CorruptCompression: the standard library
    raises EOFError and zlib.error, which no reader of a file expects, from any read."""

    def read(self, size: int | None = -1) -> bytes:
        try:
            return super().read(size)
        except (EOFError, zlib.error) as error:
            raise CorruptCompression(str(error)) from None

    def read1(self, size: int = -1) -> bytes:
        try:
            return super().read1(size)
        except (EOFError, zlib.error) as error:
            raise CorruptCompression(str(error)) from None

    def readline(self, size: int | None = -1) -> bytes:
        try:
            return super().readline(size)
        except (EOFError, zlib.error) as error:
            raise CorruptCompression(str(error)) from None

    def peek(self, n: int) -> bytes:
        try:
            return super().peek(n)
        except (EOFError, zlib.error) as error:
            raise CorruptCompression(str(error)) from None


def open_trace(path: str) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip (told by content, not by name), after a
    byte order mark if the text starts with one. Opening and reading raise only OSError
    (read_fault words it), whatever the damage to compressed data."""
    stream: IO[bytes] = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    try:
        head = stream.read(len(_BYTE_ORDER_MARK))
        if head[:2] == _GZIP_MAGIC:
            # The gzip file owns the file it opens; one over our stream would leave it open.
            stream.close()
            stream = _GzipTrace(path, "rb")  # type: ignore[assignment]
            head = stream.read(len(_BYTE_ORDER_MARK))
        if head != _BYTE_ORDER_MARK:
            stream.seek(0)
    except BaseException:
        stream.close()
        raise
    return stream


def read_fault(error: OSError) -> str:
    """Why a trace could not be read, for a Problem."""
    if isinstance(error, (CorruptCompression, gzip.BadGzipFile)):
        return f"compressed data is truncated or corrupt: {error}"
    return f"cannot read: {error.strerror or error}"


def read_head(path: str, size: int = 4096) -> bytes:
    """The start of the (decompressed) file, for telling its format without reading it all."""
    try:
        with open_trace(path) as stream:
            return stream.read(size)
    except OSError:
        return b""


def blank_text(path: str) -> str | None:
    """ "empty file" or "only blank lines" when the (decompressed) file holds no text but
    whitespace, read a chunk at a time; None otherwise, or when it cannot be read."""
    try:
        with open_trace(path) as stream:
            size = 0
            while chunk := stream.read(_SKIP_CHUNK):
                if not chunk.isspace():
                    return None
                size += len(chunk)
    except OSError:
        return None
    return "only blank lines" if size else "empty file"


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    value: Any


def read_lines(stream: IO[bytes]) -> Iterator[Line | Problem]:
    """JSON values, one per non-blank line; a line that is not JSON or longer than
    MAX_LINE_BYTES becomes a Problem, and so does a compressed stream that breaks off (reading
    stops there). No more than MAX_LINE_BYTES of a line is ever held."""
    number = 0
    limit = MAX_LINE_BYTES
    try:
        while raw := stream.readline(limit + 1):
            number += 1
            if len(raw) > limit and not raw.endswith(b"\n"):
                del raw
                _skip_rest_of_line(stream, min(_SKIP_CHUNK, limit))
                yield Problem(
                    number,
                    f"line longer than {_size(limit)}, the most read as one request; skipped",
                )
                continue
            # JSON allows the whitespace around a value: only a blank line needs looking at.
            if raw.isspace():
                continue
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError:
                # Python's whitespace is wider than JSON's (form feed, vertical tab).
                stripped = raw.strip()
                try:
                    value = orjson.loads(stripped)
                except orjson.JSONDecodeError as error:
                    last = not raw.endswith(b"\n")
                    yield Problem(number, _json_fault(stripped, error, last))
                    continue
            yield Line(number, value)
    except OSError as error:
        yield Problem(number + 1, read_fault(error))


def _skip_rest_of_line(stream: IO[bytes], chunk_size: int) -> None:
    while (chunk := stream.readline(chunk_size)) and not chunk.endswith(b"\n"):
        pass


def _size(count: int) -> str:
    return f"{count // 2**20} MiB" if count >= 2**20 else f"{count:,} bytes"


def _json_fault(data: bytes, error: orjson.JSONDecodeError, last: bool) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"bad encoding: not UTF-8 (byte 0x{data[bad.start]:02x} at column {bad.start + 1})"
    if last and error.pos >= len(data.rstrip()) - 1:
        return "truncated last line: the JSON ends before it is complete"
    return f"not valid JSON: {error.msg} (column {error.colno})"


def read_document(path: str) -> tuple[bytes, Any]:
    """A whole JSON file and its value; raises ReadFailure with the line of the fault."""
    data = read_document_bytes(path)
    try:
        return data, orjson.loads(data)
    except orjson.JSONDecodeError as error:
        line = data.count(b"\n", 0, error.pos) + 1
        raise ReadFailure(Problem(line, _json_fault(data, error, last=True))) from None


def read_document_bytes(path: str, language: str = "JSON") -> bytes:
    """The whole (decompressed) file, up to MAX_DOCUMENT_BYTES; raises ReadFailure."""
    limit = MAX_DOCUMENT_BYTES
    try:
        with open_trace(path) as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise ReadFailure(Problem(1, read_fault(error))) from None
    if len(data) > limit:
        reason = f"{language} document too large to read whole: more than {limit:,} bytes"
        raise ReadFailure(Problem(1, reason))
    return data


_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+')


def pointer_lines(data: bytes, pointers: Iterable[str]) -> dict[str, int]:
    """The line each JSON pointer's value starts on, found in one pass over the text. Used only
    when a finding in a JSON document needs its line, so documents are not scanned otherwise."""
    wanted = set(pointers)
    found: dict[str, int] = {}
    if "" in wanted:
        found[""] = 1
    # Each open container: its pointer, whether it is an object, the key or index inside it.
    stack: list[list[Any]] = []
    expecting_key = False
    line = 1
    position = 0
    for match in _JSON_TOKEN.finditer(data):
        line += data.count(b"\n", position, match.start())
        position = match.start()
        token = match.group()
        if token == b",":
            if stack and stack[-1][1]:
                expecting_key = True
            elif stack:
                stack[-1][2] += 1
            continue
        if token == b":":
            continue
        if token in (b"}", b"]"):
            stack.pop()
            expecting_key = False
            continue
        if expecting_key:
            stack[-1][2] = _pointer_key(token)
            expecting_key = False
            continue
        here = _here(stack)
        if here in wanted:
            found[here] = line
            if len(found) == len(wanted):
                break
        if token in (b"{", b"["):
            stack.append([here, token == b"{", 0])
            expecting_key = token == b"{"
    return found


def _here(stack: list[list[Any]]) -> str:
    if not stack:
        return ""
    parent, _, key = stack[-1]
    return f"{parent}/{key}"


def _pointer_key(token: bytes) -> str:
    key = orjson.loads(token) if token.startswith(b'"') else token.decode()
    return str(key).replace("~", "~0").replace("/", "~1")


def decode_json_text(text: str) -> Any:
    """A string that holds JSON (tool arguments, OTel attributes), or None when it does not,
    or when it nests deeper than JSON is written again: what is decoded is compared and
    serialised, both recursive in Python."""
    try:
        value = orjson.loads(text)
    except (orjson.JSONDecodeError, TypeError):
        return None
    # Counting brackets is cheap and rules out deep nesting for nearly every text.
    if isinstance(value, (list, dict)) and text.count("[") + text.count("{") > MAX_DEPTH:
        try:
            check_depth(value, "")
        except TypeFault:
            return None
    return value


def head_value(head: bytes) -> Any:
    """The first complete JSON value on the first line of `head`, or None."""
    first = head.split(b"\n", 1)[0]
    try:
        return orjson.loads(first)
    except orjson.JSONDecodeError:
        return None
