"""What a prompt-file rule is given: the file as read, its text, and the Python calls that
render it; and how it makes a finding at a placeholder."""

from __future__ import annotations

from dataclasses import dataclass, field

from ctxlint.diagnostics import Diagnostic, Fix, Location, RelatedLocation
from ctxlint.prompt_files.model import UNKNOWN, Part, Placeholder, PromptFile
from ctxlint.prompt_files.positions import LineIndex
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
    # The `flag-daily-values` setting: a date without a time of day is flagged too.
    flag_daily_values: bool = False
    _lines: LineIndex | None = field(default=None, repr=False)

    def location(self, offset: int) -> Location:
        """The 1-based line and column of a character offset in the text."""
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return Location(self._lines.line(offset), self._lines.column(offset))

    def related_at(self, placeholder: Placeholder, message: str) -> RelatedLocation:
        """Another placeholder of this file, as a finding's related place."""
        start = placeholder.offset
        end = self.location(start + len(placeholder.expression))
        return RelatedLocation(self.path, self.location(start), end, message)

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
