"""What turns findings off: `per-file-ignores`, and `# noqa` / `# noqa: CTX001, CTX002`
comments read as flake8 and ruff read them."""

from __future__ import annotations

import io
import re
import tokenize
from typing import TYPE_CHECKING

from ctxlint.diagnostics import Diagnostic
from ctxlint.globs import matches_any
from ctxlint.source import split_lines

if TYPE_CHECKING:
    from ctxlint.config import Settings

_NOQA = re.compile(
    r"#\s*noqa(?P<colon>\s*:\s*(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*))?",
    re.IGNORECASE,
)
ALL_CODES = frozenset({"*"})


def noqa_lines(text: str) -> dict[int, frozenset[str]]:
    """Line number -> codes suppressed there (ALL_CODES for a bare `# noqa`). Only real
    comments count, not `# noqa` inside a string."""
    found: dict[int, frozenset[str]] = {}
    if "noqa" not in text.lower():
        return found
    try:
        # Universal newlines: lines end at \r\n, \r or \n, as ast numbers them.
        for token in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            if token.type == tokenize.COMMENT:
                codes = _parse(token.string)
                if codes is not None:
                    found[token.start[0]] = codes
    except (tokenize.TokenError, SyntaxError):
        # Text the tokenizer rejects still gets line-by-line matching.
        for number, line in enumerate(split_lines(text), start=1):
            codes = _parse(line[line.find("#") :] if "#" in line else "")
            if codes is not None:
                found[number] = codes
    return found


def _parse(comment: str) -> frozenset[str] | None:
    match = _NOQA.search(comment)
    if match is None:
        return None
    if match.group("codes") is None:
        return ALL_CODES
    return frozenset(code.upper() for code in re.split(r"[\s,]+", match.group("codes")))


def is_suppressed(diagnostic: Diagnostic, noqa: dict[int, frozenset[str]]) -> bool:
    codes = noqa.get(diagnostic.start.line)
    if codes is None:
        return False
    return codes is ALL_CODES or diagnostic.code in codes


def without_ignored(
    path: str, diagnostics: list[Diagnostic], settings: Settings
) -> list[Diagnostic]:
    """Drop the findings `per-file-ignores` turns off for this path."""
    ignored = [
        code.upper()
        for pattern, codes in settings.per_file_ignores
        if matches_any(path, [pattern], settings.root)
        for code in codes
    ]
    if not ignored:
        return diagnostics
    return [
        d
        for d in diagnostics
        if not any(code == "ALL" or d.code.startswith(code) for code in ignored)
    ]
