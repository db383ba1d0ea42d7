"""GitHub Actions workflow commands: one `::warning` annotation per finding."""

from __future__ import annotations

import os

from ctxlint.engine import Report
from ctxlint.redact import visible
from ctxlint.reporters.places import session_place
from ctxlint.unreadable import is_unreadable


def _escape_data(text: str) -> str:
    # A file name or session id can hold what steers the terminal reading the log.
    text = visible(text, keep="\t\r\n")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _path(path: str) -> str:
    # GitHub attaches an annotation to a file by its path from the repository root, where the
    # job runs: an absolute path given on the command line is made relative, as in SARIF.
    return os.path.relpath(path) if os.path.isabs(path) else path


def render_github(report: Report) -> str:
    lines = []
    for d in report.diagnostics:
        level = "error" if is_unreadable(d) else "warning"
        properties = ",".join(
            [
                f"file={_escape_property(_path(d.path))}",
                f"line={d.start.line}",
                f"col={d.start.column}",
                f"endLine={d.end.line}",
                f"endColumn={d.end.column}",
                f"title={_escape_property(f'{d.code} ({d.name})')}",
            ]
        )
        text = f"{d.code} {d.message}"
        if d.session is not None:
            text += f" ({session_place(d)})"
        # The annotation shows every line of its message: what to do, and where else to look.
        if d.help:
            text += f"\nhelp: {d.help}"
        for related in d.related:
            where = f"{related.path}:{related.start.line}"
            text += f"\nnote: {related.message}: " + (
                f"{where} at {related.pointer}" if related.pointer else where
            )
        lines.append(f"::{level} {properties}::{_escape_data(text)}")
    return "".join(line + "\n" for line in lines)
