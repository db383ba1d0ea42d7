"""Source text as read from disk: decoding, line/offset arithmetic, the way back to bytes."""

from __future__ import annotations

import bisect
import codecs
import re
import tokenize
from dataclasses import dataclass, field

from ctxlint.diagnostics import Location

# PEP 263: how a file declares its encoding in its first two lines.
_CODING_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")
# The line breaks of Python's tokenizer, and so of ast's line numbers. Not str.splitlines(),
# which also breaks at \f, \v, \x1c-\x1e, \x85, \u2028 and \u2029: characters a comment or
# a string may hold without starting a new line.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BYTE_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_LINE_WITH_BREAK = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """The lines of Python source as ast numbers them; with `keepends`, each with its line
    break (and no empty last line after a final break, as str.splitlines gives)."""
    if keepends:
        return _LINE_WITH_BREAK.findall(text)
    return LINE_BREAK.split(text)


def _first_lines(data: bytes, count: int) -> list[bytes]:
    """The first `count` lines of undecoded source, each with its line break."""
    lines: list[bytes] = []
    start = 0
    for match in _BYTE_LINE_BREAK.finditer(data):
        lines.append(data[start : match.end()])
        start = match.end()
        if len(lines) == count:
            return lines
    return [*lines, data[start:]] if data[start:] else lines


class UnreadableSource(Exception):
    """The bytes cannot be turned into text; `line` is 1-based where known."""

    def __init__(self, reason: str, line: int = 1, column: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.column = column


@dataclass(slots=True)
class SourceText:
    text: str
    # Kept so that a fixed file is written back exactly as it was encoded.
    encoding: str = "utf-8"
    has_bom: bool = False
    _line_starts: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def decode_python(cls, data: bytes) -> SourceText:
        """Decode as Python does: a BOM or a PEP 263 coding line, else UTF-8."""
        has_bom = data.startswith(codecs.BOM_UTF8)
        # The first two lines as Python reads them (a BytesIO would end a line at b"\n" only,
        # and take a cookie on the third of three lines ending in b"\r" for the first's).
        first_lines = _first_lines(data, 2)
        try:
            encoding, _ = tokenize.detect_encoding(iter([*first_lines, b""]).__next__)
        except SyntaxError as error:
            # Without a coding cookie the complaint is really about bytes that are not UTF-8:
            # decoding as UTF-8 below says which byte, and where.
            if any(_CODING_COOKIE.match(line) for line in first_lines):
                raise UnreadableSource(f"bad encoding declaration: {error}") from None
            encoding = "utf-8"
        if encoding == "utf-8-sig":
            encoding = "utf-8"
        body = data[len(codecs.BOM_UTF8) :] if has_bom else data
        try:
            text = body.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise cls._decode_error(body, encoding, error) from None
        return cls(text=text, encoding=encoding, has_bom=has_bom)

    @staticmethod
    def _decode_error(body: bytes, encoding: str, error: Exception) -> UnreadableSource:
        if isinstance(error, UnicodeDecodeError):
            before = body[: error.start]
            breaks = list(_BYTE_LINE_BREAK.finditer(before))
            line_start = breaks[-1].end() if breaks else 0
            # Everything before the first bad byte decodes: the column counts its characters.
            column = len(before[line_start:].decode(encoding, errors="replace")) + 1
            return UnreadableSource(
                f"not valid {encoding}: byte 0x{body[error.start]:02x}", len(breaks) + 1, column
            )
        return UnreadableSource(f"unknown encoding {encoding!r}")

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.has_bom else data

    @property
    def line_starts(self) -> list[int]:
        """Where each line starts, the lines ending where ast's do (see LINE_BREAK)."""
        if not self._line_starts:
            text = self.text
            if "\r" in text:
                starts = [0, *(match.end() for match in LINE_BREAK.finditer(text))]
            else:
                # The common case, without a regular expression: about twice as fast.
                starts = [0]
                position = text.find("\n")
                while position != -1:
                    starts.append(position + 1)
                    position = text.find("\n", position + 1)
            self._line_starts = starts
        return self._line_starts

    def offset(self, line: int, column: int) -> int:
        """Character offset of a 1-based line and a 0-based column counted in characters."""
        starts = self.line_starts
        if line - 1 >= len(starts):
            return len(self.text)
        return min(starts[line - 1] + column, len(self.text))

    def location(self, offset: int) -> Location:
        starts = self.line_starts
        line_index = bisect.bisect_right(starts, offset) - 1
        return Location(line_index + 1, offset - starts[line_index] + 1)

    def line_text(self, line: int) -> str:
        """The line without its line break; "" past the end."""
        starts = self.line_starts
        if not 1 <= line <= len(starts):
            return ""
        end = starts[line] if line < len(starts) else len(self.text)
        # A line holds no \r or \n but its break: stripping them strips the break only.
        return self.text[starts[line - 1] : end].rstrip("\r\n")
