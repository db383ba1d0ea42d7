"""JSON output: a list of findings shaped like ruff's, sorted by path, line, column and code."""

from __future__ import annotations

from typing import Any

import orjson

from ctxlint.diagnostics import Diagnostic, Location
from ctxlint.engine import Report


def _location(location: Location) -> dict[str, int]:
    return {"row": location.line, "column": location.column}


def diagnostic_to_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    fix = diagnostic.fix
    found = {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "message": diagnostic.message,
        "help": diagnostic.help,
        "filename": diagnostic.path,
        "location": _location(diagnostic.start),
        "end_location": _location(diagnostic.end),
        "fix": None
        if fix is None
        else {
            "applicability": fix.applicability.value,
            "message": fix.title,
            "edits": [
                {
                    "content": edit.content,
                    "location": _location(edit.start),
                    "end_location": _location(edit.end),
                }
                for edit in fix.edits
            ],
        },
    }
    # Other places the finding involves: the call a value is sent by, the earlier request.
    found["related"] = [
        {
            "filename": related.path,
            "location": _location(related.start),
            "end_location": _location(related.end),
            "message": related.message,
            **({"pointer": related.pointer} if related.pointer is not None else {}),
        }
        for related in diagnostic.related
    ]
    # Trace findings also say which session, and where in the line's (or document's) JSON.
    if diagnostic.session is not None:
        found["session"] = diagnostic.session
        found["pointer"] = diagnostic.pointer or ""
        found["offset"] = diagnostic.offset
    return found


def render_json(report: Report) -> str:
    items = [diagnostic_to_dict(d) for d in report.diagnostics]
    return orjson.dumps(items, option=orjson.OPT_INDENT_2).decode() + "\n"
