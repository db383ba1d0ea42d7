"""What a prompt-file rule is given: the file as read, its text, and the Python calls that
render it; and how it makes a finding at a placeholder."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from ctxlint.diagnostics import Diagnostic, Fix, Location, RelatedLocation
from ctxlint.prompt_files.model import UNKNOWN, Part, Placeholder, PromptFile
from ctxlint.prompt_files.renders import Render


@dataclass(slots=True)
class PromptCheck:
    path: str
    # The file's text as read (a byte order mark removed): offsets count in it.
    text: str
    file: PromptFile
    # The project's Python calls that render this file; empty when none was found (the file
    # was named alone, or is loaded in a way the analysis cannot follow).
    renders: tuple[Render, ...] = ()
    _line_starts: list[int] = field(default_factory=list, repr=False)

    def location(self, offset: int) -> Location:
        """The 1-based line and column of a character offset in the text."""
        if not self._line_starts:
            self._line_starts = [0]
            self._line_starts.extend(i + 1 for i, char in enumerate(self.text) if char == "\n")
        index = bisect_right(self._line_starts, offset) - 1
        return Location(index + 1, offset - self._line_starts[index] + 1)

    def role_of(self, part: Part) -> str:
        """The part's role; a whole-file template of no known role takes the role the Python
        code sends it as, when every render that says agrees."""
        if part.role != UNKNOWN:
            return part.role
        sent = {render.sent_as for render in self.renders if render.sent_as}
        return sent.pop() if len(sent) == 1 else UNKNOWN

    def diagnostic(
        self,
        rule: type,
        placeholder: Placeholder,
        message: str,
        *,
        help: str | None = None,
        related: tuple[RelatedLocation, ...] = (),
        fix: Fix | None = None,
    ) -> Diagnostic:
        start = placeholder.offset
        end = start + len(placeholder.expression)
        return Diagnostic(
            code=rule.code,
            name=rule.name,
            message=message,
            path=self.path,
            start=self.location(start),
            end=self.location(end),
            fix=fix,
            start_offset=start,
            related=related,
            help=help,
        )
