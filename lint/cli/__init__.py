"""The `ctxlint` command: a thin click layer, one module per command, over ctxlint.engine,
the simulator and the reporters."""

from __future__ import annotations

import click

from ctxlint import __version__

# Aliased: the name `check` stays the module ctxlint.cli.check, not its command.
from ctxlint.cli.check import check as check_command
from ctxlint.cli.common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, TRACE_FORMATS
from ctxlint.cli.providers import providers_command
from ctxlint.cli.rules import rule_command, rules_command, schema_command
from ctxlint.cli.sessions import sessions_command
from ctxlint.cli.simulate import simulate_command

__all__ = ["EXIT_CLEAN", "EXIT_ERROR", "EXIT_FINDINGS", "TRACE_FORMATS", "main"]


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


main.add_command(check_command)
main.add_command(rule_command)
main.add_command(rules_command)
main.add_command(sessions_command)
main.add_command(simulate_command)
main.add_command(schema_command)
main.add_command(providers_command)
