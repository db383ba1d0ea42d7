"""Text output for people: one finding per block (the message, the source line underlined, what
to do and the other places involved), then a summary."""

from __future__ import annotations

import click

from ctxlint.diagnostics import Applicability, Diagnostic
from ctxlint.engine import Report
from ctxlint.redact import visible
from ctxlint.reporters.places import pointed


def render_text(report: Report, color: bool = False, quiet: bool = False) -> str:
    def style(text: str, **styles: object) -> str:
        return click.style(text, **styles) if color else text  # type: ignore[arg-type]

    blocks: list[str] = []
    diagnostics = report.diagnostics
    for item in _grouped_by_session(diagnostics):
        if isinstance(item, Diagnostic):
            excerpt = _excerpt(report, item, style)
            fixable = report.fixable(item)
            notes = _notes(item, style, " " * (_gutter_width(item) + 1))
            if excerpt and notes:
                # As ruff closes the excerpt before its help lines.
                excerpt += " " * _gutter_width(item) + " |\n"
            blocks.append(_head(item, style, fixable) + "\n" + excerpt + notes)
            continue
        (path, session), findings = item
        noun = "finding" if len(findings) == 1 else "findings"
        # A file name and a session id are not ctxlint's own: nothing in them steers the terminal.
        header = style(
            f"{visible(path)}: session {visible(session)} ({len(findings)} {noun})", bold=True
        )
        lines = [header]
        for d in findings:
            lines.append("  " + _head(d, style, report.fixable(d)))
            if d.pointer:
                lines.append(f"    at {visible(pointed(d.pointer, d.offset))}")
            notes = _notes(d, style, "    ")
            if notes:
                lines.append(notes.rstrip("\n"))
        blocks.append("\n".join(lines) + "\n")
    summary = "" if quiet else _summary(report, diagnostics)
    if blocks:
        return "\n".join(blocks) + "\n" + summary
    return summary


def _head(d: Diagnostic, style, fixable: bool) -> str:
    marker = style(" [*]", fg="cyan") if fixable else ""
    return (
        f"{style(visible(d.path), bold=True)}:{d.start.line}:{d.start.column}: "
        f"{style(d.code, fg='red', bold=True)}{marker} {d.message}"
    )


def _notes(d: Diagnostic, style, indent: str) -> str:
    """What to do ("help: ..."), then one line for each other place the finding involves:
    "note: sent by client.messages.create: agent.py:37:12"."""
    lines = []
    if d.help:
        lines.append(f"{indent}{style('help', fg='cyan', bold=True)}: {d.help}\n")
    for r in d.related:
        where = f"{visible(r.path)}:{r.start.line}"
        if r.pointer is None:
            where += f":{r.start.column}"
        elif r.pointer:
            where += f" at {visible(r.pointer)}"
        lines.append(f"{indent}{style('note', bold=True)}: {visible(r.message)}: {where}\n")
    return "".join(lines)


def _gutter_width(d: Diagnostic) -> int:
    return len(str(d.start.line))


_Group = tuple[tuple[str, str], list[Diagnostic]]


def _grouped_by_session(diagnostics: list[Diagnostic]) -> list[Diagnostic | _Group]:
    """Findings in source files one by one; trace findings gathered under their session, the
    sessions in the order of their first finding."""
    ordered: list[Diagnostic | _Group] = []
    groups: dict[tuple[str, str], list[Diagnostic]] = {}
    for d in diagnostics:
        if d.session is None:
            ordered.append(d)
            continue
        key = (d.path, d.session)
        if key not in groups:
            groups[key] = []
            ordered.append((key, groups[key]))
        groups[key].append(d)
    return ordered


# How much of a source line the excerpt shows, and how much of it comes before the finding.
_EXCERPT_WIDTH = 160
_EXCERPT_LEAD = 40


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
    if len(expanded) > _EXCERPT_WIDTH:
        # A minified or generated line: a window from a little before the flagged span.
        left = max(0, start - _EXCERPT_LEAD)
        right = min(len(expanded), left + _EXCERPT_WIDTH)
        before = "…" if left else ""
        expanded = before + expanded[left:right] + ("…" if right < len(expanded) else "")
        start, end = start - left + len(before), min(end, right) - left + len(before)
    # In terminal columns: a wide character (CJK, most emoji) takes two.
    indent = _display_width(expanded[:start])
    width = max(1, _display_width(expanded[start:end]))
    gutter = str(d.start.line)
    pad = " " * len(gutter)
    return (
        f"{pad} |\n{style(gutter, fg='blue')} | {expanded}\n"
        f"{pad} | {' ' * indent}{style('^' * width, fg='red')}\n"
    )


def _display_width(text: str) -> int:
    if text.isascii():
        return len(text)
    from unicodedata import combining, east_asian_width

    return sum(
        0 if combining(char) else 2 if east_asian_width(char) in "WF" else 1 for char in text
    )


def summary(report: Report) -> str:
    """The lines after the findings ("Found 3 findings.", "All checks passed!"), which other
    layouts of the findings (concise, statistics) end with too."""
    return _summary(report, report.diagnostics)


def _summary(report: Report, diagnostics: list[Diagnostic]) -> str:
    lines: list[str] = []
    fixed = sum(r.fixes_applied for r in report.results)
    if diagnostics:
        count = len(diagnostics)
        if fixed:
            # As ruff counts them: every finding met, then how many of them were fixed.
            total = count + fixed
            noun = "finding" if total == 1 else "findings"
            lines.append(f"Found {total} {noun} ({fixed} fixed, {count} remaining).")
        else:
            noun = "finding" if count == 1 else "findings"
            lines.append(f"Found {count} {noun}.")
        safe = sum(1 for d in diagnostics if report.fixable(d))
        unsafe = sum(
            1
            for d in diagnostics
            if d.fix and d.fix.applicability is Applicability.UNSAFE and not report.fixable(d)
        )
        if safe:
            lines.append(f"[*] {safe} fixable with `ctxlint --fix`.")
        if unsafe:
            lines.append(f"{unsafe} more fixable with `ctxlint --fix --unsafe-fixes`.")
    elif fixed:
        noun = "finding" if fixed == 1 else "findings"
        lines.append(f"Found {fixed} {noun} ({fixed} fixed, 0 remaining).")
    elif passed(report):
        lines.append("All checks passed!")
    elif not report.unchecked and (failed := _failed_files(report)):
        files = "file" if failed == 1 else "files"
        lines.append(f"No findings, but ctxlint failed on {failed} {files} (see the warnings).")
    if report.unchecked:
        # Not "All checks passed!": a path named on the command line was not checked at all.
        paths = "path" if report.unchecked == 1 else "paths"
        lead = "" if diagnostics or fixed else "No findings, but "
        # Beside the count of findings, before the notes on fixing them.
        lines.insert(1, f"{lead}{report.unchecked} {paths} could not be checked (see the errors).")
    # Nothing checked at all: the warning on stderr says so, and no summary line is true.
    return "".join(line + "\n" for line in lines)


def passed(report: Report) -> bool:
    """Whether "All checks passed!" is true of the run: something was checked, and nothing
    was found, failed, or left unchecked."""
    if report.diagnostics or report.errors or report.unchecked or _failed_files(report):
        return False
    if any(result.fixes_applied for result in report.results):
        return False
    return report.files_checked > 0


def _failed_files(report: Report) -> int:
    """Files ctxlint itself failed on (a fault of its own while checking them)."""
    return sum(
        any(problem.startswith("internal error") for problem in result.problems)
        for result in report.results
    )
