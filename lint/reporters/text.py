"""Text output for people: one finding per block with the source line underlined, then a summary."""

from __future__ import annotations

import click

from ctxlint.diagnostics import Applicability, Diagnostic
from ctxlint.engine import Report


def render_text(report: Report, color: bool = False, quiet: bool = False) -> str:
    def style(text: str, **styles: object) -> str:
        return click.style(text, **styles) if color else text  # type: ignore[arg-type]

    blocks: list[str] = []
    diagnostics = report.diagnostics
    for d in diagnostics:
        marker = " [*]" if d.fix is not None and d.fix.applicability is Applicability.SAFE else ""
        head = (
            f"{style(d.path, bold=True)}:{d.start.line}:{d.start.column}: "
            f"{style(d.code, fg='red', bold=True)}{style(marker, fg='cyan')} {d.message}"
        )
        blocks.append(head + _excerpt(report, d, style))
    summary = "" if quiet else _summary(report, diagnostics)
    if blocks:
        return "\n".join(blocks) + "\n" + summary
    return summary


def _excerpt(report: Report, d: Diagnostic, style) -> str:
    line = report.line_text(d.path, d.start.line)
    if not line.strip():
        return ""
    expanded = line.expandtabs(4)
    # Tabs are expanded for display; map the column through the same expansion.
    start = len(line[: d.start.column - 1].expandtabs(4))
    if d.end.line == d.start.line and d.end.column > d.start.column:
        end = len(line[: d.end.column - 1].expandtabs(4))
    else:
        end = len(expanded.rstrip())
    width = max(1, end - start)
    gutter = str(d.start.line)
    pad = " " * len(gutter)
    return (
        f"\n{pad} |\n{style(gutter, fg='blue')} | {expanded}\n"
        f"{pad} | {' ' * start}{style('^' * width, fg='red')}\n"
    )


def _summary(report: Report, diagnostics: list[Diagnostic]) -> str:
    lines: list[str] = []
    fixed = sum(r.fixes_applied for r in report.results)
    if diagnostics:
        count = len(diagnostics)
        noun = "finding" if count == 1 else "findings"
        remaining = " remaining" if fixed else ""
        lines.append(f"Found {count} {noun}{remaining}" + (f" ({fixed} fixed)." if fixed else "."))
        safe = sum(1 for d in diagnostics if d.fix and d.fix.applicability is Applicability.SAFE)
        unsafe = sum(
            1 for d in diagnostics if d.fix and d.fix.applicability is Applicability.UNSAFE
        )
        if safe:
            lines.append(f"[*] {safe} fixable with `ctxlint --fix`.")
        if unsafe:
            lines.append(f"{unsafe} more fixable with `ctxlint --fix --unsafe-fixes`.")
    elif fixed:
        lines.append(f"Found {fixed} findings ({fixed} fixed, 0 remaining).")
    else:
        lines.append("All checks passed!")
    return "\n".join(lines) + "\n"
