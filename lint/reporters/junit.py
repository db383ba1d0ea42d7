"""JUnit XML, the test report GitLab, Jenkins, Azure Pipelines and most CI systems read: a
test suite per file, a failing test case per finding (an error for a file ctxlint could not
read), and a single passing case when there is nothing to report."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ElementTree

from ctxlint.diagnostics import Diagnostic
from ctxlint.engine import Report
from ctxlint.redact import visible
from ctxlint.reporters.places import session_place
from ctxlint.unreadable import is_unreadable

# What XML 1.0 cannot hold even as a character reference, beyond the controls visible() escapes:
# lone surrogates (a file name that is not UTF-8) and the two non-characters.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _text(text: str) -> str:
    text = visible(text, keep="\t\n")
    return _NOT_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _path(path: str) -> str:
    # Relative to where ctxlint ran (the project root in CI), as the SARIF report gives it.
    relative = os.path.relpath(path) if os.path.isabs(path) else os.path.normpath(path)
    return relative.replace(os.sep, "/")


def _body(diagnostic: Diagnostic, path: str) -> str:
    """The failure's text: where, what, and what to do, as a person reads it in the CI page."""
    lines = [f"{path}:{diagnostic.start.line}:{diagnostic.start.column}: {diagnostic.message}"]
    if diagnostic.session is not None:
        lines.append(session_place(diagnostic))
    if diagnostic.help:
        lines.append(f"help: {diagnostic.help}")
    for related in diagnostic.related:
        where = f"{_path(related.path)}:{related.start.line}:{related.start.column}"
        if related.pointer:
            where += f" at {related.pointer}"
        lines.append(f"note: {related.message}: {where}")
    return _text("\n".join(lines))


def _test_case(suite: ElementTree.Element, diagnostic: Diagnostic, path: str) -> None:
    """A failing case for the finding; an error when the file could not be read."""
    where = f"{diagnostic.start.line}:{diagnostic.start.column}"
    case = ElementTree.SubElement(
        suite,
        "testcase",
        name=_text(f"{diagnostic.code} ({diagnostic.name}) at {where}"),
        # As ruff names it: the path without its suffix, since Jenkins reads the dots of a
        # class name as packages.
        classname=_text(os.path.splitext(path)[0]),
        file=_text(path),
        line=str(diagnostic.start.line),
    )
    outcome = ElementTree.SubElement(
        case,
        "error" if is_unreadable(diagnostic) else "failure",
        message=_text(f"{diagnostic.code} {diagnostic.message}"),
        type=diagnostic.code,
    )
    outcome.text = _body(diagnostic, path)


def _suite(root: ElementTree.Element, name: str) -> ElementTree.Element:
    return ElementTree.SubElement(root, "testsuite", name=_text(name))


def _count(element: ElementTree.Element) -> None:
    """Sets the tests, failures and errors counts of a suite (or of the whole report) from the
    cases below it."""
    cases = list(element.iter("testcase"))
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(case.find("failure") is not None for case in cases)))
    element.set("errors", str(sum(case.find("error") is not None for case in cases)))


def render_junit(report: Report) -> str:
    root = ElementTree.Element("testsuites", name="ctxlint")
    by_file: dict[str, list[Diagnostic]] = {}
    for diagnostic in report.diagnostics:
        by_file.setdefault(_path(diagnostic.path), []).append(diagnostic)
    for path, findings in by_file.items():
        suite = _suite(root, path)
        for diagnostic in findings:
            _test_case(suite, diagnostic, path)
    if report.errors:
        # Paths that could not be checked at all (missing, an unreadable folder): errors of the
        # run rather than of a file, in a suite of their own.
        suite = _suite(root, "ctxlint")
        for number, error in enumerate(report.errors, start=1):
            case = ElementTree.SubElement(
                suite, "testcase", name=f"input error {number}", classname="ctxlint"
            )
            ElementTree.SubElement(case, "error", message=_text(error)).text = _text(error)
    if len(root) == 0:
        # An empty report reads as "no tests ran" in some CI pages: say that the check passed.
        noun = "file" if report.files_checked == 1 else "files"
        ElementTree.SubElement(
            _suite(root, "ctxlint"),
            "testcase",
            name=f"no findings in {report.files_checked} {noun}",
            classname="ctxlint",
        )
    for suite in root:
        _count(suite)
    _count(root)
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
