"""How reporters name where in a trace a finding is: the session, the JSON pointer, and the
character inside the text at it, worded once so that every format reads alike."""

from __future__ import annotations

from ctxlint.diagnostics import Diagnostic


def pointed(pointer: str, offset: int | None) -> str:
    """ "/system, character 74": a JSON pointer, and the character inside the text it points at
    when known."""
    return pointer + (f", character {offset}" if offset is not None else "")


def session_place(diagnostic: Diagnostic) -> str:
    """ "session s1, at /system, character 74" for a trace finding (without `at` when the
    finding is the whole request)."""
    at = f", at {pointed(diagnostic.pointer, diagnostic.offset)}" if diagnostic.pointer else ""
    return f"session {diagnostic.session}{at}"
