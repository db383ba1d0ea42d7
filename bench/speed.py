"""How fast ctxlint is, as ratios against baselines measured in the same run.

A large tree (default: this interpreter's standard library and site-packages): `ctxlint`
against `ruff check --select E,F --no-cache` on the same paths. Target: <= 1.5. Start-up on
one small file is bench/startup.py's.

Runs are interleaved and the median is kept, so that a busy moment hurts both sides alike.

    python bench/speed.py [--runs 3] [--baseline CTXLINT] [--no-cache] [PATH ...]

With --baseline, another ctxlint (an install of an earlier commit) is timed in the same run,
and the ratio of this one to it printed: a change that must not slow a walk is measured so.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time

# CPU seconds (user + system) used by a command's processes: on a shared machine they vary
# far less than wall time when something else competes for the cores.
CPU_TIMES: dict[str, list[float]] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str]) -> tuple[float, float]:
    cpu_before = _children_cpu()
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started, _children_cpu() - cpu_before


def _medians(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall time per command, runs interleaved; median CPU time into CPU_TIMES."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for run in range(runs):
        # Each command in turn first: the one run right after another pays for what it evicted.
        turn = run % len(names)
        for name in names[turn:] + names[:turn]:
            command = commands[name]
            wall, used = _timed(command)
            times[name].append(wall)
            cpu[name].append(used)
    CPU_TIMES.clear()
    CPU_TIMES.update({name: [statistics.median(values)] for name, values in cpu.items()})
    return {name: statistics.median(values) for name, values in times.items()}


def _count_python_files(paths: list[str]) -> int:
    from ctxlint.config import Settings
    from ctxlint.discovery import discover

    files, _ = discover(paths, Settings())
    return sum(1 for f in files if f.path.endswith((".py", ".pyi")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--also-select",
        metavar="CODES",
        help="also time ctxlint with only these rules (e.g. CTX001,CTX002,CTX003), to see what "
        "the other rules cost in the same run",
    )
    parser.add_argument(
        "--baseline",
        metavar="CTXLINT",
        help="also time this ctxlint command (another commit's install) on the same paths",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="run ctxlint without its results cache (by default the runs after the first are "
        "answered from it)",
    )
    arguments = parser.parse_args()
    paths = arguments.paths or [sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"]]
    ctxlint = shutil.which("ctxlint")
    ruff = shutil.which("ruff")
    if ctxlint is None or ruff is None:
        print("needs ctxlint and ruff on PATH: pip install -e '.[dev]'", file=sys.stderr)
        return 2

    files = _count_python_files(paths)
    commands = {
        "ctxlint": [ctxlint, *paths, "--exit-zero", "-q", "--output-format", "json"],
        "ruff": [ruff, "check", "--select", "E,F", "--no-cache", "--exit-zero", "-q", *paths],
    }
    if arguments.no_cache:
        commands["ctxlint"].append("--no-cache")
    if arguments.also_select:
        commands["subset"] = [*commands["ctxlint"], "--select", arguments.also_select]
    if arguments.baseline:
        commands["baseline"] = [arguments.baseline, *commands["ctxlint"][1:]]
    tree = _medians(commands, arguments.runs)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"tree: {', '.join(paths)}")
    print(f"  Python files: {files}")
    print(f"  ctxlint: {tree['ctxlint']:.2f} s ({files / tree['ctxlint']:.0f} files/s)")
    print(f"  ruff check --select E,F --no-cache: {tree['ruff']:.2f} s")
    print(f"  ratio ctxlint/ruff: {tree['ctxlint'] / tree['ruff']:.2f} (target <= 1.5)")
    cpu = {name: values[0] for name, values in CPU_TIMES.items()}
    print(
        f"  CPU time: ctxlint {cpu['ctxlint']:.2f} s, ruff {cpu['ruff']:.2f} s, "
        f"ratio {cpu['ctxlint'] / cpu['ruff']:.2f}"
    )
    if "subset" in tree:
        print(f"  ctxlint --select {arguments.also_select}: {tree['subset']:.2f} s")
        print(f"  ratio all rules/those rules: {tree['ctxlint'] / tree['subset']:.2f}")
        print(
            f"  CPU time with those rules: {cpu['subset']:.2f} s, "
            f"ratio to ruff {cpu['subset'] / cpu['ruff']:.2f}"
        )
    if "baseline" in tree:
        print(f"  baseline {arguments.baseline}: {tree['baseline']:.2f} s")
        print(f"  ratio ctxlint/baseline: {tree['ctxlint'] / tree['baseline']:.3f}")
        print(f"  CPU time ratio ctxlint/baseline: {cpu['ctxlint'] / cpu['baseline']:.3f}")
    print(f"  peak memory of any child process: {peak_kib / 1024:.0f} MiB")

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
