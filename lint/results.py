"""What a run reports: each file's result, the report of the run, the results the cache
already holds, and each finding regrouped under the file it is in."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

from ctxlint.cache import Hit, ResultsCache
from ctxlint.diagnostics import Diagnostic, sort_diagnostics


class FixMode(Enum):
    CHECK = "check"
    FIX = "fix"
    DIFF = "diff"


@dataclass(slots=True)
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Source lines under the diagnostics, for reporters that show them.
    lines: dict[int, str] = field(default_factory=dict)
    fixes_applied: int = 0
    # With --fix: the new bytes to write; with --diff: the unified diff to show.
    new_data: bytes | None = None
    diff: str | None = None
    fixed_text: str | None = None
    problems: list[str] = field(default_factory=list)
    # Source lines under findings in other files (reached from this one), by path.
    other_lines: dict[str, dict[int, str]] = field(default_factory=dict)
    # Whether the file could be read and parsed at all.
    readable: bool = True
    # With --fix: why the fixed file was not written (it changed meanwhile, or cannot be).
    write_failure: str | None = None


@dataclass(slots=True)
class Report:
    results: list[FileResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # What the run had to pass over without it being an error (a folder it cannot read).
    warnings: list[str] = field(default_factory=list)
    files_checked: int = 0
    # Paths named on the command line that could not be checked at all (each is an error).
    unchecked: int = 0
    # Trace files from which requests were read: what a simulated summary replays.
    traces: list[str] = field(default_factory=list)
    # Prompt files checked (found, named, or rendered by the run's Python code).
    prompts: list[str] = field(default_factory=list)
    # Files a folder walk met and left alone: not Python, and no trace ctxlint reads.
    passed_over: list[str] = field(default_factory=list)
    # Per trace file, the findings about what its agent harness does by design that were held
    # back (harness-findings is off): for a summary to mention (ctxlint.trace.harness).
    harness_findings: dict[str, int] = field(default_factory=dict)
    # Files whose settings apply unsafe fixes (--unsafe-fixes, or unsafe-fixes = true in the
    # configuration a file gets): there `ctxlint --fix` applies an unsafe fix too.
    unsafe_fix_paths: set[str] = field(default_factory=set)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return sort_diagnostics([d for r in self.results for d in r.diagnostics])

    def fixable(self, diagnostic: Diagnostic) -> bool:
        """Whether `ctxlint --fix`, with the settings of the finding's file, fixes it."""
        fix = diagnostic.fix
        return fix is not None and fix.is_applicable(diagnostic.path in self.unsafe_fix_paths)

    def line_text(self, path: str, line: int) -> str:
        for result in self.results:
            if result.path == path:
                return result.lines.get(line, "")
        return ""

    @property
    def nothing_readable(self) -> bool:
        """Every file checked failed to be read or parsed (files the prefilter skipped have no
        result, so their presence makes this false)."""
        return (
            bool(self.results)
            and all(not r.readable for r in self.results)
            and (self.files_checked == len(self.results))
        )


def answered_from_cache(
    cache: ResultsCache | None, work: list[tuple[str, bool]], mode: FixMode
) -> tuple[list[FileResult | None], list[tuple[str, bool]]]:
    """The results the cache holds, and the work left to do."""
    if cache is None:
        return [], work
    results: list[FileResult | None] = []
    left = []
    for path, explicit in work:
        hit = cache.lookup(path, explicit, fixing=mode is not FixMode.CHECK)
        if hit is None:
            left.append((path, explicit))
        else:
            results.append(_result_of_hit(path, hit))
    return results, left


def _result_of_hit(path: str, hit: Hit) -> FileResult | None:
    if hit.findings is None:
        return None
    diagnostics, lines, readable, other_lines = hit.findings
    return FileResult(
        path, diagnostics=diagnostics, lines=lines, readable=readable, other_lines=other_lines
    )


def regrouped(results: list[FileResult]) -> list[FileResult]:
    """Each finding under the file it is in (a file's check may find one in a file it
    imports), once however many checked files reached it: the same rule at the same place,
    reached through several requests, is one finding, whose related locations name every
    request. Its message is the first one met (the file's own check, then the checking files
    in path order), so a warm run answered from the cache says what a cold one says."""
    by_path = {result.path: result for result in results}
    moved: list[tuple[FileResult, Diagnostic]] = []
    for result in results:
        moved.extend((result, d) for d in result.diagnostics if d.path != result.path)
        result.diagnostics = [d for d in result.diagnostics if d.path == result.path]
    places: dict[str, dict[tuple[object, ...], int]] = {
        result.path: {_place(d): i for i, d in enumerate(result.diagnostics)} for result in results
    }
    for source, diagnostic in sorted(moved, key=lambda pair: pair[0].path):
        target = by_path.get(diagnostic.path)
        if target is None:
            target = by_path[diagnostic.path] = FileResult(diagnostic.path)
        placed = places.setdefault(diagnostic.path, {})
        at = placed.get(_place(diagnostic))
        if at is not None:
            kept = target.diagnostics[at]
            extra = tuple(r for r in diagnostic.related if r not in kept.related)
            if extra:
                target.diagnostics[at] = replace(kept, related=kept.related + extra)
            continue
        placed[_place(diagnostic)] = len(target.diagnostics)
        target.diagnostics.append(diagnostic)
        lines = source.other_lines.get(diagnostic.path, {})
        for line in range(diagnostic.start.line, diagnostic.end.line + 1):
            target.lines.setdefault(line, lines.get(line, ""))
    for result in results:
        result.other_lines.clear()
    return list(by_path.values())


def _place(diagnostic: Diagnostic) -> tuple[object, ...]:
    start, end = diagnostic.start, diagnostic.end
    return (diagnostic.code, start.line, start.column, end.line, end.column)
