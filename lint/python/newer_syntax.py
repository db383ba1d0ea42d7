"""Syntax that a newer Python accepts and the one running ctxlint rejects.

ctxlint parses with the `ast` of the interpreter it runs on. A project written for a newer
Python (a `type` alias statement or type parameters from 3.12, `except A, B:` from 3.14) is
valid code that this parser cannot read: its CTX900 says which Python the file needs, rather
than calling valid code a syntax error. Recognised from the line the parser stopped at.
"""

from __future__ import annotations

import re
import sys

# (the line's shape, the version that accepts it, what the finding calls it)
_NEWER_SHAPES = (
    (re.compile(r"\s*type\s+[A-Za-z_]\w*\s*(?:\[[^=]*\])?\s*="), (3, 12), "a `type` statement"),
    (re.compile(r"\s*(?:async\s+)?def\s+[A-Za-z_]\w*\s*\["), (3, 12), "type parameters"),
    (re.compile(r"\s*class\s+[A-Za-z_]\w*\s*\["), (3, 12), "type parameters"),
    (
        # PEP 701: `f"{row["name"]}"`, the f-string's own quote inside a replacement field.
        re.compile(r"""[^#\n]*?\b[rR]?[fF][rR]?(["'])[^\n]*?\{[^}\n]*?\1[^}\n]*?\1[^}\n]*\}"""),
        (3, 12),
        "an f-string that reuses its quote inside braces",
    ),
    (
        re.compile(r"\s*except\*?\s+[\w.]+(?:\s*,\s*[\w.]+)+\s*:"),
        (3, 14),
        "`except` with unparenthesised types",
    ),
)


# What Python 3.11 says of an f-string that PEP 701 (3.12) made valid: the line it names is
# where the f-string ends, which need not show its shape.
_NEWER_MESSAGES = (
    (
        "f-string expression part cannot include a backslash",
        (3, 12),
        "a backslash in an f-string's braces",
    ),
    ("f-string expression part cannot include '#'", (3, 12), "a comment in an f-string's braces"),
)


def newer_syntax_reason(line: str, message: str = "") -> str | None:
    """The CTX900 reason for a line the parser rejected (with the parser's `message`) when a
    newer Python accepts it; None when it is not one of those shapes (a real syntax error)."""
    for said, version, what in _NEWER_MESSAGES:
        if sys.version_info < version and message.startswith(said):
            return _needs(version, what)
    for shape, version, what in _NEWER_SHAPES:
        if sys.version_info < version and shape.match(line):
            return _needs(version, what)
    return None


def _needs(version: tuple[int, int], what: str) -> str:
    needed = ".".join(map(str, version))
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"needs Python {needed} to parse ({what}); ctxlint runs on Python {running}"
