"""The `ctxlint` command: a thin click layer over ctxlint.engine and the reporters."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ctxlint import __version__
from ctxlint.config import OUTPUT_FORMATS, ConfigError, Settings, load_settings
from ctxlint.engine import FixMode, Report, check_paths, check_source
from ctxlint.source import SourceText, UnreadableSource

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _DefaultToCheck(click.Group):
    """`ctxlint PATH...` means `ctxlint check PATH...`; `rule` and `rules` are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] != "--version"):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="ctxlint")
def main() -> None:
    """ctxlint: find what breaks the prefix cache of LLM prompts and agent traces."""


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


# Spelled out so that `--help` does not import every trace reader; a test keeps it current.
TRACE_FORMATS = (
    "ctxlint, claude-code, codex, otel-genai, litellm, anthropic, openai, mini-swe-agent, "
    "inspect-ai, otel-genai-document"
)


def _trace_format(value: str | None) -> str | None:
    if value is None:
        return None
    from ctxlint.trace.formats import format_names

    if value not in format_names():
        raise click.BadParameter(f"{value!r} is not one of: {TRACE_FORMATS}")
    return value


@main.command(
    epilog="Other commands: `ctxlint rule CODE` prints a rule's documentation; "
    "`ctxlint rules` lists the rules; `ctxlint sessions` lists what traces hold; "
    "`ctxlint schema` prints the trace format ctxlint recommends logging. "
    "A folder named like a command needs ./ in front."
)
# readable=False: a path that cannot be read is reported for itself while the rest is checked,
# not refused by click before anything is.
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes/--no-unsafe-fixes", default=None, help="Also apply unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
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
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option(
    "--stdin-filename", help="Read the source from standard input and report it as this path."
)
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary or notes.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes.")
@click.option(
    "--trace-format",
    callback=lambda ctx, param, value: _trace_format(value),
    help="Read trace files as this format instead of telling it from their content: "
    + TRACE_FORMATS
    + ".",
)
def check(
    paths: tuple[str, ...],
    fix: bool,
    unsafe_fixes: bool | None,
    diff: bool,
    select: tuple[str, ...] | None,
    extend_select: tuple[str, ...] | None,
    ignore: tuple[str, ...] | None,
    output_format: str | None,
    output_file: str | None,
    exit_zero: bool,
    config_path: str | None,
    stdin_filename: str | None,
    quiet: bool,
    jobs: int | None,
    trace_format: str | None,
) -> None:
    """Check Python files, agent traces and folders (default: the current folder)."""
    if fix and diff:
        _fail("--fix and --diff cannot be used together: --diff shows the fixes and writes nothing")
    reading_stdin = _reads_stdin(paths, stdin_filename)
    try:
        settings = load_settings(Path(config_path) if config_path else None)
    except ConfigError as error:
        _fail(str(error))
    settings = settings.with_overrides(
        select=select,
        extend_select=extend_select,
        ignore=ignore,
        output_format=output_format,
        unsafe_fixes=unsafe_fixes,
        trace_format=trace_format,
    )
    mode = FixMode.DIFF if diff else FixMode.FIX if fix else FixMode.CHECK
    if reading_stdin:
        report = _check_stdin(settings, stdin_filename, mode)
    else:
        report = check_paths(paths or (".",), settings, mode, jobs=jobs)
    _emit(
        report, settings, output_file, quiet, mode, to_stderr=reading_stdin and mode is FixMode.FIX
    )
    summary_failed = False
    if report.traces and not quiet and mode is FixMode.CHECK and settings.output_format == "text":
        summary_failed = not _simulated_summary(report.traces, settings, output_file)
    # A fault of ctxlint's own in the summary exits 2, as one while checking a file does.
    raise SystemExit(EXIT_ERROR if summary_failed else _exit_code(report, mode, exit_zero))


