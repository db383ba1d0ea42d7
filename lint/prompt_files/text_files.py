"""Prompt files that are one template: Jinja (`system.j2`), text or Markdown with str.format
fields or `{{ }}` placeholders, and Semantic Kernel's `skprompt.txt`, whose chat prompts mark
their messages with `<message role="system">` tags."""

from __future__ import annotations

import re
from pathlib import Path

from ctxlint.prompt_files.model import (
    FORMAT_STRING,
    JINJA,
    SEMANTIC_KERNEL,
    SYNTAX_HANDLEBARS,
    SYNTAX_JINJA,
    SYNTAX_SEMANTIC_KERNEL,
    Part,
    PromptFile,
    with_prefix_flags,
)
from ctxlint.prompt_files.parts import (
    Located,
    make_part,
    message_role,
    role_from_name,
    single_template_part,
    template_placeholders,
)
from ctxlint.prompt_files.placeholders import guess_syntax
from ctxlint.prompt_files.positions import LineIndex

JINJA_SUFFIXES = (".j2", ".jinja", ".jinja2")
# Semantic Kernel's chat prompt markup (learn.microsoft.com/semantic-kernel, "Prompt template
# syntax": a prompt of `<message role="…">` tags becomes that list of chat messages).
_SK_MESSAGE = re.compile(
    r"<message\s+role\s*=\s*[\"'](\w+)[\"'][^>]*>(.*?)</message\s*>", re.S | re.I
)
# A Semantic Kernel prompt folder's config names the template language when it is not SK's.
_SK_CONFIG = "config.json"


def read_template_file(path: Path, source: str) -> PromptFile:
    """A file whose whole text is one template, its role given by its name."""
    lines = LineIndex(source)
    if path.suffix.lower() in JINJA_SUFFIXES:
        syntax = SYNTAX_JINJA
    elif path.name.lower() == "skprompt.txt":
        syntax = _semantic_kernel_syntax(path)
    else:
        syntax = guess_syntax(source)
    kind = {SYNTAX_JINJA: JINJA, SYNTAX_SEMANTIC_KERNEL: SEMANTIC_KERNEL}.get(syntax, FORMAT_STRING)
    if path.name.lower() == "skprompt.txt":
        kind = SEMANTIC_KERNEL
    whole = Located.verbatim(source, 0, len(source))
    messages = list(_SK_MESSAGE.finditer(source)) if kind == SEMANTIC_KERNEL else []
    if not messages:
        part, errors = single_template_part(role_from_name(path), whole, syntax, lines, path)
        return PromptFile(path, kind, with_prefix_flags([part]), tuple(errors))
    found, errors = template_placeholders(whole, syntax, lines, path)
    parts: list[Part] = [
        make_part(
            message_role(match.group(1)),
            Located.verbatim(source, match.start(2), match.end(2)),
            syntax,
            lines,
            found,
            label=f'<message role="{match.group(1)}">',
        )
        for match in messages
    ]
    return PromptFile(path, kind, with_prefix_flags(parts), tuple(errors))


def _semantic_kernel_syntax(path: Path) -> str:
    """Semantic Kernel's own `{{$var}}` syntax, or Handlebars when the prompt's config.json
    says `"template_format": "handlebars"`. An unreadable config is left to its own check."""
    import json

    try:
        config = json.loads((path.parent / _SK_CONFIG).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return SYNTAX_SEMANTIC_KERNEL
    template_format = config.get("template_format") if isinstance(config, dict) else None
    if template_format == "handlebars":
        return SYNTAX_HANDLEBARS
    return SYNTAX_SEMANTIC_KERNEL
