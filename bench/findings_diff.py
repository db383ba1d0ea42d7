"""Which findings a change to ctxlint adds or removes on real code: two builds, same corpora.

Runs a `before` and an `after` ctxlint executable on each corpus folder (one run per folder
and build) and writes a Markdown report: per corpus the counts per rule, and every finding
present only after (new) or only before (gone) with five lines of its source, so that each
one can be read and judged true or false. Not part of the test suite; reads local folders only.

Corpora (each a folder checked as one project, so cross-module analysis sees the whole of it):
  apps/<owner>+<name>  each folder under --apps-dir (agent applications exported from mirrors)
  fwvenv               the site-packages of the frameworks' venv (--fw-dir)
  tree                 the 1.3 M-line speed tree (--tree-dir)

    python bench/findings_diff.py --out /tmp/eval/report.md [--after .venv/bin/ctxlint]
        [--corpus 'apps/*'] [--corpus tree] [--rule CTX011] [--jobs 2] [--timeout 900]

Findings match by (path, rule, line): the source is the same on both sides, so a finding on
the same line under the same rule is the same finding even when its wording changed (those
are counted, not listed). The baseline build does not change, so its results are kept in
--before-cache and reused while the corpus folder and the executable are unchanged.
"""

from __future__ import annotations

import argparse
import difflib
import fnmatch
import functools
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_BEFORE = "/work/wt/baseline/.venv/bin/ctxlint"
DEFAULT_APPS = "/tmp/apps"
DEFAULT_FW = "/tmp/fwvenv/lib/python3.11/site-packages"
DEFAULT_TREE = "/tmp/tree"
CONTEXT_LINES = 2  # either side of the finding's line: five lines in all
LONG_LINE = 160


@dataclass(frozen=True)
class Finding:
    path: str  # relative to the corpus folder
    code: str
    line: int
    message: str
    related: tuple[str, ...] = ()


@dataclass
class Run:
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    error: str | None = None  # a crash, a timeout or unreadable output
    cached: bool = False
    skipped: str | None = None  # why the build was not run at all


@dataclass
class Comparison:
    name: str
    folder: Path
    before: Run
    after: Run
    new: list[Finding]
    gone: list[Finding]
    reworded: int


