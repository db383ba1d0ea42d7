"""Which settings apply to each checked file: the nearest configuration file among the file's
folders, as ruff resolves its own (or one file for every path, given with --config), each file
read once, with the command line's options on top.

In one folder `.ctxlint.toml` is preferred to `ctxlint.toml`, and that to a `pyproject.toml`,
which counts only when it has a [tool.ctxlint] table (ruff: `.ruff.toml` > `ruff.toml` >
`pyproject.toml`, https://docs.astral.sh/ruff/configuration/#config-file-discovery). Settings
are never merged across files: the nearest one is used whole. A file with no configuration
among its folders gets the settings of the current folder's (the one found upward from it),
else the defaults, relative to the current folder, as ruff falls back to its default.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ctxlint.config import Settings, load_settings, read_tool_table

# In the order they are preferred when a folder holds more than one.
CONFIG_NAMES = (".ctxlint.toml", "ctxlint.toml", "pyproject.toml")


def config_in_folder(folder: str | os.PathLike[str]) -> Path | None:
    """The configuration file of this folder itself, or None. A pyproject.toml that does not
    parse may well be the one meant for us: as ruff does, that is an error rather than a
    silent run with other settings."""
    for name in CONFIG_NAMES:
        # A string first: a walk asks this of every folder, and most hold none of them.
        if not os.path.isfile(os.path.join(folder, name)):
            continue
        candidate = Path(folder, name)
        if name != "pyproject.toml" or "ctxlint" in read_tool_table(candidate):
            return candidate
    return None


def find_config(start: Path) -> Path | None:
    """The nearest configuration file from `start` upward."""
    start = Path(os.path.abspath(start))
    for folder in [start, *start.parents]:
        found = config_in_folder(folder)
        if found is not None:
            return found
    return None


class SettingsResolver:
    """Settings per file and per folder. With `config_path` (--config), that file's settings
    for every path. `overrides` are the command line's (select=..., None where not given),
    applied on top of every configuration's settings, as ruff applies its flags."""

    def __init__(
        self,
        config_path: Path | None = None,
        overrides: dict[str, Any] | None = None,
        cwd: Path | None = None,
        fixed: Settings | None = None,
    ) -> None:
        self.cwd = Path(os.path.abspath(cwd or Path.cwd()))
        self.overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        # Configuration file (None: the defaults) -> its settings, overrides applied.
        self._loaded: dict[Path | None, Settings] = {}
        # Folder (absolute) -> the configuration file that applies there (None: the default's).
        self._folder_config: dict[str, Path | None] = {}
        # One settings for every path: --config's, or those a library caller gives.
        self.fixed = fixed
        if config_path is not None:
            self.fixed = self._with_overrides(load_settings(config_path, self.cwd))
        # The settings of the run itself (output format, the cache's folder) and of files
        # with no configuration of their own: those of the current folder.
        self.default = self.fixed or self._settings_of(find_config(self.cwd))

    @classmethod
    def of(cls, settings: Settings | SettingsResolver) -> SettingsResolver:
        """A resolver for what a library caller passes: plain Settings apply to every file."""
        if isinstance(settings, SettingsResolver):
            return settings
        return cls(fixed=settings)

    def for_path(self, path: str | os.PathLike[str]) -> Settings:
        """The settings of a file (by its folder's configuration)."""
        if self.fixed is not None:
            return self.fixed
        return self.for_folder(os.path.dirname(os.path.abspath(path)))

    def for_folder(self, folder: str | os.PathLike[str]) -> Settings:
        """The settings of the files in `folder`, and of what a walk meets there."""
        if self.fixed is not None:
            return self.fixed
        return self._settings_of(self.config_for_folder(folder))

    def for_named(self, path: str | os.PathLike[str]) -> Settings:
        """The settings of a path named on the command line: a folder's own, a file's."""
        return self.for_folder(path) if os.path.isdir(path) else self.for_path(path)

    def config_for_folder(self, folder: str | os.PathLike[str]) -> Path | None:
        """The configuration file that applies in `folder` (None: the default settings)."""
        if self.fixed is not None:
            return self.fixed.config_path
        absolute = os.path.abspath(folder)
        # Walk up until a folder already decided, then remember the answer for every folder
        # passed: a tree's folders share their ancestors' lookups.
        passed: list[str] = []
        current = absolute
        found: Path | None = None
        while True:
            if current in self._folder_config:
                found = self._folder_config[current]
                break
            passed.append(current)
            found = config_in_folder(current)
            if found is not None:
                break
            parent = os.path.dirname(current)
            if parent == current:
                found = self._default_config()
                break
            current = parent
        for folder_passed in passed:
            self._folder_config[folder_passed] = found
        return found

    def _default_config(self) -> Path | None:
        return self.default.config_path

    def _settings_of(self, config_path: Path | None) -> Settings:
        settings = self._loaded.get(config_path)
        if settings is None:
            if config_path is None:
                settings = Settings(root=self.cwd)
            else:
                settings = load_settings(config_path, self.cwd)
            settings = self._loaded[config_path] = self._with_overrides(settings)
        return settings

    def _with_overrides(self, settings: Settings) -> Settings:
        return settings.with_overrides(**self.overrides) if self.overrides else settings

    def loaded(self) -> Iterable[Settings]:
        """Every settings resolved so far."""
        return self._loaded.values()
