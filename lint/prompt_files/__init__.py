"""Prompt files (Jinja templates, Prompty, Dotprompt, text with `{placeholders}`, YAML prompt
configs) read into parts by role and the placeholders in each, with file lines and columns.

`read_prompt_file(path)` is the entry point; jinja2 and PyYAML are imported only when a file
that needs them is read, so importing this package costs nothing at startup."""

from __future__ import annotations

from ctxlint.prompt_files.model import (
    Part,
    Placeholder,
    PrefixShare,
    PromptFile,
    PromptFileError,
    Reference,
    share_before,
)
from ctxlint.prompt_files.reader import read_prompt_file

__all__ = [
    "Part",
    "Placeholder",
    "PrefixShare",
    "PromptFile",
    "PromptFileError",
    "Reference",
    "read_prompt_file",
    "share_before",
]
