"""Reporters: the same findings as text for people (in full, or a line each), JSON for tools,
SARIF for code scanning and workflow annotations for GitHub."""

from __future__ import annotations

from ctxlint.engine import Report


def render(output_format: str, report: Report, color: bool = False, quiet: bool = False) -> str:
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
    from ctxlint.reporters.text import render_text

    return render_text(report, color=color, quiet=quiet)
