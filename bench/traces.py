"""How fast ctxlint reads and checks traces, and how much memory a very large trace takes, as
ratios against baselines measured in the same run.

1. Throughput on one trace (default: the largest file in ../shared/traces), in this process,
   runs interleaved and the median kept:
   - baseline: split the file into lines and parse each with orjson, the least any reader does;
   - read: ctxlint's reader (format detection, requests built, histories rebuilt);
   - check: reading plus every trace rule.
2. Peak memory on a synthetic trace in ctxlint's format (default 1 GB, sessions interleaved
   as a proxy log would write them): `ctxlint FILE` in a child process, against the same
   command on traces a hundredth and a tenth of the size generated the same way. The checker
   keeps at most 256 sessions open, so memory rises until that many have been seen and stays
   flat after: the tenth and the whole should peak alike.

    python bench/traces.py [--runs 5] [--trace PATH] [--size-mb 1024] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
SHARED_TRACES = REPO.parent / "shared" / "traces"


def _largest_shared_trace() -> Path:
    candidates = [p for p in SHARED_TRACES.rglob("*.json*") if p.is_file()]
    if not candidates:
        sys.exit(f"no traces under {SHARED_TRACES}; pass --trace")
    return max(candidates, key=lambda p: p.stat().st_size)


def _baseline(path: Path) -> int:
    count = 0
    with open(path, "rb") as stream:
        for raw in stream:
            if raw.strip():
                orjson.loads(raw)
                count += 1
    return count


def _read(path: Path) -> int:
    from ctxlint.trace.loader import TraceReader

    return sum(1 for _ in TraceReader(str(path)))


def _check(path: Path) -> int:
    from ctxlint.config import Settings
    from ctxlint.registry import select_rules
    from ctxlint.trace.checker import TraceChecker

    checker = TraceChecker(Settings(), select_rules(["CTX"], [], []))
    return len(checker.check_file(str(path)).diagnostics)


def throughput(path: Path, runs: int) -> None:
    size_mb = path.stat().st_size / 1e6
    steps = {"baseline (orjson per line)": _baseline, "read": _read, "check": _check}
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(runs):
        for name, step in steps.items():
            start = time.perf_counter()
            step(path)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["baseline (orjson per line)"])
    print(f"throughput on {path} ({size_mb:.2f} MB), median of {runs} runs")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"  {name:28s} {median * 1000:8.1f} ms  {size_mb / median:7.1f} MB/s"
            f"  ratio to baseline {median / base:5.2f}"
        )


def synthetic_trace(path: Path, size_mb: float, seed: int = 7) -> int:
    """Agent sessions in ctxlint's format, 16 open at a time, each request carrying the whole
    history so far (as real logs do): line sizes grow along each session."""
    rng = random.Random(seed)
    words = [f"w{n}" for n in range(2000)]

    def text(count: int) -> str:
        return " ".join(rng.choice(words) for _ in range(count))

    system = orjson.dumps("You are a coding agent. " + text(300))
    tools = orjson.dumps(
        [
            {"name": f"{group}_{verb}", "description": text(20), "parameters": {"type": "object"}}
            for group in ("shell", "files")
            for verb in ("run", "read", "list")
        ]
    )
    target = int(size_mb * 1e6)
    written = 0
    lines = 0
    session_number = 0
    open_sessions: list[tuple[str, list[bytes], int]] = []
    with open(path, "wb") as stream:
        while written < target:
            while len(open_sessions) < 16:
                session_number += 1
                first = orjson.dumps({"role": "user", "content": text(80)})
                open_sessions.append((f"s{session_number}", [first], rng.randint(30, 80)))
            position = rng.randrange(len(open_sessions))
            name, history, remaining = open_sessions[position]
            line = (
                b'{"ctxlint":1,"session":"' + name.encode() + b'","model":"gpt-4.1",'
                b'"system":'
                + system
                + b',"tools":'
                + tools
                + b',"messages":['
                + b",".join(history)
                + b"]}\n"
            )
            stream.write(line)
            written += len(line)
            lines += 1
            call = f"c{len(history)}"
            history.append(
                orjson.dumps(
                    {
                        "role": "assistant",
                        "content": [
                            {
                                "type": "tool_call",
                                "id": call,
                                "name": rng.choice(["shell_run", "files_read", "files_list"]),
                                "arguments": orjson.dumps({"arg": text(5)}).decode(),
                            }
                        ],
                    }
                )
            )
            history.append(
                orjson.dumps(
                    {
                        "role": "tool",
                        "content": [
                            {"type": "tool_result", "tool_call_id": call, "content": text(60)}
                        ],
                    }
                )
            )
            if remaining <= 1:
                open_sessions.pop(position)
            else:
                open_sessions[position] = (name, history, remaining - 1)
    return lines


def _peak_rss(command: list[str]) -> tuple[float, float]:
    """Peak resident memory (MiB) and wall time of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{' '.join(command)} failed with status {status}")
    return usage.ru_maxrss / 1024, elapsed


def memory(size_mb: float, keep: Path | None) -> None:
    folder = keep or Path(tempfile.mkdtemp(prefix="ctxlint-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    small, medium, large = (folder / f"{n}.jsonl" for n in ("small", "medium", "large"))
    for path, size in ((small, size_mb / 100), (medium, size_mb / 10), (large, size_mb)):
        if not path.exists() or path.stat().st_size < size * 1e6:
            start = time.perf_counter()
            lines = synthetic_trace(path, size)
            print(f"wrote {path}: {lines} requests, {time.perf_counter() - start:.0f} s")
    ctxlint = [sys.executable, "-m", "ctxlint", "--quiet"]
    results = {path: _peak_rss([*ctxlint, str(path)]) for path in (small, medium, large)}
    for path, (rss, elapsed) in results.items():
        size = path.stat().st_size / 1e6
        print(
            f"  {path.name:12s} {size:8.0f} MB  peak RSS {rss:6.0f} MiB  {elapsed:6.1f} s"
            f"  {size / elapsed:5.1f} MB/s"
        )
    for baseline in (small, medium):
        ratio = results[large][0] / results[baseline][0]
        print(f"peak RSS, {large.name} / {baseline.name}: {ratio:.2f}")
    if keep is None:
        for path in (small, medium, large):
            path.unlink()
        folder.rmdir()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--trace", type=Path, default=None)
    parser.add_argument("--size-mb", type=float, default=1024.0)
    parser.add_argument("--keep", type=Path, default=None, help="Keep the synthetic traces here.")
    parser.add_argument("--skip-memory", action="store_true")
    arguments = parser.parse_args()
    throughput(arguments.trace or _largest_shared_trace(), arguments.runs)
    if not arguments.skip_memory:
        memory(arguments.size_mb, arguments.keep)


if __name__ == "__main__":
    main()
