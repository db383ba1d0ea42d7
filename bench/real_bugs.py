"""Score ctxlint on real prompt-cache bugs from public repositories, before and after their fix.

Each case in bench/real_bugs/*.toml points at a public repository, the commit before a cache bug
was fixed (positive: ctxlint should report the case's rule at the given lines) and the fix commit
(negative: ctxlint should stay silent about that rule in the fixed files). Only pointers are kept
here; the code itself is exported from local git mirrors of those repositories, so this script
reads local folders only and never the network. It is not part of the test suite.

    python bench/real_bugs.py [--case ID] [--rule CTX001] [--json] [--ctxlint PATH]
                              [--mirrors DIR] [--cases FILE ...] [--show-others]

A mirror is found as DIR/<owner>+<name>/repo, DIR/<owner>+<name>, DIR/<owner>/<name> or
DIR/<owner>+<name>.git under each --mirrors folder (default /work/.mirror). A case whose mirror or
commit is missing is reported as "missing", never a crash.

A case with `withdrawn = "why"` (its fix was undone upstream as a mistake) is listed, not scored.

Statuses: a positive is "found" when a finding of the rule lies in one of its (path, lines)
ranges, give or take LINE_SLACK lines (a path may repeat to give one file several ranges);
a negative is "flagged" when any finding of the rule lies in one of those files. "no-rule" means
the ctxlint run does not know the rule yet and counts as a miss. Findings of the rule elsewhere
in the scope are kept as "others", for reading (--show-others).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

BENCH = Path(__file__).resolve().parent
CASE_FILES_FOLDER = BENCH / "real_bugs"
DEFAULT_MIRRORS = [Path("/work/.mirror")]
# A finding a few lines off the recorded range still points a reader at the bug: ranges are
# written by hand from a diff, and the rule may report the read of a value or its use.
LINE_SLACK = 3
CTXLINT_TIMEOUT_SECONDS = 600
# The error text of a ctxlint that does not know the case's rule yet: such a case is a miss.
NO_RULE = "this ctxlint has no such rule"


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    code: str
    message: str


@dataclass
class Side:
    """The outcome at one commit of a case: status plus the findings that decided it."""

    status: str  # positive: found/missed; negative: clean/flagged; both: missing/error/no-rule
    detail: str = ""
    matching: list[Finding] = field(default_factory=list)
    others: list[Finding] = field(default_factory=list)


def load_cases(case_files: list[Path]) -> list[dict]:
    cases = []
    for case_file in case_files:
        with case_file.open("rb") as handle:
            for case in tomllib.load(handle).get("case", []):
                case["source_file"] = case_file.name
                cases.append(case)
    return cases


def find_git_dir(repo: str, mirror_roots: list[Path]) -> Path | None:
    owner, _, name = repo.partition("/")
    for root in mirror_roots:
        for candidate in (
            root / f"{owner}+{name}" / "repo",
            root / f"{owner}+{name}",
            root / owner / name,
            root / f"{owner}+{name}.git",
        ):
            if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
                return candidate
            if (candidate / ".git" / "HEAD").is_file():
                return candidate / ".git"
    return None


def commit_exists(git_dir: Path, commit: str) -> bool:
    probe = subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "-e", f"{commit}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


# What ctxlint is scored on: Python, TypeScript/JavaScript (issue 18) and prompt templates.
_SCORED_SUFFIXES = (
    ".py",
    ".ts",
    ".tsx",
    ".mts",
    ".cts",
    ".js",
    ".jsx",
    ".mjs",
    ".cjs",
    ".j2",
    ".jinja",
    ".jinja2",
    ".prompty",
    ".md",
)


def export_scope(git_dir: Path, commit: str, scope: list[str], destination: Path) -> str | None:
    """Write the source files of `scope` as of `commit` into `destination`; the error, if any.

    Only source files are exported (Python, TypeScript and JavaScript, and prompt templates):
    data files in a scope (tokenizer JSON, fixtures) would only add trace findings. Snapshots
    may lack large blobs, which is why files are read one by one through `cat-file --batch`
    rather than `git archive` (which fails on the first missing object); a missing file is
    skipped.
    """
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-z", commit, "--", *scope],
        capture_output=True,
        check=False,
    )
    if listing.returncode != 0:
        return listing.stderr.decode(errors="replace").strip() or "git ls-tree failed"
    blobs: list[tuple[str, str]] = []
    for entry in listing.stdout.decode(errors="replace").split("\0"):
        meta, _, path = entry.partition("\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == "blob" and path.endswith(_SCORED_SUFFIXES):
            blobs.append((fields[2], path))
    if not blobs:
        return f"no Python file under {', '.join(scope)} at {commit[:12]}"
    contents = subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
        input="".join(f"{sha}\n" for sha, _ in blobs).encode(),
        capture_output=True,
        check=False,
    )
    if contents.returncode != 0:
        return contents.stderr.decode(errors="replace").strip() or "git cat-file failed"
    stream = contents.stdout
    offset = 0
    for _, path in blobs:
        header_end = stream.index(b"\n", offset)
        header = stream[offset:header_end].split()
        offset = header_end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue  # "<sha> missing": the snapshot lacks this blob
        size = int(header[2])
        target = destination / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(stream[offset : offset + size])
        offset += size + 1
    return None


def run_ctxlint(
    ctxlint: list[str], folder: Path, scope: list[str], rule: str
) -> tuple[list[Finding], str | None]:
    """Findings of `rule` in the exported scope, paths relative to the export; or an error."""
    try:
        completed = subprocess.run(
            [*ctxlint, "check", "--output-format", "json", "--select", rule, "--exit-zero", *scope],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=CTXLINT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [], f"ctxlint took over {CTXLINT_TIMEOUT_SECONDS} s"
    if completed.returncode not in (0, 1):
        first_line = (completed.stderr.strip().splitlines() or ["no message"])[-1]
        if "matches no rule" in completed.stderr:
            return [], NO_RULE
        return [], f"ctxlint exit {completed.returncode}: {first_line}"
    try:
        report = json.loads(completed.stdout or "[]")
    except json.JSONDecodeError:
        return [], "ctxlint printed no JSON"
    findings = []
    for item in report:
        path = os.path.normpath(str(item.get("filename", "")))
        line = int((item.get("location") or {}).get("row") or 0)
        findings.append(
            Finding(path, line, str(item.get("code", "")), str(item.get("message", "")))
        )
    return [finding for finding in findings if finding.code.startswith(rule)], None


def _in_ranges(finding: Finding, paths: list[str], lines: list[list[int]]) -> bool:
    for path, (first, last) in zip(paths, lines, strict=False):
        if (
            finding.path == os.path.normpath(path)
            and first - LINE_SLACK <= finding.line <= last + LINE_SLACK
        ):
            return True
    return False


def score_positive(findings: list[Finding], paths: list[str], lines: list[list[int]]) -> Side:
    matching = [finding for finding in findings if _in_ranges(finding, paths, lines)]
    others = [finding for finding in findings if finding not in matching]
    return Side("found" if matching else "missed", matching=matching, others=others)


def score_negative(findings: list[Finding], paths: list[str]) -> Side:
    """Clean means no finding of the rule anywhere in the fixed files, not just the old lines."""
    fixed_files = {os.path.normpath(path) for path in paths}
    matching = [finding for finding in findings if finding.path in fixed_files]
    others = [finding for finding in findings if finding not in matching]
    return Side("flagged" if matching else "clean", matching=matching, others=others)


def check_side(case: dict, polarity: str, git_dir: Path | None, ctxlint: list[str]) -> Side:
    commit = case[polarity]["commit"]
    if git_dir is None:
        return Side("missing", f"no mirror of {case['repo']}")
    if not commit_exists(git_dir, commit):
        return Side("missing", f"commit {commit[:12]} not in the mirror")
    positive = case["positive"]
    with tempfile.TemporaryDirectory(prefix="real_bugs_") as folder:
        failure = export_scope(git_dir, commit, case["scope"], Path(folder))
        if failure:
            return Side("missing", failure)
        findings, failure = run_ctxlint(ctxlint, Path(folder), case["scope"], case["rule"])
    if failure:
        return Side("no-rule" if failure == NO_RULE else "error", failure)
    if polarity == "positive":
        return score_positive(findings, positive["paths"], positive["lines"])
    return score_negative(findings, positive["paths"])


def default_ctxlint() -> list[str]:
    """The ctxlint beside this interpreter, so `.venv/bin/python bench/...` checks that tree."""
    beside_interpreter = Path(sys.executable).parent / "ctxlint"
    if beside_interpreter.exists():
        return [str(beside_interpreter)]
    on_path = shutil.which("ctxlint")
    return [on_path] if on_path else [sys.executable, "-m", "ctxlint"]


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "n/a"


def _where(finding: Finding) -> str:
    return f"{finding.path}:{finding.line}"


def print_table(results: list[dict], show_others: bool) -> None:
    width = max([len(result["id"]) for result in results] + [4])
    print(f"{'case':<{width}}  rule    positive  negative  others")
    for result in results:
        positive, negative = result["positive"], result["negative"]
        others = len(positive.others) + len(negative.others)
        columns = f"{result['rule']:<6}  {positive.status:<8}  {negative.status:<8}  {others}"
        print(f"{result['id']:<{width}}  {columns}")
    for result in results:
        for polarity in ("positive", "negative"):
            side = result[polarity]
            if side.detail:
                print(f"  {result['id']} {polarity}: {side.detail}")
            for finding in side.matching if polarity == "negative" else []:
                print(f"  {result['id']} negative flagged {_where(finding)}: {finding.message}")
            for finding in side.others if show_others else []:
                print(f"  {result['id']} {polarity} other {_where(finding)}: {finding.message}")
    scored_positives = [r for r in results if r["positive"].status != "missing"]
    found = sum(1 for r in scored_positives if r["positive"].status == "found")
    scored_negatives = [r for r in results if r["negative"].status != "missing"]
    flagged = sum(1 for r in scored_negatives if r["negative"].status == "flagged")
    sides = [r[polarity] for r in results for polarity in ("positive", "negative")]
    missing = sum(1 for side in sides if side.status == "missing")
    others = sum(len(side.others) for side in sides)
    print(
        f"\nrecall {found}/{len(scored_positives)} ({_percent(found, len(scored_positives))}); "
        f"false positives on fixes {flagged}/{len(scored_negatives)}; "
        f"other findings of the rules {others}; "
        f"missing sides {missing}"
    )


def as_json(results: list[dict]) -> list[dict]:
    def side_json(side: Side) -> dict:
        return {
            "status": side.status,
            "detail": side.detail,
            "matching": [vars(finding) for finding in side.matching],
            "others": [vars(finding) for finding in side.others],
        }

    return [
        {
            "id": r["id"],
            "rule": r["rule"],
            "positive": side_json(r["positive"]),
            "negative": side_json(r["negative"]),
        }
        for r in results
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", help="only this case id (repeatable)")
    parser.add_argument("--rule", help="only cases of this rule")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--mirrors", action="append", type=Path, help="folder holding git mirrors")
    parser.add_argument(
        "--cases", action="append", type=Path, help="case file (default bench/real_bugs/*.toml)"
    )
    parser.add_argument(
        "--ctxlint", help="ctxlint executable (default: the one beside this Python)"
    )
    parser.add_argument(
        "--show-others", action="store_true", help="list findings outside the cases' lines"
    )
    options = parser.parse_args(argv)

    case_files = options.cases or sorted(CASE_FILES_FOLDER.glob("*.toml"))
    cases = load_cases(case_files)
    if options.case:
        cases = [case for case in cases if case["id"] in options.case]
    if options.rule:
        cases = [case for case in cases if case["rule"] == options.rule]
    # A case whose fix upstream later undid as a mistake is kept, with why, but not scored.
    withdrawn = [case for case in cases if case.get("withdrawn")]
    cases = [case for case in cases if not case.get("withdrawn")]
    mirror_roots = options.mirrors or DEFAULT_MIRRORS
    ctxlint = [options.ctxlint] if options.ctxlint else default_ctxlint()

    results = []
    for case in cases:
        git_dir = find_git_dir(case["repo"], mirror_roots)
        results.append(
            {
                "id": case["id"],
                "rule": case["rule"],
                "positive": check_side(case, "positive", git_dir, ctxlint),
                "negative": check_side(case, "negative", git_dir, ctxlint),
            }
        )
        if not options.json:
            print(f"checked {case['id']}", file=sys.stderr)
    if options.json:
        print(json.dumps(as_json(results), indent=2))
    else:
        print_table(results, options.show_others)
        for case in withdrawn:
            print(f"withdrawn, not scored: {case['id']}: {case['withdrawn']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
