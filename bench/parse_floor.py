"""The floor under a cold run: what any ctxlint run must do on a tree with `ast`, against ruff.

Reads every Python file, applies the prefilter, and parses the files that pass it, in two forked
worker processes as the command line does; with `--index`, also builds the one-pass index the
rules share. No rule runs. Alternated with `ruff check --isolated --no-cache --select E,F` in
the same session (the machine's speed drifts), it tells how far below the whole run's ratio to
ruff any analysis could bring it: a cold target under the floor's ratio cannot be met without
parsing fewer files.

    python bench/parse_floor.py /tmp/tree [--runs 3] [--index]
"""

from __future__ import annotations

import argparse
import ast
import gc
import json
import statistics
import subprocess
import sys
from multiprocessing import get_context
from pathlib import Path

_BATCH = 64
_WORKERS = 2

# One measured run of this script's own floor, or of ruff, in a fresh process: wall and CPU
# seconds of what it started (its children), as bench/project_speed.py measures commands.
_MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([wall, usage.ru_utime + usage.ru_stime]))
"""


def _parse_batch(job: tuple[str, list[str], bool]) -> int:
    root, paths, index = job
    gc.disable()  # as the workers of a run (ctxlint.parallel)
    from ctxlint.config import load_settings
    from ctxlint.engine import PythonChecker, selected_rules
    from ctxlint.python.index import build_index

    settings = load_settings(None, Path(root))
    checker = PythonChecker(settings, selected_rules(settings))
    checker.roots = (root,)
    parsed = 0
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        if not checker.wanted(data, path):
            continue
        try:
            tree = ast.parse(data, filename=path)
        except (SyntaxError, ValueError):
            continue
        if index:
            build_index(tree)
        parsed += 1
    return parsed


def floor(root: str, index: bool) -> int:
    """Parse (and index) the files of `root` that pass the prefilter; the number parsed."""
    files = sorted(str(path) for path in Path(root).rglob("*.py"))
    jobs = [(root, files[start : start + _BATCH], index) for start in range(0, len(files), _BATCH)]
    with get_context("fork").Pool(_WORKERS) as pool:
        return sum(pool.map(_parse_batch, jobs))


def measure(command: list[str]) -> tuple[float, float]:
    output = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True
    ).stdout
    wall, cpu = json.loads(output)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--index", action="store_true", help="also build the index")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(floor(args.tree, args.index))
        return 0
    own = [sys.executable, __file__, args.tree, "--inner", *(["--index"] if args.index else [])]
    ruff = ["ruff", "check", "--isolated", "--no-cache", "--select", "E,F", "--exit-zero"]
    ruff.append(args.tree)
    floors, ruffs = [], []
    for _ in range(args.runs):
        floors.append(measure(own))
        ruffs.append(measure(ruff))
    parsed = subprocess.run(own, capture_output=True, text=True, check=True).stdout.strip()
    for name, runs in (("floor", floors), ("ruff", ruffs)):
        wall = statistics.median(run[0] for run in runs)
        cpu = statistics.median(run[1] for run in runs)
        print(f"  {name}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    ratio = statistics.median(f[0] for f in floors) / statistics.median(r[0] for r in ruffs)
    print(f"  files parsed: {parsed}; floor/ruff: {ratio:.2f} wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
