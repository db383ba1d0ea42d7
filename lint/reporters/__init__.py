"""Reporters: the same findings as text for people (in full, or a line each), JSON for tools,
SARIF for code scanning, workflow annotations for GitHub, Code Quality for GitLab and JUnit XML
for other CI systems."""

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
    if output_format == "gitlab":
        from ctxlint.reporters.gitlab import render_gitlab

        return render_gitlab(report)
    if output_format == "junit":
        from ctxlint.reporters.junit import render_junit

        return render_junit(report)
    from ctxlint.reporters.text import render_text

    return render_text(report, color=color, quiet=quiet)
