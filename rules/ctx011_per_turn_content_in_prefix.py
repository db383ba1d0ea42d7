"""CTX011: content rebuilt on every turn (memories, retrieval results, a task list, the user's
newest message) sits in the cached prefix."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ctxlint.diagnostics import Diagnostic
from ctxlint.python.framework_flags import SWITCH_NEEDLES
from ctxlint.python.triggers import Trigger
from ctxlint.rule import InputKind, Invalid, Rule, Valid

if TYPE_CHECKING:
    from ctxlint.prompt_files.checked import PromptCheck
    from ctxlint.python.module import PythonModule
    from ctxlint.trace.compare import Step
    from ctxlint.typescript.module import ScriptModule


class PerTurnContentInPrefix(Rule):
    """
    ## What it does
    Flags content that is made again for every turn of a conversation and placed in the cached
    prefix of the request: memory or retrieval search results (`memory.search(query)`,
    `retriever.invoke(query)`, `vector_store.similarity_search(query)`), a task list the agent
    keeps updating (`self.todos`), or the user's newest message, put into the system prompt,
    the instructions or a tool description.

    Also the count of an agent loop's iterations or of its turns, the last response's token
    usage, a search for the user's message kept in a hook's state, retrieval results added to
    a list of the system prompt's parts (`loop_data.system.append(...)`), a conversation
    object whose system prompt is replaced after its first turns were sent
    (`conversation.system = other_prompt`), and the live state of Home Assistant entities in
    an LLM API's `api_prompt`.

    In TypeScript and JavaScript, it flags memory or retrieval search results
    (`vectorStore.similaritySearch(q)`, a call named like a search given the user's message),
    the user's newest message, the conversation's length (`messages.length`), the last
    response's token usage, and an agent's task list or turn count (`this.todos`,
    `this.turnCount++`) in the system prompt of an SDK call, of a pi extension's
    `before_agent_start` hook (`return { systemPrompt }`), of an opencode plugin's
    `experimental.chat.system.transform` (`output.system.push(...)`), or of a request body
    written by hand (`JSON.stringify({ system, messages })`).

    In recorded traces, it flags a system prompt or tool description that is rewritten in part
    between consecutive requests of a session, other than in a volatile value (CTX001's): under
    a heading that names per-turn content ("Relevant memories:", "## Todo", `<context>`), or on
    two requests in a row.

    ## Why is this bad?
    Providers cache the longest prefix a request shares with an earlier one. The tools and the
    system prompt come first, then the whole history: when a section of the system prompt is
    rebuilt for each turn, every request misses the cache from that section on and re-reads
    the rest of the system prompt and the entire conversation at the full input price (about
    ten times the cached price), with a slower first token. The longer the conversation, the
    more each turn pays.

    Content made once (at import, in `__init__` from configuration, a search for a fixed
    text) is stable and is not flagged; nor is a task list that is never changed after it is
    made.

    ## Example
    ```python
    def chat(self, user_message):
        memories = self.memory.search(user_message, user_id=self.user_id)
        system = f"You are a helpful assistant.\\nRelevant memories:\\n{memories}"
        self.history.append({"role": "user", "content": user_message})
        return client.messages.create(
            model="claude-sonnet-4-5", max_tokens=1024, system=system, messages=self.history
        )
    ```

    Use instead:
    ```python
    def chat(self, user_message):
        memories = self.memory.search(user_message, user_id=self.user_id)
        turn = f"Relevant memories:\\n{memories}\\n\\n{user_message}"
        self.history.append({"role": "user", "content": turn})
        return client.messages.create(
            model="claude-sonnet-4-5", max_tokens=1024, system="You are a helpful assistant.",
            messages=self.history,
        )
    ```
    The memories now ride in the newest user message, after everything the cache can reuse.

    ## Prompt files
    In a prompt file, it flags a placeholder that holds this turn's data in the system or
    instructions part, or above the conversation history the template lays out itself
    (Prompty's `{% for item in history %}`, Semantic Kernel's `{{$history}}`):
    - a search the template runs itself, as Semantic Kernel's `{{recall $input}}`;
    - a value the project's Python code passes that is this turn's data (what a retriever
      or a memory search returned, the user's newest message), pointed at where it is passed;
    - with no render in sight, a placeholder named like it (`documents`, `search_results`,
      `memories`, `question`, `user_input`, `todos`), and the message says it is judged by
      the name.

    It also flags a conversation a template lays out as text (`{% for message in conversation
    %}`, `{{ history }}`) as the first value of a part with more than some 100 tokens after
    it: the conversation grows on every turn, so the fixed instructions after it are re-read
    on every request; above it, they would be reused.

    A one-message template of no stated role (a completion prompt ending in
    `Question: {question}`) is not flagged: its text is the newest message, where this data
    belongs.

    ## References
    - [Anthropic: prompt caching](https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching)
    - [OpenAI: prompt caching](https://platform.openai.com/docs/guides/prompt-caching)
    - [Manus: context engineering for AI agents](https://manus.im/blog/Context-Engineering-for-AI-Agents-Lessons-from-Building-Manus)
    """

    code = "CTX011"
    name = "per-turn-content-in-prefix"
    reports_in_other_modules = True
    # The words a per-turn source is written with: a search, a task list, the user's turn.
    python_trigger = Trigger(
        needles=(
            b"search",
            b"retriev",
            b"recall",
            b"query",
            b"invoke",
            b"memor",
            b"todo",
            b"task",
            b"plan",
            b"checklist",
            b"'user'",
            b'"user"',
            b"HumanMessage",
        ),
        # A list of the system prompt's parts filled in a module that sends nothing itself.
        standalone_needles=(
            *SWITCH_NEEDLES["CTX011"],
            b"system.append(",
            b"system.extend(",
            b"system.insert(",
            b"_parts.append(",
            b"_blocks.append(",
            b"_sections.append(",
            # A conversation's system prompt replaced mid-way.
            b".system = ",
            b".system_prompt = ",
            b".instructions = ",
            # A Home Assistant LLM API's prompt.
            b"api_prompt=",
        ),
    )
    summary = "Content rebuilt on every turn reaches the cached prefix"
    fix_title = "Move the per-turn content into the newest user message"

    def check_prompt(self, prompt: PromptCheck) -> Iterator[Diagnostic]:
        from ctxlint.prompt_files import judging
        from ctxlint.prompt_files import placeholder_kinds as kinds

        hits = []
        for part, placeholder, position in judging.prefix_placeholders(prompt):
            # In the system or instructions part, which the conversation follows, or before
            # the history a template lays out itself; elsewhere it may be the newest user
            # message, where this turn's data belongs.
            before_history = position.messages_follow or position.history_after
            if kinds.is_history(placeholder):
                # A conversation laid out as text (devika's `{% for message in conversation
                # %}`) grows on every turn: the fixed text after it is never reused.
                # Only where it is the first value laid out: after another value that
                # changes, the rest is lost already, whatever the conversation does.
                # In one message of its own: a system part's history marker (Dotprompt's
                # `{{history}}`, Prompty's role lines) inserts messages, not text.
                one_message = not position.messages_follow and part.syntax != "handlebars"
                first = one_message and not any(
                    held.offset < placeholder.offset
                    and held.construct in ("output", "loop", "field")
                    for held in part.placeholders
                )
                if first and not position.costs_little:
                    what = "lays out the conversation"
                    help = _CONVERSATION_FIRST
                    hits.append(judging.Hit(part, placeholder, position, what, help=help))
                continue
            if position.costs_little:
                continue
            searched = kinds.per_turn_in_template(placeholder)
            if searched is not None:
                # A search the template runs itself is this turn's data for certain: the
                # fixed text after it is lost wherever the part goes (Semantic Kernel's
                # ContextQuery sample recalls memories above its rules).
                hits.append(judging.Hit(part, placeholder, position, searched))
            elif not before_history:
                continue
            elif judging.values_seen(prompt, placeholder):
                for render, value in judging.passed(prompt, placeholder):
                    if value.per_turn is not None:
                        what = f"gets {value.per_turn}"
                        related = (judging.passed_note(render, value),)
                        hits.append(judging.Hit(part, placeholder, position, what, related))
                        break
            elif not judging.names_may_judge(prompt, part, position):
                continue
            elif named := kinds.per_turn_by_name(placeholder, judging.stated_system(part, prompt)):
                what = f"is named like {named}"
                hits.append(judging.Hit(part, placeholder, position, what, by_name=True))
        yield from judging.diagnostics(prompt, self, hits)

    def check_trace(self, step: Step) -> Iterator[Diagnostic]:
        reported = step.session.memo.setdefault(self.code, set())
        current, previous = step.current, step.previous
        for edit in step.prompt_edits:
            if not edit.per_turn or edit.place in reported:
                continue
            # Rebuilt on every turn: where it is matters once per session.
            reported.add(edit.place)
            section = f'under "{edit.heading}"' if edit.heading else "on consecutive requests"
            if edit.tool:
                pointer, offset = current.tool_pointer(edit.tool) + edit.within, edit.after_span[0]
                before = previous.tool_pointer(edit.tool) + edit.within if previous else ""
            else:
                pointer, offset = current.system_pointer(edit.after_span[0])
                before = previous.system_pointer(edit.before_span[0])[0] if previous else ""
            yield step.diagnostic(
                self,
                f"{edit.place} is rebuilt {section}: `{edit.before}` became `{edit.after}`",
                pointer,
                help=self.fix_title,
                related=step.previous_location("the previous request", before),
                offset=offset,
            )

    def check_typescript(self, module: ScriptModule) -> Iterator[Diagnostic]:
        from ctxlint.typescript import looks_like_a_test
        from ctxlint.typescript.per_turn import per_turn_sources

        if looks_like_a_test(module.path):
            return
        flagged: set[tuple[str, int]] = set()
        for sink in module.sinks:
            if sink.in_tools:
                continue
            for source in per_turn_sources(module, sink):
                # Found in a file this one imports: placed there, the send named as related.
                where = source.parsed or module.parsed
                if (where.path, source.shown.id) in flagged:
                    continue
                flagged.add((where.path, source.shown.id))
                message = f"{source.what} {source.verb} rebuilt into {sink.label} on every turn"
                related = (module.related(sink.call, f"sent as {sink.label}"),)
                if source.made is not None:
                    related = (module.related(source.made, "searched here", where), *related)
                yield module.diagnostic(
                    self, source.shown, message, related, self.fix_title, parsed=where
                )

    def check_python(self, module: PythonModule) -> Iterator[Diagnostic]:
        from ctxlint.python.agent_per_question import built_for_one_question
        from ctxlint.python.framework_flags import framework_switches, switch_message
        from ctxlint.python.live_state import live_state_in_api_prompts
        from ctxlint.python.per_turn import per_turn_sources
        from ctxlint.python.system_swap import may_swap, system_swaps
        from ctxlint.python.turn_values import system_part_sources

        if _is_test_module(module.path):
            # A test that sends one prompt per case or per run (a counter in its system
            # prompt, a swapped prompt) checks the agent; it is not the agent's conversation.
            return
        flagged: set[int] = set()
        done: set[int] = set()
        for sink in module.sinks:
            if not sink.in_prefix:
                continue
            one_question: bool | None = None
            for source in per_turn_sources(module, sink, done):
                if one_question is None:
                    one_question = built_for_one_question(module, sink)
                if one_question:
                    break
                if id(source.node) in flagged:
                    continue
                flagged.add(id(source.node))
                owner = module.module_of(source.scope) if source.scope is not None else module
                if owner is None:
                    continue
                # The content itself is what the finding's location shows.
                message = f"{source.what} {source.verb} rebuilt into {sink.label} on every turn"
                related = (module.location_of(sink.expression, sink.sent_as()),)
                if source.made is not None:
                    related = (owner.location_of(source.made, "searched here"), *related)
                # Reported where the content is put in; no fix exists to offer.
                yield owner.diagnostic(self, source.node, message, None, related, self.fix_title)
        # A framework's switch that writes per-turn content into its system message (agno).
        for switch in framework_switches(module.index, self.code):
            yield module.diagnostic(self, switch.keyword, switch_message(switch), help=_SWITCH_HELP)
        # Parts of a system prompt joined where the flow does not go (extensions called by
        # name, a loop's shared state): found where they are added.
        for part, added in system_part_sources(module):
            if id(added) in flagged:
                continue
            flagged.add(id(added))
            parts = module.snippet(added.func.value, 40)  # type: ignore[attr-defined]
            message = f"{part.what} {part.verb} added to the system prompt's parts (`{parts}`) on every turn"
            related = ()
            if part.node.lineno != added.lineno:
                related = (module.location_of(part.node, "searched here"),)
            yield module.diagnostic(self, added, message, None, related, self.fix_title)
        for live in live_state_in_api_prompts(module.index):
            if id(live.node) in flagged:
                continue
            flagged.add(id(live.node))
            message = (
                "the live state of Home Assistant entities is rebuilt into the API prompt on "
                "every turn"
            )
            related = (module.location_of(live.prompt, "sent as the API prompt"),)
            help = "Give live values through a tool, not in the prompt"
            yield module.diagnostic(self, live.node, message, None, related, help)
        swaps = system_swaps(module.index) if may_swap(module.source.text) else ()
        for swap in swaps:
            message = (
                f"the system prompt of `{swap.name}` is replaced while its conversation goes on"
            )
            related = (module.location_of(swap.made, "the first system prompt is set here"),)
            help = "Keep one system prompt for the whole conversation"
            yield module.diagnostic(self, swap.assignment, message, None, related, help)


_SWITCH_HELP = "Leave it off; put what the model needs in the newest user message"
_CONVERSATION_FIRST = (
    "Put the fixed instructions above the conversation, and this turn's data after it"
)


def _is_test_module(path: str) -> bool:
    parts = os.path.normpath(path).split(os.sep)
    name = parts[-1]
    in_tests = any(part in ("tests", "test") for part in parts[:-1])
    return in_tests or name.startswith("test_") or name.endswith("_test.py")


_HEADER = "import anthropic, openai\nclient = anthropic.Anthropic()\noa = openai.OpenAI()\n"


def _trace(*systems: str, tools: tuple[str, ...] = ()) -> str:
    """One session whose requests send these system prompts (and tool descriptions)."""
    lines = []
    for turn, system in enumerate(systems):
        messages = []
        for earlier in range(turn + 1):
            messages.append(f'{{"role": "user", "content": "question {earlier}"}}')
            if earlier < turn:
                messages.append(f'{{"role": "assistant", "content": "answer {earlier}"}}')
        tool = ""
        if tools:
            tool = (
                ', "tools": [{"name": "lookup", "description": "'
                + tools[turn]
                + '", "input_schema": {"type": "object"}}]'
            )
        lines.append(
            f'{{"ctxlint": 1, "session": "s1", "system": "{system}"{tool}, '
            f'"messages": [{", ".join(messages)}]}}\n'
        )
    return "".join(lines)


_BASE = "You are the support agent for Acme. Answer briefly and cite the order number."
_CHAT = (
    _HEADER + "class Assistant:\n"
    "    def __init__(self, memory):\n"
    "        self.memory = memory\n"
    "        self.history = []\n"
)

PerTurnContentInPrefix.VALID = (
    # Definitions made for the tools a search picked, returned as a tool's result: nothing
    # of this turn is written into what a definition says, and no request sends them.
    Valid(
        "def search_tools(retriever, registry, query):\n"
        "    names = [name for name, _ in retriever.retrieve_similar_tools(query)]\n"
        "    definitions = []\n"
        "    for name in names:\n"
        "        definitions.append({'type': 'function', 'function': {'name': name,\n"
        "            'description': registry[name], 'parameters': {'type': 'object'}}})\n"
        "    return {'ok': True, 'results': definitions}\n"
    ),
    # A new agent for each question, run once on that question alone: the memories stay
    # the same for the whole of its one conversation.
    Valid(
        "from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder\n"
        "from langchain_core.messages import HumanMessage\n"
        "from langchain.agents import AgentExecutor, create_openai_tools_agent\n"
        "def build_agent(llm, context):\n"
        "    prompt = ChatPromptTemplate.from_messages([\n"
        "        ('system', f'Known about the user:\\n{context}'),\n"
        "        MessagesPlaceholder(variable_name='messages'),\n"
        "        MessagesPlaceholder(variable_name='agent_scratchpad')])\n"
        "    agent = create_openai_tools_agent(llm=llm, tools=[], prompt=prompt)\n"
        "    return AgentExecutor(agent=agent, tools=[])\n"
        "def answer(llm, memory, user_id, query):\n"
        "    context = memory.search(query=query, user_id=user_id)\n"
        "    executor = build_agent(llm, context)\n"
        "    return executor.invoke({'messages': [HumanMessage(content=query)]})\n"
    ),
    # A provider adapter lifts the history's own system message into the request's system
    # field: the history handed in is converted, no user text moves into the prefix.
    Valid(
        "from typing import Any\n"
        "\n"
        "\n"
        "class GoogleClient:\n"
        "    def _get_client(self) -> Any:\n"
        "        from google import genai\n"
        "\n"
        "        return genai.Client()\n"
        "\n"
        "    async def complete(self, messages: list[dict[str, Any]], model: str):\n"
        "        client = self._get_client()\n"
        '        system_instruction = ""\n'
        "        contents = []\n"
        "        for msg in messages:\n"
        '            if msg["role"] == "system":\n'
        '                system_instruction = msg["content"]\n'
        '            elif msg["role"] == "user":\n'
        '                contents.append({"role": "user", "parts": [{"text": msg["content"]}]})\n'
        "        from google.genai import types\n"
        "\n"
        "        config: dict[str, Any] = {}\n"
        "        if system_instruction:\n"
        '            config["system_instruction"] = system_instruction\n'
        "        return await client.aio.models.generate_content(\n"
        "            model=model, contents=contents, config=types.GenerateContentConfig(**config)\n"
        "        )\n"
    ),
    # Memories ride in the newest user message: the system prompt stays the same.
    Valid(
        _CHAT + "    def chat(self, user_message):\n"
        "        memories = self.memory.search(user_message)\n"
        "        turn = f'Relevant memories:\\n{memories}\\n\\n{user_message}'\n"
        "        self.history.append({'role': 'user', 'content': turn})\n"
        "        return client.messages.create(model='m', max_tokens=9,\n"
        "            system='You are helpful.', messages=self.history)\n"
    ),
    # Built once from configuration, in the constructor.
    Valid(
        _HEADER + "class Agent:\n"
        "    def __init__(self, config, kb):\n"
        "        self.system = f\"You are {config['persona']}. Facts: {kb.search('policy')}\"\n"
        "        self.system += str(self.memory.search(config['topic']))\n"
        "        self.history = []\n"
        "    def chat(self, text):\n"
        "        self.history.append({'role': 'user', 'content': text})\n"
        "        return client.messages.create(model='m', max_tokens=9, system=self.system,\n"
        "            messages=self.history)\n"
    ),
    # A web search is not a memory: unknown receivers stay silent.
    Valid(
        _HEADER + "def answer(q, history, web):\n"
        "    hits = web.search(q)\n"
        "    return client.messages.create(model='m', max_tokens=9, system=f'Hits: {hits}',\n"
        "        messages=history)\n"
    ),
    # A search for a fixed text gives the same results every turn.
    Valid(
        _HEADER + "def answer(history, retriever):\n"
        "    rules = retriever.invoke('house rules')\n"
        "    return client.messages.create(model='m', max_tokens=9, system=f'Rules: {rules}',\n"
        "        messages=history)\n"
    ),
    # A task list made once and never changed.
    Valid(
        _HEADER + "class Worker:\n"
        "    def __init__(self, todos):\n"
        "        self.todos = list(todos)\n"
        "        self.history = []\n"
        "    def step(self):\n"
        "        system = 'Work through:\\n' + '\\n'.join(self.todos)\n"
        "        return client.messages.create(model='m', max_tokens=9, system=system,\n"
        "            messages=self.history)\n"
    ),
    # The task of a multi-step run, sent on every step of its loop: cached across the steps.
    Valid(
        _HEADER + "def run(task, history):\n"
        "    history.append({'role': 'user', 'content': task})\n"
        "    while True:\n"
        "        reply = client.messages.create(model='m', max_tokens=9,\n"
        "            system=f'Your task: {task}', messages=history)\n"
        "        history.append({'role': 'assistant', 'content': reply.content})\n"
    ),
    # A one-shot request: its messages are made for it alone, no conversation goes on.
    Valid(
        _HEADER + "def research(task, memory):\n"
        "    notes = memory.search(query=task)\n"
        "    system_prompt = f'You research. Known: {notes}'\n"
        "    return oa.chat.completions.create(model='m', messages=[\n"
        "        {'role': 'system', 'content': system_prompt}, {'role': 'user', 'content': task}])\n"
    ),
    # A one-shot summary through the class's own method: a lone system message, named and
    # never added to, is one question whatever call sends it.
    Valid(
        _HEADER + "class Search:\n"
        "    def run(self, query):\n"
        "        hits = self.index.search(query)\n"
        "        return self.summarise(query, hits)\n"
        "    def summarise(self, query, hits):\n"
        "        prompt = f'Summarise {hits} to answer {query}'\n"
        "        messages = [{'role': 'system', 'content': prompt}]\n"
        "        return self.llm.chat_completion(messages)\n"
        "    def chat_completion_setup(self):\n"
        "        self.llm = oa.chat.completions\n"
    ),
    # A command's output yielded onto the conversation: a new message at its end, even with
    # the system role, not the cached prefix.
    Valid(
        "from gptme.message import Message\n"
        "def lesson_command(query):\n"
        "    index = LessonIndex()\n"
        "    results = index.search(query)\n"
        "    yield Message(role='system', content=f'Lessons for {query}:\\n{results}')\n"
    ),
    # A note appended to the kept history after the conversation started.
    Valid(
        _CHAT + "    def recall(self, query):\n"
        "        notes = self.memory.search(query)\n"
        "        self.history.append({'role': 'system', 'content': f'Recalled: {notes}'})\n"
        "    def chat(self, text):\n"
        "        self.history.append({'role': 'user', 'content': text})\n"
        "        return client.messages.create(model='m', max_tokens=9, messages=self.history)\n"
    ),
    # The same, on a history handed in, and as a LangChain message.
    Valid(
        _HEADER + "from langchain_core.messages import SystemMessage\n"
        "def on_result(history, query, retriever, llm):\n"
        "    docs = retriever.invoke(query)\n"
        "    history.append({'role': 'system', 'content': f'Retrieved: {docs}'})\n"
        "    history += [SystemMessage(content=f'Also: {retriever.invoke(query)}')]\n"
        "    return oa.chat.completions.create(model='m', messages=history)\n"
    ),
    # A token count is never a cached request; what it counts is sent for real elsewhere.
    Valid(
        _HEADER + "def context_size(history, query, memory):\n"
        "    notes = memory.search(query)\n"
        "    return client.messages.count_tokens(model='m', system=f'Notes: {notes}',\n"
        "        messages=history)\n"
    ),
    # A tool's schema cleaned by a helper: the flow from the user message runs back through the
    # request dict to it, but the helper's parameter is no text the user typed.
    Valid(
        _HEADER + "def clean_schema(schema):\n"
        "    if 'default' in schema:\n"
        "        return {k: v for k, v in schema.items() if k != 'default'}\n"
        "    return schema\n"
        "def without_pings(messages):\n"
        "    kept = []\n"
        "    for message in messages:\n"
        "        if is_ping({'role': 'user', 'content': message['content']}):\n"
        "            continue\n"
        "        kept.append(message)\n"
        "    return kept\n"
        "def build(history, tools):\n"
        "    data = {'model': 'm', 'max_tokens': 9, 'messages': history}\n"
        "    data['tools'] = [{'name': t.name, 'input_schema': clean_schema(t.schema)}\n"
        "                     for t in tools]\n"
        "    data['messages'] = without_pings(data['messages'])\n"
        "    return data\n"
        "def send(history, tools):\n"
        "    return client.messages.create(**build(history, tools))\n"
    ),
    # A request object, not the user's text: its language setting is configuration.
    Valid(
        _CHAT + "    def ask(self, request: dict):\n"
        "        self.history.append({'role': 'user', 'content': request['text']})\n"
        "        system = f\"Answer in {request['language']}.\"\n"
        "        return client.messages.create(model='m', max_tokens=9, system=system,\n"
        "            messages=self.history)\n"
    ),
    # An adapter lifting the history's system messages into `system=`: the user's text comes
    # back only inside the user's own message.
    Valid(
        _HEADER + "class Claude:\n"
        "    def generate(self, prompt: str):\n"
        "        return self.chat([{'role': 'user', 'content': prompt}])\n"
        "    def chat(self, messages: list):\n"
        "        system = '\\n'.join(m['content'] for m in messages if m['role'] == 'system')\n"
        "        rest = [m for m in messages if m['role'] != 'system']\n"
        "        return client.messages.create(model='m', max_tokens=9, system=system,\n"
        "            messages=rest)\n"
    ),
    # A query made of constants only, through a loop over them: the same results every turn.
    Valid(
        _HEADER + "def build(history, store):\n"
        "    found = []\n"
        "    for kind in ('skill', 'error'):\n"
        "        found.extend(store.query_semantic(memory_type=kind, limit=10))\n"
        "    return client.messages.create(model='m', max_tokens=9, system=f'Known: {found}',\n"
        "        messages=history)\n"
    ),
    # A one-shot `[system, user]` list sent through a helper the linter does not know, built
    # by a function of the module: no conversation follows.
    Valid(
        _HEADER + "def make_prompt(config, template):\n"
        "    messages = [{'role': 'system', 'content': template},\n"
        "                {'role': 'user', 'content': 'Write the prompt.'}]\n"
        "    return manager.request_completion(config, messages)\n"
        "def remember(event_store, event_id, config):\n"
        "    events = event_store.search_events(start_id=event_id)\n"
        "    return make_prompt(config, f'Events: {events}')\n"
    ),
    # A clock read is CTX001's, not this rule's.
    Valid(
        _HEADER + "import time\n"
        "def chat(history):\n"
        "    return client.messages.create(model='m', max_tokens=9,\n"
        "        system=f'Now {time.time()}', messages=history)\n"
    ),
)
PerTurnContentInPrefix.INVALID = (
    # The same picked tools, sent as the request's tools: the list changes every turn.
    Invalid(
        _HEADER + "def step(history, retriever, registry, query):\n"
        "    names = [name for name, _ in retriever.retrieve_similar_tools(query)]\n"
        "    tools = []\n"
        "    for name in names:\n"
        "        tools.append({'name': name, 'description': registry[name], 'input_schema': {}})\n"
        "    return client.messages.create(model='m', max_tokens=9, tools=tools, messages=history)\n",
        line=5,
    ),
    # The same agent built per question but run on the kept conversation: each turn's
    # memories rewrite the start of a history that was cached.
    Invalid(
        "from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder\n"
        "from langchain_core.messages import HumanMessage\n"
        "from langchain.agents import AgentExecutor, create_openai_tools_agent\n"
        "def build_agent(llm, context):\n"
        "    prompt = ChatPromptTemplate.from_messages([\n"
        "        ('system', f'Known about the user:\\n{context}'),\n"
        "        MessagesPlaceholder(variable_name='messages'),\n"
        "        MessagesPlaceholder(variable_name='agent_scratchpad')])\n"
        "    agent = create_openai_tools_agent(llm=llm, tools=[], prompt=prompt)\n"
        "    return AgentExecutor(agent=agent, tools=[])\n"
        "def answer(llm, memory, user_id, query, history):\n"
        "    context = memory.search(query=query, user_id=user_id)\n"
        "    executor = build_agent(llm, context)\n"
        "    return executor.invoke({'messages': history})\n",
        line=12,
    ),
    Invalid(
        _CHAT + "    def chat(self, user_message):\n"
        "        memories = self.memory.search(user_message)\n"
        "        system = f'You are helpful.\\nRelevant memories:\\n{memories}'\n"
        "        self.history.append({'role': 'user', 'content': user_message})\n"
        "        return client.messages.create(model='m', max_tokens=9, system=system,\n"
        "            messages=self.history)\n",
        line=9,
        message_contains="memory search results are rebuilt into the system prompt on every turn",
    ),
    # Retrieved documents, read through their attributes, in the instructions.
    Invalid(
        _HEADER + "def answer(question, items, vector_store):\n"
        "    docs = vector_store.similarity_search(question, k=4)\n"
        "    context = '\\n'.join(d.page_content for d in docs)\n"
        "    return oa.responses.create(model='m', instructions=f'Context:\\n{context}',\n"
        "        input=items)\n",
        line=5,
        message_contains="retrieval results",
    ),
    # Retrieval results in a tool description.
    Invalid(
        _HEADER + "def step(history, query, retriever):\n"
        "    hints = retriever.invoke(query)\n"
        "    tools = [{'name': 'lookup', 'description': f'Look up. Hints: {hints}',\n"
        "              'input_schema': {'type': 'object'}}]\n"
        "    return client.messages.create(model='m', max_tokens=9, system='s', tools=tools,\n"
        "        messages=history)\n",
        line=5,
        message_contains="the tool definitions",
    ),
    # The task list, re-rendered into the system prompt after every change.
    Invalid(
        _HEADER + "class Worker:\n"
        "    def __init__(self):\n"
        "        self.todos = []\n"
        "        self.history = []\n"
        "    def add(self, item):\n"
        "        self.todos.append(item)\n"
        "    def step(self):\n"
        "        system = 'Work through:\\n' + render_todos(self.todos)\n"
        "        return client.messages.create(model='m', max_tokens=9, system=system,\n"
        "            messages=self.history)\n",
        line=11,
        message_contains="the task list",
    ),
    # A system message appended first to a list the function makes for the request is the
    # prefix, like the first message of a literal list.
    Invalid(
        _HEADER + "def answer(history, query, retriever):\n"
        "    docs = retriever.invoke(query)\n"
        "    messages = []\n"
        "    messages.append({'role': 'system', 'content': f'Context: {docs}'})\n"
        "    messages.extend(history)\n"
        "    return oa.chat.completions.create(model='m', messages=messages)\n",
        line=5,
        message_contains="sent as the system prompt, in a system message (line 7)",
    ),
    # The user's newest message in the system prompt, and sent as the user message too.
    Invalid(
        _CHAT + "    def chat(self, user_message):\n"
        "        self.history.append({'role': 'user', 'content': user_message})\n"
        "        system = f'You are helpful. The user asks: {user_message}'\n"
        "        return oa.chat.completions.create(model='m', messages=[\n"
        "            {'role': 'system', 'content': system}, *self.history])\n",
        line=10,
        message_contains="the user's newest message",
    ),
)

# A framework's switch that writes per-turn content into its system message
# (framework_flags.py), also through the project's own helper that builds the agent.
_SUMMARY_SWITCH = (
    "from agno.agent import Agent\n"
    "def _make_agent(**options):\n"
    "    return Agent(**options)\n"
    "def create_agent(model, db):\n"
    "    return _make_agent(model=model, db=db, add_history_to_context=True,\n"
    "                       {switch})\n"
)
PerTurnContentInPrefix.INVALID += (
    Invalid(
        _SUMMARY_SWITCH.format(
            switch="add_session_summary_to_context=True, enable_session_summaries=True"
        ),
        line=6,
        message_contains="the session summary",
    ),
    Invalid(
        _SUMMARY_SWITCH.format(
            switch="add_session_summary_to_context=True, session_summary_manager=summaries"
        ),
        line=6,
        message_contains="the session summary",
    ),
)
PerTurnContentInPrefix.VALID += (
    # Summaries not turned on: agno writes none after a run, and only puts in one that the
    # project's own compaction stored, which changes when that runs.
    Valid(_SUMMARY_SWITCH.format(switch="add_session_summary_to_context=True")),
    # Summaries kept in the database and left out of the system message.
    Valid(_SUMMARY_SWITCH.format(switch="enable_session_summaries=True")),
    Valid(_SUMMARY_SWITCH.format(switch="add_session_summary_to_context=False")),
    # The same keyword in a module that does not use agno is somebody else's option.
    Valid(
        "def configure(settings):\n"
        "    return settings.update(add_session_summary_to_context=True)\n"
    ),
)

# Retrieval given to a variable of a LangChain system prompt template (template_sinks.py).
_RAG_TEMPLATE = (
    "from langchain_core.prompts import ChatPromptTemplate\n"
    "from langchain_openai import ChatOpenAI\n"
    "prompt = ChatPromptTemplate.from_messages(\n"
    "    [({role!r}, 'Answer with the context:\\n{{context}}'), ('human', '{{question}}')]\n"
    ")\n"
    "chain = prompt | ChatOpenAI(model='gpt-4o')\n"
    "def answer(retriever, question):\n"
    "    docs = retriever.invoke(question)\n"
    "    context = '\\n\\n'.join(d.page_content for d in docs)\n"
    "    return chain.invoke({{'context': context, 'question': question}})\n"
)
PerTurnContentInPrefix.INVALID += (
    Invalid(
        _RAG_TEMPLATE.format(role="system"),
        line=8,
        message_contains='the "context" variable of the system prompt template',
    ),
)
# The passages in the human message, after the cached prefix.
PerTurnContentInPrefix.VALID += (Valid(_RAG_TEMPLATE.format(role="human")),)

# A fallback search under `if home is None:`, in a function the request's path calls with a
# `home` that is never None (none_branches.py).
_NONE_FALLBACK = (
    _HEADER + "from pathlib import Path\n"
    "def recall_block(store, text, *, home: Path | None = None):\n"
    "    if home is None:\n"
    "        hits = store.search_text(text, limit=5)\n"
    "        return '\\n'.join(hit.content for hit in hits)\n"
    "    return (home / 'notes.md').read_text()\n"
    "def build_system(home: {annotation}, store, text):\n"
    "    return 'You are a companion.\\n' + recall_block(store, text{passed})\n"
    "def reply(home: {annotation}, store, history, text):\n"
    "    system = build_system(home, store, text)\n"
    "    return client.messages.create(model='m', max_tokens=9, system=system, messages=history)\n"
)
PerTurnContentInPrefix.VALID += (
    Valid(_NONE_FALLBACK.format(annotation="Path", passed=", home=home")),
    Valid(_NONE_FALLBACK.format(annotation="Path", passed=", home=f'{home}/notes'")),
)
PerTurnContentInPrefix.INVALID += (
    # The argument left out, or typed as possibly None: the fallback may run.
    Invalid(_NONE_FALLBACK.format(annotation="Path", passed=""), line=7),
    Invalid(_NONE_FALLBACK.format(annotation="Path | None", passed=", home=home"), line=7),
)

# Prompt files: this turn's data laid out before the conversation.
_CHAT_RULES = "You help people choose hiking gear. Keep answers short.\n" * 6
_HISTORY_LOOP = "{% for item in history %}\n{{item.role}}:\n{{item.content}}\n{% endfor %}\n"
PerTurnContentInPrefix.INVALID += (
    # Retrieved products in the system part of a Prompty chat, above the history.
    Invalid(
        "---\nname: chat\nmodel:\n  api: chat\n---\nsystem:\n"
        + _CHAT_RULES
        + "# Products\n{% for item in documentation %}\n- {{item.title}}: {{item.content}}\n"
        "{% endfor %}\n" + _HISTORY_LOOP,
        kind=InputKind.PROMPT,
        filename="chat.prompty",
        line=14,
        message_contains="retrieved documents",
    ),
    # Semantic Kernel searches memory for this turn's input above the chat history.
    Invalid(
        _CHAT_RULES + "Facts about me:\n{{recall $input}}\n\nChat:\n{{$history}}\n"
        "User: {{$input}}\nChatBot:\n",
        kind=InputKind.PROMPT,
        filename="ChatPlugin/Chat/skprompt.txt",
        line=8,
    ),
    # The code passes the retriever's results to a template sent as the system prompt.
    Invalid(
        "Relevant notes:\n{{ notes }}\n" + _CHAT_RULES * 2,
        kind=InputKind.PROMPT,
        filename="prompts/system.j2",
        files={
            "agent.py": (
                "from pathlib import Path\n"
                "from jinja2 import Environment, FileSystemLoader\n"
                "env = Environment(loader=FileSystemLoader(Path(__file__).parent / 'prompts'))\n"
                "def compose(retriever, question):\n"
                "    notes = retriever.invoke(question)\n"
                "    return env.get_template('system.j2').render(notes=notes)\n"
            )
        },
        line=2,
        message_contains="passed by",
    ),
)
PerTurnContentInPrefix.VALID += (
    # The same data in the newest user message, after the history.
    Valid(
        "---\nname: chat\nmodel:\n  api: chat\n---\nsystem:\n"
        + _CHAT_RULES
        + _HISTORY_LOOP
        + "user:\n# Products\n{% for item in documentation %}\n- {{item.title}}\n{% endfor %}\n"
        "{{question}}\n",
        kind=InputKind.PROMPT,
        filename="chat.prompty",
    ),
    # A one-message completion prompt: the question goes last, where it belongs.
    Valid(
        "Use the context to answer.\n\n{context}\n\nQuestion: {question}\nAnswer:",
        kind=InputKind.PROMPT,
        filename="prompts/qa.txt",
    ),
)

_FIXED_INSTRUCTIONS = "Answer with the commands to run, as JSON. Never address the user.\n" * 8
PerTurnContentInPrefix.INVALID += (
    # One message that lays out the conversation above the fixed instructions: the
    # conversation grows on every turn, and the instructions after it are never reused.
    Invalid(
        "You are a software engineer. The conversation so far:\n"
        "{% for message in conversation %}\n{{ message }}\n{% endfor %}\n" + _FIXED_INSTRUCTIONS,
        kind=InputKind.PROMPT,
        filename="agents/runner/prompt.jinja2",
        line=2,
        message_contains="lays out the conversation",
    ),
)
PerTurnContentInPrefix.VALID += (
    Valid(
        "You are a software engineer.\n" + _FIXED_INSTRUCTIONS + "The conversation so far:\n"
        "{% for message in conversation %}\n{{ message }}\n{% endfor %}\n",
        kind=InputKind.PROMPT,
        filename="agents/runner/prompt.jinja2",
    ),
)

# TypeScript and JavaScript.
_ANTHROPIC_TS = 'import Anthropic from "@anthropic-ai/sdk";\nconst client = new Anthropic();\n'
PerTurnContentInPrefix.INVALID += (
    # Memories searched for the user's message, in the system prompt of each turn.
    Invalid(
        _ANTHROPIC_TS + "export async function chat(history, userMessage: string) {\n"
        "  const memories = await memory.search(userMessage, { userId });\n"
        "  history.push({ role: 'user', content: userMessage });\n"
        "  return client.messages.create({\n"
        '    model: "claude-sonnet-4-5", max_tokens: 1024, messages: history,\n'
        "    system: `You are a helpful assistant.\\nRelevant memories:\\n${memories}`,\n"
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=8,
        message_contains="memory search results are rebuilt into the system prompt",
    ),
    # A pi extension: a wiki searched for the prompt, added to the system prompt it returns.
    Invalid(
        'import type { ExtensionAPI } from "@mariozechner/pi-coding-agent";\n'
        "export default function (pi: ExtensionAPI) {\n"
        '  pi.on("before_agent_start", async (event) => {\n'
        "    const pages = await searchWiki(vault, event.prompt);\n"
        "    const recalled = formatPages(pages);\n"
        "    return { systemPrompt: `${event.systemPrompt}\\n\\n${recalled}` };\n"
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="wiki_extension.ts",
        line=6,
        message_contains="retrieval results are rebuilt into the system prompt of `before_agent_start`",
    ),
    # The system prompt chosen by the length of the conversation: it flips after turn one.
    Invalid(
        'import { streamText } from "ai";\n'
        "export function reply(model, messages) {\n"
        "  return streamText({\n"
        "    model, messages,\n"
        '    system: messages.length <= 2 ? "Greet the user first." : "Continue the task.",\n'
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=5,
        message_contains="the conversation's length is rebuilt",
    ),
    # An agent's task list, changed as it works, in its instructions (JavaScript).
    Invalid(
        _ANTHROPIC_TS + "class Planner {\n"
        "  todos = [];\n"
        "  history = [];\n"
        "  add(task) { this.todos.push(task); }\n"
        "  step() {\n"
        "    return client.messages.create({\n"
        '      model: "claude-sonnet-4-5", max_tokens: 1024, messages: this.history,\n'
        '      system: `Plan:\\n${this.todos.join("\\n")}`,\n'
        "    });\n"
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="planner.js",
        line=10,
        message_contains="the task list is rebuilt",
    ),
)
PerTurnContentInPrefix.VALID += (
    # The memories ride in the newest user message; the system prompt stays the same.
    Valid(
        _ANTHROPIC_TS + "export async function chat(history, userMessage: string) {\n"
        "  const memories = await memory.search(userMessage, { userId });\n"
        "  history.push({ role: 'user', content: `Memories:\\n${memories}\\n\\n${userMessage}` });\n"
        "  return client.messages.create({\n"
        '    model: "claude-sonnet-4-5", max_tokens: 1024, messages: history,\n'
        '    system: "You are a helpful assistant.",\n'
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # One question answered with what was found for it: no conversation shares the prefix.
    Valid(
        'import { generateText } from "ai";\n'
        "export async function answer(model, question: string) {\n"
        "  const docs = await vectorStore.similaritySearch(question, 4);\n"
        "  return generateText({ model, system: `Context:\\n${docs}`, prompt: question });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="rag.ts",
    ),
    # A pi extension whose memory summary is read from a file, the same on every turn.
    Valid(
        'import type { ExtensionAPI } from "@mariozechner/pi-coding-agent";\n'
        "export default function (pi: ExtensionAPI) {\n"
        '  pi.on("before_agent_start", async (event, ctx) => {\n'
        "    const summary = readMemorySummary(ctx.cwd);\n"
        '    return { systemPrompt: event.systemPrompt + "\\n\\n" + summary };\n'
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="memory_extension.ts",
    ),
    # A task list set once from the configuration.
    Valid(
        _ANTHROPIC_TS + "class Planner {\n"
        "  constructor(config) { this.todos = config.todos; this.history = []; }\n"
        "  step() {\n"
        "    return client.messages.create({\n"
        '      model: "claude-sonnet-4-5", max_tokens: 1024, messages: this.history,\n'
        '      system: `Plan:\\n${this.todos.join("\\n")}`,\n'
        "    });\n"
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="planner.js",
    ),
)