class Build:
    """One ctxlint executable and what its command line accepts."""

    def __init__(self, executable: str) -> None:
        found = shutil.which(executable)
        if found is None:
            raise SystemExit(f"no executable: {executable}")
        if "/.pyenv/shims/" in found:
            # The shim is a shell script that costs most of a second on every start.
            which = subprocess.run(["pyenv", "which", executable], capture_output=True, text=True)
            found = which.stdout.strip() or found
        self.executable = found
        help_text = self._output("check", "--help")
        self.has_no_cache = "--no-cache" in help_text
        self.rule_codes = set(re.findall(r"^(CTX\d+)\s", self._output("rules"), re.MULTILINE))

    def _output(self, *args: str) -> str:
        done = subprocess.run([self.executable, *args], capture_output=True, text=True, timeout=60)
        return done.stdout

    def source_state(self) -> str:
        """The commit of the checkout the build runs from (an editable install follows its
        worktree, so a merge during a run would mix two versions in one report)."""
        try:
            with open(self.executable, encoding="utf-8", errors="replace") as handle:
                interpreter = handle.readline().removeprefix("#!").strip()
            where = subprocess.run(
                [interpreter, "-c", "import ctxlint, os; print(os.path.dirname(ctxlint.__file__))"],
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout.strip()
            head = subprocess.run(
                ["git", "-C", where, "log", "-1", "--format=%h %s"], capture_output=True, text=True
            ).stdout.strip()
            dirty = subprocess.run(
                ["git", "-C", where, "status", "--porcelain", "-uno", "."],
                capture_output=True,
                text=True,
            ).stdout.strip()
            revision = Path(where).parent / ".revision"
            if not head and revision.exists():
                head = revision.read_text().strip()
        except (OSError, ValueError, subprocess.SubprocessError):
            return "unknown"
        return f"{where} at {head or 'no git'}{' (uncommitted changes)' if dirty else ''}"

    def knows_rule(self, prefix: str) -> bool:
        return any(code.startswith(prefix) for code in self.rule_codes)

    def command(self, folder: Path, output: str, jobs: int, rule: str | None) -> list[str]:
        command = [self.executable, "check", "--output-format", "json", "--output-file", output]
        command += ["--exit-zero", "-q", "--jobs", str(jobs)]
        if self.has_no_cache:
            # Without it a caching build would write .ctxlint_cache/ into the corpus and a
            # second run would time the cache, not the analysis.
            command.append("--no-cache")
        if rule:
            command += ["--select", rule]
        return [*command, str(folder)]

    @functools.cached_property
    def fingerprint(self) -> str:
        """The executable and the sources behind it: a baseline worktree that moved is seen."""
        digest = hashlib.sha256(os.path.realpath(self.executable).encode())
        digest.update(self._output("--version").encode())
        digest.update(self._output("rules").encode())
        return digest.hexdigest()[:16]


def frozen_build(repo: str, revision: str, builds: Path) -> str:
    """A ctxlint built from `revision` of `repo` in a folder of its own: the editable install of
    a checkout follows its worktree, and a merge in the middle of a run mixes two versions."""
    sha = subprocess.run(
        ["git", "-C", repo, "rev-parse", "--short=10", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    folder = builds / sha
    executable = folder / ".venv" / "bin" / "ctxlint"
    if executable.exists():
        return str(executable)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", repo, "archive", sha], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    subject = subprocess.run(
        ["git", "-C", repo, "log", "-1", "--format=%h %s", sha], capture_output=True, text=True
    ).stdout.strip()
    (folder / ".revision").write_text(f"{subject} (frozen copy of {repo})")
    python = sys.executable
    subprocess.run(
        [python, "-m", "venv", "--system-site-packages", str(folder / ".venv")], check=True
    )
    pip = [str(folder / ".venv" / "bin" / "pip"), "install", "-q", "-e", str(folder), "--no-deps"]
    subprocess.run(pip, check=True)
    return str(executable)


def run_build(build: Build, folder: Path, jobs: int, rule: str | None, timeout: float) -> Run:
    if rule and not build.knows_rule(rule):
        return Run(skipped=f"this build has no rule {rule}")
    with tempfile.TemporaryDirectory(prefix="findings_diff.") as scratch:
        output = os.path.join(scratch, "out.json")
        command = build.command(folder, output, jobs, rule)
        cpu_start = _children_cpu()
        start = time.perf_counter()
        # Its own session, so that a timeout ends the workers too and nothing else.
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            cwd=scratch,
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return Run(seconds=time.perf_counter() - start, error=f"timeout after {timeout:g} s")
        run = Run(seconds=time.perf_counter() - start, cpu_seconds=_children_cpu() - cpu_start)
        if process.returncode != 0:
            run.error = f"exit {process.returncode}: {_tail(stderr)}"
            return run
        try:
            with open(output, encoding="utf-8") as handle:
                items = json.load(handle)
        except (OSError, ValueError) as error:
            run.error = f"unreadable output ({error}): {_tail(stderr)}"
            return run
    run.findings = [_finding(item, folder) for item in items]
    return run


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tail(text: str, lines: int = 6) -> str:
    return " | ".join(text.strip().splitlines()[-lines:]) or "(no stderr)"


def _finding(item: dict, folder: Path) -> Finding:
    related = tuple(
        f"{_relative(r.get('filename', ''), folder)}:{(r.get('location') or {}).get('row', '?')}"
        + (f" ({r['message']})" if r.get("message") else "")
        for r in item.get("related") or []
    )
    return Finding(
        path=_relative(item.get("filename", ""), folder),
        code=item.get("code", "?"),
        line=(item.get("location") or {}).get("row", 0),
        message=item.get("message", ""),
        related=related,
    )


def _relative(path: str, folder: Path) -> str:
    try:
        return os.path.relpath(path, folder)
    except ValueError:
        return path


def folder_fingerprint(folder: Path) -> str:
    """Files, sizes and times under the folder: a re-exported corpus invalidates the cache."""
    count, size, newest = 0, 0, 0.0
    for top, _, names in os.walk(folder):
        for name in names:
            try:
                info = os.stat(os.path.join(top, name))
            except OSError:
                continue
            count, size, newest = count + 1, size + info.st_size, max(newest, info.st_mtime)
    return f"{count}-{size}-{newest:.0f}"


def cached_run(build: Build, folder: Path, args: argparse.Namespace, cache: Path | None) -> Run:
    if cache is None:
        return run_build(build, folder, args.jobs, args.rule, args.timeout)
    key = hashlib.sha256(
        f"{build.fingerprint}|{folder}|{folder_fingerprint(folder)}|{args.rule}".encode()
    ).hexdigest()[:24]
    entry = cache / f"{key}.json"
    try:
        saved = json.loads(entry.read_text())
        return Run(
            findings=[Finding(**{**f, "related": tuple(f["related"])}) for f in saved["findings"]],
            seconds=saved["seconds"],
            cpu_seconds=saved["cpu_seconds"],
            cached=True,
        )
    except (OSError, ValueError, KeyError, TypeError):
        pass
    run = run_build(build, folder, args.jobs, args.rule, args.timeout)
    if run.error is None and run.skipped is None:
        cache.mkdir(parents=True, exist_ok=True)
        findings = [f.__dict__ | {"related": list(f.related)} for f in run.findings]
        saved = {"findings": findings, "seconds": run.seconds, "cpu_seconds": run.cpu_seconds}
        entry.write_text(json.dumps(saved))
    return run


def compare(before: list[Finding], after: list[Finding]) -> tuple[list, list, int]:
    """(new, gone, reworded): findings on the same (path, rule, line) are the same finding;
    identical messages pair first, so a reworded count is not inflated by duplicates."""
    by_key_before: dict[tuple, list[Finding]] = defaultdict(list)
    for finding in before:
        by_key_before[(finding.path, finding.code, finding.line)].append(finding)
    new, reworded = [], 0
    unmatched_after: list[Finding] = []
    for finding in after:
        waiting = by_key_before.get((finding.path, finding.code, finding.line))
        same = next((f for f in waiting or [] if f.message == finding.message), None)
        if same is not None:
            waiting.remove(same)
        else:
            unmatched_after.append(finding)
    for finding in unmatched_after:
        waiting = by_key_before.get((finding.path, finding.code, finding.line))
        if waiting:
            waiting.pop(0)
            reworded += 1
        else:
            new.append(finding)
    gone = [f for waiting in by_key_before.values() for f in waiting]
    return _ordered(new), _ordered(gone), reworded


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.code, f.path, f.line))


