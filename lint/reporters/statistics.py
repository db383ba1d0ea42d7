"""`--statistics`: how many findings of each rule, as ruff prints them, instead of the
findings themselves."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from ctxlint.engine import Report


@dataclass(frozen=True, slots=True)
class RuleCount:
    code: str
    name: str
    count: int
    # Findings of the rule that `ctxlint --fix` fixes (a safe fix, or an unsafe one where the
    # file's settings apply unsafe fixes).
    fixable_count: int

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "count": self.count,
            "fixable": self.fixable_count > 0,
            "fixable_count": self.fixable_count,
        }


def rule_counts(report: Report) -> list[RuleCount]:
    """One row per rule found, the commonest first (ties by code)."""
    counts: dict[str, list] = {}
    for d in report.diagnostics:
        row = counts.setdefault(d.code, [d.name, 0, 0])
        row[1] += 1
        row[2] += report.fixable(d)
    rows = [
        RuleCount(code, name, count, fixable) for code, (name, count, fixable) in counts.items()
    ]
    return sorted(rows, key=lambda row: (-row.count, row.code))


def render_statistics(report: Report, color: bool = False, quiet: bool = False) -> str:
    """Right-aligned counts, code and name separated by tabs (as ruff, so `cut -f2` takes the
    codes), `[*]` before a rule with a safe fix when any rule has one; then the summary."""
    from ctxlint.reporters.text import summary

    rows = rule_counts(report)
    count_width = max((len(str(row.count)) for row in rows), default=0)
    code_width = max((len(row.code) for row in rows), default=0)
    any_fixable = any(row.fixable_count for row in rows)
    lines = []
    for row in rows:
        marker = ("[*] " if row.fixable_count else "[ ] ") if any_fixable else ""
        lines.append(f"{row.count:>{count_width}}\t{row.code:<{code_width}}\t{marker}{row.name}")
    text = "".join(line + "\n" for line in lines)
    return text if quiet else text + summary(report)


def render_statistics_json(report: Report) -> str:
    rows = [row.as_json() for row in rule_counts(report)]
    return orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n"
