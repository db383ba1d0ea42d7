"""CTX005: the tool names of one tool set do not follow consistent group prefixes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from ctxlint.diagnostics import Diagnostic
from ctxlint.python.triggers import Trigger
from ctxlint.redact import evidence
from ctxlint.rule import InputKind, Invalid, Rule, Valid

if TYPE_CHECKING:
    from ctxlint.python.module import PythonModule
    from ctxlint.trace.compare import Step
    from ctxlint.typescript.module import ScriptModule

# Leading verbs: a set named verb-first (get_x, list_y) is grouped by action, not by area,
# and its "groups" say nothing about which tools belong together.
_VERBS = frozenset(
    [
        "get",
        "list",
        "create",
        "update",
        "delete",
        "set",
        "add",
        "remove",
        "read",
        "write",
        "search",
        "find",
        "run",
        "send",
        "fetch",
        "check",
        "open",
        "close",
        "make",
        "do",
        "edit",
        "query",
        "lookup",
        "load",
        "save",
        "post",
        "put",
        "patch",
        "insert",
        "upload",
        "download",
        "start",
        "stop",
        "execute",
        "call",
        "generate",
        "describe",
        "show",
        "view",
    ]
)
_HUMP = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


class _Named(Protocol):
    @property
    def name(self) -> str: ...


Misfit = TypeVar("Misfit", bound=_Named)


class InconsistentToolPrefix(Rule):
    """
    ## What it does
    Flags tool names, within one set of tools an agent sends together, that break the set's
    naming: a name in another style (`readFile` among `snake_case` names), or a name outside
    the group prefixes the rest of the set shares (`search` among `fs_*` and `web_*` tools).

    A tool set is what the code sends: the tool list that reaches an LLM call or an agent
    (`tools=TOOLS`, `Agent(tools=[fs_read, search])`), followed through names, `*BASE` and the
    module's own functions as every rule follows values; or the tools registered on one
    agent or server, which sends them all (`@mcp.tool()`, `@agent.tool` on one `agent`).
    Tools a module only defines (a module of `@tool` functions, definition dicts picked per
    surface, the agents of separate tests) are no set. Only sets of at least `min-tool-set`
    tools (default 4) are checked, and names are held to group prefixes only when most of
    the set already shares them. Sets named verb-first (`get_user`, `list_orders`) are grouped
    by action, not area, and are left alone.

    In recorded traces, it checks the tool list of each session the same way.

    In TypeScript and JavaScript, a tool set is the `tools` of one SDK call or agent, as the
    file shows it: the definitions sent to `openai` or `@anthropic-ai/sdk`, the `tool({name})`
    of `@openai/agents`, Mastra's `createTool({id})`, and the keys of the AI SDK's (or
    Mastra's) record of tools (`tools: {search: tool(...)}`), which are the names the model
    sees.

    ## Why is this bad?
    The cheapest way to restrict an agent's choice of tools is to keep the tool list fixed
    (so the cached prefix survives) and constrain decoding: prefill the response up to a tool
    name prefix, or mask the logits of names outside a group. That only works when tool
    names share prefixes by group. A tool outside the groups has to be allowed or banned
    one by one, which takes a stateful logits processor, or tempts removing tools from the
    list, which breaks the cache (CTX004).

    ## Example
    ```python
    @mcp.tool()
    def browser_open(url: str) -> str: ...
    @mcp.tool()
    def browser_click(selector: str) -> str: ...
    @mcp.tool()
    def shell_exec(command: str) -> str: ...
    @mcp.tool()
    def shell_read(path: str) -> str: ...
    @mcp.tool()
    def search(query: str) -> str: ...
    ```

    Use instead:
    ```python
    @mcp.tool()
    def browser_search(query: str) -> str: ...
    ```

    ## Options
    - `tool-prefixes` (default empty): the prefixes every tool name must start with; when
      set, every name without one is flagged.
    - `min-tool-set` (default 4): smaller tool sets are not checked.

    ## References
    - [Manus: context engineering for AI agents (mask, don't remove)](https://manus.im/blog/Context-Engineering-for-AI-Agents-Lessons-from-Building-Manus)
    """

    code = "CTX005"
    name = "inconsistent-tool-prefix"
    # Standalone: tools registered on an MCP server need not be sent by an LLM call. The
    # needles are the decorators as written above a `def`, tool classes, tool dicts, tool
    # constructors, and a tool list handed on (tools defined in another module).
    python_trigger = Trigger(
        needles=(
            b"tools=",
            b"tools =",
            b"@tool",
            b"@function_tool",
            b".tool()\n",
            b".tool(name",
            b".tool(description",
            b".tool(\n",
            b".tool\ndef",
            b".tool\nasync def",
            b".tool\n    def",
            b".tool\n    async def",
            b".tool_plain",
            b"register_tool",
            b"Tool):",
            b'"input_schema"',
            b"'input_schema'",
            b"""'type': 'function'""",
            b'"type": "function"',
            b"ToolSpec(",
            b"FunctionTool(",
            b"StructuredTool",
        ),
        standalone=True,
    )
    summary = "A tool name breaks the naming of its tool set"

    def check_trace(self, step: Step) -> Iterator[Diagnostic]:
        tools = step.current.tools
        if tools is None:
            return
        unique = list({tool.name: tool for tool in tools}.values())
        checked = step.session.memo.setdefault(self.code, set())
        names = frozenset(tool.name for tool in unique)
        if len(unique) < step.settings.min_tool_set or names in checked:
            return
        checked.add(names)
        reported = step.session.memo.setdefault(self.code + ":tools", set())
        for tool, message, help in _misfits(unique, step.settings.tool_prefixes):
            if tool.name not in reported:
                reported.add(tool.name)
                pointer = step.current.tool_pointer(tool.name)
                yield step.diagnostic(self, message, pointer, help=help)

    def check_python(self, module: PythonModule) -> Iterator[Diagnostic]:
        from ctxlint.python.tool_sets import tool_sets

        settings = module.settings
        reported: set[int] = set()
        for tool_set in module.fact(tool_sets):
            if len(tool_set.tools) < settings.min_tool_set:
                continue
            related = ()
            if tool_set.sink is not None:
                sink = tool_set.sink
                related = (module.location_of(sink.expression, sink.sent_as()),)
            for tool, message, help in _misfits(tool_set.tools, settings.tool_prefixes):
                if id(tool.node) in reported:  # a tool sent in two sets
                    continue
                reported.add(id(tool.node))
                yield tool.module.diagnostic(self, tool.node, message, None, related, help=help)

    def check_typescript(self, module: ScriptModule) -> Iterator[Diagnostic]:
        from ctxlint.typescript.tool_names import tool_sets

        settings = module.settings
        minimum = settings.min_tool_set if settings is not None else 4
        expected = settings.tool_prefixes if settings is not None else ()
        reported: set[int] = set()
        for tool_set in tool_sets(module.parsed, module.sinks):
            if len(tool_set.tools) < minimum:
                continue
            sink = tool_set.sink
            related = (module.related(sink.call, f"sent as {sink.label}"),)
            for tool, message, help in _misfits(tool_set.tools, expected):
                if tool.node.id in reported:  # a tool sent in two sets
                    continue
                reported.add(tool.node.id)
                yield module.diagnostic(self, tool.node, message, related, help=help)


def _misfits(
    tools: Sequence[Misfit], expected: tuple[str, ...]
) -> Iterator[tuple[Misfit, str, str]]:
    """The tools whose names break the set's style or group prefixes, with the message and
    the help."""
    if expected:
        wanted = ", ".join(f"`{evidence(p)}`" for p in expected[:3])
        more = f" and {len(expected) - 3} more" if len(expected) > 3 else ""
        for tool in tools:
            if not tool.name.startswith(expected):
                yield (
                    tool,
                    f"`{evidence(tool.name)}` has none of the configured prefixes: {wanted}{more}",
                    "Rename it with one of the prefixes in tool-prefixes",
                )
        return
    styles = {tool.name: _style(tool.name) for tool in tools}
    odd_style: set[str] = set()
    definite = Counter(style for style in styles.values() if style != "lower")
    if len(definite) >= 2:
        majority, count = definite.most_common(1)[0]
        if count * 3 >= sum(definite.values()) * 2:
            for tool in tools:
                style = styles[tool.name]
                if style not in ("lower", majority):
                    odd_style.add(tool.name)
                    others = len(tools) - 1
                    sharing = (
                        f"the other {others}"
                        if count == others
                        else f"{count} of the {others} other"
                    )
                    message = (
                        f"`{evidence(tool.name)}` is {style} while {sharing} tools are {majority}"
                    )
                    renamed = _restyled(tool.name, style, majority)
                    help = (
                        f"Rename it `{evidence(renamed)}`, in {majority} like the rest"
                        if renamed
                        else f"Rename it in {majority}, like the rest"
                    )
                    yield tool, message, help
    prefixes = {tool.name: _prefix(tool.name, styles[tool.name]) for tool in tools}
    counts = Counter(p for p in prefixes.values() if p is not None)
    groups = {prefix for prefix, count in counts.items() if count >= 2}
    if len(groups) < 2 or groups & _VERBS:
        return
    outliers = [tool for tool in tools if prefixes[tool.name] not in groups]
    if not outliers or (len(tools) - len(outliers)) * 3 < len(tools) * 2:
        return
    # The set's own prefixes, the most used first, as its names spell them.
    ranked = sorted(groups, key=lambda group: (-counts[group], group))
    shown = ", ".join(f"`{evidence(_spelled(group, tools, prefixes))}`" for group in ranked[:3])
    more = f" and {len(ranked) - 3} more" if len(ranked) > 3 else ""
    grouped = len(tools) - len(outliers)
    for tool in outliers:
        if tool.name not in odd_style:
            others = len(tools) - 1
            sharing = (
                f"the other {others}" if grouped == others else f"{grouped} of the {others} other"
            )
            message = (
                f"`{evidence(tool.name)}` lacks the prefixes {sharing} tools share: {shown}{more}"
            )
            help = "Rename it into the group it belongs to, or give it a group of its own"
            yield tool, message, help


def _spelled(group: str, tools: Sequence[_Named], prefixes: dict[str, str | None]) -> str:
    """A group prefix as the set's names write it: `fs_`, `browser-`, `Browser`."""
    for tool in tools:
        if prefixes[tool.name] == group:
            written = tool.name[: len(group)]
            separator = tool.name[len(group) : len(group) + 1]
            return written + (separator if separator in ("_", "-") else "")
    return group


def _words(name: str, style: str) -> list[str]:
    if style in ("snake_case", "kebab-case", "mixed", "UPPERCASE"):
        return [p for p in re.split(r"[_\-]", name) if p]
    return _HUMP.findall(name)


def _restyled(name: str, style: str, wanted: str) -> str | None:
    """The name written in another naming style (`readUrl` in snake_case: `read_url`)."""
    words = [word.lower() for word in _words(name, style)]
    if not words:
        return None
    if wanted == "snake_case":
        return "_".join(words)
    if wanted == "kebab-case":
        return "-".join(words)
    if wanted == "camelCase":
        return words[0] + "".join(word.capitalize() for word in words[1:])
    if wanted == "PascalCase":
        return "".join(word.capitalize() for word in words)
    if wanted == "UPPERCASE":
        return "_".join(word.upper() for word in words)
    return None


def _style(name: str) -> str:
    if "-" in name:
        return "kebab-case"
    if "_" in name.strip("_"):
        return "snake_case" if name == name.lower() else "mixed"
    if name.islower() or name.isdigit():
        return "lower"
    if name[:1].isupper():
        return "PascalCase" if not name.isupper() else "UPPERCASE"
    return "camelCase"


def _prefix(name: str, style: str) -> str | None:
    """The first word of a name of several words; None for one word."""
    if style in ("snake_case", "kebab-case", "mixed"):
        parts = [p for p in re.split(r"[_\-]", name) if p]
    else:
        parts = _HUMP.findall(name)
    return parts[0].lower() if len(parts) >= 2 else None


_PREAMBLE = "from mcp.server.fastmcp import FastMCP\nmcp = FastMCP('demo')\n"


def _tools(*names: str) -> str:
    return "".join(f"@mcp.tool()\ndef {name}(x: str) -> str:\n    return x\n" for name in names)


InconsistentToolPrefix.VALID = (
    # The listed set of the INVALID case below, its outlier renamed into a group.
    Valid(
        "OPEN = {'type': 'function', 'function': {'name': 'browser_open', 'parameters': {}}}\n"
        "CLICK = {'type': 'function', 'function': {'name': 'browser_click', 'parameters': {}}}\n"
        "EXEC = {'type': 'function', 'function': {'name': 'shell_exec', 'parameters': {}}}\n"
        "READ = {'type': 'function', 'function': {'name': 'shell_read', 'parameters': {}}}\n"
        "SEARCH = {'type': 'function', 'function': {'name': 'browser_search', 'parameters': {}}}\n"
        "BASE = [OPEN, CLICK]\n"
        "TOOLS = [*BASE, EXEC, READ, SEARCH]\n"
    ),
    # Tool dicts of one module advertised per surface, never listed together: not one set.
    Valid(
        "OPEN = {'type': 'function', 'function': {'name': 'browser_open', 'parameters': {}}}\n"
        "CLICK = {'type': 'function', 'function': {'name': 'browser_click', 'parameters': {}}}\n"
        "EXEC = {'type': 'function', 'function': {'name': 'shell_exec', 'parameters': {}}}\n"
        "READ = {'type': 'function', 'function': {'name': 'shell_read', 'parameters': {}}}\n"
        "SEARCH = {'type': 'function', 'function': {'name': 'search', 'parameters': {}}}\n"
        "def tool_defs(browser: bool, shell: bool) -> list[dict]:\n"
        "    defs = [SEARCH]\n"
        "    if browser:\n"
        "        defs += [OPEN, CLICK]\n"
        "    if shell:\n"
        "        defs += [EXEC, READ]\n"
        "    return defs\n"
    ),
    # Function tools without descriptions, named consistently.
    Valid(
        "TOOLS = [\n"
        "    {'type': 'function', 'function': {'name': 'read_file', 'parameters': {}}},\n"
        "    {'type': 'function', 'function': {'name': 'write_file', 'parameters': {}}},\n"
        "    {'type': 'function', 'function': {'name': 'list_dir', 'parameters': {}}},\n"
        "    {'type': 'function', 'function': {'name': 'read_url', 'parameters': {}}},\n"
        "]\n"
    ),
    # Tool calls in assistant messages and bare name/parameters records are not definitions.
    Valid(
        "CALLS = [\n"
        "    {'id': 'c1', 'type': 'function', 'function': {'name': 'read_file', 'parameters': {}}},\n"
        "    {'id': 'c2', 'type': 'function', 'function': {'name': 'write_file', 'parameters': {}}},\n"
        "    {'id': 'c3', 'type': 'function', 'function': {'name': 'list_dir', 'parameters': {}}},\n"
        "    {'id': 'c4', 'type': 'function', 'function': {'name': 'readUrl', 'parameters': {}}},\n"
        "]\n"
        "STEPS = [\n"
        "    {'name': 'read_file', 'parameters': {}},\n"
        "    {'name': 'write_file', 'parameters': {}},\n"
        "    {'name': 'list_dir', 'parameters': {}},\n"
        "    {'name': 'readUrl', 'parameters': {}},\n"
        "]\n"
    ),
    Valid(_PREAMBLE + _tools("browser_open", "browser_click", "shell_exec", "shell_read")),
    # Verb-first names are grouped by action: no group prefixes to keep.
    Valid(_PREAMBLE + _tools("get_user", "get_order", "list_orders", "list_users", "search")),
    # Too small a set to have a pattern.
    Valid(_PREAMBLE + _tools("browser_open", "browser_click", "search")),
    # Single words everywhere: nothing is grouped, nothing stands out.
    Valid(_PREAMBLE + _tools("search", "fetch", "summarize", "translate")),
)
_SEND = (
    "import openai\n"
    "client = openai.OpenAI()\n"
    "def ask(messages):\n"
    "    return client.chat.completions.create(model='m', messages=messages, tools=TOOLS)\n"
)
_ANTHROPIC_SEND = (
    "import anthropic\n"
    "client = anthropic.Anthropic()\n"
    "def ask(messages):\n"
    "    return client.messages.create(model='m', max_tokens=9, messages=messages, tools=TOOLS)\n"
)
# openai-agents: `@function_tool` functions are tools only where an agent lists them.
_FUNCTION_TOOLS = (
    "from agents import Agent, function_tool\n"
    "@function_tool\n"
    "def fs_read(path: str) -> str:\n"
    "    return path\n"
    "@function_tool\n"
    "def fs_write(path: str) -> str:\n"
    "    return path\n"
    "@function_tool\n"
    "def fs_list(path: str) -> str:\n"
    "    return path\n"
    "@function_tool\n"
    "def web_fetch(url: str) -> str:\n"
    "    return url\n"
    "@function_tool\n"
    "def web_search(query: str) -> str:\n"
    "    return query\n"
    "@function_tool\n"
    "def search(query: str) -> str:\n"
    "    return query\n"
)
# Agents of two tests, each registering its own tools on its own `agent`: two sets.
_TEST_AGENTS = (
    "from pydantic_ai import Agent\n"
    "def test_files():\n"
    "    agent = Agent('test')\n"
    "    @agent.tool_plain\n"
    "    def fs_read(path: str) -> str:\n"
    "        return path\n"
    "    @agent.tool_plain\n"
    "    def fs_write(path: str) -> str:\n"
    "        return path\n"
    "def test_web():\n"
    "    agent = Agent('test')\n"
    "    @agent.tool_plain\n"
    "    def web_fetch(url: str) -> str:\n"
    "        return url\n"
    "    @agent.tool_plain\n"
    "    def search(query: str) -> str:\n"
    "        return query\n"
)
InconsistentToolPrefix.VALID += (
    # Defined, never sent together here: a library's definitions, whichever its caller sends.
    Valid(
        "OPEN = {'type': 'function', 'function': {'name': 'browser_open', 'parameters': {}}}\n"
        "CLICK = {'type': 'function', 'function': {'name': 'browser_click', 'parameters': {}}}\n"
        "EXEC = {'type': 'function', 'function': {'name': 'shell_exec', 'parameters': {}}}\n"
        "READ = {'type': 'function', 'function': {'name': 'shell_read', 'parameters': {}}}\n"
        "SEARCH = {'type': 'function', 'function': {'name': 'search', 'parameters': {}}}\n"
        "TOOLS = [OPEN, CLICK, EXEC, READ, SEARCH]\n"
    ),
    # Tool functions of a module, the agent sends the ones that follow the groups.
    Valid(
        _FUNCTION_TOOLS
        + "agent = Agent(name='a', tools=[fs_read, fs_write, fs_list, web_fetch, web_search])\n"
    ),
    Valid(_TEST_AGENTS),
)
InconsistentToolPrefix.INVALID = (
    # Tool dicts defined one by one and sent together (through `*BASE` too): one set.
    Invalid(
        "OPEN = {'type': 'function', 'function': {'name': 'browser_open', 'parameters': {}}}\n"
        "CLICK = {'type': 'function', 'function': {'name': 'browser_click', 'parameters': {}}}\n"
        "EXEC = {'type': 'function', 'function': {'name': 'shell_exec', 'parameters': {}}}\n"
        "READ = {'type': 'function', 'function': {'name': 'shell_read', 'parameters': {}}}\n"
        "SEARCH = {'type': 'function', 'function': {'name': 'search', 'parameters': {}}}\n"
        "BASE = [OPEN, CLICK]\n"
        "TOOLS = [*BASE, EXEC, READ, SEARCH]\n" + _SEND,
        line=5,
        message_contains="`search` lacks the prefixes the other 4 tools share: `browser_`, `shell_`",
    ),
    # Function tools are tool definitions with or without a description.
    Invalid(
        "TOOLS = [\n"
        "    {'type': 'function', 'function': {'name': 'read_file', 'parameters': {}}},\n"
        "    {'type': 'function', 'function': {'name': 'write_file', 'parameters': {}}},\n"
        "    {'type': 'function', 'function': {'name': 'list_dir', 'parameters': {}}},\n"
        "    {'type': 'function', 'function': {'name': 'readUrl', 'parameters': {}}},\n"
        "]\n" + _SEND,
        line=5,
        message_contains="is camelCase",
    ),
    Invalid(
        "TOOLS = [\n"
        "    {'type': 'function', 'name': 'read_file', 'parameters': {}},\n"
        "    {'type': 'function', 'name': 'write_file', 'parameters': {}},\n"
        "    {'type': 'function', 'name': 'list_dir', 'parameters': {}},\n"
        "    {'type': 'function', 'name': 'readUrl', 'parameters': {}},\n"
        "]\n" + _SEND,
        line=5,
        message_contains="Rename it `read_url`, in snake_case",
    ),
    # An MCP server lists every tool registered on it.
    Invalid(
        _PREAMBLE + _tools("browser_open", "browser_click", "shell_exec", "shell_read", "search"),
        line=16,
        message_contains="`search` lacks the prefixes",
    ),
    Invalid(
        "TOOLS = [\n"
        "    {'name': 'read_file', 'input_schema': {}},\n"
        "    {'name': 'write_file', 'input_schema': {}},\n"
        "    {'name': 'list_dir', 'input_schema': {}},\n"
        "    {'name': 'readUrl', 'input_schema': {}},\n"
        "]\n" + _ANTHROPIC_SEND,
        line=5,
        message_contains="is camelCase while the other 3 tools are snake_case",
    ),
    Invalid(
        _PREAMBLE + _tools("browser_open", "browser_click", "shell_exec", "search"),
        line=13,
        message_contains="configured prefixes",
        settings={"tool-prefixes": ["browser_", "shell_"]},
    ),
    # The tools an agent lists, named after the groups its other tools share.
    Invalid(
        _FUNCTION_TOOLS
        + "agent = Agent(name='a', tools=[fs_read, fs_write, fs_list, web_fetch, web_search, search])\n",
        line=18,
        message_contains="`search` lacks the prefixes the other 5 tools share: `fs_`, `web_`",
    ),
)

# TypeScript and JavaScript: the tools one call sends, as the file shows them.
_AI_TS = 'import { generateText, tool } from "ai";\n'
InconsistentToolPrefix.INVALID += (
    # The AI SDK names a tool by its key in the record of tools.
    Invalid(
        _AI_TS + "export function ask(model, prompt) {\n"
        "  return generateText({\n"
        "    model, prompt,\n"
        "    tools: {\n"
        "      browser_open: tool({ description: 'open' }),\n"
        "      browser_click: tool({ description: 'click' }),\n"
        "      shell_exec: tool({ description: 'exec' }),\n"
        "      shell_read: tool({ description: 'read' }),\n"
        "      search: tool({ description: 'search' }),\n"
        "    },\n"
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=10,
        message_contains="`search` lacks the prefixes the other 4 tools share: `browser_`, `shell_`",
    ),
    # Anthropic definitions listed through a constant.
    Invalid(
        'import Anthropic from "@anthropic-ai/sdk";\n'
        "const client = new Anthropic();\n"
        "const TOOLS = [\n"
        '  { name: "read_file", input_schema: {} },\n'
        '  { name: "write_file", input_schema: {} },\n'
        '  { name: "list_dir", input_schema: {} },\n'
        '  { name: "readUrl", input_schema: {} },\n'
        "];\n"
        "export const ask = (messages) =>\n"
        '  client.messages.create({ model: "m", max_tokens: 9, tools: TOOLS, messages });\n',
        kind=InputKind.TYPESCRIPT,
        filename="agent.js",
        line=7,
        message_contains="is camelCase while the other 3 tools are snake_case",
    ),
    # @openai/agents tools named by `tool({name})`.
    Invalid(
        'import { Agent, tool } from "@openai/agents";\n'
        'const fsRead = tool({ name: "fs_read", parameters: p, execute });\n'
        'const fsWrite = tool({ name: "fs_write", parameters: p, execute });\n'
        'const webFetch = tool({ name: "web_fetch", parameters: p, execute });\n'
        'const webSearch = tool({ name: "web_search", parameters: p, execute });\n'
        'const lookup = tool({ name: "lookup", parameters: p, execute });\n'
        'export const agent = new Agent({ name: "a", tools: [fsRead, fsWrite, webFetch, webSearch, lookup] });\n',
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
        line=6,
        message_contains="`lookup` lacks the prefixes the other 4 tools share: `fs_`, `web_`",
    ),
)
InconsistentToolPrefix.VALID += (
    # The AI SDK record of the INVALID case, its outlier renamed into a group.
    Valid(
        _AI_TS + "export function ask(model, prompt) {\n"
        "  return generateText({\n"
        "    model, prompt,\n"
        "    tools: { browser_open, browser_click, shell_exec, shell_read, browser_search },\n"
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # Named verb-first: grouped by action, not area.
    Valid(
        _AI_TS + "export function ask(model, prompt) {\n"
        "  return generateText({ model, prompt, tools: { readFile, writeFile, listDir, search } });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
    # A set that varies with a condition is several sets, none judged as one.
    Valid(
        _AI_TS + "export function ask(model, prompt, shell) {\n"
        "  return generateText({\n"
        "    model, prompt,\n"
        "    tools: { browser_open, browser_click, ...(shell ? { shell_exec, shell_read } : {}), search },\n"
        "  });\n"
        "}\n",
        kind=InputKind.TYPESCRIPT,
        filename="agent.ts",
    ),
)
