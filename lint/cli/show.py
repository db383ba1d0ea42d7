"""`ctxlint check --show-settings` and `--show-files`: what a check would use and read, printed
instead of checking (as ruff's flags of the same names)."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from ctxlint.cli.common import EXIT_CLEAN, EXIT_ERROR, note
from ctxlint.config import ConfigError, Settings
from ctxlint.config_resolution import SettingsResolver
from ctxlint.redact import visible

# Not settings of the configuration: where its relative globs are taken from, and its file
# (shown on their own lines, above the rest).
_NOT_KEYS = ("root", "config_path")


def show(
    paths: Iterable[str], resolver: SettingsResolver, show_settings: bool, show_files: bool
) -> int:
    """Print the settings of the first file to check and/or the files to check; the exit
    code (2 when a path or a configuration met is bad, as a check would exit)."""
    from ctxlint.discovery import find_inputs

    paths = tuple(paths)
    try:
        found = find_inputs(paths, resolver)
        # The first file to check; with none, the first path given when it is a folder.
        first = found.files[0].path if found.files else paths[0]
        if show_settings and (found.files or os.path.isdir(first)):
            is_folder = not found.files
            settings = resolver.for_folder(first) if is_folder else resolver.for_path(first)
            click.echo(settings_text(first, settings), nl=False)
    except ConfigError as error:
        note("error", str(error))
        return EXIT_ERROR
    for error in found.errors:
        note("error", str(error))
    for warning in found.warnings:
        note("warning", str(warning))
    if show_files:
        click.echo(files_text((f.path, f.kind.value) for f in found.files), nl=False)
    return EXIT_ERROR if found.errors else EXIT_CLEAN


def show_stdin(
    name: str | None, resolver: SettingsResolver, show_settings: bool, show_files: bool
) -> int:
    """As `show`, for standard input: the one input is it, under the name --stdin-filename
    gives (its settings are that name's, as a check of it would take them)."""
    from ctxlint.discovery import named_kind
    from ctxlint.stdin import STDIN_PATH

    try:
        settings = resolver.for_path(name) if name else resolver.default
    except ConfigError as error:
        note("error", str(error))
        return EXIT_ERROR
    shown = name or STDIN_PATH
    if show_settings:
        click.echo(settings_text(shown, settings), nl=False)
    if show_files:
        click.echo(files_text([(shown, named_kind(shown, settings).value)]), nl=False)
    return EXIT_CLEAN


def files_text(files: Iterable[tuple[str, str]]) -> str:
    """One line a file, sorted by path: its kind (python, trace), padded, then its path. A
    JSON or YAML file a walk finds is listed only when its start reads as a trace."""
    return "".join(f"{kind:<6} {visible(path)}\n" for path, kind in sorted(files))


def settings_text(path: str, settings: Settings) -> str:
    """The settings as the configuration spells them (kebab-case keys, TOML values), after
    the file they were resolved for and the configuration file they come from."""
    source = settings.config_path
    lines = [
        f"Resolved settings for: {visible(path)}",
        "Settings path: "
        + (visible(os.path.abspath(source)) if source else "(none: the defaults)"),
        f"Relative to: {visible(str(settings.root))}",
        "",
    ]
    for field in dataclasses.fields(settings):
        if field.name in _NOT_KEYS:
            continue
        value = getattr(settings, field.name)
        key = field.name.replace("_", "-")
        if value is None:
            lines.append(f"# {key}: not set")
        else:
            lines.append(f"{key} = {_toml(field.name, value)}")
    return "\n".join(lines) + "\n"


def _toml(name: str, value: Any) -> str:
    """A value in TOML's inline syntax (JSON's strings and numbers are TOML's too)."""
    if name in ("per_file_ignores", "per_session_ignores", "prices"):
        entries = [f"{json.dumps(key)} = {_toml('', _as_table(name, item))}" for key, item in value]
        return "{ " + ", ".join(entries) + " }" if entries else "{}"
    if name == "prompt_sinks":
        return _toml("", [dataclasses.asdict(sink) for sink in value])
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        entries = [f"{json.dumps(key)} = {_toml('', item)}" for key, item in value.items()]
        return "{ " + ", ".join(entries) + " }" if entries else "{}"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml("", item) for item in value) + "]"
    if isinstance(value, Path):
        return json.dumps(str(value))
    return json.dumps(value)


def _as_table(name: str, item: Any) -> Any:
    if name == "prices":
        # Stored with Python's names (cache_read); shown with the configuration's.
        return {key.replace("_", "-"): figure for key, figure in item}
    return list(item)
