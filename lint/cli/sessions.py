"""`ctxlint sessions`: list what trace files hold, session by session."""

from __future__ import annotations

from pathlib import Path

import click

from ctxlint.cli.common import (
    EXIT_CLEAN,
    EXIT_ERROR,
    TRACE_FORMATS,
    config_option,
    fail,
    note,
    resolver_or_fail,
    trace_format_option,
)
from ctxlint.config import ConfigError


@click.command(
    "sessions",
    short_help="List the sessions trace files hold, as ctxlint reads them.",
    epilog="Trace formats read: " + TRACE_FORMATS + ".",
)
@click.argument("paths", nargs=-1, type=click.Path(), required=True)
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
@trace_format_option("Read every file as this format.")
@config_option(
    "Use this configuration file's excludes for every folder walked (without it, each "
    "folder's nearest configuration decides)."
)
def sessions_command(
    paths: tuple[str, ...],
    output_format: str,
    trace_format: str | None,
    config_path: Path | None,
) -> None:
    """List the sessions of trace files: format, requests, models, time span, and the prompt
    and cached tokens the provider reported."""
    import orjson

    from ctxlint.discovery import discover
    from ctxlint.rule import InputKind
    from ctxlint.trace.sessions import no_requests, render_text, summarize

    # Of the configuration, only `exclude` and `extend-exclude` matter here: which files a
    # folder walk passes over, by each folder's nearest configuration (or --config).
    try:
        files, missing = discover(paths, resolver_or_fail(config_path), traces_only=True)
    except ConfigError as error:
        fail(str(error))
    from ctxlint.cli.simulate import _without_python

    # As `simulate`: Python source named here is no trace, and is said to be Python.
    traces, missing = _without_python([f.path for f in files if f.kind is InputKind.TRACE], missing)
    for error in missing:
        note("error", str(error))
    found = [summarize(path, trace_format) for path in traces]
    for checked in found:
        for problem in checked.problems:
            note("warning", f"{checked.path}:{problem.line}: {problem.reason}")
        if not checked.sessions and not checked.problems:
            note("note", f"{no_requests(checked.path, checked.format)}")
    if output_format == "json":
        rows = [summary.as_json() for checked in found for summary in checked.sessions]
        click.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(render_text(found), nl=False)
    # A file with nothing to list is not an error; one that could not be read is, unless
    # another file had sessions to list (its faults are warnings then).
    readable = any(checked.sessions for checked in found)
    unreadable = any(checked.unreadable for checked in found)
    raise SystemExit(EXIT_ERROR if missing or (unreadable and not readable) else EXIT_CLEAN)
