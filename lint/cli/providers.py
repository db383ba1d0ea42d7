"""`ctxlint providers`: the provider facts the simulator uses, each with its source and date."""

from __future__ import annotations

import click

from ctxlint.cli.common import EXIT_CLEAN, fail


@click.command("providers", short_help="Print the provider facts the simulator uses, with sources.")
@click.argument("names", nargs=-1)
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
def providers_command(names: tuple[str, ...], output_format: str) -> None:
    """Print the cache facts and prices `ctxlint simulate` uses, per provider (or only the
    NAMES given), each with the page it was read from and the date."""
    import orjson

    from ctxlint.simulate.fact_table import facts_table, render_facts
    from ctxlint.simulate.facts import provider_facts

    known = provider_facts()["providers"]
    unknown = [name for name in names if name not in known]
    if unknown:
        fail(f"unknown provider {', '.join(unknown)}; known: {', '.join(known)}")
    rows = facts_table(list(names) or None)
    if output_format == "json":
        data = [row.as_json() for row in rows]
        click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(render_facts(rows), nl=False)
    raise SystemExit(EXIT_CLEAN)