def discover_corpora(args: argparse.Namespace) -> list[tuple[str, Path]]:
    corpora: list[tuple[str, Path]] = []
    apps = Path(args.apps_dir)
    if apps.is_dir():
        corpora += [(f"apps/{p.name}", p) for p in sorted(apps.iterdir()) if p.is_dir()]
    corpora += [("fwvenv", Path(args.fw_dir)), ("tree", Path(args.tree_dir))]
    if args.corpus:
        corpora = [c for c in corpora if any(fnmatch.fnmatch(c[0], p) for p in args.corpus)]
    return corpora


def source_lines(folder: Path, finding: Finding, cache: dict[str, list[str]]) -> list[str]:
    path = str(folder / finding.path)
    if path not in cache:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                cache[path] = handle.read().splitlines()
        except OSError:
            cache[path] = []
    lines = cache[path]
    first = max(1, finding.line - CONTEXT_LINES)
    last = min(len(lines), finding.line + CONTEXT_LINES)
    shown = []
    for number in range(first, last + 1):
        text = lines[number - 1]
        text = text if len(text) <= LONG_LINE else text[:LONG_LINE] + " …"
        shown.append(f"{'>' if number == finding.line else ' '}{number:6d}  {text}")
    return shown


def _without_numbers(message: str) -> str:
    return re.sub(r"\d+", "N", message)


def moved_from(finding: Finding, others: list[Finding]) -> Finding | None:
    """A gone finding of the same rule and file with nearly the same message: most likely the
    same problem now reported at another line (at the source instead of the sink, say)."""
    best, best_ratio = None, 0.75
    for other in others:
        if other.path != finding.path or other.code != finding.code:
            continue
        ratio = difflib.SequenceMatcher(
            None, _without_numbers(finding.message), _without_numbers(other.message)
        ).ratio()
        if ratio > best_ratio:
            best, best_ratio = other, ratio
    return best


def render(comparisons: list[Comparison], args: argparse.Namespace, builds: tuple) -> str:
    before_build, after_build = builds
    out = ["# ctxlint findings: before vs after", ""]
    out.append(f"- before: `{before_build.executable}`: {args.states[0]}")
    out.append(f"- after: `{after_build.executable}` (--no-cache: {after_build.has_no_cache})")
    out.append(f"  - at start: {args.states[1]}")
    if args.states[2] != args.states[1]:
        out.append(f"  - **CHANGED during the run**, at end: {args.states[2]}")
    out.append(
        f"- generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, jobs {args.jobs}"
    )
    if args.rule:
        out.append(f"- only rule codes starting with {args.rule}")
    total_new = sum(len(c.new) for c in comparisons)
    total_gone = sum(len(c.gone) for c in comparisons)
    out += ["", f"**{total_new} new, {total_gone} gone** over {len(comparisons)} corpora.", ""]
    out += _summary_table(comparisons)
    out += _rule_table(comparisons)
    problems = [c for c in comparisons if c.before.error or c.after.error]
    if problems:
        out += ["", "## Crashes and timeouts", ""]
        for c in problems:
            for side, run in (("before", c.before), ("after", c.after)):
                if run.error:
                    out.append(f"- {c.name} ({side}): {run.error}")
    file_cache: dict[str, list[str]] = {}
    for title, attribute, other in (
        ("New findings", "new", "gone"),
        ("Gone findings", "gone", "new"),
    ):
        out += ["", f"## {title}", ""]
        for c in comparisons:
            listed = getattr(c, attribute)
            if not listed:
                continue
            out += [f"### {c.name} ({len(listed)})", ""]
            for finding in listed:
                out += _finding_block(c, finding, getattr(c, other), file_cache)
    return "\n".join(out) + "\n"


def _summary_table(comparisons: list[Comparison]) -> list[str]:
    out = ["| corpus | before | after | new | gone | reworded | s before | s after | cpu after |"]
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in comparisons:
        b, a = c.before, c.after
        before_time = "cached" if b.cached else f"{b.seconds:.1f}"
        out.append(
            f"| {c.name} | {_count(b)} | {_count(a)} | {len(c.new)} | {len(c.gone)} | "
            f"{c.reworded} | {before_time} | {a.seconds:.1f} | {a.cpu_seconds:.1f} |"
        )
    return out


def _count(run: Run) -> str:
    if run.error:
        return "ERROR"
    if run.skipped:
        return "0 (rule unknown)"
    return str(len(run.findings))


def _rule_table(comparisons: list[Comparison]) -> list[str]:
    """Per corpus and rule: before → after, only where either side has a finding."""
    rules = sorted({f.code for c in comparisons for f in c.before.findings + c.after.findings})
    if not rules:
        return []
    out = ["", "## Findings per rule (before → after)", ""]
    out.append("| corpus | " + " | ".join(rules) + " |")
    out.append("|---|" + "---:|" * len(rules))
    totals_before, totals_after = Counter(), Counter()
    for c in comparisons:
        if c.before.error or c.after.error:
            continue  # listed under crashes; its counts would read as findings gone
        before = Counter(f.code for f in c.before.findings)
        after = Counter(f.code for f in c.after.findings)
        if not before and not after:
            continue
        totals_before.update(before)
        totals_after.update(after)
        cells = [_cell(before[r], after[r]) for r in rules]
        out.append(f"| {c.name} | " + " | ".join(cells) + " |")
    cells = [_cell(totals_before[r], totals_after[r]) for r in rules]
    out.append("| **all** | " + " | ".join(cells) + " |")
    return out


