"""Checks a trace file with the selected rules, streaming: each request is compared with the one
before it in its session and then only the newest request per session (and model) is kept, so
memory grows with the sessions open at once, not with the file."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import replace
from fnmatch import fnmatchcase

from ctxlint.config import Settings
from ctxlint.diagnostics import Diagnostic, Location
from ctxlint.rule import InputKind, Rule
from ctxlint.suppression import without_ignored
from ctxlint.trace.compare import SessionState, Step
from ctxlint.trace.harness import by_harness
from ctxlint.trace.loader import TraceReader
from ctxlint.trace.model import Request
from ctxlint.trace.reading import Problem, pointer_lines
from ctxlint.unreadable import reports_unreadable, unreadable_at

# Past this many unreadable lines in one file, the rest are counted, not listed.
_MAX_PROBLEMS = 20
# Sessions kept open at once. A file that interleaves more drops the least recently active
# one's state; should that session go on later, its next request starts it afresh (silence,
# not a false finding). Memory so grows with this, never with the file.
_OPEN_SESSIONS = 256


class TraceResult:
    """What checking one trace file gives: findings, and how much of it could be read."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.format: str | None = None
        self.diagnostics: list[Diagnostic] = []
        self.requests = 0
        self.problems = 0
        # Findings about what the agent harness does by design, held back (trace/harness.py).
        self.harness_findings = 0

    @property
    def readable(self) -> bool:
        return self.requests > 0 or self.problems == 0


class TraceChecker:
    def __init__(self, settings: Settings, rules: Iterable[type[Rule]]) -> None:
        rules = tuple(rules)
        self.settings = settings
        self.rules = [rule() for rule in rules if InputKind.TRACE in rule.input_kinds()]
        self.codes = {rule.code: rule for rule in self.rules}
        self.report_unreadable = reports_unreadable(rules)

    def check_file(self, path: str) -> TraceResult:
        result = TraceResult(path)
        reader = TraceReader(path, self.settings.trace_format)
        sessions: OrderedDict[str, SessionState] = OrderedDict()
        unlisted: list[Problem] = []
        held_back: list[Diagnostic] = []
        for item in reader:
            if isinstance(item, Problem):
                result.problems += 1
                if result.problems > _MAX_PROBLEMS:
                    unlisted.append(item)
                else:
                    result.diagnostics.extend(self.unreadable(path, item))
                continue
            result.requests += 1
            found = self.check_request(sessions, item)
            if not self.settings.harness_findings:
                held_back.extend(d for d in found if by_harness(self.codes[d.code], item))
                found = [d for d in found if not by_harness(self.codes[d.code], item)]
            result.diagnostics.extend(found)
        if unlisted:
            more = Problem(
                unlisted[0].line,
                f"{len(unlisted)} more lines could not be read (from this line on); "
                "the first are reported above",
            )
            result.diagnostics.extend(self.unreadable(path, more))
        result.format = reader.format
        if reader.document is not None:
            result.diagnostics = _with_document_lines(reader.document, result.diagnostics)
        result.diagnostics = without_ignored(path, result.diagnostics, self.settings)
        # Only what --harness-findings would show: not what per-file-ignores turns off.
        result.harness_findings = len(without_ignored(path, held_back, self.settings))
        return result

    def check_request(
        self, sessions: OrderedDict[str, SessionState], request: Request
    ) -> list[Diagnostic]:
        state = sessions.get(request.session)
        if state is None:
            state = sessions[request.session] = SessionState(request.session)
            if len(sessions) > _OPEN_SESSIONS:
                sessions.popitem(last=False)
        else:
            sessions.move_to_end(request.session)
        request.index = state.requests
        state.requests += 1
        # Caches are per model: a request continues the newest one made to the same model.
        previous = state.latest.get(request.model)
        step = Step(state, previous, request, self.settings)
        found: list[Diagnostic] = []
        for rule in self.rules:
            found.extend(rule.check_trace(step))  # type: ignore[attr-defined]
        state.latest[request.model] = request
        return without_session_ignores(request.session, found, self.settings)

    def unreadable(self, path: str, problem: Problem) -> list[Diagnostic]:
        if not self.report_unreadable:
            return []
        return [unreadable_at(path, problem.reason, problem.line)]


def without_session_ignores(
    session: str, diagnostics: list[Diagnostic], settings: Settings
) -> list[Diagnostic]:
    """Drop the findings `per-session-ignores` turns off in this session: patterns as fnmatch
    reads them, matched case-sensitively against the whole session id (a subagent's session
    named `subagent-*` is the same name on every system)."""
    if not diagnostics or not settings.per_session_ignores:
        return diagnostics
    ignored = [
        code.upper()
        for pattern, codes in settings.per_session_ignores
        if fnmatchcase(session, pattern)
        for code in codes
    ]
    if not ignored:
        return diagnostics
    return [
        d
        for d in diagnostics
        if not any(code == "ALL" or d.code.startswith(code) for code in ignored)
    ]


def _with_document_lines(document: bytes, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Findings in a JSON document are made with a pointer; give each the line it starts on."""
    wanted = {d.pointer or "" for d in diagnostics if d.start.line == 0}
    if not wanted:
        return diagnostics
    lines = pointer_lines(document, wanted)
    placed = []
    for d in diagnostics:
        if d.start.line == 0:
            location = Location(lines.get(d.pointer or "", 1), 1)
            d = replace(d, start=location, end=location)
        placed.append(d)
    return placed
