"""Settings: one configuration file (`[tool.ctxlint]` in a pyproject.toml, or a ctxlint.toml),
read and validated against the JSON Schema shipped in the package. Which file applies to which
checked file is ctxlint.config_resolution's concern."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ctxlint.globs import glob_problem
from ctxlint.prompt_matching import DEFAULT_PROMPT_FILES
from ctxlint.python.triggers import ConfiguredSink
from ctxlint.redact import evidence
from ctxlint.toml_lines import key_line

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
OUTPUT_FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit")


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file."""


@dataclass(frozen=True, slots=True)
class Settings:
    select: tuple[str, ...] = ("CTX",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Traces: session id pattern (fnmatch: `*`, `?`, `[...]`) -> the codes ignored in it.
    per_session_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    # Globs of the files a walk checks as prompt files (ctxlint.prompt_matching): the
    # defaults, replaced by `prompt-files` or added to by `extend-prompt-files`.
    prompt_files: tuple[str, ...] = DEFAULT_PROMPT_FILES
    extend_prompt_files: tuple[str, ...] = ()
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
    # Also report, in an agent product's transcript, what the product does by design
    # (ctxlint.trace.harness): off, as ruff keeps opt-in rules off.
    harness_findings: bool = False
    # The trace format to read every trace file as, instead of telling it from the content.
    trace_format: str | None = None
    # ctxlint simulate: per model name or prefix, prices that replace the built-in ones
    # (keys as in the package's providers.json: input, output, cache_read, cache_write_5m...).
    prices: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    # The folder relative globs in the configuration are taken from.
    root: Path = field(default_factory=Path.cwd)
    config_path: Path | None = None

    def __post_init__(self) -> None:
        # A selector means the same wherever it was given: `" CTX001"` in the configuration is
        # `--select " CTX001"` is CTX001.
        for name in ("select", "extend_select", "ignore"):
            object.__setattr__(self, name, tuple(code.strip() for code in getattr(self, name)))
        for name in ("per_file_ignores", "per_session_ignores"):
            object.__setattr__(
                self,
                name,
                tuple(
                    (pattern, tuple(code.strip() for code in codes))
                    for pattern, codes in getattr(self, name)
                ),
            )
        # Settings built in code (a library user, a test) get the checks a configuration file
        # gets, so that a bad glob or code cannot reach the places that match paths and codes
        # (select, extend-select and ignore are checked where rules are selected).
        problems = [
            problem
            for pattern in (
                *self.exclude,
                *self.extend_exclude,
                # The defaults are known to be good: compiling them would cost every run.
                *(() if self.prompt_files is DEFAULT_PROMPT_FILES else self.prompt_files),
                *self.extend_prompt_files,
                *_ignore_globs(self),
            )
            if (problem := glob_problem(pattern)) is not None
        ]
        if self.per_file_ignores or self.per_session_ignores:
            from ctxlint.registry import selector_problem  # Imported here: it loads every rule.

            problems += [
                problem
                for _, codes in (*self.per_file_ignores, *self.per_session_ignores)
                for code in codes
                if (problem := selector_problem(code)) is not None
            ]
        if problems:
            raise ConfigError("; ".join(problems))

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _ignore_globs(settings: Settings) -> list[str]:
    return [pattern for pattern, _ in settings.per_file_ignores]


def find_config(start: Path) -> Path | None:
    """The nearest configuration file from `start` upward: `.ctxlint.toml`, `ctxlint.toml`, or
    a pyproject.toml with a [tool.ctxlint] table (ctxlint.config_resolution)."""
    from ctxlint.config_resolution import find_config as nearest

    return nearest(start)


def read_tool_table(path: Path) -> dict[str, Any]:
    """The `tool` table of a pyproject.toml (a file that does not parse is a ConfigError)."""
    return _tool_table(_read_toml(path), path)


def load_settings(config_path: Path | None, cwd: Path | None = None) -> Settings:
    cwd = cwd or Path.cwd()
    if config_path is None:
        config_path = find_config(cwd)
        if config_path is None:
            return Settings(root=cwd)
    if not config_path.exists():
        raise ConfigError(f"{config_path}: no such configuration file")
    if not config_path.is_file():
        raise ConfigError(f"{config_path}: not a regular file")
    text = _read_text(config_path)
    data = _parse_toml(text, config_path)
    # A dedicated file (ctxlint.toml) holds the table at top level; pyproject.toml under tool.
    tool = _tool_table(data, config_path)
    if config_path.name == "pyproject.toml" or "ctxlint" in tool:
        table, where = tool.get("ctxlint", {}), ("tool", "ctxlint")
    else:
        table, where = data, ()
    validate(table, config_path, TomlText(text, where))
    # Not resolved: the checked paths are made absolute the same way (a folder reached through
    # a symlink keeps its path), so that globs relative to this folder match them.
    root = Path(os.path.abspath(config_path)).parent
    return settings_from_table(table, root, config_path)


def _read_toml(path: Path) -> dict[str, Any]:
    return _parse_toml(_read_text(path), path)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ConfigError(
            f"{path}: not valid UTF-8, as TOML must be: byte 0x{data[error.start]:02x} "
            f"on line {line}"
        ) from None


def _parse_toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        # tomllib parses nested arrays and tables by recursion.
        raise ConfigError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None


def _tool_table(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """`tool` in a TOML file: the tables of tools, ours among them."""
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table, not {_toml_type(tool)}")
    return tool


# bool before int: TOML's booleans are Python's ints too.
_TOML_TYPES = (
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a float"),
    (str, "a string"),
    (list, "an array"),
)


def _toml_type(value: Any) -> str:
    return next((name for kind, name in _TOML_TYPES if isinstance(value, kind)), "a date or time")


def schema() -> dict[str, Any]:
    # Imported here: a configuration is validated only when it has a [tool.ctxlint] table.
    import json
    import pkgutil

    data = pkgutil.get_data("ctxlint", "config.schema.json")
    assert data is not None, "the package ships its configuration schema"
    return json.loads(data)


@dataclass(frozen=True, slots=True)
class TomlText:
    """The text a table was read from, and where in it the table is: for the lines of errors."""

    text: str
    table: tuple[str, ...] = ()


# Where a problem is (a key path), and what it is.
_Problem = tuple[tuple["str | int", ...], str]


def validate(table: dict[str, Any], path: Path, source: TomlText | None = None) -> None:
    """Check a [tool.ctxlint] table: its shape against the schema, then the values the schema
    cannot judge (rule selectors, globs, numbers that are not finite). Raises ConfigError
    listing every problem, each with its line when `source` gives the text and the key's line
    can be told."""
    problems: list[_Problem] = _non_finite_numbers(table, ())
    lookups: dict[_Problem, tuple[str | int, ...]] = {}
    for error in _schema_errors(table):
        where = tuple(error.absolute_path)
        if isinstance(error.instance, float) and not math.isfinite(error.instance):
            continue  # Said once, above, in plain words.
        if error.validator == "additionalProperties":
            unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            names = ", ".join(shown(key) for key in unknown)
            problems.append((where, f"unknown key {names}"))
            # The line is the first unknown key's.
            lookups[(where, f"unknown key {names}")] = (*where, unknown[0])
        else:
            problems.append((where, _shortened(error.message)))
    for where, message, key_path in _value_problems(table):
        problems.append((where, message))
        lookups[(where, message)] = key_path
    if not problems:
        return
    # A ctxlint.toml holds the settings at top level: no [tool.ctxlint] table to name.
    table_name = (
        "configuration"
        if source is not None and not source.table
        else "[tool.ctxlint] configuration"
    )
    lines = [f"{path}: invalid {table_name}:"]
    for where, message in sorted(problems, key=lambda problem: _sort_key(*problem)):
        key_path = lookups.get((where, message), where)
        line = key_line(source.text, key_path, source.table) if source is not None else None
        place = f"line {line}: " if line is not None else ""
        lines.append(f"  {place}{_dotted(where)}: {message}")
    raise ConfigError("\n".join(lines))


def _schema_errors(table: dict[str, Any]) -> Iterable[Any]:
    """jsonschema's errors in the table. jsonschema is slow to import (about 50 ms, a third of
    a run answered from the results cache) and most tables are valid: a plain predicate
    compiled from the same schema clears those without it (ctxlint.trace.schema_check)."""
    from ctxlint.trace.schema_check import Unsupported, compile_schema

    document = schema()
    try:
        if compile_schema(document)(table):
            return []
    except Unsupported:
        pass  # A keyword the predicate does not know: jsonschema alone decides.
    import jsonschema

    return jsonschema.Draft202012Validator(document).iter_errors(table)


def shown(value: str) -> str:
    """A value from the configuration as a message quotes it: a repr, cut to a readable length
    (a 1 MB glob is not echoed whole)."""
    return evidence(repr(value))


def _dotted(where: tuple[str | int, ...]) -> str:
    return ".".join(evidence(str(part)) for part in where) or "(table)"


def _sort_key(where: tuple[str | int, ...], message: str) -> tuple[str, str]:
    return (_dotted(where), message)


def _non_finite_numbers(value: Any, where: tuple[str | int, ...]) -> list[_Problem]:
    """nan and infinities, wherever a number is: TOML has them, and every comparison with nan
    is false, so no `minimum` in the schema stops one (a price of nan made every cost $nan)."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [(where, f"{value} is not a finite number")]
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    return [problem for key, item in items for problem in _non_finite_numbers(item, (*where, key))]


def _shortened(message: str, limit: int = 200) -> str:
    """jsonschema words its errors with the whole value, however long the user made it."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _value_problems(table: Any) -> list[tuple[tuple[str | int, ...], str, tuple[str | int, ...]]]:
    """Selectors that match no rule and globs that do not compile, where the schema found a
    string: each with its key path as the schema's errors give it, and the path of the key
    whose line it is on."""
    from ctxlint.registry import selector_problem  # Imported here: it loads every rule.

    if not isinstance(table, dict):
        return []
    problems: list[tuple[tuple[str | int, ...], str, tuple[str | int, ...]]] = []

    def check(where: tuple[str, ...], values: Any, problem_of: Callable[[str], str | None]) -> None:
        for index, value in enumerate(values if isinstance(values, list) else []):
            problem = problem_of(value) if isinstance(value, str) else None
            if problem is not None:
                problems.append(((*where, index), problem, where))

    for key in ("select", "extend-select", "ignore"):
        check((key,), table.get(key), selector_problem)
    for key in ("exclude", "extend-exclude", "prompt-files", "extend-prompt-files"):
        check((key,), table.get(key), glob_problem)
    ignores = table.get("per-file-ignores")
    for pattern, codes in ignores.items() if isinstance(ignores, dict) else ():
        problem = glob_problem(pattern)
        if problem is not None:
            problems.append((("per-file-ignores",), problem, ("per-file-ignores", pattern)))
        check(("per-file-ignores", pattern), codes, selector_problem)
    sessions = table.get("per-session-ignores")
    for pattern, codes in sessions.items() if isinstance(sessions, dict) else ():
        check(("per-session-ignores", pattern), codes, selector_problem)
    return problems


def settings_from_table(table: dict[str, Any], root: Path, path: Path | None) -> Settings:
    settings = Settings(root=root, config_path=path)
    values: dict[str, Any] = {}
    for key in (
        "select",
        "extend-select",
        "ignore",
        "exclude",
        "extend-exclude",
        "prompt-files",
        "extend-prompt-files",
        "compaction-functions",
        "tool-prefixes",
    ):
        if key in table:
            values[key.replace("-", "_")] = tuple(table[key])
    for key in ("per-file-ignores", "per-session-ignores"):
        if key in table:
            values[key.replace("-", "_")] = tuple(
                (pattern, tuple(codes)) for pattern, codes in table[key].items()
            )
    for key in (
        "output-format",
        "unsafe-fixes",
        "flag-daily-values",
        "json-in-messages",
        "min-tool-set",
        "uniform-examples",
        "uniform-run",
        "harness-findings",
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
