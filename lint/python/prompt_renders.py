"""Where the project's Python code loads and renders prompt files, and what it passes for each
variable (ctxlint.prompt_files.renders).

Being built in this session (issue 17): until then no render is found, and the prompt-file
rules judge placeholders by their names and the file alone."""

from __future__ import annotations

from collections.abc import Iterable

from ctxlint.prompt_files.renders import Render


def find_renders(
    python_paths: Iterable[str], roots: tuple[str, ...] = ()
) -> dict[str, tuple[Render, ...]]:
    """The renders found in `python_paths`, by the absolute path of the prompt file each
    renders. A file here need not be one discovery found: the code names it."""
    return {}
