"""`ctxlint rule`, `ctxlint rules` and `ctxlint schema`: the documentation ctxlint carries."""

from __future__ import annotations

import click

from ctxlint.cli.common import fail, note

_RULES_FORMATS = ("text", "json", "markdown")


@click.command("rule", short_help="Print a rule's documentation, by code or name.")
@click.argument("code")
def rule_command(code: str) -> None:
    """Print a rule's documentation (by code, e.g. CTX001, or by name)."""
    from ctxlint.docs import fix_label
    from ctxlint.registry import rule_by_code

    rule = rule_by_code(code)
    if rule is None:
        fail(f"unknown rule {code!r}; `ctxlint rules` lists them")
    click.echo(f"# {rule.name} ({rule.code})\n")
    inputs = ", ".join(kind.value for kind in rule.input_kinds() or rule.raised_on)
    click.echo(f"Inputs: {inputs or 'all (raised by ctxlint itself)'}")
    click.echo(f"Fix: {fix_label(rule)}\n")
    click.echo(rule.documentation())


@click.command("rules", short_help="List every rule: code, name, fix, inputs.")
@click.option("--output-format", type=click.Choice(_RULES_FORMATS), default=None)
# The option's name before it was spelled as on every other command; still read, not shown.
@click.option("--format", "old_format", type=click.Choice(_RULES_FORMATS), hidden=True)
def rules_command(output_format: str | None, old_format: str | None) -> None:
    """List every rule: code, name, fix, and the input kinds it covers."""
    from ctxlint.docs import rules_json, rules_markdown, rules_text

    if old_format is not None:
        if output_format is not None and output_format != old_format:
            fail(f"--format {old_format} and --output-format {output_format} disagree")
        note("warning", "`--format` is deprecated; use `--output-format`")
    renderers = {"text": rules_text, "json": rules_json, "markdown": rules_markdown}
    click.echo(renderers[output_format or old_format or "text"](), nl=False)


@click.command("schema", short_help="Print the JSON Schema of the recommended trace format.")
def schema_command() -> None:
    """Print the JSON Schema of ctxlint's canonical trace format (one request per JSON line)."""
    from ctxlint.trace.formats.canonical import schema_text

    click.echo(schema_text(), nl=False)
