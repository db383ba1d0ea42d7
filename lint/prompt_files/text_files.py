"""Prompt files that are one template: Jinja (`system.j2`), text or Markdown with str.format
fields or `{{ }}` placeholders, and Semantic Kernel's `skprompt.txt`, whose chat prompts mark
their messages with `<message role="system">` tags. A file's name gives its role."""

from __future__ import annotations

from pathlib import Path

from ctxlint.prompt_files.model import (
    FORMAT_STRING,
    JINJA,
    SEMANTIC_KERNEL,
    SYNTAX_HANDLEBARS,
    SYNTAX_JINJA,
    SYNTAX_SEMANTIC_KERNEL,
    PromptFile,
    with_prefix_flags,
)
from ctxlint.prompt_files.parts import (
    Located,
    message_tag_parts,
    role_from_name,
    single_template_part,
)
from ctxlint.prompt_files.placeholders import guess_syntax
from ctxlint.prompt_files.positions import LineIndex

JINJA_SUFFIXES = (".j2", ".jinja", ".jinja2")
# A Semantic Kernel prompt folder's config names the template language when it is not SK's.
_SK_CONFIG = "config.json"


def read_template_file(path: Path, source: str) -> PromptFile:
    """A file whose whole text is one template, its role given by its name."""
    lines = LineIndex(source)
    guessed = False
    if path.suffix.lower() in JINJA_SUFFIXES:
        syntax = SYNTAX_JINJA
    elif path.name.lower() == "skprompt.txt":
        syntax = _semantic_kernel_syntax(path)
    else:
        syntax, guessed = guess_syntax(source), True
    kind = {SYNTAX_JINJA: JINJA, SYNTAX_SEMANTIC_KERNEL: SEMANTIC_KERNEL}.get(syntax, FORMAT_STRING)
    if path.name.lower() == "skprompt.txt":
        kind = SEMANTIC_KERNEL
    whole = Located.verbatim(source, 0, len(source))
    if kind != SEMANTIC_KERNEL:
        role = role_from_name(path)
        part, errors = single_template_part(role, whole, syntax, lines, path, "", guessed)
        return PromptFile(path, kind, with_prefix_flags([part]), tuple(errors))
    parts, errors = message_tag_parts(whole, syntax, lines, path, role_from_name(path))
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
