"""How long finding prompt-file renders takes, as a ratio to `ctxlint check` of the same tree.

`find_renders` (ctxlint.python.prompt_renders) runs over a run's Python files when a prompt
rule is selected. On a tree with no prompt file at all (Python only) it walks the folders and
stops; otherwise it reads every file's bytes and parses only those that mention a way of
loading a template and of filling one in, so its cost grows with the files that render
templates, not with the tree. Give both kinds of tree to see both costs.
Each timing runs in a fresh interpreter (no cache of one warms the other), the two alternate,
and each is the median of `--runs`; the check runs in one process (`jobs=1`), as find_renders
does, and without the results cache. The machine is shared and noisy: the ratio is what to
compare, and CPU times vary less than wall times.

    python bench/prompt_renders.py TREE [TREE ...] [--runs 3]

(measured on the Python-only copies /tmp/trees/All-Hands-AI+OpenHands and
/tmp/trees/SWE-agent+SWE-agent, and on OpenHands and Skyvern with their templates)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

_FIND = """
import json, os, sys, time
from ctxlint.python.imports import roots_for
from ctxlint.python.prompt_renders import find_renders
tree = sys.argv[1]
started, cpu = time.perf_counter(), time.process_time()
paths = []
for folder, folders, files in os.walk(tree):
    folders[:] = sorted(f for f in folders if not f.startswith("."))
    paths.extend(os.path.join(folder, name) for name in files if name.endswith(".py"))
found = find_renders(paths, roots_for([tree]))
renders = sum(len(r) for r in found.values())
print(json.dumps([time.perf_counter() - started, time.process_time() - cpu, len(found), renders]))
"""

_CHECK = """
import json, sys, time
from ctxlint.config import Settings
from ctxlint.engine import check_paths
started, cpu = time.perf_counter(), time.process_time()
report = check_paths([sys.argv[1]], Settings(), jobs=1)
wall, cpu = time.perf_counter() - started, time.process_time() - cpu
print(json.dumps([wall, cpu, report.files_checked, 0]))
"""


def _timed(script: str, tree: str) -> list[float]:
    output = subprocess.run(
        [sys.executable, "-c", script, tree], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+")
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    for tree in arguments.trees:
        finds, checks = [], []
        for _ in range(arguments.runs):
            finds.append(_timed(_FIND, tree))
            checks.append(_timed(_CHECK, tree))
        find_wall = statistics.median(run[0] for run in finds)
        find_cpu = statistics.median(run[1] for run in finds)
        check_wall = statistics.median(run[0] for run in checks)
        check_cpu = statistics.median(run[1] for run in checks)
        print(f"{tree}: {checks[0][2]} files checked; {finds[0][2]} prompt files linked")
        print(f"  find_renders  wall {find_wall:6.2f}s  cpu {find_cpu:6.2f}s")
        print(f"  ctxlint check wall {check_wall:6.2f}s  cpu {check_cpu:6.2f}s")
        print(
            f"  ratio         wall {find_wall / check_wall:6.3f}   cpu {find_cpu / check_cpu:6.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
