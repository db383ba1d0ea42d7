"""What every command of the CLI shares: exit codes, how a usage error ends the run, and the
options more than one command takes."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, NoReturn

import click

from ctxlint.config import ConfigError, Settings
from ctxlint.config_resolution import SettingsResolver
from ctxlint.redact import visible

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

# Spelled out so that `--help` does not import every trace reader; a test keeps it current.
TRACE_FORMATS = (
    "ctxlint, claude-code, codex, pi, gemini-cli, otel-genai, openinference, langfuse, litellm, "
    "anthropic, openai, openhands-eval, mini-swe-agent, inspect-ai, otel-genai-document, cline, "
    "opencode, gemini-cli-document, openinference-document, langfuse-document, openhands, "
    "swe-agent, vcr-cassette"
)


def note(kind: str, message: str) -> None:
    """An `error:`, `warning:` or `note:` line on stderr. What it names (a path, a trace's
    session) is not ctxlint's own: a control character in it is shown as its escape, never
    sent to the terminal."""
    # Line breaks stay: a configuration error lists one problem per line. Nothing else in
    # it reaches the terminal as a control character.
    click.echo(f"{kind}: {visible(message, keep=chr(10))}", err=True)


def fail(message: str) -> NoReturn:
    """Ends the run as a usage or input error: the message on stderr, exit code 2."""
    note("error", message)
    raise SystemExit(EXIT_ERROR)


def resolver_or_fail(
    config_path: Path | None, overrides: dict[str, Any] | None = None
) -> SettingsResolver:
    """Each file's settings: those of --config for all, else of each file's nearest
    configuration, with the command line's `overrides` on top. A bad --config, or a bad
    configuration of the current folder, fails here; one met below it, when it is met."""
    try:
        return SettingsResolver(config_path, overrides)
    except ConfigError as error:
        fail(str(error))


def trace_format(value: str | None) -> str | None:
    if value is None:
        return None
    from ctxlint.trace.formats import format_names

    if value not in format_names():
        raise click.BadParameter(f"{value!r} is not one of: {TRACE_FORMATS}")
    return value


def trace_format_option(help_text: str):
    """--trace-format, checked against the readers' names only when it is given."""
    return click.option(
        "--trace-format",
        callback=lambda ctx, param, value: trace_format(value),
        help=help_text,
    )


def prices(settings: Settings) -> dict[str, dict]:
    """The configured prices per model, in the form the simulator's Options take."""
    return {model: dict(figures) for model, figures in settings.prices}


class FiniteFloatRange(click.FloatRange):
    """A float option that refuses nan and infinities: every comparison with nan is false, so
    `--min-hit-rate nan` passed every trace, as if the gate were off."""

    name = "finite float range"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


def _config_path(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    # `--config "$CTXLINT_CONFIG"` with the variable unset must not mean "find one".
    if value is not None and not value.strip():
        raise click.BadParameter("an empty path; give the configuration file's path")
    return Path(value) if value is not None else None


def config_option(help_text: str | None = None):
    """--config, the configuration file to use for every path instead of each one's nearest."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        callback=_config_path,
        help=help_text
        or "Use this configuration file for every path, instead of each file's nearest "
        "(.ctxlint.toml, ctxlint.toml, or pyproject.toml with [tool.ctxlint]).",
    )
