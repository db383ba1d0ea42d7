"""Cold and warm speed on a large tree, as the issue states its targets.

1. Cold: `ctxlint --no-cache` against `ruff check --isolated --no-cache --select E,F` on the
   same tree, and against the parse+index floor (bench/parse_floor.py: what any run must do
   with `ast`), runs alternated, median of `--runs`. The issue's target, ratio to ruff <= 2.0,
   lies under the floor's own ratio; the target proposed instead: ratio to the floor <= 1.5.
   (`--isolated`: the tree holds projects whose own ruff settings, some of them templates
   that do not parse, would make ruff check something else, or nothing.)
2. Warm: with the results cache filled, a run where nothing changed, and a run after one file
   changed (a line appended to `--changed`, in a copy of the tree so that the tree itself is
   left alone). Target: <= 1.0 s.
3. Peak memory of each command: the largest resident set of any of its processes (the
   parent or a worker), from getrusage of a wrapper that runs just that command.

Wall times on a shared machine vary with its load; the CPU times (user + system, workers
included) beside them vary far less.

    python bench/project_speed.py /tmp/tree [--runs 3] [--changed RELATIVE_PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# Runs one command and prints its wall time, CPU time and the largest resident set of its
# processes: a wrapper per command, so that one command's peak is not another's.
_MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss]))
"""


def measure(command: list[str], environment: dict[str, str] | None = None) -> list[float]:
    """[wall seconds, CPU seconds, peak KiB] of one run of `command`."""
    output = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    ).stdout
    return json.loads(output)


def medians(runs: list[list[float]]) -> tuple[float, float, float]:
    wall, cpu, peak = zip(*runs, strict=True)
    return statistics.median(wall), statistics.median(cpu), max(peak)


def lines_of_python(tree: Path) -> tuple[int, int]:
    files = lines = 0
    for folder, _, names in os.walk(tree):
        for name in names:
            if name.endswith(".py"):
                files += 1
                with open(os.path.join(folder, name), "rb") as stream:
                    lines += stream.read().count(b"\n")
    return files, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--changed",
        default="smolagents/src/smolagents/agents.py",
        help="the file (relative to the tree) changed before each warm run after a change",
    )
    parser.add_argument("--skip-cold", action="store_true")
    arguments = parser.parse_args()
    ctxlint, ruff = shutil.which("ctxlint"), shutil.which("ruff")
    if ctxlint is None or ruff is None:
        print("needs ctxlint and ruff on PATH", file=sys.stderr)
        return 2
    tree = arguments.tree.resolve()
    files, lines = lines_of_python(tree)
    print(f"tree: {tree}: {files} Python files, {lines} lines")
    report = ["--exit-zero", "-q", "--output-format", "json"]

    if not arguments.skip_cold:
        commands = {
            "ctxlint --no-cache": [ctxlint, str(tree), "--no-cache", *report],
            "ruff --select E,F": [
                *(ruff, "check", "--isolated", "--no-cache", "--select", "E,F"),
                *("--exit-zero", "-q", str(tree)),
            ],
            # What any run must do with `ast` (read, prefilter, parse, index): parse_floor.py.
            "parse+index floor": [
                *(sys.executable, str(Path(__file__).with_name("parse_floor.py"))),
                *(str(tree), "--inner", "--index"),
            ],
        }
        runs: dict[str, list[list[float]]] = {name: [] for name in commands}
        for _ in range(arguments.runs):
            for name, command in commands.items():
                runs[name].append(measure(command))
        cold = {name: medians(values) for name, values in runs.items()}
        for name, (wall, cpu, peak) in cold.items():
            print(f"  {name}: {wall:.2f} s wall, {cpu:.2f} s CPU, peak {peak / 1024:.0f} MiB")
        (ours, our_cpu, _), (theirs, their_cpu, _), (floor, floor_cpu, _) = cold.values()
        print(f"  cold ratio ctxlint/ruff: {ours / theirs:.2f} wall, {our_cpu / their_cpu:.2f} CPU")
        print(f"  cold ratio ctxlint/floor: {ours / floor:.2f} wall, {our_cpu / floor_cpu:.2f} CPU")
        print(f"  floor/ruff: {floor / theirs:.2f} wall, {floor_cpu / their_cpu:.2f} CPU")

    with tempfile.TemporaryDirectory(prefix="ctxlint-warm-") as scratch:
        copy = Path(scratch) / "tree"
        shutil.copytree(tree, copy, symlinks=True)
        environment = {**os.environ, "CTXLINT_CACHE_DIR": str(Path(scratch) / "cache")}
        command = [ctxlint, str(copy), *report]
        filled = measure(command, environment)
        print(
            f"  filling the cache: {filled[0]:.2f} s wall, {filled[1]:.2f} s CPU, "
            f"peak {filled[2] / 1024:.0f} MiB"
        )
        unchanged = medians([measure(command, environment) for _ in range(arguments.runs)])
        changed_runs = []
        for number in range(arguments.runs):
            with open(copy / arguments.changed, "a", encoding="utf-8") as stream:
                stream.write(f"\nchanged_{number} = {number}\n")
            changed_runs.append(measure(command, environment))
        changed = medians(changed_runs)
        for name, (wall, cpu, peak) in (
            ("warm, nothing changed", unchanged),
            (f"warm, {arguments.changed} changed", changed),
        ):
            print(f"  {name}: {wall:.2f} s wall, {cpu:.2f} s CPU, peak {peak / 1024:.0f} MiB")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} cores, load {load:.1f}, Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
