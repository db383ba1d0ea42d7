"""Source text as read from disk: decoding, line/offset arithmetic, the way back to bytes."""

from __future__ import annotations

import bisect
import codecs
import io
import re
import tokenize
from dataclasses import dataclass, field

from ctxlint.diagnostics import Location

# PEP 263: how a file declares its encoding in its first two lines.
_CODING_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+", re.MULTILINE)


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
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as error:
            # Without a coding cookie the complaint is really about bytes that are not UTF-8:
            # decoding as UTF-8 below says which byte, and where.
            if _CODING_COOKIE.search(b"\n".join(data.split(b"\n", 2)[:2])):
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
            line = body.count(b"\n", 0, error.start) + 1
            column = error.start - (body.rfind(b"\n", 0, error.start) + 1) + 1
            return UnreadableSource(
                f"not valid {encoding}: byte 0x{body[error.start]:02x}", line, column
            )
        return UnreadableSource(f"unknown encoding {encoding!r}")

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.has_bom else data

    @property
    def line_starts(self) -> list[int]:
        if not self._line_starts:
            starts = [0]
            text = self.text
            position = text.find("\n")
            while position != -1:
                starts.append(position + 1)
                position = text.find("\n", position + 1)
            self._line_starts = starts
        return self._line_starts

    def offset(self, line: int, column: int) -> int:
        """Character offset of a 1-based line and a 0-based column."""
        starts = self.line_starts
        if line - 1 >= len(starts):
            return len(self.text)
        return min(starts[line - 1] + column, len(self.text))

    def location(self, offset: int) -> Location:
        starts = self.line_starts
        line_index = bisect.bisect_right(starts, offset) - 1
        return Location(line_index + 1, offset - starts[line_index] + 1)

    def line_text(self, line: int) -> str:
        starts = self.line_starts
        if not 1 <= line <= len(starts):
            return ""
        end = starts[line] if line < len(starts) else len(self.text)
        return self.text[starts[line - 1] : end].rstrip("\r\n")
