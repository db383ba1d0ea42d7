"""What `ctxlint check` prints once the files are checked: the report in its format, the notes
on stderr, the simulated summary after findings on traces, --add-noqa's account, and the exit
code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ctxlint.cli.color import use_color
from ctxlint.cli.common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, fail, note
from ctxlint.config import Settings
from ctxlint.engine import FixMode, Report


def write_noqa_comments(report: Report, quiet: bool) -> int:
    """Write the comments; the exit code: 2 when a path or a file could not be handled."""
    from ctxlint.add_noqa import add_noqa_comments

    outcome = add_noqa_comments(report)
    for error in [*report.errors, *outcome.errors]:
        note("error", str(error))
    for warning in [*report.warnings, *outcome.skipped]:
        note("warning", str(warning))
    for result in report.results:
        for problem in result.problems:
            note("warning", f"{result.path}: {problem}")
    if outcome.in_traces:
        note(
            "note",
            f"{outcome.in_traces} finding{'s' if outcome.in_traces != 1 else ''} in traces "
            "left as they are: a trace holds no comments (use per-file-ignores)",
        )
    if outcome.in_prompts:
        note(
            "note",
            f"{outcome.in_prompts} finding{'s' if outcome.in_prompts != 1 else ''} in prompt "
            "files left as they are: a comment there may become prompt text (add "
            "`{# noqa: CODE #}` in Jinja by hand, or use per-file-ignores)",
        )
    if outcome.in_scripts:
        note(
            "note",
            f"{outcome.in_scripts} finding{'s' if outcome.in_scripts != 1 else ''} in "
            "TypeScript or JavaScript left as they are (add `// noqa: CODE` by hand)",
        )
    if not quiet:
        click.echo(outcome.summary, err=True)
    return EXIT_ERROR if report.errors or outcome.errors else EXIT_CLEAN


def held_back(harness_findings: dict[str, int]) -> list[str]:
    """The summary's line on findings about what an agent product does by design (Claude
    Code compacting its history), which the check did not report."""
    count = sum(harness_findings.values())
    if not count:
        return []
    noun = "finding" if count == 1 else "findings"
    return [
        f"by design    {count} {noun} on what the agent product itself does (its own "
        "compaction, prompts, tools), not reported (--harness-findings)"
    ]


def print_simulated_summary(
    traces: list[str], settings: Settings, output_file: str | None, by_design: list[str]
) -> bool:
    """After the findings on traces, what the cache would make of them; False when a fault of
    ctxlint's own cost the summary (the findings printed before it stand)."""
    from ctxlint.cli.summary import simulated_summary

    summary = simulated_summary(traces, settings, by_design)
    if summary.warning is not None:
        note("warning", str(summary.warning))
    if summary.text:
        if output_file:
            with open(output_file, "a", encoding="utf-8", errors="surrogateescape") as stream:
                stream.write(summary.text)
        else:
            click.echo(summary.text, nl=False)
    return not summary.failed


def emit(
    report: Report,
    settings: Settings,
    output_file: str | None,
    quiet: bool,
    mode: FixMode,
    to_stderr: bool = False,
    statistics: bool = False,
    color_choice: str = "auto",
) -> None:
    from ctxlint.reporters import render

    for error in report.errors:
        note("error", str(error))
    for warning in report.warnings:
        note("warning", str(warning))
    for result in report.results:
        for problem in result.problems:
            note("warning", f"{result.path}: {problem}")
    if report.files_checked == 0 and not report.errors:
        note("warning", "no Python files, prompt files or traces found")
    if report.passed_over and not quiet:
        note("note", passed_over_note(report.passed_over))
    if mode is FixMode.DIFF:
        # The diff is what --diff reports: it goes where a report would.
        output("".join(r.diff for r in report.results if r.diff), output_file, "diff", exact=True)
        if not quiet:
            count = sum(r.fixes_applied for r in report.results)
            # What --diff leaves out because only --unsafe-fixes applies it, as the check says.
            unsafe = sum(1 for d in report.diagnostics if d.fix and not report.fixable(d))
            more = f" ({unsafe} more with `--unsafe-fixes`)" if unsafe else ""
            click.echo(f"Would fix {count} finding{'s' if count != 1 else ''}{more}.", err=True)
        return
    stream = sys.stderr if to_stderr else sys.stdout
    # A report file is coloured only when asked for by name, never by FORCE_COLOR.
    if output_file is None:
        color = use_color(color_choice, stream.isatty(), os.environ)
    else:
        color = color_choice == "always"
    if statistics:
        from ctxlint.reporters.statistics import render_statistics, render_statistics_json

        if settings.output_format == "json":
            text = render_statistics_json(report)
        else:
            text = render_statistics(report, color=color, quiet=quiet)
    else:
        text = render(settings.output_format, report, color=color, quiet=quiet)
    output(text, output_file, "report", to_stderr, color=color)


def passed_over_note(paths: list[str]) -> str:
    """What a folder walk left alone, counted, with the commonest suffixes among them."""
    from collections import Counter

    suffixes = Counter(os.path.splitext(path)[1].lower() for path in paths)
    suffixes.pop("", None)
    common = ", ".join(suffix for suffix, _ in suffixes.most_common(3))
    count = len(paths)
    files = "file that is" if count == 1 else "files that are"
    return f"passed over {count:,} {files} not Python, a prompt file or a known trace format" + (
        f" ({common}{', …' if len(suffixes) > 3 else ''})" if common else ""
    )


def output(
    text: str,
    output_file: str | None,
    what: str,
    to_stderr: bool = False,
    exact: bool = False,
    color: bool = False,
) -> None:
    """The report (or diff) into --output-file, or printed. `exact`: line ends written as they
    are (a diff of a file whose lines end in \\r\\n must apply as it was made)."""
    # A diff names a file by its name's bytes, UTF-8 or not (a report shows such a name with
    # U+FFFD): written as they are, so that the diff applies (stdout: see ctxlint.cli.main).
    if output_file:
        try:
            Path(output_file).write_text(
                text, encoding="utf-8", errors="surrogateescape", newline="" if exact else None
            )
        except OSError as error:
            fail(f"{output_file}: cannot write the {what}: {error.strerror or error}")
    else:
        # color: click would strip the styles when the output is no terminal (FORCE_COLOR).
        click.echo(text, nl=False, err=to_stderr, color=color)


def exit_code(report: Report, mode: FixMode, exit_zero: bool) -> int:
    """0 clean, 1 findings (or, with --diff, fixes to show), 2 a file or ctxlint failed."""
    if report.errors or any(
        p.startswith("internal error") for r in report.results for p in r.problems
    ):
        return EXIT_ERROR
    if report.nothing_readable:
        return EXIT_ERROR
    if mode is FixMode.DIFF:
        return (
            EXIT_FINDINGS if any(r.diff for r in report.results) and not exit_zero else EXIT_CLEAN
        )
    if report.diagnostics and not exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN
