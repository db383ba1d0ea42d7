"""SARIF 2.1.0, as GitHub code scanning and other viewers read it."""

from __future__ import annotations

import os
from typing import Any

import orjson

from ctxlint import __version__
from ctxlint.diagnostics import Diagnostic, Location
from ctxlint.engine import Report
from ctxlint.registry import all_rules
from ctxlint.unreadable import is_unreadable

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/ctxlint/ctxlint"


def _uri(path: str) -> str:
    # Code scanning matches results to files by a path relative to the repository root,
    # written as a URI reference: a space is %20, and a colon (which in the first segment
    # would read as a scheme) is %3A.
    from urllib.parse import quote

    relative = os.path.relpath(path) if os.path.isabs(path) else os.path.normpath(path)
    return quote(relative.replace(os.sep, "/"), safe="/")


def _region(start: Location, end: Location) -> dict[str, int]:
    return {
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": max(end.line, start.line),
        "endColumn": max(end.column, 1),
    }


def _fixes(diagnostic: Diagnostic) -> list[dict[str, Any]]:
    """The fix as SARIF's artifactChanges: each edit a deleted region and what replaces it."""
    fix = diagnostic.fix
    if fix is None or not fix.edits:
        return []
    return [
        {
            "description": {"text": f"{fix.title} ({fix.applicability.value})"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": _uri(diagnostic.path), "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": _region(edit.start, edit.end),
                            "insertedContent": {"text": edit.content},
                        }
                        for edit in fix.edits
                    ],
                }
            ],
        }
    ]


def _result(diagnostic: Diagnostic, rule_index: dict[str, int]) -> dict[str, Any]:
    region = _region(diagnostic.start, diagnostic.end)
    # Code scanning shows the result's message alone: what to do goes with it.
    text = diagnostic.message + (f"\nHelp: {diagnostic.help}" if diagnostic.help else "")
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index[diagnostic.code],
        "level": "error" if is_unreadable(diagnostic) else "warning",
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(diagnostic.path), "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }
        ],
    }
    if diagnostic.related:
        result["relatedLocations"] = [
            {
                "id": number,
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(related.path), "uriBaseId": "%SRCROOT%"},
                    "region": _region(related.start, related.end),
                },
                **(
                    {"logicalLocations": [{"fullyQualifiedName": related.pointer}]}
                    if related.pointer
                    else {}
                ),
                "message": {"text": related.message},
            }
            for number, related in enumerate(diagnostic.related)
        ]
    fixes = _fixes(diagnostic)
    if fixes:
        result["fixes"] = fixes
    if diagnostic.session is not None:
        # A trace finding: the request's session and a JSON pointer inside the line.
        result["locations"][0]["logicalLocations"] = [
            {"name": diagnostic.session, "kind": "session"}
        ]
        result["properties"] = {
            "session": diagnostic.session,
            "pointer": diagnostic.pointer or "",
            **({"offset": diagnostic.offset} if diagnostic.offset is not None else {}),
        }
    return result


def render_sarif(report: Report) -> str:
    rules = all_rules()
    rule_index = {rule.code: position for position, rule in enumerate(rules)}
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ctxlint",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [
                            {
                                "id": rule.code,
                                "name": rule.name,
                                "shortDescription": {"text": rule.summary},
                                "fullDescription": {"text": rule.description()},
                                "help": {
                                    "text": rule.documentation(),
                                    "markdown": rule.documentation(),
                                },
                                "defaultConfiguration": {
                                    "level": "error" if rule.meta else "warning"
                                },
                            }
                            for rule in rules
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, rule_index) for d in report.diagnostics],
            }
        ],
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"
