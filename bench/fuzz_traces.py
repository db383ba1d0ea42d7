"""Fuzzing the trace readers: every trace ctxlint has (fixtures/trace and ../shared/traces) is
mutated one value at a time, the value swapped for one of another type, a huge number or
arrays nested nearly as deep as JSON parsers allow, and each mutant is read through the public
entry points (TraceReader, the checker, the simulator). Counted: mutants tried, exceptions
(with the distinct places they were raised), and undamaged requests lost: requests of the
original that the mutation did not touch, missing from the mutant or read differently.

A request is undamaged when the mutated value is not one it was read from:
- formats of one request per line (ctxlint, openai, anthropic, litellm, otel-genai,
  openinference and langfuse lines):
  its own line;
- Codex rollouts: every line up to the event that ends it (the history accumulates), but
  of the events, only the one that ends it and the one that ends the request before it
  (an event is no part of any history);
- Claude Code transcripts: every line up to its last response line and the last response
  line of every request before it in its session (histories follow links to earlier lines,
  and compaction is told from the request before); a line whose uuid is written twice
  damages all;
- JSON documents: the values at its own pointer (and their parents), and what the format
  shares with it: an Inspect sample's id, epoch and attachments, the messages of a
  mini-swe-agent trajectory or a Gemini CLI session before it, a Langfuse trace's session.
A mutation of a line read to tell the file's format (the first recognised line), or one that
changes what `detect` says of a document, damages every request.

    python bench/fuzz_traces.py [--seconds 300] [--seed 1] [--simulate-every 25]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures" / "trace"
SHARED_TRACES = REPO.parent / "shared" / "traces"

_SENTINEL = "ctxlint-fuzz-swapped-value"
_SWAPS = ["[]", "{}", "null", "true", "1e308", "[[[[[]]]]]", "0", "-1", '""', "1e21", "2e10"]
_STANDALONE = frozenset(
    {
        "ctxlint",
        "openai",
        "anthropic",
        "litellm",
        "otel-genai",
        "openinference",
        "langfuse",
        "openhands-eval",
    }
)
# Line files longer than this are also fuzzed as their first lines only (a prefix of a
# transcript is a transcript), so that a mutant of a long file is not read whole each time.
_PREFIX_LINES = (60, 400)


def _deep() -> str:
    levels = random.randint(900, 1000)
    return "[" * levels + "]" * levels


@dataclass
class Source:
    """One trace to mutate: its lines (a line file) or its value (a JSON document)."""

    name: str
    suffix: str
    lines: list[bytes] | None = None
    document: Any = None
    values: dict[int, Any] = field(default_factory=dict)
    # Filled in by `prepare`, from reading the unmutated trace.
    format: str | None = None
    detected: str | None = None
    detection_line: int = 0
    requests: dict[tuple[int, str], tuple] = field(default_factory=dict)
    claude_bounds: dict[tuple[int, str], int] = field(default_factory=dict)
    duplicated_uuid_lines: set[int] = field(default_factory=set)

    def text(self) -> bytes:
        if self.lines is not None:
            return b"".join(self.lines)
        return orjson.dumps(self.document)


@dataclass
class Mutation:
    line: int  # 0 in a document
    pointer: str
    text: bytes


@dataclass
class Report:
    mutants: int = 0
    requests_checked: int = 0
    simulated: int = 0
    exceptions: Counter = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    examples: dict[str, str] = field(default_factory=dict)


def sources(include_shared: bool = True, prefix_lines: tuple[int, ...] = _PREFIX_LINES):
    """Every fixture trace, and every JSON file under ../shared/traces when it is there."""
    paths = sorted(p for p in FIXTURES.glob("*/*") if p.suffix != ".expected" and p.is_file())
    # A fixture that is a folder (a Cline task, opencode's storage): each JSON file of it.
    paths += sorted(
        p
        for folder in FIXTURES.glob("*/*")
        if folder.is_dir()
        for p in folder.rglob("*")
        if p.is_file() and p.name.endswith((".json", ".jsonl"))
    )
    if include_shared and SHARED_TRACES.is_dir():
        paths += sorted(
            p
            for p in SHARED_TRACES.rglob("*")
            if p.is_file() and p.name.endswith((".json", ".jsonl", ".traj"))
        )
    found = []
    for path in paths:
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        name = path.name.removesuffix(".gz")
        label = str(path.relative_to(REPO.parent))
        if name.endswith((".json", ".traj")):
            try:
                found.append(Source(label, name, document=orjson.loads(data)))
            except orjson.JSONDecodeError:
                continue
            continue
        lines = data.splitlines(keepends=True)
        found.append(Source(label, name, lines=lines))
        for count in prefix_lines:
            if len(lines) > count:
                found.append(Source(f"{label}[:{count}]", name, lines=lines[:count]))
    for source in found:
        if source.lines is not None:
            for number, raw in enumerate(source.lines, 1):
                # A line that is no JSON (a fixture of broken lines) is left as it is.
                with contextlib.suppress(orjson.JSONDecodeError):
                    source.values[number] = orjson.loads(raw)
    return found


def _identity(request) -> tuple:
    """What a request says (where its repeated messages were first read aside)."""
    return (
        request.origin,
        request.session,
        request.format,
        tuple(m.key for m in request.messages),
        request.system,
        request.tools,
        request.params,
        request.model,
        request.provider,
        request.usage,
        request.timestamp,
        request.finished,
        None if request.response is None else request.response.key,
        request.history_complete,
        request.compacted,
    )


def _read(path: Path):
    from ctxlint.trace.loader import TraceReader
    from ctxlint.trace.model import Request

    reader = TraceReader(str(path))
    requests = {}
    for item in reader:
        if isinstance(item, Request):
            requests[(item.origin.line, item.origin.pointer)] = _identity(item)
    return reader.format, requests


def prepare(source: Source, folder: Path) -> None:
    """Read the unmutated trace once: its requests and what each depends on."""
    from ctxlint.trace.formats import line_format_of

    path = folder / source.suffix
    path.write_bytes(source.text())
    source.detected = _detected(path)
    source.format, source.requests = _read(path)
    if source.lines is None:
        return
    source.detection_line = next(
        (n for n, v in sorted(source.values.items()) if line_format_of(v) is not None), 0
    )
    if source.format == "claude-code":
        _claude_bounds(source)


def _claude_group(value: object) -> str | None:
    """The lines of one Claude Code request: one `requestId`, or without it (older versions,
    Bedrock) one `message.id`."""
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("requestId"), str):
        return "request:" + value["requestId"]
    found = value.get("message")
    if isinstance(found, dict) and isinstance(found.get("id"), str):
        return "message:" + found["id"]
    return None


def _claude_bounds(source: Source) -> None:
    last_line: dict[str, int] = {}
    uuid_lines: dict[str, list[int]] = {}
    for number, value in source.values.items():
        if not isinstance(value, dict):
            continue
        group = _claude_group(value)
        if group is not None:
            last_line[group] = number
        if isinstance(value.get("uuid"), str):
            uuid_lines.setdefault(value["uuid"], []).append(number)
    source.duplicated_uuid_lines = {
        n for lines in uuid_lines.values() if len(lines) > 1 for n in lines
    }
    latest: dict[str, int] = {}
    for key, identity in source.requests.items():
        first = source.values.get(key[0], {})
        own = last_line.get(_claude_group(first), key[0])
        session = identity[1]
        latest[session] = max(latest.get(session, 0), own)
        source.claude_bounds[key] = latest[session]


def mutate(source: Source, rng: random.Random) -> Mutation:
    if source.lines is not None:
        number = rng.choice(sorted(source.values))
        value, pointer = _swapped(source.values[number], rng)
        text = orjson.dumps(value).replace(orjson.dumps(_SENTINEL), _swap_text(rng).encode())
        lines = list(source.lines)
        ending = b"\n" if lines[number - 1].endswith(b"\n") else b""
        lines[number - 1] = text + ending
        return Mutation(number, pointer, b"".join(lines))
    value, pointer = _swapped(source.document, rng)
    text = orjson.dumps(value).replace(orjson.dumps(_SENTINEL), _swap_text(rng).encode())
    return Mutation(0, pointer, text)


def _swap_text(rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.1:
        return _deep()
    if draw < 0.2:
        # Text that holds JSON (tool arguments and results are recorded so) nested as deep.
        opening, closing = rng.choice([('{"a":', "}"), ("[", "]")])
        return orjson.dumps(opening + _deep() + closing).decode()
    return rng.choice(_SWAPS)


def _swapped(value: Any, rng: random.Random) -> tuple[Any, str]:
    """A copy of `value` with one value (picked by a random walk down) replaced by the
    sentinel, and the pointer of that value."""
    path: list[str | int] = []
    node = value
    while isinstance(node, (dict, list)) and node and rng.random() < 0.75:
        key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
        path.append(key)
        node = node[key]
    pointer = "".join("/" + str(k).replace("~", "~0").replace("/", "~1") for k in path)
    return _replaced(value, path), pointer


def _replaced(value: Any, path: list[str | int]) -> Any:
    if not path:
        return _SENTINEL
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (_replaced(v, rest) if k == head else v) for k, v in value.items()}
    return [(_replaced(v, rest) if i == head else v) for i, v in enumerate(value)]


def _touches(one: str, other: str) -> bool:
    """One pointer is the other or above or below it."""
    return one == other or other.startswith(one + "/") or one.startswith(other + "/")


def _document_depends(source: Source, key: tuple[int, str]) -> list[str]:
    pointer = key[1]
    sample = re.match(r"(/samples/\d+)/events/\d+", pointer)
    if source.format == "inspect-ai" and sample:
        base = sample.group(1)
        return [sample.group(0), f"{base}/id", f"{base}/epoch", f"{base}/attachments", "/eval"]
    trajectory = re.match(r"/messages/(\d+)$", pointer)
    if source.format in ("mini-swe-agent", "gemini-cli", "gemini-cli-document") and trajectory:
        last = int(trajectory.group(1))
        return [f"/messages/{n}" for n in range(last + 1)] + ["/instance_id", "/sessionId"]
    cline = re.match(r"/(\d+)$", pointer)
    if source.format == "cline" and cline:
        return [f"/{n}" for n in range(int(cline.group(1)) + 1)]
    step = re.match(r"/messages/(\d+)/(?:parts/\d+|info)$", pointer)
    if source.format == "opencode" and step:
        # Every message before it, and the id of each after it (messages are sorted by id).
        last = int(step.group(1))
        count = len(source.document.get("messages") or ())
        before = [f"/messages/{n}" for n in range(last + 1)]
        return [*before, *(f"/messages/{n}/info/id" for n in range(last + 1, count)), "/info"]
    if source.format in ("langfuse", "langfuse-document"):
        # The session of every generation is its trace's.
        return [pointer, "/trace/sessionId", "/trace/session_id", "/sessionId", "/session_id"]
    event = re.match(r"(/trajectory)?/(\d+)$", pointer)
    if source.format == "openhands" and event:
        # The events before it are its history; a call without a recorded response takes
        # its model from the first response of the file, wherever that is.
        base, last = event.group(1) or "", int(event.group(2))
        count = len(source.document) if isinstance(source.document, list) else last + 1
        model = [f"{base}/{n}/tool_call_metadata/model_response/model" for n in range(count)]
        return [f"{base}/{n}" for n in range(last + 1)] + model
    step = re.match(r"/(history|trajectory)/(\d+)$", pointer)
    if source.format == "swe-agent" and step:
        last = int(step.group(2))
        if step.group(1) == "trajectory":
            return [pointer, "/replay_config"]
        # Whether any step records its query decides which part is read.
        return [f"/history/{n}" for n in range(last + 1)] + ["/trajectory", "/replay_config"]
    return [pointer]


def damaged(source: Source, mutation: Mutation, key: tuple[int, str]) -> bool:
    if source.lines is None:
        return any(_touches(mutation.pointer, d) for d in _document_depends(source, key))
    if mutation.line <= source.detection_line:
        return True
    if source.format in _STANDALONE:
        return mutation.line == key[0]
    if source.format == "codex":
        original = source.values.get(mutation.line)
        if isinstance(original, dict) and original.get("type") == "event_msg":
            # An event is no part of any history: it ends one request at most, and where it
            # ends it decides where the next request's response starts.
            ends = sorted(line for line, _ in source.requests if line >= mutation.line)
            return key[0] in ends[: 2 if ends[:1] == [mutation.line] else 1]
        return mutation.line <= key[0]
    if source.format == "claude-code":
        if mutation.line in source.duplicated_uuid_lines:
            return True
        return mutation.line <= source.claude_bounds.get(key, key[0])
    return True


def _place(error: BaseException) -> str:
    """Where in ctxlint an exception was raised: the innermost frame of its own code."""
    stack = traceback.extract_tb(error.__traceback__)
    own = [f for f in stack if f.filename.startswith((str(REPO / "lint"), str(REPO / "rules")))]
    frame = (own or stack)[-1]
    return f"{type(error).__name__} at {Path(frame.filename).name}:{frame.lineno} ({frame.name})"


def try_mutant(
    source: Source, mutation: Mutation, folder: Path, report: Report, simulate: bool
) -> None:
    """Read, check (and if `simulate`, summarise and simulate) one mutant, counting what
    raises and the undamaged requests it lost."""
    from ctxlint.config import Settings
    from ctxlint.registry import all_rules
    from ctxlint.simulate.simulator import Options, Simulator
    from ctxlint.trace.checker import TraceChecker
    from ctxlint.trace.sessions import summarize

    path = folder / source.suffix
    path.write_bytes(mutation.text)
    report.mutants += 1
    where = f"{source.name} line {mutation.line} {mutation.pointer}"
    try:
        # A document told as another format (or none) is read as that: nothing to compare.
        same_format = source.lines is not None or _detected(path) == source.detected
        _, requests = _read(path)
        for key, identity in source.requests.items():
            if not same_format or damaged(source, mutation, key):
                continue
            report.requests_checked += 1
            if requests.get(key) != identity:
                report.lost.append(f"{where}: request {key} lost or changed")
        TraceChecker(Settings(root=folder), all_rules()).check_file(str(path))
        if simulate:
            report.simulated += 1
            summarize(str(path))
            for _ in Simulator(Options(), Settings(root=folder)).run([str(path)]):
                pass
    except Exception as error:  # Every exception is counted: finding them is the point.
        place = _place(error)
        report.exceptions[place] += 1
        report.examples.setdefault(place, where)


def _detected(path: Path) -> str | None:
    from ctxlint.trace.loader import detect

    found = detect(str(path))
    return found.name if found else None


def fuzz(
    chosen: list[Source],
    rng: random.Random,
    *,
    seconds: float | None = None,
    mutants_per_source: int | None = None,
    simulate_every: int = 25,
) -> Report:
    """Mutants of the sources for a time budget, or a number of each, in a fresh folder."""
    report = Report()
    with tempfile.TemporaryDirectory() as name:
        # A folder for each: a reader may read files beside its trace (Cline's task folder).
        folders = {id(source): Path(name) / str(n) for n, source in enumerate(chosen)}
        for source in chosen:
            folders[id(source)].mkdir()
            prepare(source, folders[id(source)])
        deadline = None if seconds is None else time.monotonic() + seconds
        order = [s for s in chosen for _ in range(mutants_per_source or 0)]
        while True:
            if deadline is not None:
                if time.monotonic() >= deadline:
                    break
                source = rng.choice(chosen)
            elif order:
                source = order.pop()
            else:
                break
            if not source.values and source.lines is not None:
                continue
            mutation = mutate(source, rng)
            simulate = report.mutants % simulate_every == 0
            try_mutant(source, mutation, folders[id(source)], report, simulate)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--simulate-every", type=int, default=25)
    options = parser.parse_args()
    sys.setrecursionlimit(1000)
    chosen = sources()
    started = time.monotonic()
    report = fuzz(
        chosen,
        random.Random(options.seed),
        seconds=options.seconds,
        simulate_every=options.simulate_every,
    )
    elapsed = time.monotonic() - started
    print(f"sources: {len(chosen)} (fixtures and ../shared/traces, whole and as prefixes)")
    print(f"mutants tried: {report.mutants} in {elapsed:.0f} s (seed {options.seed})")
    print(f"undamaged requests compared: {report.requests_checked}")
    print(f"mutants also summarised and simulated: {report.simulated}")
    print(f"exceptions: {sum(report.exceptions.values())} at {len(report.exceptions)} places")
    for place, count in report.exceptions.most_common():
        print(f"  {count:6d}  {place}  (e.g. {report.examples[place]})")
    print(f"undamaged requests lost or changed: {len(report.lost)}")
    for lost in report.lost[:20]:
        print(f"  {lost}")
    sys.exit(1 if report.exceptions or report.lost else 0)


if __name__ == "__main__":
    main()
