"""`ctxlint simulate`: replay traces through a model of the provider's prefix cache and report
hit rate, cost and misses; with gates a CI step can fail on."""

from __future__ import annotations

from pathlib import Path

import click

from ctxlint.cli.common import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FINDINGS,
    TRACE_FORMATS,
    FiniteFloatRange,
    config_option,
    fail,
    note,
    prices,
    resolver_or_fail,
    trace_format_option,
)
from ctxlint.config import ConfigError


@click.command(
    "simulate",
    short_help="Replay traces through a model of the provider's prefix cache.",
    epilog="Trace formats read: " + TRACE_FORMATS + ".",
)
@click.argument("paths", nargs=-1, type=click.Path(readable=False), required=True)
@click.option(
    "--provider",
    "policy",
    # Spelled out so that `--help` imports no simulator module; a test keeps them current.
    type=click.Choice(
        [
            "ideal",
            "anthropic",
            "openai",
            "deepseek",
            "vllm",
            "sglang",
            "gemini",
            "vertex",
            "bedrock",
            "azure",
            "xai",
            "qwen",
            "mistral",
            "kimi",
            "groq",
            "fireworks",
        ]
    ),
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
@click.option(
    "--idle-ttl",
    type=FiniteFloatRange(min=0),
    help="Idle expiry in seconds for every request of OpenAI, Azure and the implicit caches "
    "(default: each model's retention).",
)
@click.option(
    "--warm-start",
    type=click.Choice(["reported", "shared", "cold"]),
    default="reported",
    help="Start each session with what its first request reported reading from the cache "
    "(reported), with the prefix all sessions' first requests share, as earlier sessions "
    "would have left it (shared; a lone session: its system prompt and tools), or with an "
    "empty cache (cold).",
)
@click.option(
    "--output-format",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    help="html: one self-contained page (savings, misses, a chart per session) on stdout.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the report as one self-contained HTML page (chart, misses, savings).",
)
@click.option("--requests", "every_request", is_flag=True, help="A bar for every request.")
@click.option(
    "--session",
    "sessions",
    multiple=True,
    metavar="ID",
    help="A bar for each request of this session (its id, part of it, or its file); repeatable.",
)
@click.option("--min-hit-rate", type=FiniteFloatRange(0, 1), help="Exit 1 below this hit rate.")
@click.option("--max-cost", type=FiniteFloatRange(min=0), help="Exit 1 above this cost (USD).")
@click.option("-q", "--quiet", is_flag=True, help="The summary only: no sessions, misses or bars.")
@config_option(
    "Use this configuration file (its prices, its excludes) instead of the nearest one to the "
    "first path given; a run has one price list, that configuration's."
)
@trace_format_option("Read every file as this format.")
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
    every_request: bool,
    sessions: tuple[str, ...],
    min_hit_rate: float | None,
    max_cost: float | None,
    quiet: bool,
    config_path: Path | None,
    trace_format: str | None,
) -> None:
    """Replay traces through a model of the provider's prefix cache: predicted hit rate and
    cost, where and why each request lost its cache, and agreement with reported usage."""
    import orjson

    from ctxlint.simulate.report_labels import selects
    from ctxlint.simulate.run import simulate_files, trace_files
    from ctxlint.simulate.simulator import Options
    from ctxlint.simulate.text_report import TextOptions, render_text
    from ctxlint.simulate.tokens import TokenizerUnavailable

    # One replay, one price list: the configuration of the first path (or --config's). The
    # folders walked are still each excluded by their own configuration's settings.
    resolver = resolver_or_fail(config_path)
    try:
        settings = resolver.for_named(paths[0])
        files, missing = trace_files(paths, resolver)
    except ConfigError as error:
        fail(str(error))
    if trace_format is None:
        files, missing = _without_python(files, missing)
    for error in missing:
        note("error", str(error))
    options = Options(
        policy=policy,
        replicas=replicas,
        routing=routing,
        warm_start=warm_start,
        capacity=capacity,
        block=block_size,
        idle_seconds=idle_ttl,
        prices=prices(settings),
        trace_format=trace_format,
    )
    try:
        simulation = simulate_files(files, options, settings, with_savings=True)
    except TokenizerUnavailable as error:
        fail(str(error))
    unknown = [part for part in sessions if not any(selects(part, k) for k in simulation.sessions)]
    if unknown and simulation.requests:
        fail(
            f"--session {unknown[0]!r} names no session of the traces given;"
            " `ctxlint sessions PATH` lists them"
        )
    for problem in simulation.problems:
        note("warning", str(problem))
    for empty in simulation.without_requests:
        note("note", str(empty))
    if not files and not missing:
        note("warning", "no traces found")
    if output_format == "json":
        click.echo(orjson.dumps(simulation.as_json(), option=orjson.OPT_INDENT_2).decode())
    elif not simulation.requests and (
        missing or simulation.problems or simulation.without_requests or not files
    ):
        pass  # Nothing was read (the lines above say why): an empty report says nothing more.
    elif output_format == "html":
        from ctxlint.simulate.html_report import render_html

        click.echo(render_html(simulation), nl=False)
    else:
        shown = TextOptions(requests=every_request, sessions=sessions, quiet=quiet)
        click.echo(render_text(simulation, shown), nl=False)
    if html_path and simulation.requests:
        from ctxlint.files import write_atomically
        from ctxlint.simulate.html_report import render_html

        try:
            write_atomically(html_path, render_html(simulation).encode("utf-8"))
        except OSError as error:
            fail(f"{html_path}: cannot write the HTML report: {error.strerror}")
    # As `sessions`: traces with no requests in them are not an error, unreadable ones are.
    if missing or (not simulation.requests and simulation.problems):
        # Said once per file above; the summing-up only when there were files to read.
        if not simulation.requests and files:
            note("error", "no requests could be read from the traces given")
        raise SystemExit(EXIT_ERROR)
    failed = failed_gates(simulation, min_hit_rate, max_cost)
    for reason in failed:
        click.echo(f"failed: {reason}", err=True)
    raise SystemExit(EXIT_FINDINGS if failed else EXIT_CLEAN)


def _without_python(files: list[str], missing: list[str]) -> tuple[list[str], list[str]]:
    """Python source named as if it were a trace is no trace: an error naming the command that
    checks it, and the rest is simulated."""
    from ctxlint.discovery import input_kind
    from ctxlint.rule import InputKind

    python = [path for path in files if input_kind(path) is InputKind.PYTHON]
    errors = [f"{path}: Python source, not a trace (`ctxlint check` checks it)" for path in python]
    refused = set(python)
    return [path for path in files if path not in refused], [*missing, *errors]


def failed_gates(simulation, min_hit_rate: float | None, max_cost: float | None) -> list[str]:
    """The gates a simulation fails, each as the sentence a CI log shows: a hit rate below
    `min_hit_rate`, a cost above `max_cost` (either None: no such gate)."""
    overall = simulation.overall
    failed = []
    rate = overall.hit_rate or 0.0
    if min_hit_rate is not None and not overall.prompt_tokens:
        # No hit rate to compare: saying "0.0%" would report a rate nothing was measured at.
        failed.append(
            f"no requests were simulated, so --min-hit-rate {min_hit_rate:.1%} is not met"
        )
    elif min_hit_rate is not None and rate < min_hit_rate:
        failed.append(f"simulated hit rate {rate:.1%} is below --min-hit-rate {min_hit_rate:.1%}")
    if max_cost is not None and overall.cost > max_cost:
        failed.append(f"simulated cost ${overall.cost:,.4f} is above --max-cost ${max_cost:,.4f}")
    return failed
