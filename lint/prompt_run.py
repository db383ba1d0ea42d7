"""The prompt files of a run: those discovery found, those the run's Python code loads and
renders from elsewhere (an `instructions.md` beside the code), and those a prompt configuration
names for its text (promptfoo's `file://`), each checked with the calls that render it. Prompt
files are always checked: the results cache holds Python only."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ctxlint.config import Settings
from ctxlint.config_resolution import SettingsResolver
from ctxlint.diagnostics import Location
from ctxlint.globs import Excluder
from ctxlint.prompt_checker import PromptChecker, check_prompt_file
from ctxlint.prompt_files.model import UNKNOWN, Reference
from ctxlint.prompt_files.renders import Render
from ctxlint.prompt_matching import other_template
from ctxlint.results import FixMode, Report
from ctxlint.rule import InputKind, Rule

# A group of files that share settings: the settings, and each file with whether it was named
# on the command line.
Group = tuple[Settings, list[tuple[str, bool]]]
Renders = dict[str, tuple]


def reads_prompts(rules: Iterable[type[Rule]]) -> bool:
    return any(InputKind.PROMPT in rule.input_kinds() for rule in rules)


def find_run_renders(
    python_paths: Sequence[str],
    roots: tuple[str, ...],
    wanted: bool,
    settings: Settings,
    prompt_paths: Iterable[str] = (),
    cache_folder: str | os.PathLike[str] | None = None,
) -> Renders:
    """Where the run's Python files render prompt files; nothing is looked for when no
    selected rule reads prompt files (`wanted` false) or the run has no Python. A value
    passed to one of `prompt_paths` is followed only when the file gives it weight (written
    out in its cached prefix); a file found only through the code is judged whole. With a
    cache folder, an unchanged run's renders are answered from it (ctxlint.renders_cache)."""
    if not wanted or not python_paths:
        return {}
    from ctxlint.python.prompt_renders import find_renders
    from ctxlint.renders_cache import cached_renders

    prompt_paths = list(prompt_paths)

    def find() -> Renders:
        worth = _names_worth_values(prompt_paths)

        def judged(path: str, name: str) -> bool:
            names = worth.get(os.path.abspath(path))
            return names is None or name in names

        return find_renders(python_paths, roots, settings, judged)

    return cached_renders(cache_folder, [*python_paths, *prompt_paths], settings, find)


def _names_worth_values(paths: Iterable[str]) -> dict[str, set[str]]:
    from ctxlint.prompt_files import read_prompt_file
    from ctxlint.prompt_files.checked import PromptCheck
    from ctxlint.prompt_files.judging import names_worth_values

    worth = {}
    for path in paths:
        try:
            read = read_prompt_file(Path(path))
            text = Path(path).read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue  # judged whole; the check reports what cannot be read
        worth[os.path.abspath(path)] = names_worth_values(PromptCheck(path, text, read))
    return worth


def rendered_elsewhere(
    renders: Renders, found: Iterable[str], resolver: SettingsResolver
) -> list[str]:
    """The prompt files the code renders that discovery did not find: those that exist and
    that the `exclude` of their configuration does not exclude, as a walk would."""
    known = {os.path.abspath(path) for path in found}
    extra = []
    for target in sorted(renders):
        absolute = os.path.abspath(target)
        if absolute in known or not os.path.isfile(absolute) or other_template(absolute):
            continue
        if _excluded(absolute, resolver.for_path(absolute)):
            continue
        known.add(absolute)
        extra.append(_shown(absolute))
    return extra


def check_prompt_groups(
    groups: Iterable[Group],
    renders: Renders,
    mode: FixMode,
    report: Report,
    rules_of: Callable[[Settings], tuple[type[Rule], ...]],
    advance: Callable[[int], None],
    resolver: SettingsResolver | None = None,
) -> None:
    """Check each group's prompt files with its settings' rules, into `report`; then, given
    the resolver, the files their configurations name for their text (promptfoo's
    `file://system.txt`), sent as the role the configuration gives them."""
    checkers: dict[int, PromptChecker] = {}

    def checker_for(settings: Settings) -> PromptChecker:
        checker = checkers.get(id(settings))
        if checker is None:
            checker = checkers[id(settings)] = PromptChecker(settings, rules_of(settings))
        return checker

    named: list[tuple[str, Render]] = []
    for settings, files in groups:
        checker = checker_for(settings)
        for path, _ in files:
            _check(checker, path, mode, _renders_of(renders, path), report)
            named.extend(_referenced(path, checker.last_references))
            advance(1)
    if resolver is None:
        return
    known = {os.path.abspath(path) for path in report.prompts}
    for path, sent in named:
        absolute = os.path.abspath(path)
        settings = resolver.for_path(absolute)
        if absolute in known or not os.path.isfile(absolute) or _excluded(absolute, settings):
            continue
        known.add(absolute)
        report.files_checked += 1
        shown = _shown(absolute)
        _check(checker_for(settings), shown, mode, (sent, *_renders_of(renders, shown)), report)


def _check(
    checker: PromptChecker, path: str, mode: FixMode, renders: tuple, report: Report
) -> None:
    result = check_prompt_file(checker, path, mode, renders)
    report.prompts.append(path)
    if result is not None:
        report.results.append(result)
        if result.write_failure is not None:
            report.errors.append(f"{result.path}: not fixed: {result.write_failure}")


def _referenced(path: str, references: Iterable[Reference]) -> list[tuple[str, Render]]:
    """The files a prompt configuration names (relative to its folder; a glob names each
    file it matches), each with the configuration's use of it as a render: no value of its
    variables is known there, only the role it is sent as."""
    import glob  # Only a configuration that names files needs it.

    folder = os.path.dirname(path)
    found = []
    for reference in references:
        target = os.path.join(folder, reference.target)
        at = Location(reference.line, 1)
        sent_as = None if reference.role == UNKNOWN else reference.role
        use = Render(path, at, at, "named in the configuration", (), False, sent_as)
        paths = sorted(glob.glob(target)) if glob.has_magic(target) else [target]
        found.extend((named, use) for named in paths)
    return found


def _renders_of(renders: Renders, path: str) -> tuple:
    if not renders:
        return ()
    absolute = os.path.abspath(path)
    return renders.get(absolute) or renders.get(os.path.realpath(absolute)) or ()


def _excluded(path: str, settings: Settings) -> bool:
    """Whether a walk from the configuration's folder would pass `path` by: the file or a
    folder on the way to it is excluded."""
    excluder = Excluder([*settings.exclude, *settings.extend_exclude], settings.root)
    root = os.path.abspath(settings.root)
    current = path
    while True:
        if excluder.excludes(current):
            return True
        parent = os.path.dirname(current)
        if parent in (current, root) or not parent.startswith(root + os.sep):
            return False
        current = parent


def _shown(path: str) -> str:
    """A path as the run names it: relative to the current folder when it is inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative
