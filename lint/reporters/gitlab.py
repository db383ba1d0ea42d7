"""GitLab Code Quality: the JSON array a job hands to `artifacts:reports:codequality`, so that
findings show in the merge request widget and diff.

GitLab reads a subset of the Code Climate issue format
(https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format): `description`,
`check_name`, `fingerprint`, `severity` and `location.path` with `location.lines.begin`.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any

import orjson

from ctxlint.diagnostics import Diagnostic
from ctxlint.engine import Report
from ctxlint.unreadable import is_unreadable


def _path(path: str) -> str:
    # GitLab matches an issue to a file of the merge request by a path relative to the project
    # root, where the job runs; written with forward slashes whatever the runner's system.
    relative = os.path.relpath(path) if os.path.isabs(path) else os.path.normpath(path)
    return relative.replace(os.sep, "/")


def _description(diagnostic: Diagnostic) -> str:
    # GitLab shows the description alone, not check_name: the code leads it, as in ruff's.
    text = f"{diagnostic.code}: {diagnostic.message}"
    if diagnostic.session is not None:
        at = f", at {diagnostic.pointer}" if diagnostic.pointer else ""
        text += f" (session {diagnostic.session}{at})"
    # One line in the widget: what to do follows what is wrong, as a sentence of its own.
    if diagnostic.help:
        text += f". {diagnostic.help}"
    return text


# Messages name the lines of the other places a finding involves ("reaches the system prompt of
# client.messages.create (line 37)"); those numbers move with the code as the finding's own does.
_LINE_REFERENCE = re.compile(r"\b(lines?) \d+")


def _identity(path: str, diagnostic: Diagnostic) -> tuple[str, ...]:
    """What GitLab compares, through the fingerprint, between the source and target branches to
    tell a new finding from one that was already there: the file, the rule, the message and (for
    a trace) the session and place in the request, but no line number, so that a finding that
    only moves down because lines were added above it is not shown as fixed and found again."""
    return (
        path,
        diagnostic.code,
        _LINE_REFERENCE.sub(r"\1", diagnostic.message),
        diagnostic.session or "",
        diagnostic.pointer or "",
    )


def _fingerprint(identity: tuple[str, ...], occurrence: int) -> str:
    # Identical findings in one file are told apart by their order: GitLab shows only the
    # first issue of a fingerprint.
    text = "\0".join((*identity, str(occurrence)))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _issue(diagnostic: Diagnostic, path: str, fingerprint: str) -> dict[str, Any]:
    begin = max(diagnostic.start.line, 1)
    return {
        "description": _description(diagnostic),
        "check_name": diagnostic.code,
        "fingerprint": fingerprint,
        # GitLab's scale is info, minor, major, critical, blocker: a file ctxlint could not
        # read ranks above a finding in one it could.
        "severity": "critical" if is_unreadable(diagnostic) else "major",
        "location": {
            "path": path,
            "lines": {"begin": begin, "end": max(diagnostic.end.line, begin)},
        },
    }


def render_gitlab(report: Report) -> str:
    issues = []
    occurrences: dict[tuple[str, ...], int] = {}
    for diagnostic in report.diagnostics:
        path = _path(diagnostic.path)
        identity = _identity(path, diagnostic)
        occurrence = occurrences.get(identity, 0)
        occurrences[identity] = occurrence + 1
        issues.append(_issue(diagnostic, path, _fingerprint(identity, occurrence)))
    return orjson.dumps(issues, option=orjson.OPT_INDENT_2).decode() + "\n"