def _simulated_summary(traces: list[str], settings: Settings, output_file: str | None) -> bool:
    """After the findings on traces, what the cache would make of them; False when a fault of
    ctxlint's own cost the summary (the findings printed before it stand)."""
    from ctxlint.redact import bounded
    from ctxlint.simulate.report import render_summary
    from ctxlint.simulate.run import simulate_files
    from ctxlint.simulate.simulator import Options, SimulationFailed
    from ctxlint.simulate.tokens import TokenizerUnavailable

    try:
        options = Options(prices=_prices(settings), trace_format=settings.trace_format)
        simulation = simulate_files(traces, options, settings)
    except TokenizerUnavailable as error:
        click.echo(f"warning: no simulated summary: {error}", err=True)
        return True
    except SimulationFailed as failure:
        # The findings printed above stand; only the summary after them is lost.
        click.echo(
            f"warning: {failure.place}: no simulated summary: internal error: "
            f"{bounded(str(failure))}",
            err=True,
        )
        return False
    except Exception as error:
        # As above, where no one file can be named (adding up the results, say).
        where = traces[0] if len(traces) == 1 else f"{traces[0]} and {len(traces) - 1} more"
        click.echo(
            f"warning: no simulated summary of {where}: internal error: "
            f"{type(error).__name__}: {bounded(str(error))}",
            err=True,
        )
        return False
    if not simulation.requests:
        return True
    text = "\n" + "\n".join(render_summary(simulation)) + "\n"
    if output_file:
        with open(output_file, "a", encoding="utf-8") as stream:
            stream.write(text)
    else:
        click.echo(text, nl=False)
    return True


def _reads_stdin(paths: tuple[str, ...], stdin_filename: str | None) -> bool:
    """`-` alone, or --stdin-filename (as in ruff) with no path or `-`; standard input mixed
    with paths is refused rather than `-` taken for a file name or the paths dropped."""
    others = [path for path in paths if path != "-"]
    if "-" in paths and len(paths) > 1:
        _fail("`-` (standard input) cannot be combined with other paths")
    if stdin_filename is not None and others:
        _fail(
            "--stdin-filename names the source read from standard input; it cannot be "
            f"combined with paths ({others[0]!r})"
        )
    return "-" in paths or stdin_filename is not None


def _check_stdin(settings: Settings, filename: str | None, mode: FixMode) -> Report:
    from ctxlint.files import NotRead, read_capped

    path = filename or "-"
    report = Report(files_checked=1)
    try:
        data = read_capped(sys.stdin.buffer)
        source = SourceText.decode_python(data)
    except NotRead as error:
        report.errors.append(f"{path}: {error.reason}")
        return report
    except UnreadableSource as error:
        report.errors.append(f"{path}:{error.line}:{error.column}: {error.reason}")
        return report
    result = check_source(source, settings, path, mode)
    if mode is FixMode.FIX:
        # As ruff does: the fixed source goes to stdout, the report to stderr; in the bytes a
        # file would get, so that its encoding and byte order mark are kept.
        sys.stdout.flush()
        sys.stdout.buffer.write(result.new_data if result.new_data is not None else data)
        sys.stdout.buffer.flush()
    report.results.append(result)
    return report


def _emit(
    report: Report,
    settings: Settings,
    output_file: str | None,
    quiet: bool,
    mode: FixMode,
    to_stderr: bool = False,
) -> None:
    from ctxlint.reporters import render

    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for result in report.results:
        for problem in result.problems:
            click.echo(f"warning: {result.path}: {problem}", err=True)
    if mode is FixMode.DIFF:
        click.echo("".join(r.diff for r in report.results if r.diff), nl=False)
        if not quiet:
            count = sum(r.fixes_applied for r in report.results)
            click.echo(f"Would fix {count} finding{'s' if count != 1 else ''}.", err=True)
        return
    stream = sys.stderr if to_stderr else sys.stdout
    color = output_file is None and stream.isatty() and "NO_COLOR" not in os.environ
    text = render(settings.output_format, report, color=color, quiet=quiet)
    if output_file:
        try:
            Path(output_file).write_text(text, encoding="utf-8")
        except OSError as error:
            _fail(f"{output_file}: cannot write the report: {error.strerror or error}")
    else:
        click.echo(text, nl=False, err=to_stderr)


