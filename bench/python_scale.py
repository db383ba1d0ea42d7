"""How Python analysis time grows with the number of LLM calls in one file, as a ratio.

A generated module with N calls is checked with every rule; the time per call at N = 1000 and
N = 3000 is compared with the time per call at N = 100, measured in the same run. Per-file
work must be linear in the calls: target 1.5x or less.

The modules come in four shapes (`--shapes`), each timed and reported on its own:
"units" (below); "class", one class whose many methods each append to and trim `self.messages`
and call the model with it; "script", a module-level script that rebinds `messages` before
each call; "loop", one loop making all the calls, each appending to the history and tools
they all send; "helper", a class whose calls take the history from a method of its own
(`messages=self._history()`).

The modules are made of units that each hold one or two LLM calls, in the shapes the rules
know, so that every rule's analysis runs: Anthropic `messages.create` with a system prompt,
tools and a history grown in a loop, OpenAI `chat.completions.create` and `responses.create`,
litellm, JSON dumped into prompts, datetimes and UUIDs in system prompts, sets iterated into
prompts, tool lists changed in place, histories trimmed and filtered, few-shot templates,
cache breakpoints, chat-session classes. The names of locals repeat from unit to unit
(`history`, `messages`, `tools`), as they do in real code.

Each timing runs in a fresh interpreter after a warm-up, and checks the file as
`ctxlint FILE` does (reading and parsing included: they are part of what a user waits for);
a run times every size in turn, and a size's time is the best of `--runs` runs, so that the
machine's slow spells fall on all sizes alike.

With `--diff`, each size is instead run as `ctxlint --diff --unsafe-fixes FILE` (every fixable
call fixed, the passes re-checked, the unified diff of the file built): the time per call is
compared in the same way, and the seconds spent building the diff alone are shown beside it.

    python bench/python_scale.py [--runs 5] [--sizes 100,1000,3000] [--shapes units,loop]
                                 [--profile N] [--diff]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_HEADER = '''"""Generated: {calls} LLM calls in one module."""

import json
import random
import time
import uuid
from datetime import datetime

import anthropic
import litellm
import openai

client = anthropic.Anthropic()
oai = openai.OpenAI()
LONG_RULES = """{long_rules}"""
BASE_TOOLS = [
    {{"name": "fs_read", "description": "Read a file", "input_schema": {{"type": "object"}}}},
    {{"name": "fs_write", "description": "Write a file", "input_schema": {{"type": "object"}}}},
]
DEPLOY_TOOL = {{"name": "deploy", "description": "Deploy", "input_schema": {{"type": "object"}}}}
TEAMS = {{"billing", "shipping", "returns"}}
MAX_TURNS = 40
'''

# Each unit holds the calls given beside it; `{i}` makes its functions' names unique.
_UNITS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
def build_system_prompt_{i}(customer):
    teams = ", ".join(TEAMS)
    return (
        f"You are agent {i} for {{customer['name']}}.\\n"
        f"Preferences: {{json.dumps(customer['preferences'])}}\\n"
        f"Started {{datetime.now().strftime('%Y-%m-%d %H:%M:%S')}}. Teams: {{teams}}."
    )


def run_{i}(customer, task, execute):
    history = [{{"role": "user", "content": task}}]
    tools = list(BASE_TOOLS)
    while True:
        reply = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            system=build_system_prompt_{i}(customer),
            tools=tools,
            messages=history,
        )
        history.append({{"role": "assistant", "content": reply.content}})
        if reply.stop_reason != "tool_use":
            return reply
        result = execute(reply)
        if result.is_error:
            history.pop()
            continue
        if result.phase == "ship":
            tools.append(DEPLOY_TOOL)
        history.append({{"role": "user", "content": result.content}})
""",
    ),
    (
        1,
        """
def ask_openai_{i}(question, context):
    messages = [
        {{"role": "system", "content": f"Context: {{json.dumps(context)}} id={{uuid.uuid4()}}"}},
        {{"role": "user", "content": question}},
    ]
    reply = oai.chat.completions.create(model="gpt-5", messages=messages)
    messages.append({{"role": "assistant", "content": reply.choices[0].message.content}})
    return reply
""",
    ),
    (
        1,
        """
class ChatSession{i}:
    def __init__(self, system_prompt):
        self.messages = [{{"role": "system", "content": system_prompt}}]

    def ask(self, text):
        self.messages.append({{"role": "user", "content": text}})
        if len(self.messages) > MAX_TURNS:
            del self.messages[1:3]
        reply = oai.chat.completions.create(model="gpt-5", messages=self.messages)
        self.messages.append({{"role": "assistant", "content": reply.choices[0].message.content}})
        return reply

    def redact(self, secret):
        for message in self.messages:
            message["content"] = message["content"].replace(secret, "***")

    def forget_old(self):
        for message in self.messages[1:-4]:
            message["content"] = "[removed]"
""",
    ),
    (
        1,
        """
def cached_{i}(history, note):
    return client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=[
            {{"type": "text", "text": LONG_RULES, "cache_control": {{"type": "ephemeral"}}}},
            {{"type": "text", "text": f"Now: {{time.time()}}"}},
        ],
        messages=[*history, {{"role": "user", "content": note}}],
    )


def uncached_{i}(history):
    return client.messages.create(
        model="claude-sonnet-4-5", max_tokens=1024, system=LONG_RULES, messages=history
    )


def remember_{i}(question, history, memory):
    notes = memory.search(query=question)
    history.append({{"role": "user", "content": question}})
    return client.messages.create(
        model="claude-sonnet-4-5", max_tokens=1024, system=f"Known: {{notes}}", messages=history
    )
""",
    ),
    (
        1,
        """
def agent_loop_{i}(task, execute):
    history = [{{"role": "user", "content": task}}]
    step = 0
    while step < 50:
        step += 1
        window = [m for m in history if m.get("step", step) > step - 10]
        reply = oai.chat.completions.create(model="gpt-5", messages=window)
        history.append({{"role": "assistant", "content": reply.choices[0].message.content}})
        history.append({{"role": "user", "content": execute(reply), "step": step}})
        history = history[-30:]
""",
    ),
    (
        1,
        """
def classify_{i}(review, examples):
    shots = "\\n\\n".join(f"Review: {{text}}\\nLabel: {{label}}" for text, label in examples)
    messages = [{{"role": "system", "content": f"Classify.\\n\\n{{shots}} {{random.random()}}"}}]
    for text, label in examples:
        messages.append({{"role": "user", "content": f"Review: {{text}}"}})
        messages.append({{"role": "assistant", "content": label}})
    messages.append({{"role": "user", "content": f"Review: {{review}}"}})
    return litellm.completion(model="gpt-5", messages=messages)
""",
    ),
    (
        1,
        """
def respond_{i}(user_input, profile):
    instructions = "Answer for " + ", ".join(set(profile["topics"]))
    return oai.responses.create(
        model="gpt-5",
        instructions=instructions + datetime.now().isoformat(),
        input=[{{"role": "user", "content": user_input}}],
        tools=[t for t in BASE_TOOLS if t["name"] != profile["hidden"]],
    )
""",
    ),
)


