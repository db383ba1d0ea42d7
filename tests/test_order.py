"""Value flow and statement order: a plain assignment replaces what a name held before it, in
straight-line code, and nothing else is assumed about order."""

from __future__ import annotations

import pytest

from ctxlint.config import Settings
from ctxlint.engine import PythonChecker
from ctxlint.registry import select_rules
from ctxlint.source import SourceText

_HEADER = "import time\nimport anthropic\nclient = anthropic.Anthropic()\n"
_CALL = "client.messages.create(model='m', max_tokens=9, system=system, messages=q)"


@pytest.fixture(scope="module")
def checker() -> PythonChecker:
    settings = Settings()
    return PythonChecker(settings, select_rules(list(settings.select), [], []))


def _volatile(checker: PythonChecker, body: str) -> list[tuple[int, str]]:
    source = SourceText.decode_python((_HEADER + body).encode())
    found = checker.check_text("order.py", source)
    return [(d.start.line, d.message) for d in found if d.code == "CTX001"]


def _volatile_sent(checker: PythonChecker, body: str) -> list[tuple[int, list[int]]]:
    """Each CTX001 finding's line, and the lines of the places it says the value is sent."""
    source = SourceText.decode_python((_HEADER + body).encode())
    found = checker.check_text("order.py", source)
    return [(d.start.line, [r.start.line for r in d.related]) for d in found if d.code == "CTX001"]


def _volatile_lines(checker: PythonChecker, body: str) -> list[int]:
    return [line for line, _ in _volatile(checker, body)]


def test_a_value_replaced_before_the_call_does_not_reach_it(checker):
    # Each call sends what was assigned just before it, not every value the name ever held:
    # the time assigned first is gone when the call is made.
    body = (
        "def ask(q):\n"
        "    system = f'Now {time.time()}'\n"
        "    system = 'You are terse.'\n"
        f"    return {_CALL}\n"
    )
    assert _volatile_lines(checker, body) == []


def test_each_call_of_a_script_sees_its_own_assignment(checker):
    body = (
        "def run(q):\n"
        f"    system = 'You are terse.'\n    {_CALL}\n"
        f"    system = f'Now {{time.time()}}'\n    {_CALL}\n"
        f"    system = 'You are brief.'\n    {_CALL}\n"
    )
    # Reported once, at the value, as reaching the second call (line 8), which sends it.
    [(line, related)] = _volatile_sent(checker, body)
    assert line == 7
    assert related == [8]


def test_the_same_holds_in_a_function_and_in_an_inner_block(checker):
    body = (
        "def ask(q, fresh):\n"
        "    system = f'Now {time.time()}'\n"
        "    if fresh:\n"
        "        system = 'You are terse.'\n"
        f"        return {_CALL}\n"
    )
    assert _volatile_lines(checker, body) == []


@pytest.mark.parametrize(
    "body",
    [
        # Replaced only on one branch: the earlier value may still be there.
        "def ask(q, fresh):\n"
        "    system = f'Now {time.time()}'\n"
        "    if fresh:\n"
        "        system = 'You are terse.'\n"
        f"    return {_CALL}\n",
        # The assignment's own value reads the earlier one.
        "def ask(q):\n"
        "    system = f'Now {time.time()}'\n"
        "    system = system.strip()\n"
        f"    return {_CALL}\n",
        # Assigned again later in the loop: the next pass's call sees it.
        "def run(q):\n"
        "    system = 'You are terse.'\n"
        "    while True:\n"
        f"        {_CALL}\n"
        "        system = f'Now {time.time()}'\n",
        # Another function rebinds the module's name, and may run in between.
        "def refresh():\n"
        "    global system\n"
        "    system = f'Now {time.time()}'\n"
        "def ask(q):\n"
        "    global system\n"
        "    system = 'You are terse.'\n"
        "    refresh()\n"
        f"    return {_CALL}\n",
        # An inner function reads the name whenever it is called: no order is assumed there.
        "def ask(q):\n"
        "    system = f'Now {time.time()}'\n"
        f"    send = lambda: {_CALL}\n"
        "    system = 'You are terse.'\n"
        "    return send\n",
    ],
    ids=["one-branch", "reads-itself", "later-in-loop", "global-elsewhere", "lambda"],
)
def test_a_value_that_may_still_be_there_is_reported(checker, body):
    assert len(_volatile_lines(checker, body)) == 1


def test_a_history_many_calls_share_is_reported_once_as_before(checker):
    # The walk of a history every method appends to is shared by the calls: what it holds is
    # still found, once, and named after the first call that sends it.
    methods = "".join(
        f"    def step_{n}(self, text):\n"
        "        self.messages.append({'role': 'user', 'content': text})\n"
        "        return oa.chat.completions.create(model='m', messages=self.messages)\n"
        for n in range(12)
    )
    text = (
        "import openai\noa = openai.OpenAI()\n"
        "class Agent:\n"
        "    def __init__(self, topics):\n"
        "        self.messages = []\n"
        "        self.messages.append({'role': 'user', 'content': ', '.join(set(topics))})\n"
        + methods
    )
    found = checker.check_text("agent.py", SourceText.decode_python(text.encode()))
    unordered = [d for d in found if d.code == "CTX003"]
    assert [d.start.line for d in unordered] == [6]
    assert [r.start.line for r in unordered[0].related] == [9]


def test_a_binding_made_after_the_read_outside_any_loop_does_not_reach_it(checker):
    # `system` is read before `prompt` is rebound to the clock: the parameter is all it holds.
    body = (
        "def ask(q, prompt=None):\n"
        "    system = prompt if prompt else 'You are terse.'\n"
        "    prompt = f'Now {time.time()}'\n"
        f"    return {_CALL}\n"
    )
    assert _volatile_lines(checker, body) == []


def test_in_a_loop_a_later_binding_may_reach_the_next_pass(checker):
    body = (
        "def ask(q, prompt=None):\n"
        "    for _ in range(3):\n"
        "        system = prompt if prompt else 'You are terse.'\n"
        "        prompt = f'Now {time.time()}'\n"
        f"        {_CALL}\n"
    )
    assert _volatile_lines(checker, body) == [7]
