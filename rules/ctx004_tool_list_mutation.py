"""CTX004: the tool list sent to an LLM differs between the calls of one agent loop."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from ctxlint.diagnostics import Applicability, Diagnostic, Fix, RelatedLocation
from ctxlint.python.triggers import Trigger
from ctxlint.redact import evidence
from ctxlint.rule import InputKind, Invalid, Rule, Valid

_HELP = "Keep the tool list fixed; constrain the choice with tool_choice or masking instead"
_LISTING_HELP = "Sort the listing by tool name"
_MIDDLEWARE_HELP = (
    "Keep the tools; refuse the call in wrap_tool_call, or constrain the choice with tool_choice"
)

if TYPE_CHECKING:
    from ctxlint.python.index import CallSite
    from ctxlint.python.listings import UnsortedConcatenation
    from ctxlint.python.module import PythonModule
    from ctxlint.python.sinks import Sink
    from ctxlint.python.state_filtered_tools import StateFilteredTools
    from ctxlint.trace.compare import Step
    from ctxlint.typescript.module import ScriptModule


class ToolListMutation(Rule):
    """
    ## What it does
    Flags a tool list that differs between the LLM calls of one agent loop: the list passed as
    `tools=` is changed inside the loop that makes the calls (`append`, `extend`, `insert`,
    `remove`, `pop`, `clear`, item or slice assignment, `+=`), rebuilt in the loop by a filter
    whose condition changes in the loop (`tools=[t for t in ALL if allowed(t, state)]`), or
    taken unsorted from an MCP server's tool listing fetched for each call.

    It also flags a tool list recomputed on each pass from state the loop changes, through
    assignments or through method calls (`tools = state.allowed_tools()` while
    `state.advance(reply)` runs in the loop; `self.allowed_tools()` reading `self.phase` that
    `self.advance(reply)` sets). A list computed before the loop, or in it from nothing the
    loop changes, is fine; so is one that follows the item of a `for` loop over tasks.

    It also flags, where it happens, tool listings of several servers or toolkits added up in
    an order that is not fixed and handed on unsorted (returned, or kept on `self`), even when
    another module sends them: `for s in self.sessions.values(): tools += (await
    s.list_tools()).tools` over a dict of connections filled as servers connect (a server that
    reconnects moves to the end), over a set, or in the order concurrent requests complete
    (`asyncio.as_completed`). Listings are `list_tools()`, `get_tools()`, `load_mcp_tools()` and
    an object's `.tools`. Servers taken from a list, a parameter or a config mapping keep the
    order they are given in and are not flagged.

    It also flags a LangChain agent middleware (`wrap_model_call`, run around every model
    call) that leaves some of the request's tools out when the run's state says so:
    `if request.state.get("mode") == "read_only": request.override(tools=[t for t in
    request.tools if t.name not in WRITE])`. A filter decided by configuration alone, and
    tools added as the run discovers them, are not flagged.

    A registry filled once at start-up and then left alone is fine, and so is a list built
    the same way for every call. A tool list in set order is reported by CTX003.

    In recorded traces, it flags a request whose tool list differs from the previous request's
    in the same session, and says which tools were added, removed or redefined. The same tools
    in another order are CTX003's finding; a definition that changed only in key order or in a
    volatile value is CTX002's or CTX001's.

    ## Why is this bad?
    Tool definitions sit at the very front of the request, before the system prompt and the
    history. Changing one tool, or the order of two, changes the prefix from there on, so the
    next request re-reads the whole system prompt and history at the uncached price (about ten
    times the cached price). It also leaves earlier turns referring to tools the model can no
    longer see, which confuses it.

    ## Example
    ```python
    def run(client, history, state):
        while not state.done:
            tools = [t for t in ALL_TOOLS if t["name"] in state.allowed]
            reply = client.messages.create(
                model="claude-sonnet-4-5", max_tokens=1024, tools=tools, messages=history
            )
            state = advance(state, reply)
    ```

    Use instead:
    ```python
    def run(client, history, state):
        while not state.done:
            reply = client.messages.create(
                model="claude-sonnet-4-5", max_tokens=1024, tools=ALL_TOOLS, messages=history,
                tool_choice={"type": "any"} if state.must_act else {"type": "auto"},
            )
            state = advance(state, reply)
    ```
    To restrict the model to some tools, constrain decoding (allowed tools, a prefilled
    response that starts the tool name, or logit masking by a shared name prefix) and keep
    the definitions as they are.

    ## TypeScript and JavaScript
    In TypeScript and JavaScript, it flags, within the file, the tools of an SDK call
    (`tools` of `client.messages.create`, `client.chat.completions.create`,
    `client.responses.create`, the AI SDK's `generateText` and `streamText`, `new Agent`)
    rebuilt in the loop that sends them from state that loop changes: `allTools.filter(...)`,
    `.slice(...)` or `.splice(...)` on names the loop assigns, and a spread under such a
    condition (`{ ...base, ...(done ? {} : { finish }) }`). It flags the AI SDK's
    `activeTools` chosen per step, by a `prepareStep` whose `activeTools` depend on the step
    or differ between its returns, or in such a loop: the SDK leaves the other tools out of
    the request (its `prepareToolsAndToolChoice` filters the definitions before sending), so
    it is no decode-time constraint; `toolChoice` is. And it flags an MCP `listTools()` made
    for each call and sent without `.sort()` or `.toSorted()`. A constant tools object and a
    list computed once before the loop are fine. The tools may come from a function of the
    project (in the file, a method of the class, or imported): `tools: toolsFor(phase)` in
    the loop, where the helper filters or spreads in tools by the parameter `phase` the loop
    changes, is reported in the helper, as is an MCP listing made in an imported function.
    No fix is offered there yet.

    ## Fix safety
    For an MCP tool listing, the fix sorts it by tool name: `sorted(result.tools,
    key=lambda tool: tool.name)`. It is unsafe: the order the model sees changes once, and it
    assumes the listed items have a `name` attribute. Mutations and filters have no automatic
    fix.

    ## References
    - [Manus: context engineering for AI agents (mask, don't remove)](https://manus.im/blog/Context-Engineering-for-AI-Agents-Lessons-from-Building-Manus)
    - [Anthropic: prompt caching, what invalidates the cache](https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching)
    - [OpenAI: function calling, allowed tools](https://platform.openai.com/docs/guides/function-calling)
    """

    code = "CTX004"
    name = "tool-list-mutation"
    python_trigger = Trigger(
        needles=(b"tools=", b'"tools"', b"'tools'", b"list_tools"),
        # A module that gathers MCP servers' listings need not send them itself, whichever
        # way it lists them. `get_tools(` and a `.tools` read let ~1% more files of a large
        # tree through (1095 -> 1107 of 3549 parsed, all rules); `.tools` as a module path
        # (`from .tools import`) would let 8% through, so it does not count.
        standalone_needles=(b"list_tools(", b"load_mcp_tools(", b"get_tools("),
        standalone_attributes=(b"tools",),
    )
    summary = "The tool list differs between the calls of one agent loop"
    fix_title = "Sort the tool listing by tool name"
    fix_applicability = Applicability.UNSAFE

    def check_trace(self, step: Step) -> Iterator[Diagnostic]:
        if not step.tools_known or step.previous is None:
            return
        before = [tool.name for tool in step.previous.tools or ()]
        after = [tool.name for tool in step.current.tools or ()]
        added = [name for name in after if name not in before]
        removed = [name for name in before if name not in after]
        # Key order and volatile values are CTX002's and CTX001's; a pure reorder is CTX003's.
        # A description rebuilt with per-turn content is CTX011's.
        rebuilt = {edit.tool for edit in step.prompt_edits if edit.per_turn}
        redefined = [
            tool.name
            for tool in step.tool_changes
            if not tool.reserialised and tool.volatile is None and tool.name not in rebuilt
        ]
        parts = []
        for label, names in (("added", added), ("removed", removed), ("redefined", redefined)):
            if names:
                parts.append(f"{label} {_names(names)}")
        if not parts:
            return
        # Point at the first tool that differs: in this request, or in the previous one for a
        # tool that is gone.
        first = next(iter(added or redefined), None)
        pointer = step.current.tool_pointer(first) if first else step.current.tool_pointer("")
        previous = step.previous.tool_pointer(removed[0]) if removed and not first else ""
        yield step.diagnostic(
            self,
            f"the tool list changed since the previous request: {'; '.join(parts)}",
            pointer,
            help=_HELP,
            related=step.previous_location("the previous request", previous),
        )

    def check_python(self, module: PythonModule) -> Iterator[Diagnostic]:
        from ctxlint.python.tool_list_changes import short_line

        flagged: set[int] = set()
        # (changes, loop) pairs already looked at: the calls of one loop share them.
        looked_at: set[tuple[int, int]] = set()
        for sink in module.sent_lists:
            if sink.kind != "tools":
                continue
            site = module.call_site(sink.call) if sink.call is not None else None
            for found in self._findings(module, sink, site, flagged, looked_at):
                if id(found.node) in flagged:
                    continue
                flagged.add(id(found.node))
                related = (
                    *found.related,
                    module.location_of(sink.expression, sink.sent_as()),
                )
                yield module.diagnostic(
                    self, found.node, found.message, found.fix, related, help=found.help
                )
        for concatenated in module.fact(_unsorted_concatenations):
            message = (
                f"`{short_line(module.snippet(concatenated.node))}` adds up tool listings in an "
                "order that changes between runs"
            )
            related = (
                module.location_of(
                    concatenated.iterated, f"the order of the listings: {concatenated.order}"
                ),
            )
            help = f"Sort the tools by name: they are {concatenated.handed_on} unsorted"
            yield module.diagnostic(self, concatenated.node, message, None, related, help=help)
        for narrowed in module.fact(_state_filtered_tools):
            if id(narrowed.subset) in flagged:
                continue
            flagged.add(id(narrowed.subset))
            message = (
                f"`{short_line(module.snippet(narrowed.subset))}` leaves tools out of the request "
                f"when `{short_line(module.snippet(narrowed.condition))}`"
            )
            related = (
                module.location_of(narrowed.condition, "decided by the agent's state on each call"),
                module.location_of(narrowed.send, "the narrowed tool list is passed on here"),
            )
            yield module.diagnostic(
                self, narrowed.subset, message, None, related, help=_MIDDLEWARE_HELP
            )

    def _findings(
        self,
        module: PythonModule,
        sink: Sink,
        site: CallSite | None,
        flagged: set[int],
        looked_at: set[tuple[int, int]],
    ) -> Iterator[_Finding]:
        from ctxlint.python.containers import changes_of, within_lines
        from ctxlint.python.tool_list_changes import (
            changes_list,
            condition_names,
            happens_in_loop,
            names_changed_in,
            recomputed_from_state,
            short_line,
        )

        containers, filters = module.sent_containers(sink)
        loop = site.loop if site is not None else None
        if loop is not None and site is not None:
            for node, state, changed_by in recomputed_from_state(module, sink, loop, site):
                yield _Finding(
                    node,
                    f"`{short_line(module.snippet(node))}` recomputes the tool list on each pass "
                    f"from {state}, which the loop changes",
                    (module.location_of(changed_by, f"{state} is changed here"),),
                )
            varying = module.fact_about(names_changed_in, loop)
            for container in containers:
                if container.lifetime is None:
                    continue
                changes = changes_of(container, module.index)
                # The calls of one loop share its changes: each is decided once for the loop.
                if (id(changes), id(loop)) in looked_at:
                    continue
                looked_at.add((id(changes), id(loop)))
                for change in changes:
                    if id(change.node) in flagged:
                        continue
                    if happens_in_loop(change, loop, module) and changes_list(change, module):
                        text = short_line(module.snippet(change.node))
                        message = f"`{text}` changes the tool list inside the loop that sends it"
                        yield _Finding(change.node, message)
            for change in filters:
                names = condition_names(change)
                if names & varying and within_lines(change.node, loop):
                    changed = ", ".join(f"`{n}`" for n in sorted(names & varying))
                    text = short_line(module.snippet(change.node))
                    message = (
                        f"`{text}` rebuilds the tool list on each pass from {changed}, which the "
                        "loop changes"
                    )
                    yield _Finding(change.node, message)
        yield from self._unsorted_listings(module, sink)

    def _unsorted_listings(self, module: PythonModule, sink: Sink) -> Iterator[_Finding]:
        # A walk shared with other sinks is sifted once.
        from ctxlint.python.tool_list_changes import listing_reads, short_line

        found = module.fact_per_part(listing_reads, sink)
        awaited = set().union(*(part[0] for part in found))
        listing_attributes = [node for part in found for node in part[1]]
        listings = [listing for part in found for listing in part[2]]
        for node, scope, kept_on_self in listings:
            if id(node) in awaited:
                continue
            if kept_on_self and scope is not sink.scope:
                # Listed when another method ran (on connecting) and kept on the object:
                # every request reads the same snapshot, in the same order.
                continue
            call = node.value if isinstance(node, ast.Await) else node
            assert isinstance(call, ast.Call)
            listed = listing_attributes[-1] if listing_attributes else node
            text = module.text_of(listed)
            edit = module.replace_edit(listed, f"sorted({text}, key=lambda tool: tool.name)")
            fix = Fix(self.fix_title, (edit,), Applicability.UNSAFE)
            message = (
                f"`{short_line(module.snippet(call))}` lists the tools anew for each call, in "
                "the server's order, which may change"
            )
            related = () if listed is call else (module.location_of(call, "listed here"),)
            yield _Finding(listed, message, related, _LISTING_HELP, fix)

    def check_typescript(self, module: ScriptModule) -> Iterator[Diagnostic]:
        from ctxlint.typescript.parse import snippet
        from ctxlint.typescript.tool_changes import tool_changes

        for change in tool_changes(module.parsed, module.sinks, module.project):
            sink = change.sink
            related = (module.related(sink.call, f"sent as {sink.label}"),)
            if change.call is not None:
                # Made in a helper: the call that applies it, then where the list is sent.
                applied = f"applied by `{snippet(module.text_of(change.call))}`"
                related = (module.related(change.call, applied), *related)
            help = _LISTING_HELP if change.listing else _SCRIPT_HELP
            yield module.diagnostic(
                self, change.node, change.message, related, help, None, change.parsed
            )


_SCRIPT_HELP = "Keep the tools fixed; constrain the choice with toolChoice instead"


class _Finding(NamedTuple):
    """A finding on a sent tool list, before the place it is sent is added."""

    node: ast.AST
    message: str
    related: tuple[RelatedLocation, ...] = ()
    help: str = _HELP
    fix: Fix | None = None


def _names(names: list[str]) -> str:
    """`a`, `b` and 2 more: tool names as a message quotes them."""
    shown = ", ".join(f"`{evidence(name)}`" for name in names[:2])
    return shown + (f" and {len(names) - 2} more" if len(names) > 2 else "")


def _state_filtered_tools(module: PythonModule) -> list[StateFilteredTools]:
    from ctxlint.python.state_filtered_tools import state_filtered_tools

    return state_filtered_tools(module.index)


def _unsorted_concatenations(module: PythonModule) -> list[UnsortedConcatenation]:
    from ctxlint.python.listings import unsorted_concatenations

    return unsorted_concatenations(module.index, module.source.text)


_HEADER = "import anthropic\nclient = anthropic.Anthropic()\n"
_MIDDLEWARE = "from langchain.agents.middleware import AgentMiddleware\nWRITE = {'edit', 'write'}\n"

ToolListMutation.VALID = (
    # A LangChain middleware that hides tools by configuration alone sends the same list on
    # every call; one that enforces a mode refuses the call at the tool layer instead.
    Valid(
        _MIDDLEWARE + "class Exclude(AgentMiddleware):\n"
        "    def __init__(self, excluded):\n"
        "        self._excluded = excluded\n"
        "    def _filter(self, request):\n"
        "        if not self._excluded:\n"
        "            return request\n"
        "        kept = [t for t in request.tools if t.name not in self._excluded]\n"
        "        if len(kept) == len(request.tools):\n"
        "            return request\n"
        "        return request.override(tools=kept)\n"
        "    def wrap_model_call(self, request, handler):\n"
        "        return handler(self._filter(request))\n"
    ),
    Valid(
        _MIDDLEWARE + "class Skills(AgentMiddleware):\n"
        "    async def awrap_tool_call(self, request, handler):\n"
        "        if request.state.get('mode') == 'read_only' and request.tool_call['name'] in WRITE:\n"
        "            return refuse(request)\n"
        "        return await handler(request)\n"
    ),
    Valid(
        "from langchain.agents.middleware import wrap_model_call\n"
        "@wrap_model_call\n"
        "def allowed_only(request, handler):\n"
        "    return handler(request.override(tools=[t for t in request.tools if t.name in ALLOWED]))\n"
    ),
    # Tools added as the run discovers them: deferred loading trades one miss per load for a
    # shorter prompt, a choice this rule leaves to the author.
    Valid(
        _MIDDLEWARE + "class Deferred(AgentMiddleware):\n"
        "    def wrap_model_call(self, request, handler):\n"
        "        loaded = [BY_NAME[n] for n in request.state.get('loaded', [])]\n"
        "        return handler(request.override(tools=[*request.tools, *loaded]))\n"
    ),
    # Not a middleware: nothing says the function runs on each model call.
    Valid(
        "from langchain.agents import create_agent\n"
        "def build(state, all_tools):\n"
        "    if state.get('mode') == 'read_only':\n"
        "        return create_agent(model='m', tools=[t for t in all_tools if t.name not in WRITE])\n"
        "    return create_agent(model='m', tools=all_tools)\n"
    ),
    # Computed once before the loop, or from nothing the loop changes.
    Valid(
        _HEADER + "def run(history, state):\n"
        "    tools = state.allowed_tools()\n"
        "    while not state.done:\n"
        "        reply = client.messages.create(model='m', max_tokens=9, tools=tools, messages=history)\n"
        "        state.advance(reply)\n"
    ),
    Valid(
        _HEADER + "def run(history, state, registry):\n"
        "    while not state.done:\n"
        "        tools = [convert(t) for t in registry.tools_for('default')]\n"
        "        reply = client.messages.create(model='m', max_tokens=9, tools=tools, messages=history)\n"
        "        registry.execute(reply)\n"
        "        state.advance(reply)\n"
    ),
    # The method that gives the tools reads nothing the loop's own methods change.
    Valid(
        _HEADER + "class Agent:\n"
        "    def __init__(self):\n"
        "        self.phase = 'plan'\n"
        "        self.history = []\n"
        "    def all_tools(self):\n"
        "        return TOOLS['all']\n"
        "    def advance(self, reply):\n"
        "        self.phase = 'act'\n"
        "        self.history.append(reply)\n"
        "    def run(self):\n"
        "        while self.phase != 'done':\n"
        "            tools = self.all_tools()\n"
        "            reply = client.messages.create(model='m', max_tokens=9, tools=tools, messages=self.history)\n"
        "            self.advance(reply)\n"
    ),
    # One task per item: each item starts its own conversation.
    Valid(
        _HEADER + "def run(tasks):\n"
        "    for task in tasks:\n"
        "        tools = tools_for(task)\n"
        "        client.messages.create(model='m', max_tokens=9, tools=tools, messages=task.messages)\n"
    ),
    # Servers in the order the code or the configuration lists them.
    Valid(
        "async def all_tools(servers):\n"
        "    tools = []\n"
        "    for server in servers:\n"
        "        tools.extend((await server.list_tools()).tools)\n"
        "    return tools\n"
    ),
    Valid(
        "async def all_tools(config, connect):\n"
        "    tools = []\n"
        "    for name, spec in config['mcpServers'].items():\n"
        "        session = await connect(spec)\n"
        "        tools.extend(await load_mcp_tools(session))\n"
        "    return tools\n"
    ),
    # The same concatenations, sorted before they are handed on.
    Valid(
        "class Hub:\n"
        "    def __init__(self):\n"
        "        self.sessions = {}\n"
        "    def add(self, name, session):\n"
        "        self.sessions[name] = session\n"
        "    async def get_tools(self):\n"
        "        tools = []\n"
        "        for session in self.sessions.values():\n"
        "            tools.extend((await session.list_tools()).tools)\n"
        "        tools.sort(key=lambda tool: tool.name)\n"
        "        return tools\n"
        "    async def all_tools(self):\n"
        "        return sorted([t for s in self.sessions.values() for t in (await s.list_tools()).tools], key=lambda t: t.name)\n"
    ),
    # Gathered into a lookup by name: the order is not handed on.
    Valid(
        "import asyncio\n"
        "async def tool_index(servers):\n"
        "    by_name = {}\n"
        "    for done in asyncio.as_completed([s.list_tools() for s in servers]):\n"
        "        for tool in (await done).tools:\n"
        "            by_name[tool.name] = tool\n"
        "    return by_name\n"
    ),
    # A registry filled once at start-up.
    Valid(
        _HEADER + "TOOLS = []\n"
        "TOOLS.append({'name': 'search', 'input_schema': {}})\n"
        "TOOLS.append({'name': 'fetch', 'input_schema': {}})\n"
        "def run(history):\n"
        "    while True:\n"
        "        reply = client.messages.create(model='m', max_tokens=9, tools=TOOLS, messages=history)\n"
        "        history.append({'role': 'assistant', 'content': reply.content})\n"
    ),
    # Built the same way for every call.
    Valid(
        _HEADER + "def run(history, registry):\n"
        "    tools = [t for t in registry if t['enabled']]\n"
        "    while True:\n"
        "        reply = client.messages.create(model='m', max_tokens=9, tools=tools, messages=history)\n"
        "        history.append({'role': 'assistant', 'content': reply.content})\n"
    ),
    # A listing sorted by name.
    Valid(
        _HEADER + "async def ask(session, history):\n"
        "    listing = await session.list_tools()\n"
        "    tools = [{'name': t.name, 'input_schema': t.inputSchema}\n"
        "             for t in sorted(listing.tools, key=lambda t: t.name)]\n"
        "    return client.messages.create(model='m', max_tokens=9, tools=tools, messages=history)\n"
    ),
    # Listed once on connecting and kept on the object: every request reads the same list.
    Valid(
        "from openai import OpenAI\n"
        "class Chat:\n"
        "    def __init__(self):\n"
        "        self.client = OpenAI()\n"
        "    async def connect(self, session):\n"
        "        self.session = session\n"
        "        response = await self.session.list_tools()\n"
        "        self.available_tools = response.tools\n"
        "    async def ask(self, messages):\n"
        "        tools = [{'type': 'function', 'function': {'name': t.name, 'parameters': t.inputSchema}}\n"
        "                 for t in self.available_tools]\n"
        "        while True:\n"
        "            reply = self.client.chat.completions.create(model='m', messages=messages, tools=tools)\n"
        "            messages.append(reply.choices[0].message)\n"
    ),
    # Each pass builds a new agent around the previous one: nested agents, not one agent's
    # requests.
    Valid(
        "from agents import Agent\n"
        "def build(depth):\n"
        "    outer = Agent(name='leaf')\n"
        "    for edge in range(depth):\n"
        "        outer = Agent(name=f'agent-{edge}', tools=[outer.as_tool(tool_name=f't{edge}', tool_description='Run')])\n"
        "    return outer\n"
    ),
    # Servers' configurations kept by name are in the configuration's order, not connection
    # order.
    Valid(
        "class Manager:\n"
        "    def __init__(self):\n"
        "        self._servers = {}\n"
        "    def load(self, section):\n"
        "        for name, cfg in section.items():\n"
        "            entry = {'command': cfg['command']}\n"
        "            self._servers[name] = entry\n"
        "    def get_all_tools(self):\n"
        "        all_tools = []\n"
        "        for server_name in self._servers:\n"
        "            client = self._get_client(server_name)\n"
        "            for tool in client.list_tools():\n"
        "                all_tools.append(tool)\n"
        "        return all_tools\n"
    ),
    # A registry of local objects (plugins, tool categories) filled by synchronous calls, each
    # asked for its tools without a request: filled in the order of the code that registers
    # them, the same in every run.
    Valid(
        "class PluginManager:\n"
        "    def __init__(self):\n"
        "        self._plugins = {}\n"
        "    def register(self, plugin):\n"
        "        self._plugins[plugin.name] = plugin\n"
        "    def get_all_tools(self):\n"
        "        tools = []\n"
        "        for name, plugin in self._plugins.items():\n"
        "            tools.extend(plugin.get_tools())\n"
        "        return tools\n"
    ),
    Valid(
        "class ToolRegistry:\n"
        "    def __init__(self):\n"
        "        self._categories = {}\n"
        "    def _add_category(self, name, category):\n"
        "        self._categories[name] = category\n"
        "    def get_all_tools_for_search(self):\n"
        "        tools = []\n"
        "        for category in self._categories.values():\n"
        "            tools.extend(category.tools)\n"
        "        return tools\n"
    ),
)
ToolListMutation.INVALID = (
    # A LangChain middleware hides tools while the run's state says so: the list sent
    # changes when the mode starts and when it ends.
    Invalid(
        _MIDDLEWARE + "class Skills(AgentMiddleware):\n"
        "    async def awrap_model_call(self, request, handler):\n"
        "        mode = request.state.get('active_skill_mode')\n"
        "        if mode == 'read_only':\n"
        "            kept = [t for t in request.tools if t.name not in WRITE]\n"
        "            return await handler(request.override(tools=kept))\n"
        "        return await handler(request)\n",
        line=7,
        message_contains="decided by the agent's state on each call (line 6)",
    ),
    Invalid(
        _MIDDLEWARE + "class PlanMode(AgentMiddleware):\n"
        "    def _active(self, request):\n"
        "        state = getattr(request, 'state', None)\n"
        "        return bool(state and state.get('plan_mode'))\n"
        "    def _filter(self, request):\n"
        "        if not self._active(request):\n"
        "            return request\n"
        "        return request.override(tools=[t for t in request.tools if t.name not in WRITE])\n"
        "    def wrap_model_call(self, request, handler):\n"
        "        return handler(self._filter(request))\n",
        line=10,
    ),
    Invalid(
        "from langchain.agents.middleware import wrap_model_call\n"
        "@wrap_model_call\n"
        "def hide_writes(request, handler):\n"
        "    if request.state.get('mode') == 'review':\n"
        "        request = request.override(tools=[t for t in request.tools if t.name != 'write'])\n"
        "    return handler(request)\n",
        line=5,
    ),
    Invalid(
        _MIDDLEWARE + "class SkillTools(AgentMiddleware):\n"
        "    def wrap_model_call(self, request, handler):\n"
        "        loaded = set(request.state.get('loaded_skills') or [])\n"
        "        kept = []\n"
        "        for tool in request.tools:\n"
        "            owners = self.owners.get(tool.name)\n"
        "            if owners is None:\n"
        "                kept.append(tool)\n"
        "            elif owners & loaded:\n"
        "                kept.append(tool)\n"
        "        return handler(request.override(tools=kept))\n",
        line=12,
        message_contains="`owners & loaded`",
    ),
    # The loop's state changes through method calls and decides the tools of each pass.
    Invalid(
        _HEADER + "def run(history, state):\n"
        "    while not state.done:\n"
        "        tools = state.allowed_tools()\n"
        "        reply = client.messages.create(model='m', max_tokens=9, tools=tools, messages=history)\n"
        "        state.advance(reply)\n",
        line=5,
        message_contains="`state` is changed here (line 7)",
    ),
    Invalid(
        _HEADER + "class Agent:\n"
        "    def __init__(self):\n"
        "        self.phase = 'plan'\n"
        "        self.history = []\n"
        "    def allowed_tools(self):\n"
        "        return TOOLS[self.phase]\n"
        "    def advance(self, reply):\n"
        "        self.phase = 'act'\n"
        "    def run(self):\n"
        "        while self.phase != 'done':\n"
        "            tools = self.allowed_tools()\n"
        "            reply = client.messages.create(model='m', max_tokens=9, tools=tools, messages=self.history)\n"
        "            self.advance(reply)\n",
        line=13,
        message_contains="from `self.phase`",
    ),
    Invalid(
        _HEADER + "def run(history, phase):\n"
        "    while True:\n"
        "        tools = tools_for(phase)\n"
        "        reply = client.messages.create(model='m', max_tokens=9, tools=tools, messages=history)\n"
        "        phase = next_phase(reply)\n",
        line=5,
    ),
    # Gathered from a dict of live connections and returned unsorted, for another module
    # to send.
    Invalid(
        "class Hub:\n"
        "    def __init__(self):\n"
        "        self.sessions = {}\n"
        "    def add(self, name, session):\n"
        "        self.sessions[name] = session\n"
        "    async def get_tools(self):\n"
        "        tools = []\n"
        "        for session in self.sessions.values():\n"
        "            tools.extend((await session.list_tools()).tools)\n"
        "        return tools\n",
        line=9,
        message_contains="they are returned by get_tools() unsorted",
    ),
    Invalid(
        "class Hub:\n"
        "    def __init__(self):\n"
        "        self.sessions = {}\n"
        "    def add(self, name, session):\n"
        "        self.sessions[name] = session\n"
        "    async def all_tools(self):\n"
        "        return [t for s in self.sessions.values() for t in (await s.list_tools()).tools]\n",
        line=7,
    ),
    # Listed on connecting and kept per connection: the dict is filled as servers connect.
    Invalid(
        "class Hub:\n"
        "    def __init__(self):\n"
        "        self.clients = {}\n"
        "    async def connect(self, name, spec):\n"
        "        self.clients[name] = await open_client(spec)\n"
        "    def get_tools(self):\n"
        "        tools = []\n"
        "        for client in self.clients.values():\n"
        "            tools.extend(client.tools)\n"
        "        return tools\n",
        line=9,
        message_contains="the order of the listings: a dict of connections filled as servers connect (line 8)",
    ),
    Invalid(
        "import asyncio\n"
        "async def all_tools(servers):\n"
        "    tools = []\n"
        "    for done in asyncio.as_completed([s.list_tools() for s in servers]):\n"
        "        tools.extend((await done).tools)\n"
        "    return tools\n",
        line=5,
        message_contains="the order the requests complete in",
    ),
    Invalid(
        "class Agent:\n"
        "    async def load(self, servers):\n"
        "        self.tools = []\n"
        "        for server in set(servers):\n"
        "            for tool in await load_mcp_tools(server):\n"
        "                self.tools.append(tool)\n",
        line=6,
        message_contains="kept as self.tools by load()",
    ),
    Invalid(
        _HEADER + "def run(history, tools, extra):\n"
        "    while True:\n"
        "        reply = client.messages.create(model='m', max_tokens=9, tools=tools, messages=history)\n"
        "        if reply.stop_reason == 'end_turn':\n"
        "            tools.append(extra)\n"
        "        history.append({'role': 'assistant', 'content': reply.content})\n",
        line=7,
        message_contains="changes the tool list inside the loop that sends it",
    ),
    Invalid(
        _HEADER + "def run(history, state, ALL):\n"
        "    while not state.done:\n"
        "        reply = client.messages.create(\n"
        "            model='m', max_tokens=9, messages=history,\n"
        "            tools=[t for t in ALL if t['name'] in state.allowed],\n"
        "        )\n"
        "        state = state.advance(reply)\n",
        line=7,
        message_contains="from `state`, which the loop changes",
    ),
    Invalid(
        _HEADER + "async def ask(session, history):\n"
        "    listing = await session.list_tools()\n"
        "    tools = [{'name': t.name, 'input_schema': t.inputSchema} for t in listing.tools]\n"
        "    return client.messages.create(model='m', max_tokens=9, tools=tools, messages=history)\n",
        line=5,
        fixed=_HEADER + "async def ask(session, history):\n"
        "    listing = await session.list_tools()\n"
        "    tools = [{'name': t.name, 'input_schema': t.inputSchema} for t in sorted(listing.tools, key=lambda tool: tool.name)]\n"
        "    return client.messages.create(model='m', max_tokens=9, tools=tools, messages=history)\n",
    ),
)

# TypeScript and JavaScript: the tools of an SDK call, within one file.
_OPENAI_TS = 'import OpenAI from "openai";\nconst openai = new OpenAI();\n'
ToolListMutation.INVALID += (
    # Filtered in the loop by the phase the loop moves through.
    Invalid(
        _OPENAI_TS + "export async function run(model, messages, allTools) {\n"
        '  let phase = "plan";\n'
        '  while (phase !== "done") {\n'
        "    const tools = allTools.filter((tool) => tool.phases.includes(phase));\n"
        "    const reply = await openai.chat.completions.create({ model, messages, tools });\n"
        "    phase = nextPhase(reply);\n"
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=6,
        message_contains="rebuilds the tool list on each pass from `phase`",
    ),
    # The AI SDK: other tools on the first step than on the next ones.
    Invalid(
        'import { generateText } from "ai";\n'
        "export function ask(model, prompt, tools) {\n"
        "  return generateText({\n"
        "    model, prompt, tools,\n"
        "    prepareStep: ({ stepNumber }) =>\n"
        '      stepNumber === 0 ? { activeTools: ["search"] } : { activeTools: ["answer"] },\n'
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=6,
        message_contains="`prepareStep` sets `activeTools` per step",
    ),
    # An MCP server's listing, fetched for each request and sent in its order.
    Invalid(
        _OPENAI_TS + 'import { Client } from "@modelcontextprotocol/sdk/client/index.js";\n'
        "export async function ask(mcp: Client, messages) {\n"
        "  const { tools } = await mcp.listTools();\n"
        "  return openai.chat.completions.create({\n"
        '    model: "gpt-4.1",\n'
        "    messages,\n"
        '    tools: tools.map((t) => ({ type: "function", function: t })),\n'
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=5,
        message_contains="lists the tools anew for each call",
    ),
    # A tool spread in while a flag the loop sets is down (in JavaScript).
    Invalid(
        'import { streamText } from "ai";\n'
        "export async function run(model, messages, base, finish) {\n"
        "  let done = false;\n"
        "  for (let step = 0; step < 8 && !done; step++) {\n"
        "    const result = streamText({ model, messages, tools: { ...base, ...(done ? {} : { finish }) } });\n"
        '    done = (await result.finishReason) === "stop";\n'
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.js",
        line=5,
        message_contains="adds tools on some passes, by `done`",
    ),
    # A helper adds a tool by the mode it is handed, which the loop changes.
    Invalid(
        'import { streamText } from "ai";\n'
        "function toolsFor(base, mode) {\n"
        '  return { ...base, ...(mode === "review" ? { approve: base.approve } : {}) };\n'
        "}\n"
        "export async function run(model, messages, base) {\n"
        '  let mode = "edit";\n'
        "  for (let step = 0; step < 8; step++) {\n"
        "    const result = streamText({ model, messages, tools: toolsFor(base, mode) });\n"
        '    mode = (await result.text).includes("REVIEW") ? "review" : "edit";\n'
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.js",
        line=3,
        message_contains="adds tools on some passes, by `mode`",
    ),
)
ToolListMutation.VALID += (
    # A helper handed only what the loop leaves as it was: the same tools on every pass.
    Valid(
        'import { streamText } from "ai";\n'
        "function toolsFor(base, mode) {\n"
        '  return { ...base, ...(mode === "review" ? { approve: base.approve } : {}) };\n'
        "}\n"
        "export async function run(model, messages, base, mode) {\n"
        "  let step = 0;\n"
        "  while (step < 8) {\n"
        "    await streamText({ model, messages, tools: toolsFor(base, mode) }).text;\n"
        "    step += 1;\n"
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.js",
    ),
    # The same tools on every pass; the choice constrained with toolChoice.
    Valid(
        'import { generateText } from "ai";\n'
        "const TOOLS = { search, answer };\n"
        "export async function run(model, messages) {\n"
        "  let mustAnswer = false;\n"
        "  for (let step = 0; step < 5; step++) {\n"
        "    const result = await generateText({\n"
        "      model, messages, tools: TOOLS,\n"
        '      toolChoice: mustAnswer ? { type: "tool", toolName: "answer" } : "auto",\n'
        "    });\n"
        "    mustAnswer = step > 2;\n"
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # Filtered once, by configuration, before the loop; the same activeTools on every step.
    Valid(
        _OPENAI_TS + "export async function run(model, messages, allTools, config) {\n"
        "  const tools = allTools.filter((tool) => config.enabled.includes(tool.name));\n"
        "  for (let step = 0; step < 5; step++) {\n"
        "    const reply = await openai.chat.completions.create({ model, messages, tools });\n"
        "    messages.push(reply.choices[0].message);\n"
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    Valid(
        'import { generateText } from "ai";\n'
        "export function ask(model, prompt, tools) {\n"
        '  return generateText({ model, prompt, tools, prepareStep: () => ({ activeTools: ["search"] }) });\n'
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # An MCP listing sorted by name.
    Valid(
        _OPENAI_TS + "export async function ask(mcp, messages) {\n"
        "  const listed = (await mcp.listTools()).tools.toSorted((a, b) => a.name.localeCompare(b.name));\n"
        '  return openai.chat.completions.create({ model: "gpt-4.1", messages, tools: listed.map(toOpenAI) });\n'
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # A script's entry function, run once: its one listing is what every step is sent with.
    Valid(
        'import { generateText } from "ai";\n'
        "async function main() {\n"
        "  const definitions = await mcpClient.listTools();\n"
        "  const tools = mcpClient.toolsFromDefinitions(definitions);\n"
        '  const { text } = await generateText({ model, tools, prompt: "Greet Alice" });\n'
        "  console.log(text);\n"
        "}\n"
        "main().catch(console.error);\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
)
ToolListMutation.INVALID += (
    # The same, run for each question of a list: listed anew for each request.
    Invalid(
        'import { generateText } from "ai";\n'
        "async function answer(question) {\n"
        "  const definitions = await mcpClient.listTools();\n"
        "  const tools = mcpClient.toolsFromDefinitions(definitions);\n"
        "  return generateText({ model, tools, prompt: question });\n"
        "}\n"
        "for (const question of questions) await answer(question);\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=3,
        message_contains="lists the tools anew for each call",
    ),
)

# LangChain.js and Google Gen AI (ctxlint.typescript.framework_sinks).
ToolListMutation.INVALID += (
    # Tools bound to a LangChain model, filtered in the loop by the phase it moves through.
    Invalid(
        'import { ChatOpenAI } from "@langchain/openai";\n'
        "export async function run(model: ChatOpenAI, messages, allTools) {\n"
        '  let phase = "plan";\n'
        '  while (phase !== "done") {\n'
        "    const tools = allTools.filter((tool) => tool.phases.includes(phase));\n"
        "    phase = nextPhase(await model.bindTools(tools).invoke(messages));\n"
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=5,
        message_contains="rebuilds the tool list on each pass from `phase`",
    ),
    # Google Gen AI: the tools of the request's config, likewise.
    Invalid(
        'import { GoogleGenAI } from "@google/genai";\n'
        "const ai = new GoogleGenAI({});\n"
        "export async function run(contents, allTools) {\n"
        '  let phase = "plan";\n'
        '  while (phase !== "done") {\n'
        "    const tools = allTools.filter((tool) => tool.phases.includes(phase));\n"
        '    const reply = await ai.models.generateContent({ model: "m", contents, config: { tools } });\n'
        "    phase = nextPhase(reply);\n"
        "  }\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=6,
        message_contains="rebuilds the tool list on each pass",
    ),
)
ToolListMutation.VALID += (
    # The tools bound once, before the loop: the same list on every request.
    Valid(
        'import { ChatOpenAI } from "@langchain/openai";\n'
        "export async function run(model: ChatOpenAI, messages, tools) {\n"
        "  const bound = model.bindTools(tools);\n"
        "  for (let step = 0; step < 10; step++) messages.push(await bound.invoke(messages));\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
)
