"""Peak memory of one very long message in a trace, per megabyte of its text, against parsing
the trace's lines with orjson in the same run.

A session of three requests whose first user message is `--sizes` megabytes of text (tool
output: log lines, code and prose; or Japanese paragraphs, which have no spaces, so that each
is one pre-token to tiktoken), each later request repeating it with a new turn, as an agent's
history does; or, `edited`, changing its last character each time (a history edit, which the
rules and the simulator compare: three texts of that size to hold, not one). For each size,
in fresh interpreters, the growth of peak resident memory (VmHWM) past what importing ctxlint
and loading the encodings took:

- baseline: `orjson.loads` of every line, each value kept until the next is parsed, the least
  any reader of the file must hold;
- check: `ctxlint TRACE` (the rules on the trace, then the simulated summary);
- simulate: `ctxlint simulate -q TRACE`.

Reported: megabytes of memory per megabyte of message, and the ratio to the baseline. Per
request, memory should be bounded by a small multiple of the text it holds, so the figures
per megabyte should be flat across sizes (the last line gives largest/smallest). Keep sizes
modest on a shared machine: each child holds about ten times its message.

    python bench/trace_memory.py [--sizes 5 20 50] [--kinds logs japanese edited]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson

VOCABULARY = (
    "the file line error test value return import class def self request cache prefix token "
    "session model tool result message system prompt assistant user content output trace "
    "found failed passed running build install module function argument parameter config"
)
# Japanese prose has no spaces: to tiktoken's pre-tokenizer a paragraph is one word.
KANJI = "日本語の文章は空白がなく段落全体が一語として扱われるためトークナイザーの負担が大きい"


def long_text(kind: str, megabytes: float, seed: int) -> str:
    """About `megabytes` MB (UTF-8) of text: as tools return it (log lines, code and prose), or
    Japanese paragraphs with no space in them."""
    chooser = random.Random(seed)
    if kind == "japanese":
        characters = int(megabytes * 1_000_000 / 3)
        paragraphs = []
        while characters > 0:
            length = min(characters, chooser.randint(20_000, 2_000_000))
            paragraphs.append("".join(chooser.choices(KANJI, k=length)) + "。")
            characters -= length + 1
        return "\n\n".join(paragraphs)
    vocabulary = VOCABULARY.split()
    parts: list[str] = []
    size = 0
    number = 0
    while size < megabytes * 1_000_000:
        number += 1
        kind = number % 3
        words = chooser.choices(vocabulary, k=chooser.randint(4, 14))
        if kind == 0:
            line = f"2026-03-02T09:{number % 60:02d}:{number % 59:02d}Z INFO {' '.join(words)}"
        elif kind == 1:
            line = f"    {words[0]}_{number} = {words[1]}({words[2]}, {number % 997})"
        else:
            line = " ".join(words).capitalize() + "."
        parts.append(line)
        size += len(line) + 1
    return "\n".join(parts)


def write_trace(folder: Path, kind: str, megabytes: float) -> Path:
    text = long_text("japanese" if kind == "japanese" else "logs", megabytes, int(megabytes))
    messages = [{"role": "user", "content": text}]
    path = folder / f"{kind}-{megabytes:g}mb.jsonl"
    with path.open("wb") as stream:
        for turn in range(3):
            if kind == "edited" and turn:
                # An agent rewrote the message's last line: the history was edited.
                edited = text[: -len(str(turn))] + str(turn)
                messages = [{"role": "user", "content": edited}, *messages[1:]]
            line = {
                "ctxlint": 1,
                "session": "s",
                "model": "gpt-4.1",
                "system": "You are a coding agent.",
                "messages": messages,
                "usage": {"prompt_tokens": 1000 + turn, "cached_tokens": 0},
            }
            stream.write(orjson.dumps(line) + b"\n")
            messages = [
                *messages,
                {"role": "assistant", "content": f"Looked at it ({turn})."},
                {"role": "user", "content": f"Go on ({turn})."},
            ]
    return path


def child(mode: str, path: str) -> None:
    """Runs one measurement in this (fresh) interpreter and prints the growth in MiB."""
    import os

    from ctxlint.cli import main
    from ctxlint.simulate.tokens import load_encoding

    load_encoding("o200k_base")
    load_encoding("cl100k_base")
    before = _high_water()
    if mode == "baseline":
        value = None
        with open(path, "rb") as stream:
            for raw in stream:
                value = None
                value = orjson.loads(raw)
        del value
    else:
        arguments = [path] if mode == "check" else ["simulate", "-q", path]
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        with contextlib.suppress(SystemExit):
            main(arguments, standalone_mode=False)
    sys.stderr.write(f"grew {(_high_water() - before) / 1024:.1f}\n")


def _high_water() -> int:
    """This process's peak resident memory so far, in KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def measure(mode: str, path: Path) -> float:
    finished = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    for line in finished.stderr.splitlines():
        if line.startswith("grew "):
            return float(line.split()[1])
    raise RuntimeError(f"{mode} on {path} failed:\n{finished.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[5, 20, 50])
    parser.add_argument(
        "--kinds",
        nargs="+",
        choices=["logs", "japanese", "edited"],
        default=["logs", "japanese", "edited"],
    )
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(*options.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        for kind in options.kinds:
            print(f"\n{kind}")
            print(
                f"{'message':>8}  {'baseline':>9}  {'check':>9} {'/MB':>6} {'ratio':>6}"
                f"  {'simulate':>9} {'/MB':>6} {'ratio':>6}"
            )
            per_megabyte: dict[str, list[float]] = {"check": [], "simulate": []}
            for megabytes in options.sizes:
                path = write_trace(Path(folder), kind, megabytes)
                baseline = measure("baseline", path)
                row = f"{megabytes:>6g}MB  {baseline:>7.0f}MB"
                for mode in ("check", "simulate"):
                    grown = measure(mode, path)
                    per_megabyte[mode].append(grown / megabytes)
                    row += f"  {grown:>7.0f}MB {grown / megabytes:>6.1f} {grown / baseline:>6.2f}"
                print(row, flush=True)
                path.unlink()
            sizes = options.sizes
            for mode, figures in per_megabyte.items():
                # Each further MB of message, from the smallest size to the largest: what a
                # fixed cost (loading a module, one piece's buffers) does not blur.
                marginal = (figures[-1] * sizes[-1] - figures[0] * sizes[0]) / (
                    sizes[-1] - sizes[0] or 1
                )
                print(
                    f"{mode}: {min(figures):.1f} to {max(figures):.1f} MB per MB of message "
                    f"(largest/smallest {max(figures) / min(figures):.2f}; flat is about 1); "
                    f"{marginal:.1f} MB per further MB"
                )


if __name__ == "__main__":
    main()
