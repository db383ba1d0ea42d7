"""Concise text output: one line per finding (`path:line:col: CODE [*] message`), as ruff's
`--output-format concise`, then the summary."""

from __future__ import annotations

import click

from ctxlint.diagnostics import Diagnostic
from ctxlint.engine import Report
from ctxlint.redact import visible


def render_concise(report: Report, color: bool = False, quiet: bool = False) -> str:
    from ctxlint.reporters.text import summary

    lines = "".join(concise_line(d, color, report.fixable(d)) + "\n" for d in report.diagnostics)
    return lines if quiet else lines + summary(report)


def concise_line(d: Diagnostic, color: bool = False, fixable: bool = False) -> str:
    """One finding on one line; `[*]` when `ctxlint --fix` fixes it. A file name and a message
    quoting a trace are not ctxlint's own: nothing in them steers the terminal, and a line
    break in them does not break the one-finding-a-line promise."""

    def style(text: str, **styles: object) -> str:
        return click.style(text, **styles) if color else text  # type: ignore[arg-type]

    marker = style(" [*]", fg="cyan") if fixable else ""
    where = f"{style(visible(d.path), bold=True)}:{d.start.line}:{d.start.column}:"
    return f"{where} {style(d.code, fg='red', bold=True)}{marker} {visible(d.message)}"