def _exit_code(report: Report, mode: FixMode, exit_zero: bool) -> int:
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


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(EXIT_ERROR)


@main.command("rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Print a rule's documentation (by code, e.g. CTX001, or by name)."""
    from ctxlint.docs import fix_label
    from ctxlint.registry import rule_by_code

    rule = rule_by_code(code)
    if rule is None:
        _fail(f"unknown rule {code!r}; `ctxlint rules` lists them")
        return
    click.echo(f"# {rule.name} ({rule.code})\n")
    inputs = ", ".join(kind.value for kind in rule.input_kinds())
    click.echo(f"Inputs: {inputs or 'all (raised by ctxlint itself)'}")
    click.echo(f"Fix: {fix_label(rule)}\n")
    click.echo(rule.documentation())


@main.command("rules")
@click.option("--format", "output", type=click.Choice(["text", "json", "markdown"]), default="text")
def rules_command(output: str) -> None:
    """List every rule: code, name, fix, and the input kinds it covers."""
    from ctxlint.docs import rules_json, rules_markdown, rules_text

    renderers = {"text": rules_text, "json": rules_json, "markdown": rules_markdown}
    click.echo(renderers[output](), nl=False)


@main.command("sessions", epilog="Trace formats read: " + TRACE_FORMATS + ".")
@click.argument("paths", nargs=-1, type=click.Path(), required=True)
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--trace-format",
    callback=lambda ctx, param, value: _trace_format(value),
    help="Read every file as this format.",
)
def sessions_command(paths: tuple[str, ...], output_format: str, trace_format: str | None) -> None:
    """List the sessions of trace files: format, requests, models, time span, and the prompt
    and cached tokens the provider reported."""
    import orjson

    from ctxlint.discovery import discover
    from ctxlint.rule import InputKind
    from ctxlint.trace.sessions import no_requests, render_text, summarize

    files, missing = discover(paths, Settings())
    for error in missing:
        click.echo(f"error: {error}", err=True)
    found = [summarize(f.path, trace_format) for f in files if f.kind is InputKind.TRACE]
    for checked in found:
        for problem in checked.problems:
            click.echo(f"warning: {checked.path}:{problem.line}: {problem.reason}", err=True)
        if not checked.sessions and not checked.problems:
            click.echo(f"note: {no_requests(checked.path, checked.format)}", err=True)
    if output_format == "json":
        rows = [summary.as_json() for checked in found for summary in checked.sessions]
        click.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(render_text(found), nl=False)
    # A file with nothing to list is not an error; one that could not be read is, unless
    # another file had sessions to list (its faults are warnings then).
    readable = any(checked.sessions for checked in found)
    unreadable = any(checked.unreadable for checked in found)
    raise SystemExit(EXIT_ERROR if missing or (unreadable and not readable) else EXIT_CLEAN)