# The other shapes: a header, then one unit per call (`{i}` numbers it).
_CLASS_SHAPE = (
    """import anthropic
from datetime import datetime
client = anthropic.Anthropic()
class Agent:
    def __init__(self):
        self.messages = []
        self.tools = []
""",
    """
    def step_{i}(self, text):
        self.messages.append({{"role": "user", "content": text}})
        if len(self.messages) > 40:
            del self.messages[1:3]
        reply = client.messages.create(
            model="m",
            max_tokens=9,
            system=f"Agent {i} {{datetime.now()}}",
            tools=self.tools,
            messages=self.messages,
        )
        self.messages.append({{"role": "assistant", "content": reply.content}})
        return reply
""",
)
_SCRIPT_SHAPE = (
    """import openai
from datetime import datetime
client = openai.OpenAI()
""",
    """
messages = [
    {{"role": "system", "content": f"Case {i} at {{datetime.now()}}"}},
    {{"role": "user", "content": "q{i}"}},
]
reply = client.chat.completions.create(model="gpt-5", messages=messages)
messages.append({{"role": "assistant", "content": reply.choices[0].message.content}})
print(reply)
""",
)
_LOOP_SHAPE = (
    """import anthropic
import json
client = anthropic.Anthropic()
def run(task, ctx, execute):
    history = [{'role': 'user', 'content': task}]
    tools = []
    step = 0
    while True:
        step += 1
""",
    """        if step == {i}:
            reply = client.messages.create(
                model="m",
                max_tokens=9,
                system=f"Step {i} {{json.dumps(ctx)}}",
                tools=tools,
                messages=history,
            )
            history.append({{"role": "assistant", "content": reply.content}})
            tools.append(execute(reply))
""",
)
_HELPER_SHAPE = (
    """import anthropic
client = anthropic.Anthropic()
class Agent:
    def __init__(self):
        self.messages = []
    def _history(self):
        return self.messages[-40:]
""",
    """
    def step_{i}(self, text):
        self.messages.append({{"role": "user", "content": text}})
        reply = client.messages.create(
            model="m", max_tokens=9, system="S", messages=self._history()
        )
        self.messages.append({{"role": "assistant", "content": reply.content}})
        return reply
""",
)
_REPEATED_SHAPES = {
    "class": _CLASS_SHAPE,
    "script": _SCRIPT_SHAPE,
    "loop": _LOOP_SHAPE,
    "helper": _HELPER_SHAPE,
}
SHAPES = ("units", *_REPEATED_SHAPES)


def generate(calls: int, shape: str = "units") -> str:
    """A module with about `calls` LLM calls in the given shape (units taken in turn)."""
    if shape in _REPEATED_SHAPES:
        header, unit = _REPEATED_SHAPES[shape]
        return header + "".join(unit.format(i=i) for i in range(calls))
    parts = [_HEADER.format(calls=calls, long_rules="Follow the style guide. " * 180)]
    made = 0
    unit = 0
    while made < calls:
        count, template = _UNITS[unit % len(_UNITS)]
        parts.append(template.format(i=unit))
        made += count
        unit += 1
    return "".join(parts)


