"""The prefilter's look at calls: a call lets a file through by a sink's whole name, not by a
name that merely ends like one."""

from __future__ import annotations

import pytest

from ctxlint.config import Settings
from ctxlint.engine import PythonChecker
from ctxlint.registry import all_rules

SOURCE = "import time\n"


@pytest.fixture(scope="module")
def checker():
    return PythonChecker(Settings(), all_rules())


@pytest.mark.parametrize(
    "code",
    [
        "from openai import OpenAI\nr = client.chat.completions.create(model=m, n=time.time())\n",
        "from litellm import completion\nr = completion(model=m, n=time.time())\n",
        "from smolagents import CodeAgent\na = CodeAgent(tools=[], model=m, n=time.time())\n",
        "from langchain_core.messages import HumanMessage\nm = HumanMessage(str(time.time()))\n",
        "from openai import OpenAI\nr = llm.astream(history, n=time.time())\n",
        # A history handed to a model layer of the app's own.
        "from openai import OpenAI\nr = self.llm.respond(messages=self.history, t=time.time())\n",
    ],
)
def test_a_call_by_a_sink_name_lets_the_file_through(checker, code):
    assert checker.wanted((SOURCE + code).encode())


@pytest.mark.parametrize(
    "code",
    [
        "from openai import types\nu = urlparse(url, n=time.time())\n",
        "from pydantic_ai import models\nm = MyBaseModel(n=time.time())\n",
        "from agents import RunConfig\nc = RunConfig(n=time.time())\n",
        "from openai import types\nt = asyncio.recreate(n=time.time())\n",
    ],
)
def test_a_name_that_only_ends_like_a_sink_does_not(checker, code):
    assert not checker.wanted((SOURCE + code).encode())


@pytest.mark.parametrize(
    ("code", "wanted"),
    [
        # A module adding up servers' listings, with no sink and no tool key (CTX004).
        ("for c in self.clients.values():\n    tools.extend(c.tools)\n", True),
        ("tools += session.tools\n", True),
        ("tools.extend(await c.get_tools())\n", True),
        # `.tools` as a module path, a longer name or a call is no listing.
        ("from .tools import bash\n", False),
        ("import app.tools\n", False),
        ("x = self.tools_enabled\n", False),
        ("x = self.tools.copy\n", False),
        ("x = registry.tools()\n", False),
        ('log = logging.getLogger("app.tools")\n', False),
    ],
)
def test_a_tools_listing_read_lets_the_file_through(checker, code, wanted):
    assert checker.wanted(code.encode()) is wanted
