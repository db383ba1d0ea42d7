"""CTX001's move for a prompt file: a changing value's line taken to the end of its part's own
text, where the rest of the part stays cacheable."""

from __future__ import annotations

import re

from ctxlint.diagnostics import Applicability, Edit, Fix
from ctxlint.prompt_files.checked import PromptCheck
from ctxlint.prompt_files.model import Part, Placeholder
from ctxlint.prompt_files.placeholder_kinds import is_history

# Tags that open and close a block, by template language: a line inside one cannot move.
_OPENS = {
    "jinja": re.compile(r"\{%-?\s*(for|if|macro|call|filter|block|with|raw|autoescape)\b"),
    "handlebars": re.compile(r"\{\{~?#"),
    "semantic-kernel": re.compile(r"(?!)"),
    "format": re.compile(r"(?!)"),
}
_CLOSES = {
    "jinja": re.compile(r"\{%-?\s*end\w+"),
    "handlebars": re.compile(r"\{\{~?/"),
    "semantic-kernel": re.compile(r"(?!)"),
    "format": re.compile(r"(?!)"),
}
# A variable set in the template: a moved line might then read it before it is set.
_SETS = re.compile(r"\{%-?\s*set\b")
_TAG = re.compile(r"\{%|\{#|\{\{~?[#/]")


def move_to_part_end(prompt: PromptCheck, part: Part, placeholder: Placeholder) -> Fix | None:
    """An unsafe fix that moves the placeholder's line to the end of the part's own text:
    before the history when the part lays it out, else to the part's end. Offered only where
    the move is plain: the part is read verbatim from the file (not a YAML value), it sets no
    variable, the line and the place it goes to are in no block of the template, and the line
    holds this one placeholder and no tag."""
    opens, closes = _OPENS.get(part.syntax), _CLOSES.get(part.syntax)
    if opens is None or closes is None or part.end - part.start != len(part.text):
        return None
    if _SETS.search(part.text):
        return None
    text = prompt.text
    line_start = text.rfind("\n", part.start, placeholder.offset) + 1 or part.start
    line_end = text.find("\n", placeholder.offset, part.end)
    if line_end == -1:
        return None
    line = text[line_start:line_end]
    on_line = [held for held in part.placeholders if line_start <= held.offset < line_end]
    if len(on_line) != 1 or _TAG.search(line) or not line.strip():
        return None
    target = _end_of_own_text(text, part, placeholder)
    if target <= line_end:
        return None

    def depth(offset: int) -> int:
        before = text[part.start : offset]
        return len(opens.findall(before)) - len(closes.findall(before))

    if depth(line_start) != 0 or depth(target) != 0:
        return None
    delete = _edit(prompt, line_start, line_end + 1, "")
    insert = _edit(prompt, target, target, "\n" + line)
    return Fix("Move the line to the end of its part", (delete, insert), Applicability.UNSAFE)


def _end_of_own_text(text: str, part: Part, placeholder: Placeholder) -> int:
    """Where the part's own text ends: the end of the last line before the history the part
    lays out after the placeholder, else the part's end, trailing blank lines left out."""
    end = part.end
    for held in part.placeholders:
        if held.offset > placeholder.offset and is_history(held):
            end = text.rfind("\n", part.start, held.offset) + 1 or part.start
            break
    while end > part.start and text[end - 1] in " \t\r\n":
        end -= 1
    # Past a tag that opens the history loop's line (`{% for item in history %}`): the
    # insertion goes on the line before it.
    return end


def _edit(prompt: PromptCheck, start: int, end: int, content: str) -> Edit:
    return Edit(start, end, content, prompt.location(start), prompt.location(end))