def check_seconds(text: str) -> tuple[float, int]:
    """CPU seconds to check the text as a file with every rule, as `ctxlint FILE` does (reading,
    parsing and the engine's handling of the cycle collector included), and the findings."""
    from ctxlint.config import Settings
    from ctxlint.engine import check_paths

    settings = Settings()
    with tempfile.TemporaryDirectory() as folder:
        warm_up = Path(folder, "warm_up.py")
        warm_up.write_text(generate(len(_UNITS)))
        check_paths([str(warm_up)], settings)
        generated = Path(folder, "generated.py")
        generated.write_text(text)
        # CPU time of this process: on a shared machine it varies far less than wall time.
        started = time.process_time()
        report = check_paths([str(generated)], settings)
        seconds = time.process_time() - started
    return seconds, len(report.diagnostics)


def diff_seconds(text: str) -> tuple[float, float, int]:
    """CPU seconds to run the text as a file through `ctxlint --diff --unsafe-fixes`, the part
    of them spent building the unified diff, and the lines of the diff."""
    import ctxlint.engine as engine
    from ctxlint.config import Settings
    from ctxlint.engine import FixMode, check_paths

    settings = Settings(unsafe_fixes=True)
    building = [0.0]
    build_diff = engine.unified_diff

    def timed_unified_diff(old: str, new: str, path: str) -> str:
        started = time.process_time()
        try:
            return build_diff(old, new, path)
        finally:
            building[0] += time.process_time() - started

    engine.unified_diff = timed_unified_diff
    with tempfile.TemporaryDirectory() as folder:
        warm_up = Path(folder, "warm_up.py")
        warm_up.write_text(generate(len(_UNITS)))
        check_paths([str(warm_up)], settings, FixMode.DIFF)
        building[0] = 0.0
        generated = Path(folder, "generated.py")
        generated.write_text(text)
        started = time.process_time()
        report = check_paths([str(generated)], settings, FixMode.DIFF)
        seconds = time.process_time() - started
    diff = "".join(result.diff or "" for result in report.results)
    return seconds, building[0], diff.count("\n")


def _child(calls: int, shape: str, diff: bool) -> None:
    if diff:
        seconds, building, lines = diff_seconds(generate(calls, shape))
        print(f"{seconds!r} {lines} {building!r}")
        return
    seconds, findings = check_seconds(generate(calls, shape))
    print(f"{seconds!r} {findings} 0.0")


def _time_in_child(calls: int, shape: str, diff: bool) -> tuple[float, int, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", str(calls), "--shapes", shape]
        + (["--diff"] if diff else []),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(output[0]), int(output[1]), float(output[2])


def _profile(calls: int, shape: str) -> None:
    import cProfile
    import pstats

    text = generate(calls, shape)
    profiler = cProfile.Profile()
    profiler.runcall(check_seconds, text)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="100,1000,3000")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="of " + ", ".join(SHAPES))
    parser.add_argument("--profile", type=int, help="profile one size (first shape) here")
    parser.add_argument(
        "--diff", action="store_true", help="time ctxlint --diff --unsafe-fixes instead"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    shapes = arguments.shapes.split(",")
    if unknown := set(shapes) - set(SHAPES):
        parser.error(f"unknown shape(s): {', '.join(sorted(unknown))}")
    if arguments.child is not None:
        _child(arguments.child, shapes[0], arguments.diff)
        return
    if arguments.profile is not None:
        _profile(arguments.profile, shapes[0])
        return
    sizes = [int(size) for size in arguments.sizes.split(",")]
    best: dict[tuple[str, int], float] = {}
    findings: dict[tuple[str, int], int] = {}
    building: dict[tuple[str, int], float] = {}
    for _ in range(arguments.runs):
        for shape in shapes:
            for calls in sizes:
                key = (shape, calls)
                seconds, findings[key], diff_building = _time_in_child(calls, shape, arguments.diff)
                if seconds < best.get(key, float("inf")):
                    best[key], building[key] = seconds, diff_building
    counted = "diff lines  diff s" if arguments.diff else "findings"
    print(f"{'shape':>6}  {'calls':>6}  {'seconds':>8}  {'ms/call':>8}  {'ratio':>6}  {counted}")
    worst = 0.0
    for shape in shapes:
        # Each shape against its own smallest size: the shapes cost differently per call.
        baseline = best[shape, sizes[0]] / sizes[0]
        for calls in sizes:
            key = (shape, calls)
            per_call = best[key] / calls
            worst = max(worst, per_call / baseline)
            if arguments.diff:
                counts = f"{findings[key]:>10}  {building[key]:>6.3f}"
            else:
                counts = f"{findings[key]}"
            print(
                f"{shape:>6}  {calls:>6}  {best[key]:>8.3f}  {per_call * 1000:>8.3f}  "
                f"{per_call / baseline:>5.2f}x  {counts}"
            )
    print(f"worst growth of the time per call: {worst:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
