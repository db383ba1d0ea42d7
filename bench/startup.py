"""Start-up on one small file: `ctxlint FILE` against `python -c "import libcst"`, in the same
run, as medians of interleaved runs (this machine's absolute times drift). Target: <= 1.0.

Both sides run from bytecode, as any installed copy does: pip wrote libcst's when it installed
it, and ctxlint's is written by the warm-up run into a private folder (PYTHONPYCACHEPREFIX),
since this machine sets PYTHONDONTWRITEBYTECODE and an editable install would otherwise compile
every ctxlint module on every run (a third of its start). --as-is runs ctxlint in the
environment as it is.

    python bench/startup.py [--runs 15] [--ctxlint PATH] [--baseline PATH] [--as-is]

With --baseline, another ctxlint (an install of an earlier commit) is timed in the same runs,
and the ratio of the two printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SMALL_FILE = REPO / "fixtures" / "examples" / "support_agent.py"


def _seconds(command: list[str], environment: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        env=environment,
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--ctxlint", default=shutil.which("ctxlint") or "ctxlint")
    parser.add_argument(
        "--as-is", action="store_true", help="run ctxlint without writing its bytecode first"
    )
    parser.add_argument("--baseline", help="another ctxlint to time in the same runs")
    arguments = parser.parse_args()
    commands = {
        "ctxlint": [arguments.ctxlint, str(SMALL_FILE), "--exit-zero", "-q"],
        "import libcst": [sys.executable, "-c", "import libcst"],
    }
    if arguments.baseline:
        commands["baseline"] = [arguments.baseline, *commands["ctxlint"][1:]]
    with tempfile.TemporaryDirectory(prefix="ctxlint-bytecode-") as bytecode:
        environments: dict[str, dict[str, str] | None] = {name: None for name in commands}
        warm_up = dict(environments)
        if not arguments.as_is:
            reading = {**os.environ, "PYTHONPYCACHEPREFIX": bytecode}
            writing = {k: v for k, v in reading.items() if k != "PYTHONDONTWRITEBYTECODE"}
            for name in ("ctxlint", "baseline"):
                if name in commands:
                    environments[name], warm_up[name] = reading, writing
        times: dict[str, list[float]] = {name: [] for name in commands}
        for name, command in commands.items():
            # Warm the file-system cache, the results cache and ctxlint's bytecode.
            _seconds(command, warm_up[name])
        names = list(commands)
        for run in range(arguments.runs):
            # Interleaved, so that a slow stretch of the machine weighs on both alike, and in
            # turn first: the command run right after another pays for what that one evicted.
            turn = run % len(names)
            for name in names[turn:] + names[:turn]:
                times[name].append(_seconds(commands[name], environments[name]))
    medians = {name: statistics.median(values) for name, values in times.items()}
    how = "as-is" if arguments.as_is else "from bytecode"
    print(f"start-up on {SMALL_FILE.relative_to(REPO)} ({arguments.runs} runs each, {how}):")
    print(f"  ctxlint: {medians['ctxlint'] * 1000:.0f} ms")
    print(f'  python -c "import libcst": {medians["import libcst"] * 1000:.0f} ms')
    print(f"  ratio: {medians['ctxlint'] / medians['import libcst']:.2f} (target <= 1.0)")
    if "baseline" in medians:
        print(f"  baseline {arguments.baseline}: {medians['baseline'] * 1000:.0f} ms")
        print(f"  ratio ctxlint/baseline: {medians['ctxlint'] / medians['baseline']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
