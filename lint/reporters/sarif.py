"""SARIF 2.1.0, as GitHub code scanning and other viewers read it."""

from __future__ import annotations

import os
from typing import Any

import orjson

from ctxlint import __version__
from ctxlint.diagnostics import Diagnostic
from ctxlint.engine import UNREADABLE_CODE, Report
from ctxlint.registry import all_rules

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/ctxlint/ctxlint"


def _uri(path: str) -> str:
    # Code scanning matches results to files by a path relative to the repository root.
    relative = os.path.relpath(path) if os.path.isabs(path) else os.path.normpath(path)
    return relative.replace(os.sep, "/")


def _result(diagnostic: Diagnostic, rule_index: dict[str, int]) -> dict[str, Any]:
    region = {
        "startLine": diagnostic.start.line,
        "startColumn": diagnostic.start.column,
        "endLine": max(diagnostic.end.line, diagnostic.start.line),
        "endColumn": max(diagnostic.end.column, 1),
    }
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index[diagnostic.code],
        "level": "error" if diagnostic.code == UNREADABLE_CODE else "warning",
        "message": {"text": diagnostic.message},
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
                    "region": {
                        "startLine": related.start.line,
                        "startColumn": related.start.column,
                        "endLine": max(related.end.line, related.start.line),
                        "endColumn": max(related.end.column, 1),
                    },
                },
                "message": {"text": related.message},
            }
            for number, related in enumerate(diagnostic.related)
        ]
    if diagnostic.session is not None:
        # A trace finding: the request's session and a JSON pointer inside the line.
        result["locations"][0]["logicalLocations"] = [
            {"name": diagnostic.session, "kind": "session"}
        ]
        result["properties"] = {"session": diagnostic.session, "pointer": diagnostic.pointer or ""}
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
                                "shortDescription": {"text": rule.message},
                                "fullDescription": {"text": rule.summary()},
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
