"""The rule list as text, JSON and the Markdown table in the README (kept current by a test)."""

from __future__ import annotations

import orjson

from ctxlint.registry import all_rules
from ctxlint.rule import Rule

README_TABLE_START = "<!-- rules-table-start -->"
README_TABLE_END = "<!-- rules-table-end -->"


def fix_label(rule: type[Rule]) -> str:
    return rule.fix_applicability.value if rule.fix_applicability else "-"


def _inputs(rule: type[Rule]) -> str:
    return ", ".join(kind.value for kind in rule.input_kinds()) or "all"


def rules_text() -> str:
    rows = [("CODE", "NAME", "FIX", "INPUTS")]
    rows += [(r.code, r.name, fix_label(r), _inputs(r)) for r in all_rules()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "".join(
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}\n"
        for row in rows
    )


def rules_json() -> str:
    items = [
        {
            "code": rule.code,
            "name": rule.name,
            "summary": rule.summary,
            "fix": rule.fix_applicability.value if rule.fix_applicability else None,
            "inputs": [kind.value for kind in rule.input_kinds()],
        }
        for rule in all_rules()
    ]
    return orjson.dumps(items, option=orjson.OPT_INDENT_2).decode() + "\n"


def rules_markdown() -> str:
    lines = ["| Code | Name | What it flags | Fix | Inputs |", "|---|---|---|---|---|"]
    for rule in all_rules():
        cells = [rule.code, f"`{rule.name}`", rule.summary, fix_label(rule), _inputs(rule)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
