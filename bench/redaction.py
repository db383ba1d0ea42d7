"""What redacting and capping every quoted value and every message costs, as a ratio.

The trace fixtures and the shared traces are checked, and their findings rendered in every
output format, twice per run: as ctxlint does (every finding's message, every quote from a
trace redacted and capped), and with redaction replaced by the identity (the baseline, in the
same process, alternating with the real runs so that the machine's slow spells fall on both).
A message is a few hundred characters: target 1.05x or less.

A second figure times `evidence` on texts it must not read whole (a 200 MB message, 200 MB of
whitespace, one 200 MB word) against quoting a 5 kB text, already longer than what a quote
reads: what a quote costs must not grow with what it quotes (target 2x or less).

    python bench/redaction.py [--runs 10]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ctxlint import redact
from ctxlint.config import Settings
from ctxlint.engine import check_paths
from ctxlint.reporters import render

REPO = Path(__file__).resolve().parent.parent
SHARED_TRACES = REPO.parent / "shared" / "traces"


def _check_and_render(paths: list[str]) -> int:
    report = check_paths(paths, Settings(root=REPO))
    return sum(len(render(name, report)) for name in ("text", "json", "sarif", "github"))


def _best(runs: list[float]) -> float:
    return min(runs)


def checking(paths: list[str], runs: int) -> tuple[float, float]:
    timings: dict[bool, list[float]] = {True: [], False: []}
    original = redact.redact
    for run in range(runs):
        # Which goes first alternates, so that neither always runs on a warmer machine.
        for redacting in (True, False) if run % 2 else (False, True):
            redact.redact = original if redacting else (lambda text: text)
            try:
                start = time.perf_counter()
                _check_and_render(paths)
                timings[redacting].append(time.perf_counter() - start)
            finally:
                redact.redact = original
    return _best(timings[True]), _best(timings[False])


def quoting(runs: int) -> dict[str, float]:
    size = 200 * 2**20
    texts = {
        "5 kB text (baseline)": "word " * 1000,
        "200 MB of words": "word " * (size // 5),
        "200 MB of whitespace": " " * size + "x",
        "one 200 MB word": "x" * size,
    }
    best = {}
    for name, text in texts.items():
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            redact.evidence(text)
            timings.append(time.perf_counter() - start)
        best[name] = _best(timings)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    arguments = parser.parse_args()
    paths = [str(REPO / "fixtures" / "trace")]
    if SHARED_TRACES.is_dir():
        paths.append(str(SHARED_TRACES))
    _check_and_render(paths)  # warm-up: imports, schema compilation
    real, baseline = checking(paths, arguments.runs)
    print(f"check + 4 formats: {real:.3f} s, without redaction {baseline:.3f} s")
    print(f"ratio: {real / baseline:.3f}x (target 1.05x or less)")
    timings = quoting(min(arguments.runs, 3))
    base = timings["5 kB text (baseline)"]
    for name, seconds in timings.items():
        print(f"evidence of {name}: {seconds * 1e6:.0f} µs, {seconds / base:.1f}x")


if __name__ == "__main__":
    main()
