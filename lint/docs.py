"""The rule list as text, JSON and the Markdown table in the README (kept current by a test)."""

from __future__ import annotations

import orjson

from ctxlint.registry import all_rules
from ctxlint.rule import Rule
from ctxlint.text_table import render_table

README_TABLE_START = "<!-- rules-table-start -->"
README_TABLE_END = "<!-- rules-table-end -->"


def fix_label(rule: type[Rule]) -> str:
    return rule.fix_applicability.value if rule.fix_applicability else "-"


def _inputs(rule: type[Rule]) -> str:
    return ", ".join(kind.value for kind in rule.input_kinds() or rule.raised_on) or "all"


def rules_text() -> str:
    rows = [(r.code, r.name, fix_label(r), _inputs(r)) for r in all_rules()]
    return "".join(line + "\n" for line in render_table(("CODE", "NAME", "FIX", "INPUTS"), rows))


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
