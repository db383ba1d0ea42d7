"""Prompt files made of YAML front matter and a template body: Prompty (`.prompty`, a Jinja body
split into messages by `system:` / `user:` / `assistant:` lines) and Dotprompt (`.prompt`, a
Handlebars body split by `{{role "system"}}`)."""

from __future__ import annotations

import re
from pathlib import Path

from ctxlint.prompt_files import yaml_nodes
from ctxlint.prompt_files.model import (
    DOTPROMPT,
    PROMPTY,
    SYNTAX_HANDLEBARS,
    SYNTAX_JINJA,
    SYSTEM,
    USER,
    Part,
    PromptFile,
    PromptFileError,
    with_prefix_flags,
)
from ctxlint.prompt_files.parts import Located, make_part, message_role, template_placeholders
from ctxlint.prompt_files.positions import LineIndex

# The front matter: a first line `---`, YAML, then a line `---`. Dotprompt also allows blank
# lines and `#` lines (a license header) before it (FRONTMATTER_AND_BODY_REGEX in
# google/dotprompt js/src/parse.ts); in Prompty a `# system:` line is a role line, so not there.
_FRONT_MATTER = re.compile(
    r"\A\ufeff?[ \t]*---[ \t]*\r?\n(.*?)^[ \t]*---[ \t]*(?:\r?\n|\Z)", re.M | re.S
)
_DOTPROMPT_FRONT_MATTER = re.compile(
    r"\A\ufeff?(?:(?:#[^\n]*|[ \t]*)\n)*[ \t]*---[ \t]*\r?\n(.*?)^[ \t]*---[ \t]*(?:\r?\n|\Z)",
    re.M | re.S,
)
# Prompty's role boundary (the Prompty specification, §6.2 "Role Boundary Regex",
# github.com/microsoft/prompty, read 2026-12-03): a line holding only a role name and a colon,
# optionally after `#` and with `[key=value]` attributes. Its Python runtime adds `developer`.
_PROMPTY_ROLE = re.compile(
    r"^[ \t]*#?[ \t]*(system|user|assistant|developer)"
    r"(\[(\w+\s*=\s*\"?[^\"\n]*\"?\s*,?\s*)+\])?[ \t]*:[ \t]*\r?$",
    re.I | re.M,
)
# Dotprompt's role helper (google.github.io/dotprompt/reference/template, read 2026-12-03):
# `{{role "system"}}` starts a message of that role; text before any is a user message.
_DOTPROMPT_ROLE = re.compile(r"\{\{~?\s*role\s+[\"'](\w+)[\"']\s*~?\}\}")
# Comments render to nothing: text of only comments before a role line is no message.
_COMMENTS = re.compile(r"\{\{!--.*?--\}\}|\{\{!.*?\}\}|\{#.*?#\}", re.S)
# Prompty's template format, when its front matter names one other than Jinja.
_MUSTACHE_FORMATS = {"mustache", "handlebars"}


def _front_matter(
    source: str, path: Path, pattern: re.Pattern[str] = _FRONT_MATTER
) -> tuple[int, dict[str, object], list[PromptFileError]]:
    """Where the body starts, the front matter's values, and its faults. The YAML is read
    from the file with everything else blanked, so its lines and offsets are the file's."""
    match = pattern.match(source)
    if match is None:
        return 0, {}, []
    blank = re.sub(r"[^\n]", " ", source[: match.start(1)])
    tail = re.sub(r"[^\n]", " ", source[match.end(1) :])
    closing_line = source.count("\n", 0, match.end(1)) + 1
    read = yaml_nodes.compose(blank + match.group(1) + tail, path, closing_line)
    value = yaml_nodes.plain_value(read.root) if read.root is not None else None
    metadata = value if isinstance(value, dict) else {}
    return match.end(), {str(key): item for key, item in metadata.items()}, list(read.errors)


def _split(
    source: str,
    body_start: int,
    boundaries: list[re.Match[str]],
    first_role: str,
    role_of: dict[int, str],
) -> list[tuple[str, int, int, str]]:
    """(role, start, end, label) of each message: from a boundary's end to the next's
    start. Text before the first boundary is a message of `first_role` when not blank."""
    spans = []
    cursor, role, label = body_start, first_role, ""
    for boundary in boundaries:
        if label or _COMMENTS.sub("", source[cursor : boundary.start()]).strip():
            spans.append((role, cursor, boundary.start(), label))
        cursor = boundary.end()
        if source.startswith("\n", cursor):
            cursor += 1
        role, label = role_of[boundary.start()], boundary.group(0).strip()
    if label or _COMMENTS.sub("", source[cursor:]).strip():
        spans.append((role, cursor, len(source), label))
    return spans


def read_prompty(path: Path, source: str) -> PromptFile:
    lines = LineIndex(source)
    body_start, metadata, errors = _front_matter(source, path)
    template = metadata.get("template")
    template_format = template.get("format") if isinstance(template, dict) else template
    syntax = (
        SYNTAX_HANDLEBARS
        if isinstance(template_format, str) and template_format.lower() in _MUSTACHE_FORMATS
        else SYNTAX_JINJA
    )
    # The body is one template: a `{% for %}` may span role lines, so it is parsed whole and
    # its placeholders shared out among the messages after.
    body = Located.verbatim(source, body_start, len(source))
    found, template_errors = template_placeholders(body, syntax, lines, path)
    boundaries = list(_PROMPTY_ROLE.finditer(source, body_start))
    role_of = {match.start(): message_role(match.group(1)) for match in boundaries}
    parts: list[Part] = [
        make_part(role, Located.verbatim(source, start, end), syntax, lines, found, label)
        for role, start, end, label in _split(source, body_start, boundaries, SYSTEM, role_of)
    ]
    return PromptFile(
        path, PROMPTY, with_prefix_flags(parts), tuple(errors + template_errors), (), metadata
    )


def read_dotprompt(path: Path, source: str) -> PromptFile:
    lines = LineIndex(source)
    body_start, metadata, errors = _front_matter(source, path, _DOTPROMPT_FRONT_MATTER)
    body = Located.verbatim(source, body_start, len(source))
    found, template_errors = template_placeholders(body, SYNTAX_HANDLEBARS, lines, path)
    # The role helpers are how the file is split, not placeholders of its text.
    boundaries = list(_DOTPROMPT_ROLE.finditer(source, body_start))
    found = [held for held in found if held.calls != ("role",)]
    role_of = {match.start(): message_role(match.group(1)) for match in boundaries}
    parts: list[Part] = [
        make_part(
            role, Located.verbatim(source, start, end), SYNTAX_HANDLEBARS, lines, found, label
        )
        for role, start, end, label in _split(source, body_start, boundaries, USER, role_of)
    ]
    return PromptFile(
        path, DOTPROMPT, with_prefix_flags(parts), tuple(errors + template_errors), (), metadata
    )
