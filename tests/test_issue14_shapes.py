"""Shapes of issue 14 that no rule example or fixture holds: each project the issue names,
written into a temporary folder and checked as a run over files would check it (some need
several modules, or a module the prefilter must not skip; one needs settings)."""

from __future__ import annotations

import os
import textwrap

import pytest

from ctxlint.config import Settings
from ctxlint.engine import check_paths, check_source

from conftest import make_settings


def _findings(root, files: dict[str, str]) -> list[str]:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    report = check_paths([str(root)], Settings(root=root))
    return [f"{os.path.relpath(d.path, root)}:{d.start.line}: {d.code}" for d in report.diagnostics]


_REGISTRY = """\
    class ToolRegistry:
        def __init__(self):
            self._tools = {}

        def register(self, tool):
            self._tools[tool["name"]] = tool

        def unregister(self, name):
            self._tools.pop(name, None)

        def definitions(self):
            return list(self._tools.values())
"""


def test_request_dict_spread_across_a_plain_parameter(tmp_path):
    sender = """\
        from datetime import datetime

        import anthropic

        client = anthropic.Anthropic()


        def send(request):
            return client.messages.create(**request)


        def ask(history):
            request = {"model": "m", "max_tokens": 1024, "messages": history}
            request["system"] = f"Now: {datetime.now()}"
            return send(request)
    """
    assert _findings(tmp_path, {"app.py": sender}) == ["app.py:14: CTX001"]


@pytest.mark.parametrize(
    ("agent", "line"),
    [
        (
            """\
            class Agent:
                def __init__(self):
                    self.registry = ToolRegistry()
                    self.history = []

                def run(self, execute):
                    while True:
                        reply = client.messages.create(
                            model="m", max_tokens=1024, tools=self.registry.definitions(),
                            messages=self.history,
                        )
                        self.registry.unregister("login")
                        self.history.append({"role": "user", "content": execute(reply)})
            """,
            28,
        ),
        (
            """\
            registry = ToolRegistry()


            def run(history, execute):
                while True:
                    reply = client.messages.create(
                        model="m", max_tokens=1024, tools=registry.definitions(),
                        messages=history,
                    )
                    registry.unregister("login")
                    history.append({"role": "user", "content": execute(reply)})
            """,
            26,
        ),
    ],
    ids=["on-self", "module-level"],
)
def test_registry_changed_during_the_run(tmp_path, agent, line):
    source = (
        "import anthropic\n\nclient = anthropic.Anthropic()\n\n\n"
        + textwrap.dedent(_REGISTRY)
        + "\n\n"
        + textwrap.dedent(agent)
    )
    assert _findings(tmp_path, {"agent.py": source}) == [f"agent.py:{line}: CTX004"]


_HUB = """\
    class Hub:
        def __init__(self):
            self.clients = {}

        def add(self, name, mcp_client):
            self.clients[name] = mcp_client

        async def all_tools(self):
            tools = []
            for mcp_client in self.clients.values():
                tools.extend(LISTING)
            return tools
"""
_HUB_USER = """\
    import anthropic

    from app.hub import Hub

    client = anthropic.Anthropic()


    async def ask(hub: Hub, history):
        tools = await hub.all_tools()
        return client.messages.create(model="m", max_tokens=1024, tools=tools, messages=history)
"""


@pytest.mark.parametrize("listing", ["await mcp_client.get_tools()", "mcp_client.tools"])
@pytest.mark.parametrize("with_sender", [False, True], ids=["hub-alone", "hub-imported"])
def test_listing_hub_in_its_own_module(tmp_path, listing, with_sender):
    files = {"app/__init__.py": "", "app/hub.py": _HUB.replace("LISTING", listing)}
    if with_sender:
        files["app/agent.py"] = _HUB_USER
    assert _findings(tmp_path, files) == ["app/hub.py:11: CTX004"]


def test_history_window_helper_in_another_module(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/history.py": "def recent(msgs, k=20):\n    return msgs[-k:]\n",
        "app/loop.py": """\
            import anthropic

            from app.history import recent

            client = anthropic.Anthropic()


            def run(messages, execute):
                while True:
                    messages = recent(messages)
                    reply = client.messages.create(model="m", max_tokens=1024, messages=messages)
                    messages.append({"role": "user", "content": execute(reply)})
        """,
    }
    assert _findings(tmp_path, files) == ["app/history.py:2: CTX006"]


def test_set_order_joined_in_another_module(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/caps.py": """\
            CAPABILITIES = {"search the web", "run shell commands", "edit files"}


            def capabilities():
                return ", ".join(CAPABILITIES)
        """,
        "app/agent.py": """\
            import anthropic

            from app.caps import capabilities

            client = anthropic.Anthropic()


            def ask(history):
                system = "You can: " + capabilities()
                return client.messages.create(
                    model="m", max_tokens=1024, system=system, messages=history
                )
        """,
    }
    assert _findings(tmp_path, files) == ["app/caps.py:5: CTX003"]


def test_memories_rendered_in_another_module(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/memories.py": """\
            def relevant(memory, text):
                found = memory.search(text)
                return "Relevant memories:\\n" + "\\n".join(found)
        """,
        "app/agent.py": """\
            import anthropic

            from app.memories import relevant

            client = anthropic.Anthropic()


            def chat(memory, history, text):
                history.append({"role": "user", "content": text})
                system = "You help.\\n" + relevant(memory, text)
                return client.messages.create(
                    model="m", max_tokens=1024, system=system, messages=history
                )
        """,
    }
    assert _findings(tmp_path, files) == ["app/memories.py:2: CTX011"]


_DAILY = """\
from datetime import date, datetime

import anthropic

client = anthropic.Anthropic()


def ask(history, question):
    turn = {"role": "user", "content": f"Today is {date.today()}. {question}"}
    return client.messages.create(
        model="m", max_tokens=1024, system=SYSTEM, messages=[*history, turn]
    )
"""


@pytest.mark.parametrize(
    ("system", "found"),
    [
        # Day precision in the newest user message: silent even when dates are flagged.
        ('"Be terse."', []),
        # The same date in the system prompt is what the setting flags.
        ('f"Be terse. Today is {datetime.now():%Y-%m-%d}."', [11]),
    ],
)
def test_day_precision_in_the_newest_message_with_daily_values_flagged(system, found):
    settings = make_settings({"select": ["CTX001"], "flag-daily-values": True})
    result = check_source(_DAILY.replace("SYSTEM", system), settings)
    assert [d.start.line for d in result.diagnostics] == found
