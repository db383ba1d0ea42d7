"""Reporters: the same findings as text for people (in full, or a line each), JSON for tools,
SARIF for code scanning, workflow annotations for GitHub, Code Quality for GitLab and JUnit XML
for other CI systems."""

from __future__ import annotations

from dataclasses import replace

from ctxlint.diagnostics import Diagnostic
from ctxlint.engine import Report
from ctxlint.files import is_utf8


def render(output_format: str, report: Report, color: bool = False, quiet: bool = False) -> str:
    report = _displayable(report)
    if output_format == "json":
        from ctxlint.reporters.json_output import render_json

        return render_json(report)
    if output_format == "sarif":
        from ctxlint.reporters.sarif import render_sarif

        return render_sarif(report)
    if output_format == "github":
        from ctxlint.reporters.github import render_github

        return render_github(report)
    if output_format == "concise":
        from ctxlint.reporters.concise import render_concise

        return render_concise(report, color=color, quiet=quiet)
    if output_format == "gitlab":
        from ctxlint.reporters.gitlab import render_gitlab

        return render_gitlab(report)
    if output_format == "junit":
        from ctxlint.reporters.junit import render_junit

        return render_junit(report)
    from ctxlint.reporters.text import render_text

    return render_text(report, color=color, quiet=quiet)


def _displayable(report: Report) -> Report:
    """The report with every path a report can hold: a file name that is not UTF-8 (a lone
    surrogate in Python's str) shown with U+FFFD where its bad bytes are, as ruff shows it.
    JSON and an output file must be UTF-8; the files themselves are read by their real name."""
    if all(is_utf8(result.path) for result in report.results) and all(
        is_utf8(related.path) for d in report.diagnostics for related in d.related
    ):
        return report
    results = [
        replace(
            result,
            path=_shown(result.path),
            diagnostics=[_shown_diagnostic(d) for d in result.diagnostics],
        )
        for result in report.results
    ]
    unsafe = {_shown(path) for path in report.unsafe_fix_paths}
    return replace(report, results=results, unsafe_fix_paths=unsafe)


def _shown_diagnostic(diagnostic: Diagnostic) -> Diagnostic:
    related = tuple(replace(r, path=_shown(r.path)) for r in diagnostic.related)
    return replace(diagnostic, path=_shown(diagnostic.path), related=related)


def _shown(path: str) -> str:
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
