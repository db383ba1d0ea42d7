"""`ctxlint rule`, `ctxlint rules` and `ctxlint schema`: the documentation ctxlint carries."""

from __future__ import annotations

import click

from ctxlint.cli.common import fail


@click.command("rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Print a rule's documentation (by code, e.g. CTX001, or by name)."""
    from ctxlint.docs import fix_label
    from ctxlint.registry import rule_by_code

    rule = rule_by_code(code)
    if rule is None:
        fail(f"unknown rule {code!r}; `ctxlint rules` lists them")
    click.echo(f"# {rule.name} ({rule.code})\n")
    inputs = ", ".join(kind.value for kind in rule.input_kinds())
    click.echo(f"Inputs: {inputs or 'all (raised by ctxlint itself)'}")
    click.echo(f"Fix: {fix_label(rule)}\n")
    click.echo(rule.documentation())


@click.command("rules")
@click.option("--format", "output", type=click.Choice(["text", "json", "markdown"]), default="text")
def rules_command(output: str) -> None:
    """List every rule: code, name, fix, and the input kinds it covers."""
    from ctxlint.docs import rules_json, rules_markdown, rules_text

    renderers = {"text": rules_text, "json": rules_json, "markdown": rules_markdown}
    click.echo(renderers[output](), nl=False)


@click.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of ctxlint's canonical trace format (one request per JSON line)."""
    from ctxlint.trace.formats.canonical import schema_text

    click.echo(schema_text(), nl=False)
