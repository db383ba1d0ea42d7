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


def newer_syntax_reason(line: str) -> str | None:
    """The CTX900 reason for a line the parser rejected when a newer Python accepts it; None
    when it is not one of those shapes (a real syntax error)."""
    for shape, version, what in _NEWER_SHAPES:
        if sys.version_info < version and shape.match(line):
            needed = ".".join(map(str, version))
            running = f"{sys.version_info.major}.{sys.version_info.minor}"
            return f"needs Python {needed} to parse ({what}); ctxlint runs on Python {running}"
    return None
