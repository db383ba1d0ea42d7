"""Building a prompt file's parts: a template's placeholders found in its language and placed at
their file line and column, the parts they fall in, and the role a file's name gives it."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from ctxlint.prompt_files.model import (
    ASSISTANT,
    INSTRUCTIONS,
    SYNTAX_JINJA,
    SYSTEM,
    UNKNOWN,
    USER,
    Part,
    Placeholder,
    PromptFileError,
)
from ctxlint.prompt_files.placeholders import scan
from ctxlint.prompt_files.positions import LineIndex, TextMap

# Words of a file name that say which part of a prompt the file is: `system.j2`,
# `system_prompt.md`, `agent-instructions.txt`, `user_message.jinja`. Not `assistant`:
# `assistant.md` is far more often the assistant's system prompt than an assistant message.
_NAME_ROLES = {
    "system": SYSTEM,
    "sys": SYSTEM,
    "instructions": INSTRUCTIONS,
    "instruction": INSTRUCTIONS,
    "developer": INSTRUCTIONS,
    "user": USER,
    "human": USER,
}
# Semantic Kernel's chat prompt markup (learn.microsoft.com/semantic-kernel, "Prompt template
# syntax"): a prompt of `<message role="…">` tags becomes that list of chat messages.
_MESSAGE_TAG = re.compile(
    r"<message\s+role\s*=\s*[\"']([^\"']*)[\"'][^>]*>(.*?)</message\s*>", re.S | re.I
)
_USER_NAME_FOLLOWERS = {"prompt", "message", "msg", "template", "turn"}
# The role names message lists and role lines use, to ours.
_MESSAGE_ROLES = {
    "system": SYSTEM,
    "developer": INSTRUCTIONS,
    "instructions": INSTRUCTIONS,
    "user": USER,
    "human": USER,
    "assistant": ASSISTANT,
    "ai": ASSISTANT,
    "model": ASSISTANT,
}


def role_from_name(path: Path) -> str:
    """The role a prompt file's name gives its whole text, or `unknown`. `system` and
    `instructions` count anywhere in the name (`agent.system.main.md`); `user` only first or
    before `prompt` / `message` (`user1.j2`, `summary_user_message.j2`, not
    `ask_user_question.txt`, which may as well be a tool's prompt)."""
    words = [word for word in re.split(r"[^a-z]+", path.stem.lower()) if word]
    for index, word in enumerate(words):
        role = _NAME_ROLES.get(word)
        if role is None:
            continue
        if role != USER:
            return role
        following = words[index + 1] if index + 1 < len(words) else ""
        if index == 0 or following in _USER_NAME_FOLLOWERS:
            return role
    return UNKNOWN


def message_role(name: object) -> str:
    """Our role for a message's `role` value (`system`, `human`, `ai`, …)."""
    return _MESSAGE_ROLES.get(name.lower(), UNKNOWN) if isinstance(name, str) else UNKNOWN


@dataclass(frozen=True, slots=True)
class Located:
    """A template's text and the way back from it to the file."""

    text: str
    text_map: TextMap

    @classmethod
    def verbatim(cls, source: str, start: int, end: int) -> Located:
        """A stretch of the file read as it stands."""
        return cls(source[start:end], TextMap.identity(start, end))

    @classmethod
    def from_value(cls, value: str, source: str, start: int, end: int) -> Located:
        """A value a YAML or JSON reader unquoted or unindented out of the file's
        `source[start:end]`."""
        return cls(value, TextMap(value, source, start, end))

    def slice(self, start: int, end: int) -> Located:
        """The part of this text from `start` to `end`."""
        return Located(self.text[start:end], self.text_map.sliced(start))

    @property
    def start(self) -> int:
        return self.text_map.to_file(0)

    @property
    def end(self) -> int:
        return self.text_map.to_file(max(len(self.text) - 1, 0)) + (1 if self.text else 0)


def template_placeholders(
    located: Located, syntax: str, lines: LineIndex, path: Path
) -> tuple[list[Placeholder], list[PromptFileError]]:
    """The placeholders of a template, placed at their file offset, line and column; a
    template its language cannot parse is a PromptFileError at its line."""
    errors: list[PromptFileError] = []
    if syntax == SYNTAX_JINJA:
        from ctxlint.prompt_files.jinja import jinja_placeholders

        found, fault = jinja_placeholders(located.text)
        if fault is not None:
            line = lines.line(located.text_map.to_file(fault.offset))
            errors.append(PromptFileError(path, line, fault.reason))
    else:
        found = scan(located.text, syntax)
    placed = []
    for held in found:
        offset = located.text_map.place(held.offset, held.expression)
        placed.append(
            replace(held, offset=offset, line=lines.line(offset), column=lines.column(offset))
        )
    return placed, errors


def make_part(
    role: str,
    located: Located,
    syntax: str,
    lines: LineIndex,
    placeholders: list[Placeholder],
    label: str = "",
) -> Part:
    """A part over `located`, holding those of `placeholders` that fall inside it."""
    start, end = located.start, located.end
    return Part(
        role=role,
        text=located.text,
        start=start,
        end=end,
        line=lines.line(start),
        syntax=syntax,
        in_prefix=True,
        placeholders=tuple(held for held in placeholders if start <= held.offset < end),
        label=label,
    )


def single_template_part(
    role: str,
    located: Located,
    syntax: str,
    lines: LineIndex,
    path: Path,
    label: str = "",
    guessed: bool = False,
) -> tuple[Part, list[PromptFileError]]:
    """A part that is one template of its own (a YAML value, a whole file). When its
    language was `guessed` from its text (a `.md` with `{{ name }}`), text that language
    cannot parse is no fault: the file may be written for another engine (agent-zero's
    `{{ include "x.md" }}`) or be no template at all; what parses is still read."""
    found, errors = template_placeholders(located, syntax, lines, path)
    if guessed:
        errors = []
    # Every placeholder is the part's, even one a folded scalar placed just past its end.
    part = make_part(role, located, syntax, lines, [], label)
    return replace(part, placeholders=tuple(found)), errors


def message_tag_parts(
    located: Located, syntax: str, lines: LineIndex, path: Path, default_role: str
) -> tuple[list[Part], list[PromptFileError]]:
    """The parts of a Semantic Kernel template: one per `<message role>` tag, or the whole
    template as one part of `default_role` when it has none. The template is parsed whole,
    as its renderer does, and its placeholders shared out among the messages."""
    found, errors = template_placeholders(located, syntax, lines, path)
    messages = list(_MESSAGE_TAG.finditer(located.text))
    if not messages:
        part = make_part(default_role, located, syntax, lines, [])
        return [replace(part, placeholders=tuple(found))], errors
    # A role written as a placeholder (`role="{{role}}"` in a history loop) is unknown; text
    # outside the tags that is more than blank (the loop around them) is a part of its own.
    parts = []
    cursor = 0
    for match in messages:
        _add_gap(parts, located, cursor, match.start(), syntax, lines, found)
        role = message_role(match.group(1))
        label = f'<message role="{match.group(1)}">'
        content = located.slice(match.start(2), match.end(2))
        parts.append(make_part(role, content, syntax, lines, found, label))
        cursor = match.end()
    _add_gap(parts, located, cursor, len(located.text), syntax, lines, found)
    return parts, errors


def _add_gap(
    parts: list[Part],
    located: Located,
    start: int,
    end: int,
    syntax: str,
    lines: LineIndex,
    found: list[Placeholder],
) -> None:
    if located.text[start:end].strip():
        gap = located.slice(start, end)
        parts.append(make_part(UNKNOWN, gap, syntax, lines, found, "outside <message> tags"))
