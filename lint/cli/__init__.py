"""The `ctxlint` command: a thin click layer, one module per command, over ctxlint.engine,
the simulator and the reporters."""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import sys

import click

from ctxlint import __version__

# Aliased: the name `check` stays the module ctxlint.cli.check, not its command.
from ctxlint.cli.check import check as check_command
from ctxlint.cli.common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, TRACE_FORMATS, fail
from ctxlint.cli.providers import providers_command
from ctxlint.cli.rules import rule_command, rules_command, schema_command
from ctxlint.cli.sessions import sessions_command
from ctxlint.cli.simulate import simulate_command

__all__ = ["EXIT_CLEAN", "EXIT_ERROR", "EXIT_FINDINGS", "TRACE_FORMATS", "main", "mistyped_command"]

_HELP_OPTIONS = ("-h", "--help")


def mistyped_command(word: str, commands: list[str], exists: bool) -> str | None:
    """The command `word` was likely meant to be, when it is no path (`exists` false), looks
    like no file name (no folder separator, no suffix) and is close to a command's name."""
    if exists or word.startswith("-") or "/" in word or os.sep in word or "." in word:
        return None
    close = difflib.get_close_matches(word, commands, n=1, cutoff=0.75)
    return close[0] if close else None


class _DefaultToCheck(click.Group):
    """`ctxlint PATH...` means `ctxlint check PATH...`; the other commands are named."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = args[0] if args else None
        if first == "help" and not os.path.lexists(first):
            # `ctxlint help` and `ctxlint help COMMAND`, as git and ruff take them.
            return super().parse_args(ctx, [*args[1:2], "--help"])
        if first is None or (
            first not in self.commands and first not in (*_HELP_OPTIONS, "--version")
        ):
            if first is not None:
                exists = os.path.lexists(first)
                if not exists and re.fullmatch(r"CTX\d{3}", first, re.IGNORECASE):
                    fail(f"no such file or command {first!r}; did you mean 'ctxlint rule {first}'?")
                meant = mistyped_command(first, sorted(self.commands), exists)
                if meant is not None:
                    fail(f"no such file or command {first!r}; did you mean {meant!r}?")
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        # In the order they were added (check first), not alphabetical.
        return list(self.commands)


@click.group(
    cls=_DefaultToCheck,
    context_settings={"help_option_names": list(_HELP_OPTIONS)},
    epilog="`ctxlint PATH...` is `ctxlint check PATH...` (default: the current folder); "
    "`ctxlint COMMAND --help` shows a command's options. A folder named like a command "
    "needs ./ in front.",
)
@click.version_option(__version__, "--version", prog_name="ctxlint")
def main() -> None:
    """ctxlint: find what breaks the prefix cache of LLM prompts and agent traces."""
    # A file name that is not UTF-8 reaches Python as lone surrogates; a strict stdout (most
    # desktops' locales) would end every command that prints such a path in a traceback.
    # Written as the name's own bytes instead, as `ls` prints it.
    if getattr(sys.stdout, "errors", None) == "strict":
        with contextlib.suppress(AttributeError, ValueError, OSError):
            sys.stdout.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]


main.add_command(check_command)
main.add_command(rule_command)
main.add_command(rules_command)
main.add_command(sessions_command)
main.add_command(simulate_command)
main.add_command(schema_command)
main.add_command(providers_command)
