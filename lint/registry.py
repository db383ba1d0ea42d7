"""Finds the rules: every module in ctxlint.rules that defines a Rule subclass, checked for unique
codes and names. There is no hand-kept list.

Every run imports every rule module, also one the results cache answers without parsing a file
(the cache key holds the selected codes). So a rule module imports at its top only what its
class declares (a `Trigger` from ctxlint.python.triggers), and the analysis (ctxlint.python)
inside the detector methods that use it, under TYPE_CHECKING for annotations:
tests/test_startup.py keeps it so, bench/startup.py times it."""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache
from typing import TYPE_CHECKING

from ctxlint.redact import evidence
from ctxlint.rule import Rule

if TYPE_CHECKING:
    from ctxlint.config import Settings

_CODE = re.compile(r"^CTX\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


class RegistryError(Exception):
    pass


class UnknownSelector(ValueError):
    """A rule selector that matches no rule; the message names it."""


@cache
def all_rules() -> tuple[type[Rule], ...]:
    import ctxlint.rules as package

    found: list[type[Rule]] = []
    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value is not Rule
                and value.__module__ == module.__name__
            ):
                found.append(value)
    _check_unique(found)
    return tuple(sorted(found, key=lambda rule: rule.code))


def _check_unique(rules: list[type[Rule]]) -> None:
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for rule in rules:
        where = f"{rule.__module__}.{rule.__qualname__}"
        if not _CODE.match(rule.code):
            raise RegistryError(f"{where}: code {rule.code!r} is not of the form CTX000")
        if not _NAME.match(rule.name) or rule.name.startswith(("no-", "use-")):
            raise RegistryError(f"{where}: name {rule.name!r} must be a kebab-case pattern name")
        if rule.code in codes:
            raise RegistryError(f"{where}: code {rule.code} is already used by {codes[rule.code]}")
        if rule.name in names:
            raise RegistryError(f"{where}: name {rule.name} is already used by {names[rule.name]}")
        codes[rule.code] = where
        names[rule.name] = where


@cache
def rule_declaring(flag: str) -> type[Rule]:
    """The one rule that declares `flag` (`reports_unreadable_input`, `reports_unused_noqa`):
    how the engine finds a rule it raises itself without importing that rule's module."""
    found = [rule for rule in all_rules() if getattr(rule, flag)]
    if len(found) != 1:
        raise RegistryError(f"expected one rule that declares {flag}, found {len(found)}")
    return found[0]


def rule_by_code(code: str) -> type[Rule] | None:
    wanted = code.upper()
    for rule in all_rules():
        if rule.code == wanted or rule.name == code:
            return rule
    return None


def selector_problem(selector: str) -> str | None:
    """What is wrong with a rule selector (in --select, --ignore, the configuration's lists
    and per-file-ignores), or None: it must be ALL or a prefix of some rule's code, so that a
    typo cannot select nothing and pass every check."""
    wanted = selector.strip().upper()
    if not wanted:
        return "an empty rule selector"
    if wanted == "ALL" or any(rule.code.startswith(wanted) for rule in all_rules()):
        return None
    return (
        f"{evidence(repr(selector))} matches no rule: give a rule code (CTX002), a prefix of "
        "codes (CTX00, CTX) or ALL; `ctxlint rules` lists them"
    )


def select_rules(
    select: list[str], extend_select: list[str], ignore: list[str]
) -> tuple[type[Rule], ...]:
    """Rules whose code starts with a selected prefix and with no ignored prefix; as in ruff,
    the longer (more specific) matching prefix wins; space around a selector is not part of
    it, wherever it was given. An opt-in rule (CTX100) is chosen only by ALL or a selector
    longer than the bare `CTX`. Raises UnknownSelector."""
    select, extend_select, ignore = (
        [selector.strip() for selector in given] for given in (select, extend_select, ignore)
    )
    for selector in [*select, *extend_select, *ignore]:
        problem = selector_problem(selector)
        if problem is not None:
            raise UnknownSelector(problem)
    chosen = []
    for rule in all_rules():
        selectors = [*select, *extend_select]
        if rule.opt_in:
            selectors = [s for s in selectors if s.upper() == "ALL" or len(s) > len("CTX")]
        selected = _longest_prefix(rule.code, selectors)
        ignored = _longest_prefix(rule.code, ignore)
        if selected >= 0 and selected > ignored:
            chosen.append(rule)
    return tuple(chosen)


def _longest_prefix(code: str, prefixes: list[str]) -> int:
    lengths = [
        0 if prefix.upper() == "ALL" else len(prefix)
        for prefix in prefixes
        if prefix.upper() == "ALL" or code.startswith(prefix.upper())
    ]
    return max(lengths, default=-1)


def explicitly_selected(code: str, settings: Settings) -> bool:
    """Whether `select` or `extend-select` (in the configuration or on the command line) names
    this exact rule code, not a prefix of it (`CTX`, `CTX00`) or ALL. Purely informational
    findings are made only then, as ruff keeps some rules to those who ask for them by name:
    the default selection stays with findings that call for a change."""
    wanted = code.upper()
    return any(
        selector.strip().upper() == wanted
        for selector in (*settings.select, *settings.extend_select)
    )
