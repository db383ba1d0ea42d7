"""A rule's trace examples, kept as files beside the rules: `rules/cases/<code>/cases.toml`
names each example trace (a JSONL file in the same folder) and what the rule must find in it.

A trace example is a few JSON lines of a few hundred characters each: as files they read as
traces do, where inside a rule module they were escaped strings no one could review.

    [[invalid]]
    why = "The system prompt carries the time of the request."
    trace = "timestamp-in-system.jsonl"
    line = 2
    message-contains = "became"
    settings = { ... }
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import tomllib

from ctxlint.rule import InputKind, Invalid, Valid

CASES = Path(__file__).resolve().parent.parent / "rules" / "cases"
# Installed, the rules are the package ctxlint.rules, and the cases its data.
_INSTALLED = Path(__file__).resolve().parent / "rules" / "cases"


class CaseFileError(Exception):
    """A case file that names a missing trace or an unknown key: a mistake in the examples."""


def _folder(code: str) -> Path:
    for root in (CASES, _INSTALLED):
        folder = root / code.lower()
        if folder.is_dir():
            return folder
    return CASES / code.lower()


@functools.cache
def trace_cases(code: str) -> tuple[tuple[Valid, ...], tuple[Invalid, ...]]:
    """The rule's trace examples: those it must leave alone, and those it must flag."""
    table_path = _folder(code) / "cases.toml"
    if not table_path.is_file():
        return (), ()
    table = tomllib.loads(table_path.read_text(encoding="utf-8"))
    unknown = set(table) - {"valid", "invalid"}
    if unknown:
        raise CaseFileError(f"{table_path}: unknown tables {sorted(unknown)}")
    valid = tuple(_valid(entry, table_path) for entry in table.get("valid", []))
    invalid = tuple(_invalid(entry, table_path) for entry in table.get("invalid", []))
    return valid, invalid


_VALID_KEYS = {"why", "trace", "settings"}
_INVALID_KEYS = _VALID_KEYS | {"line", "message-contains"}


def _trace(entry: dict[str, Any], table_path: Path, keys: set[str]) -> str:
    unknown = set(entry) - keys
    if unknown or "trace" not in entry or "why" not in entry:
        raise CaseFileError(
            f"{table_path}: each case needs `why` and `trace`, and takes only {sorted(keys)}; "
            f"got {sorted(entry)}"
        )
    path = table_path.parent / entry["trace"]
    if not path.is_file():
        raise CaseFileError(f"{table_path}: no trace {entry['trace']!r} beside it")
    return path.read_text(encoding="utf-8")


def _valid(entry: dict[str, Any], table_path: Path) -> Valid:
    source = _trace(entry, table_path, _VALID_KEYS)
    return Valid(source, InputKind.TRACE, entry.get("settings", {}))


def _invalid(entry: dict[str, Any], table_path: Path) -> Invalid:
    source = _trace(entry, table_path, _INVALID_KEYS)
    return Invalid(
        source,
        InputKind.TRACE,
        line=entry.get("line"),
        message_contains=entry.get("message-contains"),
        settings=entry.get("settings", {}),
    )
