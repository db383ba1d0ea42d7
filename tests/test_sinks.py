"""What counts as a sink: request dicts, clients on `self`, message classes, wrapper summaries."""

from __future__ import annotations

import ast

from ctxlint.config import Settings
from ctxlint.engine import PythonChecker, check_source
from ctxlint.python.index import build_index
from ctxlint.python.sinks import analyse_sinks, find_sent_lists, is_system_prompt_name
from ctxlint.python.wrappers import local_resolver
from ctxlint.registry import all_rules


def _analysis(source: str):
    index = build_index(ast.parse(source))
    return index, analyse_sinks(index)


def _sent(source: str) -> set[tuple[str, str]]:
    _, analysis = _analysis(source)
    return {(sink.kind, ast.unparse(sink.expression)) for sink in analysis.sinks}


def test_summaries_name_each_forwarded_parameter_and_its_kind():
    _, analysis = _analysis(
        "import anthropic\n"
        "client = anthropic.Anthropic()\n"
        "def ask(system, history, temperature):\n"
        "    full = [*history]\n"
        "    return client.messages.create(model='m', system=system, messages=full,\n"
        "                                  temperature=temperature)\n"
        "def ask_again(**kwargs):\n"
        "    return ask(**kwargs)\n"
        "def retry(**kwargs):\n"
        "    return client.messages.create(model='m', **kwargs)\n"
    )
    summaries = {function.name: summary for function, summary in analysis.wrappers.items()}
    assert summaries["ask"] == {"system": "system", "history": "messages"}
    assert summaries["ask_again"] == summaries["ask"]
    assert summaries["retry"] == {"system": "system", "messages": "messages", "tools": "tools"}


def test_wrapper_calls_are_sinks_by_position_keyword_and_spread():
    sent = _sent(
        "from openai import OpenAI\n"
        "class Provider:\n"
        "    def __init__(self):\n"
        "        self.client = OpenAI()\n"
        "    def chat(self, messages, tools=None):\n"
        "        return self.client.chat.completions.create(model='m', messages=messages,\n"
        "                                                   tools=tools)\n"
        "def run(provider, history, toolbox):\n"
        "    provider.chat(history, tools=toolbox)\n"
        "    request = {'messages': history}\n"
        "    request['tools'] = sorted(toolbox)\n"
        "    provider.chat(**request)\n"
    )
    assert ("messages", "history") in sent
    assert ("tools", "toolbox") in sent
    assert ("tools", "sorted(toolbox)") in sent


def test_a_function_that_sends_nothing_is_no_wrapper():
    _, analysis = _analysis(
        "import openai\n"
        "def save(messages, store):\n"
        "    store.put(messages)\n"
        "def run(history, store):\n"
        "    save(history, store)\n"
    )
    assert analysis.wrappers == {}
    assert analysis.sinks == []


def test_request_dicts_spread_into_a_client_on_self():
    sent = _sent(
        "import anthropic\n"
        "class Agent:\n"
        "    def __init__(self):\n"
        "        self.llm_client = anthropic.AsyncAnthropic()\n"
        "    async def step(self, msgs, tools, base):\n"
        "        request = dict(model='m', max_tokens=9)\n"
        "        request['messages'] = msgs\n"
        "        request.update({'system': base}, tools=tools)\n"
        "        return await self.llm_client.messages.create(**request)\n"
    )
    assert sent == {("messages", "msgs"), ("system", "base"), ("tools", "tools")}


def test_another_librarys_messages_create_is_no_sink_even_with_a_spread():
    # The module imports anthropic, but the receiver is unknown and no "messages" is sent.
    assert not _sent(
        "import anthropic\n"
        "def notify(sms, number, text):\n"
        "    params = {'to': number, 'body': text}\n"
        "    return sms.messages.create(**params)\n"
    )


def test_message_constructors_take_their_kind_from_the_role():
    sent = _sent(
        "from .llm.schema import ChatMessage, Message, Role, SYSTEM_ROLE\n"
        "def build(q, s):\n"
        "    return [Message(role=Role.SYSTEM, content=s), Message(role='developer', content=s),\n"
        "            ChatMessage(role=SYSTEM_ROLE, content=s), Message(role='user', content=q),\n"
        "            Message(role=role, content=q)]\n"
    )
    assert sent == {("system", "s"), ("content", "q")}


def test_system_messages_added_to_a_conversation_under_way_are_no_prefix():
    # Yielded or appended to a kept history: a new message at the end. The first message of a
    # list, one appended to a list the function makes, or while the history starts: prefix.
    sent = _sent(
        "import openai\n"
        "from langchain_core.messages import SystemMessage\n"
        "class Chat:\n"
        "    def __init__(self, a, b):\n"
        "        self.messages = [{'role': 'system', 'content': a}]\n"
        "        self.messages.append({'role': 'system', 'content': b})\n"
        "    def note(self, c):\n"
        "        self.messages.append({'role': 'system', 'content': c})\n"
        "        self.messages += [SystemMessage(content=c)]\n"
        "    def reset(self, g):\n"
        "        self.messages = []\n"
        "        self.messages.append({'role': 'system', 'content': g})\n"
        "def build(history, d, e):\n"
        "    messages = []\n"
        "    messages.append({'role': 'system', 'content': d})\n"
        "    history.append(dict(role='system', content=e))\n"
        "    return messages + history\n"
        "def command(f):\n"
        "    yield Message(role='system', content=f)\n"
    )
    assert sent == {
        ("system", "a"),
        ("system", "b"),
        ("content", "c"),
        ("system", "g"),
        ("system", "d"),
        ("content", "e"),
        ("content", "f"),
    }


