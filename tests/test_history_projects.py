"""Histories rewritten across modules (CTX006): multi-file fixtures under fixtures/projects/.

The rewrite sits in one module and the history is sent from another: the project resolves the
callee (an imported function, a method of an instance whose class is known) and
`summaries.summary_at` applies its module's summary at the call site; a get()/set() round trip
through a store of another module is round_trip.py's.
"""

from __future__ import annotations

import os

import pytest

from ctxlint.config import Settings
from ctxlint.engine import check_paths

from conftest import REPO

PROJECTS = REPO / "fixtures" / "projects"
CASES = [
    "session_store_window",
    "session_store_window_fixed",
    "memory_prepend",
    "memory_prepend_fixed",
    "reminder_through_wrapper",
    "reminder_through_wrapper_fixed",
]


def _findings(folder) -> list[str]:
    report = check_paths([str(folder)], Settings(root=folder))
    return [
        f"{os.path.relpath(d.path, folder)}:{d.start.line}:{d.start.column}: {d.code}"
        for d in report.diagnostics
        if d.code == "CTX006"
    ]


@pytest.mark.parametrize("name", CASES)
def test_history_rewritten_in_another_module(name):
    folder = PROJECTS / name
    expected = [line for line in (folder / "expected").read_text().split("\n") if line]
    assert _findings(folder) == expected


_LOOP = """\
import openai

from chat.tidy import tidy

client = openai.OpenAI()


def chat(history, read_line):
    while True:
        history.append({"role": "user", "content": read_line()})
        tidy(history)
        reply = client.chat.completions.create(model="gpt-5", messages=history)
        history.append({"role": "assistant", "content": reply.choices[0].message.content})
"""


@pytest.mark.parametrize(
    ("helper", "expected"),
    [
        # Drops the oldest message once the history is long: found in the helper.
        ("    if len(history) > 40:\n        history.pop(0)\n", ["chat/tidy.py:3:9: CTX006"]),
        # Items edited at no known position: the summary cannot tell the list from a copy.
        (
            "    for message in history:\n        message['content'] = message['content'][:900]\n",
            [],
        ),
    ],
)
def test_an_edit_by_another_modules_helper(tmp_path, helper, expected):
    (tmp_path / "chat").mkdir()
    (tmp_path / "chat" / "__init__.py").write_text("")
    (tmp_path / "chat" / "loop.py").write_text(_LOOP)
    (tmp_path / "chat" / "tidy.py").write_text("def tidy(history):\n" + helper)
    assert _findings(tmp_path) == expected


def test_a_system_message_put_in_front_of_a_parameter_by_another_module(tmp_path):
    """`messages = with_system(messages)` on the list each call is handed: rebuilt per call,
    the same front every time (litellm's add_system_prompt_to_messages): silent."""
    (tmp_path / "llm").mkdir()
    (tmp_path / "llm" / "__init__.py").write_text("")
    (tmp_path / "llm" / "prompts.py").write_text(
        "def with_system(messages, system):\n"
        "    return [{'role': 'system', 'content': system}, *messages]\n"
    )
    (tmp_path / "llm" / "main.py").write_text(
        "import openai\n"
        "from llm.prompts import with_system\n"
        "client = openai.OpenAI()\n"
        "def completion(messages, system):\n"
        "    messages = with_system(messages, system)\n"
        "    return client.chat.completions.create(model='gpt-5', messages=messages)\n"
    )
    assert _findings(tmp_path) == []


_WRAPPED_LOOP = """\
import openai

from chat.tidy import tidy

client = openai.OpenAI()


def ask(history):
    tidy(history)
    return client.chat.completions.create(model="gpt-5", messages=history)


def chat(history, read_line):
    while True:
        history.append({"role": "user", "content": read_line()})
        reply = ask(history)
        history.append({"role": "assistant", "content": reply.choices[0].message.content})
"""


@pytest.mark.parametrize(
    ("helper", "expected"),
    [
        # A note put in front of the history on every call, by the module's own wrapper.
        (
            "    history.insert(0, {'role': 'user', 'content': 'Be brief.'})\n",
            ["chat/tidy.py:2:5: CTX006"],
        ),
        # Only the newest message changes: everything already sent keeps its cache.
        ("    history[-1]['content'] += ' Be brief.'\n", []),
        # Moving the cache breakpoint changes no cached token.
        ("    for message in history:\n        message.pop('cache_control', None)\n", []),
    ],
)
def test_an_edit_by_another_modules_helper_through_a_wrapper(tmp_path, helper, expected):
    (tmp_path / "chat").mkdir()
    (tmp_path / "chat" / "__init__.py").write_text("")
    (tmp_path / "chat" / "loop.py").write_text(_WRAPPED_LOOP)
    (tmp_path / "chat" / "tidy.py").write_text("def tidy(history):\n" + helper)
    assert _findings(tmp_path) == expected
