"""The values every part of ctxlint passes around: locations, edits, fixes and diagnostics."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ctxlint.redact import EVIDENCE_LIMIT, bounded


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A position in a file: 1-based line, 1-based column counted in characters."""

    line: int
    column: int


@dataclass(frozen=True, slots=True, order=True)
class Edit:
    """Replace the text between two offsets (in characters from the file start) with `content`.
    The locations say the same for reports; the offsets are what the fixer uses."""

    start_offset: int
    end_offset: int
    content: str
    start: Location = field(default=Location(0, 0), compare=False)
    end: Location = field(default=Location(0, 0), compare=False)


class Applicability(enum.Enum):
    """How far a fix may be trusted, as in ruff."""

    # Keeps the program's meaning: applied by --fix.
    SAFE = "safe"
    # Changes behaviour the author may rely on: applied only with --unsafe-fixes.
    UNSAFE = "unsafe"
    # Shown to the reader, never applied.
    DISPLAY_ONLY = "display-only"


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability

    def is_applicable(self, unsafe_fixes: bool) -> bool:
        if self.applicability is Applicability.SAFE:
            return True
        return unsafe_fixes and self.applicability is Applicability.UNSAFE


@dataclass(frozen=True, slots=True)
class RelatedLocation:
    """Another place a finding involves: the call a flagged value is sent by, or for a trace
    finding the earlier request it differs from. `pointer` is a JSON pointer inside a trace
    line (or document); None for a place in source code."""

    path: str
    start: Location
    end: Location
    message: str
    pointer: str | None = None

    def __post_init__(self) -> None:
        # As a Diagnostic's own message: a report carries what a related place says too.
        object.__setattr__(self, "message", bounded(self.message))
        if self.pointer is not None:
            # A pointer cut short names nothing: capped as a message, not as quoted evidence.
            object.__setattr__(self, "pointer", bounded(self.pointer))


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding, shaped like ruff's: `message` says what is wrong in one short sentence,
    `help` what to do about it, and `related` the other places involved."""

    code: str
    name: str
    message: str
    path: str
    start: Location
    end: Location
    fix: Fix | None = None
    # Offsets let the fixer and the noqa check work without re-deriving positions.
    start_offset: int = field(default=0, compare=False)
    # For trace findings: the session, and a JSON pointer into the line (or document).
    session: str | None = None
    pointer: str | None = None
    # Other places the finding involves (the sink a value reaches, in another module).
    related: tuple[RelatedLocation, ...] = ()
    help: str | None = None
    # For a trace finding in a text: the character offset inside the string at `pointer`.
    offset: int | None = None

    def __post_init__(self) -> None:
        # Whatever a detector quoted, and however it quoted it, what a finding carries to a
        # report, a SARIF upload or a CI log holds no credential and has a bounded size.
        object.__setattr__(self, "message", bounded(self.message))
        if self.help is not None:
            object.__setattr__(self, "help", bounded(self.help))
        if self.session is not None:
            object.__setattr__(self, "session", bounded(self.session, EVIDENCE_LIMIT))
        if self.pointer is not None:
            # A pointer cut short names nothing: capped as a message, not as quoted evidence.
            object.__setattr__(self, "pointer", bounded(self.pointer))

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.start.line, self.start.column, self.code)


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=Diagnostic.sort_key)
