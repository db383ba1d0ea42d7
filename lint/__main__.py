"""Allows `python -m ctxlint`."""

from ctxlint.cli import main

main()