def _cell(before: int, after: int) -> str:
    if before == after:
        return str(before) if before else ""
    return f"{before} → **{after}**"


def _finding_block(c: Comparison, finding: Finding, others: list, file_cache: dict) -> list[str]:
    out = [f"- **{finding.code}** `{finding.path}:{finding.line}` {finding.message}"]
    for related in finding.related:
        out.append(f"  - related: `{related}`")
    twin = moved_from(finding, others)
    if twin is not None:
        out.append(f"  - perhaps the same finding as line {twin.line} on the other side")
    lines = source_lines(c.folder, finding, file_cache)
    if lines:
        out += ["", "  ```", *(f"  {line}" for line in lines), "  ```", ""]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=DEFAULT_BEFORE, help="baseline ctxlint executable")
    parser.add_argument("--after", default="ctxlint", help="ctxlint executable under test")
    parser.add_argument(
        "--after-rev", help="build the after side from this revision of --repo (frozen copy)"
    )
    parser.add_argument("--repo", default="/work/main", help="repository for --after-rev")
    parser.add_argument(
        "--builds-dir", default="/tmp/eval/builds", help="where --after-rev builds go"
    )
    parser.add_argument("--out", required=True, help="Markdown report to write")
    parser.add_argument("--corpus", action="append", help="corpus name or glob (repeatable)")
    parser.add_argument("--rule", help="only rule codes starting with this (CTX011, CTX00)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per folder and build")
    parser.add_argument("--apps-dir", default=DEFAULT_APPS)
    parser.add_argument("--fw-dir", default=DEFAULT_FW)
    parser.add_argument("--tree-dir", default=DEFAULT_TREE)
    parser.add_argument("--before-cache", default="/tmp/eval/before-cache")
    parser.add_argument("--no-before-cache", action="store_true", help="always run the baseline")
    parser.add_argument("--list", action="store_true", help="list the corpora and stop")
    args = parser.parse_args(argv)

    corpora = discover_corpora(args)
    if args.list or not corpora:
        print("\n".join(f"{name}\t{folder}" for name, folder in corpora) or "no corpus matched")
        return 0 if corpora else 2
    if args.after_rev:
        args.after = frozen_build(args.repo, args.after_rev, Path(args.builds_dir))
    before_build, after_build = Build(args.before), Build(args.after)
    cache = None if args.no_before_cache else Path(args.before_cache)
    comparisons = []
    args.states = [before_build.source_state(), after_build.source_state()]
    for name, folder in corpora:
        if not any(folder.rglob("*.py")):
            print(f"{name}: no Python files, skipped", file=sys.stderr)
            continue
        before = cached_run(before_build, folder, args, cache)
        after = run_build(after_build, folder, args.jobs, args.rule, args.timeout)
        before.findings = _selected(before.findings, args.rule)
        after.findings = _selected(after.findings, args.rule)
        if before.error or after.error:
            # One side has no result: a difference would only repeat the other side.
            new, gone, reworded = [], [], 0
        else:
            new, gone, reworded = compare(before.findings, after.findings)
        comparisons.append(Comparison(name, folder, before, after, new, gone, reworded))
        state = " ".join(
            f"{side} {run.error}"
            for side, run in (("before", before), ("after", after))
            if run.error
        )
        print(
            f"{name}: {len(before.findings)} -> {len(after.findings)} (+{len(new)} -{len(gone)}) "
            f"after {after.seconds:.1f}s {state}".rstrip(),
            file=sys.stderr,
        )
    args.states.append(after_build.source_state())
    if args.states[2] != args.states[1]:
        print(f"the after build changed during the run: {args.states[2]}", file=sys.stderr)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(render(comparisons, args, (before_build, after_build)))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _selected(findings: list[Finding], rule: str | None) -> list[Finding]:
    return [f for f in findings if not rule or f.code.startswith(rule)]


if __name__ == "__main__":
    sys.exit(main())
