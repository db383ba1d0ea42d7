"""How fast `ctxlint simulate` is, as ratios against tiktoken in the same run.

1. Speed on a large trace: the time to simulate it (read, render, tokenize, replay through the
   provider's cache and the ideal one) against the time tiktoken needs to encode the trace's
   unique text once (every distinct system block, tool definition and message block, encoded
   with `encode_ordinary`, the least any token-level simulation must do). Target: 1.5x or less.
   Also against reading the trace plus that encoding, the least any simulator of the file must
   do, since reading alone can cost as much as the encoding; and prompt tokens simulated per
   second.
2. Growth: the same trace generator with 10x the sessions, so 10x the requests. Target: at
   most 10x the time. Once with as many sessions open at a time as before (they come in
   waves), which changes only the number of requests; once with all of them interleaved, which
   also makes the data each request is compared with ten times further back (past the CPU's
   caches on a large trace).
3. Peak memory: `ctxlint simulate -q` on the interleaved 10x trace in a child process, against
   a child that only loads the encoding and encodes the unique text.

Each timing runs in a fresh interpreter, after a warm-up; a run times every trace in turn, and
a trace's time is the best of `--runs` runs. The machine's speed drifts by up to half over
seconds, so the small traces repeat their work ten times in a timing, to last about as long
as a large trace's (a short timing's best would catch a fast spell a long one only averages).

The traces are synthetic sessions in ctxlint's format, written as a proxy log would (each line
the whole request, sessions interleaved), with a long shared system prompt, a tool list, and
tool results of varied text; `--trace` adds a real trace to (1).

    python bench/simulate.py [--runs 3] [--sessions 20] [--requests 40] [--trace PATH]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ctxlint.config import Settings
from ctxlint.simulate.run import cycle_collection_paused, simulate_files
from ctxlint.simulate.simulator import Options
from ctxlint.simulate.tokens import load_encoding
from ctxlint.trace.loader import TraceReader
from ctxlint.trace.reading import Problem

WORDS = [
    "file",
    "line",
    "error",
    "test",
    "value",
    "return",
    "import",
    "class",
    "def",
    "self",
    "path",
    "config",
    "request",
    "cache",
    "token",
    "prompt",
    "model",
    "tool",
    "result",
    "output",
    "input",
    "session",
    "agent",
    "message",
    "system",
    "user",
    "assistant",
    "json",
    "list",
    "dict",
    "string",
    "int",
    "float",
    "none",
    "true",
    "false",
    "open",
    "read",
    "write",
    "close",
    "parse",
    "format",
    "check",
    "run",
]


def synthetic_trace(
    path: Path, sessions: int, requests: int, seed: int = 11, concurrent: int | None = None
) -> None:
    """`sessions` sessions of `requests` requests each, `concurrent` of them at a time (all of
    them by default), their lines interleaved as a proxy sees them."""
    generator = random.Random(seed)

    def text(count: int) -> str:
        return " ".join(
            generator.choice(WORDS)
            + (str(generator.randrange(1000)) if generator.random() < 0.2 else "")
            for _ in range(count)
        )

    system = "You are a coding agent. " + text(2500)
    tools = [
        {"name": f"shell_{name}", "description": text(60), "parameters": {"type": "object"}}
        for name in ("run", "read", "write", "search", "list")
    ]
    histories = {
        number: [{"role": "user", "content": "Task: " + text(80)}] for number in range(sessions)
    }
    concurrent = concurrent or sessions
    with path.open("wb") as stream:
        for wave in range(0, sessions, concurrent):
            numbers = range(wave, min(sessions, wave + concurrent))
            for step in range(requests):
                for number in numbers:
                    history = histories[number]
                    line = {
                        "ctxlint": 1,
                        "session": f"session-{number}",
                        "timestamp": f"2026-03-02T09:{step // 60:02}:{step % 60:02}Z",
                        "model": "gpt-4o",
                        "system": system,
                        "tools": tools,
                        "messages": history,
                    }
                    stream.write(orjson.dumps(line) + b"\n")
                    call = f"call_{number}_{step}"
                    arguments = orjson.dumps({"command": text(6)}).decode()
                    history.append(
                        {
                            "role": "assistant",
                            "content": [
                                {
                                    "type": "tool_call",
                                    "id": call,
                                    "name": "shell_run",
                                    "arguments": arguments,
                                }
                            ],
                        }
                    )
                    result = text(generator.randrange(50, 600))
                    history.append(
                        {
                            "role": "tool",
                            "content": [
                                {"type": "tool_result", "tool_call_id": call, "content": result}
                            ],
                        }
                    )
            for number in numbers:
                del histories[number]


def unique_texts(path: Path) -> list[str]:
    found: set[str] = set()
    for request in TraceReader(str(path), None):
        if isinstance(request, Problem):
            continue
        for block in request.system or ():
            found.add(block.text)
        for tool in request.tools or ():
            found.add(tool.definition)
        for message in request.messages:
            for block in message.blocks:
                found.add(block.text)
                found.add(block.arguments)
    return sorted(found)


def encode_once(texts: list[str]) -> int:
    encoding = load_encoding("o200k_base")
    return sum(len(encoding.encode_ordinary(text)) for text in texts)


def simulate(path: Path) -> int:
    return simulate_files([str(path)], Options(), Settings()).overall.prompt_tokens


def repeated(count: int, function, *arguments):
    for _ in range(count):
        value = function(*arguments)
    return value


def timed(function, *arguments) -> tuple[float, object]:
    start = time.perf_counter()
    value = function(*arguments)
    return time.perf_counter() - start, value


def read(path: Path) -> int:
    # As `ctxlint simulate` reads.
    with cycle_collection_paused():
        return sum(1 for _ in TraceReader(str(path), None))


@dataclass
class Timing:
    label: str
    path: Path
    texts: Path
    count: int
    # Times each timing repeats its work, so that a small trace's timings last about as long
    # as a large one's: the machine's speed drifts, and a short timing's best catches a fast
    # spell that a long one only averages into.
    repeat: int
    encode: list[float] = field(default_factory=list)
    reading: list[float] = field(default_factory=list)
    simulate: list[float] = field(default_factory=list)
    unique_tokens: int = 0
    prompt_tokens: int = 0

    def run(self) -> None:
        """One timing of each, in a fresh interpreter: what one run leaves in memory (the
        unique texts, a trace's state) would otherwise slow the next."""
        finished = subprocess.run(
            [
                sys.executable,
                __file__,
                "--time-one",
                str(self.path),
                str(self.texts),
                str(self.repeat),
            ],
            capture_output=True,
            check=True,
        )
        found = orjson.loads(finished.stdout)
        self.encode.append(found["encode"])
        self.reading.append(found["read"])
        self.simulate.append(found["simulate"])
        self.unique_tokens, self.prompt_tokens = found["unique_tokens"], found["prompt_tokens"]

    def report(self) -> None:
        # The best of the runs: what the code costs, with the least of the machine's noise.
        encode, reading, simulated = min(self.encode), min(self.reading), min(self.simulate)
        print(
            f"{self.label}: {self.path.stat().st_size / 1e6:.1f} MB,"
            f" {self.count:,} unique texts ({self.unique_tokens:,} tokens)"
        )
        print(f"  tiktoken, unique text once: {encode:.3f} s")
        print(
            f"  reading the trace:          {reading:.3f} s  ({reading / encode:.2f}x the encoding)"
        )
        print(
            f"  ctxlint simulate:           {simulated:.3f} s  ratio {simulated / encode:.2f}x"
            f" (against reading + encoding {simulated / (encode + reading):.2f}x)"
            f"  {self.prompt_tokens / simulated / 1e6:,.1f} M prompt tokens/s"
            f" ({self.prompt_tokens:,} simulated)"
        )


def time_one(path: Path, texts_path: Path, repeat: int) -> None:
    """The child's side of Timing.run: prints the three times (each the mean of `repeat` in
    a row) as JSON."""
    texts = orjson.loads(texts_path.read_bytes())
    # Outside the timings: loading the encoding and importing the readers and the simulator.
    encode_once(texts[:1])
    simulate(
        Path(__file__).resolve().parent.parent / "fixtures" / "examples" / "support_session.jsonl"
    )
    encoded, unique_tokens = timed(repeated, repeat, encode_once, texts)
    del texts
    reading = timed(repeated, repeat, read, path)[0]
    simulated, prompt_tokens = timed(repeated, repeat, simulate, path)
    encoded, reading, simulated = encoded / repeat, reading / repeat, simulated / repeat
    found = {
        "encode": encoded,
        "read": reading,
        "simulate": simulated,
        "unique_tokens": unique_tokens,
        "prompt_tokens": prompt_tokens,
    }
    sys.stdout.buffer.write(orjson.dumps(found))


def measure(traces: list[tuple[Path, str, int]], runs: int, folder: Path) -> list[Timing]:
    """Each run times every trace in turn, so that the machine's slow spells fall on all of
    them alike and the ratios between them hold."""
    timings = []
    for number, (path, label, repeat) in enumerate(traces):
        texts = unique_texts(path)
        texts_path = folder / f"texts-{number}.json"
        texts_path.write_bytes(orjson.dumps(texts))
        timings.append(Timing(label, path, texts_path, len(texts), repeat))
    for _ in range(runs):
        for timing in timings:
            timing.run()
    return timings


def _peak_rss(code: str, *arguments: str) -> float:
    """Peak resident memory of `code` run in a fresh interpreter, in MiB. Read from the
    child's own VmHWM at exit: a fork's rusage would count this process's memory too."""
    report = (
        "import atexit, sys\n"
        "def _report():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            sys.stderr.write('peak ' + line.split()[1] + '\\n')\n"
        "atexit.register(_report)\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", report + code, *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    peaks = [line for line in finished.stderr.splitlines() if line.startswith("peak ")]
    return int(peaks[-1].split()[1]) / 1024


def memory(path: Path, folder: Path) -> None:
    texts = folder / "texts.json"
    texts.write_bytes(orjson.dumps(unique_texts(path)))
    baseline = _peak_rss(
        "import orjson; from ctxlint.simulate.tokens import load_encoding\n"
        "e = load_encoding('o200k_base')\n"
        "[e.encode_ordinary(t) for t in orjson.loads(open(sys.argv[1], 'rb').read())]",
        str(texts),
    )
    simulated = _peak_rss(
        "from ctxlint.cli import main\nsys.argv = ['ctxlint', 'simulate', '-q', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass",
        str(path),
    )
    print(
        f"peak memory on {path.name} ({path.stat().st_size / 1e6:.0f} MB): ctxlint simulate"
        f" {simulated:.0f} MiB, tiktoken encoding the unique text {baseline:.0f} MiB"
        f" (ratio {simulated / baseline:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--trace", type=Path, help="also time this trace")
    parser.add_argument("--time-one", nargs=3, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.time_one:
        path, texts, repeat = arguments.time_one
        time_one(Path(path), Path(texts), int(repeat))
        return
    sessions, requests, runs = arguments.sessions, arguments.requests, arguments.runs
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        small = folder / "small.jsonl"
        waves = folder / "waves.jsonl"
        interleaved = folder / "interleaved.jsonl"
        synthetic_trace(small, sessions, requests)
        synthetic_trace(waves, sessions * 10, requests, concurrent=sessions)
        synthetic_trace(interleaved, sessions * 10, requests)
        traces = [(arguments.trace, str(arguments.trace), 10)] if arguments.trace else []
        traces += [
            (small, f"synthetic, {sessions} sessions at once", 10),
            (waves, f"synthetic, {sessions * 10} sessions, {sessions} at once", 1),
            (interleaved, f"synthetic, {sessions * 10} sessions at once", 1),
        ]
        timings = measure(traces, runs, folder)
        once = timings[-3]
        for timing in timings:
            timing.report()
            if timing.path in (waves, interleaved):
                print(
                    f"  10x the requests: {min(timing.simulate) / min(once.simulate):.2f}x the"
                    f" time (tiktoken's encoding of the unique text:"
                    f" {min(timing.encode) / min(once.encode):.2f}x)"
                )
        memory(interleaved, folder)


if __name__ == "__main__":
    main()
