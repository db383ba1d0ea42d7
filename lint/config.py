"""Settings: `[tool.ctxlint]` in the nearest pyproject.toml (or --config), validated against the
JSON Schema shipped in the package, then overridden by the command line."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from ctxlint.python.sinks import ConfiguredSink

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on 3.10
    import tomli as tomllib

DEFAULT_EXCLUDES = (
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    "build",
    "dist",
    "site-packages",
)
OUTPUT_FORMATS = ("text", "json", "sarif", "github")


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file."""


@dataclass(frozen=True, slots=True)
class Settings:
    select: tuple[str, ...] = ("CTX",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    output_format: str = "text"
    unsafe_fixes: bool = False
    flag_daily_values: bool = False
    json_in_messages: bool = False
    prompt_sinks: tuple[ConfiguredSink, ...] = ()
    compaction_functions: tuple[str, ...] = ()
    tool_prefixes: tuple[str, ...] = ()
    min_tool_set: int = 4
    uniform_examples: int = 5
    uniform_run: int = 10
    # The trace format to read every trace file as, instead of telling it from the content.
    trace_format: str | None = None
    # ctxlint simulate: per model name or prefix, prices that replace the built-in ones
    # (keys as in the package's providers.json: input, output, cache_read, cache_write_5m...).
    prices: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    # The folder relative globs in the configuration are taken from.
    root: Path = field(default_factory=Path.cwd)
    config_path: Path | None = None

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml, from `start` upward, that has a [tool.ctxlint] table."""
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            # A pyproject.toml that does not parse may well be the one meant for us: as ruff
            # does, say so rather than silently running with other settings.
            data = _read_toml(candidate)
            if "ctxlint" in data.get("tool", {}):
                return candidate
    return None


def load_settings(config_path: Path | None, cwd: Path | None = None) -> Settings:
    cwd = cwd or Path.cwd()
    if config_path is None:
        config_path = find_config(cwd)
        if config_path is None:
            return Settings(root=cwd)
    if not config_path.is_file():
        raise ConfigError(f"{config_path}: no such configuration file")
    data = _read_toml(config_path)
    # A dedicated file (ctxlint.toml) holds the table at top level; pyproject.toml under tool.
    if config_path.name == "pyproject.toml":
        table = data.get("tool", {}).get("ctxlint", {})
    else:
        table = data.get("tool", {}).get("ctxlint", data)
    validate(table, config_path)
    return settings_from_table(table, config_path.parent.resolve(), config_path)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None


def schema() -> dict[str, Any]:
    text = resources.files("ctxlint").joinpath("config.schema.json").read_text("utf-8")
    return json.loads(text)


def validate(table: dict[str, Any], path: Path) -> None:
    import jsonschema  # Imported here: it is slow to import and only needed with a config.

    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(table), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    lines = [f"{path}: invalid [tool.ctxlint] configuration:"]
    for error in errors:
        where = ".".join(str(part) for part in error.absolute_path) or "(table)"
        if error.validator == "additionalProperties":
            unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            lines.append(f"  {where}: unknown key {', '.join(repr(k) for k in unknown)}")
        else:
            lines.append(f"  {where}: {error.message}")
    raise ConfigError("\n".join(lines))


def settings_from_table(table: dict[str, Any], root: Path, path: Path | None) -> Settings:
    settings = Settings(root=root, config_path=path)
    values: dict[str, Any] = {}
    for key in (
        "select",
        "extend-select",
        "ignore",
        "exclude",
        "extend-exclude",
        "compaction-functions",
        "tool-prefixes",
    ):
        if key in table:
            values[key.replace("-", "_")] = tuple(table[key])
    if "per-file-ignores" in table:
        values["per_file_ignores"] = tuple(
            (glob, tuple(codes)) for glob, codes in table["per-file-ignores"].items()
        )
    for key in (
        "output-format",
        "unsafe-fixes",
        "flag-daily-values",
        "json-in-messages",
        "min-tool-set",
        "uniform-examples",
        "uniform-run",
    ):
        if key in table:
            values[key.replace("-", "_")] = table[key]
    if "prices" in table:
        values["prices"] = tuple(
            (model, tuple((key.replace("-", "_"), value) for key, value in entry.items()))
            for model, entry in table["prices"].items()
        )
    if "prompt-sinks" in table:
        values["prompt_sinks"] = tuple(
            ConfiguredSink(
                call=entry["call"],
                prefix=tuple(str(a) for a in entry.get("prefix", ())),
                prompt=tuple(str(a) for a in entry.get("prompt", ())),
            )
            for entry in table["prompt-sinks"]
        )
    return replace(settings, **values)
