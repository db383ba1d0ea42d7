"""Which files are prompt files by their names: the `prompt-files` and `extend-prompt-files`
globs, matched without reading a file, so that a walk over Python code costs no more for them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from ctxlint.globs import glob_regex, relative_posix

# Suffixes that say "prompt template" wherever the file is: nothing else uses them.
PROMPT_SUFFIXES = (".j2", ".jinja", ".jinja2", ".prompty", ".prompt")
# Text that is a prompt file when named on the command line, wherever it is: naming a
# Markdown or text file to ctxlint means it is a prompt (it is no Python and no trace).
NAMED_TEXT_SUFFIXES = (".md", ".markdown", ".txt")
# A folder named for prompts holds them in Markdown, text and YAML: its name ends in "prompt"
# or "prompts" (prompts/, system_prompts/, Prompts/) or names prompt templates
# (prompt_templates/, prompt_template_samples/, PromptTemplates/). A folder only about prompts
# (prompt_engineering_tutorial/, prompt_evaluations/, prompt_toolkit/, promptflow/) holds
# lessons, data and code: in real projects, CloudFormation YAML and the articles an eval
# grades. Semantic Kernel names its templates skprompt.txt, and promptfoo its configuration
# promptfooconfig.yaml, wherever they are.
_PROMPT_FOLDERS = ("*[Pp]rompt", "*[Pp]rompts", "*[Pp]rompt[-_][Tt]emplate*", "*PromptTemplate*")
DEFAULT_PROMPT_FILES = (
    *(f"*{suffix}" for suffix in PROMPT_SUFFIXES),
    "skprompt.txt",
    "promptfooconfig.yaml",
    "promptfooconfig.yml",
    *(
        f"**/{folder}/**/*.{suffix}"
        for folder in _PROMPT_FOLDERS
        for suffix in ("md", "txt", "yaml", "yml")
    ),
)
# What a prompts folder says about itself: its README, licence, changelog. They are never sent
# to a model, and a placeholder shown in a README (`{{ now }}` as an example) is no finding;
# found by a folder pattern they are left alone (named on the command line, they are checked).
_DOCUMENTATION = (
    r"(?i)(readme|changelog|changes|history|news|licen[cs]e|copying|notice|authors|"
    r"contributing|contributors|code_of_conduct|security|requirements[\w.-]*)(\.\w+)?"
)

# Jinja templates of something else than a prompt, by the name they are rendered to: a
# Dockerfile, a web page, a configuration file (OpenHands renders `Dockerfile.j2`, Ansible
# `nginx.conf.j2`). A walk leaves them; named on the command line they are checked.
_OTHER_TEMPLATE = re.compile(
    r"(?i)(dockerfile|makefile|containerfile|[^/]*\.(html?|xml|svg|css|scss|jsx?|tsx?|sh|bash"
    r"|ps1|py|rb|go|rs|java|kt|cs|cpp|c|h|sql|ya?ml|json|toml|ini|cfg|conf|env|properties"
    r"|service|tf|hcl|nginx|desktop|plist|csv|tex))\.(j2|jinja2?)"
)


class PromptFileMatcher:
    """The prompt-file globs of one configuration, read as `exclude` is: a glob without a
    slash matches a file's name, one with a slash its path from the configuration's folder."""

    def __init__(self, patterns: Iterable[str], root: Path) -> None:
        self.root = root
        names: list[str] = []
        paths: list[str] = []
        for pattern in patterns:
            stripped = pattern.strip("/") if "/" in pattern.rstrip("/") else pattern.rstrip("/")
            (paths if "/" in stripped else names).append(stripped)
        self._names = _any_of(names)
        self._paths = _any_of(paths)
        # A path glob's last part is a name glob: only a file whose name matches one is worth
        # making relative to the root and matching whole (most files of a walk are not).
        self._path_tails = _any_of(pattern.rsplit("/", 1)[-1] for pattern in paths)

    def matches(self, path: str) -> bool:
        name = os.path.basename(path)
        if _OTHER_TEMPLATE.fullmatch(name):
            return False
        if self._names is not None and self._names.fullmatch(name):
            return True
        if self._path_tails is None or not self._path_tails.fullmatch(name):
            return False
        if re.fullmatch(_DOCUMENTATION, name):
            return False
        assert self._paths is not None
        return self._paths.fullmatch(relative_posix(path, self.root)) is not None


def has_prompt_suffix(path: str) -> bool:
    return path.lower().endswith(PROMPT_SUFFIXES)


def named_as_text(path: str) -> bool:
    """A Markdown or text file, which named on the command line is read as a prompt."""
    return path.lower().endswith(NAMED_TEXT_SUFFIXES)


def _any_of(globs: Iterable[str]) -> re.Pattern[str] | None:
    regexes = [glob_regex(glob).pattern for glob in globs]
    if not regexes:
        return None
    return re.compile("|".join(f"(?:{regex})" for regex in regexes))


def other_template(path: str) -> bool:
    """A Jinja template of something else than a prompt (`Dockerfile.j2`, `nginx.conf.j2`)."""
    return _OTHER_TEMPLATE.fullmatch(os.path.basename(path)) is not None
