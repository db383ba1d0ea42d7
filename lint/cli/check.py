"""`ctxlint check` (also `ctxlint PATH...`): check files, traces and folders, report the
findings, apply or show the fixes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ctxlint.cli.color import color_option, use_color
from ctxlint.cli.common import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FINDINGS,
    TRACE_FORMATS,
    config_option,
    fail,
    note,
    resolver_or_fail,
    trace_format_option,
)
from ctxlint.config import OUTPUT_FORMATS, ConfigError, Settings
from ctxlint.config_resolution import SettingsResolver
from ctxlint.engine import FixMode, Report, check_paths


def _selectors(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...] | None:
    """--select CTX001,CTX002 --select CTX003 -> ("CTX001", "CTX002", "CTX003"), each checked
    by the function that checks the configuration's selectors."""
    if not values:
        return None
    from ctxlint.registry import selector_problem

    codes = tuple(code.strip() for value in values for code in value.split(",") if code.strip())
    if not codes:
        raise click.BadParameter("no rule selector given")
    for code in codes:
        problem = selector_problem(code)
        if problem is not None:
            raise click.BadParameter(problem)
    return codes


@click.command(
    short_help="Check Python files, agent traces and folders (the default).",
    epilog="Other commands: `ctxlint rule CODE` prints a rule's documentation; "
    "`ctxlint rules` lists the rules; `ctxlint sessions` lists what traces hold; "
    "`ctxlint schema` prints the trace format ctxlint recommends logging. "
    "A folder named like a command needs ./ in front.",
)
# readable=False: a path that cannot be read is reported for itself while the rest is checked,
# not refused by click before anything is.
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes/--no-unsafe-fixes", default=None, help="Also apply unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option(
    "--add-noqa",
    is_flag=True,
    help="Add a `# noqa: CODE` comment for every finding in Python files (to adopt ctxlint).",
)
@click.option(
    "--select",
    multiple=True,
    callback=_selectors,
    help="Rule code prefixes to check (comma-separated).",
)
@click.option(
    "--extend-select", multiple=True, callback=_selectors, help="Prefixes added to the selection."
)
@click.option("--ignore", multiple=True, callback=_selectors, help="Rule code prefixes to skip.")
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default=None)
@click.option("--output-file", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option(
    "--statistics", is_flag=True, help="Count the findings of each rule instead of listing them."
)
@color_option()
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option(
    "--harness-findings/--no-harness-findings",
    default=None,
    help="In transcripts an agent product writes (Claude Code, Codex...), also report what the "
    "product does by design (its compactions, its own prompt changes).",
)
@config_option()
@click.option(
    "--stdin-filename", help="Read the source from standard input and report it as this path."
)
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary or notes.")
@click.option(
    "--skip-unknown",
    is_flag=True,
    help="Pass over files named here that no trace reader recognises (a dataset's JSON lines, "
    "a configuration's JSON or YAML), as a folder walk does, instead of reporting them.",
)
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes.")
@click.option(
    "--no-cache",
    is_flag=True,
    envvar="CTXLINT_NO_CACHE",
    help="Check every file afresh, neither reading nor writing the results cache.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    envvar="CTXLINT_CACHE_DIR",
    help="Where the results cache lives (default: .ctxlint_cache in the project root).",
)
@trace_format_option(
    "Read trace files as this format instead of telling it from their content: "
    + TRACE_FORMATS
    + "."
)
@click.option(
    "--show-settings",
    is_flag=True,
    help="Print the settings used for the first file to check, and the file they come from.",
)
@click.option(
    "--show-files", is_flag=True, help="List the files that would be checked, with their kind."
)
def check(
    paths: tuple[str, ...],
    fix: bool,
    unsafe_fixes: bool | None,
    diff: bool,
    add_noqa: bool,
    select: tuple[str, ...] | None,
    extend_select: tuple[str, ...] | None,
    ignore: tuple[str, ...] | None,
    output_format: str | None,
    output_file: str | None,
    statistics: bool,
    color_choice: str,
    exit_zero: bool,
    harness_findings: bool | None,
    config_path: Path | None,
    stdin_filename: str | None,
    quiet: bool,
    skip_unknown: bool,
    jobs: int | None,
    no_cache: bool,
    cache_dir: str | None,
    trace_format: str | None,
    show_settings: bool,
    show_files: bool,
) -> None:
    """Check Python files, agent traces and folders (default: the current folder)."""
    if fix and diff:
        fail("--fix and --diff cannot be used together: --diff shows the fixes and writes nothing")
    try:
        reading_stdin = reads_stdin(paths, stdin_filename)
    except ValueError as error:
        fail(str(error))
    if add_noqa and (fix or diff or reading_stdin):
        fail("--add-noqa writes comments into files: it cannot be used with --fix, --diff or stdin")
    overrides = dict(
        select=select,
        extend_select=extend_select,
        ignore=ignore,
        output_format=output_format,
        unsafe_fixes=unsafe_fixes,
        trace_format=trace_format,
        harness_findings=harness_findings,
    )
    # Each file's settings are its nearest configuration's (or --config's); the run's own
    # (output format, cache folder) are the current folder's, as ruff takes them.
    resolver = resolver_or_fail(config_path, overrides)
    settings = resolver.default
    if show_settings or show_files:
        from ctxlint.cli.show import show

        raise SystemExit(show(paths or (".",), resolver, show_settings, show_files))
    mode = FixMode.DIFF if diff else FixMode.FIX if fix else FixMode.CHECK
    if reading_stdin:
        from ctxlint.stdin import check_stdin

        # As ruff does: with --fix the source goes to stdout, the report to stderr.
        sys.stdout.flush()
        fixed_output = sys.stdout.buffer if mode is FixMode.FIX else None
        # As ruff does, the settings are those of the file standard input stands for.
        try:
            stdin_settings = resolver.for_path(stdin_filename) if stdin_filename else settings
        except ConfigError as error:
            fail(str(error))
        report = check_stdin(sys.stdin.buffer, stdin_settings, stdin_filename, mode, fixed_output)
    else:
        cache_folder = None
        if not no_cache:
            from ctxlint.cache import FOLDER_NAME

            cache_folder = Path(cache_dir) if cache_dir else settings.root / FOLDER_NAME
        try:
            report = _checked_with_progress(
                paths or (".",),
                resolver,
                mode,
                jobs,
                cache_folder,
                quiet=quiet,
                skip_unknown=skip_unknown,
            )
        except ConfigError as error:
            fail(str(error))
    if add_noqa:
        raise SystemExit(_add_noqa(report, quiet))
    _emit(
        report,
        settings,
        output_file,
        quiet,
        mode,
        to_stderr=reading_stdin and mode is FixMode.FIX,
        statistics=statistics,
        color_choice=color_choice,
    )
    summary_failed = False
    # The simulated summary follows findings shown in full; --statistics shows only counts.
    shows_findings = settings.output_format == "text" and not statistics
    if report.traces and not quiet and mode is FixMode.CHECK and shows_findings:
        # One summary, one price list: the first trace's configuration's.
        trace_settings = resolver.for_path(report.traces[0])
        summary_failed = not _print_simulated_summary(
            report.traces, trace_settings, output_file, _held_back(report.harness_findings)
        )
    # A fault of ctxlint's own in the summary exits 2, as one while checking a file does.
    raise SystemExit(EXIT_ERROR if summary_failed else exit_code(report, mode, exit_zero))


def _checked_with_progress(
    paths: tuple[str, ...],
    settings: Settings | SettingsResolver,
    mode: FixMode,
    jobs: int | None,
    cache_folder: Path | None,
    quiet: bool,
    skip_unknown: bool = False,
) -> Report:
    """check_paths, with a progress line on a terminal's stderr while a long run lasts."""
    from ctxlint.progress import ProgressLine, shows_progress

    meter = ProgressLine(sys.stderr, _checked, enabled=shows_progress(sys.stderr, quiet))
    try:
        return check_paths(
            paths,
            settings,
            mode,
            jobs=jobs,
            cache_folder=cache_folder,
            progress=meter.update,
            skip_unknown=skip_unknown,
        )
    finally:
        meter.close()


def _checked(done: int, total: int | None) -> str:
    return f"checked {done:,}/{total or 0:,} files"


def _add_noqa(report: Report, quiet: bool) -> int:
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
    if not quiet:
        click.echo(outcome.summary, err=True)
    return EXIT_ERROR if report.errors or outcome.errors else EXIT_CLEAN


def _held_back(harness_findings: dict[str, int]) -> list[str]:
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


def _print_simulated_summary(
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
            with open(output_file, "a", encoding="utf-8") as stream:
                stream.write(summary.text)
        else:
            click.echo(summary.text, nl=False)
    return not summary.failed


def reads_stdin(paths: tuple[str, ...], stdin_filename: str | None) -> bool:
    """Whether the source is read from standard input: `-` alone, or --stdin-filename (as in
    ruff) with no path or `-`. Standard input mixed with paths is a ValueError rather than `-`
    taken for a file name or the paths dropped."""
    others = [path for path in paths if path != "-"]
    if "-" in paths and len(paths) > 1:
        raise ValueError("`-` (standard input) cannot be combined with other paths")
    if stdin_filename is not None and others:
        raise ValueError(
            "--stdin-filename names the source read from standard input; it cannot be "
            f"combined with paths ({others[0]!r})"
        )
    return "-" in paths or stdin_filename is not None


def _emit(
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
        note("warning", "no Python files or traces found")
    if report.passed_over and not quiet:
        note("note", passed_over_note(report.passed_over))
    if mode is FixMode.DIFF:
        # The diff is what --diff reports: it goes where a report would.
        _output("".join(r.diff for r in report.results if r.diff), output_file, "diff", exact=True)
        if not quiet:
            count = sum(r.fixes_applied for r in report.results)
            click.echo(f"Would fix {count} finding{'s' if count != 1 else ''}.", err=True)
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
    _output(text, output_file, "report", to_stderr, color=color)


def passed_over_note(paths: list[str]) -> str:
    """What a folder walk left alone, counted, with the commonest suffixes among them."""
    from collections import Counter

    suffixes = Counter(os.path.splitext(path)[1].lower() for path in paths)
    suffixes.pop("", None)
    common = ", ".join(suffix for suffix, _ in suffixes.most_common(3))
    count = len(paths)
    files = "file that is" if count == 1 else "files that are"
    return f"passed over {count:,} {files} not Python or a known trace format" + (
        f" ({common}{', …' if len(suffixes) > 3 else ''})" if common else ""
    )


def _output(
    text: str,
    output_file: str | None,
    what: str,
    to_stderr: bool = False,
    exact: bool = False,
    color: bool = False,
) -> None:
    """The report (or diff) into --output-file, or printed. `exact`: line ends written as they
    are (a diff of a file whose lines end in \\r\\n must apply as it was made)."""
    if output_file:
        try:
            Path(output_file).write_text(text, encoding="utf-8", newline="" if exact else None)
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
