"""The hook for input ctxlint cannot read or parse. The engine, the trace checker and the
reporters go through here; which rule reports it is the registry's answer (the meta rule that
declares `reports_unreadable_input`), so no part of the engine imports a rule module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ctxlint.diagnostics import Diagnostic, Location

if TYPE_CHECKING:
    from ctxlint.rule import Rule


def unreadable_rule() -> type[Rule]:
    from ctxlint.registry import rule_declaring

    return rule_declaring("reports_unreadable_input")


def is_unreadable(diagnostic: Diagnostic) -> bool:
    return diagnostic.code == unreadable_rule().code


def reports_unreadable(rules: tuple[type[Rule], ...] | list[type[Rule]]) -> bool:
    """Whether the selected rules include the one that reports unreadable input."""
    return any(rule.reports_unreadable_input for rule in rules)


def unreadable_at(path: str, reason: str, line: int | None, column: int | None = 1) -> Diagnostic:
    """The finding for input that could not be read, at a 1-based line and column."""
    rule = unreadable_rule()
    location = Location(max(line or 1, 1), max(column or 1, 1))
    return Diagnostic(rule.code, rule.name, reason, path, location, location)
