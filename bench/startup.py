"""Start-up on one small file: `ctxlint FILE` against `python -c "import libcst"`, in the same
run, as medians of interleaved runs (this machine's absolute times drift). Target: <= 1.0.

    python bench/startup.py [--runs 15] [--ctxlint PATH]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SMALL_FILE = REPO / "fixtures" / "examples" / "support_agent.py"


def _seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--ctxlint", default=shutil.which("ctxlint") or "ctxlint")
    arguments = parser.parse_args()
    commands = {
        "ctxlint": [arguments.ctxlint, str(SMALL_FILE), "--exit-zero", "-q"],
        "import libcst": [sys.executable, "-c", "import libcst"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():
        _seconds(command)  # warm the file-system cache and the results cache
    for _ in range(arguments.runs):
        # Interleaved, so that a slow stretch of the machine weighs on both alike.
        for name, command in commands.items():
            times[name].append(_seconds(command))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"start-up on {SMALL_FILE.relative_to(REPO)} ({arguments.runs} runs each):")
    print(f"  ctxlint: {medians['ctxlint'] * 1000:.0f} ms")
    print(f'  python -c "import libcst": {medians["import libcst"] * 1000:.0f} ms')
    print(f"  ratio: {medians['ctxlint'] / medians['import libcst']:.2f} (target <= 1.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
