"""`ctxlint check` (also `ctxlint PATH...`): check files, traces and folders, report the
findings, apply or show the fixes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ctxlint.cli.check_output import (
    emit,
    exit_code,
    held_back,
    print_simulated_summary,
    write_noqa_comments,
)
from ctxlint.cli.color import color_option
from ctxlint.cli.common import (
    EXIT_ERROR,
    TRACE_FORMATS,
    config_option,
    fail,
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
    short_help="Check Python files, prompt files, agent traces and folders (the default).",
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
    help="Pass over files named here as a folder walk does, instead of reporting them: those "
    "no trace reader recognises (a dataset's JSON lines, a configuration's JSON or YAML), and "
    "TypeScript or JavaScript that sends no LLM request.",
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
    """Check Python files, prompt files, agent traces and folders (default: the current folder)."""
    if output_file == "-":
        output_file = None  # `--output-file -` is standard output, as for most tools
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
        from ctxlint.cli.show import show, show_stdin

        if reading_stdin:
            raise SystemExit(show_stdin(stdin_filename, resolver, show_settings, show_files))
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
        raise SystemExit(write_noqa_comments(report, quiet))
    emit(
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
        summary_failed = not print_simulated_summary(
            report.traces, trace_settings, output_file, held_back(report.harness_findings)
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
