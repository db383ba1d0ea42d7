"""Whether what ctxlint prints is coloured: decided once, here, from --color, the NO_COLOR and
FORCE_COLOR conventions and whether the output is a terminal; reporters take the decision."""

from __future__ import annotations

from collections.abc import Mapping

import click

COLOR_CHOICES = ("auto", "always", "never")


def use_color(choice: str, is_terminal: bool, environ: Mapping[str, str]) -> bool:
    """`--color always|never` is the user's word for this run and beats the environment (as
    no-color.org asks). With `auto`: NO_COLOR set to anything but "" turns colour off
    (no-color.org), and wins over FORCE_COLOR, which turns it on off a terminal
    (force-color.org: any value but ""); otherwise colour on a terminal, unless it is a dumb
    one."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if environ.get("NO_COLOR", ""):
        return False
    if environ.get("FORCE_COLOR", ""):
        return True
    return is_terminal and environ.get("TERM", "") != "dumb"


def color_option():
    """--color, on the commands that print findings."""
    return click.option(
        "--color",
        "color_choice",
        type=click.Choice(COLOR_CHOICES),
        default="auto",
        show_default=True,
        help="Colour the findings: on a terminal (auto; NO_COLOR and FORCE_COLOR are honoured), "
        "always, or never.",
    )