@main.command("simulate", epilog="Trace formats read: " + TRACE_FORMATS + ".")
@click.argument("paths", nargs=-1, type=click.Path(readable=False), required=True)
@click.option(
    "--provider",
    "policy",
    # Spelled out so that `--help` imports no simulator module; a test keeps them current.
    type=click.Choice(["ideal", "anthropic", "openai", "deepseek", "vllm", "sglang"]),
    help="Cache to replay through (default: each request's provider, from the trace).",
)
@click.option("--replicas", type=click.IntRange(min=1), default=1, help="Self-hosted replicas.")
@click.option(
    "--routing",
    type=click.Choice(["sticky", "round-robin", "random", "prefix-aware"]),
    default="sticky",
    help="How requests are spread over the replicas.",
)
@click.option("--capacity", type=click.IntRange(min=1), help="vLLM/SGLang cache size in tokens.")
@click.option("--block-size", type=click.IntRange(min=1), help="vLLM block size in tokens.")
@click.option("--idle-ttl", type=click.FloatRange(min=0), help="OpenAI idle expiry in seconds.")
@click.option(
    "--warm-start",
    type=click.Choice(["reported", "shared", "cold"]),
    default="reported",
    help="Start each session with what its first request reported reading from the cache "
    "(reported), with the prefix all sessions' first requests share, as earlier sessions "
    "would have left it (shared; a lone session: its system prompt and tools), or with an "
    "empty cache (cold).",
)
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the report as one self-contained HTML page (chart, misses, savings).",
)
@click.option("--min-hit-rate", type=click.FloatRange(0, 1), help="Exit 1 below this hit rate.")
@click.option("--max-cost", type=click.FloatRange(min=0), help="Exit 1 above this cost (USD).")
@click.option("-q", "--quiet", is_flag=True, help="The summary only, not every request.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file.")
@click.option(
    "--trace-format",
    callback=lambda ctx, param, value: _trace_format(value),
    help="Read every file as this format.",
)
def simulate_command(
    paths: tuple[str, ...],
    policy: str | None,
    replicas: int,
    routing: str,
    capacity: int | None,
    block_size: int | None,
    idle_ttl: float | None,
    warm_start: str,
    output_format: str,
    html_path: str | None,
    min_hit_rate: float | None,
    max_cost: float | None,
    quiet: bool,
    config_path: str | None,
    trace_format: str | None,
) -> None:
    """Replay traces through a model of the provider's prefix cache: predicted hit rate and
    cost, where and why each request lost its cache, and agreement with reported usage."""
    import orjson

    from ctxlint.simulate.report import render_text
    from ctxlint.simulate.run import simulate_files, trace_files
    from ctxlint.simulate.simulator import Options
    from ctxlint.simulate.tokens import TokenizerUnavailable

    try:
        settings = load_settings(Path(config_path) if config_path else None)
    except ConfigError as error:
        _fail(str(error))
    files, missing = trace_files(paths, settings)
    for error in missing:
        click.echo(f"error: {error}", err=True)
    options = Options(
        policy=policy,
        replicas=replicas,
        routing=routing,
        warm_start=warm_start,
        capacity=capacity,
        block=block_size,
        idle_seconds=idle_ttl,
        prices=_prices(settings),
        trace_format=trace_format,
    )
    try:
        simulation = simulate_files(files, options, settings, with_savings=True)
    except TokenizerUnavailable as error:
        _fail(str(error))
    for problem in simulation.problems:
        click.echo(f"warning: {problem}", err=True)
    for note in simulation.without_requests:
        click.echo(f"note: {note}", err=True)
    if output_format == "json":
        click.echo(orjson.dumps(simulation.as_json(), option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(render_text(simulation, per_request=not quiet), nl=False)
    if html_path and simulation.requests:
        from ctxlint.files import write_atomically
        from ctxlint.simulate.page import render_html

        try:
            write_atomically(html_path, render_html(simulation).encode("utf-8"))
        except OSError as error:
            _fail(f"{html_path}: cannot write the HTML report: {error.strerror}")
    # As `sessions`: traces with no requests in them are not an error, unreadable ones are.
    if missing or (not simulation.requests and simulation.problems):
        if not simulation.requests:
            click.echo("error: no requests could be read from the traces given", err=True)
        raise SystemExit(EXIT_ERROR)
    failed = _gates(simulation, min_hit_rate, max_cost)
    for reason in failed:
        click.echo(f"failed: {reason}", err=True)
    raise SystemExit(EXIT_FINDINGS if failed else EXIT_CLEAN)


def _prices(settings: Settings) -> dict[str, dict]:
    return {model: dict(figures) for model, figures in settings.prices}


def _gates(simulation, min_hit_rate: float | None, max_cost: float | None) -> list[str]:
    overall = simulation.overall
    failed = []
    rate = overall.hit_rate or 0.0
    if min_hit_rate is not None and rate < min_hit_rate:
        failed.append(f"simulated hit rate {rate:.1%} is below --min-hit-rate {min_hit_rate:.1%}")
    if max_cost is not None and overall.cost > max_cost:
        failed.append(f"simulated cost ${overall.cost:,.4f} is above --max-cost ${max_cost:,.4f}")
    return failed


@main.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of ctxlint's canonical trace format (one request per JSON line)."""
    from ctxlint.trace.formats.canonical import schema_text

    click.echo(schema_text(), nl=False)