def test_a_token_count_is_no_request():
    assert not _sent(
        "import anthropic\n"
        "client = anthropic.Anthropic()\n"
        "def size(s, history):\n"
        "    return client.messages.count_tokens(model='m', system=s, messages=history)\n"
    )


def test_a_chat_uis_own_message_class_is_no_sink():
    # A terminal UI's notices, in a module that talks to no LLM: `dict(...)` still is a message.
    assert _sent(
        "from dataclasses import dataclass\n"
        "@dataclass\n"
        "class ChatMessage:\n"
        "    role: str\n"
        "    content: str\n"
        "def clear(log, session_id, q):\n"
        "    log.append(ChatMessage(role='system', content=f'New session {session_id}'))\n"
        "    return dict(role='user', content=q)\n"
    ) == {("content", "q")}


def test_constructors_of_data_classes_are_not_sent_lists():
    index, analysis = _analysis(
        "import openai\n"
        "class Store:\n"
        "    def keep(self, messages):\n"
        "        self.kept = messages\n"
        "class Agent:\n"
        "    def step(self, messages):\n"
        "        return self.model.query(messages)\n"
        "def run(history, llm, store, agent):\n"
        "    Conversation(messages=history)\n"
        "    store.keep(messages=history)\n"
        "    llm.send(messages=history)\n"
        "    agent.step(messages=history)\n"
    )
    sent = find_sent_lists(index, analysis.sinks)
    callees = [ast.unparse(sink.call.func) for sink in sent if sink.call]
    assert callees == ["self.model.query", "llm.send", "agent.step"]


def test_names_that_say_system_prompt():
    for name in (
        "system_prompt",
        "agent_system_prompt",
        "planner_system_message",
        "get_system_message",
        "SYSTEM_PROMPT_TEMPLATE",
        "_build_system_prompt",
    ):
        assert is_system_prompt_name(name), name
    for name in (
        "use_system_prompt",
        "max_system_prompt",
        "add_system_message",
        "system_prompt_path",
    ):
        assert not is_system_prompt_name(name), name


def test_prefilter_lets_message_constructors_through():
    checker = PythonChecker(Settings(), all_rules())
    assert checker.wanted(b"import time\nm = Message(role=Role.SYSTEM, content=str(time.time()))\n")


def _codes(source: str) -> list[tuple[int, str]]:
    result = check_source(source, Settings())
    return [(d.start.line, d.code) for d in result.diagnostics]


def test_an_unpacked_return_carries_only_its_own_part():
    # The set is the helper's second result; the tool list sent is its first, a list.
    source = (
        "import anthropic\n"
        "class Model:\n"
        "    def __init__(self):\n"
        "        self.client = anthropic.Anthropic()\n"
        "    def _tools(self, tools):\n"
        "        betas = set()\n"
        "        tools = [tool for tool in tools if tool['name'] != 'memory']\n"
        "        return tools, betas\n"
        "    def ask(self, tools, messages):\n"
        "        tools, betas = self._tools(tools)\n"
        "        return self.client.messages.create(model='m', max_tokens=9, tools=tools,\n"
        "                                           messages=messages, betas=list(betas))\n"
    )
    assert _codes(source) == []
    assert _codes(source.replace("return tools, betas", "return list(betas), tools")) == [
        (8, "CTX003")
    ]


def test_summaries_of_another_module_apply_through_a_resolver():
    # What a project-wide pass does: module b's wrapper, called from module a.
    _, provider = _analysis(
        "import openai\n"
        "client = openai.OpenAI()\n"
        "def chat(messages, tools=None):\n"
        "    return client.chat.completions.create(model='m', messages=messages, tools=tools)\n"
    )
    (chat,) = provider.wrappers
    index = build_index(
        ast.parse(
            "from b import chat\n"
            "def turn(history, toolbox):\n"
            "    return chat(history, tools=toolbox)\n"
            "def run(log):\n"
            "    turn(log, [])\n"
        )
    )

    def resolve(call, scope):
        if isinstance(call.func, ast.Name) and call.func.id == "chat":
            return chat
        return local_resolver(index)(call, scope)

    analysis = analyse_sinks(index, imported_wrappers=provider.wrappers, resolve=resolve)
    sent = {(sink.kind, ast.unparse(sink.expression)) for sink in analysis.sinks}
    assert sent == {
        ("messages", "history"),
        ("tools", "toolbox"),
        ("messages", "log"),
        ("tools", "[]"),
    }
    assert {f.name: s for f, s in analysis.wrappers.items()} == {
        "turn": {"history": "messages", "toolbox": "tools"},
        "run": {"log": "messages"},
    }
